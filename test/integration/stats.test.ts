/**
 * The statistics 跟踪问效 on a fixture with known answers: thirteen requests driven through
 * the real pipeline (accept, return, escalate, extension, resolve, rate, reopen, callback
 * timeout, withdraw, merge, lapsed deadlines) at chosen times, and every figure checked
 * against numbers worked out by hand below. Deadline timers are fired as the scheduler
 * would fire them (the `timer` command by the system), at the moment chosen.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import type { Actor, Command } from '../../src/pipeline/model.js';
import { actorFor, PipelineService } from '../../src/pipeline/service.js';
import { seedDemo } from '../../src/org/seed.js';
import { OPEN_STATES } from '../../src/pipeline/states.js';
import { medianOf, selectKth } from '../../src/stats/aggregate.js';
import {
  breakdown,
  dayRange,
  figures,
  hotWords,
  invalidateStats,
  periodRange,
  STAT_COHORT,
  STAT_DEFINITIONS,
  StatsQueryError,
  topCategories,
  trend,
} from '../../src/stats/query.js';
import { generateTickets } from '../../src/bench/synthetic.js';
import type { Figures, StatsQuery } from '../../src/stats/types.js';
import { freshPostgres, freshSqlite, POSTGRES_URL, type TestDatabase } from '../helpers/db.js';
import { buildOrg, FakeClock, type Org, rules } from '../helpers/org-fixture.js';

const providers = [
  { name: 'SQLite', provider: 'sqlite', open: freshSqlite, skip: false },
  { name: 'PostgreSQL', provider: 'postgres', open: freshPostgres, skip: !POSTGRES_URL },
] as const;

/** A Beijing-time instant. */
const bj = (text: string) => new Date(`${text}+08:00`);

/** The week of the fixture, Monday 2026-11-16 to Sunday 2026-11-22, Beijing time. */
const WEEK = { from: bj('2026-11-16T00:00:00'), to: bj('2026-11-23T00:00:00') };

const rate = (numerator: number, denominator: number) => ({ numerator, denominator, value: denominator ? numerator / denominator : null });

