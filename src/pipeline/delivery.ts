/**
 * Delivering the outbox rows a worker claimed (src/pipeline/claims.ts): each through
 * its recipient's channel, in its chat's order; a failure backs off and holds back the
 * rest of its chat in the same round; an unreachable chat re-addresses the message.
 */
import { type Database, sqlOf, sqlTransaction } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, first, type Query, run } from '../db/sql.js';
import { type OfferedChoice, offeredChoice } from '../engine/choices.js';
import { render } from '../engine/i18n.js';
import { logger } from '../log.js';
import type { Locale } from '../org/types.js';
import type { MessageAction } from './model.js';
import { markDelivered } from './outbox.js';
import type { Clock } from './service.js';

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
  /** The catalogue parameters `text` was rendered from (a channel with little room renders them shorter: SMS). */
  params: Record<string, unknown>;
  /** Later messages of the same chat that go out with this one as one (a channel that merges them: SMS). */
  merged?: OutboxDelivery[];
}

/** What a channel made of one delivery. */
export type DeliveryResult =
  | { status: 'sent' }
  /**
   * Try again later (rate limit, server error); `retryAfterMs` when the platform says;
   * `heldFor` when the wait is a state staff should read, not a failure (OutboxMessage.heldFor).
   */
  | { status: 'retry'; error: string; retryAfterMs?: number; heldFor?: OutboxHold }
  /** The person cannot be reached on any channel now; keep the message, stop trying soon. */
  | { status: 'unreachable'; error: string }
  /** The chat is not connected now (a closed web page): wait, without counting an attempt. */
  | { status: 'offline' };

/** Why an unsent row waits past a failure's backoff (OutboxMessage.heldFor): its SMS number had today's SMS. */
export type OutboxHold = 'sms_daily_cap';

/** Sends one message through the recipient's channel. */
export type Deliver = (message: OutboxDelivery) => Promise<DeliveryResult>;

/** How long a message for a disconnected chat waits before it is looked at again. */
const OFFLINE_RECHECK_MS = 60_000;

const wakeChatQuery = defineQuery('outbox_wake_chat', (db, p: { channel: string; chatId: string; now: Date }) =>
  db
    .updateTable('OutboxMessage')
    .set({ availableAt: p.now })
    .where('channel', '=', p.channel)
    .where('chatId', '=', p.chatId)
    .where('sentAt', 'is', null)
    .where('failedAt', 'is', null)
    .where('availableAt', '>', p.now),
);

