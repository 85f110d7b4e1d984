/**
 * 双述双评: twice a year each liaison gives an account of their work (述职, in chat or
 * typed in by staff) and the paired households rate them through an appraisal survey.
 * A liaison's appraisal puts side by side, for the half-year: the residents' score,
 * their visits and coverage, the 三率 of the tickets they handled, and the residents'
 * comments (scrubbed) — the figures cadre appraisal reads.
 */
import { sqlOf } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { addCalendarDays, localDateOf, localInstant, minutesOfDay } from '../pipeline/calendar.js';
import { DEFAULT_DAY_START_MINUTES } from '../pipeline/deadlines.js';
import { logger } from '../log.js';
import { rosterNames, scrub } from '../privacy.js';
import { breakdown } from '../stats/query.js';
import { parseAnswers } from './questions.js';
import { writeSurvey } from './store.js';
const log = logger('appraisal');
/** The half-year `at` falls in. */
export function appraisalPeriod(at) {
    const [year, month] = localDateOf(at).split('-').map(Number);
    const second = month > 6;
    return {
        key: `${year}-H${second ? 2 : 1}`,
        label: `${year}年${second ? '下' : '上'}半年`,
        from: localInstant(`${year}-${second ? '07' : '01'}-01`, 0),
        to: localInstant(second ? `${year + 1}-01-01` : `${year}-07-01`, 0),
    };
}
/** The questions of a 双述双评 appraisal: how satisfied the household is with its liaison, and why. */
export const APPRAISAL_QUESTIONS = [
    {
        type: 'single',
        required: true,
        zh: '您对包联您家的网格员的工作满意吗？',
        en: 'Are you satisfied with the work of the grid liaison paired with your household?',
        options: [
            { zh: '满意', en: 'Satisfied' },
            { zh: '基本满意', en: 'Fairly satisfied' },
            { zh: '不满意', en: 'Dissatisfied' },
        ],
    },
    { type: 'text', required: false, zh: '您对网格员有什么意见或建议？', en: 'Any comments or suggestions for your liaison?', options: [] },
];
/** The appraisal's answers: option 0 满意, 1 基本满意, 2 不满意 (APPRAISAL_QUESTIONS). */
const SATISFIED = 0;
const FAIR = 1;
const responsesQuery = defineQuery('appraisal_responses', (db, p, dialect) => db
    .selectFrom('SurveyResponse as r')
    .innerJoin('Person as l', 'l.id', 'r.liaisonId')
    .select(['r.liaisonId', 'l.name', 'l.code', 'r.status', 'r.answers'])
    .where('r.surveyId', '=', p.surveyId)
    .where(oneOf(dialect, 'r.regionId', p.regionIds))
    .where((eb) => eb.or([eb(eb.val(p.liaisonId), '=', eb.lit(0)), eb('r.liaisonId', '=', p.liaisonId)]))
    .orderBy('r.updatedAt', 'desc'));
const visitsQuery = defineQuery('appraisal_visits', (db, p, dialect) => db
    .selectFrom('Visit')
    .select((eb) => ['liaisonId', eb.fn.countAll().as('visits'), eb.fn.count('householdId').distinct().as('visited')])
    .where(oneOf(dialect, 'liaisonId', p.liaisonIds))
    .where('visitedAt', '>=', p.from)
    .where('visitedAt', '<', p.to)
    .groupBy('liaisonId'));
const pairedQuery = defineQuery('appraisal_paired', (db, p, dialect) => db
    .selectFrom('Pairing')
    .select((eb) => ['liaisonId', eb.fn.countAll().as('paired')])
    .where(oneOf(dialect, 'liaisonId', p.liaisonIds))
    .groupBy('liaisonId'));
const reportsQuery = defineQuery('appraisal_reports', (db, p, dialect) => db
    .selectFrom('LiaisonReport')
    .select(['liaisonId', 'text'])
    .where(oneOf(dialect, 'liaisonId', p.liaisonIds))
    .where('period', '=', p.period));
const reportOfQuery = defineQuery('appraisal_report_of', (db, p) => db.selectFrom('LiaisonReport').select('id').where('liaisonId', '=', p.liaisonId).where('period', '=', p.period));
const insertReportQuery = defineQuery('appraisal_report_insert', (db, p) => db.insertInto('LiaisonReport').values({ liaisonId: p.liaisonId, period: p.period, text: p.text, createdAt: p.at, updatedAt: p.at }));
const updateReportQuery = defineQuery('appraisal_report_update', (db, p) => db.updateTable('LiaisonReport').set({ text: p.text, updatedAt: p.at }).where('id', '=', p.id));
/** Saves a liaison's 述职 for the period of `at` (a second one replaces the first); returns the period. */
export async function saveLiaisonReport(db, liaisonId, text, at) {
    const sql = sqlOf(db);
    const period = appraisalPeriod(at);
    const existing = await first(sql, reportOfQuery, { liaisonId, period: period.key });
    if (existing)
        await run(sql, updateReportQuery, { id: existing.id, text, at });
    else
        await run(sql, insertReportQuery, { liaisonId, period: period.key, text, at });
    return period;
}
const ratio = (part, whole) => (whole ? part / whole : null);
/**
 * The appraisals of the liaisons rated in appraisal survey `survey` by households of
 * `regionIds` (one liaison with `liaisonId`), over the half-year the survey was sent in.
 */
