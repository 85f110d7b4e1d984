/**
 * A real SQLite database file per test, copied from the migrated template, and (when
 * MINQING_TEST_POSTGRES_URL is set) a fresh PostgreSQL database per test.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';
import { scratchPostgres } from '../../src/db/scratch.js';

export interface TestDatabase extends Database {
  readonly url: string;
  /** Closes the database and deletes its files. */
  dispose(): Promise<void>;
}

/** A fresh, migrated SQLite database in its own temporary folder (with the demo county if asked). */
export async function freshSqlite(options: { demo?: boolean } = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'minqing-test-'));
  const path = join(dir, 'test.db');
  copyFileSync(inject(options.demo ? 'sqliteDemoTemplate' : 'sqliteTemplate'), path);
  const url = `file:${path}`;
  const database = await openDatabase(url, { migrate: false });
  return {
    ...database,
    url,
    async dispose() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL server URL for the PostgreSQL suite, or undefined (suite skipped). */
export const POSTGRES_URL = process.env['MINQING_TEST_POSTGRES_URL'];

/** A URL to a new, empty PostgreSQL database on the test server, dropped by `drop()`. */
export async function emptyPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!POSTGRES_URL) throw new Error('MINQING_TEST_POSTGRES_URL is not set');
  return scratchPostgres(POSTGRES_URL, 'minqing_test');
}

/** A fresh, migrated PostgreSQL database. */
export async function freshPostgres(): Promise<TestDatabase> {
  const empty = await emptyPostgres();
  const database = await openDatabase(empty.url);
  return {
    ...database,
    url: empty.url,
    async dispose() {
      await database.close();
      await empty.drop();
    },
  };
}
