/**
 * Multi-row INSERTs through Prisma's raw API, for loading many new rows at once.
 *
 * Prisma's createMany spends a few hundred microseconds per row in the client; one
 * `INSERT INTO "T" ("a","b") VALUES (?,?),(?,?),...` per few thousand rows costs a few
 * microseconds per row. Values go as parameters, never as SQL text, and are converted
 * by the driver adapter exactly as for ORM writes (Date, boolean, null, integers), so the
 * rows read back through the client unchanged. Columns the client fills itself
 * (`@updatedAt`, `@default(now())`) must be given by the caller.
 */
import type { Db, Tx } from './client.js';
import { type Dialect, valuesPlaceholders } from './dialect.js';

/** A value a column may be given. */
export type SqlValue = string | number | boolean | Date | null;

/** Anything that runs raw SQL: the client, or a transaction handle. */
export type RawExecutor = Pick<Db | Tx, '$executeRawUnsafe'>;

/**
 * Most parameters in one statement: below SQLite's 32,766 and PostgreSQL's 65,535, and
 * small enough to pass as spread arguments.
 */
export const MAX_PARAMETERS = 30_000;

/** Quotes a table or column name (letters, digits, underscores only). */
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bulkInsert: not a plain identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Inserts `rows` into `table` with one multi-row INSERT per chunk, each with at most
 * {@link MAX_PARAMETERS} parameters. The database assigns autoincrement ids: read new
 * rows back by their natural key.
 * @param dialect the database's, as its connection carries it (`sqlOf(db).dialect`).
 * @param columns the columns to fill, in the order of the VALUES tuples.
 * @param chunkSize rows per statement (default and upper bound: as many as fit).
 * @returns the number of rows inserted.
 */
export async function bulkInsert<C extends string>(
  tx: RawExecutor,
  dialect: Dialect,
  table: string,
  columns: readonly C[],
  rows: readonly Readonly<Record<NoInfer<C>, SqlValue>>[],
  chunkSize?: number,
): Promise<number> {
  if (columns.length === 0) throw new Error('bulkInsert: no columns');
  if (rows.length === 0) return 0;
  const width = columns.length;
  const fit = Math.floor(MAX_PARAMETERS / width);
  if (fit < 1) throw new Error(`bulkInsert: ${width} columns exceed ${MAX_PARAMETERS} parameters`);
  const size = Math.max(1, Math.min(chunkSize ?? fit, fit));
  const head = `INSERT INTO ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(',')}) VALUES `;
  /** The SQL of a full chunk, built once. */
  let fullSql: string | undefined;
  let inserted = 0;
  for (let start = 0; start < rows.length; start += size) {
    const count = Math.min(size, rows.length - start);
    const sql = count === size ? (fullSql ??= head + valuesPlaceholders(dialect, count, width)) : head + valuesPlaceholders(dialect, count, width);
    const values: SqlValue[] = new Array<SqlValue>(count * width);
    let i = 0;
    for (let r = start; r < start + count; r++) {
      const row = rows[r] as Readonly<Record<C, SqlValue>>;
      for (const column of columns) {
        const value = row[column];
        // A missing field is a bug in the caller, not a NULL.
        if (value === undefined) throw new Error(`bulkInsert: ${table} row ${r} has no ${column}`);
        values[i++] = value;
      }
    }
    inserted += await tx.$executeRawUnsafe(sql, ...values);
  }
  return inserted;
}
