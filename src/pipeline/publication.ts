/**
 * 公示: publishing a request on the public board, and taking it down. Staff do it from the
 * ticket's page (the demo history does it as a township's staff would); each time is an
 * audit event. The board shows the summary given here, scrubbed again when shown.
 */
import type { Db, Tx } from '../db/client.js';

/** Publishes ticket `ticketId` with `summary`, as `actorId` at `at`. */
export async function publishTicket(db: Db | Tx, ticketId: number, actorId: number, summary: string, at: Date): Promise<void> {
  await db.ticket.update({ where: { id: ticketId }, data: { publishedAt: at, publishedById: actorId, publicSummary: summary } });
  await db.auditEvent.create({ data: { action: 'published', actorId, ticketId, data: JSON.stringify({ summary }), at } });
}

/** Takes ticket `ticketId` off the board, as `actorId` at `at`. */
export async function unpublishTicket(db: Db | Tx, ticketId: number, actorId: number, at: Date): Promise<void> {
  await db.ticket.update({ where: { id: ticketId }, data: { publishedAt: null, publishedById: null } });
  await db.auditEvent.create({ data: { action: 'unpublished', actorId, ticketId, at } });
}
