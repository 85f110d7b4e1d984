/**
 * The demo county's surveys (src/org/demo-surveys.ts): a 服务需求表 with about two answers
 * in three and this half-year's 双述双评, read through the same results and appraisal code
 * the console uses, the same on both databases.
 */
import { describe, expect, test } from 'vitest';
import { seedDemoSurveys } from '../../src/org/demo-surveys.js';
import { seedDemoVisits } from '../../src/org/demo-visits.js';
import { liaisonAppraisals } from '../../src/surveys/appraisal.js';
import { surveyResults } from '../../src/surveys/results.js';
import { questionsOf } from '../../src/surveys/store.js';
import { eachFreshDatabase, type TestDatabase } from '../helpers/db.js';

const NOW = new Date('2026-11-16T09:00:00+08:00');

eachFreshDatabase((freshDatabase, kind) => {
  describe('demo surveys', () => {
    test('the needs survey has answers on every question; every paired liaison has a score, coverage and most a 述职', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      await seedDemoVisits(database, { from: new Date('2026-07-01T00:00:00+08:00'), to: NOW });
      const written = await seedDemoSurveys(database, { now: NOW });
      const households = await db.household.count();
      const paired = await db.pairing.count();
      expect(written).toBe(households + paired);

      const [needs, appraisal] = await db.survey.findMany({ orderBy: { id: 'asc' } });
      expect(needs).toMatchObject({ kind: 'survey', status: 'sent' });
      const results = await surveyResults(db, needs!.id, questionsOf(needs!.questions));
      expect(results.households).toBe(households);
      expect(results.responseRate).toBeGreaterThan(0.55);
      expect(results.responseRate).toBeLessThan(0.8);
      expect(results.byLiaison).toBeGreaterThan(0);
      expect(results.questions[0]!.options.every((o) => o.count > 0)).toBe(true);
      expect(results.questions[2]!.numbers!.mean).toBeGreaterThan(2);
      expect(results.questions[4]!.texts.length).toBeGreaterThan(5);
      expect(results.places.length).toBeGreaterThan(1);

      expect(appraisal).toMatchObject({ kind: 'appraisal', title: '2026年下半年双述双评' });
      const regionIds = (await db.region.findMany({ select: { id: true } })).map((r) => r.id);
      const { period, liaisons } = await liaisonAppraisals(db, appraisal!, regionIds, { now: NOW });
      expect(period.key).toBe('2026-H2');
      expect(liaisons.length).toBe(new Set((await db.pairing.findMany()).map((p) => p.liaisonId)).size);
      for (const l of liaisons) {
        expect(l.score).not.toBeNull();
        expect(l.visits).toBeGreaterThan(0);
        expect(l.visited).toBeLessThanOrEqual(l.paired);
      }
      expect(liaisons.filter((l) => l.report).length / liaisons.length).toBeGreaterThan(0.3);

      // Deterministic: the same seed gives the same answers.
      const again = await kind.fresh({ demo: true });
      try {
        await seedDemoSurveys(again, { now: NOW });
        const answers = async (d: TestDatabase) => await d.db.surveyResponse.findMany({ orderBy: { id: 'asc' }, select: { answers: true, status: true } });
        expect(await answers(again)).toEqual(await answers(database));
      } finally {
        await again.dispose();
      }
    });
  });
});
