/**
 * Reference data every transition reads (a category's handling rules, the region tree, a
 * township's departments) kept per open database in each process, instead of three to
 * six queries per transition. These rows change only with a roster import or an admin's
 * edit, and every such change bumps the one `ReferenceVersion` row in its own
 * transaction (database triggers, see the reference_version migration, so no writer can
 * forget it): a process that reads a new version drops what it kept, so an edit in any
 * process is seen at once by all.
 *
 * Keyed by the database (`SqlConnection.database`), which every transaction on it
 * shares: on PostgreSQL too the cache outlives a transaction.
 */
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { defineQuery, first, all, one, type SqlConnection } from '../db/sql.js';

/** The rows kept for one database, all read at or after `version`. */
interface ReferenceCache {
  version: number;
  rows: Map<string, unknown>;
}

const caches = new WeakMap<object, ReferenceCache>();

/**
 * The connections whose reads have checked the version. A transaction's own connection
 * (where transactions overlap, each has one: its `standalone` is another) checks once,
 * at its first reference read, which costs one key lookup per transaction; a connection
 * every caller shares (SQLite's, the pool) checks again after each turn of the event loop.
 */
const checked = new WeakSet<SqlConnection>();

const versionQuery = defineQuery('reference_version', (db) => db.selectFrom('ReferenceVersion').select('version').where('id', '=', 1));

/** The cache of `connection`'s database, emptied when the reference data changed since it was filled. */
async function currentCache(connection: SqlConnection): Promise<ReferenceCache> {
  const cache = caches.get(connection.database);
  if (cache && checked.has(connection)) return cache;
  return checkedCache(connection, (await one(connection, versionQuery, {})).version);
}

/**
 * Takes the reference data's `version` as read on `connection` — by the version query, or
 * along with a turn's first read (see turn-store.ts), which saves the turn a round trip —
 * and empties the cache if the data changed since it was filled.
 */
export function noteReferenceVersion(connection: SqlConnection, version: number): void {
  checkedCache(connection, version);
}

/** The cache of `connection`'s database as of `version`, read on that connection now. */
function checkedCache(connection: SqlConnection, version: number): ReferenceCache {
  // Read again: another caller may have replaced it meanwhile.
  let cache = caches.get(connection.database);
  if (!cache || cache.version < version) caches.set(connection.database, (cache = { version, rows: new Map() }));
  if (checked.has(connection)) return cache;
  checked.add(connection);
  const ownTransaction = connection.standalone !== undefined && connection.standalone !== connection;
  if (!ownTransaction) setImmediate(() => checked.delete(connection));
  return cache;
}

/** `load()`'s result for `key` on the database of `client`, kept until the reference data changes; a null result is not kept. */
export async function cached<T>(client: Tx | SqlTx | Db, key: string, load: () => Promise<T | null>): Promise<T | null> {
  const cache = await currentCache(sqlOf(client));
  if (cache.rows.has(key)) return cache.rows.get(key) as T;
  const value = await load();
  // Into the map of the version checked: if a newer one replaced it meanwhile, the row is dropped with it.
  if (value !== null) cache.rows.set(key, value);
  return value;
}

const categoryQuery = defineQuery('reference_category', (db, p: { code: string }) => db.selectFrom('Category').selectAll().where('code', '=', p.code));
const regionQuery = defineQuery('reference_region', (db, p: { id: number }) => db.selectFrom('Region').selectAll().where('id', '=', p.id));
const departmentQuery = defineQuery('reference_department', (db, p: { regionId: number; kind: string }) =>
  db.selectFrom('Department').select('id').where('regionId', '=', p.regionId).where('kind', '=', p.kind).orderBy('id').limit(1),
);
const villagesQuery = defineQuery('reference_villages', (db) =>
  db
    .selectFrom('Region as v')
    .leftJoin('Region as t', 't.id', 'v.parentId')
    .select(['v.id', 'v.name', 'v.code', 'v.parentId as townshipId', 't.name as township'])
    .where('v.level', '=', 'village')
    .orderBy('v.code'),
);
/** A row per role of the person, with their household's village and township: what `homeOf` reads. */
const homeTownshipQuery = defineQuery('reference_home_township', (db, p: { personId: number }) =>
  db
    .selectFrom('Person as p')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .leftJoin('Region as hv', 'hv.id', 'h.regionId')
    .leftJoin('PersonRole as pr', 'pr.personId', 'p.id')
    .leftJoin('Region as rr', 'rr.id', 'pr.regionId')
    .select(['hv.id as householdVillage', 'hv.parentId as householdTownship', 'rr.id as roleRegionId', 'rr.level as roleLevel', 'rr.parentId as roleParentId'])
    .where('p.id', '=', p.personId)
    .orderBy('pr.id'),
);

/** A category's row by code. */
export function categoryByCode(client: Tx | SqlTx | Db, code: string) {
  return cached(client, `category:${code}`, async () => (await first(sqlOf(client), categoryQuery, { code })) ?? null);
}

/** A region's row by id. */
export function regionById(client: Tx | SqlTx | Db, id: number) {
  return cached(client, `region:${id}`, async () => (await first(sqlOf(client), regionQuery, { id })) ?? null);
}

/** The department of `kind` at a region, if any. */
export function departmentOf(client: Tx | SqlTx | Db, regionId: number, kind: string) {
  return cached(client, `department:${regionId}:${kind}`, async () => (await first(sqlOf(client), departmentQuery, { regionId, kind })) ?? null);
}

/**
 * Every village, by code, with its township: what a typed village is recognised among
 * (src/org/village-names.ts) and the location and household questions offer. A county
 * has hundreds; they are read once per process and reference version, as the rest.
 */
export async function villageList(client: Tx | SqlTx | Db) {
  return (await cached(client, 'villages', () => all(sqlOf(client), villagesQuery, {}))) ?? [];
}

/**
 * Where a person belongs. `township`: offered first where a village is asked: their
 * household's, else the one of their first role held at a township or a village (a
 * liaison's grid); null when neither is known. `village`: their household's (null without one).
 */
export async function homeOf(client: Tx | SqlTx | Db, personId: number): Promise<{ township: number | null; village: number | null }> {
  const rows = await all(sqlOf(client), homeTownshipQuery, { personId });
  const village = rows.find((r) => r.householdVillage !== null)?.householdVillage ?? null;
  const household = rows.find((r) => r.householdTownship !== null)?.householdTownship;
  if (household != null) return { township: household, village };
  for (const r of rows) {
    if (r.roleLevel === 'township') return { township: r.roleRegionId, village };
    if (r.roleLevel === 'village') return { township: r.roleParentId, village };
  }
  return { township: null, village };
}

/** The township a person belongs to (see homeOf). */
export async function homeTownship(client: Tx | SqlTx | Db, personId: number): Promise<number | null> {
  return (await homeOf(client, personId)).township;
}
