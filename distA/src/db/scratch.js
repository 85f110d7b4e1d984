/**
 * Throw-away databases for benchmarks and tests: a new SQLite file migrated and opened,
 * and a new empty PostgreSQL database on a given server, dropped when done.
 */
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { openDatabase } from './client.js';
import { applyMigrations } from './migrations.js';
/** Migrates a new SQLite file and opens it (the schema engine may hold the file a moment: SQLITE_BUSY is retried). */
export async function openFreshSqlite(url) {
    await applyMigrations('sqlite', url);
    for (let attempt = 1;; attempt++) {
        try {
            return await openDatabase(url, { migrate: false });
        }
        catch (error) {
            if (attempt >= 10 || !String(error).includes('SQLITE_BUSY'))
                throw error;
            await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
    }
}
/**
 * A new PostgreSQL database named `<prefix>_<pid>_<random>` on the server of `serverUrl`:
 * empty, or a copy of the database `template` (which must have no open connection).
 */
export async function scratchPostgres(serverUrl, prefix, template) {
    const config = parseIntoClientConfig(serverUrl);
    const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client(config);
    await admin.connect();
    await admin.query(template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
        url: url.toString(),
        async drop() {
            const again = new pg.Client(config);
            await again.connect();
            try {
                await dropDatabase(again, name);
            }
            finally {
                await again.end();
            }
        },
    };
}
/** Drops every database on the server of `serverUrl` named `<prefix>_…`: the scratch databases a run left behind. */
export async function dropScratchPostgres(serverUrl, prefix) {
    const admin = new pg.Client(parseIntoClientConfig(serverUrl));
    await admin.connect();
    try {
        const { rows } = await admin.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [`${prefix}_`]);
        for (const { datname } of rows)
            await dropDatabase(admin, datname);
    }
    finally {
        await admin.end();
    }
}
async function dropDatabase(admin, name) {
    // A plain DROP waits out an autovacuum worker on the fresh tables; FORCE would have to
    // terminate it, which only a superuser may. FORCE is the fallback for a connection left open.
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`).catch(() => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
