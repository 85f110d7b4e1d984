/**
 * The channel-neutral shapes of the dialogue engine. Adapters (bots/) turn a platform
 * update into an `Inbound` and render an `Outbound`; they never see anything else.
 */
import type { Channel, Locale } from '../org/types.js';
import type { OfferedChoice } from './choices.js';
import type { DeliveryResult, OutboxTarget } from '../pipeline/scheduler.js';

/** A location the user shared or named. */
export interface SharedLocation {
  latitude?: number;
  longitude?: number;
  /** A place name or landmark, when given as text. */
  label?: string;
}

/**
 * A photo or voice note the user sent (or the bot forwards); `ref` is a stored upload's
 * URL (`/uploads/<sha256>.<ext>`), or the channel's own handle (file id, URL, data URL).
 */
export interface SharedMedia {
  kind: 'photo' | 'voice';
  ref: string;
}

/** One message from a user, as every channel delivers it. */
export interface Inbound {
  channel: Channel;
  /** The conversation (a private chat; one per user on most channels). */
  chatId: string;
  /** The platform's user id of the sender. */
  senderId: string;
  /** The platform's id of this message: the same message delivered twice has the same id. */
  messageId: string;
  text?: string;
  /** The payload of a chosen button or numbered choice. */
  action?: string;
  location?: SharedLocation;
  media?: SharedMedia[];
  /** The display name the platform gives, if any (never shown to others). */
  senderName?: string;
  /**
   * The channel's answer to this message carries its replies (the web page and webhook):
   * they are written as sent in the turn's own transaction, so a crash cannot send them a
   * second time, and a re-delivery of the message is answered with them again.
   */
  repliesInAnswer?: true;
  /**
   * Every message costs the sender (SMS): a numbered choice and the words after it are one
   * answer, and an optional question that follows a choice is not asked (see Step.inline).
   */
  answersInOne?: true;
}

/** A choice offered with a message: a button, or a numbered reply where there are no buttons. */
export type Choice = OfferedChoice;

/** One message to a chat, rendered in its reader's language. */
export interface Outbound {
  channel: Channel;
  chatId: string;
  text: string;
  choices: Choice[];
  /** Photos forwarded with it (a progress photo, a result photo). */
  media?: SharedMedia[];
  /** The outbox row behind it, so the adapter's result can be recorded. */
  outboxId?: number;
  locale: Locale;
  /** What a push's text was rendered from: a channel with little room (SMS) renders it shorter. */
  source?: { template: string; params: Record<string, unknown>; ticketNumber: string | null };
  /** Later pushes to the same chat, or a turn's later replies, that go out with this one as one message (a channel that merges: SMS). */
  merged?: Outbound[];
}

/** A chat platform behind one interface: the rest of Minqing never imports an SDK. */
export interface ChannelAdapter {
  readonly channel: Channel;
  /** The chats this process delivers pushes to (default: every chat of the channel). */
  readonly targets?: OutboxTarget[];
  /** Its chat's pushes claimed together, and a turn's replies, go out as one message (`Outbound.merged`): each SMS costs money. */
  readonly mergesPushes?: boolean;
  /** Periodic work of the channel, run by the scheduler with its own duties (the web chat sweeps unreferenced uploads). */
  readonly duties?: readonly (() => Promise<unknown>)[];
  /** Starts receiving; every inbound message goes to `handle`. */
  start(handle: (inbound: Inbound) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
  /** Sends one message; says whether it went, should be retried, or cannot reach the user. */
  send(message: Outbound): Promise<DeliveryResult>;
}
