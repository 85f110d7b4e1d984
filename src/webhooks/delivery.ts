/**
 * Delivering webhooks the way Stripe, GitHub and Svix do: each queued WebhookDelivery
 * (outbox.ts) is a signed JSON POST; a 2xx settles it, anything else (another status, a
 * network error, no answer in the timeout) is tried again after a backoff (5 s, 10 s, 20 s
 * … capped at an hour). At least once: a receiver deduplicates by the event id, which
 * every attempt carries.
 *
 * Order per subscriber: a delivery is not due while an earlier unsettled one of its
 * subscriber waits (backing off, or claimed by another process), and a failure holds back
 * the rest of the subscriber's claim. Rows are claimed as the chat outbox's are
 * (src/pipeline/claims.ts): a lease taken in one transaction, `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL, so two processes never send the same delivery at once; only the claim
 * holder settles a row, and a settled row is never claimed again, so a delivered event
 * is not sent again after a crash or a restart. A process that dies between the POST and
 * the mark leaves its lease to run out: that one delivery goes out again, with its id.
 *
 * A subscriber failing without a success for WEBHOOK_PAUSE_AFTER_HOURS is paused, and
 * the admins of its region (the county's, for one without a region) are told in chat.
 */
import { randomUUID } from 'node:crypto';
import { type Database, type Db, sqlTransaction } from '../db/client.js';
import { oneOf, transactionsOverlap } from '../db/dialect.js';
import type { DB } from '../db/generated/kysely/types.js';
import { all, defineQuery, first, type Query, run, type SqlConnection } from '../db/sql.js';
import { ApiError } from '../api/errors.js';
import { logger } from '../log.js';
import { onFirstUse } from '../on-first-use.js';
import { isoBeijing } from '../open311/format.js';
import type { ApiKeyRecord } from '../open311/keys.js';
import { backoffMs } from '../pipeline/delivery.js';
import { enqueuePush } from '../pipeline/outbox.js';
import type { Clock } from '../pipeline/service.js';
import type { ExpressionBuilder } from 'kysely';
import { signatureHeader } from './signature.js';
import { pauseSubscriber } from './subscribers.js';

const log = logger('webhooks');

/**
 * The REST API's ticket code (and through it Open311's, the public board's and the
 * statistics'), loaded with the first payload built: a process whose subscribers have
 * nothing waiting never holds it.
 */
const ticketsApi = onFirstUse(() => import('../api/tickets.js'));

/** The earlier unsettled deliveries of delivery `d`'s subscriber, as `e`: what `d` waits behind. */
function earlierUnsettled(eb: ExpressionBuilder<DB & { d: DB['WebhookDelivery'] }, 'd'>) {
  return eb.selectFrom('WebhookDelivery as e').select('e.id').whereRef('e.subscriberId', '=', 'd.subscriberId').whereRef('e.id', '<', 'd.id').where('e.deliveredAt', 'is', null);
}

const dueDeliveriesQuery = defineQuery('webhook_claim_due', (db, p: { now: Date; batch: number }, dialect) => {
  const query = db
    .selectFrom('WebhookDelivery as d')
    .innerJoin('WebhookSubscriber as s', 's.id', 'd.subscriberId')
    .select('d.id')
    .where('s.pausedAt', 'is', null)
    .where('d.deliveredAt', 'is', null)
    .where('d.availableAt', '<=', p.now)
    .where((eb) => eb.or([eb('d.claimedUntil', 'is', null), eb('d.claimedUntil', '<', p.now)]))
    .where((eb) => eb.not(eb.exists(earlierUnsettled(eb).where((inner) => inner.or([inner('e.availableAt', '>', p.now), inner('e.claimedUntil', '>=', p.now)])))))
    .orderBy('d.id')
    .limit(p.batch);
  return transactionsOverlap(dialect) ? query.forUpdate('d').skipLocked() : query;
});

