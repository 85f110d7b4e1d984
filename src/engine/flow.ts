/**
 * What a flow is. Flows (flows/) are data: steps that ask, check the answer and branch,
 * naming effects (`report`, `command`…) that the engine supplies; a zod schema for what
 * they remember; the words and menu buttons that start them. They never touch the
 * database, the network or a chat SDK. The runner (runner.ts) plays one turn of them.
 */
import type { z } from 'zod';
import type { SqlTx, Tx } from '../db/client.js';
import type { ReceiptChannel } from '../intake/intake.js';
import type { AsyncMethods } from '../on-first-use.js';
import type { MessageKey } from '../../flows/messages/zh.js';
import type { Locale, Role } from '../org/types.js';
import type { Command, PipelineRules } from '../pipeline/model.js';
import type { Rating, RequestKind, TicketState } from '../pipeline/states.js';
import type { ChoiceMeaning } from './choices.js';
import type { Classification } from './classifier.js';
import type { SharedLocation, SharedMedia } from './types.js';

/** The longest text a person may send in one message. */
export const MAX_TEXT = 2000;
/** Below this confidence the matcher's guess is not proposed (the full list is offered), and a text is not taken for a new request. */
export const CONFIDENT = 0.5;

/** Text that carries words (not only emoji, punctuation or symbols). */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/** A choice a flow offers: the label is a catalogue key, or literal text (a ticket number, a village). */
export interface FlowChoice {
  label: MessageKey | { text: string };
  payload: string;
  /** Yes, no or skip, when the label's key does not say it (see src/engine/choices.ts). */
  means?: ChoiceMeaning;
}

/** A message a flow says. */
export interface FlowReply {
  key: MessageKey;
  params?: Record<string, string | number | null>;
  choices?: FlowChoice[];
  /** Photos and voice notes sent with it (references). */
  media?: string[];
}

/** The current message, cleaned: control characters removed, whitespace trimmed. */
export interface FlowInput {
  text: string;
  action: string | null;
  location: SharedLocation | null;
  media: SharedMedia[];
}

/** A ticket line in a list. */
export interface TicketLine {
  number: string;
  summary: string;
  state: TicketState;
  categoryCode: string;
}

/** One ticket as its resident or handler may see it. */
export interface TicketView extends TicketLine {
  createdAt: Date;
  resolveBy: Date | null;
  /** What the resident shows it as (the village and their words), and a map link to it. */
  place: string | null;
  map: string | null;
  /** Who handles it, names masked (网格员 李**); null while it waits for the dispatchers. */
  handler: string | null;
  /** The resident's phone: only for the ticket's handler, who must call back. */
  phone: string | null;
  /** The dispatcher's note with the latest dispatch: only for the handler. */
  dispatchNote: string | null;
  /** Photos and voice notes of the report. */
  media: string[];
  /** The history as the viewer may read it (a resident never sees staff's internal notes). */
  history: { at: Date; type: string; note: string | null }[];
  /** What the viewer may do now. */
  can: { supply: boolean; urge: boolean; withdraw: boolean; rate: boolean; accept: boolean; handle: boolean };
}

/** A village a question offers, with its township (a county has hundreds: they are asked by township). */
export interface VillageOption {
  id: number;
  name: string;
  townshipId: number | null;
  township: string | null;
}

/** The villages a question may offer, and the speaker's own township, offered first, when known. */
export interface VillageChoices {
  villages: VillageOption[];
  home: number | null;
  /** The village of the speaker's household, when they have one (就在我家附近 is there). */
  household?: number;
}

export interface ReportDraft {
  summary: string;
  description: string;
  categoryCode: string;
  kind: RequestKind;
  regionId: number | null;
  location: string | null;
  /** Photos and voice notes (references). */
  photos: string[];
  contactPhone: string | null;
  /** A location the resident shared (WGS 84). */
  latitude: number | null;
  longitude: number | null;
}

/** The result of a pipeline call as a flow sees it: done, or a sentence to say why not. */
export type EffectResult<T = object> = ({ ok: true } & T) | { ok: false; text: string };

