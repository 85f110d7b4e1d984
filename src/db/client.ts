/**
 * Opens the database named by DATABASE_URL: SQLite through better-sqlite3 (the embedded
 * default) or PostgreSQL through node-postgres, each with its generated Prisma client.
 * Both clients are generated from one schema and expose the same model API.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { ConfigError, DataError } from '../errors.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { applyMigrations, sqliteFilePath } from './migrations.js';
import type { Provider } from './schema-files.js';

/**
 * The model API both providers share. Code is written against the SQLite client's types,
 * which offer nothing PostgreSQL lacks.
 */
export type Db = SqliteClient;

/** A transaction handle inside `db.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** An open database. */
export interface Database {
  readonly db: Db;
  readonly provider: Provider;
  /** Disconnects (a property, so it may be passed around unbound). */
  readonly close: () => Promise<void>;
}

/** The provider a DATABASE_URL names. */
export function providerOf(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  throw new ConfigError(['DATABASE_URL: expected file:PATH (SQLite) or postgresql://USER:PASSWORD@HOST:PORT/DATABASE']);
}

export interface OpenOptions {
  /** Apply the committed migrations first (default true). */
  migrate?: boolean;
}

/**
 * Opens (and by default migrates) the database at `url`.
 * @throws ConfigError for a URL of another kind.
 */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const provider = providerOf(url);
  if (options.migrate !== false) {
    try {
      await applyMigrations(provider, url);
    } catch (error) {
      // The URL may hold a password: name the provider, never the URL.
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new DataError(`cannot open the ${provider} database named by DATABASE_URL: ${reason}`, { cause: error });
    }
  }
  if (provider === 'sqlite') {
    const db = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: sqliteFilePath(url) }) });
    // WAL lets readers (the console, a second terminal) work while the bot writes; the
    // busy timeout makes a second process wait for the write lock instead of failing.
    // The busy timeout comes first: switching to WAL needs a moment of exclusive access.
    await db.$executeRawUnsafe('PRAGMA busy_timeout = 5000');
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
    return { db, provider, close: () => db.$disconnect() };
  }
  const pgClient = new PostgresClient({ adapter: new PrismaPg(parseIntoClientConfig(url)) });
  // Same schema, same generated API: only the nominal types differ.
  const db = pgClient as unknown as Db;
  return { db, provider, close: () => pgClient.$disconnect() };
}
