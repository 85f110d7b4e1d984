/**
 * Deadline arithmetic of the acceptance pipeline (限时办结).
 *
 * Each category has a handling class (see `prisma/schema.prisma`, model `Category`):
 * - 即办件 *immediate*: settled the same office day;
 * - 承诺件 *promised*: resolved within a committed number of working days;
 * - *urgent* (急事急办): counted in clock hours, 24/7, holidays included.
 *
 * Deadlines counted in days fall at the end of the office day (17:30 by default) of the last
 * day, which is how a township counts "within 3 working days" and what residents are promised.
 * All functions are pure: the current time is never read here (callers pass instants, or a
 * the pipeline's `Clock` elsewhere), which keeps deadline logic testable with fixed instants.
 *
 * @module
 */
import { type LocalDate, type WorkCalendar, addCalendarDays, localDateOf, localInstant, minutesOfDay } from './calendar.js';
import { onFirstUse } from '../on-first-use.js';

/** immediate 即办 | promised 承诺 | urgent. */
/** 即办 immediate · 承诺 promised · urgent (hours). */
export const HANDLING_CLASSES = ['immediate', 'promised', 'urgent'] as const;
export type HandlingClass = (typeof HANDLING_CLASSES)[number];

/** The deadline fields of a category (see prisma/schema.prisma model Category). */
export interface DeadlinePolicy {
  handlingClass: HandlingClass;
  /** Working (or calendar) days to resolve; used by `promised`. */
  resolveDays: number;
  /** Clock hours to resolve; used by `urgent`. */
  resolveHours: number;
  /** Clock hours to accept 签收; used by `immediate` and `urgent` (promised: one office day). */
  acceptHours: number;
  /** Count working days 工作日 with the holiday calendar (true) or calendar days (false). */
  workingDays: boolean;
}

/** Office hours: deadlines counted in days fall at the end of the office day. */
export interface OfficeHours {
  /** Minutes after local midnight at which the office day ends, e.g. 17*60+30 for 17:30. */
  dayEndMinutes: number;
  /** Minutes after local midnight at which the office opens (default 8:30); staff answer 人工 from then. */
  dayStartMinutes?: number;
}

/** 8:30, when a township office opens. */
export const DEFAULT_DAY_START_MINUTES = 8 * 60 + 30;

/** A daily duty's turn (see `dailyTurn`). */
export interface DailyTurn {
  /** The day (Beijing) a run at `now` is for, or null: before the office opens, done already, or (with a calendar) not a working day. */
  dueAt(now: Date): LocalDate | null;
  /** Marks the day done: later runs that day do nothing. */
  done(day: LocalDate): void;
}

/**
 * When a once-a-day duty (reminders, overdue pushes, agendas) runs: once the office has
 * opened, the first scheduler tick of each day, only on working days when a calendar is
 * given. Kept per process, it only makes every other tick cheap (a date comparison):
 * the duties stay safe to run in several processes by their own claims.
 */
export function dailyTurn(hours: OfficeHours, workingDaysOf?: WorkCalendar): DailyTurn {
  let doneFor: LocalDate | undefined;
  return {
    dueAt(now) {
      const today = localDateOf(now);
      if (doneFor === today || minutesOfDay(now) < (hours.dayStartMinutes ?? DEFAULT_DAY_START_MINUTES)) return null;
      return workingDaysOf && !workingDaysOf.isWorkingDay(today) ? null : today;
    },
    done(day) {
      doneFor = day;
    },
  };
}

/**
 * A daily duty whose module is imported on its first due turn instead of at start, so a
 * serving process holds the code of reminders and agendas only once one is due (README,
 * "Memory"). The check here is every daily duty's own first one (office open, not done
 * today), without a calendar: it lets through every day the duty's own turn would, and
 * from then on the duty decides alone, so it runs exactly as if loaded at start. The
 * import goes through onFirstUse (src/on-first-use.ts), the one way code is deferred.
 */
export function loadedWhenDue<Options extends { clock: { now(): Date }; officeHours: OfficeHours }>(
  options: Options,
  load: () => Promise<(options: Options) => () => Promise<unknown>>,
): () => Promise<unknown> {
  const turn = dailyTurn(options.officeHours);
  const duty = onFirstUse(async () => (await load())(options));
  let due = false;
  return async () => {
    if (!due) {
      if (!turn.dueAt(options.clock.now())) return undefined;
      due = true;
    }
    return (await duty())();
  };
}

/**
 * When staff can next answer someone who asks for a person at `at`: null while the office
 * is open (a working day between opening and closing), else the next opening (today's,
 * before hours; otherwise the next working day's).
 */
export function nextOfficeOpening(cal: WorkCalendar, at: Date, hours: OfficeHours): Date | null {
  checkInstant('at', at);
  const start = hours.dayStartMinutes ?? DEFAULT_DAY_START_MINUTES;
  const today = localDateOf(at);
  const minutes = minutesOfDay(at);
  if (cal.isWorkingDay(today)) {
    if (minutes >= start && minutes < hours.dayEndMinutes) return null;
    if (minutes < start) return localInstant(today, start);
  }
  return localInstant(cal.nextWorkingDay(today), start);
}

