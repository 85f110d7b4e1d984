/**
 * Statistics benchmark: generates N synthetic tickets (default 1,000,000, over two years)
 * in the demo county into a fresh SQLite file, then times every statistics view the
 * console shows — figures, each breakdown, the trend, the hot words — for a month and
 * for a year, at county and at township scope, the 每月一题 proposals of the month, and
 * the queue's first page. Each view
 * runs several times; the table gives the median and the slowest run against the
 * budget (500 ms for statistics, 200 ms for the queue). It is a benchmark, not a test.
 *
 *   npm run bench:stats [-- --tickets N] [--runs N] [--db FILE]
 *
 * `--db FILE` keeps the database (generated on the first run, reused after), so the
 * timings can be repeated without generating again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../db/client.js';
import { quoteIdentifier } from '../db/bulk-insert.js';
import { openFreshSqlite } from '../db/scratch.js';
import { ConfigError } from '../errors.js';
import { setLogLevel } from '../log.js';
import { seedDemo } from '../org/seed.js';
import { localDateOf } from '../pipeline/calendar.js';
import { breakdown, figures, hotWords, periodRange, trend, warmStats } from '../stats/query.js';
import { generateTickets } from '../bench/synthetic.js';
import { themeProposals } from '../themes/proposals.js';
import { DIMENSIONS, type StatsQuery } from '../stats/types.js';
import { type QueueFilters, queryQueue } from '../web/console/queue.js';
import { loadScope } from '../web/console/scope.js';
import { loadRegions } from '../org/regions.js';
import { renderStatsPage } from '../web/console/stats-page.js';
import { runCli } from './run-cli.js';

/** The present of the synthetic county: every ticket is received before it. */
const NOW = new Date('2026-11-20T10:00:00+08:00');
const DAYS = 730;
const STATS_BUDGET_MS = 500;
const QUEUE_BUDGET_MS = 200;

interface Options {
  tickets: number;
  runs: number;
  db: string | null;
}

