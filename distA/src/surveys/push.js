/**
 * Sending surveys: a scheduler duty that pushes each survey whose time has come to the
 * chats of its audience's households, a batch of households per transaction, and later
 * reminds the households that have not answered, once.
 *
 * A county has ~110,000 households: the push writes one response row per household and
 * one outbox row per member with a chat, in batches of `PUSH_BATCH` households with the
 * event loop free between them (see `breathe`), so that messages keep being answered while it runs
 * (`npm run bench:visits` measures both). A crash half-way resumes after the last
 * household written: the responses are the cursor, and each batch is one transaction.
 */
import { sqlOf, sqlTransaction } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { logger } from '../log.js';
import { enqueuePush } from '../pipeline/outbox.js';
import { audienceSchema } from './store.js';
const log = logger('surveys');
/** Households written per transaction. */
export const PUSH_BATCH = 200;
/** A survey left `sending` this long without progress (its process died) is taken over. */
const STALE_SENDING_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
/** Surveys due to go out, and those whose sender stopped half-way. */
const dueQuery = defineQuery('survey_due', (db, p) => db
    .selectFrom('Survey')
    .select(['id', 'status', 'updatedAt'])
    .where((eb) => eb.or([eb.and([eb('status', '=', 'scheduled'), eb('sendAt', '<=', p.now)]), eb.and([eb('status', '=', 'sending'), eb('updatedAt', '<', p.stale)])]))
    .orderBy('id'));
/** Takes a survey to send (one process sends each): true when this call took it. */
const claimQuery = defineQuery('survey_claim', (db, p) => db.updateTable('Survey').set({ status: 'sending', updatedAt: p.now }).where('id', '=', p.id).where('status', '=', p.status).where('updatedAt', '=', p.seen));
const surveyQuery = defineQuery('survey_for_push', (db, p) => db.selectFrom('Survey').select(['id', 'regionId', 'title', 'titleEn', 'kind', 'questions', 'audience']).where('id', '=', p.id));
/** The region and every region below it. */
const subtreeQuery = defineQuery('survey_region_subtree', (db, p, dialect) => db
    .withRecursive('tree(id)', (qb) => qb
    .selectFrom('Region')
    .select('id')
    .where(oneOf(dialect, 'id', p.ids))
    .unionAll((u) => u.selectFrom('Region as c').innerJoin('tree', 'tree.id', 'c.parentId').select('c.id')))
    .selectFrom('tree')
    .select('id')
    .distinct());
/** The households of an audience (one definition for sending and for counting). */
function audienceHouseholds(db, p, dialect) {
    return db
        .selectFrom('Household as h')
        .where(oneOf(dialect, 'h.regionId', p.within))
        .where((eb) => eb.or([
        eb(eb.val(p.anyPlace), '=', eb.lit(1)),
        oneOf(dialect, 'h.regionId', p.places),
        eb.exists(eb
            .selectFrom('HouseholdGrid as hg')
            .select('hg.householdId')
            .whereRef('hg.householdId', '=', 'h.id')
            .where(oneOf(dialect, 'hg.gridId', p.gridIds))),
    ]))
        .where((eb) => eb.or([eb(eb.val(p.pairedOnly), '=', eb.lit(0)), eb.exists(eb.selectFrom('Pairing as pr').select('pr.householdId').whereRef('pr.householdId', '=', 'h.id'))]));
}
/** The next batch of the audience's households after `after`, by id. */
const audienceBatchQuery = defineQuery('survey_audience_batch', (db, p, dialect) => audienceHouseholds(db, p, dialect).select('h.id').where('h.id', '>', p.after).orderBy('h.id').limit(p.limit));
const audienceCountQuery = defineQuery('survey_audience_count', (db, p, dialect) => audienceHouseholds(db, p, dialect).select((eb) => eb.fn.countAll().as('households')));
/** The audience of a survey of `regionId`, resolved. */
async function audienceParams(db, regionId, audienceJson) {
    const sql = sqlOf(db);
    const audience = audienceSchema.parse(JSON.parse(audienceJson));
    return {
        within: (await all(sql, subtreeQuery, { ids: [regionId] })).map((r) => r.id),
        places: audience.regionIds.length ? (await all(sql, subtreeQuery, { ids: audience.regionIds })).map((r) => r.id) : [],
        gridIds: audience.gridIds,
        anyPlace: audience.regionIds.length === 0 && audience.gridIds.length === 0 ? 1 : 0,
        pairedOnly: audience.pairedOnly ? 1 : 0,
    };
}
/** How many households a survey of `regionId` with `audience` goes to (what staff see before sending). */
export async function audienceSize(db, regionId, audience) {
    return Number((await first(sqlOf(db), audienceCountQuery, await audienceParams(db, regionId, audience)))?.households ?? 0);
}
/** One response row per household of the batch, with its liaison and whether a member can be asked. */
const insertResponsesQuery = defineQuery('survey_insert_responses', (db, p, dialect) => db
    .insertInto('SurveyResponse')
    .columns(['surveyId', 'householdId', 'regionId', 'liaisonId', 'asked', 'createdAt', 'updatedAt'])
    .expression((eb) => eb
    .selectFrom('Household as h')
    .leftJoin('Pairing as pr', 'pr.householdId', 'h.id')
    .select((s) => [
    s.val(p.surveyId).as('surveyId'),
    'h.id as householdId',
    'h.regionId',
    'pr.liaisonId',
    s
        .exists(s
        .selectFrom('Person as m')
        .innerJoin('ChannelIdentity as i', 'i.personId', 'm.id')
        .select('m.id')
        .whereRef('m.householdId', '=', 'h.id')
        .where('i.unreachableAt', 'is', null))
        .as('asked'),
    s.val(p.at).as('createdAt'),
    s.val(p.at).as('updatedAt'),
])
    .where(oneOf(dialect, 'h.id', p.householdIds)))
    .onConflict((oc) => oc.columns(['surveyId', 'householdId']).doNothing()));
