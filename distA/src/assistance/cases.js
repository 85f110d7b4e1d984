/**
 * The store of 帮扶 assistance cases and households' difficulty records: every read and
 * write once, in Kysely, for SQLite and PostgreSQL. A step is the machine's
 * (./machine.ts) result written with the state it was taken in as a condition, so that
 * two staff acting at once cannot both move a case; each step is an AssistanceEvent.
 * An urgent case (急事急办) tells its township's dispatchers through the outbox at once.
 */
import { sqlOf, sqlTransaction } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, first, one, run } from '../db/sql.js';
import { enqueuePush } from '../pipeline/outbox.js';
import { maskName } from '../privacy.js';
import { assistanceTransition, HARDSHIP_KINDS, reportCase, } from './machine.js';
/** An assistance action refused; the message says why, Chinese then English. */
export class AssistanceRefused extends Error {
    name = 'AssistanceRefused';
}
const NEED_MAX = 500;
const caseColumns = [
    'c.id',
    'c.householdId',
    'h.code as householdCode',
    'h.headName',
    'c.regionId',
    'v.name as village',
    'v.parentId as townshipId',
    'c.need',
    'c.urgent',
    'c.state',
    'c.dueAt',
    'c.reportedById',
    'c.reportedAt',
    'c.helper',
    'c.aid',
    'c.amount',
    'c.deliverBy',
    'c.noticeFrom',
    'c.noticeUntil',
    'c.deliveredAt',
    'c.closedAt',
];
const caseByIdQuery = defineQuery('assistance_case_by_id', (db, p) => db
    .selectFrom('AssistanceCase as c')
    .innerJoin('Household as h', 'h.id', 'c.householdId')
    .innerJoin('Region as v', 'v.id', 'c.regionId')
    .select(caseColumns)
    .where('c.id', '=', p.id));
/** The cases of some villages, open ones first by due time, then the latest closed. */
const casesInQuery = defineQuery('assistance_cases_in', (db, p, dialect) => db
    .selectFrom('AssistanceCase as c')
    .innerJoin('Household as h', 'h.id', 'c.householdId')
    .innerJoin('Region as v', 'v.id', 'c.regionId')
    .select(caseColumns)
    .where(oneOf(dialect, 'c.regionId', p.regionIds))
    .orderBy((eb) => eb.case().when('c.dueAt', 'is', null).then(1).else(0).end())
    .orderBy('c.dueAt')
    .orderBy('c.id', 'desc')
    .limit(p.limit));
/** The cases of some villages the township approved (the 五公开 is public from then), the latest approved first. */
const approvedInQuery = defineQuery('assistance_approved_in', (db, p, dialect) => db
    .selectFrom('AssistanceCase as c')
    .innerJoin('Household as h', 'h.id', 'c.householdId')
    .innerJoin('Region as v', 'v.id', 'c.regionId')
    .select(caseColumns)
    .where(oneOf(dialect, 'c.regionId', p.regionIds))
    .where('c.noticeFrom', 'is not', null)
    .where('c.state', 'in', ['notice', 'delivered', 'closed'])
    .orderBy('c.noticeFrom', 'desc')
    .orderBy('c.id', 'desc')
    .limit(p.limit));
const eventsQuery = defineQuery('assistance_events', (db, p) => db
    .selectFrom('AssistanceEvent as e')
    .innerJoin('Person as p', 'p.id', 'e.actorId')
    .select(['e.action', 'p.name as actor', 'e.note', 'e.at'])
    .where('e.caseId', '=', p.caseId)
    .orderBy('e.at')
    .orderBy('e.id'));
const householdQuery = defineQuery('assistance_household', (db, p) => db
    .selectFrom('Household as h')
    .innerJoin('Region as v', 'v.id', 'h.regionId')
    .select(['h.id', 'h.code', 'h.headName', 'h.regionId', 'v.parentId as townshipId'])
    .where('h.id', '=', p.id));
const insertCaseQuery = defineQuery('assistance_insert_case', (db, p) => db
    .insertInto('AssistanceCase')
    .values({ householdId: p.householdId, regionId: p.regionId, need: p.need, urgent: p.urgent, state: p.state, dueAt: p.dueAt, reportedById: p.reportedById, reportedAt: p.at })
    .returning('id'));
