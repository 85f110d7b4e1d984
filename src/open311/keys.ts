/**
 * API keys: how another system (a 12345 platform, a city app) proves who it is on the
 * Open311 interface, and later the REST API and webhooks. A key is 32 random bytes shown
 * once when made (`npm run apikey -- create`); the database keeps only its SHA-256, so a
 * copy of the database gives no key away. A key has a unique name, scopes, and
 * optionally a region: the region whose requests it may read beyond the public board,
 * and where a request it posts goes when nothing in the request places it.
 *
 * A key that writes (scope `write`) acts as one console account, as a personal access
 * token does: with that person's roles and regions, never more than they may do in the
 * console, and only while the account is live (src/api/actions.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Db, sqlOf } from '../db/client.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { DataError } from '../errors.js';
import { CONSOLE_ROLES, staffAccountNamed } from '../org/staff-accounts.js';
import { loadRegions, subtreeIds } from '../org/regions.js';

/**
 * What a key may do: `open311:write` posts Open311 requests; `read` and `write` are the
 * REST API's (reading tickets within the key's region, acting on them).
 */
export const API_SCOPES = ['open311:write', 'read', 'write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A key as the server knows it (never the key itself). */
export interface ApiKeyRecord {
  id: number;
  name: string;
  regionId: number | null;
  /** The region's code and name, when the key has one. */
  regionCode: string | null;
  regionName: string | null;
  scopes: ApiScope[];
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** The console account a `write` key acts as (null for other keys, or once the account is deleted). */
  actsAsId: number | null;
  actsAsUsername: string | null;
}

/** Keys start with this, so a leaked one is recognisable in logs and by secret scanners. */
const KEY_PREFIX = 'mq_';

/** The stored form of a key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function scopesOf(text: string): ApiScope[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s));
}

const keyColumns = [
  'k.id',
  'k.name',
  'k.regionId',
  'k.scopes',
  'k.createdAt',
  'k.revokedAt',
  'k.lastUsedAt',
  'k.actsAsId',
  'r.code as regionCode',
  'r.name as regionName',
  'a.username as actsAsUsername',
] as const;

const keysQuery = defineQuery('api_keys', (db) =>
  db.selectFrom('ApiKey as k').leftJoin('Region as r', 'r.id', 'k.regionId').leftJoin('StaffAccount as a', 'a.id', 'k.actsAsId').select(keyColumns).orderBy('k.name'),
);

const keyByHashQuery = defineQuery('api_key_by_hash', (db, p: { keyHash: string }) =>
  db
    .selectFrom('ApiKey as k')
    .leftJoin('Region as r', 'r.id', 'k.regionId')
    .leftJoin('StaffAccount as a', 'a.id', 'k.actsAsId')
    .select(keyColumns)
    .where('k.keyHash', '=', p.keyHash),
);

const keyNamedQuery = defineQuery('api_key_named', (db, p: { name: string }) => db.selectFrom('ApiKey').select('id').where('name', '=', p.name));

const regionByCodeQuery = defineQuery('api_key_region', (db, p: { code: string }) => db.selectFrom('Region').select(['id', 'level']).where('code', '=', p.code));

const insertKeyQuery = defineQuery('api_key_insert', (db, p: { name: string; keyHash: string; regionId: number | null; scopes: string; actsAsId: number | null; at: Date }) =>
  db.insertInto('ApiKey').values({ name: p.name, keyHash: p.keyHash, regionId: p.regionId, scopes: p.scopes, actsAsId: p.actsAsId, createdAt: p.at }),
);

const consoleRolesQuery = defineQuery('api_key_account_roles', (db, p: { personId: number }) =>
  db.selectFrom('PersonRole').select(['role', 'regionId']).where('personId', '=', p.personId).where('role', 'in', CONSOLE_ROLES),
);

const revokeQuery = defineQuery('api_key_revoke', (db, p: { name: string; at: Date }) =>
  db.updateTable('ApiKey').set({ revokedAt: p.at }).where('name', '=', p.name).where('revokedAt', 'is', null),
);

const usedQuery = defineQuery('api_key_used', (db, p: { id: number; at: Date }) => db.updateTable('ApiKey').set({ lastUsedAt: p.at }).where('id', '=', p.id));

/** Every key, by name, revoked ones included. */
export async function listApiKeys(db: Db): Promise<ApiKeyRecord[]> {
  const rows = await all(sqlOf(db), keysQuery, {});
  return rows.map((r) => ({ ...r, scopes: scopesOf(r.scopes) }));
}

/** What `createApiKey` needs. */
export interface NewApiKey {
  name: string;
  /** A region's code, or none. */
  regionCode?: string;
  scopes: readonly string[];
  /** The username of the console account a `write` key acts as (required for `write`, refused otherwise). */
  actsAs?: string;
}

/**
 * The account a new key acts as: required for `write` and only for it; the account must be
 * live, its person hold a console role, and the key's region lie within that person's regions.
 */
async function accountActedAs(db: Db, input: NewApiKey, regionId: number | null): Promise<number | null> {
  const writes = input.scopes.includes('write');
  if (input.actsAs === undefined) {
    if (writes) throw new DataError('可写的密钥须代表一名工作人员：请加 --as 用户名 a write key acts as a console user: add --as USERNAME');
    return null;
  }
  if (!writes) throw new DataError('只有可写（write）的密钥代表工作人员 only a write key acts as a console user (--as)');
  const sql = sqlOf(db);
  const account = await staffAccountNamed(db, input.actsAs);
  if (!account) throw new DataError(`没有这个控制台用户 no console user named ${input.actsAs}`);
  if (account.disabledAt !== null) throw new DataError(`控制台用户 ${input.actsAs} 已停用 the console user ${input.actsAs} is disabled`);
  const roles = await all(sql, consoleRolesQuery, { personId: account.personId });
  if (!roles.length) throw new DataError(`${input.actsAs} 没有工作人员角色 ${input.actsAs} holds no staff role`);
  if (regionId !== null) {
    const regions = await loadRegions(db);
    if (!roles.some((r) => subtreeIds(regions, r.regionId).includes(regionId))) {
      throw new DataError(`密钥的地区不在 ${input.actsAs} 的辖区内 the key's region lies outside the regions of ${input.actsAs}`);
    }
  }
  return account.id;
}

/**
 * Makes a key and returns it with its record: the only time the key exists outside the
 * caller's hands.
 * @throws DataError for a taken or malformed name, an unknown scope or region, a `write`
 * key without a live console account to act as (or a region outside that person's).
 */
export async function createApiKey(db: Db, input: NewApiKey, now: Date): Promise<{ key: string; record: ApiKeyRecord }> {
  const name = input.name.trim();
  // Lower-case letters, digits, dots and hyphens only: a request's intake event names its
  // key, and Open311 finds a key's requests by that name with LIKE, where _ and % would be
  // wildcards and SQLite ignores case (src/open311/requests.ts).
  if (!/^[a-z0-9][a-z0-9.-]{0,63}$/.test(name)) {
    throw new DataError(`名称只能用小写字母、数字、点和横线（至多 64 个） the name may use lower-case letters, digits, dots and hyphens (64 at most): ${input.name}`);
  }
  const unknown = input.scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length || !input.scopes.length) throw new DataError(`未知的权限 unknown scope: ${unknown.join(', ') || '(none)'}; 可用 known: ${API_SCOPES.join(', ')}`);
  const sql = sqlOf(db);
  let regionId: number | null = null;
  if (input.regionCode !== undefined) {
    const region = await first(sql, regionByCodeQuery, { code: input.regionCode });
    if (!region) throw new DataError(`没有这个地区 no region with the code ${input.regionCode}`);
    regionId = region.id;
  }
  const actsAsId = await accountActedAs(db, input, regionId);
  if (await first(sql, keyNamedQuery, { name })) throw new DataError(`已有名为 ${name} 的密钥 a key named ${name} exists already`);
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  await run(sql, insertKeyQuery, { name, keyHash: hashApiKey(key), regionId, scopes: [...new Set(input.scopes)].join(','), actsAsId, at: now });
  const record = (await listApiKeys(db)).find((k) => k.name === name);
  if (!record) throw new Error(`the key ${name} was not saved`);
  return { key, record };
}

