/**
 * The mainland-China working-day calendar 工作日历.
 *
 * Deadlines of the acceptance pipeline (限时办结) count working days 工作日, and in China a
 * working day is not simply Monday–Friday: each year the State Council publishes the holiday
 * arrangement (国务院办公厅关于部分节假日安排的通知), which turns some weekdays into holidays
 * and some Saturdays/Sundays into make-up working days (调休上班). That arrangement is data,
 * kept in `data/calendar/cn-holidays.json` so a county can add next year's notice without a
 * code change.
 *
 * Dates and times: mainland China uses UTC+8 all year (no daylight saving), so local wall-clock
 * arithmetic is done with plain `Date` values and a fixed +8 h offset. No time-zone database and
 * no library are needed, and results do not depend on the server's own time zone.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { projectPath } from '../paths.js';

/** A local calendar date in China (no DST, UTC+8 all year), 'YYYY-MM-DD'. */
export type LocalDate = string;

/**
 * The shape of the holiday data file.
 *
 * `holidays` lists every day off of each holiday block (including the weekend days inside the
 * block); `workdays` lists the weekend days that are official make-up working days.
 */
export interface CalendarData {
  source?: string;
  timezone?: string;
  years: Record<string, { holidays: string[]; workdays: string[] }>;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** China Standard Time is UTC+8 all year. */
const OFFSET_MS = 8 * 60 * MS_PER_MINUTE;
const LOCAL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Milliseconds since the epoch of UTC midnight of the date's Y-M-D, or `undefined` when the
 * string is not a real 'YYYY-MM-DD' date (e.g. '2026-02-30' or '2026-2-3').
 */
function dayNumberMs(date: string): number | undefined {
  const m = LOCAL_DATE_RE.exec(date);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Round-trip: rejects 2026-02-30 (Date.UTC rolls it over) and years 0000–0099 (mapped to 19xx).
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return undefined;
  return ms;
}

function parseLocalDate(date: LocalDate): number {
  const ms = dayNumberMs(date);
  if (ms === undefined) throw new RangeError(`Not a local date 'YYYY-MM-DD': ${JSON.stringify(date)}`);
  return ms;
}

function formatDayMs(ms: number): LocalDate {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Day of week 0 = Sunday … 6 = Saturday. */
function weekdayOf(date: LocalDate): number {
  return new Date(parseLocalDate(date)).getUTCDay();
}

const dateString = z.string().refine((s) => dayNumberMs(s) !== undefined, {
  message: "not a valid date 'YYYY-MM-DD'",
});

const yearSchema = z.object({
  holidays: z.array(dateString),
  workdays: z.array(dateString),
});

const calendarSchema = z.object({
  source: z.string().optional(),
  // The arithmetic assumes UTC+8; a file written for another zone would be silently misread.
  timezone: z.literal('Asia/Shanghai').optional(),
  years: z.record(z.string(), yearSchema),
});

/** Follows a zod issue path into the raw input, to quote the offending value in the message. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeIssue(input: unknown, issue: { readonly path: readonly PropertyKey[]; readonly message: string }): string {
  const path = issue.path;
  const where =
    path[0] === 'years' && path.length >= 2
      ? `year ${String(path[1])}${path.length > 2 ? `, ${path.slice(2).map(String).join('.')}` : ''}`
      : path.length > 0
        ? path.map(String).join('.')
        : 'file';
  const value = path.length > 0 ? valueAt(input, path) : undefined;
  const quoted = value === undefined ? '' : ` (value ${JSON.stringify(value)})`;
  return `${where}: ${issue.message}${quoted}`;
}

/**
 * Working-day calendar built from the State Council holiday arrangement.
 *
 * Years missing from the data fall back to Monday–Friday; callers that care (e.g. a startup
 * check warning that next year's notice has not been entered yet) can ask {@link covers}.
 */
export class WorkCalendar {
  private readonly holidays = new Set<LocalDate>();
  private readonly workdays = new Set<LocalDate>();
  private readonly years = new Set<number>();
  /** Where the data came from (the `source` field of the file), for display. */
  readonly source: string | undefined;

  /**
   * Validates the data and builds the calendar.
   *
   * @throws Error naming the year and the bad value when a date is malformed, belongs to
   *   another year than the one it is listed under, or is both a holiday and a make-up workday.
   */
  constructor(data: CalendarData) {
    const input: unknown = data;
    const parsed = calendarSchema.safeParse(input);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => describeIssue(input, i));
      throw new Error(`Invalid holiday calendar data: ${lines.join('; ')}`);
    }
    const problems: string[] = [];
    for (const [year, { holidays, workdays }] of Object.entries(parsed.data.years)) {
      if (!/^\d{4}$/.test(year)) {
        problems.push(`year ${JSON.stringify(year)}: year keys must be four digits`);
        continue;
      }
      for (const [field, list] of [
        ['holidays', holidays],
        ['workdays', workdays],
      ] as const) {
        for (const d of list) {
          if (!d.startsWith(`${year}-`)) problems.push(`year ${year}, ${field}: ${JSON.stringify(d)} is not in ${year}`);
        }
      }
      const hol = new Set(holidays);
      for (const d of workdays) {
        if (hol.has(d)) problems.push(`year ${year}: ${JSON.stringify(d)} is both a holiday and a workday`);
      }
      this.years.add(Number(year));
      for (const d of holidays) this.holidays.add(d);
      for (const d of workdays) this.workdays.add(d);
    }
    if (problems.length > 0) throw new Error(`Invalid holiday calendar data: ${problems.join('; ')}`);
    this.source = parsed.data.source;
  }

