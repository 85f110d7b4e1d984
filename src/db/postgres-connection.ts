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

/** Queries on a pool, each on a free connection. */
export class PostgresConnection implements SqlConnection {
  readonly dialect = 'postgres' as const;
  readonly database: object;
  readonly standalone: SqlConnection | undefined;
  readonly #on: pg.Pool;

  constructor(on: pg.Pool, database: object) {
    this.#on = on;
    this.database = database;
    // Each statement on the pool commits on its own.
    this.standalone = this;
  }

  async execute<P, R>(query: Query<P, R>, params: P): Promise<Outcome<R>> {
    const statement = query.compiled('postgres');
    const result = await this.#on.query<R & pg.QueryResultRow>({ name: statement.name, text: statement.text, values: query.bind(statement, 'postgres', params) as unknown[] });
    return { rows: result.rows, changes: result.rowCount ?? 0 };
  }
}
