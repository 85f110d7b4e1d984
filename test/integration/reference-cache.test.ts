/**
 * The reference cache (src/pipeline/reference.ts) across processes: two databases opened
 * on one database stand for two processes, each with its own cache. An edit made through
 * one — by the console's Prisma calls, or by plain SQL no code of ours wrote — is seen by
 * the other's next read, inside a transaction or not, with no time allowed to pass: only
 * the next turn of the event loop, in which any message is handled (a connection shared
 * by all callers checks the version once per turn, see reference.ts).
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type Database, openDatabase, transaction } from '../../src/db/client.js';
import { categoryByCode, departmentOf, regionById } from '../../src/pipeline/reference.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';

const at = new Date('2026-03-04T05:06:07.089Z');

/** The next turn of the event loop, where the next message would be handled. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

eachDatabase((kind) => {
  let reader: TestDatabase;
  let editor: Database;
  beforeEach(async () => {
    reader = await kind.fresh();
    editor = await openDatabase(reader.url, { migrate: false });
  });
  afterEach(async () => {
    await editor.close();
    await reader.dispose();
  });

  test('an edit in another process is seen by the next read, in a transaction or not', async () => {
    const region = await editor.db.region.create({ data: { code: 'T1', name: '清水镇', level: 'township' } });
    await editor.db.category.create({ data: { code: 'light', nameZh: '路灯', nameEn: 'Street light', departmentKind: 'works', handlingClass: 'promised', updatedAt: at } });
    expect((await regionById(reader.db, region.id))?.name).toBe('清水镇');
    expect((await transaction(reader.db, (tx) => categoryByCode(tx, 'light')))?.resolveDays).toBe(5);

    // The console renames the township (Prisma, no transaction).
    await editor.db.region.update({ where: { id: region.id }, data: { name: '清水乡' } });
    await nextTurn();
    expect((await regionById(reader.db, region.id))?.name).toBe('清水乡');
    expect((await transaction(reader.db, (tx) => regionById(tx, region.id)))?.name).toBe('清水乡');

    // An import's change in a transaction, and plain SQL: the database bumps the version either way.
    await transaction(editor.db, (tx) => tx.category.update({ where: { code: 'light' }, data: { resolveDays: 3 } }));
    await nextTurn();
    expect((await transaction(reader.db, (tx) => categoryByCode(tx, 'light')))?.resolveDays).toBe(3);
    await editor.db.$executeRawUnsafe(`UPDATE "Category" SET "resolveDays" = 7 WHERE "code" = 'light'`);
    await nextTurn();
    expect((await categoryByCode(reader.db, 'light'))?.resolveDays).toBe(7);

    // A department added, then moved away: found, then no more.
    const department = await editor.db.department.create({ data: { code: 'D1', name: '城建办', kind: 'works', level: 'township', regionId: region.id } });
    await nextTurn();
    expect((await departmentOf(reader.db, region.id, 'works'))?.id).toBe(department.id);
    const other = await editor.db.region.create({ data: { code: 'T2', name: '东山镇', level: 'township' } });
    await editor.db.department.update({ where: { id: department.id }, data: { regionId: other.id } });
    await nextTurn();
    expect(await departmentOf(reader.db, region.id, 'works')).toBeNull();
  });

  test('unchanged reference data is read from the cache: a row changed behind the version is not seen', async () => {
    const region = await editor.db.region.create({ data: { code: 'T1', name: '清水镇', level: 'township' } });
    expect((await regionById(reader.db, region.id))?.name).toBe('清水镇');
    // The version put back as it was: the change is invisible to the cache, as intended.
    const [row] = await editor.db.$queryRawUnsafe<{ version: number }[]>(`SELECT "version" FROM "ReferenceVersion" WHERE "id" = 1`);
    const version = Number(row?.version);
    await transaction(editor.db, async (tx) => {
      await tx.region.update({ where: { id: region.id }, data: { name: '改名' } });
      await tx.$executeRawUnsafe(`UPDATE "ReferenceVersion" SET "version" = ${version} WHERE "id" = 1`);
    });
    await nextTurn();
    expect((await regionById(reader.db, region.id))?.name).toBe('清水镇');
  });
});
