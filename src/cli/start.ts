/**
 * `npm start`: runs Minqing on the configured database (embedded SQLite by default),
 * migrated and seeded with the demo county when empty, with the web chat on PORT,
 * until SIGINT or SIGTERM.
 */
import { createTelegramAdapter } from '../../bots/telegram/telegram-adapter.js';
import { createWebAdapter } from '../../bots/web/web-adapter.js';
import { createWechatAdapter, wechatConfigured } from '../../bots/wechat/wechat-adapter.js';
import { type App, startApp } from '../app.js';
import { loadConfig } from '../config.js';
import { logger, setLogLevel } from '../log.js';
import { runCli } from './run-cli.js';

await runCli(async () => {
  // Listen for the stop signal first: one that arrives while starting up still stops cleanly.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const config = loadConfig();
  setLogLevel(config.LOG_LEVEL);
  const log = logger('start');
  // The web chat wakes a reconnecting page's waiting messages in the app's database,
  // which startApp opens: the adapter asks for it once it is there.
  const opened: { app?: App } = {};
  const web = createWebAdapter({ port: config.PORT, database: () => opened.app?.database });
  const token = config.TELEGRAM_BOT_TOKEN;
  const telegram = token === undefined ? undefined : createTelegramAdapter({ ...config, TELEGRAM_BOT_TOKEN: token });
  const wechat = wechatConfigured(config) ? createWechatAdapter(config) : undefined;
  const adapters = [web, ...(telegram ? [telegram] : []), ...(wechat ? [wechat] : [])];
  const app = (opened.app = await startApp(config, { adapters }));
  const { db } = app.database;
  const [regions, households, people, tickets] = await Promise.all([
    db.region.count(),
    db.household.count(),
    db.person.count(),
    db.ticket.count(),
  ]);
  log.info(
    { provider: app.database.provider, regions, households, people, tickets, channels: adapters.map((a) => a.channel) },
    'Minqing is running; messages for chats that are not connected wait in the outbox',
  );
  log.info({ port: web.port }, `web chat at http://localhost:${web.port}/`);
  await stopRequested;
  log.info('stopping');
  await app.stop();
});
