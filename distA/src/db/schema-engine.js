/**
 * Prisma's schema engine (migrations and schema diffs), run as WebAssembly so that no
 * native binary has to be downloaded. See ../shared/notes/prisma-offline.md.
 *
 * The engine talks to the database through a driver adapter. Four defects of the
 * 7.10 adapters and engine met in migration work are mended here, each where it occurs.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
let loaded;
/**
 * The package's entry imports its `.wasm` as an ES module, which Node 20 refuses, so we
 * compile the file ourselves and hand the instance to the generated JS glue.
 */
function loadWasm() {
    loaded ??= (async () => {
        const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg'));
        // The exports map exposes only the JS glue; the .wasm sits next to it.
        // (createRequire, not import.meta.resolve, which vitest's module runner lacks.)
        const gluePath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
        const wasm = globalThis.WebAssembly;
        const module = await wasm.compile(readFileSync(join(dirname(gluePath), 'schema_engine_bg.wasm')));
        const instance = await wasm.instantiate(module, { './schema_engine_bg.js': glue });
        glue.__wbg_set_wasm(instance.exports);
        instance.exports['__wbindgen_start']();
        return glue;
    })();
    return loaded;
}
/**
 * Both factories remember the connections they open: the engine does not close them
 * when it is freed, and a SQLite connection left open would keep the file busy.
 */
class TrackedFactory {
    #open = [];
    track(adapter) {
        this.#open.push(adapter);
        return adapter;
    }
    async disposeAll() {
        const open = this.#open.splice(0);
        await Promise.allSettled(open.map((a) => a.dispose()));
    }
}
/**
 * SQLite. To read a partial index's predicate the engine asks for
 * `… WHERE type = 'index' AND name = "NAME"`: a double-quoted string, which SQLite reads
 * as a string only when built with DQS, and better-sqlite3 is built without it ("column
 * not found"). The name is requoted as a string literal.
 */
const INDEX_DEFINITION_QUERY = /^(SELECT sql FROM sqlite_master WHERE type = 'index' AND name = )"((?:[^"]|"")*)"(;?)$/;
function requoteIndexNames(adapter) {
    const queryRaw = adapter.queryRaw.bind(adapter);
    adapter.queryRaw = (query) => {
        const match = INDEX_DEFINITION_QUERY.exec(query.sql);
        if (!match)
            return queryRaw(query);
        const name = (match[2] ?? '').replaceAll('""', '"').replaceAll("'", "''");
        return queryRaw({ ...query, sql: `${match[1]}'${name}'${match[3]}` });
    };
    return adapter;
}
class SqliteMigrationFactory extends TrackedFactory {
    provider = 'sqlite';
    adapterName;
    #inner;
    constructor(url) {
        super();
        this.#inner = new PrismaBetterSqlite3({ url });
        this.adapterName = this.#inner.adapterName;
    }
    async connect() {
        return requoteIndexNames(this.track(await this.#inner.connect()));
    }
    async connectToShadowDb() {
        const shadow = requoteIndexNames(this.track(await this.#inner.connectToShadowDb()));
        // The engine replays each migration on the shadow database with `executeRaw`, and
        // better-sqlite3 refuses several statements in one `prepare`, so a parameterless raw
        // statement on the shadow database is run as a script.
        const executeRaw = shadow.executeRaw.bind(shadow);
        shadow.executeRaw = async (query) => {
            if (query.args.length > 0)
                return executeRaw(query);
            await shadow.executeScript(query.sql);
            return 0;
        };
        return shadow;
    }
}
/** PostgreSQL's one-byte `"char"` type (pg_catalog flags such as `relkind`). */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
/**
 * The engine reads the catalog through the adapter, and adapter-pg has no mapping for
 * `"char"` columns. node-postgres already returns them as strings, so we relabel the
 * field as text on the adapter's one query path (`performIO`, not public API).
 */
function readCharAsText(adapter) {
    const target = adapter;
    const performIO = target.performIO.bind(adapter);
    target.performIO = async (query) => {
        const result = await performIO(query);
        for (const field of result.fields)
            if (field.dataTypeID === PG_CHAR_OID)
                field.dataTypeID = PG_TEXT_OID;
        return result;
    };
    return adapter;
}
/**
 * PostgreSQL. The adapter's own shadow database merges its name into the connection
 * config (where a connection string wins over it) and drops the database while its pool
 * still holds a connection. This one creates a throw-away database and drops it after
 * the shadow connection is closed.
 */
class PgMigrationFactory extends TrackedFactory {
    provider = 'postgres';
    adapterName;
    #config;
    #inner;
    constructor(url) {
        super();
        this.#config = parseIntoClientConfig(url);
        this.#inner = new PrismaPg(this.#config);
        this.adapterName = this.#inner.adapterName;
    }
    async connect() {
        return this.track(readCharAsText(await this.#inner.connect()));
    }
    async connectToShadowDb() {
        const name = `minqing_shadow_${randomUUID().replaceAll('-', '')}`;
        const admin = new pg.Client(this.#config);
        await admin.connect();
        await admin.query(`CREATE DATABASE "${name}"`);
        const shadow = readCharAsText(await new PrismaPg({ ...this.#config, database: name }).connect());
        const dispose = shadow.dispose.bind(shadow);
        let disposed = false;
        shadow.dispose = async () => {
            if (disposed)
                return;
            disposed = true;
            try {
                await dispose();
                await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
            }
            finally {
                await admin.end();
            }
        };
        return this.track(shadow);
    }
}
/**
 * Runs `work` with a schema engine connected to the database at `url`, then frees the
 * engine and closes every connection it opened.
 */
export async function withSchemaEngine(provider, url, work) {
    const wasm = await loadWasm();
    const factory = provider === 'sqlite' ? new SqliteMigrationFactory(url) : new PgMigrationFactory(url);
    const engine = await wasm.SchemaEngine.new({ datamodels: undefined }, () => undefined, bindMigrationAwareSqlAdapterFactory(factory));
    try {
        return await work(engine);
    }
    finally {
        engine.free();
        await factory.disposeAll();
    }
}
/** No tables or enums are managed outside Prisma. */
export const NO_EXTERNAL = { externalTables: [], externalEnums: [] };
