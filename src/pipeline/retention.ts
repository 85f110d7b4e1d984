/**
 * Forgetting rows kept only for a while, once an hour. The runner knows one kind itself,
 * the pipeline's own: the ids of received messages (the dedupe rows). Every other module
 * that keeps such rows hands it a {@link RetentionDuty} where the app is assembled (the
 * webhooks' settled deliveries, src/webhooks/retention.ts; the API's stored idempotent
 * answers, src/api/idempotency.ts), so the pipeline depends on none of its interfaces.
 * Without it those tables grow with every message, event and POST ever handled.
 */
import type { Database } from '../db/client.js';
import { all, defineQuery, run, type SqlConnection } from '../db/sql.js';
import { logger } from '../log.js';
import type { Clock } from './service.js';
import { onFirstUse } from '../on-first-use.js';

const log = logger('scheduler');

/** How often rows past their retention are forgotten. */
const FORGET_EVERY_MS = 3_600_000;
/** Rows read and deleted per statement, and statements per tick and table, when forgetting. */
export const FORGET_BATCH = 5_000;
export const FORGET_BATCHES_PER_TICK = 4;

/** The oldest received message ids, oldest first. */
const oldestInboundQuery = defineQuery('retention_oldest_inbound', (db, p: { limit: number }) =>
  db.selectFrom('InboundMessage').select(['id', 'receivedAt']).orderBy('id').limit(p.limit),
);

const forgetInboundQuery = defineQuery('retention_forget_inbound', (db, p: { lastId: number; before: Date }) =>
  db.deleteFrom('InboundMessage').where('id', '<=', p.lastId).where('receivedAt', '<', p.before),
);

/** A pass over one table: the rows it deleted, and whether it reached the end (false: a backlog is left for the next tick). */
export interface RetentionPass {
  deleted: number;
  done: boolean;
}

/** One kind of row another module keeps for a while, and how to forget what is past it. */
export interface RetentionDuty {
  /** Its count's name in what a run returns and logs (e.g. webhookDeliveries). */
  readonly name: string;
  /** Deletes what is past its retention at `now`, at most FORGET_BATCHES_PER_TICK batches of FORGET_BATCH. */
  forget(sql: SqlConnection, now: Date): Promise<RetentionPass>;
}

/**
 * A duty whose module is imported on its first run, not when the app is assembled: a
 * process that never forgets (or not yet) need not load the webhooks or the API.
 */
export function loadedOnFirstRun(name: string, load: () => Promise<RetentionDuty>): RetentionDuty {
  // A failed import is tried again on the next run, not remembered (onFirstUse).
  const duty = onFirstUse(load);
  return { name, forget: async (sql, now) => (await duty()).forget(sql, now) };
}

/** The rows one run deleted: the received message ids, and each duty's by its name. */
export type Forgotten = { inbound: number } & Record<string, number>;

export class Retention {
  readonly #database: Database;
  readonly #clock: Clock;
  readonly #inboundMs: number;
  readonly #duties: readonly RetentionDuty[];
  /** When old rows were last forgotten to the end (epoch ms). */
  #forgotAt = -Infinity;

  /** `inboundMs`: how long a received message's id is kept, to recognise a platform's re-delivery. */
  constructor(database: Database, clock: Clock, inboundMs: number, duties: readonly RetentionDuty[] = []) {
    this.#database = database;
    this.#clock = clock;
    this.#inboundMs = inboundMs;
    this.#duties = duties;
  }

  /** Nothing forgotten: each kind at 0. */
  #none(): Forgotten {
    return { inbound: 0, ...Object.fromEntries(this.#duties.map((d) => [d.name, 0])) };
  }

  /**
   * Deletes what is past its retention. Runs once an hour; a backlog (a first run on an
   * old database) goes FORGET_BATCHES_PER_TICK batches per tick and table, so a tick
   * stays short, and the next tick goes on with it.
   */
  async forget(): Promise<Forgotten> {
    const now = this.#clock.now().getTime();
    if (now - this.#forgotAt < FORGET_EVERY_MS) return this.#none();
    const inbound = await this.#forgetInbound(new Date(now - this.#inboundMs));
    const forgotten: Forgotten = { ...this.#none(), inbound: inbound.deleted };
    let done = inbound.done;
    for (const duty of this.#duties) {
      const pass = await duty.forget(this.#database.sql, new Date(now));
      forgotten[duty.name] = pass.deleted;
      done &&= pass.done;
    }
    if (done) this.#forgotAt = now;
    if (Object.values(forgotten).some((n) => n > 0)) log.info(forgotten, 'forgot rows past their retention');
    return forgotten;
  }

  /**
   * The dedupe rows (`InboundMessage`) of messages received before `cutoff`. Chat
   * platforms re-deliver an unacknowledged message within hours (Telegram keeps updates
   * 24 h), so an id older than that is never seen again.
   */
  async #forgetInbound(cutoff: Date): Promise<RetentionPass> {
    const { sql } = this.#database;
    let deleted = 0;
    for (let batch = 0; batch < FORGET_BATCHES_PER_TICK; batch++) {
      // Ids grow with receipt, so the old rows come first: the batch's old prefix goes
      // (the receivedAt condition again in the delete guards against a clock set back).
      const rows = await all(sql, oldestInboundQuery, { limit: FORGET_BATCH });
      const kept = rows.findIndex((r) => r.receivedAt >= cutoff);
      const last = rows[(kept < 0 ? rows.length : kept) - 1];
      if (last) deleted += await run(sql, forgetInboundQuery, { lastId: last.id, before: cutoff });
      if (kept >= 0 || rows.length < FORGET_BATCH) return { deleted, done: true };
    }
    return { deleted, done: false };
  }
}
