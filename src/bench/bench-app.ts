/**
 * A benchmark instance of Minqing: a fresh database (a new SQLite file, or a PostgreSQL
 * database given by URL), migrated and seeded with the demo county, served by the real
 * app with one in-memory web channel that acknowledges at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, startApp } from '../app.js';
import { type Config, parseConfig } from '../config.js';
import type { Channel } from '../org/types.js';
import { InstantAdapter } from './load.js';

export interface BenchApp {
  app: App;
  adapter: InstantAdapter;
  url: string;
  /** Stops the app and removes the temporary files. */
  dispose(): Promise<void>;
}

/** Settings for a benchmark run on `url`. */
export function benchConfig(url: string, overrides: Partial<Config> = {}): Config {
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

export interface BenchAppOptions {
  /** The database; default: a new SQLite file in a temporary folder. */
  url?: string;
  overrides?: Partial<Config>;
  /** The channel of the in-memory adapter (default web). */
  channel?: Channel;
  /**
   * Also run the web server of `npm start` (Botkit's web chat adapter with the staff
   * console and the public board), idle, so that the process holds what the product's
   * does; the in-memory adapter still takes the web channel's deliveries.
   */
  webServer?: boolean;
}

/** Starts the app with one in-memory channel. */
export async function startBenchApp(options: BenchAppOptions = {}): Promise<BenchApp> {
  const { url, overrides = {}, channel = 'web' } = options;
  const dir = url ? undefined : mkdtempSync(join(tmpdir(), 'minqing-bench-'));
  const target = url ?? `file:${join(dir ?? '', 'bench.db')}`;
  const config = benchConfig(target, overrides);
  const adapter = new InstantAdapter(channel);
  const opened: { app?: App } = {};
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
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
