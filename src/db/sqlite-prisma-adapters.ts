/**
 * Prisma's clients on a SQLite connection (src/db/sqlite-adapter.ts): the stock
 * better-sqlite3 adapter wrapped so that its queries and transactions take the
 * connection's lock (the outside client), or run at once in the light transaction that
 * holds it (the inside client, where a Prisma transaction becomes a savepoint).
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { IsolationLevel, SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery, SqlResultSet, Transaction } from '@prisma/driver-adapter-utils';
import BetterSqlite3 from 'better-sqlite3';
import { armTripwireIfAsked, gateFor, SqliteHandle, statementCounts } from './sqlite-adapter.js';

/** Runs `work` on the connection of `handle` alone. */
async function locked<T>(handle: SqliteHandle, work: () => Promise<T>): Promise<T> {
  const release = await handle.acquireAlone();
  try {
    return await work();
  } finally {
    release();
  }
}

/** Where a transaction's queries go, each counted as one Prisma statement. */
abstract class CountedQueries {
  protected abstract readonly queries: Pick<SqlDriverAdapter, 'queryRaw' | 'executeRaw'>;

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    statementCounts.prisma++;
    return this.queries.queryRaw(query);
  }

  executeRaw(query: SqlQuery): Promise<number> {
    statementCounts.prisma++;
    return this.queries.executeRaw(query);
  }
}

/** A transaction that holds the lock until it ends, whichever way. */
class LockedTransaction extends CountedQueries implements Transaction {
  readonly provider = 'sqlite' as const;
  readonly adapterName: string;
  readonly options: Transaction['options'];
  readonly #inner: Transaction;
  readonly #release: () => void;

  constructor(inner: Transaction, release: () => void) {
    super();
    this.#inner = inner;
    this.#release = release;
    this.adapterName = inner.adapterName;
    this.options = inner.options;
  }

  protected get queries(): Transaction {
    return this.#inner;
  }

  async commit(): Promise<void> {
    try {
      await this.#inner.commit();
    } finally {
      this.#release();
    }
  }

  async rollback(): Promise<void> {
    try {
      await this.#inner.rollback();
    } finally {
      this.#release();
    }
  }

  async createSavepoint(name: string): Promise<void> {
    await this.#inner.createSavepoint?.(name);
  }

  async rollbackToSavepoint(name: string): Promise<void> {
    await this.#inner.rollbackToSavepoint?.(name);
  }

  async releaseSavepoint(name: string): Promise<void> {
    await this.#inner.releaseSavepoint?.(name);
  }
}

let savepoints = 0;

/** A Prisma transaction inside a light one: a savepoint. */
class SavepointTransaction extends CountedQueries implements Transaction {
  readonly provider = 'sqlite' as const;
  readonly adapterName: string;
  // Prisma then ends it by calling commit/rollback, not by sending COMMIT itself.
  readonly options = { usePhantomQuery: true };
  readonly #inner: SqlDriverAdapter;
  readonly #name: string;

  private constructor(inner: SqlDriverAdapter, name: string) {
    super();
    this.#inner = inner;
    this.#name = name;
    this.adapterName = inner.adapterName;
  }

  static async open(inner: SqlDriverAdapter): Promise<SavepointTransaction> {
    const tx = new SavepointTransaction(inner, `minqing_sp_${++savepoints}`);
    await inner.executeRaw({ sql: `SAVEPOINT ${tx.#name}`, args: [], argTypes: [] });
    return tx;
  }

  protected get queries(): SqlDriverAdapter {
    return this.#inner;
  }

  async commit(): Promise<void> {
    await this.#inner.executeRaw({ sql: `RELEASE SAVEPOINT ${this.#name}`, args: [], argTypes: [] });
  }

  async rollback(): Promise<void> {
    await this.#inner.executeRaw({ sql: `ROLLBACK TO SAVEPOINT ${this.#name}`, args: [], argTypes: [] });
    await this.#inner.executeRaw({ sql: `RELEASE SAVEPOINT ${this.#name}`, args: [], argTypes: [] });
  }
}

/**
 * The stock adapter's connection, each query run through `run`: what the outside and
 * the inside adapters share.
 */
abstract class WrappedAdapter implements SqlDriverAdapter {
  readonly provider = 'sqlite' as const;
  readonly adapterName: string;
  protected readonly inner: SqlDriverAdapter;
  protected readonly handle: SqliteHandle;

  constructor(inner: SqlDriverAdapter, handle: SqliteHandle) {
    this.inner = inner;
    this.handle = handle;
    this.adapterName = inner.adapterName;
  }

  /** Runs a query's `work` on the connection when it may. */
  protected abstract run<T>(work: () => Promise<T>): Promise<T>;
  abstract startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction>;
  abstract dispose(): Promise<void>;

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    statementCounts.prisma++;
    return this.run(() => this.inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    statementCounts.prisma++;
    return this.run(() => this.inner.executeRaw(query));
  }

  executeScript(script: string): Promise<void> {
    return this.run(() => this.inner.executeScript(script));
  }

  getConnectionInfo() {
    return this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: false };
  }
}

/** The stock adapter, with every query and transaction taking one lock. */
class LockingAdapter extends WrappedAdapter {
  protected run<T>(work: () => Promise<T>): Promise<T> {
    return locked(this.handle, work);
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    const release = await this.handle.acquireAlone();
    try {
      return new LockedTransaction(await this.inner.startTransaction(isolationLevel), release);
    } catch (error) {
      release();
      throw error;
    }
  }

  async dispose(): Promise<void> {
    // A group still open commits before the connection closes (closing would roll it back).
    const release = await this.handle.acquireAlone();
    release();
    return this.inner.dispose();
  }
}

/** The stock adapter's connection (a public field of its queryable, checked at run time). */
function connectionOf(adapter: SqlDriverAdapter): BetterSqlite3.Database {
  const client = (adapter as unknown as { client?: unknown }).client;
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
  protected run<T>(work: () => Promise<T>): Promise<T> {
    return this.handle.inTransaction(work);
  }

  startTransaction(): Promise<Transaction> {
    return this.run(() => SavepointTransaction.open(this.inner));
  }

  /** The connection is the outside adapter's: it closes it. */
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

/** The two Prisma adapter factories of one SQLite connection (see the file comment). */
export interface SqliteAdapters {
  /** For the client the application uses: every query and transaction waits for the connection. */
  outside: SqlMigrationAwareDriverAdapterFactory;
  /** For the client a light transaction's work is given; it connects once `outside` has. */
  inside: SqlMigrationAwareDriverAdapterFactory;
}

/**
 * Prisma adapter factories for the SQLite file at `path`; `onConnect` receives the raw
 * (outside) handle of the connection once Prisma opens it.
 */
export function sqliteAdapters(path: string, onConnect: (handle: SqliteHandle) => void): SqliteAdapters {
  armTripwireIfAsked();
  const stock = new PrismaBetterSqlite3({ url: path });
  let connected!: (opened: { inner: SqlDriverAdapter; handle: SqliteHandle }) => void;
  const opened = new Promise<{ inner: SqlDriverAdapter; handle: SqliteHandle }>((resolve) => (connected = resolve));
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
