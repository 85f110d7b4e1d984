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
    ...parseConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', SEED_DEMO: 'true' }),
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
}

/** Starts the app with one in-memory channel. */
export async function startBenchApp(options: BenchAppOptions = {}): Promise<BenchApp> {
  const { url, overrides = {}, channel = 'web' } = options;
  const dir = url ? undefined : mkdtempSync(join(tmpdir(), 'minqing-bench-'));
  const target = url ?? `file:${join(dir ?? '', 'bench.db')}`;
  const adapter = new InstantAdapter(channel);
  const app = await startApp(benchConfig(target, overrides), { adapters: [adapter] });
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
