/**
 * 包户 coverage and visit reminders (src/visits/coverage.ts), on both databases: which
 * households are due by the region's rules, and one reminder per liaison and period.
 */
import { describe, expect, test } from 'vitest';
import { coverageNow, reminderPeriods, visitReminders } from '../../src/visits/coverage.js';
import { coverageByLiaison } from '../../src/visits/month-coverage.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';
import { monthBounds } from '../../src/pipeline/calendar.js';

/** Monday 2026-11-16, a working day. */
const MONDAY = new Date('2026-11-16T09:00:00+08:00');
const DAY = 86_400_000;

describe('reminder periods', () => {
  test('the first working day of a week opens the week; five working days before the month’s end opens the month’s end', () => {
    const cal = rules.calendar;
    expect(reminderPeriods(cal, '2026-11-16')).toEqual(['week:2026-11-16']);
    expect(reminderPeriods(cal, '2026-11-17')).toEqual([]);
    expect(reminderPeriods(cal, '2026-11-15')).toEqual([]);
    // November 2026 ends on Monday the 30th: 24, 25, 26, 27, 30 are its last five working days.
    expect(reminderPeriods(cal, '2026-11-24')).toEqual(['month-end:2026-11']);
    // National Day: 1–7 October 2026 are holidays, so the week of the 5th starts on Thursday the 8th.
    expect(reminderPeriods(cal, '2026-10-05')).toEqual([]);
    expect(reminderPeriods(cal, '2026-10-08')).toEqual(['week:2026-10-05']);
    expect(reminderPeriods(cal, '2026-10-09')).toEqual([]);
  });
});

