/**
 * When the meetings of the rhythm fall (seed 001): each village's 村务议政会 on the 20th,
 * each township's 民情分析会 on the 25th, the county's 调度会 each quarter — on the 10th of
 * the quarter's first month (January, April, July, October) by default, early enough to
 * act on the quarter. Each agenda is prepared three calendar days before.
 *
 * The day and the lead time are set per region and kind (MeetingRule), inherited from the
 * region above like the ranking settings (src/ranking/settings.ts): the county may set
 * the villages' day for all of them, a township for its own villages, a village for itself.
 *
 * A day that is not a working day (a weekend, a holiday, per the WorkCalendar) moves to
 * the next working day 顺延, as offices do with a fixed-date meeting; a make-up working
 * day 调休上班 counts as a working day. The lead time counts calendar days back from the
 * day held, so the agenda is ready the same number of days ahead whatever the weekday.
 */
import { type Db, transaction } from '../db/client.js';
import { typedWholeNumber } from '../engine/choices.js';
import { addCalendarDays, type LocalDate, nextMonth, type WorkCalendar } from '../pipeline/calendar.js';
import type { RegionLevel } from '../org/types.js';
import { pathOf, type RegionNode } from '../org/regions.js';

/** A meeting's kind is the level of the region it is held in. */
export type MeetingKind = RegionLevel;

/** Each kind's name, Chinese and English. */
export const MEETING_NAMES: Readonly<Record<MeetingKind, { zh: string; en: string }>> = {
  village: { zh: '村务议政会', en: 'village council meeting' },
  township: { zh: '民情分析会', en: 'township analysis meeting' },
  county: { zh: '调度会', en: 'county coordination meeting' },
};

/** Seed 001's days; the county's is its choice of day in the quarter's first month. */
export const DEFAULT_DAYS: Readonly<Record<MeetingKind, number>> = { village: 20, township: 25, county: 10 };
/** Agenda ready three days before (the brief's default). */
export const DEFAULT_LEAD_DAYS = 3;

/** A region's settings for one kind, resolved up the tree. */
export interface MeetingSettings {
  day: number;
  leadDays: number;
  /** Where each value comes from: the region that set it, or null for the default. */
  dayFrom: number | null;
  leadFrom: number | null;
}

/** The settings of `kind` meetings held in `regionId`: the nearest region on its path up that sets each field. */
export async function meetingSettings(db: Db, regions: Map<number, RegionNode>, regionId: number, kind: MeetingKind): Promise<MeetingSettings> {
  const path = pathOf(regions, regionId);
  const rules = await db.meetingRule.findMany({ where: { regionId: { in: path }, kind } });
  const byRegion = new Map(rules.map((r) => [r.regionId, r]));
  const settings: MeetingSettings = { day: DEFAULT_DAYS[kind], leadDays: DEFAULT_LEAD_DAYS, dayFrom: null, leadFrom: null };
  // From the top down: the nearest region's value is the last written.
  for (const id of path) {
    const rule = byRegion.get(id);
    if (rule?.day != null) Object.assign(settings, { day: rule.day, dayFrom: id });
    if (rule?.leadDays != null) Object.assign(settings, { leadDays: rule.leadDays, leadFrom: id });
  }
  return settings;
}

/** The period a meeting belongs to: YYYY-MM, or YYYY-Qn for the county's. */
export function periodOf(kind: MeetingKind, month: string): string {
  if (kind !== 'county') return month;
  const [year, m] = month.split('-').map(Number) as [number, number];
  return `${year}-Q${Math.floor((m - 1) / 3) + 1}`;
}

/** The month a period's meeting is held in: the period itself, or a quarter's first month. */
export function monthOfPeriod(period: string): string {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (!quarter) return period;
  return `${quarter[1]}-${String((Number(quarter[2]) - 1) * 3 + 1).padStart(2, '0')}`;
}

/** The period after `period` (the next month, or the next quarter). */
export function nextPeriod(period: string): string {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) return quarter[2] === '4' ? `${Number(quarter[1]) + 1}-Q1` : `${quarter[1]}-Q${Number(quarter[2]) + 1}`;
  return nextMonth(period);
}

