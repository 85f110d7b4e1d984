/**
 * The meeting rhythm, on both databases: when each kind falls (moved past non-working
 * days, settings inherited down the regions), a village's agenda with its exact figures on
 * a small hand-built month, the duty creating each meeting once on its preparation day
 * (whatever process runs it), and the day-before reminders sent once per person.
 */
import { describe, expect, test } from 'vitest';
import { createLedgerItem } from '../../src/ledger/ledger.js';
import type { Agenda } from '../../src/meetings/agenda.js';
import { prepareDueMeetings, meetingDuty, remindAttendees } from '../../src/meetings/duty.js';
import { expectedPeople, prepareMeeting, regenerateAgenda } from '../../src/meetings/meetings.js';
import { meetingDates, meetingSettings, nextPeriod, periodOf } from '../../src/meetings/schedule.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { loadRegions } from '../../src/org/regions.js';
import { percent } from '../../src/visits/month-coverage.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

const at = (local: string) => new Date(`${local}+08:00`);

describe('when meetings fall', () => {
  test('the 20th, the 25th, the 10th of a quarter’s first month; a non-working day moves to the next working day', () => {
    const calendar = rules.calendar;
    // Friday 20 November 2026; Sunday 20 December → Monday 21.
    expect(meetingDates(calendar, '2026-11', { day: 20, leadDays: 3 })).toEqual({ heldOn: '2026-11-20', prepareOn: '2026-11-17' });
    expect(meetingDates(calendar, '2026-12', { day: 20, leadDays: 3 })).toEqual({ heldOn: '2026-12-21', prepareOn: '2026-12-18' });
    // Sunday 10 January 2027 → Monday 11.
    expect(meetingDates(calendar, '2027-Q1', { day: 10, leadDays: 3 })).toEqual({ heldOn: '2027-01-11', prepareOn: '2027-01-08' });
    expect(periodOf('county', '2026-11')).toBe('2026-Q4');
    expect(periodOf('village', '2026-11')).toBe('2026-11');
    expect(nextPeriod('2026-Q4')).toBe('2027-Q1');
    expect(nextPeriod('2026-12')).toBe('2027-01');
  });
});

