import { RATINGS } from '../pipeline/states.js';
const MS_PER_MINUTE = 60_000;
/** Whole minutes from `from` to `to`, rounded down (never negative). */
export function wholeMinutes(from, to) {
    return Math.max(0, Math.floor((to.getTime() - from.getTime()) / MS_PER_MINUTE));
}
function isRating(value) {
    return typeof value === 'string' && RATINGS.includes(value);
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
export function metricsAfter(before, createdAt, events, now) {
    const after = { ...before };
    for (const event of events) {
        switch (event.type) {
            case 'accepted':
                if (after.acceptMinutes === null) {
                    after.acceptMinutes = wholeMinutes(createdAt, now);
                    after.acceptedOnTime ??= event.data['late'] !== true;
                }
                break;
            case 'overdue':
                if (event.data['kind'] === 'accept_overdue' && after.acceptMinutes === null)
                    after.acceptedOnTime ??= false;
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
                if (isRating(rating))
                    after.callbackRating = rating;
                if (typeof solved === 'boolean')
                    after.callbackSolved = solved;
                break;
            }
        }
    }
    const changed = {};
    for (const key of Object.keys(after)) {
        if (after[key] !== before[key])
            Object.assign(changed, { [key]: after[key] });
    }
    return changed;
}
/** The columns of a ticket that has no history yet. */
export const NO_METRICS = Object.freeze({
    acceptMinutes: null,
    acceptedOnTime: null,
    resolveMinutes: null,
    resolvedOnTime: null,
    callbackRating: null,
    callbackSolved: null,
});