/** Of the rows just claimed, those behind an unsettled row outside the claim (one SKIP LOCKED passed over): they wait for a later round. */
const behindOthersQuery = defineQuery('webhook_claim_behind_others', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('WebhookDelivery as d')
    .select('d.id')
    .where(oneOf(dialect, 'd.id', p.ids))
    .where((eb) => eb.exists(earlierUnsettled(eb).where((inner) => inner.not(oneOf(dialect, 'e.id', p.ids))))),
);

const markClaimedQuery = defineQuery('webhook_claim_mark', (db, p: { ids: number[]; workerId: string; until: Date }, dialect) =>
  db
    .updateTable('WebhookDelivery')
    .set({ claimedBy: p.workerId, claimedUntil: p.until })
    .where(oneOf(dialect, 'id', p.ids)),
);

async function claimIn(sql: SqlConnection, request: { workerId: string; now: Date; until: Date; batch: number }): Promise<number[]> {
  let ids = (await all(sql, dueDeliveriesQuery, { now: request.now, batch: request.batch })).map((r) => r.id);
  if (ids.length && transactionsOverlap(sql.dialect)) {
    const wait = new Set((await all(sql, behindOthersQuery, { ids })).map((r) => r.id));
    ids = ids.filter((id) => !wait.has(id));
  }
  if (ids.length) await run(sql, markClaimedQuery, { ids, workerId: request.workerId, until: request.until });
  return ids;
}

/** Claims up to `batch` due deliveries for the worker, in one transaction; returns their ids in order. */
export function claimDueWebhooks(db: Db, request: { workerId: string; now: Date; until: Date; batch: number }): Promise<number[]> {
  return sqlTransaction(db, (tx) => claimIn(tx.sql, request));
}

const claimedRowsQuery = defineQuery('webhook_claimed_rows', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('WebhookDelivery as d')
    .innerJoin('WebhookSubscriber as s', 's.id', 'd.subscriberId')
    .leftJoin('Region as r', 'r.id', 's.regionId')
    .innerJoin('Ticket as t', 't.id', 'd.ticketId')
    .innerJoin('TicketEvent as ev', (join) => join.onRef('ev.ticketId', '=', 'd.ticketId').onRef('ev.seq', '=', 'd.eventSeq'))
    .select([
      'd.id as id',
      'd.subscriberId as subscriberId',
      'd.eventId as eventId',
      'd.type as type',
      'd.attempts as attempts',
      'd.payload as payload',
      'd.claimedBy as claimedBy',
      'd.deliveredAt as deliveredAt',
      's.name as name',
      's.url as url',
      's.secret as secret',
      's.regionId as regionId',
      's.createdAt as subscriberCreatedAt',
      'r.code as regionCode',
      'r.name as regionName',
      't.number as ticketNumber',
      'ev.seq as seq',
      'ev.type as eventType',
      'ev.fromState as fromState',
      'ev.toState as toState',
      'ev.at as at',
    ])
    .where(oneOf(dialect, 'd.id', p.ids))
    .orderBy('d.id'),
);

type ClaimedRow = typeof claimedRowsQuery extends Query<{ ids: number[] }, infer R> ? R : never;

/** The body, fixed at the first attempt (every retry sends the same bytes), by the claim holder only. */
const fixPayloadQuery = defineQuery('webhook_fix_payload', (db, p: { id: number; workerId: string; payload: string }) =>
  db.updateTable('WebhookDelivery').set({ payload: p.payload }).where('id', '=', p.id).where('claimedBy', '=', p.workerId).where('payload', 'is', null),
);

/** Settled: a 2xx (`status`), or skipped (status null: the ticket is outside the subscriber's reach). */
const settleQuery = defineQuery('webhook_settle', (db, p: { id: number; workerId: string; at: Date; status: number | null; skipped: boolean; attempted: number }) =>
  db
    .updateTable('WebhookDelivery')
    .set((eb) => ({
      deliveredAt: p.at,
      skipped: p.skipped,
      lastStatus: p.status,
      lastError: null,
      lastAttemptAt: p.at,
      attempts: eb('attempts', '+', p.attempted),
      claimedBy: null,
      claimedUntil: null,
    }))
    .where('id', '=', p.id)
    .where('claimedBy', '=', p.workerId)
    .where('deliveredAt', 'is', null),
);

