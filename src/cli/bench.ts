/**
 * Throughput benchmark of the dialogue engine (a benchmark, not a test). Simulated
 * residents of the demo county report, their paired liaisons accept and resolve, the
 * residents rate (src/bench/load.ts): every message goes through the real app on a fresh
 * database, with an in-memory channel that acknowledges at once. It prints:
 *
 * - sustained: the closed-loop rate (each person sends on as soon as answered) and the
 *   per-message latency (turn committed, replies sent, outbox marked);
 * - paced: latency with a fixed rate offered (default 1,000 messages/s);
 * - raw ceilings (src/bench/raw.ts): the same rows written with plain better-sqlite3
 *   statements, one transaction per message, and again with commits grouped as the
 *   engine groups them; the engine's share of each;
 * - sessions: process RSS while serving, with 100,000 stored conversations (created
 *   through the engine by that many first-time visitors);
 * - PostgreSQL, when MINQING_BENCH_POSTGRES_URL names a server (a database is created for
 *   each run and dropped after; `npm run bench:postgres` points it at the local cluster):
 *   the ceiling (same rows, plain `pg`, 8 connections) in 1 and 2 processes, the engine
 *   sustained with 1 and 2 processes and its share of the ceiling, and the engine's
 *   latency with --pg-rate messages/s offered;
 * - growth, only when asked for (`--only growth`: it takes minutes): the sustained load on
 *   a fresh file and on one grown to --growth conversations (~0.9 GB for 100,000, with
 *   1,000,000 ticket events), each in a process of its own, in msg per CPU-second.
 *
 *   npm run bench [-- --residents 450 --pg-residents 200 --seconds 20 --warmup 5 --rate 1000
 *                     --paced-seconds 15 --pg-rate 100 --sessions 100000 --growth 100000
 *                     --only sustained,paced,raw,sessions,postgres,growth]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { sqliteFilePath } from '../db/migrations.js';
import { scratchPostgres } from '../db/scratch.js';
import { groupBounds } from '../db/sqlite-adapter.js';
import { ConfigError } from '../errors.js';
import { setLogLevel } from '../log.js';
import { type BenchApp, startBenchApp } from '../bench/bench-app.js';
import { growDatabase } from '../bench/growth.js';
import { bindPairs, type Pair } from '../bench/load.js';
import { formatRun, measure, type RunResult } from '../bench/phases.js';
import { type CeilingResult, rawPairs } from '../bench/ceiling.js';
import { type SqliteCommits, sqliteCeiling, sqliteSynchronous } from '../bench/raw.js';
import { startScriptFlags } from '../paths.js';
import { runCli } from './run-cli.js';

const PHASES = ['sustained', 'paced', 'raw', 'sessions', 'postgres', 'growth'] as const;
/** Run unless --only says otherwise: all but the growth phase, which takes minutes of its own (`--only growth`). */
const DEFAULT_PHASES: readonly Phase[] = PHASES.filter((phase) => phase !== 'growth');
type Phase = (typeof PHASES)[number];

interface Options {
  residents: number;
  /** Residents of the PostgreSQL runs (shared by the processes). */
  pgResidents: number;
  seconds: number;
  warmup: number;
  rate: number;
  pacedSeconds: number;
  /** Messages per second offered to PostgreSQL in its paced run. */
  pgRate: number;
  sessions: number;
  /** Conversations the growth phase's grown file holds (with 10 ticket events each). */
  growth: number;
  only: Set<Phase>;
}

const USAGE =
  'usage: npm run bench -- [--residents N] [--pg-residents N] [--seconds S] [--warmup S] [--rate N] [--paced-seconds S] [--pg-rate N] [--sessions N] [--growth N] [--only ' +
  PHASES.join(',') +
  ']';

