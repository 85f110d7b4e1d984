/**
 * Writing pushes into the outbox: each goes to the chat its recipient used last; a
 * recipient with no chat yet gets it when they first bind one.
 */
import { sqlOf } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, run } from '../db/sql.js';
/** Each recipient's reachable chats, the most recently used first (a chat never used last). */
const reachableChatsQuery = defineQuery('outbox_reachable_chats', (db, p, dialect) => db
    .selectFrom('ChannelIdentity')
    .select(['personId', 'channel', 'chatId'])
    .where(oneOf(dialect, 'personId', p.personIds))
    .where('unreachableAt', 'is', null)
    .orderBy('lastUsedAt', (order) => order.desc().nullsLast())
    .orderBy('id'));
const queuePushQuery = defineQuery('outbox_queue_push', (db, p) => db.insertInto('OutboxMessage').values({
    recipientId: p.recipientId,
    channel: p.channel,
    chatId: p.chatId,
    ticketId: p.ticketId,
    template: p.template,
    params: p.params,
    actions: p.actions,
    media: p.media,
    createdAt: p.at,
    availableAt: p.at,
    attempts: 0,
}));
/**
 * Queues `push` for every person in `recipients`, in the caller's transaction (a hot
 * path: every transition notifies someone), to each one's most recently used reachable chat.
 */
export async function enqueuePush(tx, recipients, push, now) {
    if (!recipients.length)
        return;
    const sql = sqlOf(tx);
    const identities = await all(sql, reachableChatsQuery, { personIds: recipients });
    const common = {
        ticketId: push.ticketId ?? null,
        template: push.template,
        params: JSON.stringify(push.params),
        actions: JSON.stringify(push.actions ?? []),
        media: JSON.stringify(push.media ?? []),
        at: now,
    };
    for (const recipientId of recipients) {
        const target = identities.find((i) => i.personId === recipientId);
        await run(sql, queuePushQuery, { ...common, recipientId, channel: target?.channel ?? null, chatId: target?.chatId ?? null });
    }
}
const markDeliveredQuery = defineQuery('outbox_mark_delivered', (db, p) => db
    .updateTable('OutboxMessage')
    .set((eb) => ({ sentAt: p.at, claimedUntil: null, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', p.id)
    .where('claimedBy', '=', p.workerId)
    .where('sentAt', 'is', null));
/**
 * Marks an outbox row sent by the worker holding its claim (only the claim holder
 * settles a row, so a lease taken over is never sent twice). One statement: every push
 * ends here (on SQLite it joins the open group's commit).
 */
export async function markDelivered(db, id, workerId, at) {
    await run(sqlOf(db), markDeliveredQuery, { id, workerId, at });
}
/**
 * The messages waiting for `personId` to have a reachable chat (none had one when they
 * were queued) go to `chat` now. Whatever makes a person reachable calls this (their
 * message, a binding, a confirmed household claim): on SQLite a turn looks for waiting
 * messages only when its identity was unreachable (see the turn store's `arrived`).
 */
export async function adoptWaiting(tx, personId, chat, now) {
    await run(sqlOf(tx), adoptWaitingQuery, { personId, ...chat, now });
}
const adoptWaitingQuery = defineQuery('outbox_adopt_waiting', (db, p) => db
    .updateTable('OutboxMessage')
    .set({ channel: p.channel, chatId: p.chatId, availableAt: p.now })
    .where('recipientId', '=', p.personId)
    .where('channel', 'is', null)
    .where('sentAt', 'is', null)
    .where('failedAt', 'is', null));
