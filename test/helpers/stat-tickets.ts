/**
 * Tickets written straight into the database with their statistics columns set as the
 * pipeline leaves them (src/stats/metrics.ts), for tests of what reads the statistics
 * (the ranking): a hand-built month in a few lines, its figures known exactly. The
 * pipeline's own way to those columns is tested in test/integration/stats.test.ts.
 */
import type { Db } from '../../src/db/client.js';

/** What a ticket counts in; the rest is left unset. */
export interface StatTicket {
  regionId: number;
  /** Received at 10:00 Beijing time on this day (YYYY-MM-DD). */
  day: string;
  state: string;
  residentId: number;
  handlingRegionId: number;
  assigneeId?: number;
  departmentId?: number;
  acceptedOnTime?: boolean;
  resolvedOnTime?: boolean;
  rating?: string;
  solved?: boolean;
  returnCount?: number;
  reopenCount?: number;
}

let counter = 0;

/** Writes one ticket (category `power`, which every test county has). */
export async function insertStatTicket(db: Db, t: StatTicket): Promise<void> {
  const at = new Date(`${t.day}T10:00:00+08:00`);
  await db.ticket.create({
    data: {
      number: `ST-2026-${++counter}`,
      state: t.state,
      kind: 'request',
      categoryCode: 'power',
      handlingClass: 'promised',
      summary: '路灯坏了',
      description: '路灯坏了',
      residentId: t.residentId,
      regionId: t.regionId,
      handlingRegionId: t.handlingRegionId,
      level: 'village',
      assigneeId: t.assigneeId ?? null,
      assigneeDepartmentId: t.departmentId ?? null,
      acceptMinutes: t.acceptedOnTime === undefined ? null : 30,
      acceptedOnTime: t.acceptedOnTime ?? null,
      resolveMinutes: t.resolvedOnTime === undefined ? null : 600,
      resolvedOnTime: t.resolvedOnTime ?? null,
      callbackRating: t.rating ?? null,
      callbackSolved: t.solved ?? null,
      returnCount: t.returnCount ?? 0,
      reopenCount: t.reopenCount ?? 0,
      createdAt: at,
      updatedAt: at,
    },
  });
}
