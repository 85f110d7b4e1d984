/**
 * The SQLite ceilings (see ceiling.ts): the engine's rows written with plain
 * better-sqlite3 prepared statements on one connection, with the engine's settings,
 * committed two ways:
 *
 * - `per-message`: one transaction per message (and per sent mark);
 * - `grouped`: as the engine's group commit does (src/db/sqlite-adapter.ts): each
 *   transaction a savepoint of a group that commits once it has `groupBounds.members`
 *   members or is `groupBounds.ms` old. The engine under load commits at these bounds at
 *   best, so this is the ceiling its commits can reach.
 */
import Database from 'better-sqlite3';
import { BACKSTOP_PAGES, startCheckpointer } from '../db/checkpointer.js';
import { groupBounds } from '../db/sqlite-adapter.js';
import { measureCeiling, STATEMENTS } from './ceiling.js';
/** The engine's durability setting, as the bench app is configured (SQLITE_SYNCHRONOUS=normal, else FULL). */
export function sqliteSynchronous() {
    return process.env['SQLITE_SYNCHRONOUS'] === 'normal' ? 'NORMAL' : 'FULL';
}
/** A ceiling connection on `db`, committing as `commits` says. */
function sqliteConnection(db, commits) {
    const prepared = new Map();
    const statement = (sql) => db.prepare(sql);
    const begin = statement('BEGIN IMMEDIATE');
    const commit = statement('COMMIT');
    const rollback = statement('ROLLBACK');
    const savepoint = statement('SAVEPOINT ceiling_member');
    const release = statement('RELEASE ceiling_member');
    const undo = statement('ROLLBACK TO ceiling_member');
    let group;
    const commitGroup = () => {
        if (!group)
            return;
        commit.run();
        db.pragma('temp_store = DEFAULT');
        group = undefined;
    };
    return {
        run(name, values) {
            let s = prepared.get(name);
            if (!s)
                prepared.set(name, (s = db.prepare(STATEMENTS[name])));
            if (!s.reader) {
                s.run(...values);
                return Promise.resolve(undefined);
            }
            const row = s.raw().get(...values);
            return Promise.resolve(row ? Number(row[0]) : undefined);
        },
        async transaction(work) {
            if (commits === 'per-message') {
                begin.run();
                try {
                    await work();
                    commit.run();
                }
                catch (error) {
                    rollback.run();
                    throw error;
                }
                return;
            }
            if (!group) {
                // As the engine: the savepoints' journal in memory while the group is open.
                db.pragma('temp_store = MEMORY');
                begin.run();
                group = { members: 0, openedAt: Date.now() };
            }
            savepoint.run();
            try {
                await work();
                release.run();
            }
            catch (error) {
                undo.run();
                release.run();
                throw error;
            }
            group.members++;
            if (group.members >= groupBounds.members || Date.now() - group.openedAt >= groupBounds.ms)
                commitGroup();
        },
        finish: commitGroup,
    };
}
/**
 * Writes the messages of `pairs` into the SQLite file at `path` (migrated, demo county
 * loaded, identities of `pairs` present) with the engine's settings, checkpoints on a
 * worker thread included, committing as `commits` says: `warmupSeconds`, then
 * `seconds` measured.
 */
export async function sqliteCeiling(path, pairs, commits, warmupSeconds, seconds) {
    const db = new Database(path);
    // The engine's settings (src/db/client.ts).
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sqliteSynchronous()}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    const checkpointer = startCheckpointer(path, () => db.pragma('wal_autocheckpoint = 1000'));
    const connection = sqliteConnection(db, commits);
    try {
        const result = await measureCeiling([connection], pairs, warmupSeconds, seconds);
        connection.finish();
        return result;
    }
    finally {
        db.close();
        await checkpointer.stop();
    }
}
