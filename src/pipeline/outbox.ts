/**
 * Writing pushes into the outbox: each goes to the chat its recipient used last; a
 * recipient with no chat yet gets it when they first bind one.
 */
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, run } from '../db/sql.js';
import type { MessageAction, MessageParams } from './model.js';

export interface Push {
  template: string;
  params: MessageParams;
  actions?: MessageAction[];
  /** Photos forwarded with it (channel handles). */
  media?: string[];
  ticketId?: number | null;
}

/** Each recipient's reachable chats, the most recently used first (a chat never used last). */
const reachableChatsQuery = defineQuery('outbox_reachable_chats', (db, p: { personIds: number[] }, dialect) =>
  db
    .selectFrom('ChannelIdentity')
    .select(['personId', 'channel', 'chatId'])
    .where(oneOf(dialect, 'personId', p.personIds))
    .where('unreachableAt', 'is', null)
    .orderBy('lastUsedAt', (order) => order.desc().nullsLast())
    .orderBy('id'),
);

const queuePushQuery = defineQuery(
  'outbox_queue_push',
  (
    db,
    p: { recipientId: number; channel: string | null; chatId: string | null; ticketId: number | null; template: string; params: string; actions: string; media: string; at: Date },
  ) =>
    db.insertInto('OutboxMessage').values({
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
    }),
);

/**
 * Queues `push` for every person in `recipients`, in the caller's transaction (a hot
 * path: every transition notifies someone), to each one's most recently used reachable chat.
 */
export async function enqueuePush(tx: Tx | SqlTx, recipients: number[], push: Push, now: Date): Promise<void> {
  if (!recipients.length) return;
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

const markDeliveredQuery = defineQuery('outbox_mark_delivered', (db, p: { id: number; workerId: string; at: Date }) =>
  db
    .updateTable('OutboxMessage')
    .set((eb) => ({ sentAt: p.at, claimedUntil: null, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', p.id)
    .where('claimedBy', '=', p.workerId)
    .where('sentAt', 'is', null),
);

/**
 * Marks an outbox row sent by the worker holding its claim (only the claim holder
 * settles a row, so a lease taken over is never sent twice). One statement: every push
 * ends here (on SQLite it joins the open group's commit).
 */
export async function markDelivered(db: Db, id: number, workerId: string, at: Date): Promise<void> {
  await run(sqlOf(db), markDeliveredQuery, { id, workerId, at });
}

/**
 * The messages waiting for `personId` to have a reachable chat (none had one when they
 * were queued) go to `chat` now. Whatever makes a person reachable calls this (their
 * message, a binding, a confirmed household claim): a turn looks for them only when its
 * identity was unreachable or its speaker's read found some (see the turn store's `arrived`).
 */
export async function adoptWaiting(tx: Tx | SqlTx, personId: number, chat: { channel: string; chatId: string }, now: Date): Promise<void> {
  await run(sqlOf(tx), adoptWaitingQuery, { personId, ...chat, now });
}

const adoptWaitingQuery = defineQuery('outbox_adopt_waiting', (db, p: { personId: number; channel: string; chatId: string; now: Date }) =>
  db
    .updateTable('OutboxMessage')
    .set({ channel: p.channel, chatId: p.chatId, availableAt: p.now })
    .where('recipientId', '=', p.personId)
    .where('channel', 'is', null)
    .where('sentAt', 'is', null)
    .where('failedAt', 'is', null),
);