for (const { name, provider, open, skip } of providers) {
  describe.skipIf(skip)(`statistics on ${name}`, () => {
    let database: TestDatabase;
    let db: Db;
    let org: Org;
    let village2: { id: number };
    let liaisonId: number;
    let departmentId: number;
    const numbers: Record<string, string> = {};
    let clock: FakeClock;
    let pipeline: PipelineService;

    /** Runs a command at a Beijing time; a refusal fails the test. */
    async function at(time: string, number: string, command: Command, actor: Actor): Promise<void> {
      clock.set(bj(time));
      const outcome = await pipeline.execute(number, command, actor);
      if (!outcome.ok) throw new Error(`${number} ${command.type}: ${JSON.stringify(outcome.refusal)}`);
    }

    /** Reports a request at a Beijing time and remembers its number under `key`. */
    async function report(key: string, time: string, input: Parameters<PipelineService['report']>[0]): Promise<string> {
      clock.set(bj(time));
      const outcome = await pipeline.report(input);
      if (!outcome.ok) throw new Error(`${key}: ${JSON.stringify(outcome.refusal)}`);
      numbers[key] = outcome.ticket.number;
      return outcome.ticket.number;
    }

    const system: Actor = { kind: 'system' };
    const query = (extra: Partial<StatsQuery> = {}): StatsQuery => ({ scopeRegionId: org.county.id, ...WEEK, ...extra });

    beforeAll(async () => {
      database = await open();
      db = database.db;
      org = await buildOrg(db);
      liaisonId = org.liaison.id;
      departmentId = org.department.id;
      clock = new FakeClock(bj('2026-10-01T08:00:00'));
      pipeline = new PipelineService({ db, rules, clock });
      // A second village whose household has no liaison and no grid: its power requests go
      // to the township's 供电所; and a water category no department handles (urgent, hours).
      village2 = await db.region.create({ data: { code: 'T-01-002', name: '二村', level: 'village', parentId: org.township.id } });
      const household2 = await db.household.create({ data: { code: 'H-2', regionId: village2.id, address: '二村1号', headName: '陈二', phone: null } });
      const resident2 = await db.person.create({
        data: {
          code: 'R-2',
          name: '陈二',
          householdId: household2.id,
          roles: { create: { role: 'resident', regionId: village2.id, scopeKey: 'R-2|resident' } },
          identities: { create: { channel: 'console', platformUserId: 'R-2', chatId: 'R-2' } },
        },
      });
      await db.category.create({
        data: { code: 'water', nameZh: '供水排水', nameEn: 'Water', departmentKind: 'water', handlingClass: 'urgent', acceptHours: 2, resolveHours: 24 },
      });

      const r1 = { residentId: org.resident.id, categoryCode: 'power', kind: 'help' as const };
      const r2 = { residentId: resident2.id, categoryCode: 'power', kind: 'help' as const };
      const resident = await actorFor(db, org.resident.id);
      const residentTwo = await actorFor(db, resident2.id);
      const liaison = await actorFor(db, org.liaison.id);
      const handler = await actorFor(db, org.handler.id);
      const dispatcher = await actorFor(db, org.dispatcher.id);

      // Power is promised, 3 working days: received Monday 09:00, 签收 is due Tuesday
      // 17:30 and 办结 Thursday 17:30 (no holiday in November 2026).

      // T1 Mon 09:00 → accepted 60 min later, resolved after 1440 min, 满意 → closed, one time.
      const t1 = await report('T1', '2026-11-16T09:00:00', { ...r1, summary: '村口的路灯坏了' });
      await at('2026-11-16T10:00:00', t1, { type: 'accept' }, liaison);
      await at('2026-11-17T09:00:00', t1, { type: 'resolve', result: '已修好' }, liaison);
      await at('2026-11-17T10:00:00', t1, { type: 'rate', rating: 'satisfied' }, resident);

      // T2 Mon 09:10 → accepted after 120, resolved after 2880; 不满意 reopens it; accepted
      // and resolved again; 基本满意, solved → closed; reopened once, so not one time.
      const t2 = await report('T2', '2026-11-16T09:10:00', { ...r1, summary: '路灯晚上不亮' });
      await at('2026-11-16T11:10:00', t2, { type: 'accept' }, liaison);
      await at('2026-11-18T09:10:00', t2, { type: 'resolve', result: '换了灯泡' }, liaison);
      await at('2026-11-18T10:00:00', t2, { type: 'rate', rating: 'dissatisfied' }, resident);
      await at('2026-11-18T11:00:00', t2, { type: 'accept' }, liaison);
      await at('2026-11-19T11:00:00', t2, { type: 'resolve', result: '换了线路' }, liaison);
      await at('2026-11-19T12:00:00', t2, { type: 'rate', rating: 'basically_satisfied', solved: true }, resident);

      // T3 Mon 09:20 → the 签收 deadline (Tue 17:30) lapses; accepted Wed 09:00 (2860 min);
      // the 办结 deadline (Thu 17:30) lapses too; resolved Fri 09:00 (5740 min, late); the
      // callback times out unanswered → closed, one time (no return, escalation, reopen).
      const t3 = await report('T3', '2026-11-16T09:20:00', { ...r1, summary: '家里停电了' });
      await at('2026-11-17T17:31:00', t3, { type: 'timer', kind: 'accept_overdue' }, system);
      await at('2026-11-18T09:00:00', t3, { type: 'accept' }, liaison);
      await at('2026-11-19T17:31:00', t3, { type: 'timer', kind: 'resolve_overdue' }, system);
      await at('2026-11-20T09:00:00', t3, { type: 'resolve', result: '已恢复供电' }, liaison);
      await at('2026-11-25T17:31:00', t3, { type: 'timer', kind: 'callback_timeout' }, system);

      // T4 Mon 09:30 → accepted after 15; 2 days' extension approved (Thu 17:30 → Mon 23
      // 17:30); resolved Fri 16:00 (6150 min), on time by the extended deadline; staff call
      // back by phone: 基本满意 but not solved → closed, one time.
      const t4 = await report('T4', '2026-11-16T09:30:00', { ...r1, summary: '变压器有异响' });
      await at('2026-11-16T09:45:00', t4, { type: 'accept' }, liaison);
      await at('2026-11-18T09:00:00', t4, { type: 'request_extension', days: 2, reason: '等配件' }, liaison);
      await at('2026-11-18T10:00:00', t4, { type: 'approve_extension' }, dispatcher);
      await at('2026-11-20T16:00:00', t4, { type: 'resolve', result: '更换了配件' }, liaison);
      await at('2026-11-20T17:00:00', t4, { type: 'rate', rating: 'basically_satisfied', solved: false, via: 'phone' }, dispatcher);

      // T5 Tue 09:00 → returned by the liaison, dispatched to 供电所 at 10:00 (a new 签收
      // deadline, Wed 17:30), accepted at 11:00 (120 min from receipt), resolved Wed 15:00
      // (1800 min, on time), 满意 → closed; returned once, so not one time.
      const t5 = await report('T5', '2026-11-17T09:00:00', { ...r1, summary: '路灯杆子歪了' });
      await at('2026-11-17T09:30:00', t5, { type: 'return', reason: '不归我管' }, liaison);
      await at('2026-11-17T10:00:00', t5, { type: 'dispatch', target: { departmentId } }, dispatcher);
      await at('2026-11-17T11:00:00', t5, { type: 'accept' }, handler);
      await at('2026-11-18T15:00:00', t5, { type: 'resolve', result: '已扶正' }, handler);
      await at('2026-11-18T16:00:00', t5, { type: 'rate', rating: 'satisfied' }, resident);

      // T6 Tue 09:10 → escalated by the liaison, dispatched to 供电所, accepted at 12:10
      // (180 min, in time) and still being handled: open, not overdue.
      const t6 = await report('T6', '2026-11-17T09:10:00', { ...r1, summary: '电线垂得很低' });
      await at('2026-11-17T10:10:00', t6, { type: 'escalate', reason: '需要供电所处理' }, liaison);
      await at('2026-11-17T11:10:00', t6, { type: 'dispatch', target: { departmentId } }, dispatcher);
      await at('2026-11-17T12:10:00', t6, { type: 'accept' }, handler);

      // T7 Wed 09:00 → accepted after 60; its 办结 deadline (Mon 23 17:30) lapses: open, overdue.
      const t7 = await report('T7', '2026-11-18T09:00:00', { ...r1, summary: '停电好几天了' });
      await at('2026-11-18T10:00:00', t7, { type: 'accept' }, liaison);
      await at('2026-11-23T17:31:00', t7, { type: 'timer', kind: 'resolve_overdue' }, system);

      // T8 Wed 09:10 → withdrawn before anyone accepted it: received, nothing else.
      const t8 = await report('T8', '2026-11-18T09:10:00', { ...r1, summary: '路灯闪烁' });
      await at('2026-11-18T10:00:00', t8, { type: 'withdraw', reason: '自己修好了' }, resident);

      // T9 Wed 09:20 → a duplicate merged into T1: counts nowhere, not even as received.
      const t9 = await report('T9', '2026-11-18T09:20:00', { ...r1, summary: '村口的路灯坏了' });
      await at('2026-11-18T09:40:00', t9, { type: 'merge', into: t1 }, dispatcher);

      // T10 Thu 09:00, 二村 → 供电所: accepted after 30, resolved after 450 (on time); 不满意
      // (not solved) reopens it: open, and that answer stands until the next one.
      const t10 = await report('T10', '2026-11-19T09:00:00', { ...r2, summary: '家里停电' });
      await at('2026-11-19T09:30:00', t10, { type: 'accept' }, handler);
      await at('2026-11-19T16:30:00', t10, { type: 'resolve', result: '已修复' }, handler);
      await at('2026-11-19T17:00:00', t10, { type: 'rate', rating: 'dissatisfied' }, residentTwo);

      // T11 Thu 10:00, 二村, water (urgent, 24 h): nobody handles water, it waits for the
      // dispatchers; its 办结 deadline (Fri 10:00) lapses: open, overdue, never dispatched.
      const t11 = await report('T11', '2026-11-19T10:00:00', {
        ...r2,
        categoryCode: 'water',
        summary: '自来水停水了',
        description: '停水两天了，家里没水',
      });
      await at('2026-11-20T10:01:00', t11, { type: 'timer', kind: 'resolve_overdue' }, system);

      // T12 Thu 11:00, placed at the township itself → 供电所; its 签收 deadline (Fri 17:30)
      // lapses unanswered: open, not overdue (its 办结 deadline is Tue 24 17:30).
      const t12 = await report('T12', '2026-11-19T11:00:00', { ...r1, regionId: org.township.id, summary: '全镇停电' });
      await at('2026-11-20T17:31:00', t12, { type: 'timer', kind: 'accept_overdue' }, system);

      // T13 in October (Mon 12th): accepted after 30, resolved after 1440, 满意. Outside the week.
      const t13 = await report('T13', '2026-10-12T09:00:00', { ...r1, summary: '路灯坏了' });
      await at('2026-10-12T09:30:00', t13, { type: 'accept' }, liaison);
      await at('2026-10-13T09:00:00', t13, { type: 'resolve', result: '已修好' }, liaison);
      await at('2026-10-13T10:00:00', t13, { type: 'rate', rating: 'satisfied' }, resident);
    });
    afterAll(async () => {
      await database.dispose();
    });

    /**
     * The week, county scope. In the cohort: T1–T8, T10–T12 (T9 merged; T13 in October).
     *
     * - received 11.
     * - open: T6 accepted, T7 accepted, T10 reopened, T11 received, T12 dispatched = 5;
     *   T1–T5 are closed, T8 withdrawn.
     * - overdue (open and flagged): T7, T11 = 2 (T3 was flagged but is resolved, not open).
     * - response: first 签收 in time: T1, T2, T4, T5, T6, T7, T10 = 7; late or lapsed: T3,
     *   T12 = 2; T8 (withdrawn first) and T11 (never dispatched) do not count → 7 / 9.
     * - on time: resolved once T1 ✓, T2 ✓, T3 ✗, T4 ✓ (extended), T5 ✓, T10 ✓; never
     *   resolved, open and overdue: T7, T11 → 5 / 8.
     * - one time: closed T1 ✓, T2 ✗ reopened, T3 ✓, T4 ✓, T5 ✗ returned → 3 / 5.
     * - resolution: latest answers T1 solved, T2 solved, T4 not, T5 solved, T10 not; T3
     *   timed out unanswered → 3 / 5.
     * - satisfaction: T1 满意, T2 基本满意, T4 基本满意, T5 满意, T10 不满意 → 4 / 5.
     * - return: T5 returned → 1 / 11 received.
     * - reopen: T2 and T10 reopened; resolved at least once T1–T5, T10 → 2 / 6.
     * - accept minutes: T1 60, T2 120, T3 2860, T4 15, T5 120, T6 180, T7 60, T10 30;
     *   sorted 15 30 60 60 | 120 120 180 2860 → median (60 + 120) / 2 = 90.
     * - resolve minutes (first 办结): T1 1440, T2 2880, T3 5740, T4 6150, T5 1800, T10 450;
     *   sorted 450 1440 1800 | 2880 5740 6150 → median (1800 + 2880) / 2 = 2340.
     */
    const WEEK_FIGURES: Figures = {
      received: 11,
      open: 5,
      overdue: 2,
      responseRate: rate(7, 9),
      onTimeRate: rate(5, 8),
      oneTimeRate: rate(3, 5),
      resolutionRate: rate(3, 5),
      satisfactionRate: rate(4, 5),
      returnRate: rate(1, 11),
      reopenRate: rate(2, 6),
      medianAcceptMinutes: 90,
      medianResolveMinutes: 2340,
    };

    test('the figures of the week match the hand count', async () => {
      expect(await figures(db, query())).toEqual(WEEK_FIGURES);
      // The township holds every request of the county here.
      expect(await figures(db, query({ scopeRegionId: org.township.id }))).toEqual(WEEK_FIGURES);
    });

    test('the facts kept on each ticket', async () => {
      const rows = await db.ticket.findMany({ orderBy: { id: 'asc' } });
      const by = (key: string) => rows.find((r) => r.number === numbers[key]);
      // T2: the first 办结 and the latest answer, though the reopen cleared resolvedAt once.
      expect(by('T2')).toMatchObject({
        acceptMinutes: 120,
        acceptedOnTime: true,
        resolveMinutes: 2880,
        resolvedOnTime: true,
        callbackRating: 'basically_satisfied',
        callbackSolved: true,
      });
      expect(by('T3')).toMatchObject({ acceptMinutes: 2860, acceptedOnTime: false, resolveMinutes: 5740, resolvedOnTime: false, callbackRating: null });
      // T10: rating was cleared by the reopen; the callback answer stays.
      expect(by('T10')).toMatchObject({ state: 'reopened', rating: null, callbackRating: 'dissatisfied', callbackSolved: false });
      expect(by('T12')).toMatchObject({ acceptMinutes: null, acceptedOnTime: false });
      // Summary then description, each word once (jieba cuts 没水 into single characters).
      expect(by('T11')?.keywords?.split(' ')).toEqual(['自来水', '停水', '两天', '家里']);
    });

    test('a period: the October cohort holds T13 alone', async () => {
      const october = periodRange('month', bj('2026-10-20T12:00:00'));
      expect(await figures(db, query(october))).toEqual({
        received: 1,
        open: 0,
        overdue: 0,
        responseRate: rate(1, 1),
        onTimeRate: rate(1, 1),
        oneTimeRate: rate(1, 1),
        resolutionRate: rate(1, 1),
        satisfactionRate: rate(1, 1),
        returnRate: rate(0, 1),
        reopenRate: rate(0, 1),
        medianAcceptMinutes: 30,
        medianResolveMinutes: 1440,
      });
      // A period with nothing: every rate has no denominator, no median.
      const empty = await figures(db, query(periodRange('day', bj('2026-11-21T12:00:00'))));
      expect(empty).toEqual({
        received: 0,
        open: 0,
        overdue: 0,
        responseRate: rate(0, 0),
        onTimeRate: rate(0, 0),
        oneTimeRate: rate(0, 0),
        resolutionRate: rate(0, 0),
        satisfactionRate: rate(0, 0),
        returnRate: rate(0, 0),
        reopenRate: rate(0, 0),
        medianAcceptMinutes: null,
        medianResolveMinutes: null,
      });
      // The range is half-open: T1 was received at 09:00 exactly.
      expect((await figures(db, query({ from: bj('2026-11-16T09:00:00'), to: bj('2026-11-16T09:10:00') }))).received).toBe(1);
      expect((await figures(db, query({ from: bj('2026-11-16T08:00:00'), to: bj('2026-11-16T09:00:00') }))).received).toBe(0);
    });

    test('filters narrow the cohort', async () => {
      // Assigned to the liaison now: T1, T2, T3, T4, T7, T8 → 6 received; open T7; 签收 in
      // time T1 T2 T4 T7, late T3 → 4 / 5; accept minutes 15 60 60 120 2860 → 60.
      const liaison = await figures(db, query({ filters: { liaisonId } }));
      expect(liaison).toMatchObject({ received: 6, open: 1, overdue: 1, responseRate: rate(4, 5), medianAcceptMinutes: 60 });
      // Water: T11 alone.
      expect(await figures(db, query({ filters: { categoryCode: 'water' } }))).toMatchObject({ received: 1, open: 1, overdue: 1, onTimeRate: rate(0, 1) });
      // A category nobody reported, and the grid: T1–T8 (二村 and the township have no grid).
      expect((await figures(db, query({ filters: { categoryCode: 'road' } }))).received).toBe(0);
      expect((await figures(db, query({ filters: { gridId: org.grid.id } }))).received).toBe(8);
      // The department now handling: T5, T6, T10, T12.
      expect((await figures(db, query({ filters: { departmentId } }))).received).toBe(4);
      // A village scope: 二村 holds T10 and T11.
      expect(await figures(db, query({ scopeRegionId: village2.id }))).toMatchObject({ received: 2, open: 2, overdue: 1 });
    });

    test('breakdown by region, village, grid, department, category and liaison', async () => {
      const township = query({ scopeRegionId: org.township.id });
      // The township's villages, and a row for what is placed at the township itself (T12).
      const regions = await breakdown(db, township, 'region');
      expect(regions.total).toEqual(WEEK_FIGURES);
      expect(regions.rows.map((r) => [r.key, r.label, r.figures.received])).toEqual([
        [String(org.village.id), '测试村', 8],
        [String(village2.id), '二村', 2],
        [String(org.township.id), '测试镇（本级 this level）', 1],
      ]);
      // 二村: T10 and T11. Response: T10 in time → 1/1. On time: T10 ✓, T11 overdue never
      // resolved ✗ → 1/2. Nothing closed. T10's answer: not solved, 不满意 → 0/1, 0/1;
      // returned none of 2; T10, resolved once, was reopened → 1/1.
      expect(regions.rows[1]?.figures).toEqual({
        received: 2,
        open: 2,
        overdue: 1,
        responseRate: rate(1, 1),
        onTimeRate: rate(1, 2),
        oneTimeRate: rate(0, 0),
        resolutionRate: rate(0, 1),
        satisfactionRate: rate(0, 1),
        returnRate: rate(0, 2),
        reopenRate: rate(1, 1),
        medianAcceptMinutes: 30,
        medianResolveMinutes: 450,
      });
      // The county's child is the township.
      const county = await breakdown(db, query(), 'region');
      expect(county.rows.map((r) => [r.key, r.figures.received])).toEqual([[String(org.township.id), 11]]);

      const villages = await breakdown(db, township, 'village');
      expect(villages.rows.map((r) => [r.label, r.figures.received])).toEqual([
        ['测试村', 8],
        ['二村', 2],
        ['（不在村内 not in a village）', 1],
      ]);

      const grids = await breakdown(db, query(), 'grid');
      expect(grids.rows.map((r) => [r.key, r.label, r.figures.received])).toEqual([
        [String(org.grid.id), '一组网格', 8],
        ['', '（无网格 no grid）', 3],
      ]);

      // 供电所 handles T5, T6, T10, T12 now: open T6 T10 T12; 签收 in time T5 T6 T10, lapsed
      // T12 → 3/4; closed T5 (returned) → one time 0/1.
      const departments = await breakdown(db, query(), 'department');
      expect(departments.rows.map((r) => [r.key, r.label, r.figures.received])).toEqual([
        ['', '（未派部门 no department）', 7],
        [String(departmentId), '供电所', 4],
      ]);
      expect(departments.rows[1]?.figures).toMatchObject({ open: 3, responseRate: rate(3, 4), oneTimeRate: rate(0, 1) });

      const categories = await breakdown(db, query(), 'category');
      expect(categories.rows.map((r) => [r.key, r.label, r.figures.received])).toEqual([
        ['power', '电力照明', 10],
        ['water', '供水排水', 1],
      ]);
      expect((await topCategories(db, query(), 1)).map((r) => r.key)).toEqual(['power']);

      const liaisons = await breakdown(db, query(), 'liaison');
      expect(liaisons.rows.map((r) => [r.key, r.label, r.figures.received])).toEqual([
        [String(liaisonId), '李网格', 6],
        ['', '（未派个人 no person）', 5],
      ]);
      // The rows of every breakdown add up to the total.
      for (const b of [regions, villages, grids, departments, categories, liaisons]) {
        expect(b.rows.reduce((sum, r) => sum + r.figures.received, 0)).toBe(11);
      }
    });

    test('trend by day, week and month, every bucket present', async () => {
      // Received per day, Monday to Sunday: Mon T1–T4, Tue T5 T6, Wed T7 T8 (T9 merged),
      // Thu T10–T12, nothing Friday to Sunday.
      const days = await trend(db, query(), 'day');
      expect(days.map((p) => [p.start, p.figures.received])).toEqual([
        ['2026-11-16', 4],
        ['2026-11-17', 2],
        ['2026-11-18', 2],
        ['2026-11-19', 3],
        ['2026-11-20', 0],
        ['2026-11-21', 0],
        ['2026-11-22', 0],
      ]);
      // Monday: T1–T4 accept minutes 15 60 120 2860 → (60 + 120) / 2 = 90; one time T1 T3 T4
      // of the four closed → 3/4.
      expect(days[0]?.figures).toMatchObject({ medianAcceptMinutes: 90, oneTimeRate: rate(3, 4) });
      expect(days[4]?.figures.responseRate).toEqual(rate(0, 0));

      // October and November by week (Monday starts): 1 October is a Thursday, so the first
      // bucket starts Monday 28 September; T13 falls in the week of 12 October.
      const autumn = dayRange('2026-10-01', '2026-11-30');
      const weeks = await trend(db, query(autumn), 'week');
      expect(weeks.map((p) => p.start)).toEqual([
        '2026-09-28',
        '2026-10-05',
        '2026-10-12',
        '2026-10-19',
        '2026-10-26',
        '2026-11-02',
        '2026-11-09',
        '2026-11-16',
        '2026-11-23',
        '2026-11-30',
      ]);
      expect(weeks.map((p) => p.figures.received)).toEqual([0, 0, 1, 0, 0, 0, 0, 11, 0, 0]);
      const months = await trend(db, query(autumn), 'month');
      expect(months.map((p) => [p.start, p.figures.received])).toEqual([
        ['2026-10-01', 1],
        ['2026-11-01', 11],
      ]);
      expect(months[1]?.figures).toEqual(WEEK_FIGURES);
    });

    test('hot words: words of two requests or more, merged duplicates and stop words left out', async () => {
      // 路灯: T1 T2 T5 T8 (T9 is merged) = 4; 停电: T3 T7 T10 T12 = 4; 家里: T3 T10 and T11's
      // description = 3. Every other word appears in one request only (停水 twice in T11 counts once).
      expect(await hotWords(db, query(), 10)).toEqual([
        { word: '路灯', count: 4 },
        { word: '停电', count: 4 },
        { word: '家里', count: 3 },
      ]);
      expect(await hotWords(db, query(), 1)).toEqual([{ word: '路灯', count: 4 }]);
      // Requests stored before keywords were kept are cut when the store loads them.
      await db.ticket.updateMany({ data: { keywords: null } });
      invalidateStats(db);
      expect(await hotWords(db, query(), 10)).toEqual([
        { word: '路灯', count: 4 },
        { word: '停电', count: 4 },
        { word: '家里', count: 3 },
      ]);
    });

    test('the store follows changes made after it loaded', async () => {
      expect((await figures(db, query())).responseRate).toEqual(rate(7, 9));
      // T12 is accepted at last, after every change the store has seen (it follows changes
      // by updatedAt); its 签收 deadline had lapsed, so it stays late. Then a request dated
      // Friday of the week (found by its new id).
      await at('2026-11-26T09:00:00', numbers['T12'] ?? '', { type: 'accept' }, await actorFor(db, org.handler.id));
      clock.set(bj('2026-11-20T09:00:00'));
      const reported = await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: '电表不转' });
      expect(reported.ok).toBe(true);
      const after = await figures(db, query());
      expect(after).toMatchObject({ received: 12, open: 6, responseRate: rate(7, 9) });
      // Accept minutes now 15 30 60 60 120 120 180 2860 and T12's Thu 11:00 → Thu 09:00 a
      // week later = 7 × 1440 − 120 = 9960: nine values, the fifth is 120.
      expect(after.medianAcceptMinutes).toBe(120);
      // Forgetting the store changes nothing but the cost of the next call.
      invalidateStats(db);
      expect(await figures(db, query())).toEqual(after);
    });

    test('the migration derives the same facts from the audit trail', async () => {
      const columns = { acceptMinutes: true, acceptedOnTime: true, resolveMinutes: true, resolvedOnTime: true, callbackRating: true, callbackSolved: true } as const;
      const kept = await db.ticket.findMany({ select: { id: true, ...columns }, orderBy: { id: 'asc' } });
      expect(kept.filter((t) => t.acceptMinutes !== null).length).toBeGreaterThan(5);
      await db.ticket.updateMany({ data: { acceptMinutes: null, acceptedOnTime: null, resolveMinutes: null, resolvedOnTime: null, callbackRating: null, callbackSolved: null } });
      const sql = readFileSync(new URL(`../../prisma/migrations/${provider}/20261122082330_stats_metrics/migration.sql`, import.meta.url), 'utf8');
      const backfill = sql.slice(sql.indexOf('-- Backfill'));
      await db.$executeRawUnsafe(backfill);
      expect(await db.ticket.findMany({ select: { id: true, ...columns }, orderBy: { id: 'asc' } })).toEqual(kept);
    });

    test('refusals: unknown region, empty period, too many buckets', async () => {
      await expect(figures(db, query({ scopeRegionId: 999_999 }))).rejects.toBeInstanceOf(StatsQueryError);
      await expect(figures(db, query({ from: WEEK.to, to: WEEK.from }))).rejects.toBeInstanceOf(StatsQueryError);
      await expect(trend(db, query({ from: bj('2000-01-01T00:00:00'), to: bj('2026-01-01T00:00:00') }), 'day')).rejects.toBeInstanceOf(StatsQueryError);
    });
  });
}

