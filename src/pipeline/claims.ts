/**
 * Claiming due timers and outbox rows for one worker: a claim is a lease (claimedBy +
 * claimedUntil), taken in one transaction. Written once for both databases: on
 * PostgreSQL the due rows are read `FOR UPDATE SKIP LOCKED` (see `claimLock`), so two
 * processes never claim the same row; on SQLite the single writer gives the same.
 *
 * Each chat's messages go out in the order they were queued: an outbox row is not due
 * while an earlier unsent row of its chat is waiting (backing off, offline) or held (by
 * a turn, or by another worker).
 */
import type { ExpressionBuilder, SelectQueryBuilder } from 'kysely';
import { type Db, sqlTransaction } from '../db/client.js';
import { type Dialect, oneOf, transactionsOverlap } from '../db/dialect.js';
import type { DB } from '../db/generated/kysely/types.js';
import { all, defineQuery, type Query, run, type SqlConnection } from '../db/sql.js';

export type ClaimTable = 'Timer' | 'OutboxMessage';

/** A channel, or one chat of a channel, that a process delivers to. */
export interface OutboxTarget {
  channel: string;
  chatId?: string;
}

/** The due rows of a claim, locked where transactions overlap: other workers skip them. */
function claimLock<D, TB extends keyof D, O>(dialect: Dialect, query: SelectQueryBuilder<D, TB, O>): SelectQueryBuilder<D, TB, O> {
  return transactionsOverlap(dialect) ? query.forUpdate().skipLocked() : query;
}

const dueTimersQuery = defineQuery('claim_due_timers', (db, p: { now: Date; batch: number }, dialect) =>
  claimLock(
    dialect,
    db
      .selectFrom('Timer')
      .select('id')
      .where('firedAt', 'is', null)
      .where('dueAt', '<=', p.now)
      .where((eb) => eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', p.now)]))
      .orderBy('dueAt')
      .orderBy('id')
      .limit(p.batch),
  ),
);

/** Parameters of an outbox claim: `channel0`, `chatId0`, … name the targets' values. */
type OutboxClaimParams = { now: Date; batch: number } & Record<string, unknown>;

/** The unsent rows of outbox row `m`'s chat that come before it, as `e`: what `m` waits behind (a chat's messages go out in order). */
function earlierUnsentOfChat(eb: ExpressionBuilder<DB & { m: DB['OutboxMessage'] }, 'm'>) {
  return eb
    .selectFrom('OutboxMessage as e')
    .select('e.id')
    .whereRef('e.channel', '=', 'm.channel')
    .whereRef('e.chatId', '=', 'm.chatId')
    .whereRef('e.id', '<', 'm.id')
    .where('e.sentAt', 'is', null)
    .where('e.failedAt', 'is', null);
}

/** The outbox claim for targets of one shape (whole channels or single chats, in order), compiled once per shape. */
const dueOutboxQueries = new Map<string, Query<OutboxClaimParams, { id: number }>>();

function dueOutboxQuery(targets: readonly OutboxTarget[]): Query<OutboxClaimParams, { id: number }> {
  const shape = targets.map((t) => (t.chatId === undefined ? 'channel' : 'chat')).join(',');
  let query = dueOutboxQueries.get(shape);
  if (query) return query;
  query = defineQuery(`claim_due_outbox_${dueOutboxQueries.size + 1}`, (db, p: OutboxClaimParams, dialect) =>
    claimLock(
      dialect,
      db
        .selectFrom('OutboxMessage as m')
        .select('m.id')
        .where('m.sentAt', 'is', null)
        .where('m.failedAt', 'is', null)
        .where('m.availableAt', '<=', p.now)
        .where((eb) => eb.or([eb('m.claimedUntil', 'is', null), eb('m.claimedUntil', '<', p.now)]))
        .where((eb) =>
          eb.or(
            targets.map((t, i) =>
              t.chatId === undefined
                ? eb('m.channel', '=', p[`channel${i}`] as string)
                : eb.and([eb('m.channel', '=', p[`channel${i}`] as string), eb('m.chatId', '=', p[`chatId${i}`] as string)]),
            ),
          ),
        )
        .where((eb) => eb.not(eb.exists(earlierUnsentOfChat(eb).where((inner) => inner.or([inner('e.availableAt', '>', p.now), inner('e.claimedUntil', '>=', p.now)])))))
        .orderBy('m.id')
        .limit(p.batch),
    ),
  );
  dueOutboxQueries.set(shape, query);
  return query;
}

/**
 * Of the rows just claimed, those with an earlier unsent row of their chat outside the
 * claim. SKIP LOCKED passes over a row another worker is claiming right now, which the
 * order check cannot see yet: such a row waits for a later round.
 */
const behindOthersQuery = defineQuery('claim_behind_others', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('OutboxMessage as m')
    .select('m.id')
    .where(oneOf(dialect, 'm.id', p.ids))
    .where((eb) => eb.exists(earlierUnsentOfChat(eb).where((inner) => inner.not(oneOf(dialect, 'e.id', p.ids))))),
);

const markClaimedQueries = {
  Timer: defineQuery('claim_mark_timers', (db, p: { ids: number[]; workerId: string; until: Date }, dialect) =>
    db
      .updateTable('Timer')
      .set({ claimedBy: p.workerId, claimedUntil: p.until })
      .where(oneOf(dialect, 'id', p.ids)),
  ),
  OutboxMessage: defineQuery('claim_mark_outbox', (db, p: { ids: number[]; workerId: string; until: Date }, dialect) =>
    db
      .updateTable('OutboxMessage')
      .set({ claimedBy: p.workerId, claimedUntil: p.until })
      .where(oneOf(dialect, 'id', p.ids)),
  ),
};

export interface ClaimRequest {
  workerId: string;
  now: Date;
  /** When the lease ends. */
  until: Date;
  batch: number;
  /** For the outbox: the chats this worker delivers to. */
  targets?: readonly OutboxTarget[];
}

async function claimIn(sql: SqlConnection, table: ClaimTable, request: ClaimRequest): Promise<number[]> {
  const { now, batch } = request;
  let ids: number[];
  if (table === 'Timer') {
    ids = (await all(sql, dueTimersQuery, { now, batch })).map((r) => r.id);
  } else {
    const targets = request.targets ?? [];
    if (!targets.length) return [];
    const params: OutboxClaimParams = { now, batch };
    targets.forEach((t, i) => {
      params[`channel${i}`] = t.channel;
      if (t.chatId !== undefined) params[`chatId${i}`] = t.chatId;
    });
    ids = (await all(sql, dueOutboxQuery(targets), params)).map((r) => r.id);
    if (ids.length && transactionsOverlap(sql.dialect)) {
      const wait = new Set((await all(sql, behindOthersQuery, { ids })).map((r) => r.id));
      ids = ids.filter((id) => !wait.has(id));
    }
  }
  if (ids.length) await run(sql, markClaimedQueries[table], { ids, workerId: request.workerId, until: request.until });
  return ids;
}

/** Claims up to `batch` due rows of `table` for the worker, in one transaction; returns their ids. */
export function claimDue(db: Db, table: ClaimTable, request: ClaimRequest): Promise<number[]> {
  return sqlTransaction(db, (tx) => claimIn(tx.sql, table, request));
}
