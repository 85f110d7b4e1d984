/**
 * Opens the database named by DATABASE_URL: SQLite through better-sqlite3 (the embedded
 * default) or PostgreSQL through node-postgres, each with its generated Prisma client.
 * Both clients are generated from one schema and expose the same model API.
 *
 * Each client is imported when its provider is first opened, not with this module: a
 * generated client carries its own query compiler (WebAssembly), and a process serves
 * one provider; loading both cost about 24 MiB of RSS for nothing.
 */
import { setFlagsFromString } from 'node:v8';
import { parseIntoClientConfig } from 'pg-connection-string';
import { ConfigError, DataError } from '../errors.js';
import { BACKSTOP_PAGES, startCheckpointer } from './checkpointer.js';
import { applyMigrations, sqliteFilePath } from './migrations.js';
import { inPostgresTransaction, PostgresConnection, postgresPool } from './postgres-connection.js';
import { PrismaTransactionConnection } from './prisma-transaction-connection.js';
import { sqliteAdapters } from './sqlite-prisma-adapters.js';
import { SqliteConnection } from './sqlite-connection.js';
/**
 * A transaction on the storage layer alone, no ORM in it: what the message path's work
 * is handed by `sqlTransaction`. It carries its connection, and with it its dialect.
 */
export class SqlTx {
    sql;
    constructor(sql) {
        this.sql = sql;
    }
}
const sqlTransactionRunners = new WeakMap();
/** The raw handle of each SQLite client `openDatabase` made: the outside one's, and the inside one's. */
const handles = new WeakMap();
/** The inside client of each outside SQLite client (see sqlite-adapter.ts). */
const insideClients = new WeakMap();
/**
 * The storage layer connection of each client and transaction, set once when it opens.
 * (Not a property of the client: a Prisma transaction client is a proxy that writes
 * properties through to the shared client.)
 */
const connections = new WeakMap();
/** Gives `client` its storage layer connection, chosen once, when it opens. */
function carry(client, connection) {
    connections.set(client, connection);
    return client;
}
/**
 * The storage layer connection `client` carries: the database's for a client
 * `openDatabase` made, the transaction's for the `tx` that `transaction` hands its work.
 */
export function sqlOf(client) {
    if (client instanceof SqlTx)
        return client.sql;
    const connection = connections.get(client);
    if (!connection)
        throw new Error('this client carries no storage layer connection: use one from openDatabase, or the tx of transaction()');
    return connection;
}
/**
 * Runs `work` in one transaction on `db`: on SQLite a light transaction on the
 * connection (see sqlite-adapter.ts), elsewhere a Prisma interactive transaction.
 * Inside, use `tx`, never `db`: on SQLite `db` waits for the connection `tx` holds.
 *
 * On PostgreSQL the storage layer's queries run through the Prisma transaction's raw
 * queries (src/db/prisma-transaction-connection.ts) until the rest of a turn's work
 * leaves Prisma; then this becomes a plain pg transaction on a pooled client.
 */
export function transaction(db, work) {
    const sqlite = handles.get(db);
    // The inside client is a Tx in all but name: its queries are the transaction's. (Given
    // a tx, there is none: the handle refuses to nest.)
    if (sqlite)
        return sqlite.transaction(() => work(insideClients.get(db) ?? db));
    return db.$transaction((tx) => work(carry(tx, new PrismaTransactionConnection(tx, sqlOf(db)))), { maxWait: 10_000, timeout: 30_000 });
}
/**
 * Runs `work` in one transaction on `db` with the storage layer alone: on SQLite a light
 * transaction on the connection, as `transaction` runs it; on PostgreSQL a plain
 * BEGIN … COMMIT on a pooled client, each query a named prepared statement on it (see
 * postgres-connection.ts). The message path's turns and the scheduler's duties run here;
 * `transaction` stays for work that still needs Prisma's `tx` (the console, imports).
 */