/** 17:30, the usual closing time of a township office. */
export const DEFAULT_OFFICE_HOURS: OfficeHours = Object.freeze({ dayEndMinutes: 17 * 60 + 30 });

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

function checkHours(hours: OfficeHours): void {
  const m = hours.dayEndMinutes;
  if (!Number.isInteger(m) || m <= 0 || m >= 24 * 60) {
    throw new RangeError(`OfficeHours.dayEndMinutes must be an integer in 1..1439: ${m}`);
  }
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer: ${n}`);
}

function checkHoursAmount(name: string, h: number): void {
  if (!Number.isFinite(h) || h < 0) throw new RangeError(`${name} must be a non-negative number of hours: ${h}`);
}

function checkInstant(name: string, d: Date): void {
  if (Number.isNaN(d.getTime())) throw new RangeError(`${name} is an invalid Date`);
}

/** Whether a local date counts: a working day, or any day when counting calendar days. */
function counts(cal: WorkCalendar, date: string, workingDays: boolean): boolean {
  return !workingDays || cal.isWorkingDay(date);
}

/** The `n`-th counting day strictly after `date` (n >= 1). */
function nthDayAfter(cal: WorkCalendar, date: string, n: number, workingDays: boolean): string {
  if (!workingDays) return addCalendarDays(date, n);
  let d = date;
  for (let i = 0; i < n; i++) d = cal.nextWorkingDay(d);
  return d;
}

/**
 * Same day if `at` is on a working day (any day when `workingDays` is false) strictly before the
 * end of office hours, otherwise the end of the next working day.
 *
 * Why: an item that arrives after closing time, or on a holiday, cannot be handled "the same
 * day"; it is due by the end of the first day the office is open.
 */
export function endOfOfficeDay(cal: WorkCalendar, at: Date, workingDays: boolean, hours: OfficeHours): Date {
  checkInstant('at', at);
  checkHours(hours);
  const today = localDateOf(at);
  const todayEnd = localInstant(today, hours.dayEndMinutes);
  if (counts(cal, today, workingDays) && at.getTime() < todayEnd.getTime()) return todayEnd;
  return localInstant(nthDayAfter(cal, today, 1, workingDays), hours.dayEndMinutes);
}

/**
 * End of office hours of the `n`-th working day after the local date of `from` (n >= 0;
 * n = 0 → {@link endOfOfficeDay}). When `workingDays` is false, calendar days are counted.
 *
 * The day of `from` itself is never counted, whatever the hour: "within 3 working days" of a
 * Friday 15:00 report means by Wednesday 17:30. A report made on a holiday or after hours
 * counts from its own date too (a Saturday report with n = 1 is due Monday).
 */
export function addOfficeDays(cal: WorkCalendar, from: Date, n: number, workingDays: boolean, hours: OfficeHours): Date {
  checkInstant('from', from);
  checkCount('n', n);
  checkHours(hours);
  if (n === 0) return endOfOfficeDay(cal, from, workingDays, hours);
  return localInstant(nthDayAfter(cal, localDateOf(from), n, workingDays), hours.dayEndMinutes);
}

/**
 * Number of working days (or calendar days when `workingDays` is false) whose local date lies
 * in (localDate(from), localDate(to)] — 0 when both are on the same day or `to` <= `from`.
 *
 * Used to measure how many office days a paused item (补充材料) lost: the day the clock stopped
 * is not counted, the day it restarted is.
 */
export function officeDaysBetween(cal: WorkCalendar, from: Date, to: Date, workingDays: boolean): number {
  checkInstant('from', from);
  checkInstant('to', to);
  if (to.getTime() <= from.getTime()) return 0;
  const start = localDateOf(from);
  const end = localDateOf(to);
  if (!workingDays) {
    return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / MS_PER_DAY);
  }
  let count = 0;
  for (let d = addCalendarDays(start, 1); d <= end; d = addCalendarDays(d, 1)) {
    if (cal.isWorkingDay(d)) count++;
  }
  return count;
}

/**
 * Deadlines set at intake 受理.
 *
 * - urgent: `acceptBy` = receivedAt + acceptHours h; `resolveBy` = receivedAt + resolveHours h
 *   (clock hours, 24/7: urgent matters do not wait for office hours or holidays);
 * - immediate 即办: `resolveBy` = {@link endOfOfficeDay}(receivedAt) ("same day");
 *   `acceptBy` = min(receivedAt + acceptHours h, resolveBy);
 * - promised 承诺: `acceptBy` = {@link addOfficeDays}(receivedAt, 1);
 *   `resolveBy` = addOfficeDays(receivedAt, resolveDays).
 *
 * In every class `acceptBy` is capped at `resolveBy` (only matters for a promised category with
 * `resolveDays` = 0): an item cannot be due for acceptance after it is due for resolution.
 */
export function intakeDeadlines(cal: WorkCalendar, policy: DeadlinePolicy, receivedAt: Date, hours: OfficeHours): { acceptBy: Date; resolveBy: Date } {
  checkInstant('receivedAt', receivedAt);
  const t = receivedAt.getTime();
  switch (policy.handlingClass) {
    case 'urgent': {
      checkHoursAmount('acceptHours', policy.acceptHours);
      checkHoursAmount('resolveHours', policy.resolveHours);
      const resolveBy = new Date(t + policy.resolveHours * MS_PER_HOUR);
      const acceptBy = new Date(Math.min(t + policy.acceptHours * MS_PER_HOUR, resolveBy.getTime()));
      return { acceptBy, resolveBy };
    }
    case 'immediate': {
      checkHoursAmount('acceptHours', policy.acceptHours);
      const resolveBy = endOfOfficeDay(cal, receivedAt, policy.workingDays, hours);
      const acceptBy = new Date(Math.min(t + policy.acceptHours * MS_PER_HOUR, resolveBy.getTime()));
      return { acceptBy, resolveBy };
    }
    case 'promised': {
      const resolveBy = addOfficeDays(cal, receivedAt, policy.resolveDays, policy.workingDays, hours);
      const accept = addOfficeDays(cal, receivedAt, 1, policy.workingDays, hours);
      return { acceptBy: new Date(Math.min(accept.getTime(), resolveBy.getTime())), resolveBy };
    }
  }
}

/**
 * An approved extension 延期 of `amount`: working days (or calendar days, per the policy) for
 * immediate/promised — the new deadline falls at the end of the office day — and clock hours
 * for urgent. `amount` = 0 returns `resolveBy` unchanged.
 */
export function extendDeadline(cal: WorkCalendar, policy: DeadlinePolicy, resolveBy: Date, amount: number, hours: OfficeHours): Date {
  checkInstant('resolveBy', resolveBy);
  if (policy.handlingClass === 'urgent') {
    checkHoursAmount('amount', amount);
    return new Date(resolveBy.getTime() + amount * MS_PER_HOUR);
  }
  checkCount('amount', amount);
  if (amount === 0) return new Date(resolveBy.getTime());
  return addOfficeDays(cal, resolveBy, amount, policy.workingDays, hours);
}

/**
 * The clock stops while awaiting the resident (补充材料); on resume the deadline moves by the
 * time lost.
 *
 * - urgent: shifted by the paused milliseconds;
 * - immediate/promised: shifted by {@link officeDaysBetween}(pausedAt, resumedAt) office days,
 *   counted from `resolveBy`'s local date with the calendar (so the new deadline never lands on
 *   a holiday), keeping `resolveBy`'s time of day. A pause that starts and ends on the same day,
 *   or only spans non-working days, does not move the deadline.
 *
 * `resumedAt` <= `pausedAt` leaves the deadline unchanged. `_hours` is accepted for symmetry
 * with the other functions; the time of day comes from `resolveBy` itself.
 */
export function resumeDeadline(cal: WorkCalendar, policy: DeadlinePolicy, resolveBy: Date, pausedAt: Date, resumedAt: Date, _hours: OfficeHours): Date {
  checkInstant('resolveBy', resolveBy);
  checkInstant('pausedAt', pausedAt);
  checkInstant('resumedAt', resumedAt);
  if (policy.handlingClass === 'urgent') {
    const paused = Math.max(0, resumedAt.getTime() - pausedAt.getTime());
    return new Date(resolveBy.getTime() + paused);
  }
  const lost = officeDaysBetween(cal, pausedAt, resumedAt, policy.workingDays);
  if (lost === 0) return new Date(resolveBy.getTime());
  const fromDate = localDateOf(resolveBy);
  const toDate = nthDayAfter(cal, fromDate, lost, policy.workingDays);
  // UTC+8 has no DST, so moving by whole days keeps the wall-clock time exactly.
  const shiftDays = Math.round((Date.parse(`${toDate}T00:00:00Z`) - Date.parse(`${fromDate}T00:00:00Z`)) / MS_PER_DAY);
  return new Date(resolveBy.getTime() + shiftDays * MS_PER_DAY);
}

/**
 * Callback window 回访 after resolution: end of office hours of the `days`-th working day after
 * `resolvedAt` (always working days: the callback is made by office staff).
 */
export function callbackDeadline(cal: WorkCalendar, resolvedAt: Date, days: number, hours: OfficeHours): Date {
  return addOfficeDays(cal, resolvedAt, days, true, hours);
}

/**
 * Why a handling deadline needs saying when a ticket waits for its handler: it has passed, or it comes before
 * the 签收 deadline (a re-dispatch after 退单 gives a fresh window to accept while the deadline promised to the
 * resident stays). Null when neither, or with no deadline (paused).
 */
export type DeadlineConflict = 'resolve_passed' | 'resolve_before_accept';

export function deadlineConflict(resolveBy: Date | null, acceptBy: Date | null, now: Date): DeadlineConflict | null {
  if (resolveBy === null) return null;
  if (resolveBy <= now) return 'resolve_passed';
  return acceptBy !== null && resolveBy < acceptBy ? 'resolve_before_accept' : null;
}
