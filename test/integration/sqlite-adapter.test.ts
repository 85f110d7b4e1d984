import { spawn } from 'node:child_process';
import { AsyncResource } from 'node:async_hooks';
import { once } from 'node:events';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Db, openDatabase, transaction, type Tx } from '../../src/db/client.js';
import { sqliteFilePath } from '../../src/db/migrations.js';
import { groupBounds, isSqliteBusy, type SqliteHandle, statementCounts } from '../../src/db/sqlite-adapter.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { withRetry } from '../../src/pipeline/service.js';
import { freshSqlite, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase;
/** Runs a function in the async context outside a transaction, from inside it (as another caller would). */
const fromOutside = AsyncResource.bind(<T>(work: () => T): T => work());
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
      // A nested Prisma transaction that fails undoes only its own writes. (On SQLite
      // `tx` is a whole client; Prisma's type for it omits $transaction.)
      await (tx as Db)
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

  test('a findUnique inside it is never batched with one outside it (Prisma batches them per tick; the batch would wait for the connection its own transaction holds)', async () => {
    const { db } = database;
    let go!: () => void;
    const ready = new Promise<void>((resolve) => (go = resolve));
    const inner = transaction(db, async (tx) => {
      await ready;
      return (await tx.region.findUnique({ where: { code: 'QH-01' } }))?.name;
    });
    // Let the transaction take the connection, then ask outside it in the same tick as inside it.
    await new Promise((resolve) => setImmediate(resolve));
    const outer = db.region.findUnique({ where: { code: 'QH-02' } }).then((r) => r?.name);
    go();
    const hang = new Promise((resolve) => setTimeout(() => resolve('hung'), 2_000).unref());
    expect(await Promise.race([Promise.all([inner, outer]), hang])).toEqual(['清水镇', '禾丰镇']);
  });

  test('nor is one outside it sent from inside it (it would read what the transaction has not committed)', async () => {
    const { db } = database;
    let outer!: Promise<string | undefined>;
    const undone = transaction(db, async (tx) => {
      await tx.region.update({ where: { code: 'QH-01' }, data: { name: 'never committed' } });
      // The transaction asks first, then someone outside, in the same tick.
      const inner = tx.region.findUnique({ where: { code: 'QH-01' } }).then((r) => r?.name);
      outer = fromOutside(() => db.region.findUnique({ where: { code: 'QH-01' } }).then((r) => r?.name));
      expect(await inner).toBe('never committed');
      throw new Error('undo');
    });
    await expect(undone).rejects.toThrow('undo');
    expect(await outer).toBe('清水镇');
  });
});

