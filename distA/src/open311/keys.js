/**
 * API keys: how another system (a 12345 platform, a city app) proves who it is on the
 * Open311 interface, and later the REST API and webhooks. A key is 32 random bytes shown
 * once when made (`npm run apikey -- create`); the database keeps only its SHA-256, so a
 * copy of the database gives no key away. A key has a unique name, scopes, and
 * optionally a region: the region whose requests it may read beyond the public board,
 * and where a request it posts goes when nothing in the request places it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sqlOf } from '../db/client.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { DataError } from '../errors.js';
/**
 * What a key may do: `open311:write` posts Open311 requests; `read` and `write` are the
 * REST API's (reading tickets within the key's region, acting on them).
 */
export const API_SCOPES = ['open311:write', 'read', 'write'];
/** Keys start with this, so a leaked one is recognisable in logs and by secret scanners. */
const KEY_PREFIX = 'mq_';
/** The stored form of a key. */
export function hashApiKey(key) {
    return createHash('sha256').update(key).digest('hex');
}
function scopesOf(text) {
    return text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => API_SCOPES.includes(s));
}
const keyColumns = ['k.id', 'k.name', 'k.regionId', 'k.scopes', 'k.createdAt', 'k.revokedAt', 'k.lastUsedAt', 'r.code as regionCode', 'r.name as regionName'];
const keysQuery = defineQuery('api_keys', (db) => db.selectFrom('ApiKey as k').leftJoin('Region as r', 'r.id', 'k.regionId').select(keyColumns).orderBy('k.name'));
const keyByHashQuery = defineQuery('api_key_by_hash', (db, p) => db.selectFrom('ApiKey as k').leftJoin('Region as r', 'r.id', 'k.regionId').select(keyColumns).where('k.keyHash', '=', p.keyHash));
const keyNamedQuery = defineQuery('api_key_named', (db, p) => db.selectFrom('ApiKey').select('id').where('name', '=', p.name));
const regionByCodeQuery = defineQuery('api_key_region', (db, p) => db.selectFrom('Region').select(['id', 'level']).where('code', '=', p.code));
const insertKeyQuery = defineQuery('api_key_insert', (db, p) => db.insertInto('ApiKey').values({ name: p.name, keyHash: p.keyHash, regionId: p.regionId, scopes: p.scopes, createdAt: p.at }));
const revokeQuery = defineQuery('api_key_revoke', (db, p) => db.updateTable('ApiKey').set({ revokedAt: p.at }).where('name', '=', p.name).where('revokedAt', 'is', null));
const usedQuery = defineQuery('api_key_used', (db, p) => db.updateTable('ApiKey').set({ lastUsedAt: p.at }).where('id', '=', p.id));
/** Every key, by name, revoked ones included. */
export async function listApiKeys(db) {
    const rows = await all(sqlOf(db), keysQuery, {});
    return rows.map((r) => ({ ...r, scopes: scopesOf(r.scopes) }));
}
/**
 * Makes a key and returns it with its record: the only time the key exists outside the
 * caller's hands.
 * @throws DataError for a taken or malformed name, an unknown scope or region.
 */
export async function createApiKey(db, input, now) {
    const name = input.name.trim();
    // Lower-case letters, digits, dots and hyphens only: a request's intake event names its
    // key, and Open311 finds a key's requests by that name with LIKE, where _ and % would be
    // wildcards and SQLite ignores case (src/open311/requests.ts).
    if (!/^[a-z0-9][a-z0-9.-]{0,63}$/.test(name)) {
        throw new DataError(`名称只能用小写字母、数字、点和横线（至多 64 个） the name may use lower-case letters, digits, dots and hyphens (64 at most): ${input.name}`);
    }
    const unknown = input.scopes.filter((s) => !API_SCOPES.includes(s));
    if (unknown.length || !input.scopes.length)
        throw new DataError(`未知的权限 unknown scope: ${unknown.join(', ') || '(none)'}; 可用 known: ${API_SCOPES.join(', ')}`);
    const sql = sqlOf(db);
    let regionId = null;
    if (input.regionCode !== undefined) {
        const region = await first(sql, regionByCodeQuery, { code: input.regionCode });
        if (!region)
            throw new DataError(`没有这个地区 no region with the code ${input.regionCode}`);
        regionId = region.id;
    }
    if (await first(sql, keyNamedQuery, { name }))
        throw new DataError(`已有名为 ${name} 的密钥 a key named ${name} exists already`);
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    await run(sql, insertKeyQuery, { name, keyHash: hashApiKey(key), regionId, scopes: [...new Set(input.scopes)].join(','), at: now });
    const record = (await listApiKeys(db)).find((k) => k.name === name);
    if (!record)
        throw new Error(`the key ${name} was not saved`);
    return { key, record };
}
/**
 * Revokes the key named `name`: from now on it is refused.
 * @throws DataError when there is no such key, or it was revoked already.
 */
export async function revokeApiKey(db, name, now) {
    const sql = sqlOf(db);
    if (!(await first(sql, keyNamedQuery, { name })))
        throw new DataError(`没有名为 ${name} 的密钥 no key named ${name}`);
    if ((await run(sql, revokeQuery, { name, at: now })) === 0)
        throw new DataError(`密钥 ${name} 已被吊销 the key ${name} was revoked already`);
}
/**
 * The live key that `key` is, noting its use; null for an unknown or revoked key (one
 * answer for both: a caller learns nothing from trying).
 */
export async function authenticateApiKey(db, key, now) {
    if (!key.startsWith(KEY_PREFIX) || key.length > 200)
        return null;
    const sql = sqlOf(db);
    const row = await first(sql, keyByHashQuery, { keyHash: hashApiKey(key) });
    if (!row || row.revokedAt !== null)
        return null;
    await run(sql, usedQuery, { id: row.id, at: now });
    return { ...row, scopes: scopesOf(row.scopes), lastUsedAt: now };
}
/** Whether `key` holds `scope`. */
export function hasScope(key, scope) {
    return key !== null && key.scopes.includes(scope);
}