function parseArgs(args: readonly string[]): Options {
  const options: Options = {
    residents: 450,
    pgResidents: 200,
    seconds: 20,
    warmup: 5,
    rate: 1000,
    pacedSeconds: 15,
    pgRate: 100,
    sessions: 100_000,
    growth: 100_000,
    only: new Set(DEFAULT_PHASES),
  };
  const numeric: Record<string, keyof Omit<Options, 'only'>> = {
    '--residents': 'residents',
    '--pg-residents': 'pgResidents',
    '--seconds': 'seconds',
    '--warmup': 'warmup',
    '--rate': 'rate',
    '--paced-seconds': 'pacedSeconds',
    '--pg-rate': 'pgRate',
    '--sessions': 'sessions',
    '--growth': 'growth',
  };
  for (let i = 0; i < args.length; i++) {
    const name = args[i] ?? '';
    const value = args[i + 1];
    const key = numeric[name];
    if (key && value !== undefined && /^\d+$/.test(value)) {
      options[key] = Number(value);
      i++;
    } else if (name === '--only' && value !== undefined) {
      const picked = value.split(',');
      const unknown = picked.filter((p) => !(PHASES as readonly string[]).includes(p));
      if (unknown.length) throw new ConfigError([`unknown phase ${unknown.join(',')}; ${USAGE}`]);
      options.only = new Set(picked as Phase[]);
      i++;
    } else {
      throw new ConfigError([`unexpected argument ${name}; ${USAGE}`]);
    }
  }
  return options;
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** Runs `work` on a fresh bench app (a new SQLite file unless `url`), with `residents` bound. */
async function withApp<T>(residents: number, work: (bench: BenchApp, pairs: Pair[]) => Promise<T>, url?: string): Promise<T> {
  const bench = await startBenchApp(url ? { url } : {});
  try {
    return await work(bench, await bindPairs(bench.app.database.db, residents));
  } finally {
    await bench.dispose();
  }
}

/** A measured window: `seconds` after `warmup` seconds. */
interface Window {
  warmup: number;
  seconds: number;
}

/**
 * The window of a ceiling: at most 2 + 10 seconds. A ceiling runs no dialogue and no
 * scheduler, and is steady within a second or two; the time goes to the engine's runs.
 */
function ceilingWindow(options: Options): Window {
  return { warmup: Math.min(options.warmup, 2), seconds: Math.min(options.seconds, 10) };
}

/** A SQLite ceiling (src/bench/raw.ts) on a fresh database holding the same people. */
async function sqliteRaw(options: Options, commits: SqliteCommits): Promise<CeilingResult> {
  const bench = await startBenchApp();
  try {
    await bench.app.scheduler.stop();
    const pairs = await rawPairs(bench.app.database.db, await bindPairs(bench.app.database.db, options.residents));
    await bench.app.database.close();
    const { warmup, seconds } = ceilingWindow(options);
    return await sqliteCeiling(sqliteFilePath(bench.url), pairs, commits, warmup, seconds);
  } finally {
    await bench.dispose().catch(() => undefined);
  }
}

/**
 * The memory figure, in a process of its own that serves a database seeded beforehand
 * (as a server restarted on it: the first start's import does not count): it makes the
 * stored conversations through its engine, then serves a paced load.
 */
async function sessions(options: Options): Promise<string[]> {
  const bench = await startBenchApp();
  try {
    await bindPairs(bench.app.database.db, options.residents);
    await bench.app.stop();
    const result = await runWorker(
      ['--mode', 'sessions', '--url', bench.url, '--count', String(options.residents), '--sessions', String(options.sessions)],
      // BENCH_SNAPSHOTS=DIR: V8 heap snapshots of the serving process (when it serves, and with the conversations stored).
      [
        '--rate',
        String(options.rate),
        '--seconds',
        String(Math.min(options.pacedSeconds, 10)),
        ...(process.env['BENCH_SNAPSHOTS'] ? ['--heap-snapshots', process.env['BENCH_SNAPSHOTS']] : []),
      ],
    );
    // BENCH_MEMORY=1: where the RSS goes (process.memoryUsage() at each point), for comparing builds.
    if (process.env['BENCH_MEMORY']) console.log(`memory (MiB): ${JSON.stringify((result['sessions'] as { memory: unknown }).memory)}`);
    const s = result['sessions'] as { started: number; serving: number; afterCreate: number; peak: number; stored: number; seconds: number; heap: number; run: RunResult };
    return [
      `sessions: ${s.stored.toLocaleString('en')} stored conversations, made through the engine by as many first-time visitors in ${s.seconds.toFixed(1)} s ` +
        `(${Math.round(options.sessions / s.seconds).toLocaleString('en')} first messages/s)`,
      `  RSS of the serving process: ${mib(s.serving)} MiB started and serving, ${mib(s.afterCreate)} MiB with the conversations stored, ` +
        `peak ${mib(s.peak)} MiB while serving ${options.rate.toLocaleString('en')} msg/s (heap used ${mib(s.heap)} MiB)`,
      `  ${formatRun('served meanwhile', s.run)}`,
    ];
  } finally {
    await bench.dispose();
  }
}

/** Runs src/bench/worker.ts with `args` and returns the JSON line it ends with (the one with a result). */
async function runWorker(...args: string[][]): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ['--expose-gc', ...WORKER, ...args.flat()], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  let last: Record<string, unknown> | undefined;
  lines.on('line', (line) => {
    if (line.startsWith('{')) last = JSON.parse(line) as Record<string, unknown>;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || !last) throw new Error(`bench worker exited with ${code}`);
  return last;
}

/**
 * How to run src/bench/worker.ts: compiled and with the flags of `npm start` (what the
 * memory figure must measure) when this module is compiled, else through tsx.
 */
const WORKER = import.meta.url.endsWith('.js')
  ? [...startScriptFlags(), fileURLToPath(new URL('../bench/worker.js', import.meta.url))]
  : ['--import', 'tsx', fileURLToPath(new URL('../bench/worker.ts', import.meta.url))];

/** What to run in each process of a PostgreSQL run: the engine (closed loop, or `rate` msg/s offered in all), or the ceiling. */
type PostgresWork = { mode: 'load'; rate?: number } | { mode: 'ceiling'; connections: number };

/** Runs `work` on a fresh PostgreSQL database on the server of `adminUrl`, migrated and seeded with the demo county, then drops it. */
async function onScratchPostgres<T>(adminUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const database = await scratchPostgres(adminUrl, 'minqing_bench');
  try {
    await (await startBenchApp({ url: database.url })).app.stop();
    return await work(database.url);
  } finally {
    await database.drop();
  }
}

/**
 * Runs `processes` worker processes on the database at `url` (migrated and seeded), each
 * with its own share of `residents`, all measuring the same window; returns each
 * process's result.
 */
async function inProcesses<R>(url: string, processes: number, work: PostgresWork, residents: number, window: Window): Promise<R[]> {
  // Whole liaisons per process (blocks of 10 households), one channel each: a process
  // delivers the pushes of its own people (two channels stand for two sets of chats).
  const channels = ['web', 'console'] as const;
  const share = Math.floor(residents / processes / 10) * 10;
  const children = Array.from({ length: processes }, (_, i) => {
    const child = spawn(
      process.execPath,
      [
        ...WORKER,
        ...['--mode', work.mode, '--url', url, '--channel', channels[i] ?? 'web', '--tag', `p${i}`],
        ...['--offset', String(i * share), '--count', String(i === processes - 1 ? residents - i * share : share)],
        ...['--warmup', String(window.warmup), '--seconds', String(window.seconds)],
        ...(work.mode === 'ceiling' ? ['--connections', String(work.connections)] : work.rate ? ['--rate', String(work.rate / processes)] : []),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout });
    const messages: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      messages.push(JSON.parse(line) as Record<string, unknown>);
      waiters.splice(0).forEach((w) => w());
    });
    const next = async (key: string): Promise<Record<string, unknown>> => {
      for (;;) {
        const found = messages.find((m) => key in m);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`bench worker exited with ${child.exitCode}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          child.once('exit', () => resolve());
        });
      }
    };
    return { child, next };
  });
  await Promise.all(children.map((c) => c.next('ready')));
  if (url.startsWith('postgres')) await checkpoint(url);
  for (const c of children) c.child.stdin.write('go\n');
  return (await Promise.all(children.map((c) => c.next('result')))).map((m) => m['result'] as R);
}

/**
 * Has PostgreSQL write its dirty pages out (CHECKPOINT) before a measured window: the
 * scratch database's migration and seeding, and the phases before, leave enough behind
 * that a checkpoint falls inside a later window at random and stalls its commits (the
 * paced phase's p99 was 162 and 274 ms in full runs against 17 ms run alone, 7 December).
 * Each window then starts from the same settled server. Needs pg_checkpoint (.ci/run
 * grants it); without it the run says so once and goes on.
 */
async function checkpoint(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CHECKPOINT');
  } catch (error) {
    if (!checkpointRefused)
      console.log(`PostgreSQL: no CHECKPOINT before each window (${error instanceof Error ? error.message : String(error)}; GRANT pg_checkpoint TO the user)`);
    checkpointRefused = true;
  } finally {
    await client.end();
  }
}
let checkpointRefused = false;

/** The engine on PostgreSQL in `processes` processes: their results as one. */
async function postgresEngine(adminUrl: string, processes: number, options: Options, rate?: number): Promise<RunResult> {
  const window = { warmup: options.warmup, seconds: rate ? options.pacedSeconds : options.seconds };
  const results = await onScratchPostgres(adminUrl, (url) => inProcesses<RunResult>(url, processes, { mode: 'load', ...(rate ? { rate } : {}) }, options.pgResidents, window));
  const latencies = results.flatMap((r) => r.latencies);
  return {
    perSecond: results.reduce((sum, r) => sum + r.perSecond, 0),
    messages: latencies.length,
    seconds: Math.max(...results.map((r) => r.seconds)),
    tickets: results.reduce((sum, r) => sum + r.tickets, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    latencies,
    ...(rate ? { missed: results.reduce((sum, r) => sum + (r.missed ?? 0), 0) } : {}),
    // Summed over the processes: 150 % is one and a half cores.
    cpu: results.reduce((sum, r) => sum + r.cpu, 0),
    statements: { prisma: 0, plain: 0, commits: 0 },
  };
}

/** The PostgreSQL ceiling (src/bench/raw-postgres.ts) in `processes` processes of `connections` connections each. */
async function postgresRaw(adminUrl: string, processes: number, connections: number, options: Options): Promise<CeilingResult> {
  const results = await onScratchPostgres(adminUrl, (url) =>
    inProcesses<CeilingResult>(url, processes, { mode: 'ceiling', connections }, options.pgResidents, ceilingWindow(options)),
  );
  return {
    perSecond: results.reduce((sum, r) => sum + r.perSecond, 0),
    messages: results.reduce((sum, r) => sum + r.messages, 0),
    seconds: Math.max(...results.map((r) => r.seconds)),
    cpu: results.reduce((sum, r) => sum + r.cpu, 0),
  };
}

/**
 * The same engine load (closed loop, `options.residents`) on a fresh file and on one
 * grown to `options.growth` conversations (src/bench/growth.ts), each served by a worker
 * process of its own started on the file as a restarted server would be (so neither
 * measurement inherits the other's warmed-up code or heap).
 */
async function growth(options: Options): Promise<string[]> {
  const lines: string[] = [];
  const perCpuSecond: number[] = [];
  for (const grow of [false, true]) {
    const dir = mkdtempSync(join(tmpdir(), 'minqing-growth-'));
    const url = `file:${join(dir, 'growth.db')}`;
    try {
      // Migrated and seeded with the demo county, as the first start would.
      await (await startBenchApp({ url })).dispose();
      const t0 = performance.now();
      const grown = grow ? growDatabase(sqliteFilePath(url), options.growth) : undefined;
      const growSeconds = (performance.now() - t0) / 1000;
      const size = `${mib(statSync(sqliteFilePath(url)).size).toLocaleString('en')} MiB`;
      const [run] = await inProcesses<RunResult>(url, 1, { mode: 'load' }, options.residents, { warmup: options.warmup, seconds: options.seconds });
      if (!run) throw new Error('the growth run gave no result');
      lines.push(
        formatRun(
          grown
            ? `growth: grown file (${size}: ${grown.conversations.toLocaleString('en')} conversations, ${grown.events.toLocaleString('en')} events, ` +
                `${grown.inbound.toLocaleString('en')} inbound and ${grown.outbox.toLocaleString('en')} outbox rows, written in ${growSeconds.toFixed(0)} s)`
            : `growth: fresh file (${size})`,
          run,
        ),
      );
      perCpuSecond.push(run.perSecond / Math.max(run.cpu, 0.01));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const [fresh = NaN, grown = NaN] = perCpuSecond;
  lines.push(`growth: grown / fresh file, msg per CPU-second: ${((100 * grown) / fresh).toFixed(1)} %`);
  return lines;
}

await runCli(async () => {
  const options = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  const say = (line: string) => console.log(line);
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  say(
    `Minqing dialogue benchmark · ${new Date().toISOString().slice(0, 10)} · node ${process.version} ${process.execArgv.join(' ')} · ${cpus().length} cores · load average ${load()} · ` +
      `${options.residents} residents of the demo county and their liaisons`,
  );
  // The in-process runs measure the product only with the flags `npm start` runs it with.
  const missing = startScriptFlags().filter((flag) => !process.execArgv.includes(flag));
  if (missing.length) console.log(`note: this process lacks ${missing.join(' ')} of npm start (use npm run bench): the in-process figures are not the product's`);
  let sustained: RunResult | undefined;
  if (options.only.has('sustained')) {
    sustained = await withApp(options.residents, (bench, pairs) => measure(bench, pairs, { warmupSeconds: options.warmup, seconds: options.seconds }));
    say(formatRun(`SQLite sustained (closed loop, ${options.seconds} s)`, sustained));
  }
  if (options.only.has('paced')) {
    const paced = await withApp(options.residents, (bench, pairs) =>
      measure(bench, pairs, { warmupSeconds: Math.min(options.warmup, 3), seconds: options.pacedSeconds, rate: options.rate }),
    );
    say(formatRun(`SQLite paced (${options.rate.toLocaleString('en')} msg/s offered, ${options.pacedSeconds} s)`, paced));
  }
  const share = (engine: number, ceiling: number) => `${((100 * engine) / ceiling).toFixed(1)} %`;
  const rate = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en')} msg/s`;
  if (options.only.has('raw')) {
    const perMessage = await sqliteRaw(options, 'per-message');
    // With synchronous FULL every commit waits for the disk: this ceiling is the disk's, which the engine's group commit escapes.
    say(`raw ceiling (same rows, plain better-sqlite3 statements, one transaction per message, synchronous ${sqliteSynchronous()}): ${rate(perMessage.perSecond)}`);
    if (sustained) say(`engine / raw ceiling: ${share(sustained.perSecond, perMessage.perSecond)}`);
    const grouped = await sqliteRaw(options, 'grouped');
    say(`grouped ceiling (same rows and statements, commits grouped like the engine's: ${groupBounds.members} messages or ${groupBounds.ms} ms): ${rate(grouped.perSecond)}`);
    if (sustained) say(`engine / grouped ceiling: ${share(sustained.perSecond, grouped.perSecond)} (target at least 40 %)`);
  }
  if (options.only.has('sessions')) for (const line of await sessions(options)) say(line);
  if (options.only.has('postgres')) {
    const url = process.env['MINQING_BENCH_POSTGRES_URL'];
    if (!url) say('PostgreSQL: skipped (set MINQING_BENCH_POSTGRES_URL to a server where the user may create databases)');
    else {
      const connections = 8;
      const ceiling = await postgresRaw(url, 1, connections, options);
      say(`PostgreSQL ceiling (same rows, pg, ${connections} connections): ${rate(ceiling.perSecond)} · CPU ${Math.round(ceiling.cpu * 100)} % of a core`);
      const ceilingTwo = await postgresRaw(url, 2, connections, options);
      say(`PostgreSQL ceiling, 2 processes × ${connections} connections: ${rate(ceilingTwo.perSecond)} (${(ceilingTwo.perSecond / ceiling.perSecond).toFixed(2)}× one process)`);
      const one = await postgresEngine(url, 1, options);
      say(formatRun(`PostgreSQL sustained, 1 process (${options.pgResidents} residents)`, one));
      say(`PostgreSQL engine / ceiling: ${share(one.perSecond, ceiling.perSecond)} (target at least 50 %)`);
      const two = await postgresEngine(url, 2, options);
      say(formatRun(`PostgreSQL sustained, 2 processes (${options.pgResidents} residents)`, two));
      say(`PostgreSQL 2 processes / 1 process: ${(two.perSecond / one.perSecond).toFixed(2)}× (target at least 1.6×)`);
      const paced = await postgresEngine(url, 1, options, options.pgRate);
      say(formatRun(`PostgreSQL paced, 1 process (${options.pgRate} msg/s offered, ${options.pacedSeconds} s; target p99 at most 50 ms)`, paced));
    }
  }
  if (options.only.has('growth')) for (const line of await growth(options)) say(line);
  else if (DEFAULT_PHASES.every((phase) => options.only.has(phase))) say(`growth: not run (minutes of its own: npm run bench -- --only growth)`);
  say(`load average at the end: ${load()}`);
  return 0;
});
