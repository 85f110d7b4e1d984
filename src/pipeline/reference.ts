/**
 * Reference data every transition reads (a category's handling rules, the region tree, a
 * township's departments) kept for a minute per database client, instead of three to
 * six queries per transition. These rows change only with a roster import or an admin's
 * edit; such a change reaches running processes within `REFERENCE_TTL_MS`.
 *
 * Keyed by the client object: on SQLite every turn's transaction uses the same inside
 * client (see src/db/sqlite-adapter.ts), so the cache lives as long as the process; a
 * PostgreSQL interactive transaction has its own client object, so there the cache only
 * saves repeats within one transaction.
 */
import type { Db, Tx } from '../db/client.js';

/** How long a cached row is trusted. */
export const REFERENCE_TTL_MS = 60_000;

const caches = new WeakMap<object, Map<string, { value: unknown; until: number }>>();

/** `load()`'s result for `key` on `client`, from the cache while fresh; a null result is not kept. */
async function cached<T>(client: Tx | Db, key: string, load: () => Promise<T | null>): Promise<T | null> {
  let cache = caches.get(client);
  if (!cache) caches.set(client, (cache = new Map<string, { value: unknown; until: number }>()));
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && hit.until > now) return hit.value as T;
  const value = await load();
  if (value !== null) cache.set(key, { value, until: now + REFERENCE_TTL_MS });
  return value;
}

/** A category's row by code. */
export function categoryByCode(client: Tx | Db, code: string) {
  return cached(client, `category:${code}`, () => client.category.findUnique({ where: { code } }));
}

/** A region's row by id. */
export function regionById(client: Tx | Db, id: number) {
  return cached(client, `region:${id}`, () => client.region.findUnique({ where: { id } }));
}

/** The department of `kind` at a region, if any. */
export function departmentOf(client: Tx | Db, regionId: number, kind: string) {
  return cached(client, `department:${regionId}:${kind}`, () =>
    client.department.findFirst({ where: { regionId, kind }, select: { id: true } }),
  );
}

/** The villages, by code (the first 200), for the location and household questions. */
export async function villageList(client: Tx | Db) {
  return (
    (await cached(client, 'villages', () => client.region.findMany({ where: { level: 'village' }, orderBy: { code: 'asc' }, take: 200 }))) ?? []
  );
}
