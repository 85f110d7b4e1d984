/**
 * The ledger's reminders, on both databases: on a working morning the owners of the open
 * items due within three working days, or late, are reminded (a department's handlers for
 * a department's item), each item once a week; items due later, or closed, are not.
 */
import { describe, expect, test } from 'vitest';
import { closeLedgerItem, createLedgerItem } from '../../src/ledger/ledger.js';
import { ledgerReminders } from '../../src/ledger/reminders.js';
import { loadRegions } from '../../src/org/regions.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

eachFreshDatabase((freshDatabase) => {
  describe('ledger reminders', () => {
    test('due within three working days or late: reminded once a week, to the person or the department’s handlers', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      // Monday 16 November 2026, office hours.
      const clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
      const regions = await loadRegions(db);
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const station = await db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: township.id, kind: 'power' } } });
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const dispatcher = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const handlers = (await db.personRole.findMany({ where: { role: 'department_handler', departmentId: station.id }, select: { personId: true } })).map((r) => r.personId);
      const item = async (goal: string, deadline: string, owner: string) =>
        createLedgerItem(db, regions, { regionId: township.id, goal, measures: '措施', deadline, owner, isPublic: false, themeId: null }, dispatcher.id, clock.now());
      const soon = await item('三个工作日内到期', '2026-11-19', `person:${liaison.id}`);
      await item('月底到期', '2026-11-30', `person:${liaison.id}`);
      const late = await item('已经逾期', '2026-11-10', `department:${station.id}`);
      const closed = await item('已办结的逾期事项', '2026-11-09', `person:${liaison.id}`);
      await closeLedgerItem(db, closed, 'done', '已完成', dispatcher.id, clock.now());

      const duty = () => ledgerReminders({ db, clock, calendar: rules.calendar, officeHours: rules.officeHours })();
      const pushes = async () =>
        (await db.outboxMessage.findMany({ where: { template: { startsWith: 'ledger.reminder' } }, orderBy: { id: 'asc' } })).map((m) => [
          m.template,
          (JSON.parse(m.params) as { id: number }).id,
          m.recipientId,
        ]);

      expect(await duty()).toBe(1 + handlers.length);
      expect(await pushes()).toEqual([['ledger.reminder_due', soon, liaison.id], ...handlers.map((h) => ['ledger.reminder_late', late, h])]);
      // Again that day, the next day, on Saturday: nothing more this week.
      expect(await duty()).toBe(0);
      clock.set(new Date('2026-11-17T09:00:00+08:00'));
      expect(await duty()).toBe(0);
      clock.set(new Date('2026-11-21T09:00:00+08:00'));
      expect(await duty()).toBe(0);
      // The next Monday both are late and reminded again (a new duty each time: the week, not the process, says once); 月底到期 is not yet within three working days.
      clock.set(new Date('2026-11-23T09:00:00+08:00'));
      expect(await duty()).toBe(1 + handlers.length);
      expect((await pushes()).slice(1 + handlers.length).map(([template, id]) => [template, id])).toEqual([
        ['ledger.reminder_late', soon],
        ...handlers.map(() => ['ledger.reminder_late', late]),
      ]);
    });
  });
});
