import { spawn } from 'node:child_process';
import { once } from 'node:events';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { transaction } from '../../src/db/client.js';
import { sqliteFilePath } from '../../src/db/migrations.js';
import { isSqliteBusy } from '../../src/db/sqlite-adapter.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { withRetry } from '../../src/pipeline/service.js';
import { freshSqlite, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase;
beforeEach(async () => {
  database = await freshSqlite({ demo: true });
});
afterEach(async () => {
  await database.dispose();
});

test('a query outside a transaction waits for it instead of running inside it (and being rolled back with it)', async () => {
  const { db } = database;
  let inside!: () => void;
  const started = new Promise<void>((resolve) => (inside = resolve));
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  const failing = db
    .$transaction(async (tx) => {
      await tx.region.update({ where: { code: 'QH' }, data: { name: 'rolled back' } });
      inside();
      await held;
      throw new Error('turn failed');
    })
    .catch((error: unknown) => error);
  await started;
  // Another writer (e.g. marking a message sent) while the transaction is open.
  // (A Prisma query starts when awaited: `then` starts it now, while the transaction is open.)
  const other = db.region.updateMany({ where: { code: 'QH-01' }, data: { name: '清水镇 (kept)' } }).then((r) => r);
  await new Promise((resolve) => setTimeout(resolve, 50));
  finish();
  expect(await failing).toBeInstanceOf(Error);
  await other;
  expect((await db.region.findUniqueOrThrow({ where: { code: 'QH' } })).name).toBe('青禾县');
  expect((await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } })).name).toBe('清水镇 (kept)');
});

test('the raw handle runs inside the Prisma transaction it is used in', async () => {
  const { db, sqlite } = database;
  if (!sqlite) throw new Error('no raw handle');
  await db
    .$transaction(() => {
      sqlite.run(`UPDATE "Region" SET "name" = ? WHERE "code" = ?`, 'raw', 'QH');
      return Promise.reject(new Error('undo'));
    })
    .catch(() => undefined);
  expect((await db.region.findUniqueOrThrow({ where: { code: 'QH' } })).name).toBe('青禾县');
  expect(sqlite.get<{ n: number }>(`SELECT COUNT(*) AS n FROM "Region"`)?.n).toBe(await db.region.count());
});

describe('light transactions (transaction() on SQLite)', () => {
  const name = async (code: string) => (await database.db.region.findUniqueOrThrow({ where: { code } })).name;

  test('commit together, or roll back together, Prisma and raw statements alike', async () => {
    const { db, sqlite } = database;
    await transaction(db, async (tx) => {
      await tx.region.update({ where: { code: 'QH' }, data: { name: 'A' } });
      sqlite?.run(`UPDATE "Region" SET "name" = ? WHERE "code" = ?`, 'B', 'QH-01');
    });
    expect([await name('QH'), await name('QH-01')]).toEqual(['A', 'B']);
    await expect(
      transaction(db, async (tx) => {
        await tx.region.update({ where: { code: 'QH' }, data: { name: 'C' } });
        sqlite?.run(`UPDATE "Region" SET "name" = ? WHERE "code" = ?`, 'D', 'QH-01');
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect([await name('QH'), await name('QH-01')]).toEqual(['A', 'B']);
  });

  test('others wait for it; a Prisma transaction inside it is a savepoint', async () => {
    const { db } = database;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const outer = transaction(db, async (tx) => {
      await tx.region.update({ where: { code: 'QH' }, data: { name: 'outer' } });
      // A nested Prisma transaction that fails undoes only its own writes.
      await db
        .$transaction(async (inner) => {
          await inner.region.update({ where: { code: 'QH-01' }, data: { name: 'inner' } });
          throw new Error('inner fails');
        })
        .catch(() => undefined);
      entered();
      await held;
    });
    await inside;
    let done = false;
    const other = db.region.updateMany({ where: { code: 'QH-02' }, data: { name: 'other' } }).then((r) => ((done = true), r.count));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Still waiting: the outer transaction holds the connection.
    expect(done).toBe(false);
    release();
    await outer;
    expect(await other).toBe(1);
    expect([await name('QH'), await name('QH-01'), await name('QH-02')]).toEqual(['outer', '清水镇', 'other']);
  });
});

describe('another process holding the write lock', () => {
  test('past the busy timeout (5 s): the transaction fails with SQLITE_BUSY, having done nothing', async () => {
    // A second process (a terminal running `npm run chat`, an import…) holds the lock 6 s.
    const holder = spawn(
      process.execPath,
      ['-e', `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => db.exec('COMMIT'), 6000);`, sqliteFilePath(database.url)],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(holder.stdout, 'data');
    const failed = await transaction(database.db, (tx) => tx.region.update({ where: { code: 'QH' }, data: { name: 'not written' } })).catch((error: unknown) => error);
    expect(isSqliteBusy(failed), String(failed)).toBe(true);
    await once(holder, 'exit');
    expect((await database.db.region.findUniqueOrThrow({ where: { code: 'QH' } })).name).toBe('青禾县');
  }, 20_000);

  test('withRetry (every turn and command) runs such a transaction again instead of failing', async () => {
    let attempts = 0;
    const result = await withRetry(database.db, async (tx) => {
      attempts++;
      await tx.region.update({ where: { code: 'QH' }, data: { name: `attempt ${attempts}` } });
      // What SQLite raises when the lock stays taken past the busy timeout.
      if (attempts === 1) throw new BetterSqlite3.SqliteError('database is locked', 'SQLITE_BUSY');
      return 'done';
    });
    expect([result, attempts]).toEqual(['done', 2]);
    expect((await database.db.region.findUniqueOrThrow({ where: { code: 'QH' } })).name).toBe('attempt 2');
    // Any other SQLite error is not retried.
    attempts = 0;
    await expect(
      withRetry(database.db, () => {
        attempts++;
        return Promise.reject(new BetterSqlite3.SqliteError('disk I/O error', 'SQLITE_IOERR'));
      }),
    ).rejects.toThrow('disk I/O error');
    expect(attempts).toBe(1);
  });
});
