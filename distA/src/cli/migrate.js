/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL. */
import { loadConfig } from '../config.js';
import { providerOf } from '../db/client.js';
import { applyMigrations } from '../db/migrations.js';
import { runCli } from './run-cli.js';
await runCli(async () => {
    const config = loadConfig();
    const provider = providerOf(config.DATABASE_URL);
    const applied = await applyMigrations(provider, config.DATABASE_URL);
    console.log(applied.length ? `Applied ${applied.length} migration(s) to ${provider}: ${applied.join(', ')}` : `The ${provider} database is up to date.`);
});