function parseArgs(args: readonly string[]): Options {
  const options: Options = { tickets: 1_000_000, runs: 7, db: null };
  const usage = 'usage: npm run bench:stats -- [--tickets N] [--runs N] [--db FILE]';
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1];
    if (value === undefined) throw new ConfigError([`${args[i]} needs a value; ${usage}`]);
    if ((args[i] === '--tickets' || args[i] === '--runs') && /^\d+$/.test(value) && Number(value) > 0) {
      options[args[i] === '--tickets' ? 'tickets' : 'runs'] = Number(value);
    } else if (args[i] === '--db') {
      options.db = resolve(value);
    } else {
      throw new ConfigError([`unexpected argument ${args[i]} ${value}; ${usage}`]);
    }
  }
  return options;
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
/** CPU seconds this process has used (user + system): wall time on a busy machine says less. */
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const peakRss = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Generates the county's tickets into `path` unless it holds them already; true when it did. */
async function prepare(path: string, tickets: number): Promise<boolean> {
  const url = `file:${path}`;
  if (existsSync(path)) {
    const database = await openDatabase(url);
    try {
      const count = await database.db.ticket.count();
      if (count >= tickets) {
        console.log(`reusing ${path}: ${count.toLocaleString('en')} tickets`);
        return false;
      }
      if (count > 0) throw new ConfigError([`${path} holds ${count} tickets, fewer than ${tickets}: delete it or choose another file`]);
    } finally {
      await database.close();
    }
  }
  const database = await openFreshSqlite(url);
  try {
    await seedDemo(database.db);
    // A throw-away file: no need to wait for the disk at every commit.
    await database.db.$executeRawUnsafe('PRAGMA synchronous = OFF');
    const started = performance.now();
    const cpuStarted = cpuSeconds();
    // Building the ticket indexes once at the end, from sorted keys, is several times
    // faster than keeping them up to date row by row.
    const indexes = await database.db.$queryRawUnsafe<{ name: string; sql: string }[]>(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Ticket' AND sql IS NOT NULL`,
    );
    for (const index of indexes) await database.db.$executeRawUnsafe(`DROP INDEX ${quoteIdentifier(index.name)}`);
    let shown = 0;
    const written = await generateTickets(database.db, {
      tickets,
      now: NOW,
      days: DAYS,
      onProgress(done) {
        if (process.stderr.isTTY && done - shown >= 50_000) {
          shown = done;
          process.stderr.write(`\r  ${done.toLocaleString('en')} / ${tickets.toLocaleString('en')} tickets`);
        }
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\r');
    for (const index of indexes) await database.db.$executeRawUnsafe(index.sql);
    const seconds = (performance.now() - started) / 1000;
    await database.db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
    console.log(
      `generated ${written.toLocaleString('en')} tickets over ${DAYS} days in ${seconds.toFixed(1)} s ` +
        `(${(cpuSeconds() - cpuStarted).toFixed(1)} s CPU; ${Math.round(written / seconds).toLocaleString('en')} tickets/s), ` +
        `peak RSS ${peakRss()} MiB, file ${mib(statSync(path).size)} MiB`,
    );
    return true;
  } finally {
    await database.close();
  }
}

interface Timing {
  view: string;
  scope: string;
  period: string;
  median: number;
  max: number;
  budget: number;
  note: string;
}

/** Runs `work` `runs` times; the median and slowest run in ms. */
async function time(runs: number, work: () => Promise<unknown>): Promise<{ median: number; max: number; result: unknown }> {
  const times: number[] = [];
  let result: unknown;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? 0, max: times.at(-1) ?? 0, result };
}

function printTable(rows: Timing[]): void {
  const header = ['view', 'scope', 'period', 'median ms', 'max ms', 'budget', '', 'result'];
  const lines = rows.map((r) => [r.view, r.scope, r.period, r.median.toFixed(1), r.max.toFixed(1), `${r.budget}`, r.max <= r.budget ? 'ok' : 'OVER', r.note]);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => (l[c] ?? '').length)));
  const format = (cells: string[]) => cells.map((cell, c) => (c >= 3 && c <= 5 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

await runCli(async () => {
  const options = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  const dir = options.db ? null : mkdtempSync(join(tmpdir(), 'minqing-bench-stats-'));
  const path = options.db ?? join(dir ?? '.', 'bench.db');
  try {
    if (await prepare(path, options.tickets)) {
      // The timings run in a new process, as a console starts: an empty statistics store,
      // and none of the generation's garbage (or its high-water memory) in the way.
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), '--db', path, '--tickets', String(options.tickets), '--runs', String(options.runs)],
        { stdio: 'inherit' },
      );
      return child.status ?? 1;
    }
    const database = await openDatabase(`file:${path}`, { migrate: false });
    try {
      const db = database.db;
      console.log(`load average before the timings: ${loadAverage()} (${cpus().length} cores)`);
      const loadStarted = performance.now();
      const cpuStarted = cpuSeconds();
      await warmStats(db);
      const loadMs = performance.now() - loadStarted;
      const loadCpu = cpuSeconds() - cpuStarted;
      console.log(
        `statistics store: the first call loads ${(await db.ticket.count()).toLocaleString('en')} tickets in ${(loadMs / 1000).toFixed(1)} s ` +
          `(${loadCpu.toFixed(1)} s CPU; once per process), heap used ${mib(process.memoryUsage().heapUsed)} MiB`,
      );

      const county = await db.region.findUniqueOrThrow({ where: { code: 'QH' } });
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const month = periodRange('month', NOW);
      const year = { from: periodRange('month', new Date(month.from.getTime() - 330 * 86_400_000)).from, to: month.to };
      const periods = [
        { name: `month ${localDateOf(month.from).slice(0, 7)}`, range: month, bucket: 'day' as const },
        { name: 'year (12 months)', range: year, bucket: 'week' as const },
      ];
      const timings: Timing[] = [];
      const run = async (view: string, scope: string, period: string, budget: number, work: () => Promise<unknown>, note: (r: unknown) => string) => {
        const t = await time(options.runs, work);
        timings.push({ view, scope, period, median: t.median, max: t.max, budget, note: note(t.result) });
      };
      for (const scope of [
        { name: `county ${county.name}`, id: county.id },
        { name: `township ${township.name}`, id: township.id },
      ]) {
        for (const period of periods) {
          const query: StatsQuery = { scopeRegionId: scope.id, ...period.range };
          await run(
            'figures',
            scope.name,
            period.name,
            STATS_BUDGET_MS,
            () => figures(db, query),
            (r) => `${(r as { received: number }).received.toLocaleString('en')} received`,
          );
          for (const dimension of DIMENSIONS) {
            await run(
              `breakdown ${dimension}`,
              scope.name,
              period.name,
              STATS_BUDGET_MS,
              () => breakdown(db, query, dimension),
              (r) => `${(r as { rows: unknown[] }).rows.length} rows`,
            );
          }
          await run(
            `trend by ${period.bucket}`,
            scope.name,
            period.name,
            STATS_BUDGET_MS,
            () => trend(db, query, period.bucket),
            (r) => `${(r as unknown[]).length} points`,
          );
          if (period.bucket === 'week') {
            await run(
              'trend by month',
              scope.name,
              period.name,
              STATS_BUDGET_MS,
              () => trend(db, query, 'month'),
              (r) => `${(r as unknown[]).length} points`,
            );
          }
          await run(
            'hot words',
            scope.name,
            period.name,
            STATS_BUDGET_MS,
            () => hotWords(db, query, 20),
            (r) => `top: ${(r as { word: string }[])[0]?.word ?? '-'}`,
          );
        }
        // 每月一题: the month against the three before it (src/themes/proposals.ts).
        const themeMonth = localDateOf(month.from).slice(0, 7);
        await run(
          'theme proposals',
          scope.name,
          `month ${themeMonth} vs 3 before`,
          STATS_BUDGET_MS,
          async () => themeProposals(db, await loadRegions(db), scope.id, themeMonth),
          (r) => `${(r as unknown[]).length} proposals`,
        );
      }

      // The queue's first page, as a township dispatcher opens it (src/web/console/queue.ts).
      const dispatcher = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const regions = await loadRegions(db);
      const scope = await loadScope(db, { id: 0, username: 'bench', personId: dispatcher.id }, regions);
      if (!scope) throw new Error('bench: DSP-QH-01 has no console scope');
      const grid = await db.grid.findFirstOrThrow({ where: { code: 'QH-01-001-G1' } });
      const queues: [string, QueueFilters][] = [
        ['open', { state: 'open' }],
        ['open, water', { state: 'open', categoryCode: 'water' }],
        ['open, overdue', { state: 'open', overdue: true }],
        ['open, grid', { state: 'open', gridId: grid.id }],
        ['all, search 路灯', { state: 'all', q: '路灯' }],
      ];
      for (const [name, filters] of queues) {
        await run(
          `queue page 1: ${name}`,
          `township ${regions.get(township.id)?.name ?? ''}`,
          'all time',
          QUEUE_BUDGET_MS,
          () => queryQueue(db, scope, filters, {}, { regions }),
          (r) => {
            const q = r as { rows: unknown[]; count: number; countCapped: boolean };
            return `${q.rows.length} rows of ${q.count.toLocaleString('en')}${q.countCapped ? '+' : ''}`;
          },
        );
      }
      // The whole statistics page (figures, trend, every breakdown, hot words) as the county
      // supervisor and the township dispatcher open it: what a user waits for.
      const supervisor = await db.person.findUniqueOrThrow({ where: { code: 'SUP-QH' } });
      const supervisorScope = await loadScope(db, { id: 0, username: 'bench', personId: supervisor.id }, regions);
      if (!supervisorScope) throw new Error('bench: SUP-QH has no console scope');
      const lastDay = localDateOf(new Date(month.to.getTime() - 1));
      const pages: [string, typeof scope, URLSearchParams][] = [
        [`county ${county.name}`, supervisorScope, new URLSearchParams({ period: 'month', date: localDateOf(month.from) })],
        [`county ${county.name}`, supervisorScope, new URLSearchParams({ period: 'custom', from: localDateOf(year.from), to: lastDay })],
        [`township ${township.name}`, scope, new URLSearchParams({ period: 'month', date: localDateOf(month.from) })],
        [`township ${township.name}`, scope, new URLSearchParams({ period: 'custom', from: localDateOf(year.from), to: lastDay })],
      ];
      for (const [name, pageScope, params] of pages) {
        const period = params.get('period') === 'month' ? periods[0]!.name : periods[1]!.name;
        await run(
          'statistics page (all views)',
          name,
          period,
          STATS_BUDGET_MS,
          () => renderStatsPage(db, pageScope, params, { now: NOW }),
          (r) => `${Math.round((r as { body: string }).body.length / 1024)} KiB`,
        );
      }
      console.log();
      printTable(timings);
      const over = timings.filter((t) => t.max > t.budget).length;
      console.log();
      console.log(
        `${timings.length} views, ${options.runs} runs each; ${over === 0 ? 'all within budget' : `${over} over budget`}; ` +
          `peak RSS ${peakRss()} MiB; load average after: ${loadAverage()}`,
      );
      return 0;
    } finally {
      await database.close();
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});
