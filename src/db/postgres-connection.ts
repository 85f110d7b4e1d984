/**
 * The storage layer's queries on PostgreSQL: each one a named prepared statement
 * (parsed and planned once per connection), on a pool of node-postgres connections or
 * on the one client a transaction holds.
 */
import pg from 'pg';
import type { Outcome, Query, SqlConnection } from './sql.js';

/** node-postgres' type ids for the types whose default parsing does not suit. */
const TIMESTAMP = 1114;
const INT8 = 20;

/**
 * `timestamp(3)` holds UTC wall-clock time as Prisma writes it (see `encodeValue`), not
 * the process's local time; a count (bigint) fits a number.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMP) return (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
    if (oid === INT8) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format ?? 'text') as (text: string) => unknown;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** A pool of connections to the database of `config`, with the layer's type parsing. */
export function postgresPool(config: pg.PoolConfig): pg.Pool {
  return new pg.Pool({ ...config, types });
}

/** PostgreSQL's codes for a transaction that lost a race and may simply run again. */
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';

/** Whether `error` is a serialisation failure or a deadlock: nothing was done, and trying again may succeed. */
export function isTransientConflict(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
}

/**
 * Queries on a pool, each on a free connection (and committed on its own), or on the one
 * pooled client a transaction holds. Either way each is a named prepared statement, which
 * node-postgres prepares once per connection.
 */
export class PostgresConnection implements SqlConnection {
  readonly dialect = 'postgres' as const;
  readonly database: object;
  readonly standalone: SqlConnection | undefined;
  readonly #on: pg.Pool | pg.PoolClient;

  constructor(on: pg.Pool | pg.PoolClient, database: object, standalone?: SqlConnection) {
    this.#on = on;
    this.database = database;
    // Each statement on the pool commits on its own.
    this.standalone = standalone ?? this;
  }

  async execute<P, R>(query: Query<P, R>, params: P): Promise<Outcome<R>> {
    const statement = query.compiled('postgres');
    const result = await this.#on.query<R & pg.QueryResultRow>({ name: statement.name, text: statement.text, values: query.bind(statement, 'postgres', params) as unknown[] });
    return { rows: result.rows, changes: result.rowCount ?? 0 };
  }
}

/**
 * Runs `work` in a plain transaction (BEGIN … COMMIT) on a client checked out of `pool`,
 * its queries on that client; rolls back if `work` throws. No ORM in between: a turn's
 * statements are the transaction's only round trips.
 */
export async function inPostgresTransaction<T>(pool: pg.Pool, outside: PostgresConnection, work: (connection: SqlConnection) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const result = await work(new PostgresConnection(client, outside.database, outside));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A ROLLBACK that fails leaves the connection in doubt: it leaves the pool.
      await client.query('ROLLBACK').catch((rollback: unknown) => (broken = rollback instanceof Error ? rollback : new Error(String(rollback))));
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
