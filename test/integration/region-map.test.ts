/**
 * The region maps on both databases: the statistics page's map of the chosen region (its
 * villages as linked points; on a township's or a village's map the period's shared
 * locations, only those of the user's scope), the figure switch, villages without
 * coordinates listed, and the public board's map of its villages with no locations.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { saveAccount } from '../../src/org/staff-accounts.js';
import { actorFor } from '../../src/pipeline/service.js';
import { type ConsoleClient, consoleWorldFor, DEMO_PASSWORD, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

/** The village points of the map with id `id` in `body`: code → link. */
function villagePoints(body: string, id: string): Map<string, string> {
  const svg = new RegExp(`<svg id="${id}"[\\s\\S]*?</svg>`).exec(body)?.[0] ?? '';
  return new Map([...svg.matchAll(/<a class="village" href="([^"]*)" data-village="([^"]*)"/g)].map((m) => [m[2] ?? '', (m[1] ?? '').replaceAll('&amp;', '&')]));
}

/** The shared-location points of a map: their hover texts. */
function pins(body: string): string[] {
  return [...body.matchAll(/<a class="pin" href="([^"]*)"[^>]*><title>([^<]*)<\/title>/g)].map((m) => `${m[2]} ${m[1]?.replaceAll('&amp;', '&')}`);
}

