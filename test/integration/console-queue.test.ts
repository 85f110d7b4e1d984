/**
 * The work queue and the exports: filters, search, keyset pages, and CSV downloads that
 * Excel opens (UTF-8 with BOM) with personal data masked.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { seedDemo } from '../../src/org/seed.js';
import { actorFor, PipelineService } from '../../src/pipeline/service.js';
import { runAction } from '../../src/web/console/actions.js';
import { loadTicketView, SENT_IN_ENGLISH } from '../../src/web/console/ticket.js';
import { parseQueueParams, queryQueue, queueBatches, SEARCH_LIMIT } from '../../src/web/console/queue.js';
import { loadScope, type StaffScope } from '../../src/web/console/scope.js';
import { loadRegions } from '../../src/org/regions.js';
import { csvCell, toCsv } from '../../src/web/csv.js';
import { type ConsoleClient, consoleWorldFor, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase, freshPostgres, POSTGRES_URL } from '../helpers/db.js';
import { rules } from '../helpers/org-fixture.js';

/** Splits a CSV answer into BOM flag, header and data lines. */
async function csvOf(res: Response): Promise<{ bom: boolean; header: string; lines: string[]; text: string }> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const [header = '', ...lines] = text.split('\r\n').filter(Boolean);
  return { bom, header, lines, text };
}