/** Makes a chat's waiting messages due now (its page reconnected). */
export async function wakeChat(database: Database, channel: string, chatId: string, now: Date): Promise<number> {
  return run(database.sql, wakeChatQuery, { channel, chatId, now });
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

/** This worker's claims on `ids` not yet sent are given back, untried. */
const releaseClaimsQuery = defineQuery('outbox_release_claims', (db, p: { ids: number[]; workerId: string }, dialect) =>
  db
    .updateTable('OutboxMessage')
    .set({ claimedBy: null, claimedUntil: null })
    .where(oneOf(dialect, 'id', p.ids))
    .where('claimedBy', '=', p.workerId)
    .where('sentAt', 'is', null),
);

/** The chat is offline: the row is given back, to be looked at again at `availableAt`, no attempt counted. */
const offlineQuery = defineQuery('outbox_offline', (db, p: { id: number; workerId: string; availableAt: Date }) =>
  db
    .updateTable('OutboxMessage')
    .set({ claimedBy: null, claimedUntil: null, availableAt: p.availableAt })
    .where('id', '=', p.id)
    .where('claimedBy', '=', p.workerId)
    .where('sentAt', 'is', null),
);

/** A failed attempt: counted, tried again at `availableAt`, or given up (`failedAt`). */
const attemptFailedQuery = defineQuery(
  'outbox_attempt_failed',
  (db, p: { id: number; workerId: string; attempts: number; lastError: string; heldFor: OutboxHold | null; availableAt: Date; failedAt: Date | null }) =>
    db
      .updateTable('OutboxMessage')
      .set({ attempts: p.attempts, lastError: p.lastError, heldFor: p.heldFor, claimedBy: null, claimedUntil: null, availableAt: p.availableAt, failedAt: p.failedAt })
      .where('id', '=', p.id)
      .where('claimedBy', '=', p.workerId)
      .where('sentAt', 'is', null),
);

const markUnreachableQuery = defineQuery('identity_mark_unreachable', (db, p: { personId: number; channel: string; chatId: string; at: Date }) =>
  db.updateTable('ChannelIdentity').set({ unreachableAt: p.at }).where('personId', '=', p.personId).where('channel', '=', p.channel).where('chatId', '=', p.chatId),
);

/** The person's reachable chat used most recently, other than `channel`/`chatId`. */
const otherChatQuery = defineQuery('identity_other_chat', (db, p: { personId: number; channel: string; chatId: string }) =>
  db
    .selectFrom('ChannelIdentity')
    .select(['channel', 'chatId'])
    .where('personId', '=', p.personId)
    .where('unreachableAt', 'is', null)
    .where((eb) => eb.not(eb.and([eb('channel', '=', p.channel), eb('chatId', '=', p.chatId)])))
    .orderBy('lastUsedAt', (order) => order.desc().nullsLast())
    .orderBy('id')
    .limit(1),
);

/** The message goes to another chat (or none: it waits), due now, its attempt counted. */
const rerouteQuery = defineQuery('outbox_reroute', (db, p: { id: number; workerId: string; channel: string | null; chatId: string | null; lastError: string; at: Date }) =>
  db
    .updateTable('OutboxMessage')
    .set((eb) => ({
      channel: p.channel,
      chatId: p.chatId,
      lastError: p.lastError,
      heldFor: null,
      attempts: eb('attempts', '+', 1),
      claimedBy: null,
      claimedUntil: null,
      availableAt: p.at,
    }))
    .where('id', '=', p.id)
    .where('claimedBy', '=', p.workerId)
    .where('sentAt', 'is', null),
);

/** The unclaimed messages waiting for a blocked chat follow the rerouted one. */
const followRerouteQuery = defineQuery(
  'outbox_follow_reroute',
  (db, p: { recipientId: number; channel: string; chatId: string; toChannel: string | null; toChatId: string | null }) =>
    db
      .updateTable('OutboxMessage')
      .set({ channel: p.toChannel, chatId: p.toChatId })
      .where('recipientId', '=', p.recipientId)
      .where('channel', '=', p.channel)
      .where('chatId', '=', p.chatId)
      .where('sentAt', 'is', null)
      .where('failedAt', 'is', null)
      .where('claimedBy', 'is', null),
);

export interface DelivererOptions {
  database: Database;
  deliver: Deliver;
  clock: Clock;
  /** The worker whose claims it settles. */
  workerId: string;
  leaseMs: number;
  maxAttempts: number;
  /** Channels whose claimed messages of one chat go out as one message (SMS: each costs money). */
  mergeChannels?: readonly string[];
}

/** Delivers what one worker claimed. */
export class Deliverer {
  readonly workerId: string;
  readonly #database: Database;
  readonly #deliver: Deliver;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #maxAttempts: number;
  readonly #mergeChannels: ReadonlySet<string>;

  constructor(options: DelivererOptions) {
    this.#database = options.database;
    this.#deliver = options.deliver;
    this.#clock = options.clock;
    this.workerId = options.workerId;
    this.#leaseMs = options.leaseMs;
    this.#maxAttempts = options.maxAttempts;
    this.#mergeChannels = new Set(options.mergeChannels ?? []);
  }

  /** Delivers the outbox rows `ids` this worker claimed at `now`; returns how many were sent. */
  async deliverClaimed(ids: number[], now: Date): Promise<number> {
    if (!ids.length) return 0;
    const { db, sql } = this.#database;
    // The claimed rows in one read; they are ours until the lease ends (checked below).
    const claimed = new Map((await all(sql, claimedRowsQuery, { ids })).map((r) => [r.id, r]));
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
        await run(sql, releaseClaimsQuery, { ids: ids.slice(index), workerId: this.workerId });
        break;
      }
      const row = claimed.get(id);
      if (!row || row.sentAt || row.claimedBy !== this.workerId || !row.channel || !row.chatId) continue;
      const chat = { channel: row.channel, chatId: row.chatId };
      const message = deliveryOf(row, chat);
      // A merging channel takes the chat's later claimed rows with this one; they settle with it.
      const merged = this.#mergeChannels.has(row.channel)
        ? ids.slice(index + 1).filter((later) => {
            const other = claimed.get(later);
            return !held.has(later) && other?.channel === row.channel && other.chatId === row.chatId && !other.sentAt && other.claimedBy === this.workerId;
          })
        : [];
      if (merged.length) {
        message.merged = merged.flatMap((later) => {
          const other = claimed.get(later);
          return other ? [deliveryOf(other, chat)] : [];
        });
        for (const later of merged) held.add(later);
      }
      let result: DeliveryResult;
      try {
        result = await this.#deliver(message);
      } catch (error) {
        result = { status: 'retry', error: error instanceof Error ? error.message : String(error) };
      }
      const after = this.#clock.now();
      // Only the claim holder settles the row (every statement below checks the claim), so a lease taken over is never sent twice.
      if (result.status !== 'sent') {
        // The chat's later rows in this batch wait behind this one, untried (no attempt used).
        const behind = ids.slice(index + 1).filter((later) => claimed.get(later)?.channel === row.channel && claimed.get(later)?.chatId === row.chatId);
        for (const later of behind) held.add(later);
        if (behind.length) await run(sql, releaseClaimsQuery, { ids: behind, workerId: this.workerId });
      }
      if (result.status === 'sent') {
        // Not awaited one by one: on SQLite the mark waits for its group's commit (see
        // SqliteHandle.transaction), and the next message of the batch need not.
        for (const delivered of [id, ...merged]) {
          marks.push(
            markDelivered(db, delivered, this.workerId, after).then(
              () => void sent++,
              (error: unknown) => void markFailures.push(error),
            ),
          );
        }
        continue;
      }
      if (result.status === 'offline') {
        await run(sql, offlineQuery, { id, workerId: this.workerId, availableAt: new Date(after.getTime() + OFFLINE_RECHECK_MS) });
        continue;
      }
      if (result.status === 'unreachable') {
        await this.#reroute(row.id, row.recipientId, row.channel, row.chatId, result.error, after);
        continue;
      }
      const attempts = row.attempts + 1;
      const giveUp = attempts >= this.#maxAttempts;
      const wait = result.status === 'retry' && result.retryAfterMs !== undefined ? result.retryAfterMs : backoffMs(attempts);
      await run(sql, attemptFailedQuery, {
        id,
        workerId: this.workerId,
        attempts,
        lastError: result.error.slice(0, 500),
        heldFor: result.heldFor ?? null,
        availableAt: new Date(after.getTime() + wait),
        failedAt: giveUp ? after : null,
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
    const fallback = await sqlTransaction(db, async (tx) => {
      const sql = sqlOf(tx);
      await run(sql, markUnreachableQuery, { personId: recipientId, channel, chatId, at: now });
      const other = await first(sql, otherChatQuery, { personId: recipientId, channel, chatId });
      const to = { channel: other?.channel ?? null, chatId: other?.chatId ?? null };
      await run(sql, rerouteQuery, { id, workerId: this.workerId, ...to, lastError: error.slice(0, 500), at: now });
      // Other messages waiting for the same blocked chat follow the same way.
      await run(sql, followRerouteQuery, { recipientId, channel, chatId, toChannel: to.channel, toChatId: to.chatId });
      return to.channel;
    });
    log.warn({ outboxId: id, channel, fallback }, 'recipient unreachable on this chat; message re-addressed');
  }
}

/** A claimed row of `chat` rendered for its reader. */
function deliveryOf(row: ClaimedRow, chat: { channel: string; chatId: string }): OutboxDelivery {
  const locale: Locale = row.locale === 'en' ? 'en' : 'zh';
  const params = inLocale(JSON.parse(row.params) as Record<string, unknown>, locale);
  const actions = JSON.parse(row.actions) as MessageAction[];
  return {
    id: row.id,
    recipientId: row.recipientId,
    ...chat,
    locale,
    ticketNumber: row.ticketNumber,
    template: row.template,
    text: render(locale, row.template, params),
    actions: actions.map((a) => offeredChoice(a, locale)),
    media: JSON.parse(row.media) as string[],
    reply: row.reply,
    params,
  };
}

type ClaimedRow = typeof claimedRowsQuery extends Query<{ ids: number[] }, infer R> ? R : never;

/**
 * A push's params for a reader of `locale`: a param `name@en` (staff's own words in
 * English, e.g. a survey's English title) stands for `name` to an English reader, when
 * it was given; the catalogues' placeholders stay the same in both languages.
 */
function inLocale(params: Record<string, unknown>, locale: Locale): Record<string, unknown> {
  if (locale !== 'en') return params;
  for (const key of Object.keys(params)) {
    const english = params[key];
    if (key.endsWith('@en') && typeof english === 'string' && english) params[key.slice(0, -'@en'.length)] = english;
  }
  return params;
}
