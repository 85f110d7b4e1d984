/**
 * What a flow is. Flows (flows/) are data: steps that ask, check the answer and branch,
 * naming effects (`report`, `command`…) that the engine supplies. They never touch the
 * database, the network or a chat SDK.
 */
import type { MessageKey } from '../../flows/messages/zh.js';
import type { Locale, Role } from '../org/types.js';
import type { Command } from '../pipeline/model.js';
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
  /** The resident's phone: only for the ticket's handler, who must call back. */
  phone: string | null;
  /** The dispatcher's note with the latest dispatch: only for the handler. */
  dispatchNote: string | null;
  /** Photos and voice notes of the report. */
  media: string[];
  /** The history as the viewer may read it (a resident never sees staff's internal notes). */
  history: { at: Date; type: string; note: string | null }[];
  /** What the viewer may do now. */
  can: { supply: boolean; withdraw: boolean; rate: boolean; handle: boolean };
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

/** The effects flows may use; the engine implements them inside the turn's transaction. */
export interface Effects {
  classify(text: string): Classification;
  /** Villages to offer as locations (the person's township first). */
  villages(): Promise<{ id: number; name: string }[]>;
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
  /** Passes a message to the open conversation; false when none is open (staff ended it). */
  relay(text: string, media: string[]): Promise<boolean>;
  /** 结束: ends the open conversation; false when none was open. */
  endConversation(): Promise<boolean>;
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

/** Everything a step sees and may do in one turn. */
export interface TurnContext {
  readonly input: FlowInput;
  readonly speaker: Speaker;
  /** The flow's answers so far; persisted with the session. */
  readonly data: Record<string, unknown>;
  readonly effects: Effects;
  say(key: MessageKey, params?: FlowReply['params'], choices?: FlowChoice[], media?: string[]): void;
}

/** Where a step goes next. */
export type StepOutcome =
  | { next: string }
  /** Stay on this step (after saying why the answer was not taken); `quiet`: without asking it again. */
  | { stay: true; quiet?: boolean }
  /** The flow is finished; the main menu follows. */
  | { done: true }
  /** Start another flow with some data. */
  | { start: string; data?: Record<string, unknown> };

export interface Step {
  /** Says what the step asks. */
  ask(ctx: TurnContext): void | Promise<void>;
  /** Takes the answer: a chosen payload (tapped, or typed and matched) in `input.action`, or a text. */
  answer(ctx: TurnContext): StepOutcome | Promise<StepOutcome>;
  /**
   * What a text that matches none of the step's choices is here (nothing a villager
   * sends is swallowed):
   * - `text` (the default): the answer, given to `answer`;
   * - `choice`: the step takes only its choices; a text that reads like a request
   *   starts a new report, and this step waits (返回 comes back to it);
   * - `view`: a list or a ticket shown; any text with words is a new request.
   */
  takes?: 'text' | 'choice' | 'view';
}

export interface Flow {
  id: string;
  first: string;
  steps: Record<string, Step>;
  /**
   * Whether the flow starts over after SESSION_IDLE_MINUTES of silence (default true). A
   * conversation with staff does not: its answers may take hours.
   */
  expires?: boolean;
}

/** A rating choice's payload names it. */
export function isRating(value: string): value is Rating {
  return value === 'satisfied' || value === 'basically_satisfied' || value === 'dissatisfied';
}
