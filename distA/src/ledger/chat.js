import { sqlOf } from '../db/client.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { normaliseText } from '../privacy.js';
import { localDateOf } from '../pipeline/calendar.js';
import { ledgerStatus } from './ledger.js';
const supervisedQuery = defineQuery('ledger_supervised', (db, p) => db
    .selectFrom('LedgerItem')
    .select(['id', 'goal', 'deadline', 'status'])
    .where('status', '=', 'open')
    .where('flaggedAt', 'is not', null)
    .where((eb) => eb.or([eb(eb.val(p.itemId), '=', eb.lit(0)), eb('id', '=', p.itemId)]))
    .where((eb) => eb.or([
    eb('ownerPersonId', '=', p.personId),
    eb('ownerDepartmentId', 'in', eb.selectFrom('PersonRole').select('departmentId').where('personId', '=', p.personId).where('role', '=', 'department_handler')),
]))
    .orderBy('deadline')
    .orderBy('id')
    .limit(20));
const addProgressQuery = defineQuery('ledger_add_progress', (db, p) => db.insertInto('LedgerProgress').values({ itemId: p.itemId, text: p.text, byId: p.byId, at: p.at }));
const touchQuery = defineQuery('ledger_touch', (db, p) => db.updateTable('LedgerItem').set({ updatedAt: p.at }).where('id', '=', p.itemId));
const auditQuery = defineQuery('ledger_chat_audit', (db, p) => db.insertInto('AuditEvent').values({ action: 'ledger_progress', actorId: p.actorId, data: p.data, at: p.at }));
/** The ledger's chat effects for `speakerId`, in the turn's transaction. */
export function ledgerEffects({ tx, speakerId, now, notFound }) {
    const sql = sqlOf(tx);
    const today = localDateOf(now);
    return {
        async supervised() {
            const rows = await all(sql, supervisedQuery, { personId: speakerId, itemId: 0 });
            return rows.map((r) => ({ id: r.id, goal: r.goal, deadline: r.deadline, late: ledgerStatus(r, today) === 'late' }));
        },
        async addProgress(itemId, text) {
            const item = await first(sql, supervisedQuery, { personId: speakerId, itemId });
            if (!item)
                return { ok: false, text: notFound() };
            // The flow took the text through refuseText: words, within MAX_TEXT, the console's limit too.
            const entry = normaliseText(text).replace(/\s+/g, ' ').trim();
            await run(sql, addProgressQuery, { itemId, text: entry, byId: speakerId, at: now });
            await run(sql, touchQuery, { itemId, at: now });
            await run(sql, auditQuery, { actorId: speakerId, data: JSON.stringify({ itemId, from: 'chat' }), at: now });
            return { ok: true, goal: item.goal };
        },
    };
}
