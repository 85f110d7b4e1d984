export class PrismaTransactionConnection {
    dialect = 'postgres';
    database;
    standalone;
    #tx;
    constructor(tx, outside) {
        this.#tx = tx;
        this.database = outside.database;
        this.standalone = outside;
    }
    async execute(query, params) {
        const statement = query.compiled('postgres');
        const values = query.bind(statement, 'postgres', params);
        if (!statement.returnsRows)
            return { rows: [], changes: await this.#tx.$executeRawUnsafe(statement.text, ...values) };
        const rows = await this.#tx.$queryRawUnsafe(statement.text, ...values);
        // Prisma reads a bigint (a count) as a BigInt; the layer's rows hold numbers.
        for (const row of rows)
            for (const name in row)
                if (typeof row[name] === 'bigint')
                    row[name] = Number(row[name]);
        return { rows: rows, changes: rows.length };
    }
}
