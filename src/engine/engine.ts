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
import type { MessageKey } from '../../flows/messages/zh.js';
import type { Db, Tx } from '../db/client.js';
import { logger } from '../log.js';
import type { Locale, Role } from '../org/types.js';
import type { MessageAction } from '../pipeline/model.js';
import { type Clock, type PipelineService, systemClock, withRetry } from '../pipeline/service.js';
import type { CategoryClassifier } from './classifier.js';
import { makeEffects } from './effects.js';
import { type OfferedChoice, matchChoice, offeredChoice } from './choices.js';
import { FloodGuard, type FloodVerdict } from './flood-guard.js';
import { dueHeld, forgetHeld, holdMessage, isHeld } from './held-messages.js';
import { CONFIDENT, type FlowChoice, type FlowInput, type FlowReply, hasWords, MAX_TEXT, type Speaker, type StepOutcome, type TurnContext } from './flow.js';
import { FLOWS, globalAction, globalCommand } from './flows.js';
import { normaliseText } from '../privacy.js';
import { render } from './i18n.js';
import { mediaOf } from './media.js';
import { DuplicateMessage, type ReplyRow, type TurnStore, turnStoreFor } from './turn-store.js';
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

/** A flow interrupted by a new request, waiting for 返回. */
interface Suspended {
  flow: string;
  step: string;
  data: Record<string, unknown>;
}

/** The saved state of a conversation. */
interface SessionState {
  flow: string | null;
  step: string | null;
  data: Record<string, unknown>;
  /** The choices offered last, as the reader saw them: "2", 是的 or a stale button can be told apart. */
  choices: OfferedChoice[];
  /**
   * The outbox id of the message that offered them. Choices only move forward: an older
   * message delivered late (re-sent after a crash, after the chat had moved on) leaves
   * them alone, or its buttons would replace those of the question being answered.
   */
  choicesFrom?: number;
  /** The step a new request interrupted (see Step.takes). */
  suspended?: Suspended;
}

const EMPTY_STATE: SessionState = { flow: null, step: null, data: {}, choices: [] };

/** Control characters (but not newlines or tabs) never reach a flow. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The longest text kept from one message; longer ones are answered with the limit. */
const HARD_LIMIT = 10_000;

/** A session's `data` column: the flow's data and the choices offered last (see SessionState). */
function sessionData(state: SessionState): string {
  return JSON.stringify({
    data: state.data,
    choices: state.choices,
    ...(state.choicesFrom === undefined ? {} : { choicesFrom: state.choicesFrom }),
    ...(state.suspended ? { suspended: state.suspended } : {}),
  });
}

/** The stored choices; sessions written before labels were kept hold payloads only. */
function storedChoices(value: unknown): OfferedChoice[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((c: unknown): OfferedChoice[] => {
    if (typeof c === 'string') return [{ payload: c, label: '' }];
    if (typeof c === 'object' && c !== null && 'payload' in c && typeof c.payload === 'string') {
      const label = 'label' in c && typeof c.label === 'string' ? c.label : '';
      const means = 'means' in c && (c.means === 'yes' || c.means === 'no' || c.means === 'skip') ? c.means : undefined;
      return [{ payload: c.payload, label, ...(means ? { means } : {}) }];
    }
    return [];
  });
}

