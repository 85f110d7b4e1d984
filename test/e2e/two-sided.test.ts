/**
 * The whole loop as people live it: a resident on the web page in a real headless
 * Chromium, their liaison in a console chat run by a second app on the same database.
 * Bind the household → report → ping → accept → progress → resolve → rating → closed.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { ConsoleAdapter } from '../../bots/console/console-adapter.js';
import { createWebAdapter } from '../../bots/web/web-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { Terminal } from '../helpers/terminal.js';

const CHROMIUM = '/usr/bin/chromium';
const runBrowser = existsSync(CHROMIUM) || process.env['CI'] === 'true';
if (!runBrowser) console.log(`two-sided browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const LIAISON = 'L-QH-01-001-01'; // paired with household QH-01-001-H001 (罗丽敏, 19900000001)
const TICKET = /MQ-\d{4}-\d{6}/;

let dir: string;
const apps: App[] = [];
let browser: Browser | undefined;
let base: string;
/** The liaison's terminal. */
const terminal = new Terminal();

beforeAll(async () => {
  if (!runBrowser) return;
  dir = mkdtempSync(join(tmpdir(), 'minqing-two-sided-'));
  const file = join(dir, 'two.db');
  copyFileSync(inject('sqliteDemoTemplate'), file);
  const config = parseConfig({ DATABASE_URL: `file:${file}`, SCHEDULER_INTERVAL_MS: '200', LOG_LEVEL: 'silent' });
  // The adapter asks for the database once the app has opened it.
  const opened: { app?: App } = {};
  const adapter = createWebAdapter({ port: 0, host: '127.0.0.1', database: () => opened.app?.database, uploadDir: join(dir, 'uploads') });
  const web = (opened.app = await startApp(config, { adapters: [adapter] }));
  apps.push(web);
  base = `http://127.0.0.1:${adapter.port}`;
  // The liaison's terminal, bound as `npm run chat -- --as` binds it.
  const liaison = await web.database.db.person.findUniqueOrThrow({ where: { code: LIAISON } });
  await web.database.db.channelIdentity.create({
    data: { channel: 'console', platformUserId: `as:${LIAISON}`, chatId: `as:${LIAISON}`, personId: liaison.id, lastUsedAt: new Date() },
  });
  apps.push(
    await startApp(config, { adapters: [new ConsoleAdapter({ chatId: `as:${LIAISON}`, input: terminal.input, output: terminal.output })] }),
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const app of apps.splice(0)) await app.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});


/** Types into the page and waits until the message is acknowledged. */
async function send(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.click('#send');
  await expect.poll(() => page.locator('.msg.me.pending').count()).toBe(0);
}

async function tap(page: Page, label: string): Promise<void> {
  // Exact: 满意 must not pick 不满意.
  await page.locator('.choices button:not([disabled])', { hasText: new RegExp(`^${label}$`) }).last().click();
  await expect.poll(() => page.locator('.msg.me.pending').count()).toBe(0);
}

function botSays(page: Page, text: string | RegExp) {
  return expect.poll(() => page.locator('.msg.bot .bubble', { hasText: text }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
}

describe('resident on the web page, liaison on the console', () => {
  test.skipIf(!runBrowser)('bind → report → ping → accept → progress → resolve → rating → closed', async () => {
    const page = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/`);

    // The household binding, confirmed by the liaison in the terminal.
    await send(page, '绑定家庭');
    await tap(page, '东湖村');
    await send(page, '罗丽敏');
    await send(page, '19900000001');
    await botSays(page, '等待您的网格员确认');
    await terminal.waitFor('【家庭绑定】罗丽敏 申请绑定住户');
    terminal.input.write('1\n');
    await terminal.waitFor('已确认');
    await botSays(page, '家庭绑定成功');

    // The report, routed to the paired liaison.
    await send(page, '村口的路灯坏了好几天');
    await tap(page, '是的');
    await tap(page, '就在我家附近');
    await tap(page, '跳过');
    await tap(page, '用登记的电话');
    await tap(page, '提交');
    await botSays(page, /已受理，编号 MQ-\d{4}-\d{6}。经办：网格员/);
    const number = TICKET.exec((await page.locator('.msg.bot .bubble', { hasText: '已受理' }).last().textContent()) ?? '')?.[0] ?? '';

    await terminal.waitFor(`【派单】${number}`);
    terminal.input.write('1\n'); // 签收
    await terminal.waitFor(`已签收 ${number}`);
    await botSays(page, '已由经办人签收');

    terminal.input.write('我的待办\n');
    await terminal.waitFor('您的待办（共 1 件）');
    terminal.input.write('1\n'); // the ticket
    await terminal.waitFor('状态：已签收');
    terminal.input.write('1\n'); // 报告进展
    await terminal.waitFor('请输入');
    terminal.input.write('已联系供电所，明天上午来修\n');
    await terminal.waitFor('进展已转告群众');
    await botSays(page, '有新进展：已联系供电所，明天上午来修');

    terminal.input.write('我的待办\n');
    terminal.input.write('1\n');
    terminal.input.write('2\n'); // 办结
    await terminal.waitFor('的办理结果');
    terminal.input.write('更换了灯泡，已经亮了\n');
    await terminal.waitFor(`已办结 ${number}`);

    // The page shows the result and asks for a rating; 满意 closes the ticket.
    await botSays(page, '已办结：更换了灯泡，已经亮了');
    await tap(page, '满意');
    await tap(page, '跳过');
    await botSays(page, '感谢您的评价');
    const ticket = await apps[0]!.database.db.ticket.findUniqueOrThrow({ where: { number } });
    expect(ticket).toMatchObject({ state: 'closed', rating: 'satisfied' });
    await page.close();
  });
});
