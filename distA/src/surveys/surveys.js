/**
 * 服务需求表: surveys staff push to households (src/surveys/push.ts sends them), answered
 * in a household's own chat, or filled in by its liaison on a visit. One response per
 * household, whichever member answers; every answer is saved as it is given, so a survey
 * left half-way resumes at its first unanswered question.
 */
import { sqlOf } from '../db/client.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { saveLiaisonReport } from './appraisal.js';
import { questionsOf } from './store.js';
import { parseAnswers, textOf } from './questions.js';
/** Whether every question has an answer (or was skipped). */
export function isComplete(questions, answers) {
    return questions.every((_, i) => String(i) in answers);
}
/**
 * The response rows the speaker may answer: their household's, or — with `householdId` —
 * a household paired with them (a liaison filling it in on a visit). Only surveys still open.
 */
const answerableQuery = defineQuery('survey_answerable', (db, p) => db
    .selectFrom('SurveyResponse as r')
    .innerJoin('Survey as s', 's.id', 'r.surveyId')
    .leftJoin('Person as l', 'l.id', 'r.liaisonId')
    .select(['r.id', 'r.surveyId', 'r.householdId', 'r.answers', 'r.status', 's.title', 's.titleEn', 's.kind', 's.questions', 'l.name as liaison'])
    .where('s.status', '=', 'sent')
    .where((eb) => eb.or([eb(eb.val(p.surveyId), '=', eb.lit(0)), eb('r.surveyId', '=', p.surveyId)]))
    .where((eb) => eb.or([
    // The speaker's own household.
    eb.and([
        eb(eb.val(p.householdId), '=', eb.lit(0)),
        eb.exists(eb.selectFrom('Person as me').select('me.id').where('me.id', '=', p.speakerId).whereRef('me.householdId', '=', 'r.householdId')),
    ]),
    // A household paired with the speaker, named.
    eb.and([
        eb('r.householdId', '=', p.householdId),
        eb.exists(eb.selectFrom('Pairing as pr').select('pr.householdId').whereRef('pr.householdId', '=', 'r.householdId').where('pr.liaisonId', '=', p.speakerId)),
    ]),
]))
    .orderBy('r.surveyId'));
const saveAnswersQuery = defineQuery('survey_save_answers', (db, p) => db
    .updateTable('SurveyResponse')
    .set({ answers: p.answers, status: p.status, answeredById: p.by, filledByLiaison: p.byLiaison, completedAt: p.completedAt, updatedAt: p.at })
    .where('id', '=', p.id));
/** The survey effects of one turn, for `speakerId`, in the turn's transaction. */
export function surveyEffects({ tx, speakerId, locale, now, notFound, notLiaison }) {
    const sql = sqlOf(tx);
    const rows = (surveyId, householdId) => all(sql, answerableQuery, { speakerId, householdId: householdId ?? 0, surveyId });
    const title = (row) => textOf({ zh: row.title, en: row.titleEn }, locale());
    return {
        async waiting(householdId) {
            return (await rows(0, householdId)).filter((r) => r.status !== 'complete').map((r) => ({ id: r.surveyId, title: title(r), questions: questionsOf(r.questions).length }));
        },
        async open(surveyId, householdId) {
            const row = (await rows(surveyId, householdId))[0];
            if (!row)
                return null;
            return { id: row.surveyId, title: title(row), kind: row.kind, questions: questionsOf(row.questions), answers: parseAnswers(row.answers), liaison: row.liaison };
        },
        async answer(surveyId, index, answer, householdId) {
            const row = await first(sql, answerableQuery, { speakerId, householdId: householdId ?? 0, surveyId });
            if (!row)
                return { ok: false, text: notFound() };
            const questions = questionsOf(row.questions);
            if (index < 0 || index >= questions.length)
                return { ok: false, text: notFound() };
            const answers = { ...parseAnswers(row.answers), [String(index)]: answer };
            const complete = isComplete(questions, answers);
            await run(sql, saveAnswersQuery, {
                id: row.id,
                answers: JSON.stringify(answers),
                status: complete ? 'complete' : 'partial',
                by: speakerId,
                byLiaison: householdId !== undefined,
                at: now,
                completedAt: complete ? now : null,
            });
            return { ok: true, complete };
        },
        async submitReport(text) {
            if (!(await first(sql, liaisonRoleQuery, { personId: speakerId })))
                return { ok: false, text: notLiaison() };
            const period = await saveLiaisonReport(tx, speakerId, text, now);
            return { ok: true, period: period.label };
        },
    };
}
const liaisonRoleQuery = defineQuery('survey_liaison_role', (db, p) => db.selectFrom('PersonRole').select('personId').where('personId', '=', p.personId).where('role', '=', 'liaison').limit(1));