/** When a period's meeting is held and its agenda prepared. */
export interface MeetingDates {
  heldOn: LocalDate;
  prepareOn: LocalDate;
}

/** The day `settings.day` of the period's month, moved to the next working day if it is not one; the agenda `leadDays` before. */
export function meetingDates(calendar: WorkCalendar, period: string, settings: Pick<MeetingSettings, 'day' | 'leadDays'>): MeetingDates {
  const planned = `${monthOfPeriod(period)}-${String(settings.day).padStart(2, '0')}`;
  const heldOn = calendar.isWorkingDay(planned) ? planned : calendar.nextWorkingDay(planned);
  return { heldOn, prepareOn: addCalendarDays(heldOn, -settings.leadDays) };
}

/** The day the next `kind` meeting of `regionId` is held, on or after `from`: its settings, moved past non-working days. */
export async function nextMeetingDay(db: Db, regions: Map<number, RegionNode>, calendar: WorkCalendar, regionId: number, kind: MeetingKind, from: LocalDate): Promise<LocalDate> {
  const settings = await meetingSettings(db, regions, regionId, kind);
  let period = periodOf(kind, from.slice(0, 7));
  while (meetingDates(calendar, period, settings).heldOn < from) period = nextPeriod(period);
  return meetingDates(calendar, period, settings).heldOn;
}

/** Days above 28 would not exist in February. */
const MAX_DAY = 28;
const MAX_LEAD_DAYS = 20;

/** The kinds of meetings held in a region of `level` or below it: those a region's settings may set. */
export function kindsAtOrBelow(level: RegionLevel): MeetingKind[] {
  return level === 'county' ? ['village', 'township', 'county'] : level === 'township' ? ['village', 'township'] : ['village'];
}

/** The settings form's values for one kind: empty is as the region above. */
export interface MeetingRuleForm {
  kind: MeetingKind;
  day: string;
  leadDays: string;
}

/**
 * Saves a region's settings of each kind (an empty field: as the region above), or the
 * problems, one Chinese-first line each; an audit event records who changed what.
 */
export async function saveMeetingRules(db: Db, regionId: number, forms: MeetingRuleForm[], actorId: number, now: Date): Promise<string[]> {
  const problems: string[] = [];
  const rows = forms.map((form) => {
    const name = MEETING_NAMES[form.kind];
    // An empty field takes the region above's setting (null); anything else is a whole number in range, typed as people type it.
    const day = form.day.trim() ? typedWholeNumber(form.day, { min: 1, max: MAX_DAY }) : null;
    const leadDays = form.leadDays.trim() ? typedWholeNumber(form.leadDays, { min: 0, max: MAX_LEAD_DAYS }) : null;
    if (day === null && form.day.trim())
      problems.push(`${name.zh}的日期“${form.day}”应为 1 到 ${MAX_DAY} 之间的整数。 The day of the ${name.en} is a whole number from 1 to ${MAX_DAY}.`);
    if (leadDays === null && form.leadDays.trim()) {
      problems.push(
        `${name.zh}的提前天数“${form.leadDays}”应为 0 到 ${MAX_LEAD_DAYS} 之间的整数。 The lead time of the ${name.en} is a whole number of days from 0 to ${MAX_LEAD_DAYS}.`,
      );
    }
    return { kind: form.kind, day, leadDays };
  });
  if (problems.length) return problems;
  await transaction(db, async (tx) => {
    for (const row of rows) {
      await tx.meetingRule.upsert({
        where: { regionId_kind: { regionId, kind: row.kind } },
        create: { regionId, ...row, updatedById: actorId, updatedAt: now },
        update: { day: row.day, leadDays: row.leadDays, updatedById: actorId, updatedAt: now },
      });
    }
    await tx.auditEvent.create({ data: { action: 'meeting_rules_changed', actorId, at: now, data: JSON.stringify({ regionId, rules: rows }) } });
  });
  return [];
}
