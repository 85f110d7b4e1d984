import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { applyMigrations, loadMigrations, pendingSchemaChange } from '../../src/db/migrations.js';
import { NO_EXTERNAL, withSchemaEngine } from '../../src/db/schema-engine.js';
import { PROVIDERS, schemaFor } from '../../src/db/schema-files.js';
import { emptyPostgres, POSTGRES_URL } from '../helpers/db.js';

const dir = mkdtempSync(join(tmpdir(), 'minqing-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The model names of prisma/schema.prisma. */
const MODELS = [...schemaFor('sqlite').matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);

describe('committed migrations', () => {
  test('both providers have the same migration folders and a lockfile naming their provider', () => {
    const sqlite = loadMigrations('sqlite');
    const postgres = loadMigrations('postgres');
    expect(sqlite.migrationDirectories.map((d) => d.path)).toEqual(postgres.migrationDirectories.map((d) => d.path));
    expect(sqlite.migrationDirectories.length).toBeGreaterThan(0);
    expect(sqlite.lockfile.content).toContain('provider = "sqlite"');
    expect(postgres.lockfile.content).toContain('provider = "postgresql"');
    for (const provider of PROVIDERS) {
      for (const d of loadMigrations(provider).migrationDirectories) expect(d.migrationFile.content.tag).toBe('ok');
    }
  });

  test('SQLite: the migrations build exactly the current schema (no drift), and apply once', async () => {
    const url = `file:${join(dir, 'drift.db')}`;
    expect(await pendingSchemaChange('sqlite', url)).toBe('');
    const applied = await applyMigrations('sqlite', url);
    expect(applied).toEqual(loadMigrations('sqlite').migrationDirectories.map((d) => d.path));
    expect(await applyMigrations('sqlite', url)).toEqual([]);
    const { db, close } = await openDatabase(url, { migrate: false });
    const tables = await db.$queryRawUnsafe<{ name: string }[]>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
    );
    await close();
    expect(tables.map((t) => t.name).sort()).toEqual([...MODELS].sort());
  });

  test('a schema change the migrations lack is detected as drift', async () => {
    // Simulate an edited schema by diffing against a variant with one more column.
    const edited = schemaFor('sqlite').replace('model Region {\n', 'model Region {\n  nickname String?\n');
    const out = await withSchemaEngine('sqlite', `file:${join(dir, 'x.db')}`, (engine) =>
      engine.diff({
        from: { tag: 'migrations', ...loadMigrations('sqlite') },
        to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: edited }] },
        script: true,
        exitCode: true,
        filters: NO_EXTERNAL,
      }),
    );
    expect(out.exitCode).toBe(2);
    expect(out.stdout).toContain('nickname');
  });

  test.skipIf(!POSTGRES_URL)('PostgreSQL: the migrations build exactly the current schema (no drift), and apply once', async () => {
    const empty = await emptyPostgres();
    try {
      expect(await pendingSchemaChange('postgres', empty.url)).toBe('');
      expect(await applyMigrations('postgres', empty.url)).toEqual(loadMigrations('postgres').migrationDirectories.map((d) => d.path));
      expect(await applyMigrations('postgres', empty.url)).toEqual([]);
      const { db, close } = await openDatabase(empty.url, { migrate: false });
      const tables = await db.$queryRawUnsafe<{ tablename: string }[]>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`);
      await close();
      expect(tables.map((t) => t.tablename).sort()).toEqual([...MODELS].sort());
    } finally {
      await empty.drop();
    }
  });
});
