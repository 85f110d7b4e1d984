/**
 * `npm run db:migration:new -- NAME`: writes the next migration of both providers from
 * prisma/schema.prisma. The SQL is the difference between what the committed migrations
 * build (replayed on a throw-away shadow database) and the schema.
 *
 * SQLite needs nothing; PostgreSQL needs a server to host its shadow database, taken from
 * POSTGRES_SHADOW_URL (any database on a server where the user may create databases).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { migrationFolderName, pendingSchemaChange, writeMigration } from '../db/migrations.js';
import { runCli } from './run-cli.js';
await runCli(async () => {
    const { positionals } = parseArgs({ allowPositionals: true });
    const name = positionals.join('_');
    if (!name)
        throw new ConfigError(['usage: npm run db:migration:new -- NAME (e.g. add_ticket_tags)']);
    const shadowUrl = process.env['POSTGRES_SHADOW_URL'];
    if (!shadowUrl) {
        throw new ConfigError([
            'POSTGRES_SHADOW_URL: expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE of a server where USER may create databases (the PostgreSQL migration is computed there)',
        ]);
    }
    const folder = migrationFolderName(name, new Date());
    // Compute both before writing either, so a failure leaves no half-written migration.
    const sqlite = await pendingSchemaChange('sqlite', 'file::memory:');
    const postgres = await pendingSchemaChange('postgres', shadowUrl);
    if (!sqlite && !postgres) {
        console.log('No schema change: prisma/schema.prisma matches the committed migrations.');
        return;
    }
    console.log(`Wrote ${writeMigration('sqlite', folder, sqlite)}`);
    console.log(`Wrote ${writeMigration('postgres', folder, postgres)}`);
});
