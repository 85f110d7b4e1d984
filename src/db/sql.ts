/**
 * The one storage layer: every query written once, in Kysely, against the tables
 * generated from prisma/schema.prisma (a renamed column fails `npm run typecheck`), and
 * run on SQLite or PostgreSQL by the connection `openDatabase` opened.
 *
 * A query is compiled once per dialect, with named parameters (`defineQuery`), not built
 * for each call: building and compiling one costs ~40 µs (measured, 10,000 compiles of a
 * two-condition SELECT), and the SQLite engine runs ~14 statements per message at
 * ~3,000 messages a second. On PostgreSQL each query is a named prepared statement.
 */
import type { Compilable, Kysely } from 'kysely';
import { type BoundValue, builderFor, type Dialect, encodeValue } from './dialect.js';
import type { DB } from './generated/kysely/types.js';

/** Stands for a named parameter while a query compiles. */
class Parameter {
  constructor(readonly name: string) {}
}

/** A query compiled for one dialect: its text, and where each parameter comes from. */
export interface CompiledStatement {
  /** Unique per query and dialect: PostgreSQL's prepared statement name. */
  readonly name: string;
  readonly text: string;
  /** Per placeholder: the parameter's name, or a constant of the query. */
  readonly slots: readonly (Parameter | BoundValue)[];
  /** Whether it only reads (a SELECT). */
  readonly reads: boolean;
  /** Whether it yields rows (a SELECT, or a write with RETURNING). */
  readonly returnsRows: boolean;
  /**
   * SQLite only: a one-row INSERT whose RETURNING was only its `id`, compiled without it;
   * the connection answers `[{ id }]` from the statement's last inserted rowid. SQLite
   * runs RETURNING by buffering the rows to hand back, which doubled the cost of the
   * outbox and inbound inserts a turn makes (8.7 → 16.4 µs each, measured).
   */
  readonly returnsInsertedId: boolean;
}

/** The text of a one-row `INSERT … RETURNING "id"` (no upsert) without its RETURNING, if it is one. */
function withoutReturnedId(dialect: Dialect, text: string, node: { kind: string; returning?: unknown; onConflict?: unknown; values?: unknown }): string | undefined {
  const suffix = ' returning "id"';
  if (dialect !== 'sqlite' || node.kind !== 'InsertQueryNode' || node.onConflict !== undefined || !text.endsWith(suffix)) return undefined;
  const rows = (node.values as { kind?: string; values?: readonly unknown[] } | undefined)?.values;
  return rows?.length === 1 ? text.slice(0, -suffix.length) : undefined;
}

/** A query written once, compiled for a dialect on first use. */
export class Query<P, R> {
  readonly #build: (db: Kysely<DB>, params: P, dialect: Dialect) => Compilable<R>;
  readonly #name: string;
  readonly #compiled: Partial<Record<Dialect, CompiledStatement>> = {};

  constructor(name: string, build: (db: Kysely<DB>, params: P, dialect: Dialect) => Compilable<R>) {
    this.#name = name;
    this.#build = build;
  }

  compiled(dialect: Dialect): CompiledStatement {
    const done = this.#compiled[dialect];
    if (done) return done;
    const names = new Proxy({}, { get: (_target, key) => new Parameter(String(key)) }) as P;
    const query = this.#build(builderFor(dialect), names, dialect).compile();
    const node = query.query as { kind: string; returning?: unknown; onConflict?: unknown; values?: unknown };
    const insertOnly = withoutReturnedId(dialect, query.sql, node);
    return (this.#compiled[dialect] = {
      name: this.#name,
      text: insertOnly ?? query.sql,
      slots: query.parameters.map((value) => (value instanceof Parameter ? value : encodeValue(dialect, value))),
      reads: node.kind === 'SelectQueryNode',
      returnsRows: node.kind === 'SelectQueryNode' || node.returning !== undefined,
      returnsInsertedId: insertOnly !== undefined,
    });
  }

  /** The values to bind for `params`, in placeholder order. */
  bind(statement: CompiledStatement, dialect: Dialect, params: P): BoundValue[] {
    return statement.slots.map((slot) => (slot instanceof Parameter ? encodeValue(dialect, (params as Record<string, unknown>)[slot.name]) : slot));
  }
}

const names = new Set<string>();

/**
 * A query written once for both databases. `build` receives the query builder of the
 * dialect, stand-ins for the named parameters (use them where values go; they are typed
 * as the values) and the dialect (for the few differences, see src/db/dialect.ts).
 * `name` names the prepared statement on PostgreSQL; it must be unique.
 */
export function defineQuery<P extends object, R>(name: string, build: (db: Kysely<DB>, params: P, dialect: Dialect) => Compilable<R>): Query<P, R> {
  if (names.has(name)) throw new Error(`two queries are named ${name}`);
  names.add(name);
  return new Query(name, build);
}

/** What running a query gives: its rows (decoded), and the rows it changed. */
export interface Outcome<R> {
  rows: R[];
  changes: number;
}

/**
 * A connection of one dialect, or a transaction on one: where queries run. A
 * transaction's work is handed the transaction's own (see src/db/client.ts).
 */
export interface SqlConnection {
  readonly dialect: Dialect;
  /**
   * The same object for every connection and transaction of one open database: what a
   * process caches per database is keyed by it (see src/pipeline/reference.ts).
   */
  readonly database: object;
  /**
   * Where transactions overlap (PostgreSQL): the database's own connection, on which a
   * statement commits at once, for a counter no transaction may keep locked to its end.
   * Undefined where one transaction runs at a time (SQLite: it would wait for the
   * connection the transaction holds).
   */
  readonly standalone: SqlConnection | undefined;
  /** Runs `query` with `params`. */
  execute<P, R>(query: Query<P, R>, params: P): Promise<Outcome<R>>;
}

/** The rows of `query`. */
export async function all<P, R>(connection: SqlConnection, query: Query<P, R>, params: P): Promise<R[]> {
  return (await connection.execute(query, params)).rows;
}

/** The first row of `query`, if any. */
export async function first<P, R>(connection: SqlConnection, query: Query<P, R>, params: P): Promise<R | undefined> {
  return (await connection.execute(query, params)).rows[0];
}

/** The one row `query` yields (e.g. an INSERT … RETURNING); throws if none. */
export async function one<P, R>(connection: SqlConnection, query: Query<P, R>, params: P): Promise<R> {
  const row = (await connection.execute(query, params)).rows[0];
  if (row === undefined) throw new Error('the query yielded no row');
  return row;
}

/** Runs a write; resolves with the rows it changed. */
export async function run<P, R>(connection: SqlConnection, query: Query<P, R>, params: P): Promise<number> {
  return (await connection.execute(query, params)).changes;
}
