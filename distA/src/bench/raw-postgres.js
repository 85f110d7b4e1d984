/**
 * The PostgreSQL ceiling (see ceiling.ts): the engine's rows written with plain `pg`
 * clients, each statement a named prepared statement (parsed once per connection), one
 * transaction per message (and per sent mark), on several connections at once, as the
 * engine's pool would use them.
 */
import pg from 'pg';
import { measureCeiling, STATEMENTS } from './ceiling.js';
/** The statements with PostgreSQL's numbered placeholders. */
const NUMBERED = Object.fromEntries(Object.entries(STATEMENTS).map(([name, sql]) => {
    let n = 0;
    return [name, sql.replace(/\?/g, () => `$${++n}`)];
}));
function postgresConnection(client) {
    return {
        async run(name, values) {
            const result = await client.query({ name, text: NUMBERED[name], values: [...values] });
            const row = result.rows[0];
            return row ? Number(Object.values(row)[0]) : undefined;
        },
        async transaction(work) {
            await client.query('BEGIN');
            try {
                await work();
                await client.query('COMMIT');
            }
            catch (error) {
                await client.query('ROLLBACK');
                throw error;
            }
        },
    };
}
/**
 * Writes the messages of `pairs` into the PostgreSQL database at `url` (migrated, demo
 * county loaded, identities of `pairs` present) on `connections` connections:
 * `warmupSeconds`, then `seconds` measured.
 */
export async function postgresCeiling(url, pairs, connections, warmupSeconds, seconds) {
    const clients = Array.from({ length: connections }, () => new pg.Client({ connectionString: url }));
    try {
        await Promise.all(clients.map((c) => c.connect()));
        return await measureCeiling(clients.map(postgresConnection), pairs, warmupSeconds, seconds);
    }
    finally {
        await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
}
