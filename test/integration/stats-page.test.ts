/**
 * The statistics page and its CSV export as the console calls them, on the demo county
 * with requests made through the pipeline: what each kind of user may look at (township
 * dispatcher, county supervisor, grid leader, department handler), how bad parameters are
 * refused, and the CSV files.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PipelineService } from '../../src/pipeline/service.js';
import { loadScope, type StaffScope } from '../../src/web/console/scope.js';
import { renderStatsCsv, renderStatsPage } from '../../src/web/console/stats-page.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

/** The value printed on a figure's card. */
function figure(body: string, key: string): string {
  const match = new RegExp(`data-figure="${key}">\\s*<div class="name">[^<]*</div>\\s*<div class="value">([^<]*)`).exec(body);
  return match?.[1]?.trim() ?? '(missing)';
}

eachDatabase((kind) => {
  let database: TestDatabase;
  const now = new Date('2026-10-20T10:00:00+08:00');
  const regionIds: Record<string, number> = {};

  /** The console scope of a demo person. */
  async function scopeOf(code: string): Promise<StaffScope> {
    const person = await database.db.person.findUniqueOrThrow({ where: { code } });
    const scope = await loadScope(database.db, { id: person.id, username: code.toLowerCase(), personId: person.id });
    if (!scope) throw new Error(`${code} has no console role`);
    return scope;
  }

  async function page(code: string, query: string) {
    return (await renderStatsPage(database.db, await scopeOf(code), new URLSearchParams(query), { now })).body;
  }

  beforeAll(async () => {
    database = await kind.fresh({ demo: true });
    const db = database.db;
    for (const r of await db.region.findMany()) regionIds[r.code] = r.id;
    const clock = new FakeClock(new Date('2026-10-12T09:00:00+08:00'));
    const pipeline = new PipelineService({ db, rules, clock });
    const requests: [string, string][] = [
      ['R-QH-01-001-H001', 'power'],
      ['R-QH-01-001-H002', 'power'],
      ['R-QH-01-002-H001', 'water'],
      ['R-QH-02-001-H001', 'road'],
    ];
    for (const [code, category] of requests) {
      clock.advanceHours(5);
      const resident = await db.person.findUniqueOrThrow({ where: { code } });
      const outcome = await pipeline.report({ residentId: resident.id, categoryCode: category, kind: 'help', summary: '路灯坏了' });
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.refusal));
    }
  });

  afterAll(async () => {
    await database?.dispose();
  });

  describe('what each user may look at', () => {
    test('a township dispatcher sees the township, and another township not at all', async () => {
      const own = await page('DSP-QH-01', 'period=month&date=2026-10-15');
      expect(own).toContain('统计分析 <span class="en" lang="en">Statistics</span> · 清水镇');
      expect(figure(own, 'received')).toBe('3');
      const other = await page('DSP-QH-01', `period=month&date=2026-10-15&region=${regionIds['QH-02']}`);
      expect(other).toContain('所选区域不在您的范围内');
      expect(figure(other, 'received')).toBe('3');
      for (const body of [own, other]) {
        expect(body).not.toContain('禾丰镇');
        expect(body).not.toContain('杏花村');
      }
    });

    test('a county supervisor sees the county and may choose a township', async () => {
      const county = await page('SUP-QH', 'period=month&date=2026-10-15');
      expect(figure(county, 'received')).toBe('4');
      expect(county).toContain('id="table-village"');
      const township = await page('SUP-QH', `period=month&date=2026-10-15&region=${regionIds['QH-02']}`);
      expect(township).toContain('· 禾丰镇');
      expect(figure(township, 'received')).toBe('1');
      // Another month has nothing.
      expect(figure(await page('SUP-QH', 'period=month&date=2026-09-15'), 'received')).toBe('0');
    });

    test('a grid leader is held to the grid, a department handler to the department', async () => {
      const leader = await database.db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' }, include: { roles: true } });
      const gridId = leader.roles.find((r) => r.role === 'grid_leader')?.gridId;
      const inGrid = await database.db.ticket.count({ where: { gridId } });
      // Some of the requests, not all: the grid filter must show.
      expect(inGrid).toBeGreaterThan(0);
      expect(inGrid).toBeLessThan(4);
      const gridPage = await page('L-QH-01-001-01', 'period=month&date=2026-10-15');
      expect(figure(gridPage, 'received')).toBe(String(inGrid));
      // Titled with the grid the figures are of, not the whole village.
      const grid = await database.db.grid.findUniqueOrThrow({ where: { id: gridId! }, include: { region: true } });
      expect(gridPage).toContain(`· ${grid.region.name} ${grid.name}</h1>`);
      // Asking for another grid changes nothing.
      expect(figure(await page('L-QH-01-001-01', 'period=month&date=2026-10-15&grid=99999'), 'received')).toBe(String(inGrid));
      // The requests went to liaisons, none to the power station.
      expect(figure(await page('H-QH-01-power', 'period=month&date=2026-10-15'), 'received')).toBe('0');
    });
  });

  describe('parameters', () => {
    test('bad ones are named on the page, escaped, and replaced by defaults', async () => {
      const body = await page('SUP-QH', 'period=year&date=<script>alert(1)</script>&category=<b>x</b>&liaison=abc');
      expect(body).toContain('周期无效，按月统计');
      expect(body).toContain('日期无效 invalid date: &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(body).toContain('事项分类不在可选范围内');
      expect(body).toContain('网格员不在可选范围内');
      expect(body).not.toMatch(/<script|<b>x/);
      // Today's month (of the injected clock): October.
      expect(figure(body, 'received')).toBe('4');
    });

    test('a custom period counts both dates; the trend and the previous period follow it', async () => {
      const body = await page('SUP-QH', 'period=custom&from=2026-10-12&to=2026-10-12');
      // 09:00 + 5 h steps: 14:00 and 19:00 on the 12th, the rest on the 13th.
      expect(figure(body, 'received')).toBe('2');
      expect(body).toContain('2026-10-12 – 2026-10-12');
      expect(body).toContain('2026-10-11 – 2026-10-11');
      const reversed = await page('SUP-QH', 'period=custom&from=2026-10-13&to=2026-10-01');
      expect(reversed).toContain('自定义起止日期无效');
    });

    test('a period not over yet says its figures are so far; a past one does not', async () => {
      // Now is 2026-10-20: October is not over, September is.
      const october = await page('SUP-QH', 'period=month&date=2026-10-15');
      expect(october).toContain('2026-10-01 – 2026-10-31');
      expect(october).toMatch(/data-partial="1">截至 2026-10-20，本期未结束/);
      expect(await page('SUP-QH', 'period=month&date=2026-09-15')).not.toContain('本期未结束');
      expect(await page('SUP-QH', 'period=custom&from=2026-10-12&to=2026-10-12')).not.toContain('本期未结束');
    });

    test('a filter narrows the figures and the drill-down links keep the period', async () => {
      const body = await page('SUP-QH', 'period=week&date=2026-10-14&category=power');
      expect(figure(body, 'received')).toBe('2');
      expect(body).toContain('2026-10-12 – 2026-10-18');
      expect(body).toMatch(/href="\/console\/stats\?period=week&amp;date=2026-10-14&amp;region=\d+&amp;category=power&amp;grid=\d+"/);
    });
  });

  describe('drill-down links', () => {
    test('a person who holds tickets without the liaison role can be chosen; one outside the region cannot', async () => {
      const dispatcher = await database.db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const other = await database.db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-02' } });
      const inside = await page('SUP-QH', `period=month&date=2026-10-15&region=${regionIds['QH-01']}&liaison=${dispatcher.id}`);
      expect(inside).not.toContain('网格员不在可选范围内');
      expect(inside).toContain(`<option value="${dispatcher.id}" selected>${dispatcher.name}</option>`);
      expect(figure(inside, 'received')).toBe('0');
      const outside = await page('SUP-QH', `period=month&date=2026-10-15&region=${regionIds['QH-01']}&liaison=${other.id}`);
      expect(outside).toContain('网格员不在可选范围内');
      expect(figure(outside, 'received')).toBe('3');
    });
  });

  describe('CSV export', () => {
    test('each table as CSV with a BOM; unknown tables are refused', async () => {
      const scope = await scopeOf('SUP-QH');
      const params = new URLSearchParams('period=month&date=2026-10-15');
      const category = await renderStatsCsv(database.db, scope, params, 'category', { now });
      expect(category?.filename).toBe('minqing-stats-category-2026-10-01_2026-10-31.csv');
      const lines = (category?.csv ?? '').split('\r\n');
      expect(lines[0]?.startsWith('\uFEFF编号 key,名称 name,受理量 received,')).toBe(true);
      expect(lines.slice(1, -1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['power,电力照明,2', 'road,道路交通,1', 'water,供水排水,1', ',合计 total,4']);
      const figures = await renderStatsCsv(database.db, scope, params, 'figures', { now });
      expect(
        figures?.csv
          .split('\r\n')
          .slice(1, 3)
          .map((l) => l.split(',').slice(0, 4).join(',')),
      ).toEqual(['本期 this period,2026-10-01,2026-10-31,4', '上期 previous,2026-09-01,2026-09-30,0']);
      const trend = await renderStatsCsv(database.db, scope, params, 'trend', { now });
      expect(trend?.csv.split('\r\n').filter((l) => /^2026-10-\d\d,/.test(l))).toHaveLength(31);
      expect(await renderStatsCsv(database.db, scope, params, 'tickets', { now })).toBeNull();
      // A township has its villages as "region"; "village" is the county's table only.
      expect(await renderStatsCsv(database.db, await scopeOf('DSP-QH-01'), params, 'village', { now })).toBeNull();
    });
  });
});
