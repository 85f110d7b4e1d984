/**
 * A WeChat voice note reaches the console: an elderly resident sends a voice message
 * instead of typing; the bot says kindly it cannot listen and asks the category with a
 * numbered list; the report goes through, and staff find the recording on the ticket's
 * page. One app serves WeChat (on wechaty-puppet-mock) and the web server with the console.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createWebAdapter } from '../../bots/web/web-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createWebRoutes } from '../../src/web/routes.js';
import { fakeSilk } from '../helpers/audio.js';
import { loggedIn } from '../helpers/console-client.js';
import { WechatWorld } from '../helpers/wechat-world.js';

let dir: string;
let app: App;
let world: WechatWorld;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minqing-wechat-console-'));
  const file = join(dir, 'w.db');
  copyFileSync(inject('sqliteDemoTemplate'), file);
  const config = parseConfig({ DATABASE_URL: `file:${file}`, SCHEDULER_INTERVAL_MS: '200', LOG_LEVEL: 'silent', SEED_DEMO: 'false' });
  const uploadDir = join(dir, 'uploads');
  world = new WechatWorld(uploadDir);
  const opened: { app?: App } = {};
  const routes = createWebRoutes({ app: () => opened.app, config });
  const web = createWebAdapter({ port: 0, host: '127.0.0.1', database: () => opened.app?.database, uploadDir, routes });
  app = opened.app = await startApp(config, { adapters: [web, world.adapter({ database: () => opened.app?.database })] });
  base = `http://127.0.0.1:${web.port}`;
  world.login();
});

afterAll(async () => {
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a WeChat voice note becomes a report, and staff can download it from the ticket page', async () => {
  const resident = world.person('王大爷');
  const voice = fakeSilk(160, '东湖村村口的路灯坏了三天了');
  resident.sendVoice(voice);
  await resident.waitFor('语音已收下');
  await resident.waitFor('请选择问题类别');
  // The category by its title, as an elderly resident would type it.
  resident.type('电力照明');
  await resident.waitFor('问题发生在哪里');
  resident.type('东湖村');
  await resident.waitFor('具体地点');
  resident.type('跳过');
  await resident.waitFor('现场照片');
  resident.type('没有');
  await resident.waitFor('联系电话');
  resident.type('13912345678');
  await resident.waitFor('语音：1 条');
  resident.type('提交');
  await resident.waitFor(/已受理，编号 MQ-\d{4}-\d{6}/);
  const number = /已受理，编号 (MQ-\d{4}-\d{6})/.exec(resident.transcript())?.[1] ?? '';

  const ticket = await app.database.db.ticket.findUniqueOrThrow({ where: { number } });
  const [ref] = JSON.parse(ticket.media) as string[];
  expect(ref).toMatch(/^\/uploads\/[0-9a-f]{64}\.silk$/);

  const staff = await loggedIn(base, 'dsp-qh-01');
  const page = await staff.page(`/console/tickets/${number}`);
  expect(page.text).toContain('照片和语音');
  expect(page.text).toContain(`<a href="${ref}" download>`);
  const download = await staff.get(ref!);
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('audio/silk');
  expect(Buffer.from(await download.arrayBuffer()).equals(voice)).toBe(true);
  expect(readFileSync(join(dir, 'uploads', ref!.slice('/uploads/'.length))).equals(voice)).toBe(true);
});
