import { sqlOf } from '../db/client.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { localDateOf } from '../pipeline/calendar.js';
const openQuery = defineQuery('meeting_open_assignments', (db, p) => db
    .selectFrom('MeetingDecision')
    .select(['id', 'text', 'deadline'])
    .where('kind', '=', 'assignment')
    .where('doneAt', 'is', null)
    .where('ownerPersonId', '=', p.personId)
    .where((eb) => eb.or([eb(eb.val(p.decisionId), '=', eb.lit(0)), eb('id', '=', p.decisionId)]))
    .orderBy('deadline')
    .orderBy('id')
    .limit(20));
const doneQuery = defineQuery('meeting_assignment_done', (db, p) => db.updateTable('MeetingDecision').set({ doneAt: p.at, doneById: p.personId }).where('id', '=', p.id).where('ownerPersonId', '=', p.personId).where('doneAt', 'is', null));
const auditQuery = defineQuery('meeting_chat_audit', (db, p) => db.insertInto('AuditEvent').values({ action: 'meeting_assignment_done', actorId: p.actorId, data: p.data, at: p.at }));
/** The assignments' chat effects for `speakerId`, in the turn's transaction. */
export function assignmentEffects({ tx, speakerId, now, notFound }) {
    const sql = sqlOf(tx);
    const today = localDateOf(now);
    return {
        async open() {
            const rows = await all(sql, openQuery, { personId: speakerId, decisionId: 0 });
            return rows.map((r) => ({ id: r.id, text: r.text, deadline: r.deadline ?? '', late: r.deadline !== null && today > r.deadline }));
        },
        async markDone(decisionId) {
            const row = await first(sql, openQuery, { personId: speakerId, decisionId });
            if (!row || !(await run(sql, doneQuery, { id: decisionId, personId: speakerId, at: now })))
                return { ok: false, text: notFound() };
            await run(sql, auditQuery, { actorId: speakerId, data: JSON.stringify({ decisionId, from: 'chat' }), at: now });
            return { ok: true, text: row.text };
        },
    };
}