  /**
   * Reads and validates a holiday data file.
   *
   * @param path file path; defaults to the repository's `data/calendar/cn-holidays.json`,
   *   resolved from the project's root so it works whatever the process's working directory.
   * @throws Error naming the file when it cannot be read, is not JSON, or fails validation.
   */
  static load(path?: string): WorkCalendar {
    const target = path ?? projectPath('data', 'calendar', 'cn-holidays.json');
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(target, 'utf8'));
    } catch (err) {
      throw new Error(`Cannot read holiday calendar ${target}: ${(err as Error).message}`, { cause: err });
    }
    try {
      return new WorkCalendar(raw as CalendarData);
    } catch (err) {
      throw new Error(`${target}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Whether the data file has the arrangement for that year (otherwise Monday–Friday is assumed). */
  covers(year: number): boolean {
    return this.years.has(year);
  }

  /**
   * A make-up workday 调休上班 → true; a holiday → false; otherwise Monday–Friday.
   * Years not covered by the data: Monday–Friday.
   *
   * @throws RangeError when `date` is not a valid 'YYYY-MM-DD'.
   */
  isWorkingDay(date: LocalDate): boolean {
    const dow = weekdayOf(date);
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    return dow !== 0 && dow !== 6;
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: LocalDate): LocalDate {
    let ms = parseLocalDate(date);
    // The longest official block is 9 days; a year of data cannot be all holidays, but bound the loop anyway.
    for (let i = 0; i < 366; i++) {
      ms += MS_PER_DAY;
      const d = formatDayMs(ms);
      if (this.isWorkingDay(d)) return d;
    }
    throw new Error(`No working day within a year after ${date}: the holiday data is wrong`);
  }
}

/** The local calendar date (UTC+8) of an instant. */
export function localDateOf(instant: Date): LocalDate {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new RangeError('Invalid Date');
  return formatDayMs(t + OFFSET_MS);
}

/**
 * The instant of a local wall-clock time in UTC+8, e.g. `localInstant('2026-10-10', 17 * 60 + 30)`
 * is 2026-10-10T17:30:00+08:00. Minutes outside 0–1439 roll over into adjacent days.
 */
export function localInstant(date: LocalDate, minutesOfDay: number): Date {
  if (!Number.isFinite(minutesOfDay)) throw new RangeError(`minutesOfDay must be finite: ${minutesOfDay}`);
  return new Date(parseLocalDate(date) + minutesOfDay * MS_PER_MINUTE - OFFSET_MS);
}

/** `date` plus `n` calendar days (n may be negative). */
export function addCalendarDays(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`n must be an integer: ${n}`);
  return formatDayMs(parseLocalDate(date) + n * MS_PER_DAY);
}

/** The month (YYYY-MM) after `month`. */
export function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}

/** The instants a month (YYYY-MM, Beijing time) starts and ends. */
export function monthBounds(month: string): { from: Date; to: Date } {
  return { from: localInstant(`${month}-01`, 0), to: localInstant(`${nextMonth(month)}-01`, 0) };
}

/** Minutes since local (UTC+8) midnight, 0–1439; seconds are truncated. */
export function minutesOfDay(instant: Date): number {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new RangeError('Invalid Date');
  const msOfDay = (((t + OFFSET_MS) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  return Math.floor(msOfDay / MS_PER_MINUTE);
}
