/**
 * The 红黑榜 at /console/ranking on the demo county with a hand-built October: the user's
 * region only (villages, departments, liaisons), exact scores on the page and in the CSV,
 * small samples listed without a rank, the settings form for supervisors only, validated
 * in Chinese, and a township's own weights applying to its ranking alone.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { DEMO_PASSWORD, saveAccount } from '../../src/org/staff-accounts.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { insertStatTicket, type StatTicket } from '../helpers/stat-tickets.js';

/** Splits a CSV answer into its header and data lines (cells split on commas: no name here has one). */
async function csvOf(res: Response): Promise<{ header: string[]; lines: string[][] }> {
  const [header = '', ...lines] = (await res.text())
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean);
  return { header: header.split(','), lines: lines.map((l) => l.split(',')) };
}

eachDatabase((kind) => {
  describe('the ranking page', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let sup: ConsoleClient;
    let township: { id: number; name: string };
    let otherTownship: { id: number };
    /** Three villages of QH-01 (10 perfect tickets; 10 half solved; 2) and one of QH-02. */
    let v1: string;
    let v2: string;
    let v3: string;
    let foreign: string;

    beforeAll(async () => {
      db = world.db;
      township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      otherTownship = await db.region.findUniqueOrThrow({ where: { code: 'QH-02' } });
      const villages = await db.region.findMany({ where: { parentId: township.id }, orderBy: { code: 'asc' }, take: 3 });
      const far = await db.region.findFirstOrThrow({ where: { parentId: otherTownship.id }, orderBy: { code: 'asc' } });
      [v1, v2, v3] = villages.map((v) => v.name) as [string, string, string];
      foreign = far.name;
      expect(new Set([v1, v2, v3, foreign]).size).toBe(4);
      const resident = await db.personRole.findFirstOrThrow({ where: { role: 'resident' } });
      const put = (regionId: number, fields: Omit<StatTicket, 'regionId' | 'day' | 'residentId' | 'handlingRegionId'>, times: number) =>
        Promise.all(
          Array.from({ length: times }, () => insertStatTicket(db, { regionId, day: '2026-10-12', residentId: resident.personId, handlingRegionId: township.id, ...fields })),
        );
      const perfect = { state: 'closed', acceptedOnTime: true, resolvedOnTime: true, rating: 'satisfied', solved: true };
      await put(villages[0]!.id, perfect, 10);
      await put(villages[1]!.id, perfect, 5);
      await put(villages[1]!.id, { state: 'closed', acceptedOnTime: true, resolvedOnTime: true, rating: 'dissatisfied', solved: false }, 5);
      await put(villages[2]!.id, perfect, 2);
      await put(far.id, perfect, 10);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      sup = await loggedIn(world.base, 'sup-qh');
    });

    test("a township dispatcher sees last month's ranking of the township's villages, exact, small samples without a rank, no settings form", async () => {
      const { status, text } = await dsp.page('/console/ranking');
      expect(status).toBe(200);
      expect(text).toContain('红榜');
      expect(text).toContain('黑榜');
      expect(text).toContain(`${township.name} 2026-10 村排名`);
      // v1: 100 × (0.1 + 0.5 + 0.4) = 100; v2: 100 × (0.1 × 1 + 0.5 × 5/10 + 0.4 × 5/10) = 55.
      expect(text).toMatch(new RegExp(`<td class="num">1</td><td>${v1}</td><td class="num">10</td><td class="num score">100.0</td>`));
      expect(text).toMatch(new RegExp(`<td class="num">2</td><td>${v2}</td><td class="num">10</td><td class="num score">55.0</td>`));
      expect(text).toMatch(new RegExp(`<td class="num">样本不足 too few requests</td><td>${v3}</td><td class="num">2</td><td class="num score">—</td>`));
      expect(text).toContain('50.0%（5/10）');
      expect(text).not.toContain(foreign);
      expect(text).toContain('得分与排名');
      expect(text).toContain('本月受理少于 5 件的（样本不足）');
      expect(text).not.toContain('name="minTickets"');
      // Another township is not theirs: refused, their own shown.
      const other = await dsp.page(`/console/ranking?region=${otherTownship.id}`);
      expect(other.text).toContain(`地区 region: ${otherTownship.id}`);
      expect(other.text).not.toContain(foreign);
    });

    test('the CSV holds the whole ranking with each part', async () => {
      const res = await dsp.get('/console/ranking.csv?month=2026-10&level=village');
      expect(res.status).toBe(200);
      const { header, lines } = await csvOf(res);
      expect(header.slice(0, 7)).toEqual([
        '名次 rank',
        '村 villages',
        '受理量 received',
        '得分 score',
        '名次变化 rank change',
        '得分变化 score change',
        '上月名次 last month rank',
      ]);
      expect(header.slice(7)).toEqual([
        '响应率(%) response rate',
        '响应率权重 weight',
        '响应率得分 contribution',
        '解决率(%) resolution rate',
        '解决率权重 weight',
        '解决率得分 contribution',
        '满意率(%) satisfaction rate',
        '满意率权重 weight',
        '满意率得分 contribution',
      ]);
      expect(lines[0]).toEqual(['1', v1, '10', '100', '', '', '', '100', '0.1', '10', '100', '0.5', '50', '100', '0.4', '40']);
      expect(lines[1]).toEqual(['2', v2, '10', '55', '', '', '', '100', '0.1', '10', '50', '0.5', '25', '50', '0.4', '20']);
      expect(lines[2]?.slice(0, 4)).toEqual(['样本不足 too few requests', v3, '2', '']);
      // Every village of the township is listed, none of another.
      expect(lines).toHaveLength(await db.region.count({ where: { parentId: township.id } }));
    });

    test('a department handler has no ranking: not in the menu, 404 for the page and the CSV', async () => {
      const role = await db.personRole.findFirstOrThrow({ where: { role: 'department_handler' }, include: { person: true } });
      await saveAccount(db, { username: 'handler-ranking', personCode: role.person.code, password: DEMO_PASSWORD }, world.clock.now());
      const handler = await loggedIn(world.base, 'handler-ranking');
      expect((await handler.page('/console/queue')).text).not.toContain('/console/ranking');
      expect((await handler.page('/console/ranking')).status).toBe(404);
      expect((await handler.get('/console/ranking.csv')).status).toBe(404);
    });

    test("departments and liaisons: the township's own only", async () => {
      const departments = await csvOf(await dsp.get('/console/ranking.csv?month=2026-10&level=department'));
      const own = await db.department.findMany({ where: { regionId: township.id }, select: { name: true } });
      expect(departments.lines.map((l) => l[1]).sort()).toEqual(own.map((d) => d.name).sort());
      const liaisons = await csvOf(await dsp.get('/console/ranking.csv?month=2026-10&level=liaison'));
      expect(liaisons.lines.length).toBeGreaterThan(0);
      expect(liaisons.lines.every((l) => / L-QH-01-/.test(l[1] ?? ''))).toBe(true);
      // Logged out: 401, not a redirect.
      expect((await fetch(`${world.base}/console/ranking.csv`)).status).toBe(401);
    });

    test("the public board shows the villages' and departments' 红黑榜, never liaisons; a village's board none", async () => {
      const board = await (await fetch(`${world.base}/public/QH-01`)).text();
      expect(board).toContain('2026-10 三率排名 红黑榜');
      expect(board).toMatch(new RegExp(`id="board-ranking-village">[^]*?<td class="num">1</td><td>${v1}</td><td class="num score">100.0</td>`));
      expect(board).toMatch(new RegExp(`<td class="num">2</td><td>${v2}</td><td class="num score">55.0</td>`));
      expect(board).toContain('id="board-ranking-department"');
      expect(board).not.toContain('board-ranking-liaison');
      const liaisons = await db.person.findMany({ where: { roles: { some: { role: 'liaison' } } }, select: { name: true, code: true } });
      for (const l of liaisons) expect(board).not.toContain(l.code);
      expect(liaisons.filter((l) => board.includes(l.name)).map((l) => l.name)).toEqual([]);
      const village = await (await fetch(`${world.base}/public/QH-01-001`)).text();
      expect(village).not.toContain('红黑榜');
    });

    test('a supervisor sets a township its own weights, validated in Chinese; they apply to its ranking alone; a dispatcher may not', async () => {
      const page = await sup.page(`/console/ranking?region=${township.id}`);
      expect(page.text).toContain('name="minTickets"');
      const path = `/console/ranking?region=${township.id}&month=2026-10&level=village`;
      const base = { region: String(township.id), response: '0', resolution: '1', satisfaction: '0', minTickets: '2', publicBoard: 'inherit' };
      const bad = await sup.post(path, { ...base, resolution: '0.9' });
      expect(bad.status).toBe(422);
      expect(await bad.text()).toContain('的权重之和须为 1');
      expect(await db.rankingSettings.count()).toBe(0);
      expect((await dsp.post(path, base)).status).toBe(404);
      const good = await sup.post(path, base);
      expect(good.status).toBe(303);
      // Resolution alone, two tickets enough: v1 100, v3 100 (rank shared), v2 50.
      const after = await csvOf(await dsp.get('/console/ranking.csv?month=2026-10&level=village'));
      expect(after.lines.slice(0, 3).map((l) => l.slice(0, 4))).toEqual([
        ['1', v1, '10', '100'],
        ['1', v3, '2', '100'],
        ['3', v2, '10', '50'],
      ]);
      // The county keeps the defaults: v2 is 55 there.
      const county = await csvOf(await sup.get('/console/ranking.csv?month=2026-10&level=village'));
      expect(county.lines.find((l) => l[1] === v2)?.[3]).toBe('55');
      // The township takes its ranking off the public board; the county's stays.
      expect((await sup.post(path, { ...base, publicBoard: 'off' })).status).toBe(303);
      expect(await (await fetch(`${world.base}/public/QH-01`)).text()).not.toContain('红黑榜');
      expect(await (await fetch(`${world.base}/public/QH`)).text()).toContain('红黑榜');
    });
  });
});
