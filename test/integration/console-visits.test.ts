/**
 * The visit log 民情日记 at /console/visits, on both databases: the visits of the user's
 * regions only, the filters, keyset pages, the month's coverage per liaison computed
 * right for a hand-made month, the two CSV exports, and notes scrubbed.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { loadScope, type StaffScope } from '../../src/web/console/scope.js';
import { loadRegions, type RegionNode } from '../../src/org/regions.js';
import { COVERAGE_COLUMNS, coverageShown, GRID_COVERAGE_COLUMNS, MAX_COVERAGE_LINES, VISIT_COLUMNS } from '../../src/web/console/visits-page.js';
import { type CoverageRow, parseVisitParams, queryVisits, visitCoverage, visitGridCoverage } from '../../src/web/console/visits.js';
import { csvHeader } from '../../src/web/table.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

/** Splits a CSV answer into BOM flag, header and data lines. */
async function csvOf(res: Response): Promise<{ bom: boolean; header: string; lines: string[] }> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const [header = '', ...lines] = bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean);
  return { bom, header, lines };
}

describe('the coverage table on the page', () => {
  const line = (kind: CoverageRow['kind'], village: string, liaison = ''): CoverageRow => ({
    kind,
    village,
    liaison,
    paired: 10,
    visited: 5,
    days: 4,
    visits: 6,
    askable: 6,
    signed: 3,
    ratings: 2,
    ratingSum: 8,
  });
  const scopeOf = (villages: number, liaisonsEach: number) => [
    ...Array.from({ length: villages }, (_, v) => [...Array.from({ length: liaisonsEach }, (_, l) => line('liaison', `村${v}`, `网格员${l}`)), line('village', `村${v}`)]).flat(),
    line('total', ''),
  ];

  test('a township shows every liaison; a scope with more liaisons than the page holds shows its villages and the total', () => {
    const township = scopeOf(10, 10);
    expect(coverageShown(township)).toEqual({ rows: township, byVillage: false, hidden: 0 });
    const county = scopeOf(30, 10);
    const shown = coverageShown(county);
    expect(shown.byVillage).toBe(true);
    expect(shown.rows.map((r) => r.kind)).toEqual([...Array<string>(30).fill('village'), 'total']);
    expect(shown.hidden).toBe(300);
    const huge = coverageShown(scopeOf(MAX_COVERAGE_LINES + 5, 2));
    expect(huge.rows).toHaveLength(MAX_COVERAGE_LINES + 1);
    expect(huge.rows.at(-1)!.kind).toBe('total');
  });
});

