/**
 * The demo county's disputes (src/org/demo-mediation.ts): mediators importable as a role,
 * six cases in every state, and the figures the console reads, the same on both databases.
 */
import { describe, expect, test } from 'vitest';
import { loadMediationCases, mediationCaseIds, mediatorFigures } from '../../src/mediation/cases.js';
import { seedDemoMediation } from '../../src/org/demo-mediation.js';
import { eachFreshDatabase } from '../helpers/db.js';

const NOW = new Date('2026-11-16T09:00:00+08:00');
const RULES = { limitDays: 30, extensionDays: 30, followUpDays: [30, 90] as const };

eachFreshDatabase((freshDatabase) => {
  describe('demo mediation', () => {
    test('six cases in every state, one overdue, with three village mediators and their figures; a second run adds nothing', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      expect(await seedDemoMediation(database, { now: NOW, rules: RULES })).toBe(6);
      expect(await seedDemoMediation(database, { now: NOW, rules: RULES })).toBe(0);
      expect(await db.personRole.count({ where: { role: 'mediator' } })).toBe(3);
      // The parties were asked and the mediators told, in the past: nothing left waiting.
      expect(await db.outboxMessage.count({ where: { template: { startsWith: 'mediation.' } } })).toBeGreaterThan(0);
      expect(await db.outboxMessage.count({ where: { sentAt: null } })).toBe(0);

      const regionIds = (await db.region.findMany({ select: { id: true } })).map((r) => r.id);
      const cases = await loadMediationCases(db, await mediationCaseIds(db, regionIds), NOW);
      expect(cases.map((c) => [c.title, c.status, c.overdue])).toEqual([
        // Open cases first, the nearest limit (here past it) first.
        ['排水沟堵塞引发邻里纠纷', 'mediating', true],
        ['宅基地边界纠纷', 'mediating', false],
        ['养殖异味纠纷', 'agreement', false],
        ['赡养纠纷', 'referred', false],
        ['借款纠纷', 'settled', false],
        ['土地承包经营权纠纷', 'closed', false],
      ]);
      expect(cases.find((c) => c.status === 'settled')).toMatchObject({ keptFirst: true, keptSecond: null });
      expect(cases.every((c) => c.sessions.length > 0 && c.parties.length >= 2)).toBe(true);

      const figures = await mediatorFigures(db, regionIds);
      // The two who settled one each come first (by name between them); 13 and 16 days from opening to settling.
      expect(figures.map((f) => [f.cases, f.settled, f.kept, f.referred, f.averageDays]).sort()).toEqual([
        [2, 0, 0, 0, null],
        [2, 1, 0, 0, 16],
        [2, 1, 1, 1, 13],
      ]);
      expect(figures.at(-1)!.settled).toBe(0);
    });
  });
});
