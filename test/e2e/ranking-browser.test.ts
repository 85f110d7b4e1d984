/**
 * The 红黑榜 page in a real headless Chromium: the demo county with a hand-built October
 * (five villages of known quality), the county supervisor opens /console/ranking under
 * the console's strict Content-Security-Policy, reads the 红榜 and 黑榜 and each score's
 * parts, switches to departments, downloads the CSV, and sets the weights (a bad value
 * refused in Chinese, a good one saved and applied).
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { browserTestOf, launchBrowser, staffPage } from '../helpers/browser.js';
import { type ConsoleWorld, startConsoleWorld } from '../helpers/console-client.js';
import { insertStatTicket } from '../helpers/stat-tickets.js';

const browserTest = browserTestOf('ranking');

let world: ConsoleWorld;
let browser: Browser | undefined;
/** The demo county's villages by code; village i had 10 − 2i of its 10 October requests solved and satisfied. */
let villages: string[];

beforeAll(async () => {
  world = await startConsoleWorld();
  const db = world.db;
  const found = await db.region.findMany({ where: { level: 'village' }, orderBy: { code: 'asc' } });
  villages = found.map((v) => v.name);
  const resident = await db.personRole.findFirstOrThrow({ where: { role: 'resident' } });
  for (const [i, village] of found.entries()) {
    for (let n = 0; n < 10; n++) {
      const good = n < 10 - 2 * i;
      await insertStatTicket(db, {
        regionId: village.id,
        day: '2026-10-14',
        residentId: resident.personId,
        handlingRegionId: village.parentId!,
        state: 'closed',
        acceptedOnTime: true,
        resolvedOnTime: true,
        rating: good ? 'satisfied' : 'dissatisfied',
        solved: good,
      });
    }
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

/** A page logged in as sup-qh. */
const supervisorPage = () => staffPage(browser, world.base, 'sup-qh', [422]);

/** The visible rows of a table: its cells' text. */
async function rows(page: Page, selector: string): Promise<string[][]> {
  return page
    .locator(`${selector} tbody tr`)
    .evaluateAll((trs: unknown[]) => (trs as { cells: ArrayLike<{ textContent: string | null }> }[]).map((tr) => Array.from(tr.cells).map((c) => (c.textContent ?? '').trim())));
}

browserTest('the county supervisor reads the 红黑榜, switches level, downloads the CSV and sets the weights', async () => {
  const { page, errors } = await supervisorPage();
  await page.click('nav a:text("红黑榜")');
  await page.waitForURL(/\/console\/ranking$/);
  await expect(page.title()).resolves.toContain('红黑榜');
  // Last month, the county's villages: 100 × (0.1 + 0.9 × solved share) = 100, 82, 64, 46, 28.
  const [v0, v1, v2, v3, v4] = villages as [string, string, string, string, string];
  expect(await rows(page, '#ranking-boards .board-red')).toEqual([
    ['1', v0, '100.0', '—（—）'],
    ['2', v1, '82.0', '—（—）'],
    ['3', v2, '64.0', '—（—）'],
  ]);
  expect(await rows(page, '#ranking-boards .board-black')).toEqual([
    ['5', v4, '28.0', '—（—）'],
    ['4', v3, '46.0', '—（—）'],
  ]);
  expect(await page.locator('#ranking-boards .board-red').isVisible()).toBe(true);
  // Each score's parts: v1 solved and satisfied 8 of 10.
  const full = await rows(page, 'table.ranking-table');
  expect(full[1]!.slice(0, 4)).toEqual(['2', v1, '10', '82.0']);
  expect(full[1]!.slice(7)).toEqual(['100.0%（10/10）', '0.1', '+10.0', '80.0%（8/10）', '0.5', '+40.0', '80.0%（8/10）', '0.4', '+32.0']);
  expect(await page.textContent('.stats-definitions')).toContain('得分（满分 100）');

  // Departments: the form keeps the month and region.
  await page.selectOption('select[name=level]', 'department');
  await Promise.all([page.waitForURL(/level=department/), page.click('form.filters button[type=submit]')]);
  expect(await page.textContent('h2')).toContain('2026-10 部门排名');

  // The CSV of the villages.
  await page.goto(`${world.base}/console/ranking?level=village`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.csv')]);
  expect(download.suggestedFilename()).toBe('minqing-ranking-QH-village-2026-10.csv');
  const lines = readFileSync(await download.path())
    .toString('utf8')
    .slice(1)
    .trim()
    .split('\r\n');
  expect(lines[0]).toMatch(/^名次 rank,村 villages,受理量 received,得分 score,/);
  expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([`1,${v0},10,100`, `2,${v1},10,82`, `3,${v2},10,64`, `4,${v3},10,46`, `5,${v4},10,28`]);

  // Weights that do not add up are refused in Chinese; resolution alone is saved and applied.
  await page.fill('input[name=resolution]', '0.6');
  await page.click('form.settings button[type=submit]');
  expect(await page.textContent('#settings .notice.error')).toContain('权重之和须为 1');
  await page.fill('input[name=response]', '0');
  await page.fill('input[name=resolution]', '1');
  await page.fill('input[name=satisfaction]', '0');
  await Promise.all([page.waitForURL(/done=1/), page.click('form.settings button[type=submit]')]);
  expect(await page.textContent('.notice.ok')).toContain('排名设置已保存');
  expect((await rows(page, '#ranking-boards .board-red')).map((r) => r.slice(0, 3))).toEqual([
    ['1', v0, '100.0'],
    ['2', v1, '80.0'],
    ['3', v2, '60.0'],
  ]);

  expect(errors).toEqual([]);
  await page.context().close();
});
