/**
 * The monthly 民情分析 report on a fixture with known tickets, driven through the real
 * pipeline with a fake clock: the figures against the previous month, the hot topics,
 * the overdue and reopened items with their owners, the liaisons' workload, residents
 * masked; then `npm run report` as a child process: the files, the PDF when Chromium is
 * there, and one clear line with exit code 2 for bad arguments.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Actor, type Command } from '../../src/pipeline/model.js';
import { actorFor, PipelineService } from '../../src/pipeline/service.js';
import { openDatabase } from '../../src/db/client.js';
import { reportCommand } from '../../src/report/command.js';
import { renderMonthlyReport } from '../../src/report/html.js';
import { maskSummary, overdueItems } from '../../src/report/items.js';
import { buildMonthlyReport, type MonthlyReport, ReportArgumentError } from '../../src/report/monthly.js';
import { findChromium, MAX_PRINTS_PENDING, PdfBusyError, printCounts, printPdf } from '../../src/report/pdf.js';
import { saveSettings } from '../../src/ranking/settings.js';
import { type CliRun, runCli } from '../helpers/cli.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';
import { buildOrg, FakeClock, type Org, rules } from '../helpers/org-fixture.js';

/** In CI the PDF must be made (a missing Chromium fails); elsewhere it may be skipped. */
const chromium = findChromium();
const pdfTest = chromium || process.env['CI'] === 'true' ? test : test.skip;

const SYSTEM: Actor = { kind: 'system' };
/**
 * 测试村 in October: 签收 in time 5/5; solved 3/3 and satisfied 3/3 (T1, T3's latest, T5);
 * on time T1 T3 T5 of T1–T5 (T2 overdue, T4 late) 3/5; reopened T3 of the four resolved
 * once 1/4 → 100 × (0.1 + 0.4 + 0.3 + 0.2 × 3/5) − 100 × 0.5 × 1/4 = 92 − 12.5 = 79.5.
 */
const SCORE = 79.5;
const PARTS = [
  ['response', 5, 5, 10],
  ['resolution', 3, 3, 40],
  ['satisfaction', 3, 3, 30],
  ['onTime', 3, 5, 12],
  ['reopened', 1, 4, -12.5],
];

describe('summaries in the report', () => {
  test('mask phone and ID numbers and the roster’s names, but keep ticket numbers readable', () => {
    expect(maskSummary('同 MQ-2026-000001，电话 13912345678', new Set())).toBe('同 MQ-2026-000001，电话 139****5678');
    expect(maskSummary('罗丽敏反映同 MQ-2026-000001', new Set(['罗丽敏']))).toBe('某某反映同 MQ-2026-000001');
  });
});

