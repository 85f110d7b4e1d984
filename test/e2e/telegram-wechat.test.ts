/**
 * The two-sided loop across the two chat platforms, each through its real SDK: grammY
 * against the local fake Bot API, Wechaty on wechaty-puppet-mock. One app process serves
 * both channels, as `npm start` does with both configured. The liaison binds their chat
 * with a one-time code (`绑定 CODE`), the resident binds their household; photos and voice
 * notes go both ways and must arrive byte for byte (stored on receipt, uploaded on delivery).
 * On SQLite and, when the suite has one, on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { TelegramAdapter } from '../../bots/telegram/telegram-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { fakeOgg, fakeSilk } from '../helpers/audio.js';
import { eachDatabase, SQLITE, type TestDatabaseKind } from '../helpers/db.js';
import { BOT_INFO, FakeBotApi, TelegramUser, TOKEN } from '../helpers/fake-bot-api.js';
import { bindWithCode, DEMO_LIAISON, fakePng, runTwoSidedLoop } from '../helpers/two-sided.js';
import { WechatWorld } from '../helpers/wechat-world.js';

const TICKET = /已受理，编号 MQ-\d{4}-\d{6}。经办：网格员/;
const PHOTOS = { fromResident: fakePng('the broken street light, seen by the resident'), fromLiaison: fakePng('the new bulb, photographed by the liaison') };
/** What each side records: Telegram OGG/Opus, WeChat SILK. */
const VOICES = { fromResident: fakeOgg('the lamp by the well, in the resident’s words'), fromLiaison: fakeSilk(120, 'the liaison: the electrician comes tomorrow') };

let dir: string;
const api = new FakeBotApi();
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minqing-telegram-wechat-'));
  await api.start();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await api.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One app with both channels on a fresh demo database of `kind`, the WeChat account logged in. */
async function startBoth(kind: TestDatabaseKind, name: string): Promise<{ app: App; world: WechatWorld }> {
  const database = await kind.fresh({ demo: true });
  cleanups.push(() => database.dispose());
  const config = parseConfig({ DATABASE_URL: database.url, SCHEDULER_INTERVAL_MS: '200', LOG_LEVEL: 'silent' });
  const uploadDir = join(dir, `${name}-uploads`);
  const world = new WechatWorld(uploadDir);
  const opened: { app?: App } = {};
  const telegram = new TelegramAdapter({ token: TOKEN, apiRoot: api.url, botInfo: BOT_INFO, pollTimeoutSeconds: 1, uploadDir });
  const app = (opened.app = await startApp(config, { adapters: [telegram, world.adapter({ database: () => opened.app?.database })] }));
  cleanups.push(() => app.stop());
  world.login();
  return { app, world };
}

eachDatabase((kind) => {
  // The fake Bot API is shared by both runs: each has its own Telegram users.
  const user = (id: number) => id + (kind === SQLITE ? 0 : 100);

  test('resident on Telegram, liaison on WeChat: bind → report with a photo → photo asked and sent → photo progress → resolve → 满意 → closed', async () => {
    const { app, world } = await startBoth(kind, 'telegram-resident');
    const resident = new TelegramUser(api, user(7400001), '丽敏');
    const liaison = world.person('网格员小罗');
    await bindWithCode(app, liaison.driver(), DEMO_LIAISON);
    await runTwoSidedLoop(app, resident.driver(), liaison.driver(), { progress: true, ticket: TICKET, photos: PHOTOS });
  });

  test('voice notes both ways: the resident on Telegram answers the request with one (a file on WeChat), the liaison on WeChat reports progress with one (a file on Telegram)', async () => {
    const { app, world } = await startBoth(kind, 'voices');
    const resident = new TelegramUser(api, user(7400003), '丽敏');
    const liaison = world.person('网格员小罗');
    await bindWithCode(app, liaison.driver(), DEMO_LIAISON);
    await runTwoSidedLoop(app, resident.driver(), liaison.driver(), { progress: true, ticket: TICKET, voices: VOICES });
    // Telegram delivered the WeChat recording as a file: Telegram clients cannot play SILK as a voice message.
    expect(api.sounds(resident.chatId).map((s) => s.method)).toEqual(['sendDocument']);
  });

  test('resident on WeChat, liaison on Telegram: the same loop the other way round', async () => {
    const { app, world } = await startBoth(kind, 'wechat-resident');
    const resident = world.person('丽敏');
    const liaison = new TelegramUser(api, user(7400002), '小罗');
    await bindWithCode(app, liaison.driver(), DEMO_LIAISON);
    await runTwoSidedLoop(app, resident.driver(), liaison.driver(), { progress: true, ticket: TICKET, photos: PHOTOS });
  });
});
