/**
 * What a resident sees of their ticket's history: the one place that decides it. Staff
 * text is internal unless it is meant for the resident: a liaison's 退单 reason ("内部：这户
 * 人很难缠"), a dispatcher's 派单说明 or a 督办 note never reach the resident's 我的诉求; the
 * progress notes, results and questions that were sent to them, and staff replies
 * 答复群众, do. The resident's own words (information supplied, their rating's comment)
 * are theirs to see. An event type not listed here is not shown.
 */
import type { TicketEventType } from './event-kinds.js';

/** How one kind of event looks to the resident: shown or not, and which of its texts. */
interface ResidentFace {
  shown: boolean;
  /** Fields of the event's data the resident reads (the rest is for staff). */
  texts: readonly string[];
}

const shown = (...texts: string[]): ResidentFace => ({ shown: true, texts });
const HIDDEN: ResidentFace = { shown: false, texts: [] };

const FACES: Record<TicketEventType, ResidentFace> = {
  received: shown(),
  dispatched: shown(),
  reassigned: shown(),
  accepted: shown(),
  returned: shown(),
  progress: shown('note'),
  info_requested: shown('question'),
  info_supplied: shown('text'),
  extension_requested: HIDDEN,
  extension_approved: shown(),
  extension_denied: HIDDEN,
  escalated: shown(),
  // The county's reason is for the township's staff; the resident hears only where it went.
  handed_back: shown(),
  resolved: shown('result'),
  callback: shown('comment'),
  callback_timeout: shown(),
  closed: shown(),
  reopened: shown(),
  withdrawn: shown('reason'),
  merged: shown('into'),
  supervised: HIDDEN,
  // The resident's own 催办: theirs to see, as a staff member sees it.
  urged: shown(),
  reminder: HIDDEN,
  overdue: HIDDEN,
  replied: shown('text'),
  noted: HIDDEN,
  recategorised: shown(),
};

/** Whether the resident sees an event of this type in their history. */
export function shownToResident(type: string): boolean {
  return (FACES[type as TicketEventType] ?? HIDDEN).shown;
}

/** Whether a text field of an event reaches the resident (false: staff only). */
export function isResidentText(type: string, field: string): boolean {
  return (FACES[type as TicketEventType] ?? HIDDEN).texts.includes(field);
}

/**
 * Fields that hold the resident's own words, whoever typed them (a phone callback's
 * comment is taken down by staff): shown to the resident as theirs, never sent to them.
 */
const RESIDENTS_WORDS: Record<string, readonly string[]> = { callback: ['comment'], info_supplied: ['text'], withdrawn: ['reason'] };

/** Whether a text field of an event is the resident's own words (see RESIDENTS_WORDS). */
export function isResidentsWords(type: string, field: string): boolean {
  return RESIDENTS_WORDS[type]?.includes(field) ?? false;
}

/** Event fields that hold words (staff's or the resident's), in the order a history shows them. */
export const TEXT_FIELDS = ['note', 'result', 'reason', 'question', 'text', 'comment', 'into'] as const;

/**
 * The words an event shows in a history: for the resident, only what is theirs to read;
 * for staff (`resident` false), the first text it carries.
 */
export function eventText(type: string, data: Record<string, unknown>, resident: boolean): string | null {
  for (const field of TEXT_FIELDS) {
    const value = data[field];
    if (typeof value !== 'string' || !value) continue;
    if (resident && !isResidentText(type, field)) continue;
    return value;
  }
  return null;
}
