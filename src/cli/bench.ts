/**
 * Throughput benchmark of the dialogue engine (a benchmark, not a test). Simulated
 * residents of the demo county report, their paired liaisons accept and resolve, the
 * residents rate (src/bench/load.ts): every message goes through the real app on a fresh
 * database, with an in-memory channel that acknowledges at once. It prints:
 *
 * - sustained: the closed-loop rate (each person sends on as soon as answered) and the
 *   per-message latency (turn committed, replies sent, outbox marked);
 * - paced: latency with a fixed rate offered (default 1,000 messages/s);
 * - raw ceiling: the same rows written with plain better-sqlite3 statements, and the
 *   engine's share of it;
 * - sessions: process RSS while serving, with 100,000 stored conversations (created
 *   through the engine by that many first-time visitors);
 * - PostgreSQL with 1 and 2 processes when MINQING_BENCH_POSTGRES_URL names a server (a
 *   database is created for each run and dropped after).
 *
 *   npm run bench [-- --residents 450 --pg-residents 200 --seconds 20 --warmup 5 --rate 1000
 *                     --paced-seconds 15 --sessions 100000 --only sustained,paced,raw,sessions,postgres]
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sqliteFilePath } from '../db/migrations.js';
import { scratchPostgres } from '../db/scratch.js';
import { ConfigError } from '../errors.js';
import { setLogLevel } from '../log.js';
import { type BenchApp, startBenchApp } from '../bench/bench-app.js';
import { bindPairs, type Pair } from '../bench/load.js';
import { formatRun, measure, type RunResult } from '../bench/phases.js';
import { type RawPair, rawCeiling } from '../bench/raw.js';
import { startScriptFlags } from '../paths.js';
import { runCli } from './run-cli.js';

const PHASES = ['sustained', 'paced', 'raw', 'sessions', 'postgres'] as const;
type Phase = (typeof PHASES)[number];

interface Options {
  residents: number;
  /** Residents of the PostgreSQL runs (shared by the processes). */
  pgResidents: number;
  seconds: number;
  warmup: number;
  rate: number;
  pacedSeconds: number;
  sessions: number;
  only: Set<Phase>;
}

const USAGE =
  'usage: npm run bench -- [--residents N] [--pg-residents N] [--seconds S] [--warmup S] [--rate N] [--paced-seconds S] [--sessions N] [--only ' +
  PHASES.join(',') +
  ']';