export function sqlTransaction(db, work) {
    const run = sqlTransactionRunners.get(db);
    if (!run)
        throw new Error('this client runs no storage layer transaction: use one from openDatabase');
    return run((connection) => work(new SqlTx(connection)));
}
/** The provider a DATABASE_URL names. */
export function providerOf(url) {
    if (url.startsWith('file:'))
        return 'sqlite';
    if (/^postgres(ql)?:\/\//.test(url))
        return 'postgres';
    throw new ConfigError(['DATABASE_URL: expected file:PATH (SQLite) or postgresql://USER:PASSWORD@HOST:PORT/DATABASE']);
}
/**
 * V8 settings for a process that serves SQLite, set before the first client compiles
 * Prisma's query compiler; at run time because the provider is known only then (the
 * flags are read when a module compiles).
 *
 * `--liftoff-only` keeps WebAssembly at V8's baseline compiler. Prisma's query compiler
 * (a 3 MB module), optimised a second time by TurboFan, took another 35 MiB of RSS for
 * no measurable gain: a Prisma query on SQLite cost ~300 µs either way, queries are
 * planned once and cached, and SQLite's hot path runs plain statements. No other
 * WebAssembly runs in the serving process.
 *
 * (`--optimize-for-size` was set here too until Botkit's unused modules stopped loading
 * at start, see bots/web/lazy-modules.ts: it kept the peak ~5 MiB lower and cost 5–15 %
 * of the CPU per message.)
 */
function tuneV8ForSqlite() {
    setFlagsFromString('--liftoff-only');
}
/**
 * Opens (and by default migrates) the database at `url`.
 * @throws ConfigError for a URL of another kind.
 */
export async function openDatabase(url, options = {}) {
    const provider = providerOf(url);
    if (options.migrate !== false) {
        try {
            await applyMigrations(provider, url);
        }
        catch (error) {
            // The URL may hold a password: name the provider, never the URL.
            const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
            throw new DataError(`cannot open the ${provider} database named by DATABASE_URL: ${reason}`, { cause: error });
        }
    }
    if (provider === 'sqlite') {
        tuneV8ForSqlite();
        const { PrismaClient } = await import('./generated/sqlite/client.js');
        let handle;
        const adapters = sqliteAdapters(sqliteFilePath(url), (opened) => (handle = opened));
        const db = new PrismaClient({ adapter: adapters.outside });
        // For a light transaction's work (see sqlite-adapter.ts): ~2 MiB, its query compiler included.
        const inside = new PrismaClient({ adapter: adapters.inside });
        // WAL lets readers (the console, a second terminal) work while the bot writes; the
        // busy timeout makes a second process wait for the write lock instead of failing.
        // The busy timeout comes first: switching to WAL needs a moment of exclusive access.
        await db.$executeRawUnsafe('PRAGMA busy_timeout = 5000');
        const [mode] = await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
        // FULL syncs the WAL at every commit (the adapter commits turns in groups: one fsync
        // per group); NORMAL only at checkpoints: a killed process loses nothing committed
        // either way, a power cut may lose NORMAL's last commits (see README).
        await db.$executeRawUnsafe(`PRAGMA synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
        await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
        if (!handle)
            throw new Error('the SQLite connection did not open');
        handles.set(db, handle);
        handles.set(inside, handle.inside);
        insideClients.set(db, inside);
        const sql = new SqliteConnection(handle, handle);
        carry(db, sql);
        const insideSql = new SqliteConnection(handle.inside, handle);
        carry(inside, insideSql);
        const sqlite = handle;
        sqlTransactionRunners.set(db, (work) => sqlite.transaction(() => work(insideSql)));
        const disconnect = async () => {
            await inside.$disconnect();
            await db.$disconnect();
        };
        if (mode?.journal_mode !== 'wal')
            return { db, provider, sqlite: handle, sql, close: disconnect };
        // Checkpoints (the only disk waits) run on a worker thread; see checkpointer.ts.
        await db.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
        const checkpointer = startCheckpointer(sqliteFilePath(url), () => {
            void db.$queryRawUnsafe('PRAGMA wal_autocheckpoint = 1000').catch(() => undefined);
        });
        const close = async () => {
            await disconnect();
            // Last: its final checkpoint leaves the database file whole.
            await checkpointer.stop();
        };
        return { db, provider, sqlite: handle, sql, close };
    }
    // Not on PostgreSQL: every query goes through Prisma there, and Prisma's query compiler
    // at the baseline tier cost ~20 % of the throughput (npm run bench, 88 against 72 msg/s).
    const [{ PrismaClient: PostgresClient }, { PrismaPg }] = await Promise.all([import('./generated/postgres/client.js'), import('@prisma/adapter-pg')]);
    const config = parseIntoClientConfig(url);
    const pgClient = new PostgresClient({ adapter: new PrismaPg(config) });
    // Same schema, same generated API: only the nominal types differ.
    const db = pgClient;
    const pool = postgresPool(config);
    const sql = new PostgresConnection(pool, pool);
    carry(db, sql);
    // Transactions take their clients from a pool of their own: a transaction may run a
    // statement on `sql` meanwhile (the ticket counter, see rows.ts), and from one shared
    // pool, transactions holding every client would wait for a client forever.
    const transactionPool = postgresPool(config);
    sqlTransactionRunners.set(db, (work) => inPostgresTransaction(transactionPool, sql, work));
    const close = async () => {
        await pgClient.$disconnect();
        await transactionPool.end();
        await pool.end();
    };
    return { db, provider, sql, close };
}