/**
 * Revokes the key named `name`: from now on it is refused.
 * @throws DataError when there is no such key, or it was revoked already.
 */
export async function revokeApiKey(db: Db, name: string, now: Date): Promise<void> {
  const sql = sqlOf(db);
  if (!(await first(sql, keyNamedQuery, { name }))) throw new DataError(`没有名为 ${name} 的密钥 no key named ${name}`);
  if ((await run(sql, revokeQuery, { name, at: now })) === 0) throw new DataError(`密钥 ${name} 已被吊销 the key ${name} was revoked already`);
}

/**
 * The live key that `key` is, noting its use; null for an unknown or revoked key (one
 * answer for both: a caller learns nothing from trying).
 */
export async function authenticateApiKey(db: Db, key: string, now: Date): Promise<ApiKeyRecord | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
  const sql = sqlOf(db);
  const row = await first(sql, keyByHashQuery, { keyHash: hashApiKey(key) });
  if (!row || row.revokedAt !== null) return null;
  await run(sql, usedQuery, { id: row.id, at: now });
  return { ...row, scopes: scopesOf(row.scopes), lastUsedAt: now };
}

/** Whether `key` holds `scope`. */
export function hasScope(key: ApiKeyRecord | null, scope: ApiScope): boolean {
  return key !== null && key.scopes.includes(scope);
}
