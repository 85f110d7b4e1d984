/**
 * The 三率 ranking 红黑榜 on a hand-built county, on both databases: exact scores with the
 * default weights, with positive and negative weights, with 走访覆盖率; the small samples
 * listed but not ranked; the change since last month; the settings inherited down the
 * tree and validated with Chinese messages.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { rankRegion, type RankedEntity, type Ranking, scoreOf } from '../../src/ranking/ranking.js';
import { DEFAULT_WEIGHTS, parseSettingsForm, rankingSettings, saveSettings, type Weights } from '../../src/ranking/settings.js';
import type { Rate } from '../../src/stats/types.js';
import { loadRegions, type RegionNode } from '../../src/org/regions.js';
import { eachDatabase, SQLITE, type TestDatabase } from '../helpers/db.js';
import { buildOrg, type Org } from '../helpers/org-fixture.js';
import { insertStatTicket, type StatTicket } from '../helpers/stat-tickets.js';

const rate = (numerator: number, denominator: number): Rate => ({ numerator, denominator, value: denominator === 0 ? null : numerator / denominator });
const weights = (w: Partial<Weights>): Weights => ({ response: 0, resolution: 0, satisfaction: 0, onTime: 0, oneTime: 0, coverage: 0, returned: 0, reopened: 0, ...w });
const NONE = { response: null, resolution: null, satisfaction: null, onTime: null, oneTime: null, coverage: null, returned: null, reopened: null };

describe('the score of one entity', () => {
  test('a term with no denominator is left out and the others keep their proportions', () => {
    // 100 × (0.1 × 1/2 + 0.5 × 1) ÷ (0.1 + 0.5) = 91.67; satisfaction 0/0 counts not.
    const s = scoreOf({ ...NONE, response: rate(1, 2), resolution: rate(1, 1), satisfaction: rate(0, 0) }, DEFAULT_WEIGHTS, 12, 10);
    expect(s.score).toBe(91.7);
    expect(s.unranked).toBeNull();
    expect(s.parts.map((p) => [p.term, p.contribution])).toEqual([
      ['response', 8.33],
      ['resolution', 83.33],
      ['satisfaction', null],
    ]);
  });

  test('too few tickets, or rates for less than half the weight: listed, not ranked', () => {
    const full = { ...NONE, response: rate(1, 1), resolution: rate(1, 1), satisfaction: rate(1, 1) };
    expect(scoreOf(full, DEFAULT_WEIGHTS, 9, 10)).toMatchObject({ score: null, unranked: 'few_tickets' });
    expect(scoreOf(full, DEFAULT_WEIGHTS, 10, 10)).toMatchObject({ score: 100, unranked: null });
    // Only the response rate (0.1 of 1): too little to rank on.
    expect(scoreOf({ ...NONE, response: rate(1, 1), resolution: rate(0, 0), satisfaction: rate(0, 0) }, DEFAULT_WEIGHTS, 20, 10)).toMatchObject({
      score: null,
      unranked: 'few_rates',
    });
    // Negative terms take points off: 100 − 100 × 0.5 × 1/4.
    expect(scoreOf({ ...full, returned: rate(1, 4) }, weights({ resolution: 1, returned: 0.5 }), 20, 10).score).toBe(87.5);
  });
});

describe('settings', () => {
  test('the form is validated, with a clear Chinese message for each problem', () => {
    const good = parseSettingsForm({ response: '0.2', resolution: '0.4', satisfaction: '0.4', returned: '0.3', minTickets: '5', publicBoard: 'off' });
    expect(good).toEqual({
      ok: true,
      stored: { weights: JSON.stringify(weights({ response: 0.2, resolution: 0.4, satisfaction: 0.4, returned: 0.3 })), minTickets: 5, publicBoard: false },
    });
    const sum = parseSettingsForm({ response: '0.2', resolution: '0.5', satisfaction: '0.4', minTickets: '5' });
    expect(sum).toEqual({ ok: false, problems: [expect.stringContaining('权重之和须为 1') as string] });
    const bad = parseSettingsForm({ response: 'abc', resolution: '1', minTickets: '0' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems[0]).toMatch(/^响应率的权重“abc”不是 0 到 1 之间的数/);
      expect(bad.problems[1]).toMatch(/^最少件数“0”不对：最少件数至少为 1/);
    }
    const big = parseSettingsForm({ resolution: '1', returned: '1.5', minTickets: '5' });
    expect(big).toEqual({ ok: false, problems: ['回退率的权重须在 0 到 1 之间。 Each weight is between 0 and 1.'] });
    expect(parseSettingsForm({ response: '0.333', resolution: '0.667', minTickets: '5' })).toMatchObject({ ok: false, problems: [expect.stringContaining('两位小数')] });
  });
});

eachDatabase((kind) => {
  describe('the ranking of a hand-built county', () => {
    let database: TestDatabase;
    let db: Db;
    let org: Org;
    let regions: Map<number, RegionNode>;
    let villageB: RegionNode;
    let villageC: RegionNode;

    /** A ticket of the township's, with its statistics columns. */
    const ticket = (regionId: number, day: string, fields: Omit<StatTicket, 'regionId' | 'day' | 'residentId' | 'handlingRegionId'>) =>
      insertStatTicket(db, { regionId, day, residentId: org.resident.id, handlingRegionId: org.township.id, ...fields });

    beforeAll(async () => {
      database = await kind.fresh();
      db = database.db;
      org = await buildOrg(db);
      const b = await db.region.create({ data: { code: 'T-01-002', name: '二村', level: 'village', parentId: org.township.id } });
      const c = await db.region.create({ data: { code: 'T-01-003', name: '三村', level: 'village', parentId: org.township.id } });
      regions = await loadRegions(db);
      villageB = regions.get(b.id)!;
      villageC = regions.get(c.id)!;
      const a = org.village.id;
      const liaison = org.liaison.id;
      // October, 测试村, with 李网格 (L-1): response 3/4, resolution 2/3, satisfaction 2/3,
      // on time 2/3, one time 1/3 (a2 reopened, a3 returned), return 1/4, reopen 1/3.
      const closed = { state: 'closed', assigneeId: liaison };
      await ticket(a, '2026-10-05', { ...closed, acceptedOnTime: true, resolvedOnTime: true, rating: 'satisfied', solved: true });
      await ticket(a, '2026-10-06', { ...closed, acceptedOnTime: true, resolvedOnTime: false, rating: 'basically_satisfied', solved: true, reopenCount: 1 });
      await ticket(a, '2026-10-07', { ...closed, acceptedOnTime: false, resolvedOnTime: true, rating: 'dissatisfied', solved: false, returnCount: 1 });
      await ticket(a, '2026-10-08', { state: 'in_progress', assigneeId: liaison, acceptedOnTime: true });
      // October, 二村, with 供电所: response 2/2, resolution 1/1, satisfaction 1/1, on time 1/1.
      await ticket(b.id, '2026-10-09', { state: 'closed', departmentId: org.department.id, acceptedOnTime: true, resolvedOnTime: true, rating: 'satisfied', solved: true });
      await ticket(b.id, '2026-10-10', { state: 'in_progress', departmentId: org.department.id, acceptedOnTime: true });
      // October, 三村: one ticket, fewer than the minimum of 2.
      await ticket(c.id, '2026-10-11', { state: 'closed', acceptedOnTime: true, resolvedOnTime: true, rating: 'satisfied', solved: true });
      // October, 赵网长 (GL-1) in 测试村: accepted, nobody rated yet → too few rates. With
      // them 测试村 has response 4/6 and return 1/6; the rest as 李网格's.
      await ticket(a, '2026-10-12', { state: 'in_progress', assigneeId: org.leader.id, acceptedOnTime: true });
      await ticket(a, '2026-10-13', { state: 'in_progress', assigneeId: org.leader.id, acceptedOnTime: false });
      // September, 测试村: two perfect tickets (rank 1 then).
      for (const day of ['2026-09-03', '2026-09-04']) await ticket(a, day, { ...closed, acceptedOnTime: true, resolvedOnTime: true, rating: 'satisfied', solved: true });
      // October: 李网格 visits his one paired household (测试村 coverage 1/1).
      await db.visit.create({ data: { liaisonId: liaison, householdId: org.household.id, regionId: a, visitedAt: new Date('2026-10-15T10:00:00+08:00'), notes: '走访' } });
      await saveSettings(db, org.county.id, { weights: null, minTickets: 2, publicBoard: null }, org.supervisor.id);
    });
    afterAll(async () => {
      await database?.dispose();
    });

    const rank = async (levels: ('village' | 'department' | 'liaison')[], month = '2026-10') =>
      (await rankRegion(db, regions, { region: regions.get(org.township.id)!, month, levels })).rankings;
    const summary = (r: Ranking) => r.entities.map((e) => [e.label, e.rank, e.score, e.unranked]);
    const parts = (e: RankedEntity | undefined) => e?.parts.map((p) => [p.term, p.rate?.numerator ?? null, p.rate?.denominator ?? null, p.weight, p.contribution]);

    test('default weights: exact scores, small samples listed after the ranked, the change since September', async () => {
      const [villages] = await rank(['village']);
      // 测试村: 100 × (0.1 × 4/6 + 0.5 × 2/3 + 0.4 × 2/3) = 66.67; 二村 100; 三村 1 ticket < 2.
      expect(summary(villages!)).toEqual([
        ['二村', 1, 100, null],
        ['测试村', 2, 66.7, null],
        ['三村', null, null, 'few_tickets'],
      ]);
      const a = villages!.entities[1];
      expect(parts(a)).toEqual([
        ['response', 4, 6, 0.1, 6.67],
        ['resolution', 2, 3, 0.5, 33.33],
        ['satisfaction', 2, 3, 0.4, 26.67],
      ]);
      // September: 测试村 was first with 100, 二村 had nothing.
      expect(a).toMatchObject({ previousRank: 1, previousScore: 100, rankChange: -1, scoreChange: -33.3 });
      expect(villages!.entities[0]).toMatchObject({ previousRank: null, rankChange: null, scoreChange: null });
      // Two ranked: the better half on the 红榜, the other on the 黑榜.
      expect(villages!.top.map((e) => e.label)).toEqual(['二村']);
      expect(villages!.bottom.map((e) => e.label)).toEqual(['测试村']);
      expect(villageB.name).toBe('二村');
      expect(villageC.name).toBe('三村');
    });

    test('liaisons and departments: only those of the region, rated ones ranked', async () => {
      const [departments, liaisons] = await rank(['department', 'liaison']);
      expect(summary(departments!)).toEqual([['供电所', 1, 100, null]]);
      // 李网格's own four tickets: 100 × (0.1 × 3/4 + 0.5 × 2/3 + 0.4 × 2/3) = 67.5. 赵网长:
      // response 1/2 only (0.1 of the weight): listed, not ranked.
      expect(summary(liaisons!)).toEqual([
        ['李网格 L-1', 1, 67.5, null],
        ['赵网长 GL-1', null, null, 'few_rates'],
      ]);
    });

    test('positive and negative weights, set by the county, inherited by the township', async () => {
      const form = parseSettingsForm({ response: '0.2', resolution: '0.3', satisfaction: '0.3', onTime: '0.2', returned: '0.5', reopened: '0.5', minTickets: '2' });
      if (!form.ok) throw new Error(form.problems.join());
      await saveSettings(db, org.county.id, form.stored, org.supervisor.id);
      try {
        expect((await rankingSettings(db, regions, org.township.id)).weights).toMatchObject({ onTime: 0.2, returned: 0.5 });
        const [villages] = await rank(['village']);
        // 测试村: 100 × (0.2 × 4/6 + 0.3 × 2/3 + 0.3 × 2/3 + 0.2 × 2/3) − 100 × (0.5 × 1/6 + 0.5 × 1/3)
        //       = 66.67 − 8.33 − 16.67 = 41.67; 二村: 100, nothing returned or reopened (0/2, 0/1).
        expect(summary(villages!).slice(0, 2)).toEqual([
          ['二村', 1, 100, null],
          ['测试村', 2, 41.7, null],
        ]);
        expect(parts(villages!.entities[1])).toEqual([
          ['response', 4, 6, 0.2, 13.33],
          ['resolution', 2, 3, 0.3, 20],
          ['satisfaction', 2, 3, 0.3, 20],
          ['onTime', 2, 3, 0.2, 13.33],
          ['returned', 1, 6, 0.5, -8.33],
          ['reopened', 1, 3, 0.5, -16.67],
        ]);
        // The township sets its own: only resolution and 走访覆盖率, half each.
        await saveSettings(db, org.township.id, { weights: JSON.stringify(weights({ resolution: 0.5, coverage: 0.5 })), minTickets: null, publicBoard: null }, org.supervisor.id);
        const [byCoverage, departments] = await rank(['village', 'department']);
        // 测试村: 100 × (0.5 × 2/3 + 0.5 × 1/1) = 83.33; 二村 has no paired household (0/0):
        // resolution alone, 100; 供电所: 走访覆盖率 does not apply, resolution 1/1 → 100.
        expect(summary(byCoverage!).slice(0, 2)).toEqual([
          ['二村', 1, 100, null],
          ['测试村', 2, 83.3, null],
        ]);
        expect(parts(byCoverage!.entities[1])).toEqual([
          ['resolution', 2, 3, 0.5, 33.33],
          ['coverage', 1, 1, 0.5, 50],
        ]);
        expect(parts(departments!.entities[0])).toEqual([
          ['resolution', 1, 1, 0.5, 100],
          ['coverage', null, null, 0.5, null],
        ]);
        // The county keeps its own weights.
        expect((await rankingSettings(db, regions, org.county.id)).weights.coverage).toBe(0);
      } finally {
        await db.rankingSettings.deleteMany({ where: { regionId: org.township.id } });
        await saveSettings(db, org.county.id, { weights: null, minTickets: 2, publicBoard: null }, org.supervisor.id);
      }
    });
  });
});

