/** Firing the timers a worker claimed (src/pipeline/claims.ts): each one a transition of its ticket. */
import { sqlOf } from '../db/client.js';
import { defineQuery, first, run } from '../db/sql.js';
import { withSqlRetry } from './service.js';
const claimedTimerQuery = defineQuery('timers_claimed', (db, p) => db
    .selectFrom('Timer as t')
    .innerJoin('Ticket as k', 'k.id', 't.ticketId')
    .select(['t.kind as kind', 't.dueAt as dueAt', 't.firedAt as firedAt', 't.claimedBy as claimedBy', 'k.number as number'])
    .where('t.id', '=', p.id));
const markFiredQuery = defineQuery('timers_mark_fired', (db, p) => db.updateTable('Timer').set({ firedAt: p.now, claimedUntil: null }).where('id', '=', p.id));
/**
 * Fires the timers `ids` that `workerId` claimed at `now`, each in its own transaction
 * with its ticket's transition; returns how many fired.
 */
export async function fireClaimedTimers(db, pipeline, workerId, ids, now) {
    let fired = 0;
    for (const id of ids) {
        const done = await withSqlRetry(db, async (tx) => {
            const sql = sqlOf(tx);
            const timer = await first(sql, claimedTimerQuery, { id });
            // Re-armed, cancelled or taken over since the claim: not ours to fire any more.
            if (!timer || timer.firedAt || timer.claimedBy !== workerId || timer.dueAt > now)
                return false;
            await run(sql, markFiredQuery, { id, now });
            await pipeline.executeIn(tx, timer.number, { type: 'timer', kind: timer.kind }, { kind: 'system' });
            return true;
        });
        if (done)
            fired++;
    }
    return fired;
}
