/**
 * bulkInsert: multi-row INSERTs through Prisma's raw API. Rows written this way read back
 * through the client exactly as ORM-written rows do (DateTime to the millisecond,
 * booleans, nulls, integers), on SQLite and, when MINQING_TEST_POSTGRES_URL is set, on
 * PostgreSQL.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { sqlOf } from '../../src/db/client.js';
import { bulkInsert, MAX_PARAMETERS, quoteIdentifier } from '../../src/db/bulk-insert.js';
import { valuesPlaceholders } from '../../src/db/dialect.js';
import { freshPostgres, freshSqlite, POSTGRES_URL, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase | undefined;

afterEach(async () => {
  await database?.dispose();
  database = undefined;
});

const providers = [
  { name: 'sqlite', open: freshSqlite, skip: false },
  { name: 'postgres', open: freshPostgres, skip: !POSTGRES_URL },
] as const;

const when = new Date('2026-03-04T05:06:07.089Z');
const later = new Date('2026-11-30T23:59:59.001Z');

describe.each(providers)('on $name', ({ name, open, skip }) => {
  test.skipIf(skip)('the dialect chosen when the database was opened is the one its connection carries', async () => {
    database = await open();
    expect(database.provider).toBe(name);
    expect(sqlOf(database.db).dialect).toBe(name);
  });

  test.skipIf(skip)('booleans, integers and DateTime read back as given, like ORM writes', async () => {
    database = await open();
    const { db } = database;
    const { dialect } = sqlOf(db);
    const base = { nameEn: 'x', departmentKind: 'water', handlingClass: 'promised', acceptHours: 2 };
    const big = { nameZh: '甲', resolveDays: 0, resolveHours: 2_147_483_647, workingDays: true, updatedAt: when };
    const inserted = await bulkInsert(
      db,
      dialect,
      'Category',
      ['code', 'nameZh', 'nameEn', 'departmentKind', 'handlingClass', 'resolveDays', 'resolveHours', 'acceptHours', 'workingDays', 'updatedAt'],
      [
        { ...base, ...big, code: 'raw_true' },
        { ...base, code: 'raw_false', nameZh: '乙', resolveDays: -3, resolveHours: 1, workingDays: false, updatedAt: later },
      ],
    );
    expect(inserted).toBe(2);
    // The same values through the ORM, to compare what is stored.
    await db.category.create({ data: { ...base, ...big, code: 'orm_true' } });

    const rows = await db.category.findMany({ orderBy: { code: 'asc' } });
    const pick = (code: string) => rows.find((r) => r.code === code);
    expect(pick('raw_true')).toEqual({ ...base, ...big, code: 'raw_true' });
    expect(pick('raw_false')).toMatchObject({ resolveDays: -3, resolveHours: 1, workingDays: false, updatedAt: later });
    expect(pick('raw_false')?.updatedAt.getTime()).toBe(later.getTime());
    const { code: _orm, ...ormRest } = pick('orm_true') ?? { code: '' };
    const { code: _raw, ...rawRest } = pick('raw_true') ?? { code: '' };
    expect(rawRest).toEqual(ormRest);

    // Stored identically: the text of the column is the same for both writes...
    const stored = await db.$queryRawUnsafe<{ code: string; at: string; wd: string }[]>(
      'SELECT "code" AS code, CAST("updatedAt" AS TEXT) AS at, CAST("workingDays" AS TEXT) AS wd FROM "Category"',
    );
    const text = new Map(stored.map((r) => [r.code, r]));
    expect(text.get('raw_true')).toEqual({ ...text.get('orm_true'), code: 'raw_true' });
    // ...so comparisons and ordering in queries see the raw-written dates too.
    const codes = async (where: Parameters<typeof db.category.findMany>[0]) => (await db.category.findMany({ ...where, orderBy: { code: 'asc' } })).map((c) => c.code);
    expect(await codes({ where: { updatedAt: { gt: when } } })).toEqual(['raw_false']);
    expect(await codes({ where: { updatedAt: when } })).toEqual(['orm_true', 'raw_true']);
    expect(await codes({ where: { workingDays: false } })).toEqual(['raw_false']);
  });

  test.skipIf(skip)('nulls and foreign keys; the database assigns ids', async () => {
    database = await open();
    const { db } = database;
    const { dialect } = sqlOf(db);
    const columns = ['code', 'name', 'level', 'parentId', 'createdAt', 'updatedAt'] as const;
    await bulkInsert(db, dialect, 'Region', columns, [{ code: 'C', name: '县', level: 'county', parentId: null, createdAt: when, updatedAt: later }]);
    const county = await db.region.findUniqueOrThrow({ where: { code: 'C' } });
    expect(county).toMatchObject({ parentId: null, createdAt: when, updatedAt: later });
    expect(county.id).toBeGreaterThan(0);
    await bulkInsert(db, dialect, 'Region', columns, [
      { code: 'T1', name: '镇一', level: 'township', parentId: county.id, createdAt: when, updatedAt: when },
      { code: 'T2', name: '镇二', level: 'township', parentId: county.id, createdAt: when, updatedAt: when },
    ]);
    const towns = await db.region.findMany({ where: { parentId: county.id }, orderBy: { code: 'asc' } });
    expect(towns.map((t) => [t.code, t.parentId, t.createdAt.toISOString()])).toEqual([
      ['T1', county.id, when.toISOString()],
      ['T2', county.id, when.toISOString()],
    ]);
    expect(new Set([county.id, ...towns.map((t) => t.id)]).size).toBe(3);

    const household = { regionId: towns[0]?.id ?? 0, address: '一号', headName: '张三', phone: null };
    const householdColumns = ['code', 'regionId', 'address', 'headName', 'phone', 'createdAt', 'updatedAt'] as const;
    await bulkInsert(db, dialect, 'Household', householdColumns, [{ ...household, code: 'H1', createdAt: when, updatedAt: when }]);
    const h1 = await db.household.findUniqueOrThrow({ where: { code: 'H1' } });
    const people = [
      { code: 'P1', name: '张三', phone: null, locale: 'zh', householdId: h1.id, departmentId: null },
      { code: 'P2', name: `O'Brien "Bob"; --`, phone: '13912345678', locale: 'en', householdId: null, departmentId: null },
    ];
    await bulkInsert(
      db,
      dialect,
      'Person',
      ['code', 'name', 'phone', 'locale', 'householdId', 'departmentId', 'createdAt', 'updatedAt'],
      people.map((p) => ({ ...p, createdAt: when, updatedAt: when })),
    );
    const back = await db.person.findMany({
      orderBy: { code: 'asc' },
      select: { code: true, name: true, phone: true, locale: true, householdId: true, departmentId: true },
    });
    expect(back).toEqual(people);
    expect(h1).toMatchObject({ ...household, createdAt: when, updatedAt: when });
    expect(await db.person.count({ where: { phone: null } })).toBe(1);
  });

  test.skipIf(skip)('many rows are split into statements under the parameter limit', async () => {
    database = await open();
    const { db } = database;
    const { dialect } = sqlOf(db);
    const columns = ['code', 'name', 'level', 'parentId', 'createdAt', 'updatedAt'] as const;
    // 6 columns: 5,000 rows per statement; 12,001 rows need three statements.
    const count = 12_001;
    expect(count * columns.length).toBeGreaterThan(MAX_PARAMETERS * 2);
    const rows = Array.from({ length: count }, (_, i) => ({
      code: `V${i}`,
      name: `村${i}`,
      level: 'village',
      parentId: null,
      createdAt: when,
      updatedAt: new Date(when.getTime() + i),
    }));
    expect(await bulkInsert(db, dialect, 'Region', columns, rows)).toBe(count);
    expect(await bulkInsert(db, dialect, 'Region', columns, [])).toBe(0);
    expect(await db.region.count()).toBe(count);
    const last = await db.region.findUniqueOrThrow({ where: { code: `V${count - 1}` } });
    expect(last.updatedAt.getTime()).toBe(when.getTime() + count - 1);
    // A given chunk size is honoured (and the last, shorter chunk too).
    const links = rows.slice(0, 7).map((r) => ({ ...r, code: `W${r.code}` }));
    expect(await bulkInsert(db, dialect, 'Region', columns, links, 3)).toBe(7);
    expect(await db.region.count({ where: { code: { startsWith: 'W' } } })).toBe(7);
  });

  test.skipIf(skip)('inside an interactive transaction, rolls back with it', async () => {
    database = await open();
    const { db } = database;
    const { dialect } = sqlOf(db);
    const columns = ['code', 'name', 'level', 'parentId', 'createdAt', 'updatedAt'] as const;
    const row = { code: 'C', name: '县', level: 'county', parentId: null, createdAt: when, updatedAt: when };
    await expect(
      db.$transaction(async (tx) => {
        await bulkInsert(tx, dialect, 'Region', columns, [row]);
        expect(await tx.region.count()).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await db.region.count()).toBe(0);
    // A duplicate natural key fails the statement, as a unique index should.
    await bulkInsert(db, dialect, 'Region', columns, [row]);
    await expect(bulkInsert(db, dialect, 'Region', columns, [row])).rejects.toThrow();
  });
});

test('the VALUES list has the placeholders of the dialect, numbered on across rows on PostgreSQL', () => {
  expect(valuesPlaceholders('sqlite', 2, 3)).toBe('(?,?,?),(?,?,?)');
  expect(valuesPlaceholders('postgres', 2, 3)).toBe('($1,$2,$3),($4,$5,$6)');
  expect(valuesPlaceholders('postgres', 1, 1)).toBe('($1)');
});

test('identifiers are quoted, and only plain ones accepted', () => {
  expect(quoteIdentifier('HouseholdGrid')).toBe('"HouseholdGrid"');
  expect(() => quoteIdentifier('a"; DROP TABLE x; --')).toThrow(/not a plain identifier/);
});

test('a row missing a column is refused before any SQL runs', async () => {
  let ran = false;
  const fake = {
    $executeRawUnsafe: () => {
      ran = true;
      return Promise.resolve(0);
    },
  } as unknown as Parameters<typeof bulkInsert>[0];
  const rows = [{ a: 1 }] as unknown as { a: number; b: number }[];
  await expect(bulkInsert(fake, 'sqlite', 'T', ['a', 'b'], rows)).rejects.toThrow(/row 0 has no b/);
  expect(ran).toBe(false);
});
