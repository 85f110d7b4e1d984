/**
 * Writing pushes into the outbox: each goes to the chat its recipient used last; a
 * recipient with no chat yet gets it when they first bind one.
 */
import { type Db, sqliteHandleOf, type Tx } from '../db/client.js';
import { type SqliteHandle, sqliteDate } from '../db/sqlite-adapter.js';
import type { MessageAction, MessageParams } from './model.js';

export interface Push {
  template: string;
  params: MessageParams;
  actions?: MessageAction[];
  /** Photos forwarded with it (channel handles). */
  media?: string[];
  ticketId?: number | null;
}

/** Queues `push` for every person in `recipients`, in the caller's transaction. */
export async function enqueuePush(tx: Tx, recipients: number[], push: Push, now: Date): Promise<void> {
  if (!recipients.length) return;
  const sql = sqliteHandleOf(tx as Parameters<typeof sqliteHandleOf>[0]);
  if (sql) return sql.outside(() => enqueueSqlite(sql, recipients, push, now));
  const identities = await tx.channelIdentity.findMany({
    where: { personId: { in: recipients }, unreachableAt: null },
    orderBy: { lastUsedAt: 'desc' },
  });
  const target = (personId: number) => identities.find((i) => i.personId === personId);
  await tx.outboxMessage.createMany({
    data: recipients.map((recipientId) => ({
      recipientId,
      channel: target(recipientId)?.channel ?? null,
      chatId: target(recipientId)?.chatId ?? null,
      ticketId: push.ticketId ?? null,
      template: push.template,
      params: JSON.stringify(push.params),
      actions: JSON.stringify(push.actions ?? []),
      media: JSON.stringify(push.media ?? []),
      createdAt: now,
      availableAt: now,
    })),
  });
}

/**
 * The same with plain statements on SQLite (a hot path: every transition notifies
 * someone). The most recently used reachable chat of each recipient, as above.
 */
function enqueueSqlite(sql: SqliteHandle, recipients: number[], push: Push, now: Date): void {
  const identities = sql.all<{ personId: number; channel: string; chatId: string }>(
    `SELECT "personId", "channel", "chatId" FROM "ChannelIdentity"
     WHERE "personId" IN (SELECT value FROM json_each(?)) AND "unreachableAt" IS NULL ORDER BY "lastUsedAt" DESC, "id"`,
    JSON.stringify(recipients),
  );
  const at = sqliteDate(now);
  for (const recipientId of recipients) {
    const target = identities.find((i) => i.personId === recipientId);
    sql.run(
      `INSERT INTO "OutboxMessage" ("recipientId", "channel", "chatId", "ticketId", "template", "params", "actions", "media", "createdAt", "availableAt", "attempts")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      recipientId,
      target?.channel ?? null,
      target?.chatId ?? null,
      push.ticketId ?? null,
      push.template,
      JSON.stringify(push.params),
      JSON.stringify(push.actions ?? []),
      JSON.stringify(push.media ?? []),
      at,
      at,
    );
  }
}

/**
 * Marks an outbox row sent by the worker holding its claim (only the claim holder
 * settles a row, so a lease taken over is never sent twice). One plain statement on
 * SQLite: every push ends here.
 */
export async function markDelivered(db: Db, id: number, workerId: string, at: Date): Promise<void> {
  const sql = sqliteHandleOf(db);
  if (sql) {
    await sql.write(
      `UPDATE "OutboxMessage" SET "sentAt" = ?, "claimedUntil" = NULL, "attempts" = "attempts" + 1 WHERE "id" = ? AND "claimedBy" = ? AND "sentAt" IS NULL`,
      sqliteDate(at),
      id,
      workerId,
    );
    return;
  }
  await db.outboxMessage.updateMany({ where: { id, claimedBy: workerId, sentAt: null }, data: { sentAt: at, claimedUntil: null, attempts: { increment: 1 } } });
}

/**
 * The messages waiting for `personId` to have a reachable chat (none had one when they
 * were queued) go to `chat` now. Whatever makes a person reachable calls this (their
 * message, a binding, a confirmed household claim): on SQLite a turn looks for waiting
 * messages only when its identity was unreachable (see the turn store's `arrived`).
 */
export async function adoptWaiting(tx: Tx, personId: number, chat: { channel: string; chatId: string }, now: Date): Promise<void> {
  await tx.outboxMessage.updateMany({
    where: { recipientId: personId, channel: null, sentAt: null, failedAt: null },
    data: { channel: chat.channel, chatId: chat.chatId, availableAt: now },
  });
}
