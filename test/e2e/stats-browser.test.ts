/**
 * The statistics page in a real headless Chromium: the app with the console on a free
 * port, the demo county, requests of October 2026 made through the pipeline with a fake
 * clock; the county supervisor logs in, opens /console/stats, sees the charts drawn (SVG
 * with a real size and bars) under the console's strict Content-Security-Policy, drills
 * down, and downloads a table as CSV.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { browserTestOf, launchBrowser, staffPage } from '../helpers/browser.js';
import { createWebAdapter } from '../../bots/web/web-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { Command } from '../../src/pipeline/model.js';
import { actorFor } from '../../src/pipeline/service.js';
import { createWebRoutes } from '../../src/web/routes.js';
import { FakeClock } from '../helpers/org-fixture.js';

const browserTest = browserTestOf('statistics');

/** An element's drawn box (the tests compile without the DOM types). */
interface DrawnElement {
  getBoundingClientRect(): { height: number };
}

/** What the test reads in the page (the tests compile without the DOM types). */
interface PageWorld {
  document: { querySelectorAll(selector: string): ArrayLike<{ namespaceURI: string | null; getAttribute(name: string): string | null }> };
}

let dir: string;
let app: App;
let base: string;
let browser: Browser | undefined;
/** Paired households in the demo county (the coverage card's denominator). */
let pairedInCounty: number;
const clock = new FakeClock(new Date('2026-10-12T09:00:00+08:00'));

