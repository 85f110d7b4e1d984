/**
 * `npm start`: runs Minqing on the configured database (embedded SQLite by default),
 * migrated and seeded with the demo county when empty, until SIGINT or SIGTERM.
 */
import { startApp } from '../app.js';
import { loadConfig } from '../config.js';
import { logger, setLogLevel } from '../log.js';
import { runCli } from './run-cli.js';

await runCli(async () => {
  const config = loadConfig();
  setLogLevel(config.LOG_LEVEL);
  const log = logger('start');
  const app = await startApp(config);
  const { db } = app.database;
  const [regions, households, people, tickets] = await Promise.all([
    db.region.count(),
    db.household.count(),
    db.person.count(),
    db.ticket.count(),
  ]);
  log.info(
    { provider: app.database.provider, regions, households, people, tickets, channels: [] },
    'Minqing is running; no chat channel is configured yet, so outgoing messages wait in the outbox',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('stopping');
  await app.stop();
});
