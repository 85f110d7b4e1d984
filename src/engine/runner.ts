/**
 * The turn runner: a session and one message in, the replies and the next session out.
 * It performs no I/O of its own — what a flow needs from the world it asks through the
 * `Effects` it is given — so a flow is tested with a fake of them and no database. The
 * engine (engine.ts) is the thin runner around it that reads and saves the session, in
 * the turn's transaction, with the replies.
 */
import type { MessageKey } from '../../flows/messages/zh.js';
import type { MessageAction } from '../pipeline/model.js';
import { opensAnotherMatter } from './classifier.js';
import { answerWithWords, corrects, isChoiceMeaning, matchBeside, type OfferedChoice, offeredChoice, smallTalk, takesReason, urgesOffered } from './choices.js';
import {
  CONFIDENT,
  type Effects,
  type Flow,
  type FlowChoice,
  type FlowData,
  type FlowInput,
  type FlowReply,
  type FlowStart,
  hasWords,
  MAX_TEXT,
  SKIP_PAYLOAD,
  type Speaker,
  type Step,
  type StepOutcome,
  type StepTakes,
  type StepRef,
  type TurnContext,
} from './flow.js';
import { FLOWS, type FlowSet, ticketOfPayload } from './flows.js';
import { render } from './i18n.js';

/** A flow interrupted by a new request, waiting for 返回. */
interface Suspended {
  flow: string;
  step: string;
  data: FlowData;
}

/** The state of a conversation between turns. */
export interface SessionState {
  flow: string | null;
  step: string | null;
  /** The current flow's data, as its schema parsed it. */
  data: FlowData;
  /** The choices offered last, as the reader saw them: "2", 是的 or a stale button can be told apart. */
  choices: OfferedChoice[];
  /**
   * The outbox id of the message that offered them. Choices only move forward: an older
   * message delivered late (re-sent after a crash, after the chat had moved on) leaves
   * them alone, or its buttons would replace those of the question being answered.
   */
  choicesFrom?: number;
  /**
   * The choices of a push (a reminder, a rating request) shown while a flow was asking its
   * own question. They do not replace the step's choices: a villager half-way through a
   * report who types 是的 means the report. A text matching only a push's choices answers
   * the push; one matching both is asked about (see `matchTyped`).
   */
  pushed?: OfferedChoice[];
  /** The step a new request interrupted (see Step.takes). */
  suspended?: Suspended;
}

export const EMPTY_SESSION: SessionState = { flow: null, step: null, data: {}, choices: [] };

/** A step of a flow, by id; an id that is not one of its own steps (a stale session, `constructor`) is none. */
function stepOf(flow: Flow, id: string): Step<FlowData, string> | undefined {
  return Object.hasOwn(flow.steps, id) ? flow.steps[id] : undefined;
}

/**
 * A flow's place as stored, checked: the flow and step still exist and the data still
 * parses by the flow's schema (old sessions keep their shape: fields a flow no longer
 * knows, such as the `_step` of earlier versions, are dropped). Anything else starts over.
 */
function place(flows: FlowSet, flowId: string | null, stepId: string | null, data: unknown): Pick<SessionState, 'flow' | 'step' | 'data'> | null {
  const flow = flowId === null ? undefined : flows.byId.get(flowId);
  if (!flow || stepId === null || !stepOf(flow, stepId)) return null;
  const parsed = flow.data.safeParse(data ?? {});
  return parsed.success ? { flow: flow.id, step: stepId, data: parsed.data } : null;
}

/** The stored choices; sessions written before labels were kept hold payloads only. */
function storedChoices(value: unknown): OfferedChoice[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((c: unknown): OfferedChoice[] => {
    if (typeof c === 'string') return [{ payload: c, label: '' }];
    if (typeof c === 'object' && c !== null && 'payload' in c && typeof c.payload === 'string') {
      const label = 'label' in c && typeof c.label === 'string' ? c.label : '';
      const means = 'means' in c && isChoiceMeaning(c.means) ? c.means : undefined;
      return [{ payload: c.payload, label, ...(means ? { means } : {}) }];
    }
    return [];
  });
}

