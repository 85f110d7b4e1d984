/**
 * The demo county's meeting rhythm, after the demo history: the first village's last
 * 村务议政会, recorded with its attendees, minutes and decisions (an assignment done, one
 * open, a ledger item for the township's power station), and its next one with the agenda
 * prepared — made through the same functions as the duty and the console, so that
 * /console/meetings shows real cases on first start. Deterministic: a function of the
 * history and `now`.
 */
import type { Database } from '../db/client.js';
import { addDecision, markAssignmentDone } from '../meetings/decisions.js';
import { prepareMeeting, recordMeeting } from '../meetings/meetings.js';
import { meetingDates, meetingSettings, type MeetingDates, nextPeriod, periodOf } from '../meetings/schedule.js';
import { addCalendarDays, localDateOf, localInstant } from '../pipeline/calendar.js';
import type { PipelineRules } from '../pipeline/model.js';
import { PipelineService } from '../pipeline/service.js';
import { shiftMonth } from '../themes/proposals.js';
import { loadRegions } from './regions.js';

const MINUTES = `一、通报上月民情：联络员走访情况、群众反映的诉求及办理进度。
二、逐件过超期、重办事项，明确责任人和完成时限。
三、研究村口路灯、饮水等群众集中反映的问题。
四、部署本月走访重点：高龄老人、困难家庭。`;

/** Seeds the two meetings; returns how many, 0 when there are meetings already or no village with a dispatcher above it. */
export async function seedDemoMeetings(database: Database, options: { now: Date; rules: PipelineRules; ticketPrefix?: string }): Promise<number> {
  const { db } = database;
  const { now, rules } = options;
  if ((await db.meeting.count()) > 0) return 0;
  const regions = await loadRegions(db);
  const village = [...regions.values()].filter((r) => r.level === 'village').sort((a, b) => a.code.localeCompare(b.code))[0];
  if (!village || village.parentId === null) return 0;
  const dispatcher = await db.personRole.findFirst({ where: { role: 'dispatcher', regionId: village.parentId }, orderBy: { personId: 'asc' } });
  const station = await db.department.findFirst({ where: { regionId: village.parentId, kind: 'power' } });
  if (!dispatcher || !station) return 0;
  const actor = dispatcher.personId;
  const today = localDateOf(now);
  const settings = await meetingSettings(db, regions, village.id, 'village');

  // The last meeting held before today, and the next one from today.
  let period = periodOf('village', shiftMonth(today.slice(0, 7), -1));
  let dates: MeetingDates = meetingDates(rules.calendar, period, settings);
  while (meetingDates(rules.calendar, nextPeriod(period), settings).heldOn < today) {
    period = nextPeriod(period);
    dates = meetingDates(rules.calendar, period, settings);
  }
  const upcoming = nextPeriod(period);
  const preparedAt = new Date(Math.min(localInstant(dates.prepareOn, 9 * 60).getTime(), now.getTime()));
  const heldAt = new Date(Math.min(localInstant(dates.heldOn, 16 * 60).getTime(), now.getTime()));
  const pastId = await prepareMeeting(db, regions, { regionId: village.id, kind: 'village', period, heldOn: dates.heldOn }, preparedAt);
  if (pastId === null) return 0;
  const invited = await db.meetingAttendee.findMany({ where: { meetingId: pastId, invited: true }, orderBy: { personId: 'asc' } });
  await recordMeeting(db, regions, pastId, { attendees: invited.map((a) => a.personId), guests: '镇包村干部、村民代表 2 名', minutes: MINUTES }, actor, heldAt);
  const liaisons = invited.map((a) => a.personId);
  const pipeline = new PipelineService({ db, rules, clock: { now: () => heldAt }, ...(options.ticketPrefix ? { ticketPrefix: options.ticketPrefix } : {}) });
  const ctx = { db, regions, pipeline, actorId: actor, now: heldAt };
  const meeting = { id: pastId, regionId: village.id, kind: 'village' as const, heldOn: dates.heldOn };
  const first = liaisons[0];
  if (first !== undefined) {
    const done = await addDecision(ctx, meeting, {
      kind: 'assignment',
      text: '走访村里独居老人，摸清冬季取暖需求',
      owner: `person:${first}`,
      deadline: addCalendarDays(dates.heldOn, 7),
    });
    await markAssignmentDone(db, done, first, new Date(Math.min(localInstant(addCalendarDays(dates.heldOn, 5), 17 * 60).getTime(), now.getTime())));
    await addDecision(ctx, meeting, {
      kind: 'assignment',
      text: '统计村口需要更换的路灯，报镇供电所',
      owner: `person:${liaisons[1] ?? first}`,
      deadline: addCalendarDays(dates.heldOn, 14),
    });
  }
  await addDecision(ctx, meeting, { kind: 'ledger', text: '村口至学校路段路灯全部修复', owner: `department:${station.id}`, deadline: addCalendarDays(dates.heldOn, 40) });
  // Delivered when written, as the history's pushes are: a past push waits for no chat.
  await db.outboxMessage.updateMany({ where: { template: { in: ['meeting.assigned', 'meeting.ledger_assigned'] }, sentAt: null, failedAt: null }, data: { sentAt: heldAt } });

  const next = meetingDates(rules.calendar, upcoming, settings);
  await prepareMeeting(db, regions, { regionId: village.id, kind: 'village', period: upcoming, heldOn: next.heldOn }, now);
  return 2;
}
