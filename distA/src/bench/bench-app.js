/**
 * A benchmark instance of Minqing: a fresh database (a new SQLite file, or a PostgreSQL
 * database given by URL), migrated and seeded with the demo county, served by the real
 * app with one in-memory web channel that acknowledges at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../app.js';
import { parseConfig } from '../config.js';
import { InstantAdapter } from './load.js';
/** Settings for a benchmark run on `url`. */
export function benchConfig(url, overrides = {}) {
    return {
        // The demo county without its history: the benchmark's residents start with no tickets.
        // SQLITE_SYNCHRONOUS=normal measures the other durability setting.
        ...parseConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', SEED_DEMO: 'true', SEED_DEMO_HISTORY_MONTHS: '0', SQLITE_SYNCHRONOUS: process.env['SQLITE_SYNCHRONOUS'] }),
        // Simulated people type far faster than people do: the flood note would stop them.
        FLOOD_PER_MINUTE: Number.MAX_SAFE_INTEGER,
        // People act on pushes (the liaison on the ping, the resident on the rating request):
        // the scheduler looks every 100 ms (the settings allow 200 ms at least; 5 s by default).
        SCHEDULER_INTERVAL_MS: 100,
        ...overrides,
    };
}
/** Starts the app with one in-memory channel. */
export async function startBenchApp(options = {}) {
    const { url, overrides = {}, channel = 'web' } = options;
    const dir = url ? undefined : mkdtempSync(join(tmpdir(), 'minqing-bench-'));
    const target = url ?? `file:${join(dir ?? '', 'bench.db')}`;
    const config = benchConfig(target, overrides);
    const adapter = new InstantAdapter(channel);
    const opened = {};
    const web = options.webServer
        ? (await import('../../bots/web/web-adapter.js')).createWebAdapter({
            port: 0,
            database: () => opened.app?.database,
            routes: (await import('../web/routes.js')).createWebRoutes({ app: () => opened.app, config }),
        })
        : undefined;
    // The in-memory adapter last: of two adapters of one channel, the app delivers to the last.
    const app = (opened.app = await startApp(config, { adapters: [...(web ? [web] : []), adapter] }));
    return {
        app,
        adapter,
        url: target,
        async dispose() {
            await app.stop();
            if (dir)
                rmSync(dir, { recursive: true, force: true });
        },
    };
}
