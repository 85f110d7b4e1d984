/**
 * The staff console in a real headless Chromium: log in through the form and filter the
 * queue; reassign a ticket and watch the assignment ping arrive in the new liaison's web
 * chat page; export the queue as a CSV download; read and filter the visit log 民情日记.
 * (The statistics charts are tested with
 * the statistics page.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBindingCode } from '../../src/org/invite.js';
import { type ConsoleWorld, DEMO_PASSWORD, report, startConsoleWorld } from '../helpers/console-client.js';

const CHROMIUM = '/usr/bin/chromium';
const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** In CI the browser tests must run (a missing Chromium fails them); elsewhere they may be skipped. */
const runBrowser = existsSync(CHROMIUM) || process.env['CI'] === 'true';
if (!runBrowser) console.log(`console browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
const browserTest = runBrowser ? test : test.skip;

/** The little of the page's world the tests touch (the tests compile without the DOM types). */
interface PageWorld {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

/** The web chat page's own id for the liaison's browser (the page keeps it in localStorage). */
const LIAISON_CHAT = `w${'5'.repeat(32)}`;

let world: ConsoleWorld;
let browser: Browser | undefined;
let light: string;
let water: string;

beforeAll(async () => {
  world = await startConsoleWorld();
  light = await report(world.app, 'R-QH-01-001-H001', '村口的路灯坏了好几天');
  water = await report(world.app, 'R-QH-01-002-H001', '柳树湾村停水三天了', 'water');
  if (runBrowser) browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

/** A new browser context with the dispatcher logged in through the form. */
async function dispatcherPage(): Promise<Page> {
  const context = await browser!.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${world.base}/console/queue`);
  // Logged out: the queue sends us to the login form.
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.fill('input[name=username]', 'dsp-qh-01');
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('form[action="/console/login"] button[type=submit]');
  await page.waitForURL(`${world.base}/console/queue`);
  return page;
}

