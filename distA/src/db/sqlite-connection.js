/**
 * The storage layer's queries on a SQLite connection (src/db/sqlite-adapter.ts): the
 * outside handle's connection waits for the connection (a read commits the open group
 * first, a write joins it); the inside one's runs at once, in the light transaction
 * holding the connection.
 */
import { sqliteDecoder } from './dialect.js';
/** Per statement, how its rows are decoded: known from its first row (every row of a statement has the same columns). */
const decoders = new WeakMap();
export class SqliteConnection {
    dialect = 'sqlite';
    database;
    standalone = undefined;
    #handle;
    constructor(handle, database) {
        this.#handle = handle;
        this.database = database;
    }
    execute(query, params) {
        const statement = query.compiled('sqlite');
        // Lists are bound as JSON text on SQLite (see `encodeValue`).
        const values = query.bind(statement, 'sqlite', params);
        const yields = statement.returnsInsertedId ? 'insertedId' : statement.returnsRows ? 'rows' : 'nothing';
        const work = () => {
            const { rows, changes } = this.#handle.execute(statement.text, values, yields);
            if (yields === 'rows' && rows.length > 0) {
                let decode = decoders.get(statement);
                if (!decode)
                    decoders.set(statement, (decode = sqliteDecoder(Object.keys(rows[0]))));
                for (const row of rows)
                    decode(row);
            }
            return { rows: rows, changes };
        };
        return statement.reads ? this.#handle.outside(work) : this.#handle.writing(work);
    }
}
