/**
 * Builds the migrated templates once per test run: a SQLite file each test copies (see
 * test/helpers/db.ts), which is much faster than migrating every time, and, when
 * MINQING_TEST_POSTGRES_URL is set, PostgreSQL template databases each test clones
 * (CREATE DATABASE … TEMPLATE: ~0.5 s, against ~6 s to migrate and seed the demo county).
 * Each comes bare and with the demo county loaded.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrations.js';
import { dropScratchPostgres, scratchPostgres } from '../src/db/scratch.js';
import { seedDemo } from '../src/org/seed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    sqliteTemplate: string;
    /** The same, with the demo county loaded. */
    sqliteDemoTemplate: string;
    /** How the names of this run's PostgreSQL databases start (each is dropped at the end). */
    postgresPrefix: string;
    /** The name of the migrated PostgreSQL template database ('' when there is no server). */
    postgresTemplate: string;
    /** The same, with the demo county loaded. */
    postgresDemoTemplate: string;
  }
}

async function sqliteTemplates(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'minqing-template-'));
  const path = join(dir, 'template.db');
  await applyMigrations('sqlite', `file:${path}`);
  project.provide('sqliteTemplate', path);
  const demoPath = join(dir, 'demo.db');
  copyFileSync(path, demoPath);
  const demo = await openDatabase(`file:${demoPath}`, { migrate: false });
  await seedDemo(demo.db);
  // Fold the write-ahead log into the file so a plain copy carries everything.
  await demo.db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
  await demo.close();
  project.provide('sqliteDemoTemplate', demoPath);
  return () => rmSync(dir, { recursive: true, force: true });
}

async function postgresTemplates(project: TestProject, serverUrl: string): Promise<() => Promise<void>> {
  // One prefix per run: the end drops whatever of this run is left, and nothing of another.
  const prefix = `minqing_test_${Math.random().toString(36).slice(2, 8)}`;
  project.provide('postgresPrefix', prefix);
  const bare = await scratchPostgres(serverUrl, `${prefix}_template`);
  await (await openDatabase(bare.url)).close(); // opening migrates it
  const demo = await scratchPostgres(serverUrl, `${prefix}_template`, databaseName(bare.url));
  const demoDatabase = await openDatabase(demo.url, { migrate: false });
  await seedDemo(demoDatabase.db);
  await demoDatabase.close();
  // Vacuumed and analysed once here, so that clones start with statistics and no
  // autovacuum worker connects to a template while a test clones it; then closed to
  // connections for the same reason.
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  try {
    for (const template of [bare, demo]) {
      const clientForTemplate = new pg.Client(template.url);
      await clientForTemplate.connect();
      await clientForTemplate.query('VACUUM ANALYZE');
      await clientForTemplate.end();
      await admin.query(`ALTER DATABASE "${databaseName(template.url)}" WITH ALLOW_CONNECTIONS false`);
    }
  } finally {
    await admin.end();
  }
  project.provide('postgresTemplate', databaseName(bare.url));
  project.provide('postgresDemoTemplate', databaseName(demo.url));
  // The templates, and the databases tests made ahead or dropped without waiting (see test/helpers/db.ts).
  return () => dropScratchPostgres(serverUrl, prefix);
}

function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env['MINQING_TEST_POSTGRES_URL'];
  if (!serverUrl) {
    console.log('PostgreSQL runs skipped: MINQING_TEST_POSTGRES_URL is not set (.ci/run sets it).');
    project.provide('postgresPrefix', '');
    project.provide('postgresTemplate', '');
    project.provide('postgresDemoTemplate', '');
  }
  const [dropSqlite, dropPostgres] = await Promise.all([sqliteTemplates(project), serverUrl ? postgresTemplates(project, serverUrl) : undefined]);
  return async () => {
    dropSqlite();
    await dropPostgres?.();
  };
}
