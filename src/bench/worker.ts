/**
 * One benchmark process, for the runs that need a process of their own:
 *
 * - `--mode load` (the multi-process PostgreSQL runs): serves the database at --url with
 *   its own app (engine, scheduler, in-memory channel), drives its share of the
 *   simulated people, and prints its result as one JSON line. It waits for "go" on
 *   stdin so that every process measures the same window.
 * - `--mode sessions` (the memory figure): on a database that is already seeded (as a
 *   server restarted on it), makes --sessions stored conversations through the engine,
 *   then serves the simulated people at --rate messages/s, and prints its RSS figures.
 *
 *   tsx src/bench/worker.ts --mode load --url URL --channel web --offset N --count N --tag T --warmup S --seconds S
 *   tsx src/bench/worker.ts --mode sessions --url URL --count N --sessions N --rate N --seconds S [--heap-snapshots DIR]
 *
 * In sessions mode the result also holds `memory`: process.memoryUsage() at each point
 * (started, serving, stored, end), for finding where the RSS goes; --heap-snapshots
 * writes a V8 heap snapshot at serving and at stored into DIR (slow: seconds each).
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeHeapSnapshot } from 'node:v8';
import { setLogLevel } from '../log.js';
import type { Channel } from '../org/types.js';
import { startBenchApp } from './bench-app.js';
import { bindPairs } from './load.js';
import { measure } from './phases.js';
import { createSessions } from './sessions.js';

function arg(name: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const rss = () => process.memoryUsage().rss;
/** Memory in MiB, by kind, at a point of the run. */
const memory: Record<string, Record<string, number>> = {};
function note(point: string): void {
  memory[point] = Object.fromEntries(Object.entries(process.memoryUsage()).map(([kind, bytes]) => [kind, Math.round(bytes / 2 ** 20)]));
  const dir = option('heap-snapshots');
  if (dir && point !== 'started' && point !== 'end') writeHeapSnapshot(join(dir, `${point}.heapsnapshot`));
}

setLogLevel('warn');
const mode = arg('mode');
const channel = (mode === 'load' ? arg('channel') : 'web') as Channel;
const started = rss();
note('started');
// The memory figure is the product's: with npm start's web server too.
const bench = await startBenchApp({ url: arg('url'), overrides: { SEED_DEMO: false }, channel, webServer: mode === 'sessions' });
try {
  if (mode === 'load') {
    const pairs = await bindPairs(bench.app.database.db, Number(arg('count')), { tag: arg('tag'), offset: Number(arg('offset')), channel });
    console.log(JSON.stringify({ ready: true, pairs: pairs.length }));
    const lines = createInterface({ input: process.stdin });
    await new Promise<void>((resolve) => lines.once('line', () => resolve()));
    lines.close();
    const run = await measure(bench, pairs, { warmupSeconds: Number(arg('warmup')), seconds: Number(arg('seconds')) });
    console.log(JSON.stringify({ result: run }));
  } else {
    const pairs = await bindPairs(bench.app.database.db, Number(arg('count')));
    const serving = rss();
    note('serving');
    const count = Number(arg('sessions'));
    const t0 = performance.now();
    await createSessions(bench.app, count);
    const seconds = (performance.now() - t0) / 1000;
    const stored = await bench.app.database.db.chatSession.count();
    global.gc?.();
    const afterCreate = rss();
    note('stored');
    let peak = afterCreate;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
    const run = await measure(bench, pairs, { warmupSeconds: 2, seconds: Number(arg('seconds')), rate: Number(arg('rate')) });
    clearInterval(sampler);
    peak = Math.max(peak, rss());
    note('end');
    console.log(JSON.stringify({ sessions: { started, serving, afterCreate, peak, stored, seconds, heap: process.memoryUsage().heapUsed, memory, run } }));
  }
} finally {
  await bench.dispose();
}
