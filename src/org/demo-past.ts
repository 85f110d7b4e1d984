/**
 * The demo's past: the pushes its seeding queues (receipts, pings, notices to staff) count
 * as delivered when they were written, so that none waits for a chat nobody has and none
 * reaches a demo resident who binds a chat later.
 */
import type { Db } from '../db/client.js';

/** The outbox's last id now: what is queued after it belongs to the past being seeded. */
export async function outboxMark(db: Db): Promise<number> {
  return (await db.outboxMessage.aggregate({ _max: { id: true } }))._max.id ?? 0;
}

/** Marks the pushes queued after `mark` delivered when they were written; resolves with how many. */
export function deliveredAsWritten(db: Db, mark: number): Promise<number> {
  return db.$executeRaw`UPDATE "OutboxMessage" SET "sentAt" = "createdAt" WHERE "id" > ${mark} AND "sentAt" IS NULL AND "failedAt" IS NULL`;
}