describe('periods, Beijing time', () => {
  test('a day runs from local midnight to local midnight', () => {
    // 23:59:59 on Monday 16 November in Beijing is 15:59:59 UTC.
    expect(periodRange('day', new Date('2026-11-16T15:59:59Z'))).toEqual({ from: new Date('2026-11-15T16:00:00Z'), to: new Date('2026-11-16T16:00:00Z') });
    // Local midnight belongs to the day it starts.
    expect(periodRange('day', new Date('2026-11-16T16:00:00Z')).from).toEqual(new Date('2026-11-16T16:00:00Z'));
  });

  test('weeks start on Monday, across a year end', () => {
    const week = { from: bj('2026-11-16T00:00:00'), to: bj('2026-11-23T00:00:00') };
    expect(periodRange('week', bj('2026-11-16T00:00:00'))).toEqual(week);
    expect(periodRange('week', bj('2026-11-22T23:59:59'))).toEqual(week);
    // Thursday 31 December 2026 is in the week of Monday 28 December to Sunday 3 January.
    expect(periodRange('week', bj('2026-12-31T12:00:00'))).toEqual({ from: bj('2026-12-28T00:00:00'), to: bj('2027-01-04T00:00:00') });
  });

  test('months: the local calendar month, leap Februaries, year ends', () => {
    // 00:30 on 1 January 2027 in Beijing is still 31 December in UTC.
    expect(periodRange('month', new Date('2026-12-31T16:30:00Z'))).toEqual({ from: bj('2027-01-01T00:00:00'), to: bj('2027-02-01T00:00:00') });
    expect(periodRange('month', bj('2028-02-29T12:00:00'))).toEqual({ from: bj('2028-02-01T00:00:00'), to: bj('2028-03-01T00:00:00') });
    expect(periodRange('month', bj('2026-12-15T12:00:00'))).toEqual({ from: bj('2026-12-01T00:00:00'), to: bj('2027-01-01T00:00:00') });
  });

  test('custom ranges and whole days are checked', () => {
    const custom = { from: bj('2026-11-01T08:00:00'), to: bj('2026-11-02T08:00:00') };
    expect(periodRange('custom', new Date(), custom)).toEqual(custom);
    expect(() => periodRange('custom', new Date())).toThrow(StatsQueryError);
    expect(() => periodRange('custom', new Date(), { from: custom.to, to: custom.from })).toThrow(StatsQueryError);
    expect(() => periodRange('day', new Date('nonsense'))).toThrow(StatsQueryError);
    expect(dayRange('2026-11-01', '2026-11-30')).toEqual({ from: bj('2026-11-01T00:00:00'), to: bj('2026-12-01T00:00:00') });
    expect(dayRange('2026-11-16', '2026-11-16')).toEqual({ from: bj('2026-11-16T00:00:00'), to: bj('2026-11-17T00:00:00') });
    expect(() => dayRange('2026-02-30', '2026-03-01')).toThrow(StatsQueryError);
    expect(() => dayRange('2026-11-02', '2026-11-01')).toThrow(StatsQueryError);
  });
});

