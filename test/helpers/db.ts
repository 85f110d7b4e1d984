/**
 * A real SQLite database file per test, copied from the migrated template, and (when
 * MINQING_TEST_POSTGRES_URL is set) a fresh PostgreSQL database per test, cloned from the
 * migrated template database (both templates are built once per run: test/global-setup.ts).
 *
 * `eachDatabase` declares a suite once per database, so that one test body runs on both.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, inject, onTestFinished } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';
import { scratchPostgres } from '../../src/db/scratch.js';

export interface TestDatabase extends Database {
  readonly url: string;
  /** Closes the database and deletes its files. */
  dispose(): Promise<void>;
}

/** What a fresh test database holds: the migrated schema, and the demo county if asked. */
export interface FreshOptions {
  demo?: boolean;
}

/** A fresh, migrated SQLite database in its own temporary folder (with the demo county if asked). */
export async function freshSqlite(options: FreshOptions = {}): Promise<TestDatabase> {
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

function postgresServer(): string {
  if (!POSTGRES_URL) throw new Error('MINQING_TEST_POSTGRES_URL is not set');
  return POSTGRES_URL;
}

/** A URL to a new, empty PostgreSQL database on the test server, dropped by `drop()`. */
export async function emptyPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  return scratchPostgres(postgresServer(), inject('postgresPrefix'));
}

type Scratch = Awaited<ReturnType<typeof scratchPostgres>>;

/**
 * A clone of each template made ahead, while the test that took the last one runs: a
 * test then rarely waits for CREATE DATABASE. One this process never takes is dropped
 * at the end of the run, with the run's other databases (test/global-setup.ts).
 */
const spareClones = new Map<string, Promise<Scratch>>();

function cloneOf(template: string): Promise<Scratch> {
  return scratchPostgres(postgresServer(), inject('postgresPrefix'), template);
}

function takeClone(template: string): Promise<Scratch> {
  const taken = spareClones.get(template) ?? cloneOf(template);
  const spare = cloneOf(template);
  // Its failure is reported to the test that takes it.
  spare.catch(() => undefined);
  spareClones.set(template, spare);
  return taken;
}

/**
 * A fresh, migrated PostgreSQL database (with the demo county if asked). Disposing it
 * closes it and drops it without waiting (a DROP DATABASE takes ~1 s); what a process
 * ends before dropping goes at the end of the run.
 */
export async function freshPostgres(options: FreshOptions = {}): Promise<TestDatabase> {
  const scratch = await takeClone(inject(options.demo ? 'postgresDemoTemplate' : 'postgresTemplate'));
  const database = await openDatabase(scratch.url, { migrate: false });
  return {
    ...database,
    url: scratch.url,
    async dispose() {
      await database.close();
      void scratch.drop().catch(() => undefined);
    },
  };
}

/**
 * A URL to a new copy of the migrated database with the demo county, for an app that
 * opens it itself; `drop()` deletes it once the app has closed it.
 */
export async function demoDatabaseUrl(kind: TestDatabaseKind): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind.name === 'PostgreSQL') {
    const scratch = await takeClone(inject('postgresDemoTemplate'));
    return { url: scratch.url, drop: () => scratch.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'minqing-test-'));
  copyFileSync(inject('sqliteDemoTemplate'), join(dir, 'test.db'));
  return { url: `file:${join(dir, 'test.db')}`, drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
}

/** One of the databases the tests run on. */
export interface TestDatabaseKind {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** False when this run has no such database (PostgreSQL without MINQING_TEST_POSTGRES_URL): its suites are skipped. */
  readonly available: boolean;
  readonly fresh: (options?: FreshOptions) => Promise<TestDatabase>;
}

export const SQLITE: TestDatabaseKind = { name: 'SQLite', available: true, fresh: freshSqlite };
export const POSTGRES: TestDatabaseKind = { name: 'PostgreSQL', available: Boolean(POSTGRES_URL), fresh: freshPostgres };

/**
 * Declares the suite `body` once per database, as `on SQLite` and `on PostgreSQL`; the
 * PostgreSQL one is skipped (and counted as skipped) when the run has no server.
 */
export function eachDatabase(body: (kind: TestDatabaseKind) => void): void {
  for (const kind of [SQLITE, POSTGRES]) describe.skipIf(!kind.available)(`on ${kind.name}`, () => body(kind));
}

/** What `opened` gives, disposed when the test (or beforeEach) that opened it ends. */
export async function forThisTest<T extends { dispose(): Promise<void> }>(opened: Promise<T>): Promise<T> {
  const it = await opened;
  onTestFinished(() => it.dispose());
  return it;
}

/**
 * Declares `body` once per database (see eachDatabase), its tests each opening fresh
 * databases of that kind with `freshDatabase()`, disposed when the test ends: no suite
 * keeps a variable only to dispose of it.
 */
export function eachFreshDatabase(body: (freshDatabase: (options?: FreshOptions) => Promise<TestDatabase>, kind: TestDatabaseKind) => void): void {
  eachDatabase((kind) => body((options) => forThisTest(kind.fresh(options)), kind));
}