eachDatabase((kind) => {
  describe('region maps', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    const ids: Record<string, number> = {};
    const numbers: Record<string, string> = {};

    /** A request from the resident `code`, sharing the location `at`. */
    const reportAt = async (code: string, category: string, at: { latitude: number; longitude: number } | null) => {
      const resident = await db.person.findUniqueOrThrow({ where: { code } });
      const outcome = await world.app.pipeline.report({ residentId: resident.id, categoryCode: category, kind: 'help', summary: '路灯坏了', ...(at ?? {}) });
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.refusal));
      return outcome.ticket.number;
    };

    beforeAll(async () => {
      db = world.db;
      for (const r of await db.region.findMany()) ids[r.code] = r.id;
      // Near 东湖村 (QH-01-001) and 杏花村 (QH-02-001); one without a location.
      numbers['east'] = await reportAt('R-QH-01-001-H001', 'power', { latitude: 30.0611, longitude: 120.1152 });
      // Another grid of the same village (households 61–90 are its third grid).
      numbers['east3'] = await reportAt('R-QH-01-001-H090', 'sanitation', { latitude: 30.0595, longitude: 120.1139 });
      numbers['apricot'] = await reportAt('R-QH-02-001-H001', 'road', { latitude: 29.984, longitude: 119.867 });
      numbers['none'] = await reportAt('R-QH-01-002-H001', 'water', null);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    test('the county’s map: every village a point linking to its statistics, no shared locations', async () => {
      const sup = await loggedIn(world.base, 'sup-qh');
      const body = (await sup.page('/console/stats')).text;
      const points = villagePoints(body, 'stats-map');
      expect([...points.keys()].sort()).toEqual(['QH-01-001', 'QH-01-002', 'QH-01-003', 'QH-02-001', 'QH-02-002']);
      for (const [code, href] of points) expect(new URL(href, world.base).searchParams.get('region')).toBe(String(ids[code]));
      expect(pins(body)).toEqual([]);
      // 东湖村 received one request: its hover says so.
      expect(body).toMatch(/<title>东湖村：受理 2 · 在办 2/);
    });

    test('a township dispatcher’s map: their villages and the shared locations of their requests only', async () => {
      const body = (await dsp.page('/console/stats')).text;
      const points = villagePoints(body, 'stats-map');
      expect([...points.keys()].sort()).toEqual(['QH-01-001', 'QH-01-002', 'QH-01-003']);
      expect(pins(body).sort()).toEqual(
        [
          `${numbers['east']} 电力照明 Power and lighting https://uri.amap.com/marker?position=120.115200,30.061100&name=${numbers['east']}&coordinate=wgs84&callnative=0`,
          `${numbers['east3']} 环境卫生 Sanitation https://uri.amap.com/marker?position=120.113900,30.059500&name=${numbers['east3']}&coordinate=wgs84&callnative=0`,
        ].sort(),
      );
      expect(body).not.toContain(numbers['apricot']);
      // A click on a village shows the village's own map, with its location.
      const village = (await dsp.page(points.get('QH-01-001') ?? '')).text;
      expect([...villagePoints(village, 'stats-map').keys()]).toEqual(['QH-01-001']);
      expect(pins(village)).toHaveLength(2);
      expect(village).toContain('统计分析 <span class="en" lang="en">Statistics</span> · 东湖村');
    });

    test('a grid leader’s map: their village, and only their grid’s locations', async () => {
      await saveAccount(db, { username: 'grid-map', personCode: 'L-QH-01-001-01', password: DEMO_PASSWORD }, world.clock.now());
      const leader = await loggedIn(world.base, 'grid-map');
      const body = (await leader.page('/console/stats')).text;
      expect([...villagePoints(body, 'stats-map').keys()]).toEqual(['QH-01-001']);
      const shown = pins(body);
      expect(shown).toHaveLength(1);
      expect(shown[0]).toContain(numbers['east']);
      expect(body).not.toContain(numbers['east3']);
      expect(body).not.toContain(numbers['apricot']);
    });

    test('a department handler’s map: the township’s villages without links (not theirs to choose), only their department’s locations', async () => {
      await saveAccount(db, { username: 'power-map', personCode: 'H-QH-01-power', password: DEMO_PASSWORD }, world.clock.now());
      const handler = await loggedIn(world.base, 'power-map');
      const body = (await handler.page('/console/stats')).text;
      expect(villagePoints(body, 'stats-map').size).toBe(0);
      expect([...body.matchAll(/<g class="village" data-village="([^"]*)"/g)].map((m) => m[1]).sort()).toEqual(['QH-01-001', 'QH-01-002', 'QH-01-003']);
      // Nothing of theirs yet; then the dispatcher sends them the power request.
      expect(pins(body)).toEqual([]);
      const department = await db.department.findUniqueOrThrow({ where: { code: 'QH-01-D-power' } });
      const dispatcher = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const sent = await world.app.pipeline.execute(numbers['east'] ?? '', { type: 'dispatch', target: { departmentId: department.id } }, await actorFor(db, dispatcher.id));
      expect(sent.ok).toBe(true);
      const after = (await handler.page('/console/stats')).text;
      expect(pins(after).map((p) => p.split(' ')[0])).toEqual([numbers['east']]);
      expect(after).not.toContain(numbers['east3']);
    });

    test('the switch colours by another figure; a village without coordinates is listed under the map', async () => {
      const body = (await dsp.page('/console/stats?map=satisfaction')).text;
      expect(body).toMatch(/<strong aria-current="true">满意率/);
      expect(body).toContain('data-map-figure="received"');
      // The village links keep the chosen figure.
      expect(villagePoints(body, 'stats-map').get('QH-01-002')).toContain('map=satisfaction');
      await db.region.update({ where: { code: 'QH-01-003' }, data: { latitude: null, longitude: null } });
      try {
        const without = (await dsp.page('/console/stats')).text;
        expect([...villagePoints(without, 'stats-map').keys()].sort()).toEqual(['QH-01-001', 'QH-01-002']);
        expect(without).toMatch(/class="map-unplaced">未标注位置 <span class="en" lang="en">no position<\/span>：<a href="[^"]*region=\d+[^"]*">石桥村<\/a>/);
      } finally {
        await db.region.update({ where: { code: 'QH-01-003' }, data: { latitude: 30.0083, longitude: 120.1116 } });
      }
    });

    test('the public board maps its villages by satisfaction, each linking to the village’s board, with no shared location', async () => {
      const county = await (await fetch(`${world.base}/public/QH`)).text();
      const points = villagePoints(county, 'board-map');
      expect(points.size).toBe(5);
      for (const [code, href] of points) expect(href).toBe(`/public/${code}`);
      expect(county).toContain('满意率地图');
      expect(pins(county)).toEqual([]);
      expect(county).not.toContain('uri.amap.com');
      const township = await (await fetch(`${world.base}/public/QH-02`)).text();
      expect([...villagePoints(township, 'board-map').keys()].sort()).toEqual(['QH-02-001', 'QH-02-002']);
      expect(township).not.toContain('120.115200');
      // A village whose board is switched off is not on the map above it either.
      await db.region.update({ where: { code: 'QH-02-002' }, data: { publicBoard: false } });
      try {
        const without = await (await fetch(`${world.base}/public/QH`)).text();
        expect([...villagePoints(without, 'board-map').keys()].sort()).toEqual(['QH-01-001', 'QH-01-002', 'QH-01-003', 'QH-02-001']);
        expect(without).not.toContain('南坡村');
      } finally {
        await db.region.update({ where: { code: 'QH-02-002' }, data: { publicBoard: true } });
      }
    });
  });
});