/** The effects every flow may use (a flow declares those only it needs: `chatModule`, reached by `of`); the engine implements them inside the turn's transaction. */
export interface Effects {
  classify(text: string): Classification;
  /** Every village, to offer as a location or a home (flows/villages.ts), and the speaker's township. */
  villages(): Promise<VillageChoices>;
  report(draft: ReportDraft): Promise<EffectResult<{ number: string; handler: string; resolveBy: Date | null }>>;
  /** A resident's own requests, or a handler's open assignments. */
  myTickets(scope: 'own' | 'assigned'): Promise<TicketLine[]>;
  ticket(number: string): Promise<TicketView | null>;
  /** Whether the ticket is the speaker's own request or theirs to handle (false for one that does not exist). */
  concerns(number: string): Promise<boolean>;
  command(number: string, command: Command): Promise<EffectResult>;
  /** The language this person reads from now on (this turn's replies included). */
  setLocale(locale: Locale): Promise<void>;
  /** Asks the household's liaison to confirm that this chat belongs to a member of it. */
  claimHousehold(claim: { regionId: number; name: string; phone: string }): Promise<EffectResult>;
  /** The liaison's answer to a claim. */
  decideClaim(claimId: number, confirm: boolean): Promise<EffectResult>;
  /** Binds this chat to the person a one-time code was issued for. */
  bind(code: string): Promise<EffectResult<{ name: string }>>;
  /**
   * 人工: opens a conversation with the staff of the speaker's township (or returns the one
   * open); says who answers and, outside office hours, from when.
   */
  openConversation(): Promise<{ region: string; created: boolean; answerFrom: Date | null }>;
  /**
   * Passes a message to the open conversation; null when none is open (staff ended it).
   * `movedTo`: the township it went to from the county, when these words named its village.
   */
  relay(text: string, media: string[]): Promise<{ movedTo: string | null } | null>;
  /** 结束: ends the open conversation; false when none was open. */
  endConversation(): Promise<boolean>;
  /**
   * The effects a flow declared for itself (`chatModule`: 民情日记, 服务需求表, 我的督办…),
   * made for this turn from the module behind them on the first call of one of them.
   */
  of<E extends AsyncMethods<E>>(module: ChatModule<E>): E;
}

/** What the engine gives a flow's own effects for one turn (`chatModule`). */
export interface ChatDeps {
  /** The turn's transaction: the effects run inside it. */
  readonly tx: Tx | SqlTx;
  readonly speakerId: number;
  readonly now: Date;
  /** The speaker's language, as it is when asked (a turn may switch it). */
  locale(): Locale;
  /** A message in the speaker's language. */
  text(key: MessageKey): string;
  readonly rules: PipelineRules;
  /** Files a request for a resident through the pipeline, registered (and, with `settled`, settled on the spot) by the speaker. */
  reportFor(
    residentId: number,
    draft: ReportDraft,
    via: ReceiptChannel,
    settled: string | null,
  ): Promise<EffectResult<{ number: string; handler: string; resolveBy: Date | null }>>;
}

/** Effects a flow declares for itself, reached as `ctx.effects.of(module)`: their method names, and how a turn makes them. */
export interface ChatModule<E> {
  readonly methods: { readonly [K in keyof E]: true };
  make(deps: ChatDeps): Promise<E>;
}

/**
 * Declares effects that a flow (or a few) needs and nothing else does, with no edit to
 * `Effects` or src/engine/effects.ts. `make` imports the module that does the work when
 * first called (`await import(…)`), so that a process whose chats never use them does not
 * hold its code; the compiler holds `methods` to exactly the methods it makes.
 */
export function chatModule<E extends AsyncMethods<E>>(methods: NoInfer<{ readonly [K in keyof E]: true }>, make: (deps: ChatDeps) => Promise<E>): ChatModule<E> {
  return { methods, make };
}

/** Who is talking. */
export interface Speaker {
  personId: number;
  /** Mutable: switching language applies to the rest of the turn. */
  locale: Locale;
  roles: Role[];
  /** Bound to a household (a known resident). */
  hasHousehold: boolean;
  householdPhone: string | null;
  /** Had a conversation with staff open when the turn began. */
  inConversation: boolean;
}

/** Everything a step sees and may do in one turn; `D` is its flow's data, as its schema parses it. */
export interface TurnContext<D extends object = FlowData> {
  readonly input: FlowInput;
  readonly speaker: Speaker;
  /** The flow's answers so far; persisted with the session and parsed by the flow's schema when read. */
  readonly data: D;
  readonly effects: Effects;
  say(key: MessageKey, params?: FlowReply['params'], choices?: FlowChoice[], media?: string[]): void;
}

