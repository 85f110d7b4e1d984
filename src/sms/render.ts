/**
 * What a resident reads by SMS: the one place that turns the chat's messages (the same
 * receipt, progress and rating texts, flows/messages/zh.ts) into a text that fits one SMS
 * where possible. No links, no buttons: choices become "回复 1 满意 2 基本满意 3 不满意",
 * answered by number like a chat's numbered choices. The ticket number is always kept.
 *
 * A provider sends only templates it approved, so each kind has one: SMS_TEMPLATES are the
 * texts to register (README, "SMS"); Minqing sends the values, and renders the same text
 * here to measure it and to record what the resident read.
 */
import type { Choice, Outbound } from '../engine/types.js';
import { formatInstant } from '../engine/i18n.js';
import type { SmsTemplateKind } from './gateway.js';

/** The provider templates, as registered (Alibaba writes a value as ${name}). */
export const SMS_TEMPLATES: Readonly<Record<SmsTemplateKind, string>> = {
  receipt: '您的诉求已受理，编号${number}，承诺${deadline}前办结。',
  progress: '您的诉求${number}：${content}',
  rating: '您的诉求${number}已办结：${result}。请评价，回复 1 满意 2 基本满意 3 不满意',
  generic: '${content}',
};

/** One SMS holds 70 characters, the 【签名】 included; a longer one goes in parts of 67, each billed. */
export const SMS_LENGTH = 70;
const PART_LENGTH = 67;

/** One SMS ready for the gateway. */
export interface RenderedSms {
  kind: SmsTemplateKind;
  params: Record<string, string>;
  /** The text the resident reads (without the 【签名】 the provider adds). */
  text: string;
  /** How many SMS it is billed as. */
  segments: number;
}

interface Piece {
  kind: SmsTemplateKind;
  params: Record<string, string>;
  /** The value that may be shortened to fit (free text at the end of the template). */
  shortens?: string;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function length(text: string): number {
  return [...text].length;
}

/** A chat text without what SMS cannot carry: links, line breaks, runs of spaces. */
function condensed(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Numbered choices as a reply instruction. */
export function choicesLine(choices: readonly Choice[]): string {
  return `回复 ${choices.map((c, i) => `${i + 1} ${c.label}`).join(' ')}`;
}

function fill(kind: SmsTemplateKind, params: Record<string, string>): string {
  return SMS_TEMPLATES[kind].replace(/\$\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
}

/** One chat message as an SMS template and its values; `answerable`: its choices are the ones a reply answers. */
function pieceOf(message: Outbound, answerable: boolean): Piece {
  const source = message.source;
  const number = source?.ticketNumber ?? null;
  const choices = answerable ? message.choices : [];
  const resolveBy = source?.params['resolveBy'];
  if (number && source?.template === 'ticket.received_resident' && typeof resolveBy === 'string' && ISO_INSTANT.test(resolveBy)) {
    return { kind: 'receipt', params: { number, deadline: formatInstant(new Date(resolveBy), 'zh') } };
  }
  if (number && source?.template === 'ticket.resolved_resident' && choices.length) {
    const result = source.params['result'];
    return { kind: 'rating', params: { number, result: condensed(typeof result === 'string' ? result : '') }, shortens: 'result' };
  }
  const text = condensed(message.text);
  if (number && !choices.length) {
    // The chat's "您的诉求 MQ-… " lead is the template's own; a text naming the number elsewhere keeps it where it is.
    const content = text.replace(new RegExp(`^您的诉求\\s*${number}\\s*[：:]?\\s*`), '');
    if (!content.includes(number)) return { kind: 'progress', params: { number, content }, shortens: 'content' };
  }
  return { kind: 'generic', params: { content: choices.length ? `${text} ${choicesLine(choices)}` : text } };
}

/** Shortens `piece`'s free text with … until the SMS fits `room` characters, when it can. */
function fitted(piece: Piece, room: number): Piece {
  const over = length(fill(piece.kind, piece.params)) - room;
  const name = piece.shortens;
  const value = name === undefined ? undefined : piece.params[name];
  if (over <= 0 || name === undefined || value === undefined) return piece;
  const keep = length(value) - over - 1;
  // Too little would be left to say anything: sent whole, in parts.
  if (keep < 4) return piece;
  return { ...piece, params: { ...piece.params, [name]: `${[...value].slice(0, keep).join('')}…` } };
}

/**
 * `message` (with the pushes merged into it) as one SMS signed `signName`: a single
 * message in its own template, shortened to fit where it can; merged ones joined in the
 * generic template, only the last offered choices kept (the one a reply answers).
 */
export function renderSms(message: Outbound, signName: string): RenderedSms {
  const parts = [message, ...(message.merged ?? [])];
  const lastWithChoices = parts.findLastIndex((p) => p.choices.length > 0);
  const pieces = parts.map((part, i) => pieceOf(part, i === lastWithChoices));
  const room = SMS_LENGTH - length(`【${signName}】`);
  const only = pieces.length === 1 ? pieces[0] : undefined;
  const piece: Piece = only ? fitted(only, room) : { kind: 'generic', params: { content: pieces.map((p) => fill(p.kind, p.params)).join(' ') } };
  const text = fill(piece.kind, piece.params);
  const total = length(text) + SMS_LENGTH - room;
  return { kind: piece.kind, params: piece.params, text, segments: total <= SMS_LENGTH ? 1 : Math.ceil(total / PART_LENGTH) };
}
