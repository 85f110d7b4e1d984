/**
 * The SQLite connection behind Prisma, with what the stock better-sqlite3 adapter lacks:
 *
 * 1. One lock for everything. The stock adapter serialises transactions, but a query
 *    outside a transaction runs at once on the one connection, i.e. INSIDE whatever
 *    transaction is open there, and is undone with it if that one rolls back (a
 *    duplicate message rolls its turn back, taking e.g. another chat's "sent" mark
 *    with it, so that message would go out twice). Here every query waits its turn, on
 *    one lock per database file for all the connections of the process (see `Gate`).
 * 2. Light transactions (`SqliteHandle.transaction`): BEGIN IMMEDIATE … COMMIT on the
 *    connection while holding the lock. The work inside is handed the connection's
 *    second Prisma client and raw handle, the *inside* ones (sqlite-prisma-adapters.ts,
 *    `SqliteHandle.inside`), whose queries go straight to the connection the transaction
 *    holds. A Prisma interactive transaction costs as much as several queries; this
 *    costs two statements. A Prisma transaction started on the inside client becomes a
 *    savepoint. Light transactions that follow one another share one commit (group
 *    commit, see `Group`).
 * 3. The raw connection for the storage layer's prepared statements
 *    (`SqliteHandle.execute`, run by src/db/sqlite-connection.ts): inside a transaction
 *    the connection is that transaction's, so they are part of it, at a tenth of the
 *    cost of a Prisma query.
 *
 * The Prisma adapters that wrap the connection live in sqlite-prisma-adapters.ts.
 *
 * Inside and outside are told apart by which client (or handle) the code holds, not by
 * the async context: an `AsyncLocalStorage` costs a hook on every promise of the
 * process, ~10 % of the bytes a turn allocates. The price is a rule: inside a
 * transaction, use the `tx` it hands you. The outside client waits for the connection,
 * so used inside it would wait for ever; with MINQING_CHECK_TRANSACTIONS=1 (the test
 * suite sets it) an async context is kept after all, and such a use fails at once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Lock } from './lock.js';
/**
 * Off in production (see the file comment). With MINQING_CHECK_TRANSACTIONS=1, which
 * light transaction the running async code belongs to, to catch the outside client or
 * handle used inside one (it would wait for ever).
 */
let tripwire;
/** Fails when the caller, about to wait for the connection, is inside a light transaction (only with the tripwire on). */
function checkNotInside(what) {
    if (tripwire?.getStore()?.open) {
        throw new Error(`${what} used inside a transaction would wait for ever for the connection that transaction holds: use the transaction's own client (tx)`);
    }
}
/**
 * When a group stops taking members: it commits once nobody waits for the connection
 * and the messages ready in this pass of the event loop have joined (`#settleGroup`),
 * or at these bounds (a member waits at most about this long for its commit). Exported
 * so that a test can widen the time bound: on a busy machine 4 ms may pass between two
 * members a test means to share a group.
 */
export const groupBounds = { members: 64, ms: 4 };
const gates = new Map();
export function gateFor(path) {
    const key = resolve(path);
    let gate = gates.get(key);
    if (!gate)
        gates.set(key, (gate = { lock: new Lock(), group: undefined }));
    return gate;
}
/**
 * Statements run on SQLite connections of this process: issued by Prisma (one call may
 * issue several) and plain (`SqliteHandle`). The benchmark reports them per message.
 */
export const statementCounts = { prisma: 0, plain: 0, commits: 0 };
/**
 * Plain prepared statements on the connection Prisma uses, prepared once and kept.
 * Each connection has two handles: the outside one (`openDatabase`'s), whose `outside`,
 * `write` and `transaction` wait for the connection, and the `inside` one, handed to a
 * light transaction's work, on which they run at once, in that transaction. `get`,
 * `all` and `run` run at once on either: use them inside a transaction (a light one or
 * a Prisma one on this database), or wrapped in `outside`.
 */