/** A flow's data as the runner sees it, before a flow's own type is known. */
export type FlowData = Record<string, unknown>;

/** Another flow to start: the data it begins with and, when not its first step, the step it enters at. */
export interface FlowStart {
  flow: string;
  data: unknown;
  at?: string;
}

/** Where a step goes next; `K` are its flow's step ids. */
export type StepOutcome<K extends string = string> =
  | { next: K }
  /** Stay on this step (after saying why the answer was not taken); `quiet`: without asking it again. */
  | { stay: true; quiet?: boolean }
  /** The flow is finished; the main menu follows. */
  | { done: true }
  /** Start another flow (see `startOf`). */
  | { start: FlowStart };

/** What a text that matches none of a step's choices is there (see `Step.takes`). */
export type StepTakes = 'text' | 'choice' | 'view';
/** Says `takes` from a step's data (a method's type, so that a flow's steps stay assignable to a flow of any data, as `ask` and `answer` are). */
type TakesOf<D> = { takes(data: D): StepTakes }['takes'];

export interface Step<D extends object, K extends string> {
  /** Says what the step asks. */
  ask(ctx: TurnContext<D>): void | Promise<void>;
  /** Takes the answer: a chosen payload (tapped, or typed and matched) in `input.action`, or a text. */
  answer(ctx: TurnContext<D>): StepOutcome<K> | Promise<StepOutcome<K>>;
  /**
   * What a text that matches none of the step's choices is here (nothing a villager
   * sends is swallowed):
   * - `text` (the default): the answer, given to `answer`;
   * - `choice`: the step takes only its choices; a text that reads like a request
   *   starts a new report, and this step waits (返回 comes back to it);
   * - `view`: a list or a ticket shown; any text with words is a new request.
   * A step whose question changes (a survey's) says it from its data, as its `ask` left it.
   */
  takes?: StepTakes | TakesOf<D>;
  /**
   * A `choice` step about a matter already filed (回访's rating): words that read like a
   * request are its answer (路灯还是不亮: the reason of a rating), not a new report, unless
   * they open another matter (还有…, 另外…; see `opensAnotherMatter` in classifier.ts).
   */
  aboutItsMatter?: boolean;
  /**
   * Where `answer` may lead, declared: the runner refuses a move not listed here, and
   * `npm run flows` draws these as the flow's diagram (docs/flows.md). `next`: the steps
   * it may move to; `ends`: it may finish the flow; `starts`: the flows it may hand over to.
   */
  next?: readonly K[];
  ends?: boolean;
  starts?: readonly string[];
  /**
   * An optional question that rides along with the choice leading to it, on a channel where
   * every message costs (SMS, Inbound.answersInOne): there it is not asked; the words typed
   * after the choice's number ("3 路灯还是不亮") are its answer, and a bare number skips it
   * (answered with SKIP_PAYLOAD). Other channels ask it as usual, unless the choice was a
   * rating typed with its reason (不满意，路灯还是不亮): the reason is its answer.
   */
  inline?: boolean;
  /**
   * Words said before the step asked (a liaison's notes written where the household was
   * asked: pickHouseholdStep's `keepsWords`): when it gives some on entering the step,
   * they are its answer and the question is not asked. Takes them once.
   */
  prefilled?(data: D): string | undefined;
}

/** The payload of a skip choice (flows/answers.ts SKIP): an inline step with no words to take is answered with it. */
export const SKIP_PAYLOAD = 'skip';

/** A way into a flow from anywhere: typed words, a main-menu button, or both. */
export interface FlowEntry<In> {
  /** Names the entry; its menu button's payload is `menu:<name>`. */
  name: string;
  /** What a person may type at any time to start the flow (Chinese, English, slash commands). */
  words?: RegExp;
  /** Its button in the main menu: lower `order` first; `shownTo` says to whom (everyone by default). */
  menu?: { label: MessageKey; order: number; shownTo?(speaker: Speaker): boolean };
  /** The data the flow starts with. */
  data: In;
}

