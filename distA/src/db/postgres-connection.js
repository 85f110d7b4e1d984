/**
 * The storage layer's queries on PostgreSQL: each one a named prepared statement
 * (parsed and planned once per connection), on a pool of node-postgres connections or
 * on the one client a transaction holds.
 */
import pg from 'pg';
/** node-postgres' type ids for the types whose default parsing does not suit. */
const TIMESTAMP = 1114;
const INT8 = 20;
/**
 * `timestamp(3)` holds UTC wall-clock time as Prisma writes it (see `encodeValue`), not
 * the process's local time; a count (bigint) fits a number.
 */
const types = {
    getTypeParser: ((oid, format) => {
        if (oid === TIMESTAMP)
            return (text) => new Date(`${text.replace(' ', 'T')}Z`);
        if (oid === INT8)
            return (text) => Number(text);
        return pg.types.getTypeParser(oid, format ?? 'text');
    }),
};
/** A pool of connections to the database of `config`, with the layer's type parsing. */
export function postgresPool(config) {
    return new pg.Pool({ ...config, types });
}
/** PostgreSQL's codes for a transaction that lost a race and may simply run again. */
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
/** Whether `error` is a serialisation failure or a deadlock: nothing was done, and trying again may succeed. */
export function isTransientConflict(error) {
    const code = typeof error === 'object' && error !== null ? error.code : undefined;
    return code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
}
/**
 * Queries on a pool, each on a free connection (and committed on its own), or on the one
 * pooled client a transaction holds. Either way each is a named prepared statement, which
 * node-postgres prepares once per connection.
 */
export class PostgresConnection {
    dialect = 'postgres';
    database;
    standalone;
    #on;
    constructor(on, database, standalone) {
        this.#on = on;
        this.database = database;
        // Each statement on the pool commits on its own.
        this.standalone = standalone ?? this;
    }
    async execute(query, params) {
        const statement = query.compiled('postgres');
        const result = await this.#on.query({ name: statement.name, text: statement.text, values: query.bind(statement, 'postgres', params) });
        return { rows: result.rows, changes: result.rowCount ?? 0 };
    }
}
/**
 * Runs `work` in a plain transaction (BEGIN … COMMIT) on a client checked out of `pool`,
 * its queries on that client; rolls back if `work` throws. No ORM in between: a turn's
 * statements are the transaction's only round trips.
 */
export async function inPostgresTransaction(pool, outside, work) {
    const client = await pool.connect();
    let broken;
    try {
        await client.query('BEGIN');
        try {
            const result = await work(new PostgresConnection(client, outside.database, outside));
            await client.query('COMMIT');
            return result;
        }
        catch (error) {
            // A ROLLBACK that fails leaves the connection in doubt: it leaves the pool.
            await client.query('ROLLBACK').catch((rollback) => (broken = rollback instanceof Error ? rollback : new Error(String(rollback))));
            throw error;
        }
    }
    finally {
        client.release(broken);
    }
}