eachDatabase((kind) => {
  const world = consoleWorldFor(kind);
  let db: Db;
  let dsp: ConsoleClient;
  let scope: StaffScope;
  const numbers: Record<string, string> = {};

  beforeAll(async () => {
    db = world.db;
    numbers['light'] = await report(world.app, 'R-QH-01-001-H001', '村口的路灯坏了好几天', 'power', {
      contactPhone: '13912345678',
      description: '村口的路灯坏了好几天，有事打 138 1234 5678',
    });
    numbers['water'] = await report(world.app, 'R-QH-01-002-H001', '柳树湾村停水三天了', 'water');
    world.clock.advanceHours(48);
    numbers['road'] = await report(world.app, 'R-QH-01-001-H002', '村道上有个大坑', 'road');
    numbers['foreign'] = await report(world.app, 'R-QH-02-001-H001', '杏花村的路灯也坏了', 'power');
    dsp = await loggedIn(world.base, 'dsp-qh-01');
    const account = await db.staffAccount.findUniqueOrThrow({ where: { username: 'dsp-qh-01' } });
    scope = (await loadScope(db, account))!;
  });

  describe('queryQueue', () => {
    test('filters by state, category, village, handler, date and text, always inside the scope', async () => {
      const regions = await loadRegions(db);
      const q = async (params: string) =>
        (await queryQueue(db, scope, (await parseQueueParams(db, new URLSearchParams(params), scope, regions)).filters, {}, { regions })).rows.map((r) => r.number);
      expect(await q('')).toEqual([numbers['road'], numbers['water'], numbers['light']]);
      expect(await q('category=power')).toEqual([numbers['light']]);
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-002' } });
      expect(await q(`region=${village.id}`)).toEqual([numbers['water']]);
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      expect(await q(`region=${township.id}`)).toHaveLength(3);
      // A region outside the scope is named as a bad filter and ignored: never the other township's tickets.
      const other = await db.region.findUniqueOrThrow({ where: { code: 'QH-02' } });
      expect((await parseQueueParams(db, new URLSearchParams(`region=${other.id}`), scope, regions)).problems).toEqual([
        `地区 region: ${other.id}（不在您的工作范围内 not in your area）`,
      ]);
      expect(await q(`region=${other.id}`)).toEqual([numbers['road'], numbers['water'], numbers['light']]);
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      expect(await q(`handler=p${liaison.id}`)).toEqual([numbers['road'], numbers['light']]);
      expect(await q('from=2026-11-17')).toEqual([numbers['road']]);
      expect(await q('to=2026-11-16')).toEqual([numbers['water'], numbers['light']]);
      expect(await q('q=停水')).toEqual([numbers['water']]);
      // Words apart each must appear; full-width digits are folded as stored text is.
      expect(await q(`q=${encodeURIComponent('停水 ' + numbers['water']!.slice(-4))}`)).toEqual([numbers['water']]);
      expect(await q(`q=${encodeURIComponent('停水 路灯')}`)).toEqual([]);
      const wide = [...numbers['water']!.slice(-4)].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
      expect(await q(`q=${encodeURIComponent(wide)}`)).toEqual([numbers['water']]);
      expect(await q(`q=${numbers['road']!.toLowerCase()}`)).toEqual([numbers['road']]);
      expect(await q(`q=${numbers['foreign']}`)).toEqual([]);
      // LIKE's wildcards typed into the search are plain characters: nothing here holds them.
      for (const typed of ['%', '_', '\\', '%停%', '停_', '\\%']) expect(await q(`q=${encodeURIComponent(typed)}`), typed).toEqual([]);
      expect(await q('state=done')).toEqual([]);
      expect(await q('overdue=1')).toEqual([]);
      // Bad values are reported and ignored.
      expect((await parseQueueParams(db, new URLSearchParams('state=nonsense&region=abc&from=2026-13-45'), scope, regions)).problems).toHaveLength(3);
    });

    test('bad filters are never silent: the page names them, the API and the export answer 400 in Chinese and English', async () => {
      const other = await db.region.findUniqueOrThrow({ where: { code: 'QH-02' } });
      const bad = {
        'state=bogus': '状态 state: bogus',
        'from=2026-11-20&to=2026-11-10': '起始日期晚于截止日期',
        [`region=${other.id}`]: '不在您的工作范围内',
        'region=999999': '不在您的工作范围内',
        'region=QH-02': '地区 region: QH-02',
      };
      // Grids and handlers of another township, or none at all, are named as regions are.
      const foreignGrid = await db.grid.findUniqueOrThrow({ where: { code: 'QH-02-001-G1' } });
      const foreignLiaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-02-001-01' } });
      const foreignDepartment = await db.department.findUniqueOrThrow({ where: { code: 'QH-02-D-water' } });
      const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      for (const query of [
        `grid=${foreignGrid.id}`,
        'grid=999999',
        `handler=p${foreignLiaison.id}`,
        `handler=p${resident.id}`,
        'handler=p999999',
        `handler=d${foreignDepartment.id}`,
        'handler=d999999',
      ])
        bad[query] = `${query.replace('grid=', '网格 grid: ').replace('handler=', '经办 handler: ')}（不在您的工作范围内 not in your area）`;
      for (const [query, named] of Object.entries(bad)) {
        const page = await dsp.page(`/console/queue?${query}`);
        expect(page.status, query).toBe(200);
        expect(page.text, query).toContain('以下筛选条件无效，已忽略：');
        expect(page.text, query).toContain(named);
        // Ignored, so the user's own queue shows; never another township's tickets.
        expect(page.text, query).toContain(numbers['light']);
        expect(page.text, query).not.toContain(numbers['foreign']);
        for (const path of ['/console/api/queue', '/console/queue.csv']) {
          const res = await dsp.get(`${path}?${query}`);
          expect(res.status, `${path}?${query}`).toBe(400);
          const body = (await res.json()) as { error: string; problems: string[] };
          expect(body.error).toMatch(/^以下筛选条件无效，已忽略：.*These filters were not understood and are ignored:/);
          expect(body.problems.join(), query).toContain(named);
        }
      }
      // Good filters still answer: the scope's own grid and liaison, and a county department (it handles what the township escalates).
      expect((await dsp.get('/console/api/queue?state=all&from=2026-11-10&to=2026-11-20')).status).toBe(200);
      const ownGrid = await db.grid.findUniqueOrThrow({ where: { code: 'QH-01-001-G1' } });
      const ownLiaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const countyDepartment = await db.department.findUniqueOrThrow({ where: { code: 'QH-D-water' } });
      for (const query of [`grid=${ownGrid.id}`, `handler=p${ownLiaison.id}`, `handler=d${countyDepartment.id}`])
        expect((await dsp.get(`/console/api/queue?${query}`)).status, query).toBe(200);
    });

    test('overdue: the scheduler marks a ticket past its deadline, and the filter finds it', async () => {
      world.clock.advanceHours(24 * 10);
      await world.app.scheduler.tick();
      const overdue = await queryQueue(db, scope, { state: 'open', overdue: true });
      expect(overdue.rows.map((r) => r.number).sort()).toEqual([numbers['light'], numbers['water']].sort());
      expect(overdue.rows.every((r) => r.overdue)).toBe(true);
      // Ten idle days ended the console session: log in again for the tests below.
      expect((await dsp.get('/console/api/queue')).status).toBe(401);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      const page = await dsp.page('/console/queue?overdue=1');
      expect(page.text).toContain('<span class="badge overdue">超期');
    });

    test('keyset pages: each page starts after the last id of the one before, with the count capped', async () => {
      const first = await queryQueue(db, scope, { state: 'all' }, { size: 2 });
      expect(first.rows.map((r) => r.number)).toEqual([numbers['road'], numbers['water']]);
      // A history view shows no total, only that more follow; the open backlog is counted.
      expect(first).toMatchObject({ count: 2, countCapped: true, counted: false });
      expect(await queryQueue(db, scope, { state: 'open' }, { size: 2 })).toMatchObject({ count: 3, countCapped: false, counted: true });
      const second = await queryQueue(db, scope, { state: 'all' }, { size: 2, after: first.next! });
      expect(second.rows.map((r) => r.number)).toEqual([numbers['light']]);
      expect(second.next).toBeNull();
      const batches: string[][] = [];
      for await (const batch of queueBatches(db, scope, { state: 'all' }, { batchSize: 1 })) batches.push(batch.map((r) => r.number));
      expect(batches).toEqual([[numbers['road']], [numbers['water']], [numbers['light']]]);
    });

    test('the page links to the next page and keeps the filters', async () => {
      const page = await dsp.page('/console/queue?state=all&category=power');
      expect(page.status).toBe(200);
      expect(page.text).toContain(numbers['light']);
      expect(page.text).not.toContain(numbers['water']);
      expect(page.text).toContain('<option value="power" selected>');
      expect(page.text).toContain('href="/console/queue.csv?state=all&amp;category=power"');
    });
  });

  describe('催办', () => {
    test('a resident’s urge shows in the queue as 催办×N and in the ticket’s history as 群众催办', async () => {
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number: numbers['road']! } });
      const resident = await actorFor(db, ticket.residentId);
      // Not before the urge is taken: a while after 受理 (machine.ts urgeableFrom); the login has lapsed by then.
      world.clock.advanceHours(2);
      expect((await world.app.pipeline.execute(numbers['road']!, { type: 'urge' }, resident)).ok).toBe(true);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      const queue = await dsp.page('/console/queue');
      expect(queue.text).toContain('<span class="badge urged">催办×1');
      expect((await dsp.page('/console/queue?state=open&category=water')).text).not.toContain('badge urged');
      const page = await dsp.page(`/console/tickets/${numbers['road']}`);
      expect(page.text).toContain('群众催办');
      const csv = await csvOf(await dsp.get('/console/queue.csv?category=road'));
      expect(csv.lines.join('\n')).toContain('催办×1 urged');
    });
  });

  describe('CSV exports', () => {
    test('the filtered queue, all pages, UTF-8 with BOM, only the scope', async () => {
      const res = await dsp.get('/console/queue.csv?state=all');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="minqing-queue-\d{4}-\d{2}-\d{2}\.csv"$/);
      const csv = await csvOf(res);
      expect(csv.bom).toBe(true);
      expect(csv.header).toBe(
        '编号 number,状态 state,类别 category,摘要 summary,地点 place,网格 grid,经办 handler,受理时间 received,办结时限 resolve by,回访时限 callback by,标记 flags',
      );
      expect(csv.lines).toHaveLength(3);
      expect(csv.lines[0]).toContain(numbers['road']);
      expect(csv.text).not.toContain(numbers['foreign']);
      expect(csv.text).toContain('道路交通 Roads and traffic');
      const filtered = await csvOf(await dsp.get('/console/queue.csv?state=all&category=water'));
      expect(filtered.lines).toHaveLength(1);
      expect(filtered.lines[0]).toContain(numbers['water']);
    });

    test("a ticket's history and messages: the resident masked, no full phone, no full name", async () => {
      const timeline = await csvOf(await dsp.get(`/console/tickets/${numbers['light']}/timeline.csv`));
      expect(timeline.bom).toBe(true);
      expect(timeline.header).toBe('序号 seq,时间 time,操作 step,状态 state,操作人 by,角色 role,详情 details');
      expect(timeline.lines[0]).toMatch(/^1,2026-11-16 09:00,受理 received,/);
      expect(timeline.text).toContain('罗**');
      const messages = await csvOf(await dsp.get(`/console/tickets/${numbers['light']}/messages.csv`));
      expect(messages.text).toContain('您的诉求已受理');
      // The phone the resident wrote into the request is masked as well.
      expect(messages.text).toContain('有事打 138****5678');
      const page = await dsp.page(`/console/tickets/${numbers['light']}`);
      expect(page.text).toContain('有事打 138****5678');
      for (const text of [timeline.text, messages.text, page.text]) {
        expect(text).not.toContain('罗丽敏');
        expect(text).not.toContain('13912345678');
        expect(text).not.toContain('138 1234 5678');
        expect(text).not.toContain('19900000001');
      }
      const api = (await (await dsp.get(`/console/api/tickets/${numbers['light']}`)).json()) as { residentPhone: string };
      expect(api.residentPhone).toBe('139****5678');
    });

    test('search: %, _ and \\ typed find the tickets that hold them, and only those (page and API)', async () => {
      const marked = await report(world.app, 'R-QH-01-003-H001', '水费涨了50%，另收_手续费', 'water', { description: '通知贴在 C:\\村委 公告栏' });
      const found = async (typed: string) => {
        const res = await dsp.get(`/console/api/queue?state=all&q=${encodeURIComponent(typed)}`);
        expect(res.status).toBe(200);
        return ((await res.json()) as { rows: { number: string }[] }).rows.map((r) => r.number);
      };
      for (const typed of ['%', '_', '\\', '50%', '收_手', 'C:\\村委', '% 水费']) expect(await found(typed), typed).toEqual([marked]);
      // As wildcards these would match the ticket (5, any character, anything; 另, any, 手).
      for (const typed of ['5_%', '另_手', '水%手续', '\\%']) expect(await found(typed), typed).toEqual([]);
      expect((await dsp.page(`/console/queue?state=all&q=${encodeURIComponent('%')}`)).text).toContain(marked);
    });

    test(`search past its window of ${SEARCH_LIMIT} matches: the pages go on below it, and the page says the total is cut`, async () => {
      const many: string[] = [];
      for (let i = 0; i < SEARCH_LIMIT + 1; i++) many.push(await report(world.app, 'R-QH-01-003-H002', `井盖丢了 第${i}处`, 'road'));
      const regions = await loadRegions(db);
      const open = await queryQueue(db, scope, { state: 'open', q: '井盖' }, {}, { regions });
      expect(open).toMatchObject({ count: SEARCH_LIMIT, counted: true, searchLimited: true });
      // Every match is reached page after page, the oldest beyond the window too.
      const seen: string[] = [];
      let after: number | undefined;
      do {
        const page = await queryQueue(db, scope, { state: 'all', q: '井盖' }, { size: 200, ...(after === undefined ? {} : { after }) }, { regions });
        seen.push(...page.rows.map((r) => r.number));
        after = page.next ?? undefined;
      } while (after !== undefined);
      expect(seen).toEqual([...many].reverse());
      // A filter that leaves none of the window: an empty page that says so and goes on below it.
      const none = await queryQueue(db, scope, { state: 'all', categoryCode: 'water', q: '井盖' }, {}, { regions });
      expect(none).toMatchObject({ rows: [], searchLimited: true });
      expect(none.next).not.toBeNull();
      expect((await dsp.page('/console/queue?q=%E4%BA%95%E7%9B%96')).text).toContain(`搜索词命中超过 ${SEARCH_LIMIT} 件`);
    }, 120_000);

    test('cells Excel would run as formulas are defused; quotes and line breaks are quoted', () => {
      expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
      expect(csvCell('+86 139')).toBe("'+86 139");
      expect(csvCell('a,b')).toBe('"a,b"');
      expect(csvCell('两行\n文字')).toBe('"两行\n文字"');
      expect(csvCell(-3)).toBe('-3');
      expect(toCsv(['a'], [['中文']])).toBe('\uFEFFa\r\n中文\r\n');
    });
  });

  describe('messages', () => {
    test('a ping follows its reader’s language, Chinese by default; one sent in English names the reader’s setting', async () => {
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const chinese = await dsp.page(`/console/tickets/${numbers['light']}`);
      expect(chinese.text).toContain('【派单】');
      expect(chinese.text).not.toContain(SENT_IN_ENGLISH);
      await db.person.update({ where: { id: liaison.id }, data: { locale: 'en' } });
      try {
        const english = await dsp.page(`/console/tickets/${numbers['light']}`);
        expect(english.text).toContain('[Assigned]');
        expect(english.text).toContain(`${liaison.name}${SENT_IN_ENGLISH}`);
      } finally {
        await db.person.update({ where: { id: liaison.id }, data: { locale: 'zh' } });
      }
    });
  });

  describe('已上报', () => {
    test("each desk's list holds what was escalated to its own level, and names the level", async () => {
      const regions = await loadRegions(db);
      const pipeline = world.app.pipeline;
      // Two requests the liaison escalates to the township; the township sends one of them on to the county.
      const toTownship = await report(world.app, 'R-QH-01-001-H001', '河堤裂缝需要镇里看看', 'water');
      const toCounty = await report(world.app, 'R-QH-01-001-H002', '桥面塌陷需要县里修', 'road');
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const township = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      for (const number of [toTownship, toCounty])
        expect(await runAction(pipeline, number, { type: 'escalate', reason: '村里办不了' }, liaison.id)).toEqual({ ok: true, state: 'escalated' });
      expect(await runAction(pipeline, toCounty, { type: 'escalate', reason: '镇里也办不了' }, township.id)).toEqual({ ok: true, state: 'escalated' });
      const countyAccount = await db.staffAccount.findUniqueOrThrow({ where: { username: 'dsp-qh' } });
      const countyScope = (await loadScope(db, countyAccount, regions))!;
      const escalated = async (s: StaffScope) => (await queryQueue(db, s, { state: 'escalated' }, {}, { regions })).rows.map((r) => r.number);
      expect(await escalated(countyScope)).toEqual([toCounty]);
      expect(await escalated(scope)).toEqual([toTownship]);
      // Both are still the county's tickets (its whole region), found under every state.
      expect(await escalated(countyScope)).not.toContain(toTownship);
      expect((await queryQueue(db, countyScope, { state: 'all', q: '河堤' }, {}, { regions })).rows.map((r) => r.number)).toEqual([toTownship]);
      const county = await loggedIn(world.base, 'dsp-qh');
      const countyPage = await county.page('/console/queue?state=escalated');
      expect(countyPage.text).toContain(toCounty);
      expect(countyPage.text).not.toContain(toTownship);
      expect(countyPage.text).toContain('已上报至县 escalated to the county');
      const townshipPage = await dsp.page('/console/queue?state=escalated');
      expect(townshipPage.text).toContain(toTownship);
      expect(townshipPage.text).not.toContain(toCounty);
      expect(townshipPage.text).toContain('已上报至镇 escalated to the township');
      expect((await dsp.page(`/console/tickets/${toTownship}`)).text).toContain('已上报至镇 escalated to the township');
    });
  });
});