/** October's requests: [resident, category, summary, what the handler does]. */
const REQUESTS: [string, string, string, 'resolve' | 'accept' | 'none'][] = [
  ['R-QH-01-001-H001', 'power', '村口路灯坏了', 'resolve'],
  ['R-QH-01-001-H002', 'power', '路灯不亮', 'resolve'],
  ['R-QH-01-001-H003', 'power', '电线垂得很低', 'accept'],
  ['R-QH-01-002-H001', 'water', '自来水停了', 'resolve'],
  ['R-QH-01-002-H002', 'water', '水管爆了', 'none'],
  ['R-QH-02-001-H001', 'road', '路面塌陷', 'accept'],
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minqing-stats-'));
  copyFileSync(inject('sqliteTemplate'), join(dir, 'stats.db'));
  // The demo county without its history: the tests count their own tickets from MQ-2026-000001.
  const config = parseConfig({ DATABASE_URL: `file:${join(dir, 'stats.db')}`, SEED_DEMO: 'true', SEED_DEMO_HISTORY_MONTHS: '0', SCHEDULER_INTERVAL_MS: '3600000' });
  let started: App | undefined;
  const routes = createWebRoutes({ app: () => started, config });
  const web = createWebAdapter({ port: 0, host: '127.0.0.1', database: () => started?.database, routes, uploadDir: join(dir, 'uploads') });
  app = started = await startApp(config, { adapters: [web], clock });
  base = `http://127.0.0.1:${web.port}`;
  const db = app.database.db;
  for (const [i, [code, category, summary, handling]] of REQUESTS.entries()) {
    clock.set(new Date(Date.parse('2026-10-12T09:00:00+08:00') + i * 24 * 3_600_000));
    const resident = await db.person.findUniqueOrThrow({ where: { code } });
    const reported = await app.pipeline.report({ residentId: resident.id, categoryCode: category, kind: 'help', summary });
    if (!reported.ok || reported.ticket.assigneeId === null) throw new Error(`${code}: not routed to a person`);
    const handler = await actorFor(db, reported.ticket.assigneeId);
    const step = async (command: Command) => {
      clock.advanceHours(2);
      const outcome = await app.pipeline.execute(reported.ticket.number, command, handler);
      if (!outcome.ok) throw new Error(`${reported.ticket.number}: ${JSON.stringify(outcome.refusal)}`);
    };
    if (handling !== 'none') await step({ type: 'accept' });
    if (handling === 'resolve') await step({ type: 'resolve', result: '已处理' });
  }
  // Two of a liaison's households visited in October (one 签字 of the two visits): the coverage card.
  const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' }, include: { pairings: { include: { household: true }, take: 2 } } });
  for (const [i, { household }] of liaison.pairings.entries()) {
    await db.visit.create({
      data: {
        liaisonId: liaison.id,
        householdId: household.id,
        regionId: household.regionId,
        notes: '走访',
        visitedAt: new Date(`2026-10-1${i + 3}T10:00:00+08:00`),
        confirmation: i === 0 ? 'confirmed' : 'pending',
      },
    });
  }
  pairedInCounty = await db.pairing.count();
  clock.set('2026-10-20T10:00:00+08:00');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A page logged in as sup-qh. */
const supervisorPage = () => staffPage(browser, base, 'sup-qh');

browserTest('a supervisor sees the charts drawn and downloads a table as CSV', async () => {
  const { page, errors } = await supervisorPage();
  const response = await page.goto(`${base}/console/stats`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("style-src 'self'");
  await expect(page.title()).resolves.toContain('统计分析');
  // The month of the fake clock, the whole county.
  expect(await page.textContent('.stats-period')).toContain('2026-10-01 – 2026-10-31');
  expect(await page.textContent('[data-figure="received"] .value')).toBe('6');
  // 包户走访: the month's coverage and 签字率 among the figures, drawn as cards like the others.
  expect(await page.textContent('[data-figure="visitCoverage"] .value')).toBe(`${Math.round((2 / pairedInCounty) * 1000) / 10}%`);
  expect(await page.textContent('[data-figure="visitSigned"] .value')).toBe('50%');
  const cardBox = await page.locator('[data-figure="visitCoverage"]').boundingBox();
  const receivedBox = await page.locator('[data-figure="received"]').boundingBox();
  expect(cardBox!.width).toBeCloseTo(receivedBox!.width, 0);
  expect(cardBox!.height).toBeGreaterThan(40);
  expect(await page.locator('#table-visits-township tbody tr').count()).toBeGreaterThan(1);

  // Every chart is an SVG image with a real size on the screen.
  for (const id of ['chart-trend', 'chart-category', 'chart-rank-places', 'chart-rank-departments']) {
    const box = await page.locator(`#${id}`).boundingBox();
    expect(box, id).not.toBeNull();
    expect(box!.width, id).toBeGreaterThan(200);
    expect(box!.height, id).toBeGreaterThan(30);
  }
  // The trend has a bar per day of October, six of them drawn with a height; the category chart a bar per category.
  const trendBars = page.locator('#chart-trend rect.bar');
  expect(await trendBars.count()).toBe(31);
  const heights = await trendBars.evaluateAll((bars: unknown[]) => (bars as DrawnElement[]).map((b) => b.getBoundingClientRect().height));
  expect(heights.filter((h) => h > 0)).toHaveLength(6);
  const categoryBars = page.locator('#chart-category rect.bar');
  expect(await categoryBars.count()).toBe(3);
  expect((await categoryBars.first().boundingBox())!.height).toBeGreaterThan(50);
  expect(await page.locator('#chart-category title').first().textContent()).toContain('按事项分类');
  expect(await page.locator('#chart-category text').allTextContents()).toEqual(expect.arrayContaining(['电力照明', '3', '供水排水', '2', '道路交通', '1']));
  // Parsed as SVG (not unknown HTML elements), drawn without any CSP complaint.
  const namespaces = await page.evaluate(() => {
    const world = globalThis as unknown as PageWorld;
    return [...Array.from(world.document.querySelectorAll('svg.chart rect.bar'))].map((r) => r.namespaceURI);
  });
  expect(new Set(namespaces)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  // The ranking of the county's villages.
  expect(await page.locator('#chart-rank-places text').allTextContents()).toEqual(['1. 东湖村', '3', '2. 柳树湾村', '2', '3. 杏花村', '1']);

  // The category table's CSV: UTF-8 with a BOM, a header, one row per category and the total.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#table-category a.csv')]);
  expect(download.suggestedFilename()).toMatch(/^minqing-stats-category-2026-10-01_2026-10-31\.csv$/);
  const path = await download.path();
  const bytes = readFileSync(path);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
  expect(lines[0]).toMatch(/^编号 key,名称 name,受理量 received,在办 open,超期 overdue,响应率\(%\),/);
  expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['power,电力照明,3', 'water,供水排水,2', 'road,道路交通,1', ',合计 total,6']);

  // The township coverage table's CSV: the same columns as the visit log's.
  const [coverageDownload] = await Promise.all([page.waitForEvent('download'), page.click('#table-visits-township a.csv')]);
  expect(coverageDownload.suggestedFilename()).toBe('minqing-stats-visits-township-2026-10-01_2026-10-31.csv');
  const coverageLines = readFileSync(await coverageDownload.path())
    .toString('utf8')
    .slice(1)
    .trim()
    .split('\r\n');
  expect(coverageLines[0]).toMatch(/^编号 key,名称 name,包户数 paired households,已走访户数 households visited,走访覆盖率\(%\)/);
  expect(coverageLines.at(-1)).toMatch(new RegExp(`^,合计 total,${pairedInCounty},2,`));

  // Drilling down into a township keeps the period and narrows the figures.
  await page.click('#table-region a:text("清水镇")');
  await page.waitForURL(/region=\d+/);
  expect(await page.textContent('[data-figure="received"] .value')).toBe('5');
  expect(await page.locator('#chart-trend rect.bar').count()).toBe(31);

  expect(errors).toEqual([]);
  await page.context().close();
});

browserTest('logged out, the statistics and their CSV are not shown', async () => {
  const page = await fetch(`${base}/console/stats`, { redirect: 'manual' });
  expect([302, 303, 401]).toContain(page.status);
  const csv = await fetch(`${base}/console/stats/export?table=category`, { redirect: 'manual' });
  expect(csv.status).toBe(401);
});