const attemptFailedQuery = defineQuery('webhook_attempt_failed', (db, p: { id: number; workerId: string; at: Date; status: number | null; error: string; availableAt: Date }) =>
  db
    .updateTable('WebhookDelivery')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      lastStatus: p.status,
      lastError: p.error,
      lastAttemptAt: p.at,
      availableAt: p.availableAt,
      claimedBy: null,
      claimedUntil: null,
    }))
    .where('id', '=', p.id)
    .where('claimedBy', '=', p.workerId)
    .where('deliveredAt', 'is', null),
);

const releaseQuery = defineQuery('webhook_release', (db, p: { ids: number[]; workerId: string }, dialect) =>
  db
    .updateTable('WebhookDelivery')
    .set({ claimedBy: null, claimedUntil: null })
    .where(oneOf(dialect, 'id', p.ids))
    .where('claimedBy', '=', p.workerId)
    .where('deliveredAt', 'is', null),
);

const succeededQuery = defineQuery('webhook_subscriber_succeeded', (db, p: { id: number }) =>
  db.updateTable('WebhookSubscriber').set({ failingSince: null }).where('id', '=', p.id).where('failingSince', 'is not', null),
);

const failingQuery = defineQuery('webhook_subscriber_failing', (db, p: { id: number; at: Date }) =>
  db.updateTable('WebhookSubscriber').set({ failingSince: p.at }).where('id', '=', p.id).where('failingSince', 'is', null),
);

const failingSinceQuery = defineQuery('webhook_subscriber_failing_since', (db, p: { id: number }) =>
  db.selectFrom('WebhookSubscriber').select(['failingSince', 'pausedAt']).where('id', '=', p.id),
);

const regionParentQuery = defineQuery('webhook_region_parent', (db, p: { id: number }) => db.selectFrom('Region').select('parentId').where('id', '=', p.id));

const topRegionsQuery = defineQuery('webhook_top_regions', (db) => db.selectFrom('Region').select('id').where('parentId', 'is', null));

const adminsQuery = defineQuery('webhook_admins', (db, p: { regionIds: number[] }, dialect) =>
  db
    .selectFrom('PersonRole')
    .select('personId')
    .distinct()
    .where('role', '=', 'admin')
    .where(oneOf(dialect, 'regionId', p.regionIds))
    .orderBy('personId'),
);

/** What one POST came to: a status (any, 2xx or not), or no answer (`error`). */
export type PostResult = { status: number } | { status: null; error: string };

/** Sends one delivery: the URL, the body and its headers. The default is `fetch` with a timeout. */
export type WebhookPost = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<PostResult>;

