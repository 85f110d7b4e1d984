/**
 * What differs between SQLite and PostgreSQL, in one place: the query compiler
 * (placeholders, quoting), how dates and booleans are stored, list parameters, row locks
 * for claims, and the error a unique key raises. Queries themselves are written once, in
 * Kysely, against the tables generated from prisma/schema.prisma (see src/db/sql.ts).
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { BOOLEAN_COLUMNS, DATE_COLUMNS } from './generated/kysely/columns.js';
/**
 * A query builder that only compiles (its driver runs nothing): queries are compiled
 * once and run by the connection of their dialect (src/db/sql.ts).
 */
function builder(dialect) {
    return new Kysely({
        dialect: dialect === 'sqlite'
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
const builders = { sqlite: builder('sqlite'), postgres: builder('postgres') };
export function builderFor(dialect) {
    return builders[dialect];
}
/** A date as Prisma stores DateTime on SQLite (ISO 8601 text; keeps text comparisons right). */
export function sqliteDate(date) {
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
function postgresDate(date) {
    return date.toISOString().replace('T', ' ').replace('Z', '');
}
/** A parameter in the form the dialect stores it. */
export function encodeValue(dialect, value) {
    if (value instanceof Date)
        return dialect === 'sqlite' ? sqliteDate(value) : postgresDate(value);
    if (typeof value === 'boolean' && dialect === 'sqlite')
        return value ? 1 : 0;
    if (Array.isArray(value) && dialect === 'sqlite')
        return JSON.stringify(value);
    if (value === undefined)
        return null;
    return value;
}
/**
 * How a SQLite statement's rows become rows as the code sees them, for its columns:
 * DateTime and Boolean columns, known by name (see src/cli/generate.ts), from ISO text
 * and 0/1; the other columns as they are. On PostgreSQL the driver's type parsers do
 * this (src/db/postgres-connection.ts). Made once per statement: a Ticket row has ~40
 * columns, and looking each one up for every row cost more than the statement.
 */
export function sqliteDecoder(columns) {
    const dates = columns.filter((name) => DATE_COLUMNS.has(name));
    const booleans = columns.filter((name) => BOOLEAN_COLUMNS.has(name));
    return (row) => {
        for (const name of dates) {
            const value = row[name];
            if (value !== null)
                row[name] = new Date(value);
        }
        for (const name of booleans) {
            const value = row[name];
            if (value !== null)
                row[name] = value === 1;
        }
    };
}
/**
 * `column` equals one of `values` (a list of any length, bound as one parameter, so that
 * the statement is prepared once): json_each on SQLite (the list bound as JSON text, see
 * `encodeValue`), `= ANY` on PostgreSQL.
 */
export function oneOf(dialect, column, values) {
    const ref = typeof column === 'string' ? sql.ref(column) : column;
    return dialect === 'sqlite' ? sql `${ref} IN (SELECT value FROM json_each(${sql.val(values)}))` : sql `${ref} = ANY(${sql.val(values)})`;
}
/** A unique key refused the row (e.g. a message delivered twice), on either database. */
export function isUniqueViolation(error) {
    if (error instanceof BetterSqlite3.SqliteError)
        return error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
    if (typeof error !== 'object' || error === null)
        return false;
    const { code, kind } = error;
    // 23505: PostgreSQL's unique_violation; P2002 and the driver adapter's kind: the same reported through Prisma.
    if (code === '23505' || code === 'P2002' || kind === 'UniqueConstraintViolation')
        return true;
    const cause = error.meta?.driverAdapterError ?? error.cause;
    return cause !== undefined && cause !== error && isUniqueViolation(cause);
}
/** Whether transactions run side by side (PostgreSQL), or one at a time (SQLite: one writer). */
export function transactionsOverlap(dialect) {
    return dialect === 'postgres';
}
/** The text values of `column` in `order`, joined with commas (null when there are none); an aggregate. */
export function joinedText(dialect, column, order) {
    return dialect === 'sqlite'
        ? sql `group_concat(${sql.ref(column)}, ',' ORDER BY ${sql.ref(order)})`
        : sql `string_agg(${sql.ref(column)}, ',' ORDER BY ${sql.ref(order)})`;
}
/**
 * The Beijing (UTC+8, no daylight saving) calendar day of a DateTime column, as text or a
 * date: equal values are the same local day (src/pipeline/calendar.ts counts days the
 * same way). SQLite reads the ISO text with its offset; PostgreSQL holds UTC wall time.
 */
export function beijingDay(dialect, column) {
    return dialect === 'sqlite' ? sql `date(${sql.ref(column)}, '+8 hours')` : sql `(${sql.ref(column)} + interval '8 hours')::date`;
}
/**
 * A chat session upsert's new `data` (JSON text): the stored one with the offered choices
 * under `field` (a late reply's `choices`, a push's `pushed`) and the larger `choicesFrom`
 * of the two (see TurnStore.offerChoices).
 */
export function choicesMerged(dialect, field) {
    return dialect === 'sqlite'
        ? sql `json_set(CASE WHEN json_valid("ChatSession"."data") THEN "ChatSession"."data" ELSE '{}' END,
        ${sql.lit(`$.${field}`)}, json(excluded."data" -> ${sql.lit(`$.${field}`)}),
        '$.choicesFrom', max(coalesce(CASE WHEN json_valid("ChatSession"."data") THEN "ChatSession"."data" ->> '$.choicesFrom' END, 0), excluded."data" ->> '$.choicesFrom'))`
        : sql `("ChatSession"."data"::jsonb || jsonb_build_object(${sql.lit(field)}, (excluded."data"::jsonb) -> ${sql.lit(field)},
        'choicesFrom', GREATEST(coalesce(("ChatSession"."data"::jsonb ->> 'choicesFrom')::bigint, 0), (excluded."data"::jsonb ->> 'choicesFrom')::bigint)))::text`;
}
/** The offered choices are later than the stored session's (or it holds none readable). */
export function choicesNewer(dialect) {
    return dialect === 'sqlite'
        ? sql `(NOT json_valid("ChatSession"."data") OR coalesce("ChatSession"."data" ->> '$.choicesFrom', 0) < excluded."data" ->> '$.choicesFrom')`
        : sql `coalesce(("ChatSession"."data"::jsonb ->> 'choicesFrom')::bigint, 0) < (excluded."data"::jsonb ->> 'choicesFrom')::bigint`;
}