describe('exact medians', () => {
  test('odd and even counts, duplicates, against a sort', () => {
    const median = (values: number[]) => medianOf(Int32Array.from(values), 0, values.length);
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([3, 1])).toBe(2);
    expect(median([5, 5, 5, 1, 9, 5])).toBe(5);
    // Pseudo-random values with many repeats, longer than the insertion-sort cut-off.
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % 500;
    for (const n of [17, 100, 1001, 5000]) {
      const values = Array.from({ length: n }, next);
      const sorted = [...values].sort((a, b) => a - b);
      const expected = n % 2 ? sorted[(n - 1) / 2] : ((sorted[n / 2 - 1] ?? 0) + (sorted[n / 2] ?? 0)) / 2;
      expect(median(values)).toBe(expected);
      const a = Int32Array.from(values);
      expect(selectKth(a, 0, n, 3)).toBe(sorted[3]);
    }
  });
});

test('every figure has a definition in both languages', () => {
  const keys: (keyof Figures)[] = [
    'received',
    'open',
    'overdue',
    'responseRate',
    'onTimeRate',
    'oneTimeRate',
    'resolutionRate',
    'satisfactionRate',
    'returnRate',
    'reopenRate',
    'medianAcceptMinutes',
    'medianResolveMinutes',
  ];
  expect(Object.keys(STAT_DEFINITIONS).sort()).toEqual([...keys].sort());
  for (const d of [STAT_COHORT, ...Object.values(STAT_DEFINITIONS)]) {
    expect(d.name.zh && d.name.en && d.definition.zh && d.definition.en).toBeTruthy();
  }
});

