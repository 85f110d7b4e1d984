/**
 * Applying and writing migrations with Prisma's WASM schema engine, with no download.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { NO_EXTERNAL, withSchemaEngine } from './schema-engine.js';
import { migrationsDir, schemaFor, SOURCE_SCHEMA_PATH } from './schema-files.js';
const LOCKFILE = 'migration_lock.toml';
function lockfileText(provider) {
    return `# Written by npm run db:migration:new; do not edit.\nprovider = "${provider === 'sqlite' ? 'sqlite' : 'postgresql'}"\n`;
}
/** The committed migrations of a provider, read from disk in the engine's shape. */
export function loadMigrations(provider, baseDir = migrationsDir(provider)) {
    const lockPath = join(baseDir, LOCKFILE);
    const names = existsSync(baseDir)
        ? readdirSync(baseDir, { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => d.name)
            .sort()
        : [];
    return {
        baseDir,
        lockfile: { path: LOCKFILE, content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
        shadowDbInitScript: '',
        migrationDirectories: names.map((name) => {
            const file = join(baseDir, name, 'migration.sql');
            return {
                path: name,
                migrationFile: {
                    path: 'migration.sql',
                    content: existsSync(file) ? { tag: 'ok', value: readFileSync(file, 'utf8') } : { tag: 'error', value: `${file} is missing` },
                },
            };
        }),
    };
}
/** The provider-specific schema as the engine wants it. */
function schemaFiles(provider) {
    return { files: [{ path: SOURCE_SCHEMA_PATH, content: schemaFor(provider) }] };
}
/** The file path of a SQLite URL (`file:./data/x.db` → `./data/x.db`). */
export function sqliteFilePath(url) {
    return url.replace(/^file:/, '').split('?')[0] ?? '';
}
/** SQLite creates the file but not its folder. */
function ensureSqliteDir(url) {
    const path = sqliteFilePath(url);
    if (path && path !== ':memory:')
        mkdirSync(dirname(path), { recursive: true });
}
/**
 * Applies every committed migration not yet applied to the database at `url`, recording
 * them in `_prisma_migrations` exactly as `prisma migrate deploy` would.
 * @returns the names of the migrations applied now.
 */
export async function applyMigrations(provider, url) {
    if (provider === 'sqlite')
        ensureSqliteDir(url);
    const committed = loadMigrations(provider).migrationDirectories.map((d) => d.path);
    // The usual case, nothing to apply, is answered with one query: the schema engine
    // would otherwise take locks that make a second process on the same database wait.
    const applied = await appliedMigrations(provider, url);
    if (committed.every((name) => applied.has(name)))
        return [];
    return withSchemaEngine(provider, url, async (engine) => {
        const out = await engine.applyMigrations({ migrationsList: loadMigrations(provider), filters: NO_EXTERNAL });
        return out.appliedMigrationNames;
    });
}
/** Names of the migrations recorded as finished in `_prisma_migrations` (none for a new database). */
async function appliedMigrations(provider, url) {
    const sql = `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    if (provider === 'sqlite') {
        const path = sqliteFilePath(url);
        if (!existsSync(path))
            return new Set();
        const db = new Database(path, { readonly: true, fileMustExist: true });
        try {
            const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
            if (!table)
                return new Set();
            return new Set(db.prepare(sql).all().map((r) => r.migration_name));
        }
        finally {
            db.close();
        }
    }
    const client = new pg.Client(parseIntoClientConfig(url));
    await client.connect();
    try {
        const table = await client.query(`SELECT to_regclass('_prisma_migrations') AS t`);
        if (!table.rows[0]?.t)
            return new Set();
        return new Set((await client.query(sql)).rows.map((r) => r.migration_name));
    }
    finally {
        await client.end();
    }
}
/**
 * The SQL that would bring a database built by the committed migrations to the current
 * schema; empty when there is no drift. Replays the migrations on a shadow database.
 */
export async function pendingSchemaChange(provider, url) {
    return withSchemaEngine(provider, url, async (engine) => {
        const list = loadMigrations(provider);
        const out = await engine.diff({
            from: list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' },
            to: { tag: 'schemaDatamodel', ...schemaFiles(provider) },
            script: true,
            exitCode: true,
            filters: NO_EXTERNAL,
        });
        // exitCode 2 means "there is a difference"; otherwise the script is a no-op comment.
        return out.exitCode === 2 ? (out.stdout ?? '') : '';
    });
}
/** A migration folder name: UTC timestamp + snake_case name, as Prisma names them. */
export function migrationFolderName(name, now) {
    const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const slug = name
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '');
    if (!slug)
        throw new Error('a migration needs a name made of letters or digits');
    return `${stamp}_${slug}`;
}
/**
 * Writes the migration `folder` for a provider with `sql`, and its lockfile.
 */
export function writeMigration(provider, folder, sql) {
    const base = migrationsDir(provider);
    mkdirSync(join(base, folder), { recursive: true });
    writeFileSync(join(base, LOCKFILE), lockfileText(provider));
    const file = join(base, folder, 'migration.sql');
    writeFileSync(file, sql);
    return file;
}
