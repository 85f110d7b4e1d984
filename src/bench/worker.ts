/**
 * One benchmark process for the multi-process runs: serves the database at --url with
 * its own app (engine, scheduler, in-memory channel), drives its share of the simulated
 * people, and prints its result as one JSON line. It waits for "go" on stdin so that
 * every process measures the same window.
 *
 *   tsx src/bench/worker.ts --url URL --channel web --offset N --count N --tag T --warmup S --seconds S
 */
import { createInterface } from 'node:readline';
import { setLogLevel } from '../log.js';
import type { Channel } from '../org/types.js';
import { startBenchApp } from './bench-app.js';
import { bindPairs } from './load.js';
import { measure } from './phases.js';

function arg(name: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

setLogLevel('warn');
const channel = arg('channel') as Channel;
const bench = await startBenchApp({ url: arg('url'), overrides: { SEED_DEMO: false }, channel });
try {
  const pairs = await bindPairs(bench.app.database.db, Number(arg('count')), { tag: arg('tag'), offset: Number(arg('offset')), channel });
  console.log(JSON.stringify({ ready: true, pairs: pairs.length }));
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
  const run = await measure(bench, pairs, { warmupSeconds: Number(arg('warmup')), seconds: Number(arg('seconds')) });
  console.log(JSON.stringify({ result: run }));
} finally {
  await bench.dispose();
}
