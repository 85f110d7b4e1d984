import { builderFor, encodeValue } from './dialect.js';
/** Stands for a named parameter while a query compiles. */
class Parameter {
    name;
    constructor(name) {
        this.name = name;
    }
}
/** The text of a one-row `INSERT … RETURNING "id"` (no upsert) without its RETURNING, if it is one. */
function withoutReturnedId(dialect, text, node) {
    const suffix = ' returning "id"';
    if (dialect !== 'sqlite' || node.kind !== 'InsertQueryNode' || node.onConflict !== undefined || !text.endsWith(suffix))
        return undefined;
    const rows = node.values?.values;
    return rows?.length === 1 ? text.slice(0, -suffix.length) : undefined;
}
/** A query written once, compiled for a dialect on first use. */
export class Query {
    #build;
    #name;
    #compiled = {};
    constructor(name, build) {
        this.#name = name;
        this.#build = build;
    }
    compiled(dialect) {
        const done = this.#compiled[dialect];
        if (done)
            return done;
        const names = new Proxy({}, { get: (_target, key) => new Parameter(String(key)) });
        const query = this.#build(builderFor(dialect), names, dialect).compile();
        const node = query.query;
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
    bind(statement, dialect, params) {
        return statement.slots.map((slot) => (slot instanceof Parameter ? encodeValue(dialect, params[slot.name]) : slot));
    }
}
const names = new Set();
/**
 * A query written once for both databases. `build` receives the query builder of the
 * dialect, stand-ins for the named parameters (use them where values go; they are typed
 * as the values) and the dialect (for the few differences, see src/db/dialect.ts).
 * `name` names the prepared statement on PostgreSQL; it must be unique.
 */
export function defineQuery(name, build) {
    if (names.has(name))
        throw new Error(`two queries are named ${name}`);
    names.add(name);
    return new Query(name, build);
}
/** The rows of `query`. */
export async function all(connection, query, params) {
    return (await connection.execute(query, params)).rows;
}
/** The first row of `query`, if any. */
export async function first(connection, query, params) {
    return (await connection.execute(query, params)).rows[0];
}
/** The one row `query` yields (e.g. an INSERT … RETURNING); throws if none. */
export async function one(connection, query, params) {
    const row = (await connection.execute(query, params)).rows[0];
    if (row === undefined)
        throw new Error('the query yielded no row');
    return row;
}
/** Runs a write; resolves with the rows it changed. */
export async function run(connection, query, params) {
    return (await connection.execute(query, params)).changes;
}