function parseArgs(args: readonly string[]): Options {
  const options: Options = { residents: 450, pgResidents: 200, seconds: 20, warmup: 5, rate: 1000, pacedSeconds: 15, sessions: 100_000, only: new Set(PHASES) };
  const numeric: Record<string, keyof Omit<Options, 'only'>> = {
    '--residents': 'residents',
    '--pg-residents': 'pgResidents',
    '--seconds': 'seconds',
    '--warmup': 'warmup',
    '--rate': 'rate',
    '--paced-seconds': 'pacedSeconds',
    '--sessions': 'sessions',
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

/** The raw ceiling on a fresh database holding the same people, for as many rounds as fill ~`seconds`. */
async function raw(residents: number): Promise<{ perSecond: number; messages: number }> {
  const bench = await startBenchApp();
  const pairs: RawPair[] = [];
  try {
    const path = sqliteFilePath(bench.url);
    await bench.app.scheduler.stop();
    const { db } = bench.app.database;
    for (const pair of await bindPairs(db, residents)) {
      const identity = (chatId: string) =>
        db.channelIdentity.findUniqueOrThrow({ where: { channel_platformUserId: { channel: 'web', platformUserId: chatId } }, include: { person: true } });
      const resident = await identity(pair.residentChat);
      const liaison = await identity(pair.liaisonChat);
      const household = await db.household.findUniqueOrThrow({ where: { id: resident.person.householdId ?? -1 }, include: { grids: true } });
      pairs.push({
        resident: { personId: resident.personId, chatId: pair.residentChat, identityId: resident.id },
        liaison: { personId: liaison.personId, chatId: pair.liaisonChat, identityId: liaison.id },
        householdId: household.id,
        regionId: household.regionId,
        gridId: household.grids[0]?.gridId ?? null,
      });
    }
    await bench.app.database.close();
    // A first short round warms the statements up; the second is measured.
    await rawCeiling(path, pairs, 1);
    const run = await rawCeiling(path, pairs, 20);
    return { perSecond: run.messages / (run.ms / 1000), messages: run.messages };
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
      ['--rate', String(options.rate), '--seconds', String(Math.min(options.pacedSeconds, 10)), ...(process.env['BENCH_SNAPSHOTS'] ? ['--heap-snapshots', process.env['BENCH_SNAPSHOTS']] : [])],
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

/** Runs `processes` worker processes on one fresh PostgreSQL database, each with its own share of the people. */
async function postgres(adminUrl: string, processes: number, options: Options): Promise<RunResult> {
  const database = await scratchPostgres(adminUrl, 'minqing_bench');
  try {
    // Migrate and seed once, before the workers start.
    await (await startBenchApp({ url: database.url })).app.stop();
    // Whole liaisons per process (blocks of 10 households), one channel each: a process
    // delivers the pushes of its own people (two channels stand for two sets of chats).
    const channels = ['web', 'console'] as const;
    const residents = options.pgResidents;
    const share = Math.floor(residents / processes / 10) * 10;
    const children = Array.from({ length: processes }, (_, i) => {
      const child = spawn(
        process.execPath,
        [
          ...WORKER,
          ...['--mode', 'load', '--url', database.url, '--channel', channels[i] ?? 'web', '--tag', `p${i}`],
          ...['--offset', String(i * share), '--count', String(i === processes - 1 ? residents - i * share : share)],
          ...['--warmup', String(options.warmup), '--seconds', String(options.seconds)],
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
    for (const c of children) c.child.stdin.write('go\n');
    const results = (await Promise.all(children.map((c) => c.next('result')))).map((m) => m['result'] as RunResult);
    const latencies = results.flatMap((r) => r.latencies);
    return {
      perSecond: results.reduce((sum, r) => sum + r.perSecond, 0),
      messages: latencies.length,
      seconds: Math.max(...results.map((r) => r.seconds)),
      tickets: results.reduce((sum, r) => sum + r.tickets, 0),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      latencies,
      // Summed over the processes: 150 % is one and a half cores.
      cpu: results.reduce((sum, r) => sum + r.cpu, 0),
      statements: { prisma: 0, plain: 0, commits: 0 },
    };
  } finally {
    await database.drop();
  }
}

await runCli(async () => {
  const options = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  const say = (line: string) => console.log(line);
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
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
  if (options.only.has('raw')) {
    const ceiling = await raw(options.residents);
    say(`raw ceiling (same rows, plain better-sqlite3 statements, one transaction per message): ${Math.round(ceiling.perSecond).toLocaleString('en')} msg/s`);
    if (sustained) say(`engine / raw ceiling: ${((100 * sustained.perSecond) / ceiling.perSecond).toFixed(1)} %`);
  }
  if (options.only.has('sessions')) for (const line of await sessions(options)) say(line);
  if (options.only.has('postgres')) {
    const url = process.env['MINQING_BENCH_POSTGRES_URL'];
    if (!url) say('PostgreSQL: skipped (set MINQING_BENCH_POSTGRES_URL to a server where the user may create databases)');
    else {
      for (const processes of [1, 2]) {
        const run = await postgres(url, processes, options);
        say(formatRun(`PostgreSQL sustained, ${processes} process${processes > 1 ? 'es' : ''} (${options.pgResidents} residents)`, run));
      }
    }
  }
  say(`load average at the end: ${load()}`);
  return 0;
});