/** A session as stored (the `ChatSession` row's flow, step and `data` JSON), read back. */
export function decodeSession(row: { flow: string | null; step: string | null; data: string }, flows: FlowSet = FLOWS): SessionState {
  const saved = JSON.parse(row.data) as {
    data?: unknown;
    choices?: unknown;
    choicesFrom?: unknown;
    pushed?: unknown;
    suspended?: { flow?: unknown; step?: unknown; data?: unknown };
  };
  const current = row.flow === null ? null : place(flows, row.flow, row.step, saved.data);
  const held = saved.suspended;
  const suspended = held && typeof held.flow === 'string' && typeof held.step === 'string' ? place(flows, held.flow, held.step, held.data) : null;
  return {
    ...(current ?? EMPTY_SESSION),
    choices: storedChoices(saved.choices),
    ...(typeof saved.choicesFrom === 'number' ? { choicesFrom: saved.choicesFrom } : {}),
    ...(storedChoices(saved.pushed).length ? { pushed: storedChoices(saved.pushed) } : {}),
    ...(suspended?.flow && suspended.step ? { suspended: { flow: suspended.flow, step: suspended.step, data: suspended.data } } : {}),
  };
}

/** A session's row: its `data` column holds the flow's data and the choices offered last (see SessionState). */
export function encodeSession(state: SessionState): { flow: string | null; step: string | null; data: string } {
  const data = JSON.stringify({
    data: state.data,
    choices: state.choices,
    ...(state.choicesFrom === undefined ? {} : { choicesFrom: state.choicesFrom }),
    ...(state.pushed?.length ? { pushed: state.pushed } : {}),
    ...(state.suspended ? { suspended: state.suspended } : {}),
  });
  return { flow: state.flow, step: state.step, data };
}

/** A flow's choice as stored with its message. */
export function actionOf(choice: FlowChoice): MessageAction {
  const base = typeof choice.label === 'string' ? { label: choice.label, payload: choice.payload } : { label: choice.label.text, payload: choice.payload, literal: true };
  return choice.means ? { ...base, means: choice.means } : base;
}

/** Roles that handle tickets or work for the township: free text from them is not assumed to be a request. */
function isStaff(speaker: Speaker): boolean {
  return speaker.roles.some((r) => r !== 'resident');
}

/** A move the step did not declare (Step.next, ends, starts) is a mistake in the flow, not in the message. */
function checkMove(flow: Flow, stepId: string, step: Step<FlowData, string>, outcome: StepOutcome): void {
  const declared =
    'next' in outcome
      ? (step.next ?? []).includes(outcome.next)
      : 'done' in outcome
        ? step.ends === true
        : 'start' in outcome
          ? (step.starts ?? []).includes(outcome.start.flow)
          : true;
  if (!declared) throw new Error(`flow ${flow.id}: step ${stepId} moved to ${JSON.stringify(outcome)}, which it does not declare`);
}

/** One turn's input. */
export interface Turn {
  session: SessionState;
  /** The session has been silent longer than the idle limit: a half-finished flow starts over. */
  idle: boolean;
  input: FlowInput;
  speaker: Speaker;
  effects: Effects;
  /** The message came on a channel where every message costs: a choice and the words after it are one answer (Inbound.answersInOne). */
  answersInOne?: boolean;
  /** The flows it plays: the app's unless a test gives its own. */
  flows?: FlowSet;
}

/** One turn's result: what to say, and the session to keep. */
export interface TurnOutcome {
  replies: FlowReply[];
  session: SessionState;
}

