/**
 * The dialogue engine: one turn per inbound message.
 *
 * A turn deduplicates by (channel, message id), finds the speaker and their session,
 * runs the current flow step (or a global command), and commits in ONE transaction the
 * session, any pipeline change and the replies (as outbox rows). Messages of one chat
 * are processed strictly in order, one at a time; a sender who floods gets one polite
 * note per minute and nothing else.
 */
import { randomUUID } from 'node:crypto';
import type { Db, SqlTx } from '../db/client.js';
import { logger } from '../log.js';
import type { Locale, Role } from '../org/types.js';
import type { MessageAction } from '../pipeline/model.js';
import { type Clock, type PipelineService, systemClock, withSqlRetry } from '../pipeline/service.js';
import type { CategoryClassifier } from './classifier.js';
import { makeEffects } from './effects.js';
import { type OfferedChoice, offeredChoice } from './choices.js';
import { FloodGuard, type FloodVerdict } from './flood-guard.js';
import { dueHeld, forgetHeld, holdMessage, isHeld } from './held-messages.js';
import type { FlowInput, FlowReply, Speaker } from './flow.js';
import { actionOf, decodeSession, EMPTY_SESSION, encodeSession, runTurn, type TurnOutcome } from './runner.js';
import { normaliseText } from '../privacy.js';
import { render } from './i18n.js';
import { MAX_MEDIA, mediaOf } from './media.js';
import { DuplicateMessage, type KnownSpeaker, type ReplyRow, type SessionRow, type TurnStore, turnStoreFor } from './turn-store.js';
import type { Inbound, Outbound } from './types.js';

const log = logger('engine');

export interface EngineOptions {
  db: Db;
  pipeline: PipelineService;
  classifier: CategoryClassifier;
  clock?: Clock;
  /** Minutes of silence after which a half-finished conversation starts over. */
  sessionIdleMinutes?: number;
  /** Messages per minute one sender may send before the flood note. */
  floodPerMinute?: number;
  defaultLocale?: Locale;
}

/** Control characters (but not newlines or tabs) never reach a flow. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The longest text kept from one message; longer ones are answered with the limit. */
const HARD_LIMIT = 10_000;

export function cleanInput(inbound: Inbound): FlowInput {
  // Normalised on the way in (src/privacy.ts): full-width digits folded, invisible characters gone.
  const text = normaliseText((inbound.text ?? '').replace(CONTROL, '').slice(0, HARD_LIMIT + 1)).trim();
  return {
    text,
    action: inbound.action?.replace(CONTROL, '').slice(0, 200) ?? null,
    location: inbound.location ?? null,
    media: (inbound.media ?? []).slice(0, MAX_MEDIA),
  };
}

/** Runs `task` after every earlier task of the same key: one message of a chat at a time. */
class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}

export interface TurnResult {
  /** True when this message id was seen before: nothing was done. */
  duplicate: boolean;
  /** True when the sender was over the flood limit: the message is kept and processed later. */
  held?: boolean;
  replies: Outbound[];
}

/** The sender is over the flood limit: the turn is undone and the message kept for later. */
class HoldMessage extends Error {
  override readonly name = 'HoldMessage';
  constructor(
    /** The first over the limit this minute: the sender is told to slow down. */
    readonly warn: boolean,
  ) {
    super('over the flood limit');
  }
}

/**
 * The language a first message is written in: Chinese when it has Chinese characters,
 * English when it has English words (two, or a greeting), else unknown. Commands and codes
 * (/bind AB12CD34) say nothing.
 */
