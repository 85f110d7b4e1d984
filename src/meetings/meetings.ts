/**
 * The meetings of the rhythm: each created once with its agenda (a snapshot) and the
 * people expected at it; staff may regenerate the agenda until the meeting is recorded,
 * change who is expected, and record who attended, the minutes and the guests.
 * Every staff action is an audit event.
 */
import { isUniqueViolation } from '../db/dialect.js';
import { type Db, transaction } from '../db/client.js';
import { normaliseText } from '../privacy.js';
import { ledgerOwners } from '../ledger/ledger.js';
import type { RegionNode } from '../org/regions.js';
import { type Agenda, type AgendaTarget, buildAgenda } from './agenda.js';
import { MeetingRefused, refuseBeforeMeeting } from './decisions.js';
import type { MeetingKind } from './schedule.js';

/** The roles expected at a region's meeting: its own staff and liaisons. */
const EXPECTED_ROLES = ['liaison', 'grid_leader', 'dispatcher', 'supervisor', 'department_handler', 'mediator'];

/** Who is expected at a meeting of `regionId`: the people holding a staff or liaison role there (a role's region is its department's or grid's). */
export async function expectedPeople(db: Db, regionId: number): Promise<number[]> {
  const rows = await db.personRole.findMany({
    where: { role: { in: EXPECTED_ROLES }, regionId },
    select: { personId: true },
    distinct: ['personId'],
    orderBy: { personId: 'asc' },
  });
  return rows.map((r) => r.personId);
}

/** The people who may attend or own a decision: the region's roster of staff and liaisons (ledger owners' people). */
export async function rosterPeople(db: Db, regions: Map<number, RegionNode>, regionId: number): Promise<{ id: number; name: string }[]> {
  return (await ledgerOwners(db, regions, regionId)).people;
}

/** `kind:regionId:period`: the meeting's unique key. */
export function meetingKey(target: { kind: MeetingKind; regionId: number; period: string }): string {
  return `${target.kind}:${target.regionId}:${target.period}`;
}

/**
 * Creates the meeting of `target` with its agenda and the people expected, once: null
 * when it exists already (another process, or an earlier run, made it).
 */
