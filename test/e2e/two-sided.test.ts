/**
 * The whole loop as people live it: a resident on the web page in a real headless
 * Chromium, their liaison in a console chat run by a second app on the same database.
 * Bind the household → report → ping → accept → progress → resolve → rating → closed
 * (the loop is test/helpers/two-sided.ts, shared with the Telegram and WeChat tests), on
 * SQLite and, when the suite has one, on PostgreSQL.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createWebAdapter } from '../../bots/web/web-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';
import type { Terminal } from '../helpers/terminal.js';
import { consoleDriver, liaisonTerminal, type ResidentDriver, runTwoSidedLoop } from '../helpers/two-sided.js';

const CHROMIUM = '/usr/bin/chromium';
const runBrowser = existsSync(CHROMIUM) || process.env['CI'] === 'true';
if (!runBrowser) console.log(`two-sided browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

/** The resident on the web page, as one side of the two-sided loop. */
function pageDriver(page: Page): ResidentDriver {
  const bubbles = page.locator('.msg.bot .bubble');
  const acknowledged = () => expect.poll(() => page.locator('.msg.me.pending').count()).toBe(0);
  return {
    async type(text) {
      await page.fill('#text', text);
      await page.click('#send');
      await acknowledged();
    },
    async choose(label) {
      // From the start of the label: 满意 must not pick 不满意.
      await page
        .locator('.choices button:not([disabled])', { hasText: new RegExp(`^${label}`) })
        .last()
        .click();
      await acknowledged();
    },
    replies: () => bubbles.count(),
    async waitReplies(before) {
      await expect.poll(() => bubbles.count(), { timeout: 15_000 }).toBeGreaterThan(before);
    },
    async waitFor(text) {
      await expect.poll(() => page.locator('.msg.bot .bubble', { hasText: text }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    },
    transcript: async () => (await bubbles.allTextContents()).join('\n'),
  };
}

eachDatabase((kind) => {
  let dir: string;
  const apps: App[] = [];
  let browser: Browser | undefined;
  let base: string;
  /** The liaison's terminal. */
  let terminal: Terminal;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    if (!runBrowser) return;
    dir = mkdtempSync(join(tmpdir(), 'minqing-two-sided-'));
    // A copy of the seeded demo county: a SQLite file, or a PostgreSQL clone (the apps open their own connections).
    database = await kind.fresh({ demo: true });
    const config = parseConfig({ DATABASE_URL: database.url, SCHEDULER_INTERVAL_MS: '200', LOG_LEVEL: 'silent' });
    // The adapter asks for the database once the app has opened it.
    const opened: { app?: App } = {};
    const adapter = createWebAdapter({ port: 0, host: '127.0.0.1', database: () => opened.app?.database, uploadDir: join(dir, 'uploads') });
    const web = (opened.app = await startApp(config, { adapters: [adapter] }));
    apps.push(web);
    base = `http://127.0.0.1:${adapter.port}`;
    // The liaison's terminal, bound as `npm run chat -- --as` binds it, in a second app.
    terminal = await liaisonTerminal(web, async (adapters) => {
      const console = await startApp(config, { adapters });
      apps.push(console);
      return console;
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    for (const app of apps.splice(0)) await app.stop();
    await database?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test.skipIf(!runBrowser)('bind → report → ping → accept → progress → resolve → rating → closed', async () => {
    const page = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/`);
    await runTwoSidedLoop(apps[0]!, pageDriver(page), consoleDriver(terminal), { progress: true, ticket: /已受理，编号 MQ-\d{4}-\d{6}。经办：网格员/ });
    await page.close();
  });
});
