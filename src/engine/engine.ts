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
import { FloodGuard } from './flood-guard.js';
import type { FlowChoice, FlowInput, FlowReply, Speaker, StepOutcome, TurnContext } from './flow.js';
import { FLOWS, globalAction, globalCommand } from './flows.js';
import { render } from './i18n.js';
import { DuplicateMessage, type TurnStore, turnStoreFor } from './turn-store.js';
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

/** The saved state of a conversation. */
interface SessionState {
  flow: string | null;
  step: string | null;
  data: Record<string, unknown>;
  /** The choices offered last, so "2" or a stale button can be told apart. */
  choices: string[];
  /**
   * The outbox id of the message that offered them. Choices only move forward: an older
   * message delivered late (re-sent after a crash, after the chat had moved on) leaves
   * them alone, or its buttons would replace those of the question being answered.
   */
  choicesFrom?: number;
}

const EMPTY_STATE: SessionState = { flow: null, step: null, data: {}, choices: [] };

/** Control characters (but not newlines or tabs) never reach a flow. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The longest text kept from one message; longer ones are answered with the limit. */
const HARD_LIMIT = 10_000;

/** A session's `data` column: the flow's data and the choices offered last (see SessionState). */
function sessionData(state: SessionState): string {
  return JSON.stringify({ data: state.data, choices: state.choices, ...(state.choicesFrom === undefined ? {} : { choicesFrom: state.choicesFrom }) });
}

