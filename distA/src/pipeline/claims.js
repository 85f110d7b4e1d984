import { sqlTransaction } from '../db/client.js';
import { oneOf, transactionsOverlap } from '../db/dialect.js';
import { all, defineQuery, run } from '../db/sql.js';
/** The due rows of a claim, locked where transactions overlap: other workers skip them. */
function claimLock(dialect, query) {
    return transactionsOverlap(dialect) ? query.forUpdate().skipLocked() : query;
}
const dueTimersQuery = defineQuery('claim_due_timers', (db, p, dialect) => claimLock(dialect, db
    .selectFrom('Timer')
    .select('id')
    .where('firedAt', 'is', null)
    .where('dueAt', '<=', p.now)
    .where((eb) => eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', p.now)]))
    .orderBy('dueAt')
    .orderBy('id')
    .limit(p.batch)));
/** The unsent rows of outbox row `m`'s chat that come before it, as `e`: what `m` waits behind (a chat's messages go out in order). */
function earlierUnsentOfChat(eb) {
    return eb
        .selectFrom('OutboxMessage as e')
        .select('e.id')
        .whereRef('e.channel', '=', 'm.channel')
        .whereRef('e.chatId', '=', 'm.chatId')
        .whereRef('e.id', '<', 'm.id')
        .where('e.sentAt', 'is', null)
        .where('e.failedAt', 'is', null);
}
/** The outbox claim for targets of one shape (whole channels or single chats, in order), compiled once per shape. */
const dueOutboxQueries = new Map();
function dueOutboxQuery(targets) {
    const shape = targets.map((t) => (t.chatId === undefined ? 'channel' : 'chat')).join(',');
    let query = dueOutboxQueries.get(shape);
    if (query)
        return query;
    query = defineQuery(`claim_due_outbox_${dueOutboxQueries.size + 1}`, (db, p, dialect) => claimLock(dialect, db
        .selectFrom('OutboxMessage as m')
        .select('m.id')
        .where('m.sentAt', 'is', null)
        .where('m.failedAt', 'is', null)
        .where('m.availableAt', '<=', p.now)
        .where((eb) => eb.or([eb('m.claimedUntil', 'is', null), eb('m.claimedUntil', '<', p.now)]))
        .where((eb) => eb.or(targets.map((t, i) => t.chatId === undefined
        ? eb('m.channel', '=', p[`channel${i}`])
        : eb.and([eb('m.channel', '=', p[`channel${i}`]), eb('m.chatId', '=', p[`chatId${i}`])]))))
        .where((eb) => eb.not(eb.exists(earlierUnsentOfChat(eb).where((inner) => inner.or([inner('e.availableAt', '>', p.now), inner('e.claimedUntil', '>=', p.now)])))))
        .orderBy('m.id')
        .limit(p.batch)));
    dueOutboxQueries.set(shape, query);
    return query;
}
/**
 * Of the rows just claimed, those with an earlier unsent row of their chat outside the
 * claim. SKIP LOCKED passes over a row another worker is claiming right now, which the
 * order check cannot see yet: such a row waits for a later round.
 */
const behindOthersQuery = defineQuery('claim_behind_others', (db, p, dialect) => db
    .selectFrom('OutboxMessage as m')
    .select('m.id')
    .where(oneOf(dialect, 'm.id', p.ids))
    .where((eb) => eb.exists(earlierUnsentOfChat(eb).where((inner) => inner.not(oneOf(dialect, 'e.id', p.ids))))));
const markClaimedQueries = {
    Timer: defineQuery('claim_mark_timers', (db, p, dialect) => db
        .updateTable('Timer')
        .set({ claimedBy: p.workerId, claimedUntil: p.until })
        .where(oneOf(dialect, 'id', p.ids))),
    OutboxMessage: defineQuery('claim_mark_outbox', (db, p, dialect) => db
        .updateTable('OutboxMessage')
        .set({ claimedBy: p.workerId, claimedUntil: p.until })
        .where(oneOf(dialect, 'id', p.ids))),
};
async function claimIn(sql, table, request) {
    const { now, batch } = request;
    let ids;
    if (table === 'Timer') {
        ids = (await all(sql, dueTimersQuery, { now, batch })).map((r) => r.id);
    }
    else {
        const targets = request.targets ?? [];
        if (!targets.length)
            return [];
        const params = { now, batch };
        targets.forEach((t, i) => {
            params[`channel${i}`] = t.channel;
            if (t.chatId !== undefined)
                params[`chatId${i}`] = t.chatId;
        });
        ids = (await all(sql, dueOutboxQuery(targets), params)).map((r) => r.id);
        if (ids.length && transactionsOverlap(sql.dialect)) {
            const wait = new Set((await all(sql, behindOthersQuery, { ids })).map((r) => r.id));
            ids = ids.filter((id) => !wait.has(id));
        }
    }
    if (ids.length)
        await run(sql, markClaimedQueries[table], { ids, workerId: request.workerId, until: request.until });
    return ids;
}
/** Claims up to `batch` due rows of `table` for the worker, in one transaction; returns their ids. */
export function claimDue(db, table, request) {
    return sqlTransaction(db, (tx) => claimIn(tx.sql, table, request));
}
