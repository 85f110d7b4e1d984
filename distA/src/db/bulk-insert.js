/**
 * Most parameters in one statement: below SQLite's 32,766 and PostgreSQL's 65,535, and
 * small enough to pass as spread arguments.
 */
export const MAX_PARAMETERS = 30_000;
/** Quotes a table or column name (letters, digits, underscores only). */
export function quoteIdentifier(name) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        throw new Error(`bulkInsert: not a plain identifier: ${name}`);
    return `"${name}"`;
}
/** The VALUES list of `rows` rows of `width` columns: `(?,?),(?,?)` or `($1,$2),($3,$4)`. */
function valuesList(provider, rows, width) {
    const tuples = new Array(rows);
    if (provider === 'sqlite') {
        const tuple = `(${new Array(width).fill('?').join(',')})`;
        tuples.fill(tuple);
    }
    else {
        let n = 0;
        const cells = new Array(width);
        for (let r = 0; r < rows; r++) {
            for (let c = 0; c < width; c++)
                cells[c] = `$${++n}`;
            tuples[r] = `(${cells.join(',')})`;
        }
    }
    return tuples.join(',');
}
/**
 * Inserts `rows` into `table` with one multi-row INSERT per chunk, each with at most
 * {@link MAX_PARAMETERS} parameters. The database assigns autoincrement ids: read new
 * rows back by their natural key.
 * @param columns the columns to fill, in the order of the VALUES tuples.
 * @param chunkSize rows per statement (default and upper bound: as many as fit).
 * @returns the number of rows inserted.
 */
export async function bulkInsert(tx, provider, table, columns, rows, chunkSize) {
    if (columns.length === 0)
        throw new Error('bulkInsert: no columns');
    if (rows.length === 0)
        return 0;
    const width = columns.length;
    const fit = Math.floor(MAX_PARAMETERS / width);
    if (fit < 1)
        throw new Error(`bulkInsert: ${width} columns exceed ${MAX_PARAMETERS} parameters`);
    const size = Math.max(1, Math.min(chunkSize ?? fit, fit));
    const head = `INSERT INTO ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(',')}) VALUES `;
    /** The SQL of a full chunk, built once. */
    let fullSql;
    let inserted = 0;
    for (let start = 0; start < rows.length; start += size) {
        const count = Math.min(size, rows.length - start);
        const sql = count === size ? (fullSql ??= head + valuesList(provider, count, width)) : head + valuesList(provider, count, width);
        const values = new Array(count * width);
        let i = 0;
        for (let r = start; r < start + count; r++) {
            const row = rows[r];
            for (const column of columns) {
                const value = row[column];
                // A missing field is a bug in the caller, not a NULL.
                if (value === undefined)
                    throw new Error(`bulkInsert: ${table} row ${r} has no ${column}`);
                values[i++] = value;
            }
        }
        inserted += await tx.$executeRawUnsafe(sql, ...values);
    }
    return inserted;
}
/** Providers of the clients seen so far. */
const providers = new WeakMap();
/**
 * The provider behind a client, asked of the database itself (`sqlite_version()` exists
 * on SQLite only). Call it outside a transaction: on PostgreSQL the probe fails, which
 * would abort an open transaction.
 */
export async function detectProvider(db) {
    const known = providers.get(db);
    if (known)
        return known;
    let provider;
    try {
        await db.$queryRawUnsafe('SELECT sqlite_version() AS v');
        provider = 'sqlite';
    }
    catch {
        await db.$queryRawUnsafe('SELECT version() AS v');
        provider = 'postgres';
    }
    providers.set(db, provider);
    return provider;
}