const insertEventQuery = defineQuery('assistance_insert_event', (db, p) => db.insertInto('AssistanceEvent').values({ caseId: p.caseId, action: p.action, actorId: p.actorId, note: p.note, at: p.at }));
const updateCaseQuery = defineQuery('assistance_update_case', (db, p) => db
    .updateTable('AssistanceCase')
    .set({
    state: p.state,
    dueAt: p.dueAt,
    helper: p.helper,
    aid: p.aid,
    amount: p.amount,
    deliverBy: p.deliverBy,
    noticeFrom: p.noticeFrom,
    noticeUntil: p.noticeUntil,
    deliveredAt: p.deliveredAt,
    closedAt: p.closedAt,
})
    .where('id', '=', p.id)
    .where('state', '=', p.from));
const dispatchersQuery = defineQuery('assistance_township_dispatchers', (db, p) => db.selectFrom('PersonRole').select('personId').distinct().where('role', '=', 'dispatcher').where('regionId', '=', p.regionId).orderBy('personId'));
function asRow(row) {
    return { ...row, state: row.state, urgent: Boolean(row.urgent) };
}
/** One case, or undefined. */
export async function loadAssistanceCase(client, id) {
    const row = await first(sqlOf(client), caseByIdQuery, { id });
    return row && asRow(row);
}
/** The cases of the villages `regionIds` (at most `limit`), open ones first, the soonest due first. */
export async function listAssistanceCases(db, regionIds, limit = 500) {
    if (!regionIds.length)
        return [];
    return (await all(sqlOf(db), casesInQuery, { regionIds, limit })).map(asRow);
}
/** The approved cases of the villages `regionIds` (at most `limit`), the latest approved first. */
export async function approvedAssistanceCases(db, regionIds, limit) {
    if (!regionIds.length)
        return [];
    return (await all(sqlOf(db), approvedInQuery, { regionIds, limit })).map(asRow);
}
/** A case's trail, oldest first. */
export async function assistanceEvents(db, caseId) {
    return (await all(sqlOf(db), eventsQuery, { caseId })).map((e) => ({ ...e, action: e.action }));
}
/**
 * Opens a case for a household (the caller has checked the reporter may: staff in scope,
 * or the household's liaison or grid leader), in the caller's transaction; an urgent one
 * is pushed to the township's dispatchers at once. Returns the case's id.
 */
export async function reportAssistance(tx, report, reporterId, rules, now) {
    const need = report.need.trim();
    if (!need)
        throw new AssistanceRefused('请说明需要什么帮扶。 Say what help is needed.');
    if (need.length > NEED_MAX)
        throw new AssistanceRefused(`帮扶需求过长（最多 ${NEED_MAX} 字）。 The need is too long.`);
    const sql = sqlOf(tx);
    const household = await first(sql, householdQuery, { id: report.householdId });
    if (!household)
        throw new AssistanceRefused('没有这一户。 There is no such household.');
    const snapshot = reportCase(report.urgent, rules, now);
    const { id } = await one(sql, insertCaseQuery, {
        householdId: household.id,
        regionId: household.regionId,
        need,
        urgent: report.urgent,
        state: snapshot.state,
        dueAt: snapshot.dueAt,
        reportedById: reporterId,
        at: now,
    });
    await run(sql, insertEventQuery, { caseId: id, action: 'report', actorId: reporterId, note: need, at: now });
    if (report.urgent && household.townshipId !== null) {
        const dispatchers = (await all(sql, dispatchersQuery, { regionId: household.townshipId })).map((d) => d.personId);
        await enqueuePush(tx, dispatchers, { template: 'assistance.urgent', params: { id, household: household.code } }, now);
    }
    return id;
}
const onNoticeQuery = defineQuery('assistance_on_notice', (db, p) => db
    .selectFrom('AssistanceCase as c')
    .innerJoin('Household as h', 'h.id', 'c.householdId')
    .innerJoin('Household as mine', 'mine.regionId', 'c.regionId')
    .innerJoin('Person as me', 'me.householdId', 'mine.id')
    .innerJoin('Region as v', 'v.id', 'c.regionId')
    .select(['c.id', 'h.headName', 'c.aid', 'c.amount', 'v.parentId as townshipId'])
    .where('me.id', '=', p.personId)
    .where('c.state', '=', 'notice')
    .where('c.noticeUntil', '>', p.at)
    .orderBy('c.id'));