eachDatabase((kind) => {
  describe('the visit log', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let scope: StaffScope;
    let regions: Map<number, RegionNode>;
    /** The liaison of the hand-made month, with exactly four households. */
    let liaison: { id: number; name: string; code: string };
    let households: { id: number; code: string; address: string; headName: string; regionId: number }[];
    let village: RegionNode;
    /** A visit in the other township (QH-02). */
    let foreignNotes: string;
    let foreignVillageId: number;

    const at = (local: string) => new Date(`${local}+08:00`);

    beforeAll(async () => {
      db = world.db;
      regions = await loadRegions(db);
      const first = await db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H001' }, include: { pairing: { include: { liaison: true } } } });
      liaison = first.pairing!.liaison;
      const paired = await db.pairing.findMany({ where: { liaisonId: liaison.id }, orderBy: { householdId: 'asc' }, include: { household: true } });
      // Four households, so that the coverage is 3 / 4.
      await db.pairing.deleteMany({ where: { householdId: { in: paired.slice(4).map((p) => p.householdId) } } });
      households = paired.slice(0, 4).map((p) => p.household);
      village = regions.get(first.regionId)!;
      const [h1, h2, h3, h4] = households as [(typeof households)[number], (typeof households)[number], (typeof households)[number], (typeof households)[number]];
      const visit = (h: { id: number; regionId: number }, visitedAt: Date, fields: { notes: string; confirmation: string; comment?: string; rating?: number; media?: string[] }) =>
        db.visit.create({
          data: {
            liaisonId: liaison.id,
            householdId: h.id,
            regionId: h.regionId,
            visitedAt,
            notes: fields.notes,
            confirmation: fields.confirmation,
            comment: fields.comment ?? null,
            rating: fields.rating ?? null,
            media: JSON.stringify(fields.media ?? []),
          },
        });
      // Recorded in visit order (the chat stamps visits as they happen).
      await visit(h1, at('2026-11-01T00:10:00'), {
        notes: `${h1.headName}身体还好，有事打 139 1234 5678`,
        confirmation: 'confirmed',
        rating: 5,
        media: ['/uploads/a.jpg', '/uploads/b.jpg', '/uploads/c.ogg'],
      });
      // The same Beijing day as the next visit, the day before in UTC: one day with visits.
      await visit(h2, at('2026-11-10T07:30:00'), { notes: '反映村口路灯不亮', confirmation: 'pending' });
      await visit(h1, at('2026-11-10T15:00:00'), { notes: '回访路灯的事', confirmation: 'disputed', comment: '没有来过', rating: 2 });
      await visit(h3, at('2026-11-12T10:00:00'), { notes: '家中无人用手机', confirmation: 'unconfirmed' });
      // Still November in UTC, December in Beijing: not this month's.
      await visit(h4, at('2026-12-01T07:00:00'), { notes: '十二月的走访', confirmation: 'pending' });

      const foreign = await db.household.findUniqueOrThrow({ where: { code: 'QH-02-001-H001' }, include: { pairing: true } });
      foreignVillageId = foreign.regionId;
      foreignNotes = '杏花村的走访记录';
      await db.visit.create({
        data: {
          liaisonId: foreign.pairing!.liaisonId,
          householdId: foreign.id,
          regionId: foreign.regionId,
          visitedAt: at('2026-11-05T10:00:00'),
          notes: foreignNotes,
          confirmation: 'pending',
        },
      });

      dsp = await loggedIn(world.base, 'dsp-qh-01');
      const account = await db.staffAccount.findUniqueOrThrow({ where: { username: 'dsp-qh-01' } });
      scope = (await loadScope(db, account, regions))!;
    });

    const filtersOf = (query: string) => parseVisitParams(new URLSearchParams(query), world.clock.now()).filters;
    const notesOf = async (query: string) => (await queryVisits(db, scope, filtersOf(query), regions)).rows.map((r) => r.notes);

    test('the month defaults to the current one in Beijing time; visits of the scope only, newest first, notes scrubbed', async () => {
      expect(filtersOf('').month).toBe('2026-11');
      const notes = await notesOf('');
      expect(notes).toEqual(['家中无人用手机', '回访路灯的事', '反映村口路灯不亮', '某某身体还好，有事打 ***']);
      expect(await notesOf('month=2026-12')).toEqual(['十二月的走访']);
      const page = await dsp.page('/console/visits');
      expect(page.status).toBe(200);
      expect(page.text).toContain('民情日记');
      expect(page.text).toContain('aria-current="page">民情日记');
      expect(page.text).toContain('有事打 ***');
      expect(page.text).not.toContain('5678');
      expect(page.text).not.toContain(households[0]!.headName);
      // The household by its code and its head masked, never its address (as on the ticket page).
      expect(page.text).toContain(`${households[0]!.code} ${households[0]!.headName[0]}*`);
      expect(page.text).not.toContain(households[0]!.address);
      expect(page.text).toContain('有出入 disputed：没有来过');
      expect(page.text).toContain('未确认（无聊天）');
      expect(page.text).not.toContain(foreignNotes);
    });

    test('filters: status, liaison, region, month; a region outside the scope answers nothing; bad values are reported', async () => {
      expect(await notesOf('status=disputed')).toEqual(['回访路灯的事']);
      expect(await notesOf('status=pending')).toEqual(['反映村口路灯不亮']);
      expect(await notesOf(`liaison=${liaison.id}&status=unconfirmed`)).toEqual(['家中无人用手机']);
      expect(await notesOf(`liaison=${liaison.id + 100000}`)).toEqual([]);
      expect(await notesOf(`region=${village.id}`)).toHaveLength(4);
      expect(await notesOf(`region=${village.parentId}`)).toHaveLength(4);
      expect(await notesOf(`region=${foreignVillageId}`)).toEqual([]);
      expect(await notesOf('month=2026-10')).toEqual([]);
      const page = await dsp.page(`/console/visits?region=${foreignVillageId}&month=2026-13&status=maybe`);
      expect(page.text).toContain('月份 month: 2026-13');
      expect(page.text).toContain('签字 status: maybe');
      expect(page.text).toContain('本月没有符合条件的走访记录');
      expect(page.text).not.toContain(foreignNotes);
      // The supervisor of the county sees the other township's visit.
      const sup = await loggedIn(world.base, 'sup-qh');
      expect((await sup.page('/console/visits')).text).toContain(foreignNotes);
    });

    test('a department handler has no visit log: no menu entry, and the page and exports do not exist (404)', async () => {
      const handler = await db.person.findUniqueOrThrow({ where: { code: 'H-QH-01-water' } });
      const { passwordHash } = await db.staffAccount.findUniqueOrThrow({ where: { username: 'dsp-qh-01' } });
      await db.staffAccount.create({ data: { username: 'water-window', passwordHash, personId: handler.id, createdAt: new Date() } });
      const window = await loggedIn(world.base, 'water-window');
      expect((await window.page('/console/queue')).text).not.toContain('href="/console/visits"');
      expect((await dsp.page('/console/queue')).text).toContain('href="/console/visits"');
      expect((await window.page('/console/visits')).status).toBe(404);
      expect((await window.get('/console/visits.csv')).status).toBe(404);
      expect((await window.get('/console/visits-coverage.csv')).status).toBe(404);
    });

    test('keyset pages: each visit once, newest first', async () => {
      const filters = filtersOf('');
      const first = await queryVisits(db, scope, filters, regions, { size: 3 });
      expect(first.rows).toHaveLength(3);
      expect(first.next).toBe(first.rows[2]!.id);
      const second = await queryVisits(db, scope, filters, regions, { after: first.next!, size: 3 });
      expect(second.rows.map((r) => r.notes)).toEqual(['某某身体还好，有事打 ***']);
      expect(second.next).toBeNull();
      const page = await dsp.page(`/console/visits?after=${first.next}`);
      expect(page.text).toContain('有事打 ***');
      expect(page.text).not.toContain('家中无人用手机');
    });

    test('coverage: 3 of 4 households (75 %), 3 days, 4 visits, 2 of 3 askable signed, average rating 3.5; village and scope totals', async () => {
      const rows = await visitCoverage(db, scope, filtersOf(''), regions);
      const mine = rows.find((r) => r.kind === 'liaison' && r.liaison === `${liaison.name} ${liaison.code}`);
      expect(mine).toMatchObject({ village: village.name, paired: 4, visited: 3, days: 3, visits: 4, askable: 3, signed: 2, ratings: 2, ratingSum: 7 });
      const villageTotal = rows.find((r) => r.kind === 'village' && r.village === village.name)!;
      const villageLines = rows.filter((r) => r.kind === 'liaison' && r.village === village.name);
      expect(villageTotal.paired).toBe(villageLines.reduce((n, r) => n + r.paired, 0));
      // The village's liaisons in code order, its subtotal right after them.
      const codes = villageLines.map((r) => r.liaison.split(' ')[1]);
      expect(codes.length).toBeGreaterThan(1);
      expect(codes).toEqual([...codes].sort());
      expect(rows.indexOf(villageTotal)).toBe(rows.indexOf(villageLines.at(-1)!) + 1);
      expect(villageTotal).toMatchObject({ visited: 3, visits: 4, signed: 2 });
      const total = rows.at(-1)!;
      expect(total.kind).toBe('total');
      expect(total.paired).toBe(rows.filter((r) => r.kind === 'liaison').reduce((n, r) => n + r.paired, 0));
      expect(total.visits).toBe(4);
      // No line of the other township: its villages are outside the scope.
      const foreignVillage = regions.get(foreignVillageId)!.name;
      expect(rows.some((r) => r.village === foreignVillage)).toBe(false);
      // Only the chosen liaison.
      const one = await visitCoverage(db, scope, filtersOf(`liaison=${liaison.id}`), regions);
      expect(one.map((r) => r.kind)).toEqual(['liaison', 'village', 'total']);
      expect(one[2]).toMatchObject({ paired: 4, visited: 3 });

      const page = await dsp.page(`/console/visits?liaison=${liaison.id}`);
      expect(page.text).toContain('75%');
      expect(page.text).toContain('66.7%');
      expect(page.text).toContain('3.5');
      expect(page.text).toContain('走访覆盖率');
      expect(page.text).toContain('已走访户数 ÷ 包户数');
      // The chart: one village, so its liaisons, each bar with rate and households.
      expect(page.text).toContain('id="visit-coverage"');
      expect(page.text).toContain(`<title>${liaison.name} ${liaison.code}: 75%（3/4）</title>`);
    });

    test("coverage by grid (the grid leader's view): each grid counts its households, a household in two grids in both; page and CSV", async () => {
      const memberships = await db.householdGrid.findMany({ where: { householdId: { in: households.map((h) => h.id) } }, include: { grid: { include: { region: true } } } });
      const visitedIds = new Set(households.slice(0, 3).map((h) => h.id));
      const visitsOf = new Map([
        [households[0]!.id, 2],
        [households[1]!.id, 1],
        [households[2]!.id, 1],
      ]);
      const expected = new Map<string, { paired: number; visited: number; visits: number }>();
      for (const m of memberships) {
        // A thematic grid (老人, 行业…) belongs to the township: named after it.
        const label = `${m.grid.region.name} ${m.grid.name}`;
        const e = expected.get(label) ?? { paired: 0, visited: 0, visits: 0 };
        expected.set(label, { paired: e.paired + 1, visited: e.visited + Number(visitedIds.has(m.householdId)), visits: e.visits + (visitsOf.get(m.householdId) ?? 0) });
      }
      expect(expected.size).toBeGreaterThan(0);
      const rows = await visitGridCoverage(db, scope, filtersOf(`liaison=${liaison.id}`), regions);
      expect(new Map(rows.map((r) => [r.grid, { paired: r.paired, visited: r.visited, visits: r.visits }]))).toEqual(expected);
      // The grids add up to more than the liaison's four households when one lies in two grids (多网交互).
      expect(rows.reduce((n, r) => n + r.paired, 0)).toBe(memberships.length);
      // Every liaison: the grids of the township only, in code order.
      const all = await visitGridCoverage(db, scope, filtersOf(''), regions);
      expect(all.length).toBeGreaterThan(rows.length);
      expect(all.some((r) => r.grid.startsWith(regions.get(foreignVillageId)!.name))).toBe(false);

      const page = await dsp.page(`/console/visits?liaison=${liaison.id}`);
      expect(page.text).toContain('id="coverage-grids"');
      const csv = await csvOf(await dsp.get(`/console/visits-grids.csv?liaison=${liaison.id}`));
      expect(csv.bom).toBe(true);
      expect(csv.header).toBe(csvHeader(GRID_COVERAGE_COLUMNS).join(','));
      expect(csv.header).toMatch(/^网格 grid,包户数 paired households,已走访户数 households visited,走访覆盖率\(%\) coverage \(%\)/);
      expect(csv.lines).toHaveLength(rows.length);
      const [grid, figures] = [...expected][0]!;
      expect(csv.lines).toContainEqual(expect.stringMatching(new RegExp(`^${grid},${figures.paired},${figures.visited},`)));
    });

    test('the CSV exports: BOM, headers as on the page, the same filters and scope', async () => {
      const list = await csvOf(await dsp.get('/console/visits.csv?month=2026-11'));
      expect(list.bom).toBe(true);
      expect(list.header).toBe(csvHeader(VISIT_COLUMNS).join(','));
      expect(list.header).toBe('走访时间 visited,村 village,户 household,网格员 liaison,走访记录 notes,照片 photos,语音 voice notes,签字 confirmation,评分 rating');
      expect(list.lines).toHaveLength(4);
      const oldest = list.lines.at(-1)!;
      expect(oldest).toContain('2026-11-01 00:10');
      expect(oldest).toContain(`${village.name},`);
      expect(oldest).toContain(`,${liaison.name},某某身体还好，有事打 ***,2,1,已确认 属实 confirmed,5`);
      expect(list.lines.join('\n')).not.toContain(foreignNotes);
      const disputed = await csvOf(await dsp.get('/console/visits.csv?status=disputed'));
      expect(disputed.lines).toHaveLength(1);
      expect(disputed.lines[0]).toContain('有出入 disputed：没有来过');

      const coverage = await csvOf(await dsp.get(`/console/visits-coverage.csv?liaison=${liaison.id}`));
      expect(coverage.bom).toBe(true);
      expect(coverage.header).toBe(csvHeader(COVERAGE_COLUMNS).join(','));
      expect(coverage.lines).toEqual([
        `${village.name},${liaison.name} ${liaison.code},4,3,75,3,4,66.7,3.5`,
        `${village.name} 小计 subtotal,,4,3,75,3,4,66.7,3.5`,
        '合计 Total,,4,3,75,3,4,66.7,3.5',
      ]);
      // Logged out: no data.
      expect((await fetch(`${world.base}/console/visits.csv`)).status).toBe(401);
    });
  });
});
