/**
 * Builds one migrated SQLite template per test run; each test copies it into a fresh
 * file (see test/helpers/db.ts), which is much faster than migrating every time.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrations.js';
import { seedDemo } from '../src/org/seed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    sqliteTemplate: string;
    /** The same, with the demo county loaded. */
    sqliteDemoTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
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
  if (!process.env['MINQING_TEST_POSTGRES_URL']) {
    console.log('PostgreSQL suite skipped: MINQING_TEST_POSTGRES_URL is not set (.ci/run sets it).');
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