export function cleanInput(inbound: Inbound): FlowInput {
  // Normalised on the way in (src/privacy.ts): full-width digits folded, invisible characters gone.
  const text = normaliseText((inbound.text ?? '').replace(CONTROL, '').slice(0, HARD_LIMIT + 1)).trim();
  return {
    text,
    action: inbound.action?.replace(CONTROL, '').slice(0, 200) ?? null,
    location: inbound.location ?? null,
    media: (inbound.media ?? []).slice(0, 9),
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

/** Roles that handle tickets or work for the township: free text from them is not assumed to be a request. */
function isStaff(speaker: Speaker): boolean {
  return speaker.roles.some((r) => r !== 'resident');
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
      return await withRetry(this.#db, async (tx) => {
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
        const speaker = await this.#speaker(tx, inbound, now);
        const replies: FlowReply[] = [];
        const state = await this.#converse(tx, inbound, speaker, replies, now);
        const written = await this.#writeReplies(tx, inbound, speaker, replies, now, released ? null : inboundId);
        state.choicesFrom = written.at(-1)?.outboxId ?? state.choicesFrom;
        const session = { channel: inbound.channel, chatId: inbound.chatId, personId: speaker.personId, flow: state.flow, step: state.step, data: sessionData(state) };
        await this.#store.saveSession(tx, session, now);
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
    const replies = await withRetry(this.#db, async (tx) => {
      const fresh = await holdMessage(tx, inbound, new Date(now.getTime() + HOLD_MS), now);
      if (!fresh || !warn) return [];
      const speaker = await this.#speaker(tx, inbound, now);
      return this.#writeReplies(tx, inbound, speaker, [{ key: 'input.flood' }], now, 0);
    });
    log.debug({ channel: inbound.channel, messageId: inbound.messageId }, 'message held: sender over the flood limit');
    return { duplicate: false, held: true, replies };
  }

  /** The person behind a chat identity; a first contact becomes a new resident, answered in the language they wrote. */
  async #speaker(tx: Tx, inbound: Inbound, now: Date): Promise<Speaker> {
    let known = await this.#store.speaker(tx, inbound.channel, inbound.senderId);
    if (!known) {
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
      // Reachable again, used now; messages that had no reachable chat come to this one.
      await this.#store.arrived(tx, known, inbound.channel, inbound.chatId, now);
    }
    return {
      personId: known.personId,
      locale: known.locale === 'en' ? 'en' : 'zh',
      roles: known.roles as Role[],
      hasHousehold: known.householdId !== null,
      householdPhone: known.householdPhone,
      inConversation: known.inConversation,
    };
  }

  /** Runs the turn's dialogue: fills `replies`, returns the conversation's new state (saved with the replies' ids). */
  async #converse(tx: Tx, inbound: Inbound, speaker: Speaker, replies: FlowReply[], now: Date): Promise<SessionState> {
    const input = cleanInput(inbound);
    const stored = await this.#store.session(tx, inbound.channel, inbound.chatId);
    const saved = stored ? (JSON.parse(stored.data) as { data?: Record<string, unknown>; choices?: unknown; choicesFrom?: number; suspended?: Suspended }) : undefined;
    let state: SessionState =
      stored && saved
        ? {
            flow: stored.flow,
            step: stored.step,
            data: saved.data ?? {},
            choices: storedChoices(saved.choices),
            ...(saved.choicesFrom === undefined ? {} : { choicesFrom: saved.choicesFrom }),
            ...(saved.suspended ? { suspended: saved.suspended } : {}),
          }
        : { ...EMPTY_STATE };
    const lasting = state.flow !== null && FLOWS[state.flow]?.expires === false;
    if (stored && !lasting && (state.flow || state.suspended) && now.getTime() - stored.lastSeenAt.getTime() > this.#idleMs) {
      if (state.flow) replies.push({ key: 'session.expired' });
      state = { ...EMPTY_STATE };
    }
    const effects = makeEffects({ tx, pipeline: this.#pipeline, classifier: this.#classifier, speaker, inbound, now });
    const say = (key: MessageKey, params?: FlowReply['params'], choices?: FlowChoice[], media?: string[]) => {
      replies.push({ key, ...(params ? { params } : {}), ...(choices ? { choices } : {}), ...(media?.length ? { media } : {}) });
    };
    const ctx = (data: Record<string, unknown>): TurnContext => ({ input, speaker, data, effects, say });

    // A typed command first (取消, 返回, 我的诉求…); then a typed answer to the choices
    // offered last, matched in one place (see choices.ts): a number, the title, 是的…
    let global = input.action ? globalAction(input.action) : globalCommand(input.text);
    if (!global && !input.action && input.text && state.choices.length) {
      const match = matchChoice(input.text, state.choices);
      if (match.kind === 'choice') {
        input.action = match.payload;
        global = globalAction(match.payload);
      } else if (match.kind === 'out_of_range') {
        replies.push({ key: 'input.no_such_choice', params: { count: match.count } });
        input.action = '';
      }
    }

    /** Enters a flow at its first step and asks it. */
    const startFlow = async (flowId: string, data: Record<string, unknown> = {}): Promise<void> => {
      const flow = FLOWS[flowId];
      if (!flow) throw new Error(`no flow ${flowId}`);
      // `_step` enters further in (a rating chosen on the push goes straight to the comment).
      const first = typeof data['_step'] === 'string' && flow.steps[data['_step']] ? data['_step'] : flow.first;
      state = { flow: flowId, step: first, data, choices: [], ...(state.suspended ? { suspended: state.suspended } : {}) };
      const step = flow.steps[first];
      await step?.ask(ctx(state.data));
    };
    const follow = async (outcome: StepOutcome): Promise<void> => {
      const flow = state.flow ? FLOWS[state.flow] : undefined;
      if ('start' in outcome) return startFlow(outcome.start, outcome.data);
      if ('done' in outcome || !flow) {
        state = { ...EMPTY_STATE, ...(state.suspended ? { suspended: state.suspended } : {}) };
        return;
      }
      if ('next' in outcome) state.step = outcome.next;
      const step = flow.steps[state.step ?? ''];
      // Moving on asks the next question; staying asks again unless the step just offered
      // its choices, or stays quietly (a conversation with staff carries on).
      const quiet = 'stay' in outcome && outcome.quiet === true;
      if ('next' in outcome || (!quiet && !replies.at(-1)?.choices?.length)) await step?.ask(ctx(state.data));
    };
    /**
     * A text that is a new request. A resident's starts a report with it (a step it
     * interrupts waits for 返回); staff and liaisons are asked first, since what they
     * type is often meant for a ticket of theirs.
     */
    const newRequest = async (interrupts: boolean): Promise<void> => {
      if (isStaff(speaker)) {
        state = { ...EMPTY_STATE };
        await startFlow('offer_report', { text: input.text });
        return;
      }
      // With a conversation open, what they say goes to the staff they are talking with.
      if (speaker.inConversation) {
        state = { flow: 'human', step: 'talk', data: {}, choices: [] };
        await follow(await FLOWS['human']!.steps['talk']!.answer(ctx(state.data)));
        return;
      }
      if (interrupts && state.flow && state.step) {
        state.suspended = { flow: state.flow, step: state.step, data: state.data };
        replies.push({ key: 'report.new_request' });
      }
      state = { flow: 'report', step: 'describe', data: {}, choices: [], ...(state.suspended ? { suspended: state.suspended } : {}) };
      await follow(await FLOWS['report']!.steps['describe']!.answer(ctx(state.data)));
    };
    /** Whether a text reads like a request of its own: words the matcher places in a category. */
    const readsLikeRequest = (): boolean => {
      if (!hasWords(input.text) || input.text.length > MAX_TEXT) return false;
      const guess = this.#classifier.classify(input.text);
      return guess.code !== 'other' && guess.confidence >= CONFIDENT;
    };

    const currentStep = state.flow && state.step ? FLOWS[state.flow]?.steps[state.step] : undefined;
    const offered = !global && input.action !== null && input.action !== '' && state.choices.some((c) => c.payload === input.action);

    if (input.action === '') {
      // A number that matched no choice: already answered; ask again.
      if (currentStep) await currentStep.ask(ctx(state.data));
    } else if (currentStep && offered) {
      await follow(await currentStep.answer(ctx(state.data)));
    } else if (global) {
      const interrupted = currentStep !== undefined;
      const outcome = await global(ctx(state.data), speaker);
      if (outcome === 'cancel') {
        replies.push({ key: interrupted ? 'session.cancelled' : 'session.nothing_to_cancel' });
        state = { ...EMPTY_STATE };
      } else if (outcome === 'back') {
        const back = state.suspended;
        if (back && FLOWS[back.flow]?.steps[back.step]) {
          // Back to the step a new request interrupted.
          state = { flow: back.flow, step: back.step, data: back.data, choices: [] };
          replies.push({ key: 'session.resumed' });
          await FLOWS[back.flow]!.steps[back.step]!.ask(ctx(state.data));
        } else if (currentStep) await currentStep.ask(ctx(state.data));
        else replies.push({ key: 'session.nothing_to_cancel' });
      } else if (outcome === 'menu') {
        state = { ...EMPTY_STATE };
        replies.push(...menu(speaker, 'menu.greeting'));
      } else if (outcome === 'done') {
        state = { ...EMPTY_STATE };
      } else if (outcome === 'stay') {
        // A one-off (help, accept, a stale button): then carry on where the user was.
        if (currentStep) await currentStep.ask(ctx(state.data));
      } else {
        await startFlow(outcome.start, outcome.data);
      }
    } else if (input.action) {
      replies.push({ key: 'input.stale_choice' });
      if (currentStep) await currentStep.ask(ctx(state.data));
    } else if (currentStep) {
      const takes = currentStep.takes ?? 'text';
      if (takes === 'view' && (hasWords(input.text) || input.media.length)) await newRequest(false);
      else if (takes === 'choice' && !input.media.length && readsLikeRequest()) await newRequest(true);
      else await follow(await currentStep.answer(ctx(state.data)));
    } else if ((input.text && hasWords(input.text)) || (input.media.length && !isStaff(speaker))) {
      // Words (or a voice note, a photo) with nothing going on are a request.
      await newRequest(false);
    } else {
      replies.push(...menu(speaker, input.text === '' && !input.media.length ? 'input.empty_menu' : 'menu.greeting'));
    }

    if (!state.flow) {
      if (state.suspended && !replies.some((r) => r.key === 'session.resumed')) replies.push({ key: 'session.suspended_waiting' });
      const last = replies.at(-1);
      if (!last?.choices?.length) replies.push(...menu(speaker, 'menu.more'));
    }
    state.choices = (replies.at(-1)?.choices ?? []).map((c) => offeredChoice(actionOf(c), speaker.locale));
    // The last id known, whatever the state became (a reset keeps it).
    if (saved?.choicesFrom !== undefined) state.choicesFrom = saved.choicesFrom;
    return state;
  }

  /**
   * Replies become outbox rows. Answering `inboundId` (0 for a held message's note, null
   * for a message processed later), they go out at once through the adapter: written as
   * sent, in this transaction, on a channel whose answer carries them (the web, see
   * Inbound.repliesInAnswer), else held by the turn until the adapter confirms them.
   * Processed later, the scheduler sends them.
   */
  async #writeReplies(tx: Tx, inbound: Inbound, speaker: Speaker, replies: FlowReply[], now: Date, inboundId: number | null): Promise<Outbound[]> {
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
    const { channel, chatId, messageId } = inbound;
    const seen = await this.#db.inboundMessage.findUnique({ where: { channel_chatId_messageId: { channel, chatId, messageId } }, select: { id: true } });
    if (!seen) return [];
    const rows = await this.#db.outboxMessage.findMany({
      where: { inboundId: seen.id },
      orderBy: { id: 'asc' },
      include: { recipient: { select: { locale: true } } },
    });
    return rows.map((row) =>
      outbound(inbound, row.recipient.locale === 'en' ? 'en' : 'zh', {
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
function outbound(
  inbound: Inbound,
  locale: Locale,
  row: { id: number; template: string; params: Record<string, unknown>; actions: MessageAction[]; media: string[] },
): Outbound {
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

/** A flow's choice as stored with its message. */
function actionOf(choice: FlowChoice): MessageAction {
  const base = typeof choice.label === 'string' ? { label: choice.label, payload: choice.payload } : { label: choice.label.text, payload: choice.payload, literal: true };
  return choice.means ? { ...base, means: choice.means } : base;
}

/** The main menu for this speaker. */
function menu(speaker: Speaker, key: MessageKey): FlowReply[] {
  const handles = speaker.roles.some((r) => r === 'liaison' || r === 'grid_leader' || r === 'department_handler');
  const choices: FlowChoice[] = [
    { label: 'menu.report', payload: 'menu:report' },
    { label: 'menu.list', payload: 'menu:list' },
  ];
  if (handles) choices.unshift({ label: 'menu.queue', payload: 'menu:queue' });
  if (!handles && !speaker.hasHousehold) choices.push({ label: 'menu.register', payload: 'menu:register' });
  if (!handles) choices.push({ label: 'menu.human', payload: 'menu:human' });
  choices.push({ label: 'menu.help', payload: 'menu:help' });
  return [{ key, choices }];
}