export async function liaisonAppraisals(db, survey, regionIds, options) {
    const sql = sqlOf(db);
    const period = appraisalPeriod(survey.sentAt ?? options.now);
    const byLiaison = new Map();
    const names = await rosterNames(db);
    for (const row of await all(sql, responsesQuery, { surveyId: survey.id, regionIds, liaisonId: options.liaisonId ?? 0 })) {
        const id = row.liaisonId;
        let a = byLiaison.get(id);
        if (!a) {
            const empty = { asked: 0, answered: 0, satisfied: 0, fair: 0, dissatisfied: 0, visits: 0, paired: 0, visited: 0 };
            a = { liaisonId: id, name: row.name, code: row.code, ...empty, satisfactionRate: null, score: null, tickets: null, comments: [], report: null };
            byLiaison.set(id, a);
        }
        a.asked++;
        if (row.status !== 'complete')
            continue;
        const answers = parseAnswers(row.answers);
        const rating = answers['0'];
        if (typeof rating !== 'number')
            continue;
        a.answered++;
        if (rating === SATISFIED)
            a.satisfied++;
        else if (rating === FAIR)
            a.fair++;
        else
            a.dissatisfied++;
        const comment = answers['1'];
        if (typeof comment === 'string' && comment.trim())
            a.comments.push(scrub(comment, names));
    }
    const liaisonIds = [...byLiaison.keys()];
    if (liaisonIds.length) {
        const to = options.now < period.to ? options.now : period.to;
        for (const v of await all(sql, visitsQuery, { liaisonIds, from: period.from, to })) {
            const a = byLiaison.get(v.liaisonId);
            a.visits = Number(v.visits);
            a.visited = Number(v.visited);
        }
        for (const p of await all(sql, pairedQuery, { liaisonIds }))
            byLiaison.get(p.liaisonId).paired = Number(p.paired);
        for (const r of await all(sql, reportsQuery, { liaisonIds, period: period.key }))
            byLiaison.get(r.liaisonId).report = r.text;
        const tickets = await breakdown(db, { scopeRegionId: survey.regionId, from: period.from, to: period.to }, 'liaison');
        for (const row of tickets.rows) {
            const a = byLiaison.get(Number(row.key));
            if (a)
                a.tickets = row.figures;
        }
    }
    for (const a of byLiaison.values()) {
        a.satisfactionRate = ratio(a.satisfied + a.fair, a.answered);
        a.score = a.answered ? Math.round(((a.satisfied + 0.9 * a.fair) / a.answered) * 1000) / 10 : null;
    }
    const liaisons = [...byLiaison.values()].sort((x, y) => (y.score ?? -1) - (x.score ?? -1) || x.code.localeCompare(y.code));
    return { period, liaisons };
}
/** The counties, with the staff member a round they start automatically is written by (a supervisor or admin first). */
const countiesQuery = defineQuery('appraisal_counties', (db) => db
    .selectFrom('Region as r')
    .select((eb) => [
    'r.id',
    'r.code',
    eb
        .selectFrom('PersonRole as pr')
        .select('pr.personId')
        .whereRef('pr.regionId', '=', 'r.id')
        .where('pr.role', 'in', ['supervisor', 'admin', 'dispatcher'])
        .orderBy((o) => o.case().when('pr.role', '=', 'dispatcher').then(1).else(0).end())
        .orderBy('pr.personId')
        .limit(1)
        .as('creatorId'),
])
    .where('r.level', '=', 'county'));
/** An appraisal round the county's staff started themselves this month (then none is started for them). */
const roundThisMonthQuery = defineQuery('appraisal_round_this_month', (db, p) => db.selectFrom('Survey').select('id').where('kind', '=', 'appraisal').where('regionId', '=', p.regionId).where('createdAt', '>=', p.from).limit(1));
/**
 * A scheduler duty: on the first working day of each of `months` (APPRAISAL_MONTHS, June
 * and December by default: 双述双评 twice a year), after the office opens, starts each
 * county's appraisal round for the half-year — unless its staff started one that month —
 * and the survey sender pushes it to every paired household. Returns the rounds started.
 */
export function appraisalRoundDuty(options) {
    let doneFor;
    return async () => {
        const now = options.clock.now();
        const today = localDateOf(now);
        if (doneFor === today || minutesOfDay(now) < (options.officeHours.dayStartMinutes ?? DEFAULT_DAY_START_MINUTES))
            return 0;
        doneFor = today;
        const month = today.slice(0, 7);
        if (!options.months.includes(Number(today.slice(5, 7))) || !options.calendar.isWorkingDay(today))
            return 0;
        // The first working day of the month only: none before it since the 1st.
        for (let d = `${month}-01`; d < today; d = addCalendarDays(d, 1))
            if (options.calendar.isWorkingDay(d))
                return 0;
        const sql = sqlOf(options.db);
        const period = appraisalPeriod(now);
        let started = 0;
        for (const county of await all(sql, countiesQuery, {})) {
            if (county.creatorId === null || (await first(sql, roundThisMonthQuery, { regionId: county.id, from: localInstant(`${month}-01`, 0) })))
                continue;
            // Once per county and month, whichever process writes it: the round's key is unique.
            const id = await writeSurvey(options.db, {
                regionId: county.id,
                roundKey: `appraisal:${county.code}:${month}`,
                title: `${period.label}双述双评`,
                titleEn: `Liaison appraisal, ${period.key}`,
                kind: 'appraisal',
                questions: APPRAISAL_QUESTIONS,
                audience: { pairedOnly: true },
                status: 'scheduled',
                sendAt: now,
                createdById: county.creatorId,
                at: now,
            });
            if (id !== null)
                started++;
        }
        if (started)
            log.info({ rounds: started, period: period.key }, 'appraisal rounds started');
        return started;
    };
}