export async function prepareMeeting(db: Db, regions: Map<number, RegionNode>, target: AgendaTarget, now: Date): Promise<number | null> {
  const key = meetingKey(target);
  if (await db.meeting.findUnique({ where: { key }, select: { id: true } })) return null;
  const agenda = await buildAgenda(db, regions, target, now);
  const invited = await expectedPeople(db, target.regionId);
  try {
    return await transaction(db, async (tx) => {
      const meeting = await tx.meeting.create({
        data: { key, regionId: target.regionId, kind: target.kind, period: target.period, heldOn: target.heldOn, agenda: JSON.stringify(agenda), agendaAt: now, createdAt: now },
      });
      if (invited.length) await tx.meetingAttendee.createMany({ data: invited.map((personId) => ({ meetingId: meeting.id, personId })) });
      return meeting.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/** A meeting's stored agenda. */
export function agendaOf(meeting: { agenda: string }): Agenda {
  return JSON.parse(meeting.agenda) as Agenda;
}

/** Prepares the agenda again (before the meeting is recorded), as of `now`. */
export async function regenerateAgenda(db: Db, regions: Map<number, RegionNode>, meetingId: number, actorId: number, now: Date): Promise<void> {
  const meeting = await db.meeting.findUnique({ where: { id: meetingId } });
  if (!meeting) throw new MeetingRefused('没有这个会议。 There is no such meeting.');
  if (meeting.recordedAt !== null) throw new MeetingRefused('会议已记录，议程不再更新。 The meeting is recorded: its agenda stays as it was.');
  const agenda = await buildAgenda(db, regions, { regionId: meeting.regionId, kind: meeting.kind as MeetingKind, period: meeting.period, heldOn: meeting.heldOn }, now);
  await transaction(db, async (tx) => {
    await tx.meeting.update({ where: { id: meetingId }, data: { agenda: JSON.stringify(agenda), agendaAt: now } });
    await tx.auditEvent.create({ data: { action: 'meeting_agenda_regenerated', actorId, at: now, data: JSON.stringify({ meetingId }) } });
  });
}

const MINUTES_MAX = 5000;
const GUESTS_MAX = 200;

/** What the record form sends. */
export interface MeetingRecordInput {
  /** Roster people who attended. */
  attendees: number[];
  guests: string;
  minutes: string;
}

/** Records who attended, the guests and the minutes (again, to correct them). */
export async function recordMeeting(db: Db, regions: Map<number, RegionNode>, meetingId: number, input: MeetingRecordInput, actorId: number, now: Date): Promise<void> {
  const meeting = await db.meeting.findUnique({ where: { id: meetingId } });
  if (!meeting) throw new MeetingRefused('没有这个会议。 There is no such meeting.');
  refuseBeforeMeeting(meeting, now);
  const minutes = normaliseText(input.minutes).trim();
  const guests = normaliseText(input.guests).replace(/\s+/g, ' ').trim();
  if (!minutes) throw new MeetingRefused('请填写会议纪要。 Write the minutes.');
  if ([...minutes].length > MINUTES_MAX) throw new MeetingRefused(`会议纪要不能超过 ${MINUTES_MAX} 个字。 The minutes may have at most ${MINUTES_MAX} characters.`);
  if ([...guests].length > GUESTS_MAX) throw new MeetingRefused(`列席人员不能超过 ${GUESTS_MAX} 个字。 The guests may have at most ${GUESTS_MAX} characters.`);
  if (!input.attendees.length && !guests) throw new MeetingRefused('请选择参会人员。 Choose who attended.');
  const roster = new Set((await rosterPeople(db, regions, meeting.regionId)).map((p) => p.id));
  if (input.attendees.some((id) => !roster.has(id))) throw new MeetingRefused('所选参会人员不属于该地区。 An attendee chosen does not belong to the region.');
  const attendees = [...new Set(input.attendees)];
  await transaction(db, async (tx) => {
    await tx.meeting.update({ where: { id: meetingId }, data: { minutes, guests, recordedById: actorId, recordedAt: now } });
    await tx.meetingAttendee.updateMany({ where: { meetingId }, data: { attended: false } });
    for (const personId of attendees) {
      await tx.meetingAttendee.upsert({
        where: { meetingId_personId: { meetingId, personId } },
        create: { meetingId, personId, invited: false, attended: true },
        update: { attended: true },
      });
    }
    await tx.auditEvent.create({
      data: {
        action: meeting.recordedAt === null ? 'meeting_recorded' : 'meeting_record_changed',
        actorId,
        at: now,
        data: JSON.stringify({ meetingId, attendees: attendees.length }),
      },
    });
  });
}

/** Sets who is expected at the meeting (and reminded the day before); those already reminded keep their mark. */
export async function setInvited(db: Db, regions: Map<number, RegionNode>, meetingId: number, personIds: number[], actorId: number, now: Date): Promise<void> {
  const meeting = await db.meeting.findUnique({ where: { id: meetingId } });
  if (!meeting) throw new MeetingRefused('没有这个会议。 There is no such meeting.');
  const roster = new Set((await rosterPeople(db, regions, meeting.regionId)).map((p) => p.id));
  if (personIds.some((id) => !roster.has(id))) throw new MeetingRefused('所选人员不属于该地区。 A person chosen does not belong to the region.');
  const invited = [...new Set(personIds)];
  await transaction(db, async (tx) => {
    await tx.meetingAttendee.updateMany({ where: { meetingId, personId: { notIn: invited } }, data: { invited: false } });
    for (const personId of invited) {
      await tx.meetingAttendee.upsert({ where: { meetingId_personId: { meetingId, personId } }, create: { meetingId, personId, invited: true }, update: { invited: true } });
    }
    await tx.auditEvent.create({ data: { action: 'meeting_invited_changed', actorId, at: now, data: JSON.stringify({ meetingId, invited: invited.length }) } });
  });
}
