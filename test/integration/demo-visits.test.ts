/**
 * The demo county's visit log (src/org/demo-visits.ts): a year of visits to every paired
 * household, about monthly, with the households' answers, the same on both databases.
 */
import { describe, expect, test } from 'vitest';
import { seedDemoVisits } from '../../src/org/demo-visits.js';
import { eachFreshDatabase } from '../helpers/db.js';

const TO = new Date('2026-11-16T09:00:00+08:00');
const FROM = new Date('2025-11-01T00:00:00+08:00');

eachFreshDatabase((freshDatabase) => {
  describe('demo visits', () => {
    test('every paired household is visited about monthly by its own liaison, within the period and working hours; answers as practice has them', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      const written = await seedDemoVisits(database, { from: FROM, to: TO });
      const visits = await db.visit.findMany();
      expect(visits).toHaveLength(written);
      const pairings = await db.pairing.findMany({ include: { household: true } });
      const liaisonOf = new Map(pairings.map((p) => [p.householdId, p]));
      for (const v of visits) {
        expect(liaisonOf.get(v.householdId)?.liaisonId).toBe(v.liaisonId);
        expect(v.regionId).toBe(liaisonOf.get(v.householdId)?.household.regionId);
        expect(v.visitedAt.getTime()).toBeGreaterThanOrEqual(FROM.getTime());
        expect(v.visitedAt.getTime()).toBeLessThanOrEqual(TO.getTime());
        const hour = (v.visitedAt.getUTCHours() + 8) % 24;
        expect(hour).toBeGreaterThanOrEqual(9);
        expect(hour).toBeLessThan(17);
      }
      // 12½ months, ~85 % of households a month (a few twice).
      const perHouseholdMonth = written / pairings.length / 12.5;
      expect(perHouseholdMonth).toBeGreaterThan(0.8);
      expect(perHouseholdMonth).toBeLessThan(1.1);
      const byStatus: Record<string, typeof visits> = {};
      for (const v of visits) (byStatus[v.confirmation] ??= []).push(v);
      expect(Object.keys(byStatus).every((s) => ['confirmed', 'disputed', 'pending', 'unconfirmed'].includes(s))).toBe(true);
      expect(byStatus['disputed']?.length).toBeGreaterThan(0);
      expect(byStatus['unconfirmed']?.length).toBeGreaterThan(0);
      expect((byStatus['confirmed']?.length ?? 0) / written).toBeGreaterThan(0.6);
      expect(byStatus['disputed']?.every((v) => v.comment && v.rating !== null && v.rating <= 3)).toBe(true);
      expect(byStatus['unconfirmed']?.every((v) => v.rating === null && v.answeredById === null)).toBe(true);
      // Pending only in the last days before the end.
      expect(byStatus['pending']?.every((v) => TO.getTime() - v.visitedAt.getTime() < 3 * 86_400_000) ?? true).toBe(true);
    });
  });
});
