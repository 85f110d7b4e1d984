/**
 * The region maps in a real headless Chromium, under the strict Content-Security-Policy:
 * the county supervisor's statistics page draws the county's villages as SVG points with
 * a real size, a click on a village opens the village's statistics (with the location a
 * resident shared); the public board draws its villages too, and a click goes to the
 * village's board.
 */
import { expect } from 'vitest';
import { browserTestOf, consoleBrowserSuite, staffPage } from '../helpers/browser.js';

const browserTest = browserTestOf('maps');

let number: string;

/** What the test reads in the page (the tests compile without the DOM types). */
interface PageWorld {
  document: { querySelectorAll(selector: string): ArrayLike<{ namespaceURI: string | null }> };
}

const suite = consoleBrowserSuite(async (world) => {
  const resident = await world.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
  const outcome = await world.app.pipeline.report({ residentId: resident.id, categoryCode: 'power', kind: 'help', summary: '路灯坏了', latitude: 30.0611, longitude: 120.1152 });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.refusal));
  number = outcome.ticket.number;
});

browserTest('the statistics page draws the county’s villages; a click on one opens the village with its shared location', async () => {
  const { page, errors } = await staffPage(suite.browser, suite.world.base, 'sup-qh');
  const response = await page.goto(`${suite.world.base}/console/stats`);
  expect(response?.status()).toBe(200);
  const villages = page.locator('#stats-map a.village circle');
  expect(await villages.count()).toBe(5);
  for (const circle of await villages.all()) {
    const box = await circle.boundingBox();
    expect(box!.width).toBeGreaterThan(8);
  }
  const box = await page.locator('#stats-map').boundingBox();
  expect(box!.width).toBeGreaterThan(300);
  // Parsed as SVG, not as unknown HTML elements.
  const namespaces = await page.evaluate(() => [...Array.from((globalThis as unknown as PageWorld).document.querySelectorAll('#stats-map circle'))].map((c) => c.namespaceURI));
  expect(new Set(namespaces)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  // The county map marks no single request.
  expect(await page.locator('#stats-map a.pin').count()).toBe(0);

  const village = await suite.world.db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
  await Promise.all([page.waitForURL(new RegExp(`region=${village.id}`)), page.click('#stats-map a[data-village="QH-01-001"] circle')]);
  expect(await page.textContent('h1')).toContain('东湖村');
  expect(await page.locator('#stats-map a.village').count()).toBe(1);
  const pin = page.locator('#stats-map a.pin');
  expect(await pin.count()).toBe(1);
  expect(await pin.locator('title').textContent()).toBe(`${number} 电力照明 Power and lighting`);
  expect(await pin.getAttribute('href')).toContain('uri.amap.com/marker?position=120.115200,30.061100');
  // The switch recolours: satisfaction, with its legend.
  await Promise.all([page.waitForURL(/map=satisfaction/), page.click('a[data-map-figure="satisfaction"]')]);
  expect(await page.textContent('.map-legend')).toContain('≥ 95%');
  expect(errors).toEqual([]);
  await page.context().close();
});

browserTest('the public board draws its villages; a click goes to the village’s board', async () => {
  if (!suite.browser) throw new Error('no browser');
  const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  await page.goto(`${suite.world.base}/public/QH`);
  expect(await page.locator('#board-map a.village circle').count()).toBe(5);
  expect(await page.locator('#board-map a.pin').count()).toBe(0);
  await Promise.all([page.waitForURL(/\/public\/QH-01-002$/), page.click('#board-map a[data-village="QH-01-002"] circle')]);
  expect(await page.textContent('h1')).toContain('柳树湾村');
  expect(await page.locator('#board-map a.village').count()).toBe(1);
  expect(errors).toEqual([]);
  await context.close();
});
