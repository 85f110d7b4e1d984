/**
 * 包户走访 on the statistics page (src/web/console/stats-coverage.ts), on both databases:
 * the month's 走访覆盖率 and 签字率 cards for the region, grid or liaison in scope, the
 * breakdowns by township, village and grid, and their CSV exports, for a hand-made month.
 */
import { describe, expect, test } from 'vitest';
import { loadScope, type StaffScope } from '../../src/web/console/scope.js';
import { renderStatsCsv, renderStatsPage } from '../../src/web/console/stats-page.js';
import { eachFreshDatabase } from '../helpers/db.js';

const now = new Date('2026-10-20T10:00:00+08:00');

/** The value printed on a figure's card, and its hint. */
function card(body: string, key: string): { value: string; hint: string } | null {
  const match = new RegExp(`data-figure="${key}">\\s*<div class="name">[^<]*</div>\\s*<div class="value">([^<]*)</div>\\s*<div class="hint">(.*?)</div>`).exec(body);
  return match ? { value: match[1]!.trim(), hint: match[2]!.replace(/<[^>]+>/g, '') } : null;
}

const pct = (part: number, whole: number) => `${Math.round((part / whole) * 1000) / 10}%`;

eachFreshDatabase((freshDatabase) => {
  describe('coverage on the statistics page', () => {
    test('cards, breakdowns and CSVs follow the region, the grid and the liaison in scope; a department handler has none', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      const scopeOf = async (code: string): Promise<StaffScope> => {
        const person = await db.person.findUniqueOrThrow({ where: { code } });
        return (await loadScope(db, { id: person.id, username: code.toLowerCase(), personId: person.id }))!;
      };
      const page = async (code: string, query: string) => (await renderStatsPage(db, await scopeOf(code), new URLSearchParams(query), { now })).body;
      const csv = async (code: string, query: string, table: string) => (await renderStatsCsv(db, await scopeOf(code), new URLSearchParams(query), table, { now }))?.csv ?? null;

      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' }, include: { roles: true } });
      const paired = (await db.pairing.findMany({ where: { liaisonId: liaison.id }, include: { household: true }, orderBy: { householdId: 'asc' } })).map((p) => p.household);
      const [h1, h2] = paired as [(typeof paired)[0], (typeof paired)[0]];
      const visit = (h: typeof h1, at: string, confirmation: string) =>
        db.visit.create({ data: { liaisonId: liaison.id, householdId: h.id, regionId: h.regionId, notes: '走访', visitedAt: new Date(`${at}+08:00`), confirmation } });
      // October: two households, three visits; one signed of the two that could be asked.
      await visit(h1, '2026-10-05T10:00:00', 'confirmed');
      await visit(h1, '2026-10-12T10:00:00', 'unconfirmed');
      await visit(h2, '2026-10-13T10:00:00', 'pending');
      // September's: not October's.
      await visit(paired[2]!, '2026-09-30T10:00:00', 'confirmed');

      const villages = await db.region.findMany({ where: { parentId: township.id } });
      const inTownship = await db.pairing.count({ where: { household: { regionId: { in: villages.map((v) => v.id) } } } });
      const october = 'period=month&date=2026-10-15';
      const own = await page('DSP-QH-01', october);
      expect(card(own, 'visitCoverage')).toEqual({ value: pct(2, inTownship), hint: `2026-10 · 2/${inTownship} 户 households` });
      expect(card(own, 'visitSigned')?.value).toBe('50%');
      // A township: by village and by grid, not by township; the definitions printed.
      expect(own).toContain('id="table-visits-village"');
      expect(own).toContain('id="table-visits-grid"');
      expect(own).not.toContain('id="table-visits-township"');
      expect(own).toContain('已走访户数 ÷ 包户数');
      // A week's period shows the month it ends in; September has none visited in this township but one.
      expect(card(await page('DSP-QH-01', 'period=week&date=2026-10-15'), 'visitCoverage')?.value).toBe(pct(2, inTownship));
      expect(card(await page('DSP-QH-01', 'period=month&date=2026-09-15'), 'visitCoverage')?.value).toBe(pct(1, inTownship));

      // The liaison filter: their own households.
      const one = await page('DSP-QH-01', `${october}&liaison=${liaison.id}`);
      expect(card(one, 'visitCoverage')?.value).toBe(pct(2, paired.length));

      // The village CSV: one line per village in code order, the liaison's with its figures, the total last.
      const villageCsv = (await csv('DSP-QH-01', october, 'visits-village'))!.split('\r\n').filter(Boolean);
      expect(villageCsv[0]).toBe(
        '\uFEFF编号 key,名称 name,包户数 paired households,已走访户数 households visited,走访覆盖率(%) coverage (%),走访天数 days with visits,走访次数 visits,签字率(%) signed (%),平均评分 average rating',
      );
      expect(villageCsv).toHaveLength(villages.length + 2);
      const village = villages.find((v) => v.id === h1.regionId)!;
      const villagePaired = await db.pairing.count({ where: { household: { regionId: village.id } } });
      expect(villageCsv).toContain(`${village.id},${village.name},${villagePaired},2,${pct(2, villagePaired).slice(0, -1)},3,3,50,`);
      expect(villageCsv.at(-1)).toBe(`,合计 total,${inTownship},2,${pct(2, inTownship).slice(0, -1)},3,3,50,`);
      // The county has its townships too; a township has no township table.
      expect(await csv('SUP-QH', october, 'visits-township')).toContain(`${township.id},${township.name},${inTownship},2,`);
      expect(await csv('DSP-QH-01', october, 'visits-township')).toBeNull();

      // A grid leader: their grid's households only.
      const gridId = liaison.roles.find((r) => r.role === 'grid_leader')!.gridId!;
      const inGrid = (await db.householdGrid.findMany({ where: { gridId, household: { pairing: { isNot: null } } } })).map((g) => g.householdId);
      const visitedInGrid = [h1, h2].filter((h) => inGrid.includes(h.id)).length;
      expect(inGrid.length).toBeLessThan(inTownship);
      const leader = await page('L-QH-01-001-01', october);
      expect(card(leader, 'visitCoverage')?.value).toBe(pct(visitedInGrid, inGrid.length));
      expect(leader).not.toContain('id="table-visits-village"');
      const gridCsv = (await csv('L-QH-01-001-01', october, 'visits-grid'))!.split('\r\n').filter(Boolean);
      expect(gridCsv).toHaveLength(3);
      expect(gridCsv[1]).toMatch(new RegExp(`^${gridId},[^,]+,${inGrid.length},${visitedInGrid},`));

      // A department handler: no visits.
      const department = await page('H-QH-01-power', october);
      expect(card(department, 'visitCoverage')).toBeNull();
      expect(await csv('H-QH-01-power', october, 'visits-village')).toBeNull();
    });
  });
});
