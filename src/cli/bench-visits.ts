/**
 * Visit-log benchmark (issue 18): a county of seed 002's size (110,000 households by
 * default) with a year of visits (~1.3 M, as the demo writes them) and a year of tickets
 * in proportion (seed 002: 446,000 in 7 months for 110,000 households, 7 a household a
 * year: ~770,000, src/bench/synthetic.ts), in a fresh SQLite file; then the timings the
 * issue sets: a township's coverage for a month (the console's visit log and the monthly
 * report, budget 300 ms) and the whole county's by township, the reminders' due list of
 * every liaison, and the county's 红黑榜 of a month (every village, department and
 * liaison, budget 500 ms). Each runs several times; the median and the slowest are
 * printed. It is a benchmark, not a test.
 *
 *   npm run bench:visits [-- --households N] [--runs N]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { openFreshSqlite } from '../db/scratch.js';
import { ConfigError } from '../errors.js';
import { setLogLevel } from '../log.js';
import { categoriesCsv, writeDemoRoster } from '../org/demo-data.js';
import { seedDemoVisits } from '../org/demo-visits.js';
import { importRoster } from '../org/import/index.js';
import { coverageNow } from '../visits/coverage.js';
import { coverageByLiaison, coverageByPlace } from '../visits/month-coverage.js';
import { loadRegions, subtreeIds } from '../org/regions.js';
import { runCli } from './run-cli.js';
import { generateTickets } from '../bench/synthetic.js';
import type { Db } from '../db/client.js';
import { lastWholeMonth, RANKING_LEVELS, rankRegion } from '../ranking/ranking.js';
import { DEFAULT_WEIGHTS, saveSettings } from '../ranking/settings.js';
import type { RegionNode } from '../org/regions.js';

const NOW = new Date('2026-11-20T10:00:00+08:00');
const MONTH = { from: new Date('2026-11-01T00:00:00+08:00'), to: new Date('2026-12-01T00:00:00+08:00') };
const TOWNSHIP_BUDGET_MS = 300;
const RANKING_BUDGET_MS = 500;
/** Seed 002's county: 446,000 requests in 7 months for 110,000 households (practice-rules.md). */
const TICKETS_PER_HOUSEHOLD_YEAR = 7;

function parseArgs(args: readonly string[]): { households: number; runs: number } {
  const options = { households: 110_000, runs: 5 };
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if ((name === '--households' || name === '--runs') && value !== undefined && /^\d+$/.test(value) && Number(value) > 0) {
      options[name === '--households' ? 'households' : 'runs'] = Number(value);
    } else {
      throw new ConfigError([`unexpected argument ${name}; usage: npm run bench:visits -- [--households N] [--runs N]`]);
    }
  }
  return options;
}

/** Runs `work` `runs` times; the median and the slowest, in ms. */
async function timed(runs: number, work: () => Promise<unknown>): Promise<{ median: number; slowest: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? 0, slowest: times.at(-1) ?? 0 };
}

const ms = (t: { median: number; slowest: number }) => `median ${t.median.toFixed(0)} ms, slowest ${t.slowest.toFixed(0)} ms`;

/**
 * The county's 红黑榜 of last month, every level at once: the first call (the statistics
 * store loads the year's tickets), then warm with the default weights (tickets only),
 * then with 走访覆盖率 weighed (the month's visits read too).
 */