/** The cases on notice in the village of the person's household (公示: its residents may object). */
async function casesOnNotice(tx, personId, now) {
    return all(sqlOf(tx), onNoticeQuery, { personId, at: now });
}
/** The cases on notice the person may object to, names masked. */
export async function noticesFor(tx, personId, now) {
    return (await casesOnNotice(tx, personId, now)).map((c) => ({ id: c.id, household: maskName(c.headName), aid: c.aid ?? '', amount: c.amount ?? '' }));
}
/** A resident's objection to a case on notice in their village: on its trail, and pushed to the township's dispatchers. False when the case is not one they may object to. */
export async function objectToAssistance(tx, caseId, text, personId, now) {
    const target = (await casesOnNotice(tx, personId, now)).find((c) => c.id === caseId);
    if (!target)
        return false;
    const note = text.trim();
    if (!note || note.length > NEED_MAX)
        throw new AssistanceRefused(`请用一条消息说明异议（最多 ${NEED_MAX} 字）。 Say the objection in one message.`);
    const sql = sqlOf(tx);
    await run(sql, insertEventQuery, { caseId, action: 'objection', actorId: personId, note, at: now });
    if (target.townshipId !== null) {
        const dispatchers = (await all(sql, dispatchersQuery, { regionId: target.townshipId })).map((d) => d.personId);
        await enqueuePush(tx, dispatchers, { template: 'assistance.objection', params: { id: caseId } }, now);
    }
    return true;
}
/** Applies a staff member's step to a case; refused steps throw {@link AssistanceRefused} and change nothing. */
export async function actOnAssistance(db, caseId, command, actorId, rules, now) {
    return sqlTransaction(db, async (tx) => {
        const current = await loadAssistanceCase(tx, caseId);
        if (!current)
            throw new AssistanceRefused('没有这个帮扶案件。 There is no such case.');
        const result = assistanceTransition(current, command, rules, now);
        if (!result.ok)
            throw new AssistanceRefused(result.refusal.message);
        const { next } = result;
        const changed = await run(tx.sql, updateCaseQuery, {
            id: caseId,
            from: current.state,
            state: next.state,
            dueAt: next.dueAt,
            helper: next.helper,
            aid: next.aid,
            amount: next.amount,
            deliverBy: next.deliverBy,
            noticeFrom: next.noticeFrom,
            noticeUntil: next.noticeUntil,
            deliveredAt: next.deliveredAt,
            closedAt: next.closedAt,
        });
        if (!changed)
            throw new AssistanceRefused('这个案件刚被别人办理过，请刷新页面。 Someone else just moved this case; reload the page.');
        await run(tx.sql, insertEventQuery, { caseId, action: result.action, actorId, note: result.note, at: now });
        return { ...current, ...next };
    });
}
const hardshipQuery = defineQuery('assistance_hardship', (db, p) => db.selectFrom('HardshipRecord').select(['kinds', 'members', 'notes', 'updatedAt']).where('householdId', '=', p.householdId));
const saveHardshipQuery = defineQuery('assistance_save_hardship', (db, p) => db
    .insertInto('HardshipRecord')
    .values({ householdId: p.householdId, kinds: p.kinds, members: p.members, notes: p.notes, updatedById: p.by, updatedAt: p.at })
    .onConflict((oc) => oc.column('householdId').doUpdateSet({ kinds: p.kinds, members: p.members, notes: p.notes, updatedById: p.by, updatedAt: p.at })));
const auditQuery = defineQuery('assistance_audit', (db, p) => db.insertInto('AuditEvent').values({ action: p.action, actorId: p.actorId, data: p.data, at: p.at }));
/** The kinds a stored record names (unknown ones dropped). */
export function kindsOf(text) {
    return text.split(',').filter((k) => HARDSHIP_KINDS.includes(k));
}
/** The household's difficulty record, or undefined (the caller has checked the reader may see it). */
export async function loadHardshipRecord(db, householdId) {
    const row = await first(sqlOf(db), hardshipQuery, { householdId });
    return row && { ...row, kinds: kindsOf(row.kinds) };
}
/** Writes a household's difficulty record, with an audit event (a sensitive record: who changed it is kept). */
export async function saveHardshipRecord(db, householdId, input, actorId, now) {
    const kinds = input.kinds.filter((k) => HARDSHIP_KINDS.includes(k));
    if (!kinds.length)
        throw new AssistanceRefused('请至少选择一种困难类型。 Choose at least one kind of difficulty.');
    const members = input.members.trim();
    const notes = input.notes.trim();
    if (members.length > NEED_MAX || notes.length > NEED_MAX)
        throw new AssistanceRefused(`内容过长（最多 ${NEED_MAX} 字）。 Too long.`);
    await sqlTransaction(db, async (tx) => {
        await run(tx.sql, saveHardshipQuery, { householdId, kinds: kinds.join(','), members, notes, by: actorId, at: now });
        // The record's content stays out of the audit trail: it is sensitive, and the record keeps it.
        await run(tx.sql, auditQuery, { action: 'hardship_record_saved', actorId, data: JSON.stringify({ householdId, kinds }), at: now });
    });
}