/** Plays one turn: a global command, an answer to the current step, or a new request. */
export async function runTurn(turn: Turn): Promise<TurnOutcome> {
  const { speaker, effects, flows = FLOWS } = turn;
  const input: FlowInput = { ...turn.input };
  const replies: FlowReply[] = [];
  const choicesFrom = turn.session.choicesFrom;
  // A copy: the runner never changes what it was given.
  let state: SessionState = structuredClone(turn.session);
  let pushed = state.pushed ?? [];
  delete state.pushed;
  const flowOf = (id: string | null): Flow | undefined => (id === null ? undefined : flows.byId.get(id));
  if (turn.idle && flowOf(state.flow)?.expires !== false && (state.flow || state.suspended)) {
    if (state.flow) replies.push({ key: 'session.expired' });
    state = { ...EMPTY_SESSION };
  }
  /** What the step `at` is at takes (Step.takes); null with no step pending. */
  const takesOf = (at: SessionState): StepTakes | null => {
    const flow = flowOf(at.flow);
    const step = flow && at.step !== null ? stepOf(flow, at.step) : undefined;
    if (!step) return null;
    return typeof step.takes === 'function' ? step.takes(at.data) : (step.takes ?? 'text');
  };
  const currentFlow = flowOf(state.flow);
  const currentStep = currentFlow && state.step !== null ? stepOf(currentFlow, state.step) : undefined;
  const currentTakes = takesOf(state);
  // With no question pending, a push's choices are simply what was shown last: "1" or
  // 满意 answers them. With one pending, they stand beside its choices (see `pushed`).
  if (!currentStep && pushed.length) {
    state.choices = pushed;
    pushed = [];
  }
  const say = (key: MessageKey, params?: FlowReply['params'], choices?: FlowChoice[], media?: string[]) => {
    replies.push({ key, ...(params ? { params } : {}), ...(choices ? { choices } : {}), ...(media?.length ? { media } : {}) });
  };
  const ctx = (data: FlowData): TurnContext => ({ input, speaker, data, effects, say });
  const keepSuspended = (): Pick<SessionState, 'suspended'> => (state.suspended ? { suspended: state.suspended } : {});

  // A typed command first (取消, 返回, 我的诉求…); then a typed answer to the choices
  // offered last, matched in one place (see choices.ts): a number, the title, 是的…
  let global = input.action ? flows.action(input.action) : flows.command(input.text);
  // 催办 typed at a ticket that offers it urges that ticket, rather than asking which (the urge flow's words).
  if (global && !input.action && urgesOffered(input.text, [...state.choices, ...pushed])) global = null;
  let askedWhich = false;
  // The words typed after a choice: on a channel that answers in one message after its
  // number ("3 路灯还是不亮"), on any after a rating (不满意，路灯还是不亮: its reason). They
  // answer the inline step the choice leads to (Step.inline: the rating's comment).
  let carried: { head: string; words: string } | null = null;
  if (input.action && pushed.some((c) => c.payload === input.action)) pushed = [];
  if (!global && !input.action && input.text && (state.choices.length || pushed.length)) {
    let match = matchBeside(input.text, state.choices, pushed);
    // Not over a step that takes text: there "1 组 张家门口" is its answer, as on any channel.
    const withWords = match.kind === 'none' && currentTakes !== 'text' ? answerWithWords(input.text) : null;
    const headed = withWords && matchBeside(withWords.head, state.choices, pushed);
    const chosen = headed?.kind === 'choice' ? [...state.choices, ...pushed].find((c) => c.payload === headed.payload) : undefined;
    if (withWords && headed?.kind === 'choice' && ((turn.answersInOne && /^\d+$/.test(withWords.head)) || takesReason(chosen?.means))) {
      match = headed;
      carried = withWords;
    }
    if (match.kind === 'both') {
      // Both the pending question and the push could be meant: the choice is the reader's.
      const which = (key: 'input.which_push' | 'input.which_own', choice: OfferedChoice, about: Record<string, string> = {}): FlowChoice => ({
        label: { text: render(speaker.locale, key, { label: choice.label, ...about }) },
        payload: choice.payload,
      });
      // A push's button alone (签收, 满意) says nothing of which request it is about: its number and short title do.
      const number = ticketOfPayload(match.pushed.payload);
      const ticket = number ? await effects.ticket(number) : null;
      const about: Record<string, string> = ticket ? { number: ticket.number, title: ticket.summary.slice(0, 16) } : {};
      replies.push({
        key: 'input.which_message',
        params: { text: input.text },
        choices: [which('input.which_push', match.pushed, about), which('input.which_own', match.own)],
      });
      askedWhich = true;
      pushed = [];
    } else if (match.kind === 'choice') {
      input.action = match.payload;
      global = flows.action(match.payload);
      if (match.pushed) pushed = [];
    } else if (match.kind === 'out_of_range') {
      replies.push({ key: 'input.no_such_choice', params: { count: match.count } });
      input.action = '';
    }
  }

  /** Enters a flow with its data parsed by its schema, at its first step (or `at`), and asks it. */
  const startFlow = async (start: FlowStart): Promise<void> => {
    const flow = flowOf(start.flow);
    const at = start.at ?? flow?.first ?? '';
    const step = flow && stepOf(flow, at);
    if (!flow || !step) throw new Error(`no flow ${start.flow} with a step ${at}`);
    state = { flow: flow.id, step: at, data: flow.data.parse(start.data), choices: [], ...keepSuspended() };
    await askOrAnswer(step);
  };
  /**
   * Asks the step just entered; or, when it rides along with the choice this message made
   * (Step.inline), answers it with the words typed after the choice (any channel), or on a
   * channel that answers in one message skips it when there were none.
   */
  const askOrAnswer = async (step: Step<FlowData, string>): Promise<void> => {
    const said = step.prefilled?.(state.data);
    if (said !== undefined) {
      Object.assign(input, { text: said, action: null, location: null, media: [] });
      return follow(await step.answer(ctx(state.data)));
    }
    if (!step.inline || !input.action || !(turn.answersInOne || carried)) return step.ask(ctx(state.data));
    input.text = carried?.words ?? '';
    input.action = carried ? null : SKIP_PAYLOAD;
    carried = null;
    await follow(await step.answer(ctx(state.data)));
  };
  const follow = async (outcome: StepOutcome): Promise<void> => {
    const flow = flowOf(state.flow);
    const from = flow && state.step !== null ? stepOf(flow, state.step) : undefined;
    if (flow && from && state.step !== null) checkMove(flow, state.step, from, outcome);
    if ('start' in outcome) return startFlow(outcome.start);
    if ('done' in outcome || !flow) {
      state = { ...EMPTY_SESSION, ...keepSuspended() };
      return;
    }
    if ('next' in outcome) state.step = outcome.next;
    const step = state.step === null ? undefined : stepOf(flow, state.step);
    // Moving on asks the next question; staying asks again unless the step just offered
    // its choices, or stays quietly (a conversation with staff carries on).
    const quiet = 'stay' in outcome && outcome.quiet === true;
    if ('next' in outcome && step) await askOrAnswer(step);
    else if (!quiet && !replies.at(-1)?.choices?.length) await step?.ask(ctx(state.data));
  };
  /** Puts the conversation at `step` of `flow` with `data` and gives it this message as its answer. */
  const answerAt = async (at: StepRef): Promise<void> => {
    const flow = flowOf(at.flow);
    const step = flow && stepOf(flow, at.step);
    if (!flow || !step) throw new Error(`no flow ${at.flow} with a step ${at.step}`);
    state = { flow: flow.id, step: at.step, data: flow.data.parse({}), choices: [], ...keepSuspended() };
    await follow(await step.answer(ctx(state.data)));
  };
  /**
   * A text that is a new request. A resident's starts a report with it (a step it
   * interrupts waits for 返回); staff and liaisons are asked first, since what they
   * type is often meant for a ticket of theirs.
   */
  const newRequest = async (interrupts: boolean): Promise<void> => {
    const to = flows.newRequests;
    if (!to) {
      state = { ...EMPTY_SESSION };
      replies.push(flows.menu(speaker, 'menu.greeting'));
      return;
    }
    if (isStaff(speaker)) {
      const at = state;
      state = { ...EMPTY_SESSION };
      await startFlow(to.staff(input.text, at));
      return;
    }
    // With a conversation open, what they say goes to the staff they are talking with.
    if (speaker.inConversation) {
      state = { ...EMPTY_SESSION };
      await answerAt(to.inConversation);
      return;
    }
    if (interrupts && state.flow && state.step) {
      state.suspended = { flow: state.flow, step: state.step, data: state.data };
      replies.push({ key: 'report.new_request' });
    }
    await answerAt(to.resident);
  };
  /** Whether a text reads like a request of its own: words the matcher places in a category. */
  const readsLikeRequest = (): boolean => {
    if (!hasWords(input.text) || input.text.length > MAX_TEXT) return false;
    const guess = effects.classify(input.text);
    return guess.code !== 'other' && guess.confidence >= CONFIDENT;
  };

  const offered = !global && input.action !== null && input.action !== '' && state.choices.some((c) => c.payload === input.action);
  // Small talk no choice took (谢谢, 好的, 算了): not a new request, nor the answer to a step that asks nothing of it.
  const talk = global || input.action || askedWhich || speaker.inConversation ? null : smallTalk(input.text);
  // A step waiting for an answer (a list shown, waiting to be opened, waits for none).
  const pending = currentStep !== undefined && currentTakes !== 'view';

  if (askedWhich) {
    // The question of which message was meant is this turn's answer.
  } else if (input.action === '') {
    // A number that matched no choice: already answered; ask again.
    if (currentStep) await currentStep.ask(ctx(state.data));
  } else if (currentStep && offered) {
    await follow(await currentStep.answer(ctx(state.data)));
  } else if (global) {
    const interrupted = currentStep !== undefined;
    const outcome = await global(ctx(state.data), speaker);
    if (outcome === 'cancel') {
      replies.push({ key: interrupted ? 'session.cancelled' : 'session.nothing_to_cancel' });
      state = { ...EMPTY_SESSION };
    } else if (outcome === 'back') {
      const back = state.suspended;
      const backFlow = back && flowOf(back.flow);
      const backStep = back && backFlow ? stepOf(backFlow, back.step) : undefined;
      if (back && backStep) {
        // Back to the step a new request interrupted.
        state = { flow: back.flow, step: back.step, data: back.data, choices: [] };
        replies.push({ key: 'session.resumed' });
        await backStep.ask(ctx(state.data));
      } else if (currentStep) await currentStep.ask(ctx(state.data));
      else replies.push({ key: 'session.nothing_to_cancel' });
    } else if (outcome === 'menu') {
      state = { ...EMPTY_SESSION };
      replies.push(flows.menu(speaker, 'menu.greeting'));
    } else if (outcome === 'done') {
      state = { ...EMPTY_SESSION };
    } else if (outcome === 'stay') {
      // A one-off (help, accept, a stale button): then carry on where the user was.
      if (currentStep) await currentStep.ask(ctx(state.data));
    } else {
      // Another flow (a push's button, 我的诉求) over a pending step: the step waits for 返回.
      // A list or ticket shown asks nothing: nothing is left undone to come back to.
      if (pending && state.flow && state.step && !state.suspended && outcome.start.flow !== state.flow) {
        state.suspended = { flow: state.flow, step: state.step, data: state.data };
      }
      await startFlow(outcome.start);
    }
  } else if (talk === 'set_aside') {
    // 算了: the step waits for 返回 (nothing typed so far is lost), as when a new request interrupts it.
    if (pending && state.flow && state.step) {
      state = { ...EMPTY_SESSION, suspended: { flow: state.flow, step: state.step, data: state.data } };
      replies.push({ key: 'session.set_aside' });
    } else {
      replies.push({ key: 'chat.noted' });
      state = { ...EMPTY_SESSION, ...keepSuspended() };
    }
  } else if (talk && !pending) {
    replies.push({ key: talk === 'thanks' ? 'chat.welcome' : 'chat.noted' });
    // Whatever was shown (a list, a ticket) has been read: the menu follows. A push not
    // answered yet (a rating request) stays answerable beside it.
    state = { ...EMPTY_SESSION, ...keepSuspended() };
    if (!currentStep && turn.session.pushed?.length) pushed = turn.session.pushed;
  } else if (input.action) {
    replies.push({ key: 'input.stale_choice' });
    if (currentStep) await currentStep.ask(ctx(state.data));
  } else if (currentStep) {
    if (currentTakes === 'view' && (hasWords(input.text) || input.media.length)) await newRequest(false);
    else if (currentTakes === 'choice' && !input.media.length && !corrects(input.text) && (!currentStep.aboutItsMatter || opensAnotherMatter(input.text)) && readsLikeRequest())
      await newRequest(true);
    else await follow(await currentStep.answer(ctx(state.data)));
  } else if ((input.text && hasWords(input.text)) || (input.media.length && !isStaff(speaker))) {
    // Words (or a voice note, a photo) with nothing going on are a request.
    await newRequest(false);
  } else {
    replies.push(flows.menu(speaker, input.text === '' && !input.media.length ? 'input.empty_menu' : 'menu.greeting'));
  }

  // Words after a choice that led to no inline step: said not kept, before the rest, rather than lost unnoticed.
  if (carried) replies.unshift({ key: 'input.words_not_taken', params: { number: carried.head } });
  // A list or a ticket shown with nothing to open (您目前没有待办的诉求) is finished: the menu follows, and "1" picks from it.
  if (takesOf(state) === 'view' && !replies.at(-1)?.choices?.length) state = { ...EMPTY_SESSION, ...keepSuspended() };
  if (!state.flow) {
    if (state.suspended && !replies.some((r) => r.key === 'session.resumed')) replies.push({ key: 'session.suspended_waiting' });
    const last = replies.at(-1);
    if (!last?.choices?.length) replies.push(flows.menu(speaker, 'menu.more'));
  }
  const next: SessionState = { ...state, choices: (replies.at(-1)?.choices ?? []).map((c) => offeredChoice(actionOf(c), speaker.locale)) };
  // The last id known, whatever the state became (a reset keeps it).
  if (choicesFrom !== undefined) next.choicesFrom = choicesFrom;
  else delete next.choicesFrom;
  // A push not answered yet, shown while a question was pending, is still there to answer.
  if (pushed.length) next.pushed = pushed;
  return { replies, session: next };
}
