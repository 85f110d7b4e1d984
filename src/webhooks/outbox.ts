/**
 * Queueing webhook deliveries: a transactional outbox. The pipeline writes a ticket's
 * events and, in the same transaction, one WebhookDelivery row per event and subscriber
 * that hears it; the rows commit with the events or not at all, so nothing is lost and
 * nothing is sent for a transition that rolled back.
 *
 * Chosen over a duty that scans TicketEvent by id cursor per subscriber: on PostgreSQL
 * transactions commit out of id order, so a cursor past id 11 can have skipped an id 10
 * that commits a moment later (lost for good), and a cursor per subscriber is one more
 * row to lease. With the outbox, a subscriber hears its events in the order of its rows'
 * ids, each after the one before is delivered (delivery.ts). A ticket's own events are
 * strictly in order: its transitions are serialised by the ticket's version, so a later
 * one's rows are written after the earlier one committed. Events of two tickets changed at
 * the same moment in two processes are in the order their transactions made visible (a
 * row committed late, behind one already delivered, goes out next).
 *
 * Its cost when nobody subscribes: the subscriber list comes from the per-process
 * reference cache (see subscriberAims), so a transition pays a look-up in memory.
 */
import { sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { defineQuery, run } from '../db/sql.js';
import { subscriberAims, type WebhookEventType } from './subscribers.js';

/** A ticket event as the pipeline writes it (src/pipeline/rows.ts EventRow). */
export interface TicketEventRow {
  ticketId: number;
  seq: number;
  type: string;
  fromState: string | null;
  toState: string;
  data: string;
  at: Date;
}

/**
 * What a ticket event is to a subscriber, if anything: its intake is `ticket.created`, a
 * callback answer with a rating is `ticket.rated`, any other move to another state is
 * `ticket.state_changed`. Reminders, notes and replies that leave the state are not sent.
 */
export function webhookTypeOf(event: TicketEventRow): WebhookEventType | null {
  if (event.type === 'received') return 'ticket.created';
  if (event.type === 'callback' && (JSON.parse(event.data) as { rating?: unknown }).rating !== undefined) return 'ticket.rated';
  if (event.fromState !== null && event.fromState !== event.toState) return 'ticket.state_changed';
  return null;
}

/** The event's id: the same for every subscriber and every attempt (a ticket's events are numbered by seq). */
export function webhookEventId(event: { ticketId: number; seq: number }): string {
  return `evt_ticket_${event.ticketId}_${event.seq}`;
}

const queueDeliveryQuery = defineQuery('webhook_queue_delivery', (db, p: { subscriberId: number; eventId: string; type: string; ticketId: number; eventSeq: number; at: Date }) =>
  db.insertInto('WebhookDelivery').values({
    subscriberId: p.subscriberId,
    eventId: p.eventId,
    type: p.type,
    ticketId: p.ticketId,
    eventSeq: p.eventSeq,
    createdAt: p.at,
    availableAt: p.at,
  }),
);

/**
 * Queues the deliveries of a transition's events, in the caller's transaction: for each
 * subscriber that hears the event's type and whose region is on the ticket's region path
 * (`path`; a subscriber without a region hears of every ticket, and delivery keeps to
 * what the public board shows).
 */
export async function enqueueWebhooks(tx: Tx | SqlTx, path: readonly number[], events: readonly TicketEventRow[], now: Date): Promise<void> {
  const aims = await subscriberAims(tx);
  if (!aims.length) return;
  for (const event of events) {
    const type = webhookTypeOf(event);
    if (type === null) continue;
    for (const aim of aims) {
      if (!aim.events.includes(type) || (aim.regionId !== null && !path.includes(aim.regionId))) continue;
      await run(sqlOf(tx), queueDeliveryQuery, { subscriberId: aim.id, eventId: webhookEventId(event), type, ticketId: event.ticketId, eventSeq: event.seq, at: now });
    }
  }
}