export class SqliteHandle {
    #connection;
    /** The handle of the other side (outside ↔ inside). */
    #other;
    /** True for the handle given to the work of a light transaction. */
    isInside;
    constructor(db, gate, outside, connection) {
        this.#connection = connection ?? { db, gate, statements: new Map(), member: undefined };
        this.isInside = outside !== undefined;
        this.#other = outside ?? new SqliteHandle(db, gate, this, this.#connection);
    }
    /** The handle a light transaction's work uses (this one, if it is that already). */
    get inside() {
        return this.isInside ? this : this.#other;
    }
    /**
     * Runs `work` (synchronous statements) on its own: on the inside handle at once, in
     * the transaction; outside once no transaction holds the connection, a group of light
     * transactions still open committing first.
     */
    outside(work) {
        return this.isInside ? this.#settled(work) : this.#alone(work);
    }
    async #alone(work) {
        const release = await this.acquireAlone();
        try {
            return work();
        }
        finally {
            release();
        }
    }
    /**
     * Runs one write statement: outside, committed with the group of light transactions
     * open (see `transaction`), e.g. a "sent" mark; on the inside handle, at once. One
     * statement needs no savepoint: SQLite undoes a failed statement by itself.
     */
    write(sql, ...params) {
        return this.writing(() => this.run(sql, ...params));
    }
    /** Runs `work`, one write statement, as `write` does. */
    writing(work) {
        if (this.isInside)
            return this.#settled(work);
        return this.#asMember(() => Promise.resolve(work()), false);
    }
    /** Inside: `work` run at once, as a promise (no async frame: a turn runs ~13 statements). */
    #settled(work) {
        try {
            return Promise.resolve(this.#atOnce(work));
        }
        catch (error) {
            return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
    }
    /** Inside: the light transaction's work must still be running (a query after it ended would land in another's). */
    #atOnce(work) {
        if (!this.#connection.member)
            throw new Error("the transaction's client was used after the transaction ended");
        return work();
    }
    /** Runs `work` now, on the inside handle, in the light transaction running on the connection. */
    async inTransaction(work) {
        if (!this.isInside)
            throw new Error('only the inside handle runs work in the transaction');
        return this.#atOnce(work);
    }
    /**
     * Waits for the connection and commits the group of light transactions still open on
     * it, for work that must not join one: a Prisma query or transaction, or `outside`.
     */
    async acquireAlone() {
        if (this.isInside)
            throw new Error('the inside handle already holds the connection');
        checkNotInside('the database client');
        const { gate } = this.#connection;
        const release = await gate.lock.acquire();
        const open = gate.group;
        if (open)
            open.owner.#commitGroup();
        return release;
    }
    /**
     * Runs `work` in one transaction: it commits when `work` resolves and rolls back when
     * it throws. `work` is given the inside handle; its Prisma queries go through the
     * inside client (see sqlite-prisma-adapters.ts).
     *
     * Light transactions that follow one another while others wait for the connection
     * share one commit (see `Group`): `work` runs in a savepoint of the group's transaction,
     * and this resolves once that has committed. If the commit fails, every member fails.
     */
    transaction(work) {
        if (this.isInside)
            return Promise.reject(new Error('a SQLite transaction cannot be nested in another'));
        return this.#asMember(() => work(this.#other), true);
    }
    /** Runs `work` as a member of the open group (a new one if none), in a savepoint when `isolate`. */
    async #asMember(work, isolate) {
        checkNotInside('the database client');
        const connection = this.#connection;
        const { gate } = connection;
        const release = await gate.lock.acquire();
        const mine = { open: true };
        let group;
        let result;
        try {
            // Another connection's group (same file, this process) commits first.
            const open = gate.group;
            if (open && open.owner !== this)
                open.owner.#commitGroup();
            group = gate.group ?? this.#openGroup();
            if (isolate)
                this.#prepare('SAVEPOINT minqing_member').run();
            connection.member = mine;
            try {
                // A Prisma query returned as is starts only when awaited: awaited in the context.
                result = await (tripwire ? tripwire.run(mine, async () => await work()) : work());
                if (isolate)
                    this.#prepare('RELEASE minqing_member').run();
                group.members++;
            }
            catch (error) {
                this.#undoMember(error, isolate);
                throw error;
            }
        }
        finally {
            mine.open = false;
            connection.member = undefined;
            this.#settleGroup();
            release();
        }
        await group.committed;
        return result;
    }
    /**
     * BEGIN IMMEDIATE: takes the write lock now, so another process waits (busy_timeout)
     * at the start instead of failing halfway.
     *
     * A group's transaction keeps its statement journal in memory (`temp_store = MEMORY`,
     * read by SQLite when a transaction begins). A savepoint copies each page before its
     * first change into that journal, and past 64 KiB SQLite spills it to a temporary file:
     * a turn dirties ~15 pages, so most groups spilled, and the file's writes cost more than
     * the commits saved (sustained rate +20–30 % with it in memory). Between groups the
     * setting goes back to the default: a big sort or GROUP BY (an import building its
     * indexes) would hold its temporary tables in memory too (+150 MiB for 2 million rows).
     */
    #openGroup() {
        this.#prepare('PRAGMA temp_store = MEMORY').run();
        try {
            this.#prepare('BEGIN IMMEDIATE').run();
        }
        catch (error) {
            this.#prepare('PRAGMA temp_store = DEFAULT').run();
            throw error;
        }
        let resolve;
        let reject;
        const committed = new Promise((res, rej) => ((resolve = res), (reject = rej)));
        // A group whose members all failed has nobody awaiting it.
        committed.catch(() => undefined);
        return (this.#connection.gate.group = { owner: this, members: 0, openedAt: Date.now(), commitScheduled: false, committed, resolve, reject });
    }
    /** Undoes a failed member; the group goes on, unless SQLite rolled all of it back. */
    #undoMember(error, isolated) {
        const { db } = this.#connection;
        try {
            if (db.inTransaction) {
                // (A lone statement that failed was undone by SQLite.)
                if (isolated) {
                    this.#prepare('ROLLBACK TO minqing_member').run();
                    this.#prepare('RELEASE minqing_member').run();
                }
                return;
            }
        }
        catch {
            // Cannot undo the member alone: the whole group goes.
            if (db.inTransaction)
                this.#prepare('ROLLBACK').run();
        }
        // Some errors (SQLITE_FULL, SQLITE_IOERR…) end the transaction: the members before lost their work too.
        const group = this.#connection.gate.group;
        this.#endGroup();
        group?.reject(error);
    }
    /**
     * Leaves the group open, within its bounds, for the callers waiting for the connection
     * and for those whose messages are ready in this turn of the event loop (each arrives
     * as its own I/O callback): it commits after them. Past its bounds it commits now.
     */
    #settleGroup() {
        const { gate } = this.#connection;
        const group = gate.group;
        if (!group)
            return;
        if (group.members >= groupBounds.members || Date.now() - group.openedAt >= groupBounds.ms)
            return this.#commitGroup();
        if (gate.lock.waiting > 0 || group.commitScheduled)
            return;
        group.commitScheduled = true;
        setImmediate(() => {
            if (gate.group !== group)
                return;
            // After whoever waits for the connection by then (they join the group, or commit it).
            void gate.lock.acquire().then((release) => {
                const open = gate.group;
                if (open)
                    open.owner.#commitGroup();
                release();
            });
        });
    }
    #commitGroup() {
        const group = this.#connection.gate.group;
        if (!group)
            return;
        try {
            if (group.members) {
                this.#prepare('COMMIT').run();
                statementCounts.commits++;
            }
            else {
                this.#prepare('ROLLBACK').run();
            }
            this.#endGroup();
            group.resolve();
        }
        catch (error) {
            if (this.#connection.db.inTransaction)
                this.#prepare('ROLLBACK').run();
            this.#endGroup();
            group.reject(error);
        }
    }
    /** The group's transaction is over (committed or rolled back): back to the default temporary storage. */
    #endGroup() {
        this.#connection.gate.group = undefined;
        this.#prepare('PRAGMA temp_store = DEFAULT').run();
    }
    #prepare(sql) {
        statementCounts.plain++;
        const { statements } = this.#connection;
        let statement = statements.get(sql);
        if (!statement) {
            // Prisma's connection returns integers as BigInt; plain numbers suit our ids.
            statement = this.#connection.db.prepare(sql);
            if (statement.reader)
                statement.safeIntegers(false);
            statements.set(sql, statement);
        }
        return statement;
    }
    /** The first row, or undefined. */
    get(sql, ...params) {
        return this.#prepare(sql).get(...params);
    }
    all(sql, ...params) {
        return this.#prepare(sql).all(...params);
    }
    /**
     * Runs a statement at once: its rows when it yields them (a SELECT, or a write with
     * RETURNING, whose rows are the rows it changed); `[{ id }]`, the rowid it inserted,
     * for an INSERT compiled without its `RETURNING "id"` (see src/db/sql.ts); else no
     * rows. With the rows it changed.
     */
    execute(sql, params, yields) {
        const statement = this.#prepare(sql);
        if (yields === 'rows') {
            const rows = statement.all(...params);
            return { rows, changes: rows.length };
        }
        const { changes, lastInsertRowid } = statement.run(...params);
        return { rows: yields === 'insertedId' && changes > 0 ? [{ id: Number(lastInsertRowid) }] : [], changes };
    }
    /** Runs a write; returns the rows changed and the last inserted id. */
    run(sql, ...params) {
        const result = this.#prepare(sql).run(...params);
        return { changes: result.changes, lastInsertRowid: Number(result.lastInsertRowid) };
    }
}
/**
 * A SQLite error raised when another process held the write lock past the busy timeout
 * (`SQLITE_BUSY` and its extended codes): the transaction did nothing and may run again.
 */
export function isSqliteBusy(error) {
    return error instanceof BetterSqlite3.SqliteError && error.code.startsWith('SQLITE_BUSY');
}
/**
 * Turns the tripwire on when MINQING_CHECK_TRANSACTIONS=1 (see the file comment). Read
 * when a connection opens, not when the module loads: after the settings (and `.env`) are.
 */
export function armTripwireIfAsked() {
    if (process.env['MINQING_CHECK_TRANSACTIONS'] === '1')
        tripwire ??= new AsyncLocalStorage();
}
