/**
 * The queue tables (OutboxMessage, Timer) grow with every message and ticket; their
 * indexes are partial and hold only what is queued (see docs/ARCHITECTURE.md, "Storage
 * at run time"). A query that does not state the indexes' condition (`"sentAt" IS NULL
 * AND "failedAt" IS NULL`, `"firedAt" IS NULL`) cannot use them and reads the whole
 * table, which no functional test would notice until a database is large. Here the real
 * dialogue load runs on SQLite, every statement it prepares on those tables is recorded
 * with its arguments, and SQLite's plan for each must seek, never scan them.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type BenchApp, startBenchApp } from '../../src/bench/bench-app.js';
import { bindPairs } from '../../src/bench/load.js';
import { measure } from '../../src/bench/phases.js';
import { sqliteFilePath } from '../../src/db/migrations.js';
import { setLogLevel } from '../../src/log.js';

/** The two tables, as our statements quote them ("…") and as Prisma's do (`…`). */
const QUEUE_TABLE = /["`](OutboxMessage|Timer)["`]/;

/** Each statement on a queue table the load prepared, with the arguments of one run of it. */
const recorded = new Map<string, unknown[]>();
let bench: BenchApp;
let path: string;

beforeAll(async () => {
  setLogLevel('warn');
  type Prepare = (this: Database.Database, sql: string) => Database.Statement;
  const prepare = Reflect.get(Database.prototype, 'prepare') as Prepare;
  // Every connection of this process prepares through here: Prisma's adapter and ours.
  const recording: Prepare = function (sql) {
    const statement = prepare.call(this, sql);
    if (!QUEUE_TABLE.test(sql) || !/^\s*(SELECT|UPDATE|DELETE)/i.test(sql)) return statement;
    // Prisma's adapter binds first and runs without arguments; ours passes them to the run.
    let bound: unknown[] = [];
    for (const method of ['bind', 'run', 'get', 'all'] as const) {
      const methods = statement as unknown as Record<typeof method, (...args: unknown[]) => unknown>;
      const original = methods[method];
      Object.defineProperty(statement, method, {
        value: (...args: unknown[]) => {
          if (method === 'bind') bound = args;
          else if (!recorded.has(sql)) recorded.set(sql, args.length ? args : bound);
          return original.apply(statement, args);
        },
      });
    }
    return statement;
  };
  Reflect.set(Database.prototype, 'prepare', recording);
  try {
    bench = await startBenchApp();
    path = sqliteFilePath(bench.url);
    const pairs = await bindPairs(bench.app.database.db, 20);
    // Whole dialogues: report, the assignment ping delivered by the scheduler, accept,
    // resolve, the rating request, the rating: turns, pushes, sent marks and claims.
    const run = await measure(bench, pairs, { warmupSeconds: 0, seconds: 3 });
    expect(run.tickets).toBeGreaterThan(0);
    expect(run.errors).toBe(0);
  } finally {
    Reflect.set(Database.prototype, 'prepare', prepare);
  }
}, 60_000);

afterAll(async () => {
  await bench?.dispose();
});

test('the load ran the queue statements: inserts aside, reads and updates of both tables', () => {
  const sql = [...recorded.keys()];
  // Kysely writes keywords in lower case and quotes aliases: `from "OutboxMessage" as "m"`.
  expect(sql.some((s) => /UPDATE "OutboxMessage" SET "sentAt"/i.test(s))).toBe(true);
  expect(sql.some((s) => /FROM "OutboxMessage" (AS )?"?m"? WHERE "?m"?\."sentAt" IS NULL/i.test(s))).toBe(true);
  expect(sql.some((s) => /"Timer"/.test(s))).toBe(true);
});

test('no statement on OutboxMessage or Timer scans the table: each seeks an index or the rowid', () => {
  const db = new Database(path, { readonly: true });
  try {
    const scans: string[] = [];
    for (const [sql, args] of recorded) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[];
      // "SCAN t" reads a whole table (an alias too: "SCAN m"), "SCAN t USING INDEX" a
      // whole index; a seek reads "SEARCH". Scanning the bound id list is fine.
      const scan = plan.find((row) => /^SCAN (?!CONSTANT ROW|json_each )/.test(row.detail));
      if (scan) scans.push(`${scan.detail}\n  in: ${sql.replace(/\s+/g, ' ')}`);
    }
    expect(recorded.size).toBeGreaterThanOrEqual(8);
    expect(scans).toEqual([]);
  } finally {
    db.close();
  }
});
