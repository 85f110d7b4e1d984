/**
 * 受理登记 in a real headless Chromium: a township dispatcher opens the form from the
 * navigation, finds a resident by household code, asks for a category suggestion (the
 * typed values come back), is refused without a result for 当场办结 (what was typed is
 * kept), and registers the request settled on the spot — under the console's strict
 * Content-Security-Policy.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { browserTestOf, launchBrowser, staffPage } from '../helpers/browser.js';
import { type ConsoleWorld, startConsoleWorld } from '../helpers/console-client.js';

const browserTest = browserTestOf('intake');

let world: ConsoleWorld;
let browser: Browser | undefined;

beforeAll(async () => {
  world = await startConsoleWorld();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

browserTest('a dispatcher finds a resident, takes the suggested category and registers a matter settled on the spot', async () => {
  const { page, errors } = await staffPage(browser, world.base, 'dsp-qh-01', [422]);
  const resident = await world.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
  await Promise.all([page.waitForURL(/\/console\/intake$/), page.click('nav a:text("受理登记")')]);
  await page.fill('input[name=q]', 'QH-01-001-H001');
  await Promise.all([page.waitForURL(/\?q=QH-01-001-H001/), page.click('form.intake-search button')]);
  await page.check(`input[name=resident][value="${resident.id}"]`);
  await page.check('input[name=channel][value=phone]');
  await page.fill('textarea[name=description]', '家里停水三天了，自来水管一直没有水');
  await page.click('button[name=suggest]');
  await page.waitForLoadState();
  expect(await page.inputValue('select[name=category]')).toBe('water');
  expect(await page.inputValue('textarea[name=description]')).toBe('家里停水三天了，自来水管一直没有水');
  expect(await page.isChecked(`input[name=resident][value="${resident.id}"]`)).toBe(true);
  expect(await page.isChecked('input[name=channel][value=phone]')).toBe(true);

  // 当场办结 without a result: refused, the form as typed.
  await page.check('input[name=settled]');
  await page.click('form.intake-form button.primary');
  await page.waitForLoadState();
  expect(await page.textContent('.intake-settle')).toContain('当场办结须填写办理结果');
  expect(await page.isChecked('input[name=settled]')).toBe(true);
  expect(await page.inputValue('select[name=category]')).toBe('water');

  await page.fill('textarea[name=result]', '已联系水厂，告知明早恢复供水');
  await Promise.all([page.waitForURL(/done=MQ-\d{4}-\d{6}&settled=1/), page.click('form.intake-form button.primary')]);
  expect(await page.textContent('.notice.ok')).toContain('已登记并当场办结');
  const number = /done=(MQ-\d{4}-\d{6})/.exec(page.url())![1]!;
  expect(await world.db.ticket.findUniqueOrThrow({ where: { number } })).toMatchObject({
    channel: 'phone',
    categoryCode: 'water',
    state: 'resolved',
    settledOnTheSpot: true,
    residentId: resident.id,
  });
  await Promise.all([page.waitForURL(new RegExp(`/console/tickets/${number}`)), page.click(`.notice.ok a`)]);
  expect(errors).toEqual([]);
});
