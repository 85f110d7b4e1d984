/**
 * Builds one migrated SQLite template per test run; each test copies it into a fresh
 * file (see test/helpers/db.ts), which is much faster than migrating every time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../src/db/migrations.js';

declare module 'vitest' {
  export interface ProvidedContext {
    sqliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'minqing-template-'));
  const path = join(dir, 'template.db');
  await applyMigrations('sqlite', `file:${path}`);
  project.provide('sqliteTemplate', path);
  if (!process.env['MINQING_TEST_POSTGRES_URL']) {
    console.log('PostgreSQL suite skipped: MINQING_TEST_POSTGRES_URL is not set (.ci/run sets it).');
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
