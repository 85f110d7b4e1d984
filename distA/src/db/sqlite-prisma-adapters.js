/**
 * Prisma's clients on a SQLite connection (src/db/sqlite-adapter.ts): the stock
 * better-sqlite3 adapter wrapped so that its queries and transactions take the
 * connection's lock (the outside client), or run at once in the light transaction that
 * holds it (the inside client, where a Prisma transaction becomes a savepoint).
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { armTripwireIfAsked, gateFor, SqliteHandle, statementCounts } from './sqlite-adapter.js';
/** Runs `work` on the connection of `handle` alone. */
async function locked(handle, work) {
    const release = await handle.acquireAlone();
    try {
        return await work();
    }
    finally {
        release();
    }
}
/** Where a transaction's queries go, each counted as one Prisma statement. */
class CountedQueries {
    queryRaw(query) {
        statementCounts.prisma++;
        return this.queries.queryRaw(query);
    }
    executeRaw(query) {
        statementCounts.prisma++;
        return this.queries.executeRaw(query);
    }
}
/** A transaction that holds the lock until it ends, whichever way. */
class LockedTransaction extends CountedQueries {
    provider = 'sqlite';
    adapterName;
    options;
    #inner;
    #release;
    constructor(inner, release) {
        super();
        this.#inner = inner;
        this.#release = release;
        this.adapterName = inner.adapterName;
        this.options = inner.options;
    }
    get queries() {
        return this.#inner;
    }
    async commit() {
        try {
            await this.#inner.commit();
        }
        finally {
            this.#release();
        }
    }
    async rollback() {
        try {
            await this.#inner.rollback();
        }
        finally {
            this.#release();
        }
    }
    async createSavepoint(name) {
        await this.#inner.createSavepoint?.(name);
    }
    async rollbackToSavepoint(name) {
        await this.#inner.rollbackToSavepoint?.(name);
    }
    async releaseSavepoint(name) {
        await this.#inner.releaseSavepoint?.(name);
    }
}
let savepoints = 0;
/** A Prisma transaction inside a light one: a savepoint. */
class SavepointTransaction extends CountedQueries {
    provider = 'sqlite';
    adapterName;
    // Prisma then ends it by calling commit/rollback, not by sending COMMIT itself.
    options = { usePhantomQuery: true };
    #inner;
    #name;
    constructor(inner, name) {
        super();
        this.#inner = inner;
        this.#name = name;
        this.adapterName = inner.adapterName;
    }
    static async open(inner) {
        const tx = new SavepointTransaction(inner, `minqing_sp_${++savepoints}`);
        await inner.executeRaw({ sql: `SAVEPOINT ${tx.#name}`, args: [], argTypes: [] });
        return tx;
    }
    get queries() {
        return this.#inner;
    }
    async commit() {
        await this.#inner.executeRaw({ sql: `RELEASE SAVEPOINT ${this.#name}`, args: [], argTypes: [] });
    }
    async rollback() {
        await this.#inner.executeRaw({ sql: `ROLLBACK TO SAVEPOINT ${this.#name}`, args: [], argTypes: [] });
        await this.#inner.executeRaw({ sql: `RELEASE SAVEPOINT ${this.#name}`, args: [], argTypes: [] });
    }
}
/**
 * The stock adapter's connection, each query run through `run`: what the outside and
 * the inside adapters share.
 */
class WrappedAdapter {
    provider = 'sqlite';
    adapterName;
    inner;
    handle;
    constructor(inner, handle) {
        this.inner = inner;
        this.handle = handle;
        this.adapterName = inner.adapterName;
    }
    queryRaw(query) {
        statementCounts.prisma++;
        return this.run(() => this.inner.queryRaw(query));
    }
    executeRaw(query) {
        statementCounts.prisma++;
        return this.run(() => this.inner.executeRaw(query));
    }
    executeScript(script) {
        return this.run(() => this.inner.executeScript(script));
    }
    getConnectionInfo() {
        return this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: false };
    }
}
/** The stock adapter, with every query and transaction taking one lock. */
class LockingAdapter extends WrappedAdapter {
    run(work) {
        return locked(this.handle, work);
    }
    async startTransaction(isolationLevel) {
        const release = await this.handle.acquireAlone();
        try {
            return new LockedTransaction(await this.inner.startTransaction(isolationLevel), release);
        }
        catch (error) {
            release();
            throw error;
        }
    }
    async dispose() {
        // A group still open commits before the connection closes (closing would roll it back).
        const release = await this.handle.acquireAlone();
        release();
        return this.inner.dispose();
    }
}
/** The stock adapter's connection (a public field of its queryable, checked at run time). */
function connectionOf(adapter) {
    const client = adapter.client;
    if (!(client instanceof BetterSqlite3)) {
        throw new Error('@prisma/adapter-better-sqlite3 no longer exposes its connection; update src/db/sqlite-prisma-adapters.ts');
    }
    return client;
}
/**
 * The inside client's adapter: the outside adapter's connection, with no lock. It serves
 * only the work of the light transaction holding the connection (see `transaction`);
 * a Prisma transaction on it is a savepoint of that one.
 */
class InsideAdapter extends WrappedAdapter {
    run(work) {
        return this.handle.inTransaction(work);
    }
    startTransaction() {
        return this.run(() => SavepointTransaction.open(this.inner));
    }
    /** The connection is the outside adapter's: it closes it. */
    dispose() {
        return Promise.resolve();
    }
}
/**
 * Prisma adapter factories for the SQLite file at `path`; `onConnect` receives the raw
 * (outside) handle of the connection once Prisma opens it.
 */
export function sqliteAdapters(path, onConnect) {
    armTripwireIfAsked();
    const stock = new PrismaBetterSqlite3({ url: path });
    let connected;
    const opened = new Promise((resolve) => (connected = resolve));
    return {
        outside: {
            provider: 'sqlite',
            adapterName: stock.adapterName,
            async connect() {
                const inner = await stock.connect();
                const handle = new SqliteHandle(connectionOf(inner), gateFor(path));
                onConnect(handle);
                connected({ inner, handle });
                return new LockingAdapter(inner, handle);
            },
            connectToShadowDb: () => stock.connectToShadowDb(),
        },
        inside: {
            provider: 'sqlite',
            adapterName: stock.adapterName,
            async connect() {
                const { inner, handle } = await opened;
                return new InsideAdapter(inner, handle.inside);
            },
            connectToShadowDb: () => stock.connectToShadowDb(),
        },
    };
}
