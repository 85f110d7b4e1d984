/**
 * One benchmark process, for the runs that need a process of their own:
 *
 * - `--mode load` (the PostgreSQL runs and the growth phase): serves the database at --url with
 *   its own app (engine, scheduler, in-memory channel), drives its share of the
 *   simulated people (closed loop, or --rate messages/s offered), and prints its result
 *   as one JSON line. It waits for "go" on stdin so that every process measures the
 *   same window.
 * - `--mode ceiling` (the PostgreSQL ceiling): binds its share of the people as `load`
 *   does, stops its scheduler, and after "go" writes their rows with plain `pg` on
 *   --connections connections (src/bench/raw-postgres.ts).
 * - `--mode sessions` (the memory figure): on a database that is already seeded (as a
 *   server restarted on it), makes --sessions stored conversations through the engine,
 *   then serves the simulated people at --rate messages/s, and prints its RSS figures.
 *
 *   tsx src/bench/worker.ts --mode load --url URL --channel web --offset N --count N --tag T --warmup S --seconds S [--rate N]
 *   tsx src/bench/worker.ts --mode ceiling --url URL --channel web --offset N --count N --tag T --warmup S --seconds S --connections N
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
import { startBenchApp } from './bench-app.js';
import { rawPairs } from './ceiling.js';
import { bindPairs } from './load.js';
import { measure } from './phases.js';
import { postgresCeiling } from './raw-postgres.js';
import { createSessions } from './sessions.js';
function arg(name) {
    const index = process.argv.indexOf(`--${name}`);
    const value = index >= 0 ? process.argv[index + 1] : undefined;
    if (value === undefined)
        throw new Error(`missing --${name}`);
    return value;
}
function option(name) {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? process.argv[index + 1] : undefined;
}
const rss = () => process.memoryUsage().rss;
/** Memory in MiB, by kind, at a point of the run. */
const memory = {};
function note(point) {
    memory[point] = Object.fromEntries(Object.entries(process.memoryUsage()).map(([kind, bytes]) => [kind, Math.round(bytes / 2 ** 20)]));
    const dir = option('heap-snapshots');
    if (dir && point !== 'started' && point !== 'end')
        writeHeapSnapshot(join(dir, `${point}.heapsnapshot`));
}
setLogLevel('warn');
const mode = arg('mode');
const channel = (mode === 'sessions' ? 'web' : arg('channel'));
const started = rss();
note('started');
// The memory figure is the product's: with npm start's web server too.
const bench = await startBenchApp({ url: arg('url'), overrides: { SEED_DEMO: false }, channel, webServer: mode === 'sessions' });
/** Says it is ready and waits for "go" on stdin. */
async function ready(pairs) {
    console.log(JSON.stringify({ ready: true, pairs }));
    const lines = createInterface({ input: process.stdin });
    await new Promise((resolve) => lines.once('line', () => resolve()));
    lines.close();
}
try {
    if (mode === 'load' || mode === 'ceiling') {
        const pairs = await bindPairs(bench.app.database.db, Number(arg('count')), { tag: arg('tag'), offset: Number(arg('offset')), channel });
        const [warmupSeconds, seconds] = [Number(arg('warmup')), Number(arg('seconds'))];
        if (mode === 'load') {
            await ready(pairs.length);
            const rate = option('rate');
            const run = await measure(bench, pairs, { warmupSeconds, seconds, ...(rate ? { rate: Number(rate) } : {}) });
            console.log(JSON.stringify({ result: run }));
        }
        else {
            const raw = await rawPairs(bench.app.database.db, pairs);
            // Nothing but the ceiling's statements while it runs.
            await bench.app.scheduler.stop();
            await ready(pairs.length);
            console.log(JSON.stringify({ result: await postgresCeiling(arg('url'), raw, Number(arg('connections')), warmupSeconds, seconds) }));
        }
    }
    else {
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
}
finally {
    await bench.dispose();
}
