/**
 * `npm start`: runs Minqing on the configured database (embedded SQLite by default),
 * migrated and seeded with the demo county when empty, with the web chat, the staff
 * console (/console) and the public board (/public) on PORT, until SIGINT or SIGTERM.
 */
import { createWebAdapter } from '../../bots/web/web-adapter.js';
import { wechatConfigured } from '../../bots/wechat/wechat-parse.js';
import { type App, startApp } from '../app.js';
import { loadConfig } from '../config.js';
import { logger, setLogLevel } from '../log.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../org/staff-accounts.js';
import { warmStats } from '../stats/query.js';
import { createWebRoutes, type Routes } from '../web/routes.js';
import { smsSettingsOf } from '../sms/settings.js';
import { httpLimitsFrom } from '../web/server.js';
import { uploadLimitsFrom } from '../web/upload-ledger.js';
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
  // The web chat wakes a reconnecting page's waiting messages in the app's database (and
  // WeChat those of its chats at a new login), which startApp opens: the adapters ask for
  // it once it is there.
  const opened: { app?: App } = {};
  // The console and the board need the app's database and pipeline the same way.
  const pages = createWebRoutes({ app: () => opened.app, config });
  // SMS for residents without a chat, when configured; its reply callback is a route of this web server.
  const smsSettings = smsSettingsOf(config);
  const sms = smsSettings && (await import('../../bots/sms/sms-adapter.js')).createSmsAdapter(smsSettings, config, { database: () => opened.app?.database });
  log.info(sms ? 'SMS channel on (Alibaba Cloud): residents without a chat get SMS' : 'SMS channel off: no SMS_* settings; residents without a chat wait for one');
  const routes: Routes = sms ? async (req, res) => (await sms.serveCallback(req, res)) || pages(req, res) : pages;
  // Both HTTP servers (this one and Telegram's webhook) hold the same limits against slow clients.
  const http = httpLimitsFrom(config);
  const web = createWebAdapter({
    port: config.PORT,
    database: () => opened.app?.database,
    routes,
    http,
    uploadLimits: uploadLimitsFrom(config),
    sessionIdleMinutes: config.SESSION_IDLE_MINUTES,
    trustProxy: config.TRUST_PROXY,
  });
  const token = config.TELEGRAM_BOT_TOKEN;
  // The Telegram and WeChat SDKs are loaded only when their channel is configured
  // (Wechaty alone holds ~30 MiB).
  const telegram =
    token === undefined ? undefined : (await import('../../bots/telegram/telegram-adapter.js')).createTelegramAdapter({ ...config, TELEGRAM_BOT_TOKEN: token, http });
  const wechat = wechatConfigured(config) ? (await import('../../bots/wechat/wechat-adapter.js')).createWechatAdapter(config, { database: () => opened.app?.database }) : undefined;
  const adapters = [web, ...(telegram ? [telegram] : []), ...(wechat ? [wechat] : []), ...(sms ? [sms] : [])];
  const app = (opened.app = await startApp(config, { adapters }));
  const { db } = app.database;
  const [regions, households, people, tickets] = await Promise.all([db.region.count(), db.household.count(), db.person.count(), db.ticket.count()]);
  log.info(
    { provider: app.database.provider, regions, households, people, tickets, channels: adapters.map((a) => a.channel) },
    'Minqing is running; messages for chats that are not connected wait in the outbox',
  );
  log.info({ port: web.port }, `web chat at http://localhost:${web.port}/`);
  log.info({ port: web.port }, `staff console at http://localhost:${web.port}/console (accounts: npm run user:add), public board at http://localhost:${web.port}/public`);
  // The statistics page and the public board read an in-memory store of the tickets:
  // loading it now spares the first visitor the wait (seconds at a million tickets).
  const warming = performance.now();
  warmStats(db).then(
    () => log.info({ ms: Math.round(performance.now() - warming) }, 'statistics loaded'),
    (error: unknown) => log.warn({ err: error }, 'statistics could not be loaded ahead; the first statistics page will load them'),
  );
  const demo = await db.staffAccount.count({ where: { username: { in: DEMO_ACCOUNTS.map((a) => a.username) } } });
  if (demo > 0) {
    log.warn(
      { accounts: DEMO_ACCOUNTS.map((a) => a.username) },
      `demo console accounts exist with the published password "${DEMO_PASSWORD}": fine for the demo county, never for real data (npm run user:add -- --reset)`,
    );
  }
  await stopRequested;
  log.info('stopping');
  await app.stop();
});
