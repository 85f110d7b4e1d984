/**
 * What differs between SQLite and PostgreSQL, in one place: the query compiler
 * (placeholders, quoting), how dates and booleans are stored, list parameters, row locks
 * for claims, and the error a unique key raises. Queries themselves are written once, in
 * Kysely, against the tables generated from prisma/schema.prisma (see src/db/sql.ts).
 */
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
  sql,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { BOOLEAN_COLUMNS, DATE_COLUMNS } from './generated/kysely/columns.js';
import type { DB } from './generated/kysely/types.js';
import type { Provider } from './schema-files.js';

/** The database a query is compiled for: the provider `openDatabase` chose. */
export type Dialect = Provider;

/**
 * A query builder that only compiles (its driver runs nothing): queries are compiled
 * once and run by the connection of their dialect (src/db/sql.ts).
 */
function builder(dialect: Dialect): Kysely<DB> {
  return new Kysely<DB>({
    dialect:
      dialect === 'sqlite'
        ? {
            createAdapter: () => new SqliteAdapter(),
            createDriver: () => new DummyDriver(),
            createIntrospector: (db) => new SqliteIntrospector(db),
            createQueryCompiler: () => new SqliteQueryCompiler(),
          }
        : {
            createAdapter: () => new PostgresAdapter(),
            createDriver: () => new DummyDriver(),
            createIntrospector: (db) => new PostgresIntrospector(db),
            createQueryCompiler: () => new PostgresQueryCompiler(),
          },
  });
}

const builders: Record<Dialect, Kysely<DB>> = { sqlite: builder('sqlite'), postgres: builder('postgres') };

export function builderFor(dialect: Dialect): Kysely<DB> {
  return builders[dialect];
}

/** A value as a driver binds it (a list only on PostgreSQL, see `oneOf`). */
export type BoundValue = string | number | bigint | boolean | null | Buffer | readonly unknown[];

/** A date as Prisma stores DateTime on SQLite (ISO 8601 text; keeps text comparisons right). */
export function sqliteDate(date: Date): string {
  // A turn writes the same instant a dozen times (its clock reading): the last one is kept.
  const ms = date.getTime();
  if (ms !== lastDate.ms) {
    lastDate.ms = ms;
    lastDate.text = date.toISOString().replace('Z', '+00:00');
  }
  return lastDate.text;
}
const lastDate = { ms: NaN, text: '' };