eachFreshDatabase((freshDatabase) => {
  describe('the meeting rhythm', () => {
    test('settings inherited down the regions, each field from the nearest region that sets it', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      const regions = await loadRegions(db);
      const county = await db.region.findUniqueOrThrow({ where: { code: 'QH' } });
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const admin = await db.person.findUniqueOrThrow({ where: { code: 'ADM-QH' } });
      expect(await meetingSettings(db, regions, village.id, 'village')).toEqual({ day: 20, leadDays: 3, dayFrom: null, leadFrom: null });
      const rule = (regionId: number, day: number | null, leadDays: number | null) =>
        db.meetingRule.create({ data: { regionId, kind: 'village', day, leadDays, updatedById: admin.id, updatedAt: new Date() } });
      await rule(county.id, 18, 5);
      await rule(township.id, 22, null);
      expect(await meetingSettings(db, regions, village.id, 'village')).toEqual({ day: 22, leadDays: 5, dayFrom: township.id, leadFrom: county.id });
      expect(await meetingSettings(db, regions, township.id, 'township')).toEqual({ day: 25, leadDays: 3, dayFrom: null, leadFrom: null });
    });

    test('a village’s agenda: exact figures of a hand-built month, the last meeting’s decisions, the theme, overdue tickets, ledger items due', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      const clock = new FakeClock(at('2026-10-12T09:00:00'));
      const pipeline = new PipelineService({ db, rules, clock });
      const regions = await loadRegions(db);
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const neighbour = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-002' } });
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const dispatcher = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const paired = await db.pairing.count({ where: { household: { regionId: village.id } } });
      const own = await db.pairing.findMany({ where: { liaisonId: liaison.id }, orderBy: { householdId: 'asc' }, take: 2 });
      const residentOf = async (householdId: number) => (await db.person.findFirstOrThrow({ where: { householdId }, orderBy: { id: 'asc' } })).id;

      // October: three visits to two households, three requests (two 供电, one 供水), one of them overdue now.
      for (const [householdId, day] of [
        [own[0]!.householdId, '2026-10-12'],
        [own[0]!.householdId, '2026-10-19'],
        [own[1]!.householdId, '2026-10-19'],
      ] as const) {
        await db.visit.create({ data: { liaisonId: liaison.id, householdId, regionId: village.id, notes: '走访', visitedAt: at(`${day}T10:00:00`) } });
      }
      const report = async (householdId: number, categoryCode: string, summary: string, regionId = village.id) => {
        const outcome = await pipeline.report({ residentId: await residentOf(householdId), categoryCode, kind: 'help', summary, description: summary, regionId });
        if (!outcome.ok) throw new Error(JSON.stringify(outcome.refusal));
        return outcome.ticket;
      };
      const late = await report(own[0]!.householdId, 'power', '变压器噪音很大');
      await report(own[1]!.householdId, 'power', '电压不稳');
      await report(own[1]!.householdId, 'water', '自来水浑浊');
      await db.ticket.update({ where: { id: late.id }, data: { overdue: true, resolveBy: at('2026-10-20T17:00:00') } });
      // November so far: 路灯 in two villages (a proposal for the township's theme), twice here (a hot word).
      clock.set(at('2026-11-03T09:00:00'));
      await report(own[0]!.householdId, 'power', '村口路灯坏了');
      await report(own[1]!.householdId, 'power', '路灯坏了');
      const neighbourHousehold = await db.household.findFirstOrThrow({ where: { regionId: neighbour.id }, orderBy: { id: 'asc' } });
      await report(neighbourHousehold.id, 'power', '路灯坏了', neighbour.id);
      // A ledger item due this month, one due next year (not on the agenda).
      const ledger = (goal: string, deadline: string) =>
        createLedgerItem(
          db,
          regions,
          { regionId: village.id, goal, measures: '措施', deadline, owner: `person:${liaison.id}`, isPublic: false, themeId: null },
          dispatcher.id,
          clock.now(),
        );
      const due = await ledger('修好村口路灯', '2026-11-25');
      await ledger('明年的事', '2027-03-01');
      // October's meeting, with an assignment still open and late.
      const october = (await prepareMeeting(db, regions, { regionId: village.id, kind: 'village', period: '2026-10', heldOn: '2026-10-20' }, at('2026-10-17T09:00:00')))!;
      await db.meetingDecision.create({
        data: {
          meetingId: october,
          kind: 'assignment',
          text: '排查电压问题',
          ownerPersonId: liaison.id,
          deadline: '2026-10-31',
          createdById: dispatcher.id,
          createdAt: at('2026-10-20T10:00:00'),
        },
      });

      clock.set(at('2026-11-17T09:00:00'));
      const id = (await prepareMeeting(db, regions, { regionId: village.id, kind: 'village', period: '2026-11', heldOn: '2026-11-20' }, clock.now()))!;
      const meeting = await db.meeting.findUniqueOrThrow({ where: { id } });
      const agenda = JSON.parse(meeting.agenda) as Agenda;
      expect(agenda.review.label).toBe('2026-10');
      expect(agenda.totals).toEqual({ name: village.name, paired, visited: 2, visits: 3, coverage: percent(2, paired), received: 3, overdue: 1 });
      expect(agenda.byCategory).toEqual([
        { name: '电力照明', count: 2 },
        { name: '供水排水', count: 1 },
      ]);
      expect(agenda.places).toEqual([]);
      expect(agenda.previous).toMatchObject({
        meetingId: october,
        heldOn: '2026-10-20',
        decisions: [{ kind: 'assignment', text: '排查电压问题', owner: liaison.name, status: '逾期 late' }],
      });
      expect(agenda.hotWords).toContainEqual({ word: '路灯', count: 2 });
      expect(agenda.proposals[0]).toMatchObject({ villages: 2, tickets: 3 });
      expect(agenda.theme).toEqual({ title: agenda.proposals[0]!.label, month: '2026-11', adopted: false });
      expect(agenda.overdue.map((t) => [t.number, t.summary, t.owner])).toEqual([[late.number, '变压器噪音很大', expect.stringContaining(liaison.name)]]);
      expect(agenda.overdueTotal).toBe(1);
      expect(agenda.reopenedTotal).toBe(0);
      expect(agenda.ledger).toEqual([{ id: due, goal: '修好村口路灯', deadline: '2026-11-25', owner: liaison.name, status: 'on_track' }]);
      // Expected: the village's liaisons (and grid leaders).
      const invited = await db.meetingAttendee.findMany({ where: { meetingId: id }, orderBy: { personId: 'asc' } });
      expect(invited.map((a) => a.personId)).toEqual(await expectedPeople(db, village.id));
      expect(invited.map((a) => a.personId)).toContain(liaison.id);

      // The township's agenda counts its villages, with a line per village.
      const townshipMeeting = (await prepareMeeting(db, regions, { regionId: township.id, kind: 'township', period: '2026-11', heldOn: '2026-11-25' }, clock.now()))!;
      const townshipAgenda = JSON.parse((await db.meeting.findUniqueOrThrow({ where: { id: townshipMeeting } })).agenda) as Agenda;
      const townshipPaired = await db.pairing.count({ where: { household: { region: { parentId: township.id } } } });
      expect(townshipAgenda.totals).toEqual({ name: township.name, paired: townshipPaired, visited: 2, visits: 3, coverage: percent(2, townshipPaired), received: 3, overdue: 1 });
      expect(townshipAgenda.places.map((p) => p.name)).toEqual(
        [...regions.values()]
          .filter((r) => r.parentId === township.id)
          .sort((a, b) => a.code.localeCompare(b.code))
          .map((r) => r.name),
      );
      expect(townshipAgenda.places.find((p) => p.name === village.name)).toEqual(agenda.totals);
      expect(townshipAgenda.places.find((p) => p.name === neighbour.name)).toMatchObject({ visits: 0, visited: 0, received: 0, overdue: 0 });
      expect(townshipAgenda.overdue.map((t) => t.number)).toEqual([late.number]);
      expect(townshipAgenda.previous).toBeNull();

      // The snapshot stays as it was; regenerating takes the theme adopted since.
      await db.theme.create({ data: { regionId: township.id, month: '2026-11', title: '路灯亮起来', problems: '[]', adoptedById: dispatcher.id, adoptedAt: clock.now() } });
      expect((JSON.parse((await db.meeting.findUniqueOrThrow({ where: { id } })).agenda) as Agenda).theme?.adopted).toBe(false);
      await regenerateAgenda(db, regions, id, dispatcher.id, at('2026-11-18T09:00:00'));
      const again = await db.meeting.findUniqueOrThrow({ where: { id } });
      expect((JSON.parse(again.agenda) as Agenda).theme).toEqual({ title: '路灯亮起来', month: '2026-11', adopted: true });
      expect(again.agendaAt).toEqual(at('2026-11-18T09:00:00'));
      expect(await db.auditEvent.count({ where: { action: 'meeting_agenda_regenerated', actorId: dispatcher.id } })).toBe(1);
    });

    test('the duty: each meeting once on its preparation day, whatever process runs it; reminders on the working day before, once per person', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      const regions = await loadRegions(db);
      const villages = [...regions.values()].filter((r) => r.level === 'village').length;
      const townships = [...regions.values()].filter((r) => r.level === 'township').length;
      const clock = new FakeClock(at('2026-11-16T09:00:00'));
      const duty = () => meetingDuty({ db, clock, calendar: rules.calendar, officeHours: rules.officeHours })();

      // Monday the 16th: nothing is due (the villages' agendas on the 17th, the townships' on the 22nd, the county's on 8 January).
      expect(await duty()).toEqual({ prepared: 0, reminded: 0 });
      // Before the office opens on the 17th, nothing; then every village's, once, whichever process.
      clock.set(at('2026-11-17T07:00:00'));
      expect(await duty()).toEqual({ prepared: 0, reminded: 0 });
      clock.set(at('2026-11-17T09:00:00'));
      const [first, second] = await Promise.all([prepareDueMeetings(db, regions, rules.calendar, clock.now()), duty()]);
      expect(first + second.prepared).toBe(villages);
      expect(await duty()).toEqual({ prepared: 0, reminded: 0 });
      expect(await db.meeting.count()).toBe(villages);
      expect(await db.meeting.count({ where: { kind: 'village', heldOn: '2026-11-20', period: '2026-11' } })).toBe(villages);

      // The 19th: the villages' attendees are reminded, each once.
      clock.set(at('2026-11-19T09:00:00'));
      const invited = await db.meetingAttendee.count({ where: { invited: true } });
      expect(invited).toBeGreaterThan(villages);
      const reminded = await Promise.all([duty(), remindAttendees(db, regions, rules.calendar, clock.now())]);
      expect(reminded[0].reminded + reminded[1]).toBe(invited);
      const pushes = await db.outboxMessage.findMany({ where: { template: 'meeting.reminder' } });
      expect(pushes.length).toBe(invited);
      expect(new Set(pushes.map((p) => p.recipientId)).size).toBe(invited);
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      expect(JSON.parse(pushes.find((p) => p.recipientId === liaison.id)!.params)).toEqual({ meeting: `2026-11-20 ${village.name}村务议政会`, heldOn: '2026-11-20' });
      clock.set(at('2026-11-20T09:00:00'));
      expect(await duty()).toEqual({ prepared: 0, reminded: 0 });

      // The 22nd (a Sunday: the duty runs every day): the townships' meetings of the 25th.
      clock.set(at('2026-11-22T09:00:00'));
      expect((await duty()).prepared).toBe(townships);
      // 8 January 2027: the county's 调度会 of the 11th (the 10th is a Sunday); December's village meetings are past.
      // On Friday the 8th its attendees are reminded too: the last working day before it, not the Sunday.
      clock.set(at('2027-01-08T09:00:00'));
      const friday = await duty();
      expect(friday.prepared).toBe(1);
      const county = await db.meeting.findFirstOrThrow({ where: { kind: 'county' } });
      expect(county).toMatchObject({ period: '2027-Q1', heldOn: '2027-01-11' });
      const countyInvited = await db.meetingAttendee.count({ where: { meetingId: county.id, invited: true } });
      expect(countyInvited).toBeGreaterThan(0);
      expect(friday.reminded).toBe(countyInvited);
      clock.set(at('2027-01-10T09:00:00'));
      expect((await duty()).reminded).toBe(0);
      // Past its day, a meeting is not made late: a process down over the 17th–20th makes no stale village meeting.
      await db.meetingAttendee.deleteMany({});
      await db.meeting.deleteMany({ where: { kind: 'village' } });
      clock.set(at('2026-11-21T09:00:00'));
      expect(await prepareDueMeetings(db, regions, rules.calendar, clock.now())).toBe(0);
    });
  });
});