eachFreshDatabase((freshDatabase) => {
  describe('coverage and reminders', () => {
    test('households not visited this month are due, a 重点 household past its days too; the region’s rules apply; one reminder per liaison with a chat and week', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      // The test marks its own 重点 households (the demo roster marks some).
      await db.household.updateMany({ data: { keyReason: null } });
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const households = (await db.pairing.findMany({ where: { liaisonId: liaison.id }, include: { household: true }, orderBy: { householdId: 'asc' } })).map((p) => p.household);
      expect(households.length).toBeGreaterThanOrEqual(4);
      const [visited, key, keyRecent, ...rest] = households as [(typeof households)[0], (typeof households)[0], (typeof households)[0], ...(typeof households)[0][]];
      const visit = (householdId: number, regionId: number, at: Date) =>
        db.visit.create({ data: { liaisonId: liaison.id, householdId, regionId, notes: '走访', visitedAt: at, confirmation: 'confirmed' } });
      // Visited on the 3rd and the 10th: not due; two visiting days.
      await visit(visited.id, visited.regionId, new Date(MONDAY.getTime() - 13 * DAY));
      await visit(visited.id, visited.regionId, new Date(MONDAY.getTime() - 6 * DAY));
      // A 重点 household visited 8 days ago (weekly rule): due although visited this month.
      await db.household.update({ where: { id: key.id }, data: { keyReason: '独居老人' } });
      await visit(key.id, key.regionId, new Date(MONDAY.getTime() - 8 * DAY));
      // Another, visited 3 days ago: not due.
      await db.household.update({ where: { id: keyRecent.id }, data: { keyReason: '低保户' } });
      await visit(keyRecent.id, keyRecent.regionId, new Date(MONDAY.getTime() - 3 * DAY));

      // Read in batches of liaisons (to let messages through on SQLite): the same answer in batches of one.
      const whole = await coverageNow(db, MONDAY);
      expect(whole.length).toBeGreaterThan(1);
      expect(await coverageNow(db, MONDAY, 1)).toEqual(whole);
      let mine = whole.find((c) => c.liaisonId === liaison.id)!;
      expect(mine.visitingDays).toBe(4);
      expect(mine.requiredDays).toBe(4);
      // The 重点 household first, then those not visited this month.
      expect(mine.due[0]).toMatchObject({ id: key.id, why: 'key', keyReason: '独居老人' });
      expect(
        mine.due
          .slice(1)
          .map((h) => [h.id, h.why])
          .sort(),
      ).toEqual(rest.map((h) => [h.id, 'month']).sort());

      // The village asks for visits to 重点 households every 10 days: the one of 8 days ago is no longer due.
      await db.region.update({ where: { id: key.regionId }, data: { visitKeyEveryDays: 10, visitDaysPerMonth: 6 } });
      mine = (await coverageNow(db, MONDAY)).find((c) => c.liaisonId === liaison.id)!;
      expect(mine.due.map((h) => h.id).sort()).toEqual(rest.map((h) => h.id).sort());
      expect(mine.requiredDays).toBe(6);

      // Only liaisons with a chat are reminded: this one has one, the others none.
      await db.channelIdentity.create({ data: { channel: 'web', platformUserId: 'lia-1', chatId: 'lia-1', personId: liaison.id } });

      // Monday 08:00: the office is not open yet; 09:00: the week's reminder, once.
      const clock = new FakeClock(new Date(MONDAY.getTime() - HOUR));
      const duty = visitReminders({ db, clock, calendar: rules.calendar, officeHours: rules.officeHours });
      expect(await duty()).toBe(0);
      clock.set(MONDAY);
      const sent = await duty();
      // This liaison leads their grid too: their own reminder, and the grid's overview.
      expect(await db.personRole.count({ where: { personId: liaison.id, role: 'grid_leader' } })).toBe(1);
      expect(sent).toBe(2);
      expect(await db.outboxMessage.count({ where: { template: { startsWith: 'visit.reminder' }, recipientId: { not: liaison.id } } })).toBe(0);
      const overview = await db.outboxMessage.findFirstOrThrow({ where: { recipientId: liaison.id, template: 'visit.reminder_leader' } });
      const grid = (await db.personRole.findFirstOrThrow({ where: { personId: liaison.id, role: 'grid_leader' } })).gridId!;
      const dueInGrid = (await coverageNow(db, MONDAY)).flatMap((c) => c.due.map((h) => h.id));
      const gridHouseholds = (await db.householdGrid.findMany({ where: { gridId: grid } })).map((g) => g.householdId);
      const overviewParams = JSON.parse(overview.params) as { count: number; liaisons: string };
      expect(overviewParams.count).toBe(gridHouseholds.filter((id) => dueInGrid.includes(id)).length);
      expect(overviewParams.liaisons).toContain(`${liaison.name} ${rest.length} 户`);
      const reminders = await db.outboxMessage.findMany({ where: { recipientId: liaison.id, template: 'visit.reminder' } });
      expect(reminders).toHaveLength(1);
      const params = JSON.parse(reminders[0]!.params) as Record<string, unknown>;
      expect(params).toMatchObject({ count: rest.length, keys: 0, days: 4, required: 6 });
      expect(String(params['households'])).toContain(rest[0]!.headName);
      // Later that day, and in a second process (a fresh duty), nothing more.
      clock.set(new Date(MONDAY.getTime() + 2 * HOUR));
      expect(await duty()).toBe(0);
      expect(await visitReminders({ db, clock, calendar: rules.calendar, officeHours: rules.officeHours })()).toBe(0);
      expect(await db.outboxMessage.count({ where: { recipientId: liaison.id, template: { startsWith: 'visit.reminder' } } })).toBe(2);
      expect(await db.visitReminder.count()).toBe(sent);
      // Tuesday: no new period.
      clock.set(new Date(MONDAY.getTime() + DAY));
      expect(await duty()).toBe(0);
    });

    test('visiting days are Beijing dates, counted alike for the reminders and the console: visits at 23:30 and 00:30 are two days, two visits in one morning one', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      await db.visit.deleteMany();
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const [first, second] = (await db.pairing.findMany({ where: { liaisonId: liaison.id }, include: { household: true }, orderBy: { householdId: 'asc' } })).map(
        (p) => p.household,
      );
      const visit = (household: { id: number; regionId: number }, at: string) =>
        db.visit.create({ data: { liaisonId: liaison.id, householdId: household.id, regionId: household.regionId, notes: '走访', visitedAt: new Date(at) } });
      // 23:30 and 00:30 Beijing: one UTC day (15:30, 16:30Z), two Beijing days.
      await visit(first!, '2026-11-10T23:30:00+08:00');
      await visit(second!, '2026-11-11T00:30:00+08:00');
      // Two in one morning: one day.
      await visit(first!, '2026-11-12T09:00:00+08:00');
      await visit(second!, '2026-11-12T10:30:00+08:00');
      // October's last evening (Beijing time) is not November's.
      await visit(first!, '2026-10-31T23:00:00+08:00');
      const reminders = (await coverageNow(db, MONDAY)).find((c) => c.liaisonId === liaison.id)!;
      expect(reminders.visitingDays).toBe(3);
      const visitLog = await coverageByLiaison(db, { regionIds: [first!.regionId], ...monthBounds('2026-11'), liaisonId: liaison.id });
      expect(visitLog.map((line) => line.figures.days)).toEqual([3]);
    });
  });
});

const HOUR = 3_600_000;
