/**
 * The statistics facts kept on each ticket (prisma/schema.prisma, "Statistics"): what a
 * ticket's current columns no longer show once it moves on. A reopen clears `resolvedAt`
 * and `rating`, a reassignment refreshes `acceptBy`, yet the response, on-time,
 * resolution and satisfaction rates are about the first 签收, the first 办结 and the
 * latest callback answer. The pipeline runner calls {@link metricsAfter} with the events
 * of every transition, so the facts come from the same events as the audit trail; the
 * migration that added the columns derives them from stored events with the same rules.
 */
import type { EventDraft } from '../pipeline/model.js';
import { RATINGS, type Rating } from '../pipeline/states.js';

/** The statistics columns of a ticket. */
export interface TicketMetrics {
  /** Whole minutes from receipt to the first 签收. */
  acceptMinutes: number | null;
  /** The first 签收 came in time, and no 签收 deadline lapsed before it; null until decided. */
  acceptedOnTime: boolean | null;
  /** Whole minutes from receipt to the first 办结. */
  resolveMinutes: number | null;
  /** The first 办结 came by the resolve deadline then in force (extensions included). */
  resolvedOnTime: boolean | null;
  /** The latest callback answer. */
  callbackRating: string | null;
  /** Whether the latest callback answer called the matter solved. */
  callbackSolved: boolean | null;
}

const MS_PER_MINUTE = 60_000;

/** Whole minutes from `from` to `to`, rounded down (never negative). */
export function wholeMinutes(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / MS_PER_MINUTE));
}

function isRating(value: unknown): value is Rating {
  return typeof value === 'string' && (RATINGS as readonly string[]).includes(value);
}

/**
 * The statistics columns that change when `events` happen at `now` to a ticket received
 * at `createdAt` whose columns were `before`; only the changed ones are returned, so the
 * result can be spread into an update.
 *
 * - `accepted`: the first one sets the accept minutes, and decides `acceptedOnTime` (from
 *   the event's `late`) unless a lapsed 签收 deadline decided it already;
 * - `overdue` of kind `accept_overdue` before any 签收: `acceptedOnTime` becomes false;
 * - `resolved`: the first one sets the resolve minutes and `resolvedOnTime` (the event's `onTime`);
 * - `callback`: every answer replaces the callback rating and solved;
 * - `callback_timeout` (the scheduler's, or staff's 无法联系 / 拒绝评价 at 归档) is no answer
 *   and changes nothing: the ticket keeps its latest answer, or stays unrated.
 */
export function metricsAfter(before: TicketMetrics, createdAt: Date, events: readonly EventDraft[], now: Date): Partial<TicketMetrics> {
  const after: TicketMetrics = { ...before };
  for (const event of events) {
    switch (event.type) {
      case 'accepted':
        if (after.acceptMinutes === null) {
          after.acceptMinutes = wholeMinutes(createdAt, now);
          after.acceptedOnTime ??= event.data['late'] !== true;
        }
        break;
      case 'overdue':
        if (event.data['kind'] === 'accept_overdue' && after.acceptMinutes === null) after.acceptedOnTime ??= false;
        break;
      case 'resolved':
        if (after.resolveMinutes === null) {
          after.resolveMinutes = wholeMinutes(createdAt, now);
          after.resolvedOnTime = event.data['onTime'] === true;
        }
        break;
      case 'callback': {
        const rating = event.data['rating'];
        const solved = event.data['solved'];
        if (isRating(rating)) after.callbackRating = rating;
        if (typeof solved === 'boolean') after.callbackSolved = solved;
        break;
      }
    }
  }
  const changed: Partial<TicketMetrics> = {};
  for (const key of Object.keys(after) as (keyof TicketMetrics)[]) {
    if (after[key] !== before[key]) Object.assign(changed, { [key]: after[key] });
  }
  return changed;
}

/** The columns of a ticket that has no history yet. */
export const NO_METRICS: Readonly<TicketMetrics> = Object.freeze({
  acceptMinutes: null,
  acceptedOnTime: null,
  resolveMinutes: null,
  resolvedOnTime: null,
  callbackRating: null,
  callbackSolved: null,
});