export function cleanInput(inbound: Inbound): FlowInput {
  const text = (inbound.text ?? '').replace(CONTROL, '').slice(0, HARD_LIMIT + 1).trim();
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
  replies: Outbound[];
}

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
    return this.#queue.run(`${inbound.channel}:${inbound.chatId}`, () => this.#turn(inbound));
  }

  /** Records that replies (or pushes) went out. */
  async markSent(outboxIds: number[]): Promise<void> {
    if (!outboxIds.length) return;
    await this.#store.markSent(outboxIds, this.#clock.now());
  }

  /**
   * A push with choices was shown in a chat: "1", "2"… now answer it, as they would
   * the last question (what the user sees last is what a number refers to), unless the
   * chat has been written a later message meanwhile (see SessionState.choicesFrom).
   */
  noteOffered(channel: string, chatId: string, personId: number, outboxId: number, payloads: string[]): Promise<void> {
    if (!payloads.length) return Promise.resolve();
    return this.#queue.run(`${channel}:${chatId}`, () => this.#store.offerChoices(channel, chatId, personId, payloads, outboxId, this.#clock.now()));
  }

  async #turn(inbound: Inbound): Promise<TurnResult> {
    const now = this.#clock.now();
    const flood = this.#flood.check(inbound.channel, inbound.senderId, now.getTime());
    try {
      return await withRetry(this.#db, async (tx) => {
        // The unique key makes a re-delivered message fail here, before anything else.
        await this.#store.recordInbound(tx, inbound, now);
        if (flood === 'drop') return { duplicate: false, replies: [] };
        const speaker = await this.#speaker(tx, inbound, now);
        if (flood === 'warn') return { duplicate: false, replies: await this.#writeReplies(tx, inbound, speaker, [{ key: 'input.flood' }], now) };
        const replies: FlowReply[] = [];
        const state = await this.#converse(tx, inbound, speaker, replies, now);
        const written = await this.#writeReplies(tx, inbound, speaker, replies, now);
        state.choicesFrom = written.at(-1)?.outboxId ?? state.choicesFrom;
        const session = { channel: inbound.channel, chatId: inbound.chatId, personId: speaker.personId, flow: state.flow, step: state.step, data: sessionData(state) };
        await this.#store.saveSession(tx, session, now);
        return { duplicate: false, replies: written };
      });
    } catch (error) {
      if (error instanceof DuplicateMessage) {
        log.debug({ channel: inbound.channel, messageId: inbound.messageId }, 'duplicate message ignored');
        return { duplicate: true, replies: [] };
      }
      throw error;
    }
  }

  /** The person behind a chat identity; a first contact becomes a new resident. */
  async #speaker(tx: Tx, inbound: Inbound, now: Date): Promise<Speaker> {
    let known = await this.#store.speaker(tx, inbound.channel, inbound.senderId);
    if (!known) {
      known = await this.#store.newSpeaker(
        tx,
        { code: `U-${inbound.channel}-${randomUUID().slice(0, 12)}`, name: (inbound.senderName ?? '').slice(0, 40) || '群众', locale: this.#defaultLocale },
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
    };
  }

  /** Runs the turn's dialogue: fills `replies`, returns the conversation's new state (saved with the replies' ids). */
  async #converse(tx: Tx, inbound: Inbound, speaker: Speaker, replies: FlowReply[], now: Date): Promise<SessionState> {
    const input = cleanInput(inbound);
    const stored = await this.#store.session(tx, inbound.channel, inbound.chatId);
    const saved = stored ? (JSON.parse(stored.data) as Pick<SessionState, 'data' | 'choices' | 'choicesFrom'>) : undefined;
    let state: SessionState = stored && saved ? { flow: stored.flow, step: stored.step, ...saved } : { ...EMPTY_STATE };
    if (stored && state.flow && now.getTime() - stored.lastSeenAt.getTime() > this.#idleMs) {
      replies.push({ key: 'session.expired' });
      state = { ...EMPTY_STATE };
    }
    // "2" answers the second choice offered last.
    if (!input.action && /^\d{1,2}$/.test(input.text) && state.choices.length) {
      const picked = state.choices[Number(input.text) - 1];
      if (picked) input.action = picked;
      else {
        replies.push({ key: 'input.no_such_choice', params: { count: state.choices.length } });
        input.action = '';
      }
    }
    const effects = makeEffects({ tx, pipeline: this.#pipeline, classifier: this.#classifier, speaker, inbound, now });
    const say = (key: MessageKey, params?: FlowReply['params'], choices?: FlowChoice[]) => {
      replies.push({ key, ...(params ? { params } : {}), ...(choices ? { choices } : {}) });
    };
    const ctx = (data: Record<string, unknown>): TurnContext => ({ input, speaker, data, effects, say });

    /** Enters a flow at its first step and asks it. */
    const startFlow = async (flowId: string, data: Record<string, unknown> = {}): Promise<void> => {
      const flow = FLOWS[flowId];
      if (!flow) throw new Error(`no flow ${flowId}`);
      // `_step` enters further in (a rating chosen on the push goes straight to the comment).
      const first = typeof data['_step'] === 'string' && flow.steps[data['_step']] ? data['_step'] : flow.first;
      state = { flow: flowId, step: first, data, choices: [] };
      const step = flow.steps[first];
      await step?.ask(ctx(state.data));
    };
    const follow = async (outcome: StepOutcome): Promise<void> => {
      const flow = state.flow ? FLOWS[state.flow] : undefined;
      if ('start' in outcome) return startFlow(outcome.start, outcome.data);
      if ('done' in outcome || !flow) {
        state = { ...EMPTY_STATE };
        return;
      }
      if ('next' in outcome) state.step = outcome.next;
      const step = flow.steps[state.step ?? ''];
      // Moving on asks the next question; staying asks again unless the step just offered its choices.
      if ('next' in outcome || !replies.at(-1)?.choices?.length) await step?.ask(ctx(state.data));
    };

    const currentStep = state.flow && state.step ? FLOWS[state.flow]?.steps[state.step] : undefined;
    // Buttons that name a ticket (accept, rate, view…) work from anywhere, offered or not.
    const global = input.action ? globalAction(input.action) : globalCommand(input.text);
    const offered = !global && input.action !== null && input.action !== '' && state.choices.includes(input.action);

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
        if (currentStep) await currentStep.ask(ctx(state.data));
        else replies.push({ key: 'session.nothing_to_cancel' });
      } else if (outcome === 'menu') {
        state = { ...EMPTY_STATE };
        replies.push(...menu(speaker, 'menu.greeting'));
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
      await follow(await currentStep.answer(ctx(state.data)));
    } else if (speaker.roles.some((r) => r !== 'resident') || !input.text) {
      replies.push(...menu(speaker, input.text === '' && !input.media.length ? 'input.empty_menu' : 'menu.greeting'));
    } else {
      // A resident's first words are their request: the report starts with them answered.
      state = { flow: 'report', step: 'describe', data: {}, choices: [] };
      await follow(await FLOWS['report']!.steps['describe']!.answer(ctx(state.data)));
    }

    if (!state.flow) {
      const last = replies.at(-1);
      if (!last?.choices?.length) replies.push(...menu(speaker, 'menu.more'));
    }
    state.choices = replies.at(-1)?.choices?.map((c) => c.payload) ?? [];
    // The last id known, whatever the state became (a reset keeps it).
    if (saved?.choicesFrom !== undefined) state.choicesFrom = saved.choicesFrom;
    return state;
  }

  /** Replies become outbox rows held by this turn, delivered at once by the adapter. */
  async #writeReplies(tx: Tx, inbound: Inbound, speaker: Speaker, replies: FlowReply[], now: Date): Promise<Outbound[]> {
    const out: Outbound[] = [];
    for (const reply of replies) {
      const actions: MessageAction[] = (reply.choices ?? []).map((c) =>
        typeof c.label === 'string' ? { label: c.label, payload: c.payload } : { label: c.label.text, payload: c.payload, literal: true },
      );
      const outboxId = await this.#store.addReply(tx, {
        recipientId: speaker.personId,
        channel: inbound.channel,
        chatId: inbound.chatId,
        template: reply.key,
        params: JSON.stringify(reply.params ?? {}),
        actions: JSON.stringify(actions),
        at: now,
        // Held by the turn: the scheduler takes it over only if the adapter never confirms.
        holdUntil: new Date(now.getTime() + 60_000),
      });
      out.push({
        channel: inbound.channel,
        chatId: inbound.chatId,
        locale: speaker.locale,
        outboxId,
        text: render(speaker.locale, reply.key, reply.params ?? {}),
        choices: actions.map((a) => ({ label: a.literal ? a.label : render(speaker.locale, a.label), payload: a.payload })),
      });
    }
    return out;
  }
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
  choices.push({ label: 'menu.help', payload: 'menu:help' });
  return [{ key, choices }];
}
