/**
 * Every kind of step a ticket's history shows, in one list: the events the pipeline
 * records (TicketEvent.type) and the audited steps that name a ticket (AuditEvent.action
 * with a ticketId). Each has its label in the message catalogues as `event.<kind>`, Chinese
 * and English (flows/messages); a test walks this list, so that no history row shows a code.
 */

/** The kinds of TicketEvent the pipeline records (src/pipeline/machine.ts). */
export const TICKET_EVENT_TYPES = [
  'received',
  'dispatched',
  'reassigned',
  'accepted',
  'returned',
  'progress',
  'info_requested',
  'info_supplied',
  'extension_requested',
  'extension_approved',
  'extension_denied',
  'escalated',
  'handed_back',
  'resolved',
  'callback',
  'callback_timeout',
  'closed',
  'reopened',
  'withdrawn',
  'merged',
  'supervised',
  'urged',
  'reminder',
  'overdue',
  'replied',
  'noted',
  'recategorised',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** Audited steps recorded with a ticket (they show in its history without a number). */
export const TICKET_AUDIT_ACTIONS = ['phone_revealed', 'published', 'unpublished', 'meeting_decision', 'theme_ticket_linked', 'ledger_ticket_linked'] as const;
export type TicketAuditAction = (typeof TICKET_AUDIT_ACTIONS)[number];

/** Every kind a ticket's history may show. */
export const HISTORY_KINDS: readonly string[] = [...TICKET_EVENT_TYPES, ...TICKET_AUDIT_ACTIONS];
