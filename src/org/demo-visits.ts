/**
 * The demo county's 民情日记: a liaison's visits to their paired households over the
 * demo history's months, and the households' answers, so that the visit log, coverage
 * and 签字率 show real figures on first start. Written in bulk (a year is ~5,000 rows);
 * the chat flows write the same rows one by one (src/visits/visits.ts).
 *
 * As practice has it (DOMAIN.md, practice-rules.md): each paired household visited about
 * monthly, some months missed; visits on working hours of the liaison's visiting days;
 * most households confirm in their chat and rate the visit, a few dispute the record, and
 * the ones without a chat stay 未确认. Visits of the last days may still wait for an answer.
 * Deterministic for a seed.
 */
import { bulkInsert, type SqlValue } from '../db/bulk-insert.js';
import type { Database } from '../db/client.js';
import { all, defineQuery } from '../db/sql.js';
import { seededRandom } from './demo-data.js';
import { VISIT_DISPUTES, VISIT_NOTES } from './demo-texts.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Beijing time, for the hours of a visit. */
const BEIJING_OFFSET_MS = 8 * HOUR;

/** Chance that a paired household is visited in a given month. */
const MONTHLY_VISIT = 0.85;
/** Chance of a second visit in a month (a household in difficulty, a follow-up). */
const SECOND_VISIT = 0.12;
/** Households with no chat to confirm in. */
const NO_CHAT = 0.2;
/** Of the households that answer: the share that disputes the record. */
const DISPUTED = 0.06;
/** Visits this recent may still be waiting for the household's answer. */
const PENDING_DAYS = 3;

export const DEMO_VISITS_SEED = 20_261_207;

/** Each pairing with its household's village and first member (who answers for it), in one query: a county has 110,000. */
const pairingsQuery = defineQuery('demo_visit_pairings', (db) =>
  db
    .selectFrom('Pairing as pr')
    .innerJoin('Household as h', 'h.id', 'pr.householdId')
    .select((eb) => [
      'pr.liaisonId',
      'pr.householdId',
      'h.regionId',
      eb
        .selectFrom('Person as m')
        .select((m) => m.fn.min('m.id').as('id'))
        .whereRef('m.householdId', '=', 'h.id')
        .as('memberId'),
    ])
    .orderBy('pr.householdId'),
);

/** Writes the demo visits between `from` and `to`; returns how many. */
export async function seedDemoVisits(database: Database, options: { from: Date; to: Date; seed?: number }): Promise<number> {
  const random = seededRandom(options.seed ?? DEMO_VISITS_SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const pairings = await all(database.sql, pairingsQuery, {});
  const from = options.from.getTime();
  const to = options.to.getTime();
  const rows: Record<VisitColumn, SqlValue>[] = [];
  for (const { liaisonId, householdId, regionId, memberId } of pairings) {
    const household = { id: householdId, regionId };
    const answerer = memberId;
    const noChat = answerer === null || random() < NO_CHAT;
    // Month by month from the first of `from`'s month (Beijing time).
    const start = new Date(from + BEIJING_OFFSET_MS);
    for (let month = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1); month < to + BEIJING_OFFSET_MS;) {
      const next = new Date(month);
      next.setUTCMonth(next.getUTCMonth() + 1);
      const visits = random() < MONTHLY_VISIT ? (random() < SECOND_VISIT ? 2 : 1) : 0;
      for (let i = 0; i < visits; i++) {
        // A day of the month, between 9:00 and 17:00 Beijing time.
        const day = Math.floor(random() * ((next.getTime() - month) / DAY));
        const at = month + day * DAY + (9 + random() * 8) * HOUR - BEIJING_OFFSET_MS;
        if (at < from || at > to) continue;
        rows.push(visitRow(liaisonId, household, at, noChat ? null : answerer, to, random, pick));
      }
      month = next.getTime();
    }
  }
  rows.sort((a, b) => (a.visitedAt as Date).getTime() - (b.visitedAt as Date).getTime());
  return bulkInsert(database.db, database.sql.dialect, 'Visit', VISIT_COLUMNS, rows);
}

const VISIT_COLUMNS = [
  'liaisonId',
  'householdId',
  'regionId',
  'notes',
  'media',
  'tickets',
  'visitedAt',
  'confirmation',
  'comment',
  'rating',
  'answeredById',
  'answeredAt',
] as const;
type VisitColumn = (typeof VISIT_COLUMNS)[number];

/** One visit and the household's answer (none from a household without a chat, or not yet). */
function visitRow(
  liaisonId: number,
  household: { id: number; regionId: number },
  at: number,
  answerer: number | null,
  to: number,
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
): Record<VisitColumn, SqlValue> {
  const base = { liaisonId, householdId: household.id, regionId: household.regionId, notes: pick(VISIT_NOTES), media: '[]', tickets: '[]', visitedAt: new Date(at) };
  const answeredAt = at + (1 + random() * 30) * HOUR;
  if (answerer === null) return { ...base, confirmation: 'unconfirmed', comment: null, rating: null, answeredById: null, answeredAt: null };
  if (answeredAt > to || (to - at < PENDING_DAYS * DAY && random() < 0.5)) {
    return { ...base, confirmation: 'pending', comment: null, rating: null, answeredById: null, answeredAt: null };
  }
  const disputed = random() < DISPUTED;
  const rating = disputed ? 2 + Math.floor(random() * 2) : random() < 0.75 ? 5 : 4;
  return {
    ...base,
    confirmation: disputed ? 'disputed' : 'confirmed',
    comment: disputed ? pick(VISIT_DISPUTES) : null,
    rating,
    answeredById: answerer,
    answeredAt: new Date(answeredAt),
  };
}