/**
 * A button on a message about one ticket, `<verb>:<number>[:<extra>]` (a push, a ticket
 * shown), that starts a flow from anywhere; or about one record of another kind (a
 * visit), `<verb>:<id>[:<extra>]`, when `record` is set.
 */
interface TicketButton<In, K extends string> {
  verb: string;
  /** The button names a record by its id, not a ticket by its number; the flow checks who may answer it (`guarded` does not apply). */
  record?: boolean;
  /** The data (and step, when not the first) it starts with; null: not a payload of this flow. */
  start(number: string, extra: string): { data: In; at?: K } | null;
  /**
   * Opens only for the ticket's resident or handler (default); anyone else, like a number
   * that does not exist, hears "not found" before any question. False for a flow that
   * checks by itself (a ticket shown says "not found" as it is read).
   */
  guarded?: boolean;
}

/**
 * A flow: its steps, the schema of its data, and the ways into it. `D` is its data as
 * parsed, `K` its step ids, `In` what starting it takes (the schema's input).
 */
export interface Flow<D extends object = FlowData, K extends string = string, In = unknown> {
  readonly id: string;
  /** Parses the flow's data: when it starts, and each time its session is read back. */
  readonly data: { parse(value: unknown): D; safeParse(value: unknown): { success: true; data: D } | { success: false } };
  readonly first: K;
  readonly steps: { readonly [P in K]: Step<D, K> };
  readonly entries: readonly FlowEntry<In>[];
  readonly buttons: readonly TicketButton<In, K>[];
  /**
   * Whether the flow starts over after SESSION_IDLE_MINUTES of silence (default true). A
   * conversation with staff does not: its answers may take hours.
   */
  readonly expires: boolean;
}

/** What `defineFlow` takes; step ids are the keys of `steps`. */
export interface FlowSpec<S extends z.ZodType<object>, K extends string> {
  id: string;
  data: S;
  first: NoInfer<K>;
  steps: { [P in K]: Step<z.output<S>, NoInfer<K>> };
  entries?: FlowEntry<z.input<S>>[];
  buttons?: TicketButton<z.input<S>, NoInfer<K>>[];
  expires?: boolean;
}

/** The flows `defineFlow` made: what the registry (flows.ts) takes from the modules under flows/. */
const DEFINED = new WeakSet<object>();

/**
 * Declares a flow. A new flow is one file (this call, exported, in flows/) plus its message
 * keys: its data's schema, its steps, its typed words and menu buttons, and the ticket
 * buttons that open it; the registry (flows.ts) finds it there by itself.
 */
export function defineFlow<S extends z.ZodType<object>, K extends string>(spec: FlowSpec<S, K>): Flow<z.output<S>, K, z.input<S>> {
  const steps: { [P in K]: Step<z.output<S>, K> } = spec.steps;
  const flow = { id: spec.id, data: spec.data, first: spec.first, steps, entries: spec.entries ?? [], buttons: spec.buttons ?? [], expires: spec.expires ?? true };
  DEFINED.add(flow);
  return flow;
}

/** Whether a module's export is a flow (made by `defineFlow`), not a helper it shares. */
export function isDefinedFlow(value: unknown): value is Flow {
  return typeof value === 'object' && value !== null && DEFINED.has(value);
}

/** A step named with its flow, checked by type: `stepRef(reportFlow, 'describe')`. */
export interface StepRef {
  flow: string;
  step: string;
}

export function stepRef<K extends string>(flow: Flow<object, K>, step: NoInfer<K>): StepRef {
  return { flow: flow.id, step };
}

/** The outcome that starts `flow` with `data` (checked by its schema's type), at its first step or at `at`. */
export function startOf<In, K extends string>(flow: Flow<object, K, In>, data: In, at?: K): { start: FlowStart } {
  return { start: { flow: flow.id, data, ...(at === undefined ? {} : { at }) } };
}

/** A rating choice's payload names it. */
export function isRating(value: string): value is Rating {
  return value === 'satisfied' || value === 'basically_satisfied' || value === 'dissatisfied';
}

/** Whether the speaker handles tickets (a queue of their own): a liaison, a grid leader, a department's handler. */
export function handlesTickets(speaker: Speaker): boolean {
  return speaker.roles.some((r) => r === 'liaison' || r === 'grid_leader' || r === 'department_handler');
}