describe('a county of thousands of villages and liaisons', () => {
  test('2,000 villages and 2,000 liaisons with a ticket each are all listed, by name', async () => {
    const database = await SQLITE.fresh();
    try {
      const db = database.db;
      const org = await buildOrg(db);
      await db.region.createMany({ data: Array.from({ length: 2000 }, (_, i) => ({ code: `T-01-${10000 + i}`, name: `村${i}`, level: 'village', parentId: org.township.id })) });
      const villages = await db.region.findMany({ where: { code: { gte: 'T-01-10000' } }, orderBy: { code: 'asc' } });
      for (const [i, village] of villages.entries()) {
        const liaison = await db.person.create({
          data: { code: `LX-${i}`, name: `网格员${i}`, roles: { create: { role: 'liaison', regionId: village.id, scopeKey: `LX-${i}|liaison|${village.id}` } } },
        });
        await insertStatTicket(db, {
          regionId: village.id,
          day: '2026-10-10',
          state: 'in_progress',
          residentId: org.resident.id,
          handlingRegionId: org.township.id,
          assigneeId: liaison.id,
          acceptedOnTime: true,
        });
      }
      const regions = await loadRegions(db);
      const found = await rankRegion(db, regions, { region: regions.get(org.county.id)!, month: '2026-10', levels: ['village', 'liaison'] });
      expect(found.rankings.map((r) => r.entities.filter((e) => e.received === 1).length)).toEqual([2000, 2000]);
      expect(found.rankings[1]!.entities.find((e) => e.label === '网格员7 LX-7')).toMatchObject({ received: 1, rank: null, unranked: 'few_tickets' });
    } finally {
      await database.dispose();
    }
  });
});
