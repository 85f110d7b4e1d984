/**
 * 公示: publishing a request on the public board, and taking it down. Staff do it from the
 * ticket's page (the demo history does it as a township's staff would); each time is an
 * audit event. The board shows the summary given here, scrubbed again when shown.
 */
import { type Db, sqlOf, type Tx } from '../db/client.js';
import { defineQuery, run } from '../db/sql.js';
import type { TicketAuditAction } from './event-kinds.js';

const publishQuery = defineQuery('publication_publish', (db, p: { ticketId: number; actorId: number; summary: string; at: Date }) =>
  db.updateTable('Ticket').set({ publishedAt: p.at, publishedById: p.actorId, publicSummary: p.summary }).where('id', '=', p.ticketId),
);

const unpublishQuery = defineQuery('publication_unpublish', (db, p: { ticketId: number }) =>
  db.updateTable('Ticket').set({ publishedAt: null, publishedById: null }).where('id', '=', p.ticketId),
);

const auditQuery = defineQuery('publication_audit', (db, p: { action: string; actorId: number; ticketId: number; data: string; at: Date }) =>
  db.insertInto('AuditEvent').values({ action: p.action, actorId: p.actorId, ticketId: p.ticketId, data: p.data, at: p.at }),
);

/** Publishes ticket `ticketId` with `summary`, as `actorId` at `at`. */
export async function publishTicket(db: Db | Tx, ticketId: number, actorId: number, summary: string, at: Date): Promise<void> {
  const sql = sqlOf(db);
  await run(sql, publishQuery, { ticketId, actorId, summary, at });
  await run(sql, auditQuery, { action: 'published' satisfies TicketAuditAction, actorId, ticketId, data: JSON.stringify({ summary }), at });
}

/** Takes ticket `ticketId` off the board, as `actorId` at `at`. */
export async function unpublishTicket(db: Db | Tx, ticketId: number, actorId: number, at: Date): Promise<void> {
  const sql = sqlOf(db);
  await run(sql, unpublishQuery, { ticketId });
  await run(sql, auditQuery, { action: 'unpublished' satisfies TicketAuditAction, actorId, ticketId, data: '{}', at });
}