describe('inside or outside is which client the code holds, not its async context', () => {
  test('the outside client used inside a transaction fails at once (it would wait for ever for the connection); the suite runs with MINQING_CHECK_TRANSACTIONS=1', async () => {
    const { db, sqlite } = database;
    expect(process.env['MINQING_CHECK_TRANSACTIONS']).toBe('1');
    await expect(transaction(db, () => db.region.count())).rejects.toThrow(/use the transaction's own client \(tx\)/);
    await expect(transaction(db, () => sqlite!.outside(() => 1))).rejects.toThrow(/use the transaction's own client/);
    // The connection goes on.
    expect(await transaction(db, (tx) => tx.region.count())).toBe(await db.region.count());
  });

  test("the transaction's client and handle refuse work once the transaction has ended, and refuse to nest", async () => {
    const { db, sqlite } = database;
    let kept!: Tx;
    await transaction(db, (tx) => Promise.resolve(void (kept = tx)));
    await expect(kept.region.count()).rejects.toThrow('used after the transaction ended');
    await expect(sqlite!.inside.outside(() => 1)).rejects.toThrow('used after the transaction ended');
    await expect(transaction(db, (tx) => transaction(tx as Db, () => Promise.resolve(1)))).rejects.toThrow('cannot be nested');
  });

  test('inside, the handle of tx runs at once in the transaction; outside, the handle waits for it', async () => {
    const { db, sqlite } = database;
    const order: string[] = [];
    let waited!: Promise<void>;
    await transaction(db, async () => {
      const inside = sqlite!.inside;
      expect(inside.isInside).toBe(true);
      await inside.write(`UPDATE "Region" SET "name" = 'inside' WHERE "code" = 'QH'`);
      order.push('inside wrote');
      waited = fromOutside(() => sqlite!.outside(() => void order.push('outside ran')));
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('transaction ends');
    });
    await waited;
    expect(order).toEqual(['inside wrote', 'transaction ends', 'outside ran']);
  });
});

describe('group commit: light transactions that follow one another share one commit', () => {
  /** What another connection sees: only committed rows. */
  let reader: BetterSqlite3.Database;
  const bounds = { ...groupBounds };
  beforeEach(() => {
    reader = new BetterSqlite3(sqliteFilePath(database.url), { readonly: true });
    // Members started together share a group however busy the machine (4 ms may pass between them).
    groupBounds.ms = 10_000;
  });
  afterEach(() => {
    Object.assign(groupBounds, bounds);
    reader.close();
  });
  const committedName = (code: string) => reader.prepare<[string], { name: string }>(`SELECT "name" FROM "Region" WHERE "code" = ?`).get(code)?.name;
  const handle = (): SqliteHandle => {
    if (!database.sqlite) throw new Error('no raw handle');
    return database.sqlite;
  };
  const rename = (code: string, name: string) => handle().run(`UPDATE "Region" SET "name" = ? WHERE "code" = ?`, name, code);

  test('transactions started together commit once, and each resolves only when its work is committed', async () => {
    const { db } = database;
    const commits = statementCounts.commits;
    const seen: (string | undefined)[][] = [];
    await Promise.all(
      ['QH', 'QH-01', 'QH-02'].map((code) =>
        transaction(db, () => Promise.resolve(rename(code, `grouped ${code}`))).then(() => seen.push(['QH', 'QH-01', 'QH-02'].map(committedName))),
      ),
    );
    expect(statementCounts.commits - commits).toBe(1);
    // Each caller, when answered, finds all of the group committed (its own work included).
    expect(seen).toEqual(Array.from({ length: 3 }, () => ['grouped QH', 'grouped QH-01', 'grouped QH-02']));
  });

  test('a member that fails is undone alone; the rest of its group commits', async () => {
    const { db } = database;
    const results = await Promise.allSettled([
      transaction(db, () => Promise.resolve(rename('QH', 'first'))),
      transaction(db, async (tx) => {
        rename('QH-01', 'undone');
        await tx.region.update({ where: { code: 'QH-02' }, data: { name: 'undone too' } });
        throw new Error('this turn fails');
      }),
      transaction(db, () => Promise.resolve(rename('QH-01-001', 'third'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(['QH', 'QH-01', 'QH-02', 'QH-01-001'].map(committedName)).toEqual(['first', '清水镇', '禾丰镇', 'third']);
  });

  test('a lone write that fails (a duplicate key) leaves its group unharmed', async () => {
    const sql = handle();
    const insert = `INSERT INTO "InboundMessage" ("channel", "messageId", "chatId", "receivedAt") VALUES ('web', 'm-1', 'c', '2026-11-22T00:00:00.000+00:00')`;
    await sql.write(insert);
    const results = await Promise.allSettled([
      transaction(database.db, () => Promise.resolve(rename('QH', 'kept'))),
      sql.write(insert),
      sql.write(`UPDATE "Region" SET "name" = 'also kept' WHERE "code" = 'QH-01'`),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(['QH', 'QH-01'].map(committedName)).toEqual(['kept', 'also kept']);
  });

  test('when SQLite ends the transaction under a member, every member of the group fails', async () => {
    const { db } = database;
    const results = await Promise.allSettled([
      transaction(db, () => Promise.resolve(rename('QH', 'lost'))),
      transaction(db, () => {
        rename('QH-01', 'lost too');
        // As SQLITE_FULL or SQLITE_IOERR do: the whole transaction is rolled back.
        handle().run('ROLLBACK');
        return Promise.reject(new Error('disk full'));
      }),
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'fulfilled'))).toEqual(['Error: disk full', 'Error: disk full']);
    expect(['QH', 'QH-01'].map(committedName)).toEqual(['青禾县', '清水镇']);
    // The connection goes on.
    await transaction(db, () => Promise.resolve(rename('QH', 'after')));
    expect(committedName('QH')).toBe('after');
  });

  test('when the commit fails, every member fails (nothing of theirs was written)', async () => {
    const { db } = database;
    // A deferred foreign key is checked at COMMIT: the whole group's commit fails.
    const results = await Promise.allSettled([
      transaction(db, () => Promise.resolve(rename('QH', 'not committed'))),
      transaction(db, () => {
        handle().run('PRAGMA defer_foreign_keys = ON');
        handle().run(`UPDATE "Region" SET "parentId" = 999999 WHERE "code" = 'QH-01'`);
        return Promise.resolve();
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(['QH', 'QH-01'].map(committedName)).toEqual(['青禾县', '清水镇']);
    await transaction(db, () => Promise.resolve(rename('QH', 'after')));
    expect(committedName('QH')).toBe('after');
  });

  test('a Prisma query or transaction waiting behind a group commits it first, and does not join it', async () => {
    const { db } = database;
    const commits = statementCounts.commits;
    const [, interactive, count] = await Promise.all([
      transaction(db, () => Promise.resolve(rename('QH', 'grouped'))),
      // A Prisma interactive transaction begins its own SQLite transaction: it could not inside a group.
      db.$transaction(async (tx) => (await tx.region.update({ where: { code: 'QH-01' }, data: { name: 'on its own' } })).name),
      db.region.count(),
    ]);
    expect([interactive, count > 0]).toEqual(['on its own', true]);
    expect(statementCounts.commits - commits).toBe(1);
    expect(['QH', 'QH-01'].map(committedName)).toEqual(['grouped', 'on its own']);
  });

  test('a group is bounded, so that nobody waits long for their commit', async () => {
    const { db } = database;
    const commits = statementCounts.commits;
    await Promise.all(Array.from({ length: 150 }, (_, i) => transaction(db, () => Promise.resolve(rename('QH', `member ${i}`)))));
    // At most 64 members a group: three commits at least for 150.
    expect(statementCounts.commits - commits).toBeGreaterThanOrEqual(3);
    expect(committedName('QH')).toBe('member 149');
    // And in time: past the bound (none here) each member's group commits as it ends.
    groupBounds.ms = 0;
    const before = statementCounts.commits;
    await Promise.all(Array.from({ length: 3 }, (_, i) => transaction(db, () => Promise.resolve(rename('QH', `timed ${i}`)))));
    expect(statementCounts.commits - before).toBe(3);
  });

  test('a group keeps its statement journal in memory; between groups temporary storage is the default again', async () => {
    const sql = handle();
    const tempStore = () => sql.get<{ temp_store: number }>('PRAGMA temp_store')?.temp_store;
    // 2: MEMORY (savepoints' page copies stay off disk); 0: DEFAULT (a big sort may use a file).
    expect(await transaction(database.db, () => Promise.resolve(tempStore()))).toBe(2);
    expect(await sql.outside(tempStore)).toBe(0);
  });

  test('two connections to one file in this process take turns (SQLite would block the thread waiting for the other)', async () => {
    const other = await openDatabase(database.url, { migrate: false });
    try {
      await Promise.all([
        // Leaves its group open until the next pass of the event loop…
        transaction(database.db, () => Promise.resolve(rename('QH', 'first connection'))),
        // …while the second connection begins: it waits its turn instead of SQLite's busy timeout (5 s, then "database is locked").
        transaction(other.db, (tx) => tx.region.update({ where: { code: 'QH-01' }, data: { name: 'second connection' } })),
        other.db.region.update({ where: { code: 'QH-02' }, data: { name: 'a Prisma write' } }),
        transaction(database.db, () => Promise.resolve(rename('QH-01-001', 'first again'))),
      ]);
      expect(['QH', 'QH-01', 'QH-02', 'QH-01-001'].map(committedName)).toEqual(['first connection', 'second connection', 'a Prisma write', 'first again']);
    } finally {
      await other.close();
    }
  });

  test('a group still open when the connection closes commits first', async () => {
    const pending = transaction(database.db, () => Promise.resolve(rename('QH', 'committed at close')));
    await database.close();
    await pending;
    expect(committedName('QH')).toBe('committed at close');
    // dispose() closes again: harmless.
  });
});

describe('another process holding the write lock', () => {
  test('past the busy timeout (5 s): the transaction fails with SQLITE_BUSY, having done nothing', async () => {
    // A second process (a terminal running `npm run chat`, an import…) holds the lock 6 s.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => db.exec('COMMIT'), 6000);`,
        sqliteFilePath(database.url),
      ],
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