/**
 * The engine against the definitions written as plain SQL, on a few thousand synthetic
 * tickets of the demo county (every state, late and lapsed deadlines, reopens, merges…).
 */
for (const { name, provider, open, skip } of providers) {
  describe.skipIf(skip)(`statistics against plain SQL on ${name}`, () => {
    let database: TestDatabase;
    const now = bj('2026-11-20T10:00:00');

    beforeAll(async () => {
      database = await (provider === 'sqlite' ? freshSqlite({ demo: true }) : open());
      if (provider === 'postgres') await seedDemo(database.db);
      await generateTickets(database.db, { tickets: 3000, now, days: 120, seed: 7 });
    });
    afterAll(async () => {
      await database.dispose();
    });

    const OPEN_LIST = OPEN_STATES.map((s) => `'${s}'`).join(', ');
    /** The definitions of STAT_DEFINITIONS, one SUM per part, over the tickets of [from, to). */
    const REFERENCE = `
      SELECT COUNT(*) AS received,
        SUM(CASE WHEN "state" IN (${OPEN_LIST}) THEN 1 ELSE 0 END) AS open,
        SUM(CASE WHEN "state" IN (${OPEN_LIST}) AND "overdue" THEN 1 ELSE 0 END) AS overdue,
        SUM(CASE WHEN "acceptedOnTime" THEN 1 ELSE 0 END) AS "responseNum",
        COUNT("acceptedOnTime") AS "responseDen",
        SUM(CASE WHEN "resolvedOnTime" THEN 1 ELSE 0 END) AS "onTimeNum",
        SUM(CASE WHEN "resolvedOnTime" IS NOT NULL OR ("state" IN (${OPEN_LIST}) AND "overdue") THEN 1 ELSE 0 END) AS "onTimeDen",
        SUM(CASE WHEN "state" = 'closed' AND "returnCount" = 0 AND "escalationCount" = 0 AND "reopenCount" = 0 THEN 1 ELSE 0 END) AS "oneTimeNum",
        SUM(CASE WHEN "state" = 'closed' THEN 1 ELSE 0 END) AS "oneTimeDen",
        SUM(CASE WHEN "callbackSolved" THEN 1 ELSE 0 END) AS "solvedNum",
        COUNT("callbackSolved") AS "solvedDen",
        SUM(CASE WHEN "callbackRating" IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS "satisfiedNum",
        COUNT("callbackRating") AS "rated",
        SUM(CASE WHEN "returnCount" > 0 THEN 1 ELSE 0 END) AS "returned",
        SUM(CASE WHEN "reopenCount" > 0 THEN 1 ELSE 0 END) AS "reopened",
        COUNT("resolveMinutes") AS "resolvedOnce"
      FROM "Ticket" WHERE "createdAt" >= $1 AND "createdAt" < $2 AND "mergedIntoId" IS NULL AND "state" <> 'merged'`;

    async function reference(from: Date, to: Date): Promise<Figures> {
      const db = database.db;
      const sql = provider === 'sqlite' ? REFERENCE.replace(/\$\d/g, '?') : REFERENCE;
      const [row] = await db.$queryRawUnsafe<Record<string, number | bigint | null>[]>(sql, from, to);
      const n = (key: string) => Number(row?.[key] ?? 0);
      const where = { createdAt: { gte: from, lt: to }, mergedIntoId: null, state: { not: 'merged' } };
      const accept = (await db.ticket.findMany({ where, select: { acceptMinutes: true } })).map((r) => r.acceptMinutes);
      const resolve = (await db.ticket.findMany({ where, select: { resolveMinutes: true } })).map((r) => r.resolveMinutes);
      const median = (list: (number | null)[]) => {
        const values = list.filter((v): v is number => v !== null).sort((a, b) => a - b);
        if (!values.length) return null;
        const mid = values.length >> 1;
        return values.length % 2 ? (values[mid] ?? null) : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
      };
      return {
        received: n('received'),
        open: n('open'),
        overdue: n('overdue'),
        responseRate: rate(n('responseNum'), n('responseDen')),
        onTimeRate: rate(n('onTimeNum'), n('onTimeDen')),
        oneTimeRate: rate(n('oneTimeNum'), n('oneTimeDen')),
        resolutionRate: rate(n('solvedNum'), n('solvedDen')),
        satisfactionRate: rate(n('satisfiedNum'), n('rated')),
        returnRate: rate(n('returned'), n('received')),
        reopenRate: rate(n('reopened'), n('resolvedOnce')),
        medianAcceptMinutes: median(accept),
        medianResolveMinutes: median(resolve),
      };
    }

    test('figures of every month and of the whole span equal the SQL of the definitions', async () => {
      const county = await database.db.region.findUniqueOrThrow({ where: { code: 'QH' } });
      const ranges = [
        { from: bj('2026-07-01T00:00:00'), to: now },
        periodRange('month', bj('2026-08-15T12:00:00')),
        periodRange('month', bj('2026-10-15T12:00:00')),
        periodRange('month', now),
        periodRange('week', now),
      ];
      for (const range of ranges) {
        const expected = await reference(range.from, range.to);
        expect(expected.received).toBeGreaterThan(0);
        expect(await figures(database.db, { scopeRegionId: county.id, ...range })).toEqual(expected);
      }
      // The synthetic county has every kind of case the rates distinguish.
      const all = await reference(ranges[0]?.from ?? now, now);
      for (const r of [all.responseRate, all.onTimeRate, all.oneTimeRate, all.resolutionRate, all.satisfactionRate]) {
        expect(r.numerator).toBeGreaterThan(0);
        expect(r.numerator).toBeLessThan(r.denominator);
      }
      expect(all.open).toBeGreaterThan(0);
      expect(all.overdue).toBeGreaterThan(0);
      // Breakdowns add up, and each category row equals its filtered figures.
      const whole = { scopeRegionId: county.id, from: ranges[0]?.from ?? now, to: now };
      const byCategory = await breakdown(database.db, whole, 'category');
      expect(byCategory.total).toEqual(all);
      for (const row of byCategory.rows.slice(0, 3)) {
        expect(await figures(database.db, { ...whole, filters: { categoryCode: row.key } })).toEqual(row.figures);
      }
      const byWeek = await trend(database.db, whole, 'week');
      expect(byWeek.reduce((sum, p) => sum + p.figures.received, 0)).toBe(all.received);
    });
  });
}
