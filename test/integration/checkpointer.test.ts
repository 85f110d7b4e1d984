/**
 * WAL checkpoints run on the worker thread (src/db/checkpointer.ts): the main
 * connection never reaches its own (far-off) automatic checkpoint, yet the pages it
 * commits reach the database file, and closing leaves the file whole with no WAL.
 */
import { existsSync, statSync } from 'node:fs';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { openPrepared } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { BACKSTOP_PAGES } from '../../src/db/checkpointer.js';
import { sqliteFilePath } from '../../src/db/migrations.js';
import { freshSqlite, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase;
beforeEach(async () => {
  database = await freshSqlite();
});
afterEach(async () => {
  await database.dispose();
});

/** Commits `rows` rows of ~4 KB on the main connection, one transaction each. */
function commitRows(rows: number): void {
  const sql = database.sqlite;
  if (!sql) throw new Error('not SQLite');
  for (let i = 0; i < rows; i++) {
    sql.run(`INSERT INTO "InboundMessage" ("channel", "messageId", "chatId", "receivedAt") VALUES ('web', ?, 'c', '2026-11-22T00:00:00.000+00:00')`, `${i}-${'x'.repeat(4000)}`);
  }
}

test('the worker copies committed pages into the database file, without the main connection checkpointing', async () => {
  const path = sqliteFilePath(database.url);
  const [row] = await database.db.$queryRawUnsafe<{ wal_autocheckpoint: bigint }[]>('PRAGMA wal_autocheckpoint');
  expect(Number(row?.wal_autocheckpoint)).toBe(BACKSTOP_PAGES);
  const before = statSync(path).size;
  // 750 rows of ~4 KB: ~3 MB of new data, in WAL frames far below the main connection's
  // own checkpoint (BACKSTOP_PAGES), so only the worker can copy them into the file.
  commitRows(750);
  expect(statSync(`${path}-wal`).size).toBeLessThan(BACKSTOP_PAGES * 4096);
  await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(before + 750 * 4000), { timeout: 10_000, interval: 50 });
  expect(await database.db.inboundMessage.count()).toBe(750);
});

test('closing runs a last checkpoint: the database file holds everything and no WAL is left', async () => {
  const path = sqliteFilePath(database.url);
  commitRows(100);
  await database.close();
  expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).toBe(0);
  const { openDatabase } = await import('../../src/db/client.js');
  const reopened = await openDatabase(database.url, { migrate: false });
  try {
    expect(await reopened.db.inboundMessage.count()).toBe(100);
  } finally {
    await reopened.close();
  }
});

test('durable by default: the app syncs every commit (synchronous FULL); SQLITE_SYNCHRONOUS=normal syncs at checkpoints', async () => {
  const modes: Record<string, number> = {};
  for (const setting of [undefined, 'full', 'normal']) {
    const opened = await openPrepared(parseConfig({ DATABASE_URL: database.url, SEED_DEMO: 'false', SQLITE_SYNCHRONOUS: setting }));
    try {
      const [row] = await opened.db.$queryRawUnsafe<{ synchronous: bigint }[]>('PRAGMA synchronous');
      modes[setting ?? 'default'] = Number(row?.synchronous);
    } finally {
      await opened.close();
    }
  }
  // 2 is FULL, 1 NORMAL (sqlite.org/pragma.html#pragma_synchronous).
  expect(modes).toEqual({ default: 2, full: 2, normal: 1 });
  expect(() => parseConfig({ SQLITE_SYNCHRONOUS: 'off' })).toThrow(/SQLITE_SYNCHRONOUS: expected full or normal/);
});
