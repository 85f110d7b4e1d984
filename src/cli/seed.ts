/**
 * Seeds the database named by DATABASE_URL with the demo county 青禾县 and the default
 * categories (idempotent), prints the import summary, and plays the demo history
 * (SEED_DEMO_HISTORY_MONTHS; only into a database without tickets, so never twice).
 *
 *   npm run seed
 */
import { seedDemoHistory } from '../app.js';
import { loadConfig } from '../config.js';
import { localDateOf } from '../pipeline/calendar.js';
import { formatSummary } from '../org/import/index.js';
import { seedDemo } from '../org/seed.js';
import { runCli, withDatabase } from './run-cli.js';

await runCli(async () => {
  const config = loadConfig();
  return withDatabase(config.DATABASE_URL, async (database) => {
    const report = await seedDemo(database.db);
    console.log(formatSummary(report));
    const history = await seedDemoHistory(database, config, new Date());
    if (history) {
      console.log(
        `demo history ${localDateOf(history.from)} … ${localDateOf(history.to)}: ${history.tickets} tickets, ${history.events} events, ` +
          `${history.timersFired} timers fired (${history.timersArmed} still armed), ${(history.ms / 1000).toFixed(1)} s`,
      );
    } else if (config.SEED_DEMO_HISTORY_MONTHS > 0) {
      console.log('demo history: the database has tickets already, none added');
    }
    return 0;
  });
});
