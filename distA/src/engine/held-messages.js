/**
 * Messages held back while their sender was over the flood limit. Nothing a villager
 * sends is lost: such a message is not recorded as seen (a re-delivery would still be
 * processed) but kept whole here, and the engine processes it once the sender's minute
 * allows (Engine.releaseHeld, run by the scheduler's rounds).
 */
import { sqlOf } from '../db/client.js';
import { isUniqueViolation } from '../db/dialect.js';
import { all, defineQuery, first, run } from '../db/sql.js';
const heldIdQuery = defineQuery('held_id', (db, p) => db.selectFrom('HeldMessage').select('id').where('channel', '=', p.channel).where('chatId', '=', p.chatId).where('messageId', '=', p.messageId));
const moveReleaseQuery = defineQuery('held_move_release', (db, p) => db.updateTable('HeldMessage').set({ releaseAt: p.releaseAt }).where('id', '=', p.id));
const holdQuery = defineQuery('held_hold', (db, p) => db.insertInto('HeldMessage').values({ channel: p.channel, chatId: p.chatId, messageId: p.messageId, inbound: p.inbound, heldAt: p.heldAt, releaseAt: p.releaseAt }));
const dueQuery = defineQuery('held_due', (db, p) => db.selectFrom('HeldMessage').select(['id', 'inbound']).where('releaseAt', '<=', p.now).orderBy('id').limit(p.limit));
const forgetQuery = defineQuery('held_forget', (db, p) => db.deleteFrom('HeldMessage').where('channel', '=', p.channel).where('chatId', '=', p.chatId).where('messageId', '=', p.messageId));
function keyOf(inbound) {
    return { channel: inbound.channel, chatId: inbound.chatId, messageId: inbound.messageId };
}
/**
 * Holds `inbound` until `releaseAt`. Returns false when it was held already (a
 * re-delivery of a held message), in which case only its release time moves.
 */
export async function holdMessage(tx, inbound, releaseAt, now) {
    const sql = sqlOf(tx);
    const key = keyOf(inbound);
    const existing = await first(sql, heldIdQuery, key);
    if (existing) {
        await run(sql, moveReleaseQuery, { id: existing.id, releaseAt });
        return false;
    }
    try {
        await run(sql, holdQuery, { ...key, inbound: JSON.stringify(inbound), heldAt: now, releaseAt });
        return true;
    }
    catch (error) {
        if (isUniqueViolation(error))
            return false;
        throw error;
    }
}
/** Whether this message is held already (a platform re-delivering it). */
export async function isHeld(tx, inbound) {
    return (await first(sqlOf(tx), heldIdQuery, keyOf(inbound))) !== undefined;
}
/** Held messages whose time has come, oldest first. */
export async function dueHeld(db, now, limit) {
    const rows = await all(sqlOf(db), dueQuery, { now, limit });
    return rows.map((r) => ({ id: r.id, inbound: JSON.parse(r.inbound) }));
}
/** The held copy of a message goes: processed now (in the turn's transaction), or seen before. */
export async function forgetHeld(tx, inbound) {
    await run(sqlOf(tx), forgetQuery, keyOf(inbound));
}
