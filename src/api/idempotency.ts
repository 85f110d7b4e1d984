/**
 * Idempotent POSTs, as Stripe has them: a client that sends `Idempotency-Key: K` may send
 * the same request again (after a timeout, a dropped connection) and get the first answer
 * again instead of a second ticket or a second dispatch. Per API key, the key K is claimed
 * with the request's hash before the work is done; the answer is stored with it and
 * replayed for 24 hours. The same K with another request is a 422; the same K while the
 * first request is still being handled a 409. Answers the client may retry (5xx, 429) are
 * not kept: the claim is dropped and K may be used again.
 */
import { createHash } from 'node:crypto';
import { type Db, sqlOf } from '../db/client.js';
import { defineQuery, first, run } from '../db/sql.js';
import type { RetentionDuty } from '../pipeline/retention.js';
import { ApiError } from './errors.js';

/** How long an answer is replayed. */
export const IDEMPOTENCY_HOURS = 24;

/** A POST's answer, as stored and replayed. */
export interface PostAnswer {
  status: number;
  value: unknown;
}

const expiredQuery = defineQuery('api_idempotency_expired', (db, p: { apiKeyId: number; before: Date }) =>
  db.deleteFrom('ApiIdempotencyKey').where('apiKeyId', '=', p.apiKeyId).where('createdAt', '<', p.before),
);

/** Every key's answers past the window: those of an API key that sends no more POSTs too (the claim above only clears its own key's). */
const allExpiredQuery = defineQuery('api_idempotency_all_expired', (db, p: { before: Date }) => db.deleteFrom('ApiIdempotencyKey').where('createdAt', '<', p.before));

const claimQuery = defineQuery('api_idempotency_claim', (db, p: { apiKeyId: number; key: string; requestHash: string; at: Date }) =>
  db
    .insertInto('ApiIdempotencyKey')
    .values({ apiKeyId: p.apiKeyId, key: p.key, requestHash: p.requestHash, createdAt: p.at })
    .onConflict((oc) => oc.columns(['apiKeyId', 'key']).doNothing()),
);

const claimedQuery = defineQuery('api_idempotency_claimed', (db, p: { apiKeyId: number; key: string }) =>
  db.selectFrom('ApiIdempotencyKey').select(['requestHash', 'status', 'response']).where('apiKeyId', '=', p.apiKeyId).where('key', '=', p.key),
);

const answeredQuery = defineQuery('api_idempotency_answered', (db, p: { apiKeyId: number; key: string; status: number; response: string }) =>
  db.updateTable('ApiIdempotencyKey').set({ status: p.status, response: p.response }).where('apiKeyId', '=', p.apiKeyId).where('key', '=', p.key),
);

const releaseQuery = defineQuery('api_idempotency_release', (db, p: { apiKeyId: number; key: string }) =>
  db.deleteFrom('ApiIdempotencyKey').where('apiKeyId', '=', p.apiKeyId).where('key', '=', p.key),
);

/**
 * The scheduler's duty for the stored answers (the app hands it to the retention, hourly):
 * those older than IDEMPOTENCY_HOURS go, of every API key, as none would be replayed any
 * more. A day's POSTs at most, deleted in one statement.
 */
export const idempotencyRetention: RetentionDuty = {
  name: 'idempotencyKeys',
  async forget(sql, now) {
    return { deleted: await run(sql, allExpiredQuery, { before: expiryOf(now) }), done: true };
  },
};

/** Answers stored before this instant are past the window. */
function expiryOf(now: Date): Date {
  return new Date(now.getTime() - IDEMPOTENCY_HOURS * 3_600_000);
}

/** What identifies a request: its method, path and body. */
export function requestHash(method: string, path: string, body: Buffer): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(body).digest('hex');
}

/**
 * `handle()`'s answer, or the one stored for `key` (marked `replayed`). Without a key the
 * request is simply handled. An ApiError the client should not retry is stored and thrown.
 */
export async function idempotent(
  db: Db,
  apiKeyId: number,
  key: string | undefined,
  hash: string,
  now: Date,
  handle: () => Promise<PostAnswer>,
): Promise<PostAnswer & { replayed: boolean }> {
  if (key === undefined) return { ...(await handle()), replayed: false };
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new ApiError(400, 'Idempotency-Key must be 1 to 255 printable ASCII characters');
  const sql = sqlOf(db);
  await run(sql, expiredQuery, { apiKeyId, before: expiryOf(now) });
  if ((await run(sql, claimQuery, { apiKeyId, key, requestHash: hash, at: now })) === 0) {
    const claimed = await first(sql, claimedQuery, { apiKeyId, key });
    if (!claimed) throw new ApiError(409, 'a request with this Idempotency-Key was just released; send it again');
    if (claimed.requestHash !== hash) throw new ApiError(422, 'this Idempotency-Key was used with another request (method, path or body)');
    if (claimed.status === null || claimed.response === null) throw new ApiError(409, 'a request with this Idempotency-Key is still being handled; send it again later');
    return { status: claimed.status, value: JSON.parse(claimed.response) as unknown, replayed: true };
  }
  const keep = (answer: PostAnswer) => run(sql, answeredQuery, { apiKeyId, key, status: answer.status, response: JSON.stringify(answer.value) });
  try {
    const answer = await handle();
    await keep(answer);
    return { ...answer, replayed: false };
  } catch (error) {
    if (error instanceof ApiError && error.status < 500 && error.status !== 429) {
      await keep({ status: error.status, value: { error: { status: error.status, message: error.message } } });
    } else {
      await run(sql, releaseQuery, { apiKeyId, key });
    }
    throw error;
  }
}