/** The members of these households with a chat to be asked in. */
const reachableMembersQuery = defineQuery('survey_reachable_members', (db, p, dialect) => db
    .selectFrom('Person as m')
    .select('m.id')
    .where(oneOf(dialect, 'm.householdId', p.householdIds))
    .where((eb) => eb.exists(eb.selectFrom('ChannelIdentity as i').select('i.id').whereRef('i.personId', '=', 'm.id').where('i.unreachableAt', 'is', null)))
    .orderBy('m.id'));
const heartbeatQuery = defineQuery('survey_heartbeat', (db, p) => db.updateTable('Survey').set({ updatedAt: p.at }).where('id', '=', p.id));
const lastWrittenQuery = defineQuery('survey_last_written', (db, p) => db
    .selectFrom('SurveyResponse')
    .select((eb) => eb.fn.max('householdId').as('last'))
    .where('surveyId', '=', p.surveyId));
const markSentQuery = defineQuery('survey_mark_sent', (db, p) => db.updateTable('Survey').set({ status: 'sent', sentAt: p.at, updatedAt: p.at }).where('id', '=', p.id));
/** Sent surveys whose reminder is due. */
const remindDueQuery = defineQuery('survey_remind_due', (db, p) => db.selectFrom('Survey').select(['id', 'sentAt', 'remindAfterDays']).where('status', '=', 'sent').where('remindedAt', 'is', null).where('sentAt', '<=', p.now));
const claimRemindQuery = defineQuery('survey_claim_remind', (db, p) => db.updateTable('Survey').set({ remindedAt: p.at }).where('id', '=', p.id).where('remindedAt', 'is', null));
/** The next batch of households that were asked and have not finished. */
const unansweredBatchQuery = defineQuery('survey_unanswered_batch', (db, p) => db
    .selectFrom('SurveyResponse')
    .select(['id', 'householdId'])
    .where('surveyId', '=', p.surveyId)
    .where('status', '!=', 'complete')
    .where('asked', '=', true)
    .where('id', '>', p.after)
    .orderBy('id')
    .limit(p.limit));
const markRemindedQuery = defineQuery('survey_mark_reminded', (db, p, dialect) => db
    .updateTable('SurveyResponse')
    .set({ remindedAt: p.at })
    .where(oneOf(dialect, 'id', p.ids)));
/**
 * Lets waiting messages be answered between two batches: as long as the batch took (at
 * most 50 ms), so that a push holds the thread and the database's write lock about half
 * the time, and a message waits for one batch at most, not for a run of them.
 */