describe.skipIf(!POSTGRES_URL)('the queue and a ticket page on PostgreSQL', () => {
  test('scope, filters, keyset pages, totals, masking and merge behave as on SQLite', async () => {
    const database = await freshPostgres();
    try {
      const pg = database.db;
      await seedDemo(pg);
      const pipeline = new PipelineService({ db: pg, rules });
      const file = async (code: string, summary: string, categoryCode = 'power') => {
        const resident = await pg.person.findUniqueOrThrow({ where: { code } });
        const outcome = await pipeline.report({ residentId: resident.id, categoryCode, kind: 'help', summary, contactPhone: '13912345678' });
        if (!outcome.ok) throw new Error('refused');
        return outcome.ticket.number;
      };
      const light = await file('R-QH-01-001-H001', '村口的路灯坏了');
      const water = await file('R-QH-01-002-H001', '停水三天了', 'water');
      const foreign = await file('R-QH-02-001-H001', '杏花村路灯坏了');
      const account = await pg.staffAccount.findUniqueOrThrow({ where: { username: 'dsp-qh-01' } });
      const regions = await loadRegions(pg);
      const pgScope = (await loadScope(pg, account, regions))!;
      const open = await queryQueue(pg, pgScope, { state: 'open' }, { size: 1 }, { regions });
      expect(open).toMatchObject({ count: 2, counted: true, rows: [{ number: water }] });
      const next = await queryQueue(pg, pgScope, { state: 'open' }, { size: 1, after: open.next! }, { regions });
      expect(next.rows.map((r) => r.number)).toEqual([light]);
      expect((await queryQueue(pg, pgScope, { state: 'all', q: '路灯' })).rows.map((r) => r.number)).toEqual([light]);
      expect((await queryQueue(pg, pgScope, { state: 'all', categoryCode: 'water' })).rows.map((r) => r.number)).toEqual([water]);
      expect(await loadTicketView(pg, pgScope, foreign)).toBeNull();
      const view = (await loadTicketView(pg, pgScope, light))!;
      expect(view).toMatchObject({ residentName: '罗**', residentPhone: '139****5678' });
      const dispatcher = await pg.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      expect(await runAction(pipeline, water, { type: 'merge', into: foreign }, dispatcher.id)).toMatchObject({ ok: false });
      expect(await runAction(pipeline, water, { type: 'merge', into: light }, dispatcher.id)).toEqual({ ok: true, state: 'merged' });
      const merged = await pg.ticket.findUniqueOrThrow({ where: { number: water } });
      expect(merged).toMatchObject({ state: 'merged', mergedIntoId: view.id });
    } finally {
      await database.dispose();
    }
  });
});
