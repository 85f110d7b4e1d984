/**
 * Timers and the outbox are rows; the scheduler claims the due ones (src/pipeline/
 * claims.ts) and acts on them.
 *
 * A claim is a lease (claimedBy + claimedUntil): a process that dies mid-work leaves a
 * lease that runs out, and another process takes the row over.
 *
 * Each chat's messages go out in the order they were queued: a message waits while an
 * earlier one of its chat is still unsent (backing off after a failure, or its chat
 * offline), and a failure holds back the rest of its chat in the same round.
 */
import { randomUUID } from 'node:crypto';
import { type Database, transaction } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery } from '../db/sql.js';
import { type OfferedChoice, offeredChoice } from '../engine/choices.js';
import { render } from '../engine/i18n.js';
import { logger } from '../log.js';
import type { Locale } from '../org/types.js';
import type { MessageAction } from './model.js';
import { claimDue, type ClaimTable, type OutboxTarget } from './claims.js';
import { markDelivered } from './outbox.js';
import { type Clock, type PipelineService, systemClock, withRetry } from './service.js';
import type { TimerKind } from './states.js';

const log = logger('scheduler');

/** A rendered message ready for a channel adapter. */
export interface OutboxDelivery {
  id: number;
  recipientId: number;
  channel: string;
  chatId: string;
  locale: Locale;
  ticketNumber: string | null;
  template: string;
  text: string;
  actions: OfferedChoice[];
  /** Photos forwarded with the message. */
  media: string[];
  /** A turn's reply sent late (see OutboxMessage.reply), not a push. */
  reply: boolean;
}

/** What a channel made of one delivery. */
export type DeliveryResult =
  | { status: 'sent' }
  /** Try again later (rate limit, server error); `retryAfterMs` when the platform says. */
  | { status: 'retry'; error: string; retryAfterMs?: number }
  /** The person cannot be reached on any channel now; keep the message, stop trying soon. */
  | { status: 'unreachable'; error: string }
  /** The chat is not connected now (a closed web page): wait, without counting an attempt. */
  | { status: 'offline' };

/** Sends one message through the recipient's channel. */
export type Deliver = (message: OutboxDelivery) => Promise<DeliveryResult>;

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
  /** Days a received message's id is kept to recognise a re-delivery (default 30). */
  inboundRetentionDays?: number;
  /**
   * More work for each round, run after the timers and before delivery (so what it
   * queues goes out in the same round): the engine's held messages, idle conversations.
   */
  duties?: (() => Promise<unknown>)[];
}

export type { OutboxTarget } from './claims.js';

/** How often received message ids past their retention are forgotten. */
const FORGET_EVERY_MS = 3_600_000;
/** Rows read and deleted per statement, and statements per tick, when forgetting. */
const FORGET_BATCH = 5_000;
const FORGET_BATCHES_PER_TICK = 4;

/** How long a message for a disconnected chat waits before it is looked at again. */
const OFFLINE_RECHECK_MS = 60_000;

/** Makes a chat's waiting messages due now (its page reconnected). */
export async function wakeChat(database: Database, channel: string, chatId: string, now: Date): Promise<number> {
  const { count } = await database.db.outboxMessage.updateMany({
    where: { channel, chatId, sentAt: null, failedAt: null, availableAt: { gt: now } },
    data: { availableAt: now },
  });
  return count;
}

/** Backoff after `attempts` failures: 5 s, 10 s, 20 s … capped at one hour. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** The claimed outbox rows, with what delivery needs of their recipient and ticket. */
const claimedRowsQuery = defineQuery('outbox_claimed_rows', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('OutboxMessage as m')
    .innerJoin('Person as p', 'p.id', 'm.recipientId')
    .leftJoin('Ticket as t', 't.id', 'm.ticketId')
    .select([
      'm.id as id',
      'm.recipientId as recipientId',
      'm.channel as channel',
      'm.chatId as chatId',
      'm.template as template',
      'm.params as params',
      'm.actions as actions',
      'm.media as media',
      'm.reply as reply',
      'm.attempts as attempts',
      'm.sentAt as sentAt',
      'm.claimedBy as claimedBy',
      'p.locale as locale',
      't.number as ticketNumber',
    ])
    .where(oneOf(dialect, 'm.id', p.ids)),
);

export class Scheduler {
  readonly workerId: string;
  readonly #database: Database;
  readonly #pipeline: PipelineService;
  readonly #deliver: Deliver | undefined;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #batch: number;
  readonly #maxAttempts: number;
  readonly #targets: OutboxTarget[];
  readonly #inboundRetentionMs: number;
  readonly #duties: (() => Promise<unknown>)[];
  /** When old message ids were last forgotten to the end (epoch ms). */
  #forgotAt = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  /** A claim of this round took a full batch: more may be due, the next round starts at once. */
  #backlog = false;