describe('staff console in Chromium', () => {
  browserTest('log in and filter the queue by category', async () => {
    const page = await dispatcherPage();
    await expect.poll(() => page.locator('table.data tbody tr').count()).toBe(2);
    await expect.poll(() => page.locator('.user .who').textContent()).toBe('石云');
    await page.selectOption('select[name=category]', 'water');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/category=water/);
    const rows = page.locator('table.data tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(water);
    expect(await page.locator('select[name=category]').inputValue()).toBe('water');
    // The stylesheet loaded under the strict CSP (the header is green, not unstyled).
    const background = await page.locator('header.top').evaluate((el) => (globalThis as unknown as PageWorld).getComputedStyle(el).backgroundColor);
    expect(background).toBe('rgb(31, 122, 77)');
    // Every page names its icon, served beside the stylesheet (a browser asking /favicon.ico gets it too, not a 404).
    expect(await page.locator('link[rel=icon]').getAttribute('href')).toBe('/favicon.svg');
    for (const path of ['/favicon.svg', '/favicon.ico']) {
      const icon = await fetch(`${world.base}${path}`);
      expect([icon.status, icon.headers.get('content-type')], path).toEqual([200, 'image/svg+xml']);
      expect(await icon.text(), path).toContain('民');
    }
    await page.context().close();
  });

  browserTest("reassign a ticket from the console: the ping arrives in the new liaison's web chat", async () => {
    // The liaison L-QH-01-001-02 binds a web chat once (绑定 CODE), then keeps its page open.
    const liaison = await world.db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-02' } });
    const code = await createBindingCode(world.db, liaison.id, world.clock.now(), 7);
    const bind = await fetch(`${world.base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', user: LIAISON_CHAT, text: `绑定 ${code}`, channelData: { messageId: 'bind-1' } }),
    });
    expect(bind.status).toBe(200);
    expect(JSON.stringify(await bind.json())).toContain('绑定成功');
    const chatContext = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    await chatContext.addInitScript((user) => {
      (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('minqing.web.user', user);
    }, LIAISON_CHAT);
    const chat = await chatContext.newPage();
    await chat.goto(`${world.base}/`);
    await expect.poll(() => world.web.isConnected(LIAISON_CHAT)).toBe(true);

    const page = await dispatcherPage();
    await page.click(`a[href="/console/tickets/${light}"]`);
    await page.waitForURL(`${world.base}/console/tickets/${light}`);
    await page.click('details.action summary:has-text("派单 / 改派")');
    await page.selectOption('select[name=target]', `p${liaison.id}`);
    await page.fill('details.action textarea[name=note]', '请蒋梅云处理');
    await page.click('form[action$="/dispatch"] button[type=submit]');
    await page.waitForURL(/done=dispatch/);
    expect(await page.locator('.notice.ok').first().textContent()).toContain('已完成');
    expect(await page.locator('dl.facts').first().textContent()).toContain('蒋梅云');

    // The scheduler delivers the outbox: the ping shows in the liaison's page, with its buttons.
    await world.app.scheduler.tick();
    const ping = chat.locator('.msg.bot .bubble', { hasText: `【派单】${light}` });
    await expect.poll(() => ping.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => chat.locator('.choices button', { hasText: '签收' }).count()).toBeGreaterThan(0);
    await chatContext.close();
    await page.context().close();
  });

  browserTest('人工 from the web chat reaches the dispatcher’s inbox; the reply appears on the page', async () => {
    // A resident of 清水镇 on the web page (their chat bound to their household).
    const user = `w${'6'.repeat(32)}`;
    const resident = await world.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H003' } });
    await world.db.channelIdentity.create({ data: { channel: 'web', platformUserId: user, chatId: user, personId: resident.id } });
    const chatContext = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    await chatContext.addInitScript((id) => {
      (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('minqing.web.user', id);
    }, user);
    const chat = await chatContext.newPage();
    await chat.goto(`${world.base}/`);
    await expect.poll(() => world.web.isConnected(user)).toBe(true);
    await chat.fill('#text', '人工');
    await chat.click('#send');
    await expect.poll(() => chat.locator('.msg.bot .bubble', { hasText: '已请清水镇的工作人员和您对话' }).count()).toBe(1);
    await chat.fill('#text', '我家的低保这个月还没到账');
    await chat.click('#send');
    await expect.poll(() => chat.locator('.msg.bot .bubble', { hasText: '已转给工作人员' }).count()).toBe(1);

    const page = await dispatcherPage();
    await page.click('nav a[href="/console/inbox"]');
    await page.waitForURL(`${world.base}/console/inbox`);
    const row = page.locator('table.data tbody tr', { hasText: '我家的低保这个月还没到账' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('.badge.unread').textContent()).toBe('1');
    await row.locator('a').first().click();
    await page.waitForURL(/\/console\/inbox\/\d+$/);
    expect(await page.locator('ol.transcript').textContent()).toContain('我家的低保这个月还没到账');
    await page.fill('form.reply textarea[name=text]', '您好，我们查一下，下午给您回电话');
    await page.click('form.reply button[type=submit]');
    await page.waitForURL(/done=reply/);
    expect(await page.locator('ol.transcript').textContent()).toContain('您好，我们查一下，下午给您回电话');

    // The outbox delivers it to the resident's open page, marked as from staff.
    await world.app.scheduler.tick();
    await expect.poll(() => chat.locator('.msg.bot .bubble', { hasText: '【工作人员】您好，我们查一下，下午给您回电话' }).count(), { timeout: 10_000 }).toBe(1);
    await chatContext.close();
    await page.context().close();
  });

  browserTest('the visit log: from the menu, the month’s coverage above the visits; filtered by 签字 status', async () => {
    const household = await world.db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H002' }, include: { pairing: { include: { liaison: true } } } });
    const liaison = household.pairing!.liaison;
    const visit = (notes: string, confirmation: string, rating: number | null) =>
      world.db.visit.create({
        data: { liaisonId: liaison.id, householdId: household.id, regionId: household.regionId, visitedAt: world.clock.now(), notes, confirmation, rating },
      });
    await visit('询问了取暖的准备', 'confirmed', 4);
    await visit('再次了解取暖情况', 'disputed', null);
    await visit('送去了取暖补贴的表格', 'pending', null);
    const page = await dispatcherPage();
    await page.click('nav a[href="/console/visits"]');
    await page.waitForURL(`${world.base}/console/visits`);
    const coverage = page.locator('section.coverage tbody tr', { hasText: liaison.name });
    await expect.poll(() => coverage.count()).toBe(1);
    // Three visits to one of the liaison's ten households (10 %); two of the three signed (属实, 有出入).
    expect(await coverage.textContent()).toMatch(/10%.*66\.7%/);
    const visits = page.locator('section.visits > .table-wrap tbody tr');
    await expect.poll(() => visits.count()).toBe(3);
    await page.selectOption('select[name=status]', 'disputed');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/status=disputed/);
    await expect.poll(() => visits.count()).toBe(1);
    expect(await visits.first().textContent()).toContain('再次了解取暖情况');
    expect(await page.locator('input[name=month]').inputValue()).toBe('2026-11');
    await page.context().close();
  });

  browserTest('export the queue as a CSV download (UTF-8 with BOM)', async () => {
    const page = await dispatcherPage();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.csv[href^="/console/queue.csv"]')]);
    expect(download.suggestedFilename()).toMatch(/^minqing-queue-\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('编号 number');
    expect(text).toContain(light);
    expect(text).toContain(water);
    await page.context().close();
  });
});
