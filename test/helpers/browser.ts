/**
 * What the console's Chromium tests share: the browser (the system's headless Chromium,
 * driven by playwright-core), whether it must run, and a page logged in as a staff
 * member that collects what would be a fault: console errors (a Content-Security-Policy
 * violation lands there) and failed requests.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, test } from 'vitest';
import { DEMO_PASSWORD } from '../../src/org/staff-accounts.js';
import { type ConsoleWorld, startConsoleWorld } from './console-client.js';

const CHROMIUM = '/usr/bin/chromium';
const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'];

/** In CI the browser tests must run (a missing Chromium fails them); elsewhere they may be skipped. */
export const runBrowser = existsSync(CHROMIUM) || process.env['CI'] === 'true';

/** `test` where the browser runs, `test.skip` (with a note naming `what`) where it may not. */
export function browserTestOf(what: string): typeof test | typeof test.skip {
  if (!runBrowser) console.log(`${what} browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
  return runBrowser ? test : test.skip;
}

/** The browser, or undefined where the tests are skipped. */
export async function launchBrowser(): Promise<Browser | undefined> {
  return runBrowser ? chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS }) : undefined;
}

/** A test file's console world and browser, there while its tests run. */
export interface ConsoleBrowserSuite {
  world: ConsoleWorld;
  browser: Browser | undefined;
}

/**
 * Starts the console world (the demo county without its history, on a fake clock: Monday
 * 2026-11-16 09:00, Beijing) and the browser before a file's tests, `prepare`d with what
 * they need, and stops both after them.
 */
export function consoleBrowserSuite(prepare?: (world: ConsoleWorld) => Promise<void>): ConsoleBrowserSuite {
  const suite = {} as ConsoleBrowserSuite;
  beforeAll(async () => {
    suite.world = await startConsoleWorld();
    await prepare?.(suite.world);
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.world?.stop();
  });
  return suite;
}

/**
 * A page of a new context logged in at `base` as `username`, with the errors it collects.
 * `expected` are the statuses the test provokes on purpose (a refused form's 400 or 422).
 */
export async function staffPage(browser: Browser | undefined, base: string, username: string, expected: readonly number[] = []): Promise<{ page: Page; errors: string[] }> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    // The browser's own favicon request (no /favicon.ico here) is no page resource; the page's come below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !expected.includes(response.status())) errors.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  await page.goto(`${base}/console/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(/\/console\/(?!login)/), page.click('form button[type=submit]')]);
  return { page, errors };
}