/** A date as PostgreSQL's `timestamp(3)` holds it for Prisma: UTC wall-clock time, whatever the server's zone. */
function postgresDate(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** A parameter in the form the dialect stores it. */
export function encodeValue(dialect: Dialect, value: unknown): BoundValue {
  if (value instanceof Date) return dialect === 'sqlite' ? sqliteDate(value) : postgresDate(value);
  if (typeof value === 'boolean' && dialect === 'sqlite') return value ? 1 : 0;
  if (Array.isArray(value) && dialect === 'sqlite') return JSON.stringify(value);
  if (value === undefined) return null;
  return value as BoundValue;
}

/**
 * How a SQLite statement's rows become rows as the code sees them, for its columns:
 * DateTime and Boolean columns, known by name (see src/cli/generate.ts), from ISO text
 * and 0/1; the other columns as they are. On PostgreSQL the driver's type parsers do
 * this (src/db/postgres-connection.ts). Made once per statement: a Ticket row has ~40
 * columns, and looking each one up for every row cost more than the statement.
 */
export function sqliteDecoder(columns: readonly string[]): (row: Record<string, unknown>) => void {
  const dates = columns.filter((name) => DATE_COLUMNS.has(name));
  const booleans = columns.filter((name) => BOOLEAN_COLUMNS.has(name));
  return (row) => {
    for (const name of dates) {
      const value = row[name];
      if (value !== null) row[name] = new Date(value as string);
    }
    for (const name of booleans) {
      const value = row[name];
      if (value !== null) row[name] = value === 1;
    }
  };
}

/**
 * `column` equals one of `values` (a list of any length, bound as one parameter, so that
 * the statement is prepared once): json_each on SQLite (the list bound as JSON text, see
 * `encodeValue`), `= ANY` on PostgreSQL.
 */
export function oneOf(dialect: Dialect, column: RawBuilder<unknown> | string, values: unknown): RawBuilder<boolean> {
  const ref = typeof column === 'string' ? sql.ref(column) : column;
  return dialect === 'sqlite' ? sql<boolean>`${ref} IN (SELECT value FROM json_each(${sql.val(values)}))` : sql<boolean>`${ref} = ANY(${sql.val(values)})`;
}

/** A unique key refused the row (e.g. a message delivered twice), on either database. */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof BetterSqlite3.SqliteError) return error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  if (typeof error !== 'object' || error === null) return false;
  const { code, kind } = error as { code?: unknown; kind?: unknown };
  // 23505: PostgreSQL's unique_violation; P2002 and the driver adapter's kind: the same reported through Prisma.
  if (code === '23505' || code === 'P2002' || kind === 'UniqueConstraintViolation') return true;
  const cause = (error as { cause?: unknown; meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError ?? (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isUniqueViolation(cause);
}

/** Whether transactions run side by side (PostgreSQL), or one at a time (SQLite: one writer). */
export function transactionsOverlap(dialect: Dialect): boolean {
  return dialect === 'postgres';
}

/** The text values of `column` in `order`, joined with commas (null when there are none); an aggregate. */
export function joinedText(dialect: Dialect, column: string, order: string): RawBuilder<string | null> {
  return dialect === 'sqlite'
    ? sql<string | null>`group_concat(${sql.ref(column)}, ',' ORDER BY ${sql.ref(order)})`
    : sql<string | null>`string_agg(${sql.ref(column)}, ',' ORDER BY ${sql.ref(order)})`;
}

/**
 * The Beijing (UTC+8, no daylight saving) calendar day of a DateTime column, as text or a
 * date: equal values are the same local day (src/pipeline/calendar.ts counts days the
 * same way). SQLite reads the ISO text with its offset; PostgreSQL holds UTC wall time.
 */
export function beijingDay(dialect: Dialect, column: string): RawBuilder<string> {
  return dialect === 'sqlite' ? sql<string>`date(${sql.ref(column)}, '+8 hours')` : sql<string>`(${sql.ref(column)} + interval '8 hours')::date`;
}

/**
 * A chat session upsert's new `data` (JSON text): the stored one with the offered choices
 * under `field` (a late reply's `choices`, a push's `pushed`) and the larger `choicesFrom`
 * of the two (see TurnStore.offerChoices).
 */
export function choicesMerged(dialect: Dialect, field: 'choices' | 'pushed'): RawBuilder<string> {
  return dialect === 'sqlite'
    ? sql<string>`json_set(CASE WHEN json_valid("ChatSession"."data") THEN "ChatSession"."data" ELSE '{}' END,
        ${sql.lit(`$.${field}`)}, json(excluded."data" -> ${sql.lit(`$.${field}`)}),
        '$.choicesFrom', max(coalesce(CASE WHEN json_valid("ChatSession"."data") THEN "ChatSession"."data" ->> '$.choicesFrom' END, 0), excluded."data" ->> '$.choicesFrom'))`
    : sql<string>`("ChatSession"."data"::jsonb || jsonb_build_object(${sql.lit(field)}, (excluded."data"::jsonb) -> ${sql.lit(field)},
        'choicesFrom', GREATEST(coalesce(("ChatSession"."data"::jsonb ->> 'choicesFrom')::bigint, 0), (excluded."data"::jsonb ->> 'choicesFrom')::bigint)))::text`;
}

/** The offered choices are later than the stored session's (or it holds none readable). */
export function choicesNewer(dialect: Dialect): RawBuilder<boolean> {
  return dialect === 'sqlite'
    ? sql<boolean>`(NOT json_valid("ChatSession"."data") OR coalesce("ChatSession"."data" ->> '$.choicesFrom', 0) < excluded."data" ->> '$.choicesFrom')`
    : sql<boolean>`coalesce(("ChatSession"."data"::jsonb ->> 'choicesFrom')::bigint, 0) < (excluded."data"::jsonb ->> 'choicesFrom')::bigint`;
}

/**
 * Text typed by a user, as a LIKE pattern that finds it anywhere in a column: its `%`,
 * `_` and `\` escaped, so that `%` finds a percent sign and not every row. Use it only
 * with {@link likeEscaped}, which names the escape character.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * `column LIKE pattern ESCAPE '\'`: the escape is stated, because SQLite has none by
 * default (a `\` there is a plain character) while PostgreSQL's default is `\`. Case as
 * each database does it: SQLite folds ASCII letters, PostgreSQL does not.
 */
export function likeEscaped(column: string, pattern: unknown): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} LIKE ${pattern} ESCAPE '\\'`;
}

/** A DateTime column as milliseconds since the epoch (an integer). PostgreSQL holds UTC wall time: the epoch of the plain value is right. */
export function epochMs(dialect: Dialect, column: string): RawBuilder<number> {
  return dialect === 'sqlite'
    ? sql<number>`CAST(ROUND((julianday(${sql.ref(column)}) - 2440587.5) * 86400000) AS INTEGER)`
    : sql<number>`ROUND(EXTRACT(EPOCH FROM ${sql.ref(column)}) * 1000)::BIGINT`;
}

/**
 * The rows of a query as one JSON text, an array of arrays of `values` ('[]' when there
 * are none); an aggregate. One text costs the drivers far less than as many rows.
 */
export function jsonArrayOfRows(dialect: Dialect, values: readonly RawBuilder<unknown>[]): RawBuilder<string> {
  return dialect === 'sqlite'
    ? sql<string>`json_group_array(json_array(${sql.join(values)}))`
    : sql<string>`COALESCE(json_agg(json_build_array(${sql.join(values)})), '[]'::json)::TEXT`;
}

/**
 * The VALUES list of a multi-row INSERT of `rows` rows of `width` columns, in the
 * dialect's positional placeholders: `(?,?),(?,?)` or `($1,$2),($3,$4)`.
 */
export function valuesPlaceholders(dialect: Dialect, rows: number, width: number): string {
  const tuples: string[] = new Array<string>(rows);
  if (dialect === 'sqlite') return tuples.fill(`(${new Array<string>(width).fill('?').join(',')})`).join(',');
  let n = 0;
  const cells: string[] = new Array<string>(width);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) cells[c] = `$${++n}`;
    tuples[r] = `(${cells.join(',')})`;
  }
  return tuples.join(',');
}
