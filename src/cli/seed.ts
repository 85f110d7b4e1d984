/**
 * Seeds the database named by DATABASE_URL with the demo county 青禾县 and the default
 * categories (idempotent), and prints the import summary.
 *
 *   npm run seed
 */
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { formatSummary } from '../org/import/index.js';
import { seedDemo } from '../org/seed.js';
import { runCli } from './run-cli.js';

await runCli(async () => {
  const config = loadConfig();
  const database = await openDatabase(config.DATABASE_URL);
  try {
    const report = await seedDemo(database.db);
    console.log(formatSummary(report));
    return 0;
  } finally {
    await database.close();
  }
});
