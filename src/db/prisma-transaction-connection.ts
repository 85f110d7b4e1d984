/**
 * The storage layer's queries inside a Prisma interactive transaction on PostgreSQL,
 * through the transaction's own raw queries (the only way onto its connection). A
 * stopgap while the rest of a turn's work still goes through Prisma: such queries are
 * not prepared by name and pay Prisma's runtime (see `transaction` in src/db/client.ts).
 */
import type { Tx } from './client.js';
import type { Outcome, Query, SqlConnection } from './sql.js';

export class PrismaTransactionConnection implements SqlConnection {
  readonly dialect = 'postgres' as const;
  readonly database: object;
  readonly standalone: SqlConnection;
  readonly #tx: Tx;

  constructor(tx: Tx, outside: SqlConnection) {
    this.#tx = tx;
    this.database = outside.database;
    this.standalone = outside;
  }

  async execute<P, R>(query: Query<P, R>, params: P): Promise<Outcome<R>> {
    const statement = query.compiled('postgres');
    const values = query.bind(statement, 'postgres', params);
    if (!statement.returnsRows) return { rows: [], changes: await this.#tx.$executeRawUnsafe(statement.text, ...values) };
    const rows = await this.#tx.$queryRawUnsafe<Record<string, unknown>[]>(statement.text, ...values);
    // Prisma reads a bigint (a count) as a BigInt; the layer's rows hold numbers.
    for (const row of rows) for (const name in row) if (typeof row[name] === 'bigint') row[name] = Number(row[name]);
    return { rows: rows as R[], changes: rows.length };
  }
}