async function benchRanking(db: Db, regions: Map<number, RegionNode>, county: RegionNode, runs: number): Promise<void> {
  const rank = () => rankRegion(db, regions, { region: county, month: lastWholeMonth(NOW), levels: RANKING_LEVELS });
  const started = performance.now();
  const first = await rank();
  const coldMs = performance.now() - started;
  const counts = first.rankings.map((r) => `${r.entities.filter((e) => e.rank !== null).length}/${r.entities.length} ${r.level}s`).join(', ');
  const warm = await timed(runs, rank);
  const verdict = (t: { slowest: number }) => `budget ${RANKING_BUDGET_MS} ms: ${t.slowest <= RANKING_BUDGET_MS ? 'met' : 'NOT met'}`;
  console.log(`county ranking of ${first.month} (${counts} ranked): first call ${coldMs.toFixed(0)} ms (loads the statistics store); then ${ms(warm)} (${verdict(warm)})`);
  await saveSettings(db, county.id, { weights: JSON.stringify({ ...DEFAULT_WEIGHTS, satisfaction: 0.2, coverage: 0.2 }), minTickets: null, publicBoard: null }, 0);
  const withVisits = await timed(runs, rank);
  console.log(`the same with 走访覆盖率 weighed (the month's visits read): ${ms(withVisits)} (${verdict(withVisits)})`);
}

await runCli(async () => {
  const { households, runs } = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  const dir = mkdtempSync(join(tmpdir(), 'minqing-bench-visits-'));
  try {
    const { paths } = writeDemoRoster(join(dir, 'roster'), { households });
    writeFileSync(join(dir, 'categories.csv'), categoriesCsv());
    const path = join(dir, 'bench.db');
    const database = await openFreshSqlite(`file:${path}`);
    try {
      const imported = await importRoster(database.db, [join(dir, 'categories.csv'), ...paths]);
      const started = performance.now();
      const visits = await seedDemoVisits(database, { from: new Date('2025-11-01T00:00:00+08:00'), to: NOW });
      const seededS = (performance.now() - started) / 1000;
      const ticketsStarted = performance.now();
      const tickets = await generateTickets(database.db, { tickets: households * TICKETS_PER_HOUSEHOLD_YEAR, now: NOW, days: 365 });
      const ticketsS = (performance.now() - ticketsStarted) / 1000;
      console.log(
        `${imported.counts.households.created} households, ${visits} visits written in ${seededS.toFixed(1)} s, ${tickets} tickets in ${ticketsS.toFixed(1)} s; file ${Math.round(statSync(path).size / 1024 / 1024)} MiB`,
      );

      const regions = await loadRegions(database.db);
      const county = [...regions.values()].find((r) => r.parentId === null)!;
      const townships = [...regions.values()].filter((r) => r.parentId === county.id);
      const villagesOf = (id: number) => subtreeIds(regions, id).filter((v) => regions.get(v)?.level === 'village');
      // The largest township: the worst case of the township's page.
      const township = townships.map((t) => ({ t, villages: villagesOf(t.id) })).sort((a, b) => b.villages.length - a.villages.length)[0]!;
      const lines = await coverageByLiaison(database.db, { regionIds: township.villages, ...MONTH, liaisonId: 0 });
      const paired = lines.reduce((n, l) => n + l.figures.paired, 0);

      const townshipMonth = await timed(runs, () => coverageByLiaison(database.db, { regionIds: township.villages, ...MONTH, liaisonId: 0 }));
      console.log(
        `township coverage, a month (${township.t.name}: ${township.villages.length} villages, ${paired} paired households): ${ms(townshipMonth)} (budget ${TOWNSHIP_BUDGET_MS} ms: ${townshipMonth.slowest <= TOWNSHIP_BUDGET_MS ? 'met' : 'NOT met'})`,
      );
      const places = townships.map((t) => ({ name: t.name, code: t.code, villageIds: villagesOf(t.id) }));
      const countyMonth = await timed(runs, () => coverageByPlace(database.db, places, MONTH));
      console.log(`county coverage by township, a month (${townships.length} townships): ${ms(countyMonth)}`);
      // The reminders run in the serving process: how long the thread is held at once matters too.
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const due = await timed(Math.min(runs, 3), () => coverageNow(database.db, NOW));
      delay.disable();
      console.log(`every liaison's due households (the reminders' list, county-wide): ${ms(due)}; the thread held at most ${(delay.max / 1e6).toFixed(0)} ms at once`);
      await benchRanking(database.db, regions, county, runs);
      console.log(`load average ${loadavg()[0]!.toFixed(1)} on the machine's cores`);
      return 0;
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