describe('printing PDFs', () => {
  pdfTest(
    'prints take turns, one Chromium at a time; past MAX_PRINTS_PENDING one is refused at once, and the next is taken again',
    async () => {
      const page = (n: number) => `<!doctype html><meta charset="utf-8"><p>第 ${n} 页</p>`;
      const asked = Array.from({ length: MAX_PRINTS_PENDING + 1 }, (_, i) => printPdf(page(i), chromium!));
      const settled = await Promise.allSettled(asked);
      const printed = settled.filter((r): r is PromiseFulfilledResult<Buffer> => r.status === 'fulfilled');
      expect(printed.length).toBe(MAX_PRINTS_PENDING);
      for (const r of printed) expect(r.value.subarray(0, 5).toString()).toBe('%PDF-');
      const refused = settled.flatMap((r): unknown[] => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(refused).toEqual([expect.any(PdfBusyError)]);
      expect(printCounts.mostRunning).toBe(1);
      expect(printCounts.pending).toBe(0);
      expect((await printPdf(page(9), chromium!)).subarray(0, 5).toString()).toBe('%PDF-');
    },
    120_000,
  );
});

eachDatabase((kind) => {
  let database: TestDatabase;
  let org: Org;
  let clock: FakeClock;
  let pipeline: PipelineService;
  let report: MonthlyReport;
  let page: string;
  let dir: string;
  const numbers: Record<string, string> = {};

  async function fileTicket(name: string, at: string, categoryCode: string, summary: string): Promise<string> {
    clock.set(at);
    const outcome = await pipeline.report({ residentId: org.resident.id, categoryCode, kind: 'help', summary });
    if (!outcome.ok) throw new Error(`${name}: ${JSON.stringify(outcome.refusal)}`);
    numbers[name] = outcome.ticket.number;
    return outcome.ticket.number;
  }

  async function act(number: string, at: string | Date, command: Command, actor: Actor): Promise<void> {
    clock.set(at);
    const outcome = await pipeline.execute(number, command, actor);
    if (!outcome.ok) throw new Error(`${number} ${command.type}: ${JSON.stringify(outcome.refusal)}`);
  }

  /** The handling deadline of a ticket now. */
  async function resolveBy(number: string): Promise<Date> {
    const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number } });
    if (!ticket.resolveBy) throw new Error(`${number} has no deadline`);
    return ticket.resolveBy;
  }

  beforeAll(async () => {
    database = await kind.fresh();
    const db = database.db;
    org = await buildOrg(db);
    await db.category.create({
      data: { code: 'water', nameZh: '供水排水', nameEn: 'Water supply and drainage', departmentKind: 'water', handlingClass: 'promised', resolveDays: 3 },
    });
    clock = new FakeClock(new Date('2026-09-15T09:00:00+08:00'));
    pipeline = new PipelineService({ db, rules, clock });
    const liaison = await actorFor(db, org.liaison.id);
    const resident = await actorFor(db, org.resident.id);

    // September (the previous month): one request, done and rated.
    const sep = await fileTicket('sep', '2026-09-15T09:00:00+08:00', 'power', '路灯不亮');
    await act(sep, '2026-09-15T10:00:00+08:00', { type: 'accept' }, liaison);
    await act(sep, '2026-09-16T10:00:00+08:00', { type: 'resolve', result: '已修好' }, liaison);
    await act(sep, '2026-09-16T12:00:00+08:00', { type: 'rate', rating: 'satisfied' }, resident);

    // October.
    // T1: on time, satisfied.
    const t1 = await fileTicket('t1', '2026-10-12T09:00:00+08:00', 'power', '村口路灯坏了');
    await act(t1, '2026-10-12T10:00:00+08:00', { type: 'accept' }, liaison);
    await act(t1, '2026-10-13T10:00:00+08:00', { type: 'resolve', result: '已更换灯泡' }, liaison);
    await act(t1, '2026-10-13T12:00:00+08:00', { type: 'rate', rating: 'satisfied' }, resident);
    // T2: accepted, never resolved: overdue since its deadline (2026-10-15 17:30), still open.
    // The resident wrote a phone number into the text: the report masks it.
    const t2 = await fileTicket('t2', '2026-10-12T10:00:00+08:00', 'power', '学校门口路灯坏了 请回电13912345678');
    await act(t2, '2026-10-12T11:00:00+08:00', { type: 'accept' }, liaison);
    await act(t2, await resolveBy(t2), { type: 'timer', kind: 'resolve_overdue' }, SYSTEM);
    // T3: dissatisfied → reopened, then done and satisfied.
    const t3 = await fileTicket('t3', '2026-10-13T09:00:00+08:00', 'power', '路灯忽明忽暗');
    await act(t3, '2026-10-13T10:00:00+08:00', { type: 'accept' }, liaison);
    await act(t3, '2026-10-14T10:00:00+08:00', { type: 'resolve', result: '已检修' }, liaison);
    await act(t3, '2026-10-14T12:00:00+08:00', { type: 'rate', rating: 'dissatisfied', comment: '还是闪' }, resident);
    await act(t3, '2026-10-14T14:00:00+08:00', { type: 'accept' }, liaison);
    await act(t3, '2026-10-16T10:00:00+08:00', { type: 'resolve', result: '更换了线路' }, liaison);
    await act(t3, '2026-10-16T12:00:00+08:00', { type: 'rate', rating: 'satisfied' }, resident);
    // T4: water, overdue at its deadline, resolved exactly two days late, not rated yet.
    const t4 = await fileTicket('t4', '2026-10-14T09:00:00+08:00', 'water', '自来水停了三天');
    await act(t4, '2026-10-14T10:00:00+08:00', { type: 'accept' }, liaison);
    const t4Deadline = await resolveBy(t4);
    await act(t4, t4Deadline, { type: 'timer', kind: 'resolve_overdue' }, SYSTEM);
    await act(t4, new Date(t4Deadline.getTime() + 48 * 3_600_000), { type: 'resolve', result: '管道已修复' }, liaison);
    // T5: basically satisfied.
    const t5 = await fileTicket('t5', '2026-10-20T09:00:00+08:00', 'power', '路灯坏了');
    await act(t5, '2026-10-20T10:00:00+08:00', { type: 'accept' }, liaison);
    await act(t5, '2026-10-21T10:00:00+08:00', { type: 'resolve', result: '已修好' }, liaison);
    await act(t5, '2026-10-21T12:00:00+08:00', { type: 'rate', rating: 'basically_satisfied' }, resident);

    // Visits: H-1 twice in October (属实 rated 5, then 有出入 rated 3), once in September; a
    // second paired household never; one visit to a household with no chat (未确认).
    const second = await db.household.create({ data: { code: 'H-2', regionId: org.village.id, address: '测试村一组2号', headName: '李小河' } });
    await db.pairing.create({ data: { householdId: second.id, liaisonId: org.liaison.id } });
    const third = await db.household.create({ data: { code: 'H-3', regionId: org.village.id, address: '测试村一组3号', headName: '赵三' } });
    await db.pairing.create({ data: { householdId: third.id, liaisonId: org.liaison.id } });
    const visit = (householdId: number, at: string, confirmation: string, rating: number | null) =>
      db.visit.create({ data: { liaisonId: org.liaison.id, householdId, regionId: org.village.id, notes: '走访', visitedAt: new Date(at), confirmation, rating } });
    await visit(org.household.id, '2026-09-20T10:00:00+08:00', 'confirmed', 5);
    await visit(org.household.id, '2026-10-05T10:00:00+08:00', 'confirmed', 5);
    await visit(org.household.id, '2026-10-19T10:00:00+08:00', 'disputed', 3);
    await visit(third.id, '2026-10-31T23:30:00+08:00', 'unconfirmed', null);

    // The county ranks villages from five requests a month (the fixture's one village has
    // five), weighing 按时办结率 too and taking 重办率 off.
    const weights = { response: 0.1, resolution: 0.4, satisfaction: 0.3, onTime: 0.2, oneTime: 0, coverage: 0, returned: 0, reopened: 0.5 };
    await saveSettings(db, org.county.id, { weights: JSON.stringify(weights), minTickets: 5, publicBoard: null }, org.supervisor.id);

    // Made on Monday 2 November, 17:30: T2 has then been overdue for 18 days exactly.
    report = await buildMonthlyReport(db, { regionCode: 'T-01', month: '2026-10', now: new Date('2026-11-02T17:30:00+08:00') });
    page = renderMonthlyReport(report);
    dir = mkdtempSync(join(tmpdir(), 'minqing-report-'));
  });

  afterAll(async () => {
    await database?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The text of the table row of a figure in the report (tags dropped). */
  function figureRow(key: string): string {
    const match = new RegExp(`<tr data-figure="${key}">(.*?)</tr>`).exec(page);
    return (match?.[1] ?? '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  }

  function rowsOf(cls: string): string[] {
    return [...page.matchAll(new RegExp(`<tr class="${cls}">(.*?)</tr>`, 'g'))].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, '|').replace(/\|+/g, '|'));
  }

  describe('the monthly report', () => {
    test('the month, the region and the meetings it serves', () => {
      expect(page).toMatch(/^<!doctype html>/);
      expect(page).toContain('<title>测试镇 2026年10月 民情分析报告</title>');
      expect(page).toContain('2026-10-01 – 2026-10-31');
      expect(report.meetings).toEqual({ village: '2026-11-20', township: '2026-11-25' });
      expect(page).toContain('11月20日 村务议政会');
      expect(page).toContain('11月25日 镇民情分析会');
      // Self-contained and printable on A4: nothing fetched.
      expect(page).toContain('@page { size: A4;');
      expect(page).not.toMatch(/<script|<link|src="http/);
    });

    test("the month's figures against the previous month", () => {
      expect(figureRow('received')).toBe('受理量 Received 5 1 +4');
      expect(figureRow('open')).toBe('在办 Open 1 0 +1');
      expect(figureRow('overdue')).toBe('超期 Overdue 1 0 +1');
      // Latest answers: T1 满意, T3 满意 (after 不满意), T5 基本满意 — 3 of 3; T4 not rated yet.
      expect(figureRow('satisfactionRate')).toBe('满意率 Satisfaction rate 100.0% 3/3 100.0% 1/1 ±0.0 个百分点 pp');
      // On time: T1, T3 (first 办结 in time), T5; late: T4 (resolved late), T2 (open past its deadline).
      expect(figureRow('onTimeRate')).toBe('按时办结率 On-time rate 60.0% 3/5 100.0% 1/1 −40.0 个百分点 pp');
      // Closed with no return, escalation or reopen: T1, T5 of T1, T3, T5.
      expect(figureRow('oneTimeRate')).toBe('一次办结率 One-time resolution rate 66.7% 2/3 100.0% 1/1 −33.3 个百分点 pp');
      // Every figure of the table is the statistics engine's own.
      expect(report.current.received).toBe(5);
      expect(report.previous.received).toBe(1);
    });

    test('hot topics: categories by count and recurring words', () => {
      expect(report.categories.rows.map((r) => [r.label, r.figures.received])).toEqual([
        ['电力照明', 4],
        ['供水排水', 1],
      ]);
      expect(page).toMatch(/<td class="num">1<\/td><td>电力照明<\/td><td class="num">4<\/td><td class="num">80\.0%<\/td><td class="num">1<\/td>/);
      expect(report.words.map((w) => w.word)).toContain('路灯');
      expect(page).toContain(`路灯 ×${report.words.find((w) => w.word === '路灯')?.count}`);
    });

    test('overdue items with their owners and how late, residents masked', () => {
      const rows = rowsOf('overdue-item');
      expect(rows).toHaveLength(2);
      // Longest late first: T2, still overdue, 18 days; then T4, resolved 2 days late.
      expect(rows[0]).toContain(`|${numbers['t2']}|电力照明|测试村|王**|学校门口路灯坏了 请回电139****5678|李网格|10月15日 17:30|18.0 天 d|仍超期`);
      expect(rows[0]).toContain('已签收 accepted');
      expect(rows[1]).toContain(`|${numbers['t4']}|供水排水|测试村|王**|自来水停了三天|李网格|`);
      expect(rows[1]).toContain('|2.0 天 d|已办结 resolved|');
      expect(rows[1]).not.toContain('仍超期');
    });

    test('a long list stops at its first items and says how many there are', async () => {
      const window = { regionIds: [org.county.id, org.township.id, org.village.id], from: report.from, to: report.to, now: report.generatedAt };
      const first = await overdueItems(database.db, window, 1);
      expect(first.total).toBe(2);
      expect(first.items.map((i) => i.number)).toEqual([numbers['t2']]);
      const html = renderMonthlyReport({ ...report, overdue: first });
      expect(html).toContain('仅列出超期最久的 1 件，共 2 件');
      expect(page).not.toContain('仅列出');
    });

    test('reopened items with the reason and the owner', () => {
      const rows = rowsOf('reopened-item');
      expect(rows).toEqual([
        expect.stringContaining(`|${numbers['t3']}|电力照明|测试村|王**|路灯忽明忽暗|群众不满意 resident dissatisfied|1|李网格|10月14日 12:00|已归档 closed|`),
      ]);
    });

    test("the liaisons' workload", () => {
      // Assigned T1–T5; resolved T1, T3, T4, T5; holds T2 (overdue); ratings of their results: 满意, 不满意, 满意, 基本满意.
      expect(rowsOf('workload-row')).toEqual(['|李网格|测试村|5|4|1|1|75.0%（3/4）|']);
      // The grid leader had nothing this month.
      expect(report.workload.idle).toBe(1);
      expect(page).toContain('另有 1 名网格员本月无派单、无办结、无在办');
    });

    test('household visits by village: coverage, visits, 签字率 and rating, with their definitions', () => {
      // 3 paired, 2 visited in October (the one of 31 October 23:30 Beijing time counts); 3 visits, 2 of them could be asked, both answered.
      expect(report.visits.total).toMatchObject({ paired: 3, visited: 2, visits: 3, askable: 2, signed: 2, ratings: 2, ratingSum: 8 });
      expect(rowsOf('visit-place')).toEqual(['|测试村|3|2|66.7%|3|100%|4|']);
      expect(rowsOf('visit-total')).toEqual(['|合计 Total|3|2|66.7%|3|100%|4|']);
      // The definitions are the statistics page's own (src/web/console/coverage-table.ts), not a second wording.
      expect(page).toContain('<dt>走访覆盖率 <span class="en" lang="en">Coverage</span></dt><dd>已走访户数 ÷ 包户数。');
      expect(page).not.toContain('按网格 <span');
      expect(page).toContain('<title>测试村: 66.7%（2/3）</title>');
    });

    test('the 红黑榜 of villages and departments, with how the score is made', () => {
      const [villages, departments] = report.ranking!.rankings;
      expect(villages!.top.map((e) => [e.label, e.rank, e.score, e.parts.map((p) => [p.term, p.rate?.numerator, p.rate?.denominator, p.contribution])])).toEqual([
        ['测试村', 1, SCORE, PARTS],
      ]);
      // September had one request: fewer than five, not ranked then.
      expect(villages!.top[0]).toMatchObject({ previousRank: null, rankChange: null });
      expect(villages!.bottom).toEqual([]);
      // 供电所 handled nothing: listed without a rank.
      expect(departments!.entities.map((e) => [e.label, e.rank, e.unranked])).toEqual([['供电所', null, 'few_tickets']]);
      expect(page).toContain('<h2>三率排名 红黑榜 <span class="en" lang="en">Ranking</span></h2>');
      expect(page).toMatch(/id="report-ranking-village">[^]*?<td>测试村<\/td>/);
      expect(page).toContain('村：参与排名 1 个，样本或评价不足未排名 0 个；名次变化与 2026-09 比较。');
      expect(page).toContain('部门：参与排名 0 个，样本或评价不足未排名 1 个');
      expect(page).toContain('本月受理少于 5 件的（样本不足）');
    });

    test('no resident is named and no phone number shows; definitions are printed', () => {
      expect(page).not.toContain('王大山');
      expect(page).not.toContain('13912345678');
      expect(page).toContain('请回电139****5678');
      expect(page).toContain('（满意 + 基本满意）÷ 作出评价的件数');
    });

    test('bad arguments are refused with a reason', async () => {
      const db = database.db;
      const now = new Date();
      await expect(buildMonthlyReport(db, { regionCode: 'T-01', month: '2026-13', now })).rejects.toThrow(ReportArgumentError);
      await expect(buildMonthlyReport(db, { regionCode: 'NOPE', month: '2026-10', now })).rejects.toThrow(/no region with code NOPE/);
      // A village's report serves its 村务议政会 on the 20th: its own figures, by grid.
      const village = await buildMonthlyReport(db, { regionCode: 'T-01-001', month: '2026-10', now: new Date('2026-11-02T17:30:00+08:00') });
      expect(village.region.level).toBe('village');
      expect(village.current.received).toBe(5);
      expect(village.places.dimension).toBe('grid');
      expect(renderMonthlyReport(village)).toContain('各网格');
      // The county is fine.
      const county = await buildMonthlyReport(db, { regionCode: 'T', month: '2026-10', now: new Date('2026-11-02T17:30:00+08:00') });
      expect(county.current.received).toBe(5);
      expect(county.places.rows.map((r) => r.label)).toEqual(['测试镇']);
    });
  });

  describe('the meetings the report serves', () => {
    test('the region’s next village and township meetings: moved past a Sunday, and by the region’s settings', async () => {
      const db = database.db;
      // November’s report, made on 1 December: Sunday 20 December moves to Monday 21; the 25th is a Friday.
      const made = { regionCode: 'T-01', month: '2026-11', now: new Date('2026-12-01T09:00:00+08:00'), calendar: rules.calendar };
      expect((await buildMonthlyReport(db, made)).meetings).toEqual({ village: '2026-12-21', township: '2026-12-25' });
      const rendered = renderMonthlyReport(await buildMonthlyReport(db, made));
      expect(rendered).toContain('12月21日 村务议政会');
      expect(rendered).not.toContain('12月20日');
      // The township holds its villages’ meetings on the 18th (/console/meetings/settings).
      const rule = await db.meetingRule.create({ data: { regionId: org.township.id, kind: 'village', day: 18, updatedById: org.supervisor.id, updatedAt: new Date() } });
      try {
        expect((await buildMonthlyReport(db, made)).meetings).toEqual({ village: '2026-12-18', township: '2026-12-25' });
        // Mid-December, the 18th gone: January’s.
        expect((await buildMonthlyReport(db, { ...made, month: '2026-12', now: new Date('2026-12-19T09:00:00+08:00') })).meetings.village).toBe('2027-01-18');
      } finally {
        await db.meetingRule.delete({ where: { id: rule.id } });
      }
    });
  });

  describe('overdue without an audit trail', () => {
    test('a request flagged overdue whose trail lacks the event (imported data) counts from its deadline', async () => {
      const fresh = await kind.fresh();
      try {
        const db = fresh.db;
        const small = await buildOrg(db);
        const at = new FakeClock(new Date('2026-10-12T09:00:00+08:00'));
        const reported = await new PipelineService({ db, rules, clock: at }).report({ residentId: small.resident.id, categoryCode: 'power', kind: 'help', summary: '路灯坏了' });
        if (!reported.ok) throw new Error('refused');
        await db.ticket.update({ where: { id: reported.ticket.id }, data: { overdue: true } });
        const window = {
          regionIds: [small.township.id, small.village.id],
          from: new Date('2026-10-01T00:00:00+08:00'),
          to: new Date('2026-11-01T00:00:00+08:00'),
          now: new Date('2026-10-16T17:30:00+08:00'),
        };
        const list = await overdueItems(db, window);
        expect(list.total).toBe(1);
        expect(list.items[0]).toMatchObject({ number: reported.ticket.number, overdueSince: reported.ticket.resolveBy, lateMinutes: 24 * 60, stillOverdue: true, owner: '李网格' });
      } finally {
        await fresh.dispose();
      }
    });
  });

  /** Runs the command in-process on the fixture database; collects what it prints. */
  async function runInProcess(args: string[], chromiumPath: string | null): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await reportCommand(args, {
      open: () => openDatabase(database.url, { migrate: false }),
      now: new Date('2026-11-02T17:30:00+08:00'),
      chromium: chromiumPath,
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    return { code, out, err };
  }

  /** Runs `npm run report -- ARGS` as a child process on the fixture database. */
  function runReport(args: string[]): Promise<CliRun> {
    return runCli('report', args, { cwd: dir, databaseUrl: database.url });
  }

  describe('npm run report', () => {
    test('bad arguments: one line, Chinese and English, exit code 2, nothing written', async () => {
      const cases: [string[], RegExp][] = [
        [['--month', '2026/10', '--region', 'T-01'], /月份格式应为 YYYY-MM.*--month must look like YYYY-MM/],
        [['--month', '2026-10'], /需要 --month 和 --region.*usage/],
        [['--month', '2026-10', '--region', 'T-01', '--colour'], /参数无效.*usage/],
        [['--month', '2026-10', '--region', 'XX-99', '--out', join(dir, 'bad')], /没有编码为 XX-99 的区域 no region with code XX-99/],
      ];
      for (const [args, pattern] of cases) {
        const result = await runInProcess(args, null);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.out).toEqual([]);
        expect(result.err).toEqual([expect.stringMatching(/^参数错误 argument error: /)]);
        expect(result.err[0]).toMatch(pattern);
      }
      expect(existsSync(join(dir, 'bad'))).toBe(false);
    });

    test('without Chromium: says so on one line and still writes the HTML', async () => {
      const out = join(dir, 'html-only');
      const result = await runInProcess(['--month', '2026-10', '--region', 'T-01', '--out', out], null);
      expect(result.code).toBe(0);
      expect(result.out).toEqual([join(out, '民情分析-T-01-2026-10.html')]);
      expect(result.err).toEqual([expect.stringMatching(/^未找到 Chromium，只生成 HTML no Chromium found/)]);
      expect(readFileSync(join(out, '民情分析-T-01-2026-10.html'), 'utf8')).toBe(page);
      expect(existsSync(join(out, '民情分析-T-01-2026-10.pdf'))).toBe(false);
    });

    pdfTest('as a process: the HTML in reports/ and, with Chromium, the PDF next to it; exit code 2 for a bad month', async () => {
      const [good, bad] = await Promise.all([runReport(['--month', '2026-10', '--region', 'T-01']), runReport(['--month', '10/2026', '--region', 'T-01'])]);
      expect(good.code, good.stderr).toBe(0);
      const html = join(dir, 'reports', '民情分析-T-01-2026-10.html');
      const pdf = join(dir, 'reports', '民情分析-T-01-2026-10.pdf');
      expect(good.stdout.trim().split('\n')).toEqual([html, pdf]);
      expect(readFileSync(html, 'utf8')).toContain('测试镇 2026年10月 民情分析报告');
      const bytes = readFileSync(pdf);
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(bytes.length).toBeGreaterThan(10_000);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toMatch(/^参数错误 argument error: 月份格式应为 YYYY-MM（如 2026-10） --month must look like YYYY-MM \(e\.g\. 2026-10\), got "10\/2026"$/);
    });
  });
});