export function languageOf(text: string): Locale | null {
  if (/\p{Script=Han}/u.test(text)) return 'zh';
  const words = text.split(/\s+/).filter((w) => /^[A-Za-z][a-z]+[.,!?'’]*$/.test(w));
  if (words.length >= 2) return 'en';
  return words.length === 1 && /^(hello|hi|hey|help|thanks)[.,!?]*$/i.test(words[0] ?? '') ? 'en' : null;
}

/** How long a held message waits before it is tried again (the flood window). */
const HOLD_MS = 60_000;

export class Engine {
  readonly #db: Db;
  readonly #pipeline: PipelineService;
  readonly #classifier: CategoryClassifier;
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #defaultLocale: Locale;
  readonly #store: TurnStore;
  readonly #queue = new KeyedQueue();
  readonly #flood: FloodGuard;

  constructor(options: EngineOptions) {
    this.#db = options.db;
    this.#store = turnStoreFor(options.db);
    this.#pipeline = options.pipeline;
    this.#classifier = options.classifier;
    this.#clock = options.clock ?? systemClock;
    this.#idleMs = (options.sessionIdleMinutes ?? 30) * 60_000;
    this.#flood = new FloodGuard(options.floodPerMinute ?? 20);
    this.#defaultLocale = options.defaultLocale ?? 'zh';
  }

  /** Handles one inbound message; resolves with the replies to send to its chat. */
  handle(inbound: Inbound): Promise<TurnResult> {
    return this.#queue.run(`${inbound.channel}:${inbound.chatId}`, () => this.#turn(inbound, false));
  }

  /**
   * Processes messages held back while their senders were over the flood limit, once
   * their minute has passed (oldest first; one still over the limit waits again). Their
   * replies go out through the outbox. Resolves with how many were processed.
   */
  async releaseHeld(limit = 100): Promise<number> {
    const due = await dueHeld(this.#db, this.#clock.now(), limit);
    let processed = 0;
    for (const row of due) {
      const result = await this.#queue.run(`${row.inbound.channel}:${row.inbound.chatId}`, () => this.#turn(row.inbound, true));
      // Seen meanwhile (the platform delivered it again once the sender was under the limit).
      if (result.duplicate) await forgetHeld(this.#db, row.inbound);
      else if (!result.held) processed += 1;
    }
    return processed;
  }

  /** Records that replies (or pushes) went out. */
  async markSent(outboxIds: number[]): Promise<void> {
    if (!outboxIds.length) return;
    await this.#store.markSent(outboxIds, this.#clock.now());
  }

  /**
   * A message with choices was shown in a chat by the scheduler: "1", "2", 是的… now answer
   * it, as they would the last question (what the user sees last is what a number refers
   * to). A push always takes over; a turn's `reply` (sent late, after a crash) only when the
   * chat has been written no later message meanwhile (see SessionState.choicesFrom).
   */
  noteOffered(channel: string, chatId: string, personId: number, outboxId: number, choices: OfferedChoice[], reply = false): Promise<void> {
    if (!choices.length) return Promise.resolve();
    return this.#queue.run(`${channel}:${chatId}`, () => this.#store.offerChoices(channel, chatId, personId, choices, outboxId, reply, this.#clock.now()));
  }

  /**
   * One turn. A message seen before is a duplicate and counts for nothing (not towards
   * the flood limit either). A new message over the flood limit is not recorded as seen:
   * the turn is undone and the message held, to be processed after the window.
   * `released` is such a held message coming back: its replies go out through the outbox.
   */
  async #turn(inbound: Inbound, released: boolean): Promise<TurnResult> {
    const now = this.#clock.now();
    let verdict: FloodVerdict | undefined;
    try {
      return await withSqlRetry(this.#db, async (tx) => {
        // The unique key makes a re-delivered message fail here, before anything else.
        const inboundId = await this.#store.recordInbound(tx, inbound, now);
        if (released) await forgetHeld(tx, inbound);
        // A platform re-delivering a message held for later: a duplicate, not one more towards the limit.
        else if (verdict === undefined && this.#flood.over(inbound.channel, inbound.senderId, now.getTime()) && (await isHeld(tx, inbound))) {
          throw new DuplicateMessage(inbound.messageId);
        }
        // Counted once, however often the transaction is retried.
        verdict ??= this.#flood.check(inbound.channel, inbound.senderId, now.getTime());
        if (verdict !== 'ok') throw new HoldMessage(verdict === 'warn');
        const { speaker, session: stored } = await this.#speaker(tx, inbound, now);
        const { replies, session } = await this.#converse(tx, inbound, speaker, stored, now);
        const written = await this.#writeReplies(tx, inbound, speaker, replies, now, released ? null : inboundId);
        session.choicesFrom = written.at(-1)?.outboxId ?? session.choicesFrom;
        await this.#store.saveSession(tx, { channel: inbound.channel, chatId: inbound.chatId, personId: speaker.personId, ...encodeSession(session) }, now);
        return { duplicate: false, replies: released ? [] : written };
      });
    } catch (error) {
      if (error instanceof DuplicateMessage) {
        log.debug({ channel: inbound.channel, messageId: inbound.messageId }, 'duplicate message ignored');
        // Its answer may never have reached the sender (the page or the HTTP client resends
        // what was not answered): the replies it was given, again, and nothing done twice.
        return { duplicate: true, replies: inbound.repliesInAnswer ? await this.#repliesTo(inbound) : [] };
      }
      if (error instanceof HoldMessage) return this.#hold(inbound, now, error.warn && !released);
      throw error;
    }
  }

  /** Keeps a message over the flood limit for later; the first one of a minute gets a note. */
  async #hold(inbound: Inbound, now: Date, warn: boolean): Promise<TurnResult> {
    const replies = await withSqlRetry(this.#db, async (tx) => {
      const fresh = await holdMessage(tx, inbound, new Date(now.getTime() + HOLD_MS), now);
      if (!fresh || !warn) return [];
      const { speaker } = await this.#speaker(tx, inbound, now);
      return this.#writeReplies(tx, inbound, speaker, [{ key: 'input.flood' }], now, 0);
    });
    log.debug({ channel: inbound.channel, messageId: inbound.messageId }, 'message held: sender over the flood limit');
    return { duplicate: false, held: true, replies };
  }

  /**
   * The person behind a chat identity, with the chat's stored session (read with them); a
   * first contact becomes a new resident, answered in the language they wrote, with none.
   */
  async #speaker(tx: SqlTx, inbound: Inbound, now: Date): Promise<{ speaker: Speaker; session: SessionRow | null }> {
    const found = await this.#store.speaker(tx, inbound.channel, inbound.senderId, inbound.chatId);
    let known: KnownSpeaker;
    if (!found) {
      known = await this.#store.newSpeaker(
        tx,
        {
          code: `U-${inbound.channel}-${randomUUID().slice(0, 12)}`,
          name: (inbound.senderName ?? '').slice(0, 40) || '群众',
          locale: languageOf(inbound.text ?? '') ?? this.#defaultLocale,
        },
        { channel: inbound.channel, platformUserId: inbound.senderId, chatId: inbound.chatId },
        now,
      );
    } else {
      known = found.speaker;
      // Reachable again, used now; messages that had no reachable chat come to this one.
      await this.#store.arrived(tx, known, inbound.channel, inbound.chatId, now);
    }
    const speaker: Speaker = {
      personId: known.personId,
      locale: known.locale === 'en' ? 'en' : 'zh',
      roles: known.roles as Role[],
      hasHousehold: known.householdId !== null,
      householdPhone: known.householdPhone,
      inConversation: known.inConversation,
    };
    // A first contact's chat may still have a session (a chat shared by several identities).
    return { speaker, session: found ? found.session : await this.#store.session(tx, inbound.channel, inbound.chatId) };
  }

  /** Runs the turn's dialogue (runner.ts) on the stored session: the replies, and the session to save with them. */
  async #converse(tx: SqlTx, inbound: Inbound, speaker: Speaker, stored: SessionRow | null, now: Date): Promise<TurnOutcome> {
    const effects = makeEffects({ tx, pipeline: this.#pipeline, classifier: this.#classifier, speaker, inbound, now });
    return runTurn({
      session: stored ? decodeSession(stored) : EMPTY_SESSION,
      idle: stored !== null && now.getTime() - stored.lastSeenAt.getTime() > this.#idleMs,
      input: cleanInput(inbound),
      speaker,
      effects,
      answersInOne: inbound.answersInOne === true,
    });
  }

  /**
   * Replies become outbox rows. Answering `inboundId` (0 for a held message's note, null
   * for a message processed later), they go out at once through the adapter: written as
   * sent, in this transaction, on a channel whose answer carries them (the web, see
   * Inbound.repliesInAnswer), else held by the turn until the adapter confirms them.
   * Processed later, the scheduler sends them.
   */
  async #writeReplies(tx: SqlTx, inbound: Inbound, speaker: Speaker, replies: FlowReply[], now: Date, inboundId: number | null): Promise<Outbound[]> {
    const delivery: ReplyRow['delivery'] =
      inboundId === null
        ? { kind: 'queued' }
        : inbound.repliesInAnswer
          ? { kind: 'sent', inboundId: inboundId || null }
          : // The scheduler takes it over only if the adapter never confirms.
            { kind: 'held', holdUntil: new Date(now.getTime() + 60_000) };
    const out: Outbound[] = [];
    for (const reply of replies) {
      const actions = (reply.choices ?? []).map(actionOf);
      const params = reply.params ?? {};
      const media = reply.media ?? [];
      const outboxId = await this.#store.addReply(tx, {
        recipientId: speaker.personId,
        channel: inbound.channel,
        chatId: inbound.chatId,
        template: reply.key,
        params: JSON.stringify(params),
        actions: JSON.stringify(actions),
        media: JSON.stringify(media),
        at: now,
        delivery,
      });
      out.push(outbound(inbound, speaker.locale, { id: outboxId, template: reply.key, params, actions, media }));
    }
    return out;
  }

  /** The replies a message seen before was answered with, as they were sent. */
  async #repliesTo(inbound: Inbound): Promise<Outbound[]> {
    const rows = await this.#store.answeredWith(inbound);
    return rows.map((row) =>
      outbound(inbound, row.locale === 'en' ? 'en' : 'zh', {
        id: row.id,
        template: row.template,
        params: JSON.parse(row.params) as Record<string, unknown>,
        actions: JSON.parse(row.actions) as MessageAction[],
        media: JSON.parse(row.media) as string[],
      }),
    );
  }
}

/** A reply (outbox row `id`) as the adapter sends it, in its reader's language. */
function outbound(inbound: Inbound, locale: Locale, row: { id: number; template: string; params: Record<string, unknown>; actions: MessageAction[]; media: string[] }): Outbound {
  return {
    channel: inbound.channel,
    chatId: inbound.chatId,
    locale,
    outboxId: row.id,
    text: render(locale, row.template, row.params),
    choices: row.actions.map((a) => offeredChoice(a, locale)),
    ...(row.media.length ? { media: mediaOf(row.media) } : {}),
  };
}