const breathe = (batchMs) => new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, batchMs))));
/** What a household's chat receives: the survey, with 开始填写 / 以后再说. */
function surveyPush(survey, template) {
    const count = JSON.parse(survey.questions).length;
    return {
        template: survey.kind === 'appraisal' && template === 'survey.ask' ? 'survey.ask_appraisal' : template,
        params: { title: survey.title, 'title@en': survey.titleEn, count },
        actions: [
            { label: 'survey.start', payload: `survey:${survey.id}:start`, means: 'yes' },
            { label: 'survey.later', payload: `survey:${survey.id}:later`, means: 'no' },
        ],
    };
}
/** Pushes survey `id` to every household of its audience not yet written; returns the households written. */
export async function pushSurvey(db, id, now) {
    const sql = sqlOf(db);
    const survey = await first(sql, surveyQuery, { id });
    if (!survey)
        return 0;
    const audience = await audienceParams(db, survey.regionId, survey.audience);
    const push = surveyPush(survey, 'survey.ask');
    let after = (await first(sql, lastWrittenQuery, { surveyId: id }))?.last ?? 0;
    let written = 0;
    for (;;) {
        const at = now();
        const started = performance.now();
        const batch = await sqlTransaction(db, async (tx) => {
            const ids = (await all(tx.sql, audienceBatchQuery, { ...audience, after, limit: PUSH_BATCH })).map((h) => h.id);
            if (!ids.length)
                return ids;
            await run(tx.sql, insertResponsesQuery, { surveyId: id, householdIds: ids, at });
            const members = (await all(tx.sql, reachableMembersQuery, { householdIds: ids })).map((m) => m.id);
            await enqueuePush(tx, members, push, at);
            await run(tx.sql, heartbeatQuery, { id, at });
            return ids;
        });
        if (!batch.length)
            break;
        written += batch.length;
        after = batch[batch.length - 1];
        await breathe(performance.now() - started);
    }
    await run(sql, markSentQuery, { id, at: now() });
    return written;
}
/** Reminds the households of survey `id` that were asked and have not finished; returns how many. */
async function remindSurvey(db, id, now) {
    const sql = sqlOf(db);
    const survey = await first(sql, surveyQuery, { id });
    if (!survey)
        return 0;
    const push = surveyPush(survey, 'survey.remind');
    let after = 0;
    let reminded = 0;
    for (;;) {
        const started = performance.now();
        const batch = await sqlTransaction(db, async (tx) => {
            const rows = await all(tx.sql, unansweredBatchQuery, { surveyId: id, after, limit: PUSH_BATCH });
            if (!rows.length)
                return rows;
            const members = (await all(tx.sql, reachableMembersQuery, { householdIds: rows.map((r) => r.householdId) })).map((m) => m.id);
            await enqueuePush(tx, members, push, now);
            await run(tx.sql, markRemindedQuery, { ids: rows.map((r) => r.id), at: now });
            return rows;
        });
        if (!batch.length)
            break;
        reminded += batch.length;
        after = batch[batch.length - 1].id;
        await breathe(performance.now() - started);
    }
    return reminded;
}
/** Sends the surveys whose time has come and the reminders due, to the end; returns the households written to. */
export async function sendDueSurveys(options) {
    const sql = sqlOf(options.db);
    const now = options.clock.now();
    let done = 0;
    for (const due of await all(sql, dueQuery, { now, stale: new Date(now.getTime() - STALE_SENDING_MS) })) {
        if (!(await run(sql, claimQuery, { id: due.id, status: due.status, seen: due.updatedAt, now })))
            continue;
        const written = await pushSurvey(options.db, due.id, () => options.clock.now());
        log.info({ survey: due.id, households: written }, 'survey sent');
        done += written;
    }
    for (const due of await all(sql, remindDueQuery, { now })) {
        if (!due.sentAt || due.sentAt.getTime() + due.remindAfterDays * DAY_MS > now.getTime())
            continue;
        if (!(await run(sql, claimRemindQuery, { id: due.id, at: now })))
            continue;
        const reminded = await remindSurvey(options.db, due.id, now);
        log.info({ survey: due.id, households: reminded }, 'survey reminders sent');
        done += reminded;
    }
    return done;
}
/**
 * The scheduler's survey duty. A county's push takes seconds: it runs beside the
 * scheduler's rounds, not inside one, so that timers fire and pings go out meanwhile;
 * one at a time per process. `stop` waits for the one in flight (before the database closes).
 */
export class SurveySender {
    options;
    #running;
    constructor(options) {
        this.options = options;
    }
    /** Starts sending what is due, unless a send is in flight; never waits for it. */
    duty = () => {
        this.#running ??= sendDueSurveys(this.options)
            .catch((error) => log.error({ err: error }, 'survey sending failed'))
            .finally(() => {
            this.#running = undefined;
        });
        return Promise.resolve();
    };
    async stop() {
        await this.#running;
    }
}