  constructor(options: SchedulerOptions) {
    this.#database = options.database;
    this.#pipeline = options.pipeline;
    this.#deliver = options.deliver;
    this.#clock = options.clock ?? systemClock;
    this.workerId = options.workerId ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#batch = options.batchSize ?? 100;
    this.#maxAttempts = options.maxAttempts ?? 8;
    this.#targets = options.outboxTargets ?? [];
    this.#inboundRetentionMs = (options.inboundRetentionDays ?? 30) * 86_400_000;
    this.#duties = options.duties ?? [];
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
    const ids = await this.#claim('Timer', now);
    let fired = 0;
    for (const id of ids) {
      const done = await withRetry(this.#database.db, async (tx) => {
        const timer = await tx.timer.findUnique({ where: { id }, include: { ticket: { select: { number: true } } } });
        // Re-armed, cancelled or taken over since the claim: not ours to fire any more.
        if (!timer || timer.firedAt || timer.claimedBy !== this.workerId || timer.dueAt > now) return false;
        await tx.timer.update({ where: { id }, data: { firedAt: now, claimedUntil: null } });
        await this.#pipeline.executeIn(tx, timer.ticket.number, { type: 'timer', kind: timer.kind as TimerKind }, { kind: 'system' });
        return true;
      });
      if (done) fired++;
    }
    return fired;
  }

  /** Delivers the outbox rows this worker claimed; returns how many were sent. */
  async deliverOutbox(): Promise<number> {
    if (!this.#deliver || !this.#targets.length) return 0;
    const now = this.#clock.now();
    const ids = await this.#claim('OutboxMessage', now);
    // Nothing claimed: no read (Prisma would still run one, for an empty id list).
    if (!ids.length) return 0;
    const { db } = this.#database;
    // The claimed rows in one read; they are ours until the lease ends (checked below).
    const claimed = new Map((await all(this.#database.sql, claimedRowsQuery, { ids })).map((r) => [r.id, r]));
    /** Rows given back in this round (their chat's earlier message failed). */
    const held = new Set<number>();
    let sent = 0;
    const marks: Promise<void>[] = [];
    const markFailures: unknown[] = [];
    for (const [index, id] of ids.entries()) {
      if (held.has(id)) continue;
      // Past half the lease (slow channels), the rest waits for the next round: once the
      // lease ends another process may claim them, and none may go out twice.
      if (this.#clock.now().getTime() - now.getTime() > this.#leaseMs / 2) {
        await db.outboxMessage.updateMany({
          where: { id: { in: ids.slice(index) }, claimedBy: this.workerId, sentAt: null },
          data: { claimedBy: null, claimedUntil: null },
        });
        break;
      }
      const row = claimed.get(id);
      if (!row || row.sentAt || row.claimedBy !== this.workerId || !row.channel || !row.chatId) continue;
      const locale: Locale = row.locale === 'en' ? 'en' : 'zh';
      const params = JSON.parse(row.params) as Record<string, unknown>;
      const actions = JSON.parse(row.actions) as MessageAction[];
      const message: OutboxDelivery = {
        id: row.id,
        recipientId: row.recipientId,
        channel: row.channel,
        chatId: row.chatId,
        locale,
        ticketNumber: row.ticketNumber,
        template: row.template,
        text: render(locale, row.template, params),
        actions: actions.map((a) => offeredChoice(a, locale)),
        media: JSON.parse(row.media) as string[],
        reply: row.reply,
      };
      let result: DeliveryResult;
      try {
        result = await this.#deliver(message);
      } catch (error) {
        result = { status: 'retry', error: error instanceof Error ? error.message : String(error) };
      }
      const after = this.#clock.now();
      // Only the claim holder settles the row, so a lease taken over is never sent twice.
      const mine = { id, claimedBy: this.workerId, sentAt: null };
      if (result.status !== 'sent') {
        // The chat's later rows in this batch wait behind this one, untried (no attempt used).
        const behind = ids.slice(index + 1).filter((later) => claimed.get(later)?.channel === row.channel && claimed.get(later)?.chatId === row.chatId);
        for (const later of behind) held.add(later);
        await db.outboxMessage.updateMany({
          where: { id: { in: behind }, claimedBy: this.workerId, sentAt: null },
          data: { claimedBy: null, claimedUntil: null },
        });
      }
      if (result.status === 'sent') {
        // Not awaited one by one: on SQLite the mark waits for its group's commit (see
        // SqliteHandle.transaction), and the next message of the batch need not.
        marks.push(markDelivered(db, id, this.workerId, after).then(() => void sent++, (error: unknown) => void markFailures.push(error)));
        continue;
      }
      if (result.status === 'offline') {
        await db.outboxMessage.updateMany({
          where: mine,
          data: { claimedBy: null, claimedUntil: null, availableAt: new Date(after.getTime() + OFFLINE_RECHECK_MS) },
        });
        continue;
      }
      if (result.status === 'unreachable') {
        await this.#reroute(row.id, row.recipientId, row.channel, row.chatId, result.error, after);
        continue;
      }
      const attempts = row.attempts + 1;
      const giveUp = attempts >= this.#maxAttempts;
      const wait = result.status === 'retry' && result.retryAfterMs !== undefined ? result.retryAfterMs : backoffMs(attempts);
      await db.outboxMessage.updateMany({
        where: mine,
        data: {
          attempts,
          lastError: result.error.slice(0, 500),
          claimedBy: null,
          claimedUntil: null,
          availableAt: new Date(after.getTime() + wait),
          failedAt: giveUp ? after : null,
        },
      });
      log.warn({ outboxId: id, attempts, status: result.status, giveUp }, 'delivery failed');
    }
    await Promise.all(marks);
    // A row whose mark failed stays claimed until its lease ends, then goes out again.
    if (markFailures.length) throw markFailures[0];
    return sent;
  }

  /**
   * The platform says the person cannot be reached on this chat (they blocked the bot):
   * the identity is marked unreachable (staff see it), and the message moves to the
   * person's other chat used most recently; with none, it waits, unaddressed, until the
   * person writes again from any chat. It is never retried against the blocked chat.
   */
  async #reroute(id: number, recipientId: number, channel: string, chatId: string, error: string, now: Date): Promise<void> {
    const { db } = this.#database;
    const fallback = await transaction(db, async (tx) => {
      await tx.channelIdentity.updateMany({ where: { personId: recipientId, channel, chatId }, data: { unreachableAt: now } });
      const other = await tx.channelIdentity.findFirst({
        where: { personId: recipientId, unreachableAt: null, NOT: { channel, chatId } },
        orderBy: { lastUsedAt: 'desc' },
      });
      await tx.outboxMessage.updateMany({
        where: { id, claimedBy: this.workerId, sentAt: null },
        data: {
          channel: other?.channel ?? null,
          chatId: other?.chatId ?? null,
          lastError: error.slice(0, 500),
          attempts: { increment: 1 },
          claimedBy: null,
          claimedUntil: null,
          availableAt: now,
        },
      });
      // Other messages waiting for the same blocked chat follow the same way.
      await tx.outboxMessage.updateMany({
        where: { recipientId, channel, chatId, sentAt: null, failedAt: null, claimedBy: null },
        data: { channel: other?.channel ?? null, chatId: other?.chatId ?? null },
      });
      return other?.channel ?? null;
    });
    log.warn({ outboxId: id, channel, fallback }, 'recipient unreachable on this chat; message re-addressed');
  }

  /** One round: fire due timers, do the duties, then deliver what is waiting; once an hour, forget old message ids. */
  async tick(): Promise<{ fired: number; sent: number }> {
    this.#backlog = false;
    const fired = await this.fireDueTimers();
    for (const duty of this.#duties) {
      // One failing duty must not hold back the timers and deliveries of the round.
      await duty().catch((error: unknown) => log.error({ err: error }, 'scheduler duty failed'));
    }
    const sent = await this.deliverOutbox();
    await this.forgetOldInbound();
    return { fired, sent };
  }

  /**
   * Deletes the dedupe rows (`InboundMessage`) of messages received before the retention
   * period, so the table does not grow with every message ever received. Chat platforms
   * re-deliver an unacknowledged message within hours (Telegram keeps updates 24 h), so
   * an id older than that is never seen again. Runs once an hour; a backlog (a first run
   * on an old database) goes FORGET_BATCHES_PER_TICK batches per tick, so a tick stays
   * short. Returns the rows deleted.
   */
  async forgetOldInbound(): Promise<number> {
    const now = this.#clock.now().getTime();
    if (now - this.#forgotAt < FORGET_EVERY_MS) return 0;
    const cutoff = new Date(now - this.#inboundRetentionMs);
    const { db } = this.#database;
    let deleted = 0;
    for (let batch = 0; batch < FORGET_BATCHES_PER_TICK; batch++) {
      // Ids grow with receipt, so the old rows come first: the batch's old prefix goes
      // (the receivedAt condition again in the delete guards against a clock set back).
      const rows = await db.inboundMessage.findMany({ orderBy: { id: 'asc' }, take: FORGET_BATCH, select: { id: true, receivedAt: true } });
      const kept = rows.findIndex((r) => r.receivedAt >= cutoff);
      const last = rows[(kept < 0 ? rows.length : kept) - 1];
      if (last) deleted += (await db.inboundMessage.deleteMany({ where: { id: { lte: last.id }, receivedAt: { lt: cutoff } } })).count;
      if (kept >= 0 || rows.length < FORGET_BATCH) {
        this.#forgotAt = now;
        break;
      }
    }
    if (deleted) log.info({ deleted, before: cutoff.toISOString() }, 'forgot the ids of old received messages');
    return deleted;
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
