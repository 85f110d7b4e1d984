/**
 * Forgetting rows kept only for a while, once an hour: the ids of received messages (the
 * dedupe rows), settled webhook deliveries (src/webhooks/retention.ts) and the API's
 * stored idempotent answers (src/api/idempotency.ts). Without it those tables grow with
 * every message, event and POST ever handled.
 */
import { forgetExpiredIdempotencyKeys } from '../api/idempotency.js';
import type { Database } from '../db/client.js';
import { all, defineQuery, run } from '../db/sql.js';
import { logger } from '../log.js';
import { forgetSettledDeliveries } from '../webhooks/retention.js';
import type { Clock } from './service.js';

const log = logger('scheduler');

/** How often rows past their retention are forgotten. */
const FORGET_EVERY_MS = 3_600_000;
/** Rows read and deleted per statement, and statements per tick and table, when forgetting. */
const FORGET_BATCH = 5_000;
const FORGET_BATCHES_PER_TICK = 4;

/** The oldest received message ids, oldest first. */
const oldestInboundQuery = defineQuery('retention_oldest_inbound', (db, p: { limit: number }) =>
  db.selectFrom('InboundMessage').select(['id', 'receivedAt']).orderBy('id').limit(p.limit),
);

const forgetInboundQuery = defineQuery('retention_forget_inbound', (db, p: { lastId: number; before: Date }) =>
  db.deleteFrom('InboundMessage').where('id', '<=', p.lastId).where('receivedAt', '<', p.before),
);

/** How long each kind of row is kept. */
export interface RetentionPeriods {
  /** A received message's id, to recognise a platform's re-delivery. */
  inboundMs: number;
  /** A settled webhook delivery, in the subscriber's delivery log. */
  webhookDeliveryMs: number;
}

/** The rows one run deleted, by kind. */
export interface Forgotten {
  inbound: number;
  webhookDeliveries: number;
  idempotencyKeys: number;
}

/** A pass over one table: the rows it deleted, and whether it reached the end (false: a backlog is left for the next tick). */
interface Pass {
  deleted: number;
  done: boolean;
}

export class Retention {
  readonly #database: Database;
  readonly #clock: Clock;
  readonly #periods: RetentionPeriods;
  /** When old rows were last forgotten to the end (epoch ms). */
  #forgotAt = -Infinity;

  constructor(database: Database, clock: Clock, periods: RetentionPeriods) {
    this.#database = database;
    this.#clock = clock;
    this.#periods = periods;
  }

  /**
   * Deletes what is past its retention. Runs once an hour; a backlog (a first run on an
   * old database) goes FORGET_BATCHES_PER_TICK batches per tick and table, so a tick
   * stays short, and the next tick goes on with it.
   */
  async forget(): Promise<Forgotten> {
    const now = this.#clock.now().getTime();
    if (now - this.#forgotAt < FORGET_EVERY_MS) return { inbound: 0, webhookDeliveries: 0, idempotencyKeys: 0 };
    const inbound = await this.#forgetInbound(new Date(now - this.#periods.inboundMs));
    const webhookDeliveries = await this.#forgetWebhookDeliveries(new Date(now - this.#periods.webhookDeliveryMs));
    // Answers are kept for a day: a day's POSTs at most, deleted in one statement.
    const idempotencyKeys = await forgetExpiredIdempotencyKeys(this.#database.sql, new Date(now));
    if (inbound.done && webhookDeliveries.done) this.#forgotAt = now;
    const forgotten = { inbound: inbound.deleted, webhookDeliveries: webhookDeliveries.deleted, idempotencyKeys };
    if (forgotten.inbound || forgotten.webhookDeliveries || forgotten.idempotencyKeys) log.info(forgotten, 'forgot rows past their retention');
    return forgotten;
  }

  /**
   * The dedupe rows (`InboundMessage`) of messages received before `cutoff`. Chat
   * platforms re-deliver an unacknowledged message within hours (Telegram keeps updates
   * 24 h), so an id older than that is never seen again.
   */
  async #forgetInbound(cutoff: Date): Promise<Pass> {
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

  /** Webhook deliveries settled before `cutoff`; never one still to be sent. */
  async #forgetWebhookDeliveries(cutoff: Date): Promise<Pass> {
    let deleted = 0;
    for (let batch = 0; batch < FORGET_BATCHES_PER_TICK; batch++) {
      const gone = await forgetSettledDeliveries(this.#database.sql, cutoff, FORGET_BATCH);
      deleted += gone;
      if (gone < FORGET_BATCH) return { deleted, done: true };
    }
    return { deleted, done: false };
  }
}
