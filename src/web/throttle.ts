/**
 * Limits that every process shares: at most `max` attempts per key within a sliding
 * window, counted in the database (the Throttle table), so two processes on one
 * PostgreSQL database hold one limit between them, and a restart forgets nothing.
 *
 * An attempt is *reserved* before the work it limits starts (an argon2 check, reading an
 * upload), in one transaction that holds each key's row: the row is locked by an upsert
 * (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, the same statement on both databases;
 * on SQLite the light transaction holds the database's write lock anyway), its recent
 * attempts are read, and the new one is written only when every key has room. Attempts
 * sent at the same moment therefore queue on the row and the ones past the limit are
 * refused without doing the work. Keys are locked in one order (sorted), so two
 * reservations never wait for each other's rows.
 *
 * A row keeps the times of at most `max` recent attempts (all a decision needs) and an
 * expiry, after which `sweepThrottle` deletes it.
 */
import { type Db, sqlOf, sqlTransaction, type SqlTx, type Tx } from '../db/client.js';
import { defineQuery, first, run } from '../db/sql.js';
import type { Clock } from '../pipeline/service.js';

/**
 * One limit: at most `max` attempts for `key` within the window. With `backoffAfter`,
 * once the window holds that many attempts each further one waits after the latest: one
 * second, then twice as long each time, up to the window (AWS Cognito's scheme, which
 * OWASP's testing guide cites): a guesser is slowed to a crawl while nobody is locked out
 * for longer than the window. `max` then only bounds how many attempt times are kept.
 */
export interface Limit {
  key: string;
  max: number;
  backoffAfter?: number;
}

/** The first wait of a growing delay; each further attempt doubles it. */
const BACKOFF_BASE_MS = 1000;

/** A reserved attempt (to release on success), or the seconds until one is allowed. */
export type Reservation = { ok: true; at: number; keys: string[] } | { ok: false; retryAfterSeconds: number };

// The upsert changes nothing in a row that exists: it is there to lock the row (and make it).
const lockQuery = defineQuery('throttle_lock', (db, p: { key: string }) =>
  db
    .insertInto('Throttle')
    .values({ key: p.key, hits: '[]' })
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ hits: eb.ref('Throttle.hits') })))
    .returning('hits'),
);
const recordQuery = defineQuery('throttle_record', (db, p: { key: string; hits: string; expiresAt: Date }) =>
  db.updateTable('Throttle').set({ hits: p.hits, expiresAt: p.expiresAt }).where('key', '=', p.key),
);
const forgetHitQuery = defineQuery('throttle_forget_hit', (db, p: { key: string; hits: string }) => db.updateTable('Throttle').set({ hits: p.hits }).where('key', '=', p.key));
const clearQuery = defineQuery('throttle_clear', (db, p: { key: string }) => db.deleteFrom('Throttle').where('key', '=', p.key));
const sweepQuery = defineQuery('throttle_sweep', (db, p: { now: Date }) =>
  db.deleteFrom('Throttle').where((eb) => eb.or([eb('expiresAt', '<', p.now), eb('expiresAt', 'is', null)])),
);

/**
 * The attempts recorded for `key`, its row locked until the transaction ends (made empty
 * if missing). Other work that must not run twice at once for one key (an upload's
 * quota) takes the same lock.
 */
export async function lockThrottleRow(tx: Tx | SqlTx, key: string): Promise<number[]> {
  const row = await first(sqlOf(tx), lockQuery, { key });
  try {
    const hits: unknown = JSON.parse(row?.hits ?? '[]');
    return Array.isArray(hits) ? hits.filter((t): t is number => typeof t === 'number') : [];
  } catch {
    return [];
  }
}

/** Attempts per key in a sliding window, shared through the database. */
export class Throttle {
  constructor(
    private readonly db: () => Db,
    private readonly clock: Clock,
    /** The window, in milliseconds. */
    readonly windowMs: number,
  ) {}

  /**
   * Records an attempt under every limit, or none when any is full or still in its
   * growing delay: then the answer says how long until an attempt is allowed.
   */
  async reserve(limits: readonly Limit[]): Promise<Reservation> {
    const now = this.clock.now().getTime();
    const sorted = [...limits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return sqlTransaction(this.db(), async (tx) => {
      const rows: { limit: Limit; hits: number[] }[] = [];
      for (const limit of sorted) {
        const hits = (await lockThrottleRow(tx, limit.key)).filter((t) => t > now - this.windowMs);
        rows.push({ limit, hits });
      }
      let waitMs = 0;
      for (const { limit, hits } of rows) {
        const filling = hits[hits.length - limit.max];
        if (hits.length >= limit.max && filling !== undefined) waitMs = Math.max(waitMs, filling + this.windowMs - now);
        const latest = hits[hits.length - 1];
        if (limit.backoffAfter !== undefined && hits.length >= limit.backoffAfter && latest !== undefined) {
          const delay = Math.min(this.windowMs, BACKOFF_BASE_MS * 2 ** (hits.length - limit.backoffAfter));
          waitMs = Math.max(waitMs, latest + delay - now);
        }
      }
      if (waitMs > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      for (const { limit, hits } of rows) {
        hits.push(now);
        await run(tx.sql, recordQuery, { key: limit.key, hits: JSON.stringify(hits.slice(-limit.max)), expiresAt: new Date(now + this.windowMs) });
      }
      return { ok: true, at: now, keys: sorted.map((l) => l.key) };
    });
  }

  /**
   * The reserved attempt turned out well: the keys in `clear` forget every attempt (a
   * good login clears its username's failures), the others forget this one attempt.
   */
  async release(reservation: { at: number; keys: readonly string[] }, clear: readonly string[] = []): Promise<void> {
    await sqlTransaction(this.db(), async (tx) => {
      for (const key of reservation.keys) {
        if (clear.includes(key)) {
          await run(tx.sql, clearQuery, { key });
          continue;
        }
        const hits = await lockThrottleRow(tx, key);
        const index = hits.lastIndexOf(reservation.at);
        if (index >= 0) hits.splice(index, 1);
        await run(tx.sql, forgetHitQuery, { key, hits: JSON.stringify(hits) });
      }
    });
  }
}

/** Deletes the rows whose attempts have all left their window (a scheduler duty). */
export async function sweepThrottle(db: Db, now: Date): Promise<number> {
  return run(sqlOf(db), sweepQuery, { now });
}
