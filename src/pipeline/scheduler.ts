/**
 * Timers and the outbox are rows; the scheduler claims the due ones (claims.ts) and acts
 * on them, round after round: fires timers (timers.ts), runs its duties, delivers
 * (delivery.ts), and forgets what is past its retention (retention.ts).
 *
 * A claim is a lease (claimedBy + claimedUntil): a process that dies mid-work leaves a
 * lease that runs out, and another process takes the row over.
 *
 * Each chat's messages go out in the order they were queued: a message waits while an
 * earlier one of its chat is still unsent (backing off after a failure, or its chat
 * offline), and a failure holds back the rest of its chat in the same round.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client.js';
import { logger } from '../log.js';
import { claimDue, type ClaimTable, type OutboxTarget } from './claims.js';
import { type Deliver, Deliverer } from './delivery.js';
import { type Forgotten, Retention, type RetentionDuty } from './retention.js';
import { type Clock, type PipelineService, systemClock } from './service.js';
import { fireClaimedTimers } from './timers.js';

const log = logger('scheduler');

export interface SchedulerOptions {
  database: Database;
  pipeline: PipelineService;
  /** Without it, outbox rows wait until a channel is configured. */
  deliver?: Deliver;
  /**
   * The chats this process delivers to: a whole channel, or one chat of it (a console
   * window). Rows for other chats are left for the process that serves them.
   */
  outboxTargets?: OutboxTarget[];
  clock?: Clock;
  workerId?: string;
  /** How long a claim holds before another process may take the row over. */
  leaseMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  /** Channels whose claimed pushes of one chat go out as one message (see Deliverer). */
  mergeChannels?: readonly string[];
  /** Days a received message's id is kept to recognise a re-delivery (default 30). */
  inboundRetentionDays?: number;
  /** The other modules' rows kept for a while (webhook deliveries, API answers), forgotten with the received ids (see Retention). */
  retention?: readonly RetentionDuty[];
  /**
   * More work for each round, run after the timers and before delivery (so what it
   * queues goes out in the same round): the engine's held messages, idle conversations.
   */
  duties?: (() => Promise<unknown>)[];
}

export type { OutboxTarget } from './claims.js';
export { type Deliver, type DeliveryResult, type OutboxDelivery, wakeChat } from './delivery.js';

export class Scheduler {
  readonly workerId: string;
  readonly #database: Database;
  readonly #pipeline: PipelineService;
  readonly #deliverer: Deliverer | undefined;
  readonly #retention: Retention;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #batch: number;
  readonly #targets: OutboxTarget[];
  readonly #duties: (() => Promise<unknown>)[];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  /** A claim of this round took a full batch: more may be due, the next round starts at once. */
  #backlog = false;

  constructor(options: SchedulerOptions) {
    this.#database = options.database;
    this.#pipeline = options.pipeline;
    this.#clock = options.clock ?? systemClock;
    this.workerId = options.workerId ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#batch = options.batchSize ?? 100;
    this.#targets = options.outboxTargets ?? [];
    this.#duties = options.duties ?? [];
    this.#deliverer = options.deliver
      ? new Deliverer({
          database: options.database,
          deliver: options.deliver,
          clock: this.#clock,
          workerId: this.workerId,
          leaseMs: this.#leaseMs,
          maxAttempts: options.maxAttempts ?? 8,
          ...(options.mergeChannels ? { mergeChannels: options.mergeChannels } : {}),
        })
      : undefined;
    this.#retention = new Retention(options.database, this.#clock, (options.inboundRetentionDays ?? 30) * 86_400_000, options.retention);
  }

  /**
   * Claims up to `batch` due rows of `table` for this worker and returns their ids. A
   * round that claims a full batch leaves a backlog: the next round follows at once.
   */
  async #claim(table: ClaimTable, now: Date): Promise<number[]> {
    const until = new Date(now.getTime() + this.#leaseMs);
    const ids = await claimDue(this.#database.db, table, { workerId: this.workerId, now, until, batch: this.#batch, targets: this.#targets });
    if (ids.length >= this.#batch) this.#backlog = true;
    return ids;
  }

  /** Fires the due timers this worker claimed; returns how many fired. */
  async fireDueTimers(): Promise<number> {
    const now = this.#clock.now();
    return fireClaimedTimers(this.#database.db, this.#pipeline, this.workerId, await this.#claim('Timer', now), now);
  }

  /** Delivers the outbox rows this worker claimed; returns how many were sent. */
  async deliverOutbox(): Promise<number> {
    if (!this.#deliverer || !this.#targets.length) return 0;
    const now = this.#clock.now();
    return this.#deliverer.deliverClaimed(await this.#claim('OutboxMessage', now), now);
  }

  /** Forgets what is past its retention (see Retention), hourly; returns how many rows of each kind. */
  forgetExpired(): Promise<Forgotten> {
    return this.#retention.forget();
  }

  /** One round: fire due timers, do the duties, then deliver what is waiting; once an hour, forget what is past its retention. */
  async tick(): Promise<{ fired: number; sent: number }> {
    this.#backlog = false;
    const fired = await this.fireDueTimers();
    for (const duty of this.#duties) {
      // One failing duty must not hold back the timers and deliveries of the round.
      await duty().catch((error: unknown) => log.error({ err: error }, 'scheduler duty failed'));
    }
    const sent = await this.deliverOutbox();
    await this.forgetExpired();
    return { fired, sent };
  }

  /**
   * Ticks every `intervalMs` until `stop()`; one tick at a time. A round that claimed a
   * full batch is followed at once (a backlog drains at the database's pace, not at
   * `batchSize` per interval).
   */
  start(intervalMs: number): void {
    const loop = (): void => {
      this.#running = this.tick()
        .catch((error: unknown) => log.error({ err: error }, 'scheduler tick failed'))
        .finally(() => {
          this.#running = undefined;
          if (this.#timer !== undefined) this.#timer = setTimeout(loop, this.#backlog ? 0 : intervalMs);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  /** Stops ticking and waits for the round in flight. */
  async stop(): Promise<void> {
    const timer = this.#timer;
    this.#timer = undefined;
    if (timer) clearTimeout(timer);
    await this.#running;
  }
}
