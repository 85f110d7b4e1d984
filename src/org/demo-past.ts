/**
 * The demo's past: the pushes its seeding queues (receipts, pings, notices to staff) count
 * as delivered when they were written, so that none waits for a chat nobody has and none
 * reaches a demo resident who binds a chat later.
 */
import { type Db, sqlOf } from '../db/client.js';
import { defineQuery, run } from '../db/sql.js';

/** The outbox's last id now: what is queued after it belongs to the past being seeded. */
export async function outboxMark(db: Db): Promise<number> {
  return (await db.outboxMessage.aggregate({ _max: { id: true } }))._max.id ?? 0;
}

const deliveredAsWrittenQuery = defineQuery('demo_delivered_as_written', (db, p: { mark: number }) =>
  db
    .updateTable('OutboxMessage')
    .set((eb) => ({ sentAt: eb.ref('createdAt') }))
    .where('id', '>', p.mark)
    .where('sentAt', 'is', null)
    .where('failedAt', 'is', null),
);

/** Marks the pushes queued after `mark` delivered when they were written; resolves with how many. */
export function deliveredAsWritten(db: Db, mark: number): Promise<number> {
  return run(sqlOf(db), deliveredAsWrittenQuery, { mark });
}
