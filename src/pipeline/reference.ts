/**
 * Reference data every transition reads (a category's handling rules, the region tree, a
 * township's departments) kept for a minute per open database in each process, instead
 * of three to six queries per transition. These rows change only with a roster import or
 * an admin's edit; such a change reaches running processes within `REFERENCE_TTL_MS`.
 *
 * Keyed by the database (`SqlConnection.database`), which every transaction on it
 * shares: on PostgreSQL too the cache outlives a transaction.
 */
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { defineQuery, first, all } from '../db/sql.js';

/** How long a cached row is trusted. */
export const REFERENCE_TTL_MS = 60_000;

const caches = new WeakMap<object, Map<string, { value: unknown; until: number }>>();

/** `load()`'s result for `key` on the database of `client`, from the cache while fresh; a null result is not kept. */
async function cached<T>(client: Tx | SqlTx | Db, key: string, load: () => Promise<T | null>): Promise<T | null> {
  const { database } = sqlOf(client);
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = new Map<string, { value: unknown; until: number }>()));
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && hit.until > now) return hit.value as T;
  const value = await load();
  if (value !== null) cache.set(key, { value, until: now + REFERENCE_TTL_MS });
  return value;
}

const categoryQuery = defineQuery('reference_category', (db, p: { code: string }) => db.selectFrom('Category').selectAll().where('code', '=', p.code));
const regionQuery = defineQuery('reference_region', (db, p: { id: number }) => db.selectFrom('Region').selectAll().where('id', '=', p.id));
const departmentQuery = defineQuery('reference_department', (db, p: { regionId: number; kind: string }) =>
  db.selectFrom('Department').select('id').where('regionId', '=', p.regionId).where('kind', '=', p.kind).orderBy('id').limit(1),
);
const villagesQuery = defineQuery('reference_villages', (db) => db.selectFrom('Region').selectAll().where('level', '=', 'village').orderBy('code').limit(200));

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

/** The villages, by code (the first 200), for the location and household questions. */
export async function villageList(client: Tx | SqlTx | Db) {
  return (await cached(client, 'villages', () => all(sqlOf(client), villagesQuery, {}))) ?? [];
}