export const fetchPost: WebhookPost = async (url, body, headers, timeoutMs) => {
  try {
    const response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // The answer's body is not read beyond what frees the connection.
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { status: null, error: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
};

export interface WebhookSenderOptions {
  database: Database;
  clock: Clock;
  /** The worker whose claims it settles (another process has another; by default a new one). */
  workerId?: string;
  /** A subscriber failing this long without a success is paused (WEBHOOK_PAUSE_AFTER_HOURS). */
  pauseAfterHours: number;
  /** How long a POST may take (default 10 s). */
  timeoutMs?: number;
  /** How long a claim holds (default 60 s). */
  leaseMs?: number;
  batch?: number;
  post?: WebhookPost;
}

/** What one round did. */
export interface WebhookRound {
  delivered: number;
  failed: number;
  skipped: number;
}

/**
 * Sends queued webhook deliveries. `round()` claims and sends once (tests call it);
 * `duty` runs rounds beside the scheduler's, never waiting for a slow receiver, one at
 * a time per process (like SurveySender); `stop()` waits for the one in flight.
 */
export class WebhookSender {
  readonly #options: WebhookSenderOptions & { workerId: string };
  readonly #timeoutMs: number;
  readonly #leaseMs: number;
  readonly #post: WebhookPost;
  #running: Promise<unknown> | undefined;

  constructor(options: WebhookSenderOptions) {
    this.#options = { ...options, workerId: options.workerId ?? `webhooks-${process.pid}-${randomUUID().slice(0, 8)}` };
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#post = options.post ?? fetchPost;
  }

  /** Starts sending what is due unless a round is in flight; never waits for it. A full claim is followed at once by another. */
  readonly duty = (): Promise<void> => {
    this.#running ??= (async () => {
      const batch = this.#options.batch ?? 100;
      for (;;) {
        const round = await this.round();
        if (round.delivered + round.failed + round.skipped < batch || round.failed > 0) break;
      }
    })()
      .catch((error: unknown) => log.error({ err: error }, 'webhook round failed'))
      .finally(() => {
        this.#running = undefined;
      });
    return Promise.resolve();
  };

  async stop(): Promise<void> {
    await this.#running;
  }

  /** Claims the due deliveries and sends them: each subscriber's in order, subscribers side by side. */
  async round(): Promise<WebhookRound> {
    const { database, clock, workerId } = this.#options;
    const now = clock.now();
    const ids = await claimDueWebhooks(database.db, { workerId, now, until: new Date(now.getTime() + this.#leaseMs), batch: this.#options.batch ?? 100 });
    const result: WebhookRound = { delivered: 0, failed: 0, skipped: 0 };
    if (!ids.length) return result;
    const rows = await all(database.sql, claimedRowsQuery, { ids });
    // A claimed row whose ticket is gone (nothing deletes tickets today) would otherwise hold its subscriber's order for ever.
    const found = new Set(rows.map((r) => r.id));
    for (const id of ids.filter((id) => !found.has(id))) {
      await run(database.sql, settleQuery, { id, workerId, at: now, status: null, skipped: true, attempted: 0 });
      result.skipped++;
    }
    const bySubscriber = new Map<number, ClaimedRow[]>();
    for (const row of rows) {
      if (row.claimedBy !== workerId || row.deliveredAt !== null) continue;
      const list = bySubscriber.get(row.subscriberId) ?? [];
      list.push(row);
      bySubscriber.set(row.subscriberId, list);
    }
    await Promise.all([...bySubscriber.values()].map((list) => this.#sendInOrder(list, now, result)));
    return result;
  }

  async #sendInOrder(rows: ClaimedRow[], claimedAt: Date, result: WebhookRound): Promise<void> {
    const { database, clock, workerId } = this.#options;
    const sql = database.sql;
    for (const [index, row] of rows.entries()) {
      // Past half the lease, the rest waits for the next round: once the lease ends another
      // process may claim them, and none may go out twice at once.
      if (clock.now().getTime() - claimedAt.getTime() > this.#leaseMs / 2) {
        await run(sql, releaseQuery, { ids: rows.slice(index).map((r) => r.id), workerId });
        return;
      }
      const body = row.payload ?? (await this.#payload(row));
      if (body === null) {
        await run(sql, settleQuery, { id: row.id, workerId, at: clock.now(), status: null, skipped: true, attempted: 0 });
        result.skipped++;
        continue;
      }
      const timestamp = Math.floor(clock.now().getTime() / 1000);
      const outcome = await this.#post(
        row.url,
        body,
        {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Minqing-Webhooks/1',
          'x-minqing-event-id': row.eventId,
          'x-minqing-timestamp': String(timestamp),
          'x-minqing-signature': signatureHeader(row.secret, timestamp, body),
        },
        this.#timeoutMs,
      );
      const after = clock.now();
      if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) {
        await run(sql, settleQuery, { id: row.id, workerId, at: after, status: outcome.status, skipped: false, attempted: 1 });
        await run(sql, succeededQuery, { id: row.subscriberId });
        result.delivered++;
        continue;
      }
      const error = outcome.status === null ? outcome.error : `HTTP ${outcome.status}`;
      await run(sql, attemptFailedQuery, {
        id: row.id,
        workerId,
        at: after,
        status: outcome.status,
        error: error.slice(0, 500),
        availableAt: new Date(after.getTime() + backoffMs(row.attempts + 1)),
      });
      result.failed++;
      log.warn({ subscriber: row.name, deliveryId: row.id, attempts: row.attempts + 1, error }, 'webhook delivery failed');
      // The subscriber's later deliveries wait behind this one, untried.
      const behind = rows.slice(index + 1).map((r) => r.id);
      if (behind.length) await run(sql, releaseQuery, { ids: behind, workerId });
      await this.#failing(row, after);
      return;
    }
  }

  /**
   * The body of a delivery: the ticket as the REST API shows it to a key of the
   * subscriber's region (scrubbed, no internal staff notes: src/api/tickets.ts), and the
   * event itself. Null when the ticket is outside that reach (a subscriber without a region
   * hears only of what the public board shows). Fixed with the first attempt.
   */
  async #payload(row: ClaimedRow): Promise<string | null> {
    const { database, workerId } = this.#options;
    const key: ApiKeyRecord = {
      id: 0,
      name: row.name,
      regionId: row.regionId,
      regionCode: row.regionCode,
      regionName: row.regionName,
      scopes: ['read'],
      actsAsId: null,
      actsAsUsername: null,
      createdAt: row.subscriberCreatedAt,
      revokedAt: null,
      lastUsedAt: null,
    };
    let ticket;
    try {
      ticket = await (await ticketsApi()).oneTicket(database.db, key, row.ticketNumber);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
    const body = JSON.stringify({
      id: row.eventId,
      type: row.type,
      created: isoBeijing(row.at),
      data: { ticket, event: { seq: row.seq, type: row.eventType, fromState: row.fromState, toState: row.toState, at: isoBeijing(row.at) } },
    });
    await run(database.sql, fixPayloadQuery, { id: row.id, workerId, payload: body });
    // Another attempt may have fixed it first (a lease taken over): that one is sent.
    const fixed = await first(database.sql, payloadQuery, { id: row.id });
    return fixed?.payload ?? body;
  }

  /** Notes the subscriber failing; past WEBHOOK_PAUSE_AFTER_HOURS of it, pauses it and tells its admins. */
  async #failing(row: ClaimedRow, now: Date): Promise<void> {
    const { database, pauseAfterHours } = this.#options;
    const sql = database.sql;
    await run(sql, failingQuery, { id: row.subscriberId, at: now });
    const state = await first(sql, failingSinceQuery, { id: row.subscriberId });
    if (!state?.failingSince || state.pausedAt || now.getTime() - state.failingSince.getTime() < pauseAfterHours * 3_600_000) return;
    const admins = await adminsOf(sql, row.regionId);
    const paused = await sqlTransaction(database.db, async (tx) => {
      if (!(await pauseSubscriber(tx, row.subscriberId, 'failing', now))) return false;
      await enqueuePush(tx, admins, { template: 'webhook.paused', params: { name: row.name, url: row.url, hours: pauseAfterHours } }, now);
      return true;
    });
    if (paused) log.warn({ subscriber: row.name, hours: pauseAfterHours, admins: admins.length }, 'webhook subscriber paused after failing');
  }
}

const payloadQuery = defineQuery('webhook_payload', (db, p: { id: number }) => db.selectFrom('WebhookDelivery').select('payload').where('id', '=', p.id));

/** The admins of `regionId` and the regions above it (the county's, for no region). */
async function adminsOf(sql: SqlConnection, regionId: number | null): Promise<number[]> {
  const regionIds: number[] = [];
  if (regionId === null) {
    regionIds.push(...(await all(sql, topRegionsQuery, {})).map((r) => r.id));
  } else {
    for (let id: number | null = regionId; id !== null && regionIds.length < 10;) {
      regionIds.push(id);
      id = (await first(sql, regionParentQuery, { id }))?.parentId ?? null;
    }
  }
  return (await all(sql, adminsQuery, { regionIds })).map((r) => r.personId);
}
