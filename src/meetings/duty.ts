/**
 * The scheduler duty of the meeting rhythm, once a day after the office opens:
 * - each region's meeting of this period and the next (month, or the county's quarter) is
 *   created with its agenda once its preparation day has come (src/meetings/schedule.ts),
 *   and not after the day it is held (a process down over it does not make a stale one);
 * - the people expected at a meeting are reminded in chat on the working day before it (or
 *   on the day itself, when no process ran before): each once, claimed in the same
 *   transaction as the push, so that two processes never both send it.
 * The meeting's unique key makes its creation idempotent across processes.
 */
import { type Db, transaction } from '../db/client.js';
import { logger } from '../log.js';
import { addCalendarDays, type LocalDate, localDateOf, type WorkCalendar } from '../pipeline/calendar.js';
import { dailyTurn, type OfficeHours } from '../pipeline/deadlines.js';
import { enqueuePush } from '../pipeline/outbox.js';
import type { Clock } from '../pipeline/service.js';
import { loadRegions, type RegionNode } from '../org/regions.js';
import { meetingTitle } from './decisions.js';
import { prepareMeeting } from './meetings.js';
import { meetingDates, type MeetingKind, meetingSettings, nextPeriod, periodOf } from './schedule.js';

const log = logger('meetings');

/** What one run did. */
export interface MeetingDutyRun {
  prepared: number;
  reminded: number;
}

/** Creates the meetings whose preparation day has come, as of `now`; returns how many it created. */
export async function prepareDueMeetings(db: Db, regions: Map<number, RegionNode>, calendar: WorkCalendar, now: Date): Promise<number> {
  const today = localDateOf(now);
  let prepared = 0;
  for (const region of [...regions.values()].sort((a, b) => a.code.localeCompare(b.code))) {
    const kind = region.level;
    const settings = await meetingSettings(db, regions, region.id, kind);
    const current = periodOf(kind, today.slice(0, 7));
    for (const period of [current, nextPeriod(current)]) {
      const { heldOn, prepareOn } = meetingDates(calendar, period, settings);
      if (today < prepareOn || today > heldOn) continue;
      if ((await prepareMeeting(db, regions, { regionId: region.id, kind, period, heldOn }, now)) !== null) prepared++;
    }
  }
  return prepared;
}

/**
 * Reminds the people expected at the meetings held up to the next working day (or today),
 * each once; returns the pushes queued. On a working day that reaches past a weekend or a
 * holiday: a Monday meeting is reminded on Friday, at work, not on Sunday. On a day off
 * only tomorrow's are (those no process reminded on the last working day).
 */
export async function remindAttendees(db: Db, regions: Map<number, RegionNode>, calendar: WorkCalendar, now: Date): Promise<number> {
  const today: LocalDate = localDateOf(now);
  const until = calendar.isWorkingDay(today) ? calendar.nextWorkingDay(today) : addCalendarDays(today, 1);
  const meetings = await db.meeting.findMany({ where: { heldOn: { gte: today, lte: until } }, orderBy: { id: 'asc' } });
  let reminded = 0;
  for (const meeting of meetings) {
    const due = await db.meetingAttendee.findMany({ where: { meetingId: meeting.id, invited: true, remindedAt: null }, select: { personId: true }, orderBy: { personId: 'asc' } });
    const title = meetingTitle({ kind: meeting.kind as MeetingKind, heldOn: meeting.heldOn }, regions.get(meeting.regionId)?.name ?? '');
    for (const { personId } of due) {
      const claimed = await transaction(db, async (tx) => {
        const { count } = await tx.meetingAttendee.updateMany({ where: { meetingId: meeting.id, personId, remindedAt: null }, data: { remindedAt: now } });
        if (count === 0) return false;
        await enqueuePush(tx, [personId], { template: 'meeting.reminder', params: { meeting: title, heldOn: meeting.heldOn } }, now);
        return true;
      });
      if (claimed) reminded++;
    }
  }
  return reminded;
}

/** The duty; each run resolves with what it did (nothing before the office opens, or twice a day). */
export function meetingDuty(options: { db: Db; clock: Clock; calendar: WorkCalendar; officeHours: OfficeHours }): () => Promise<MeetingDutyRun> {
  const turn = dailyTurn(options.officeHours);
  return async () => {
    const now = options.clock.now();
    const today = turn.dueAt(now);
    if (!today) return { prepared: 0, reminded: 0 };
    const regions = await loadRegions(options.db);
    const prepared = await prepareDueMeetings(options.db, regions, options.calendar, now);
    const reminded = await remindAttendees(options.db, regions, options.calendar, now);
    log.info({ prepared, reminded }, 'meeting rhythm');
    turn.done(today);
    return { prepared, reminded };
  };
}
