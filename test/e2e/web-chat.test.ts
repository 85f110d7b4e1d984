/**
 * The web chat as people and scripts use it: the app with the web channel on a free port,
 * on a fresh SQLite copy seeded with the demo county; the webhook over HTTP, the page in
 * a real headless Chromium at phone size, with Chromium's fake microphone (a tone) and a
 * location the test sets.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test, vi } from 'vitest';
import { UPLOAD_ERRORS } from '../../bots/shared/uploads.js';
import { createWebAdapter, type WebChatAdapter } from '../../bots/web/web-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { type Db, transaction } from '../../src/db/client.js';
import { parseConfig } from '../../src/config.js';
import type { Inbound } from '../../src/engine/types.js';
import { enqueuePush } from '../../src/pipeline/outbox.js';
import { actorFor } from '../../src/pipeline/service.js';
import { fakeOgg, fakeSilk } from '../helpers/audio.js';

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
/** A microphone that plays a tone, and no permission prompt (as if the person tapped Allow). */
const MICROPHONE_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
/** In CI the browser tests must run (a missing Chromium fails them); elsewhere they may be skipped. */
const runBrowser = existsSync(CHROMIUM) || process.env['CI'] === 'true';
if (!runBrowser) console.log(`web chat browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
const browserTest = runBrowser ? test : test.skip;

const TICKET = /MQ-\d{4}-\d{6}/;
/** A 1×1 PNG: a real image for the photo step. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** A frame the page receives. */
interface Frame {
  type: string;
  error?: string;
  messageId?: string;
}

/**
 * The little of the page's world the tests touch: the tests compile without the DOM types.
 * Functions handed to page.evaluate run in the page (through DevTools, so the page's CSP,
 * which forbids eval, does not get in the way).
 */
interface PageWorld {
  document: {
    documentElement: { scrollWidth: number };
    getElementById(id: string): { scrollTop: number; scrollHeight: number; clientHeight: number } | null;
    createElement(tag: 'canvas'): {
      width: number;
      height: number;
      getContext(kind: '2d'): { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void };
      toDataURL(type: string): string;
    };
  };
  localStorage: { getItem(key: string): string | null };
  location: { origin: string };
  WebSocket: new (url: string) => {
    onopen: () => void;
    onmessage: (event: { data: string }) => void;
    send(data: string): void;
    close(): void;
  };
}

interface WebMessage {
  type: string;
  id?: string;
  text: string;
  quick_replies?: { title: string; payload: string }[];
  files?: { kind: string; url: string }[];
}

let dir: string;
let app: App;
let db: Db;
let web: WebChatAdapter;
let base: string;
let browser: Browser | undefined;
/** Every Inbound the web adapter handed the engine: its handler is wrapped, the engine runs as always. */
const inbounds: Inbound[] = [];

beforeAll(async () => {
  // One connection to the database, the app's: a copy of the migrated template, seeded by startApp.
  dir = mkdtempSync(join(tmpdir(), 'minqing-web-'));
  copyFileSync(inject('sqliteTemplate'), join(dir, 'web.db'));
  // The scheduler ticks once at start and then hourly: the push test ticks it by hand.
  // The demo county without its history: the tests count their own tickets from MQ-2026-000001.
  const config = parseConfig({ DATABASE_URL: `file:${join(dir, 'web.db')}`, SEED_DEMO: 'true', SEED_DEMO_HISTORY_MONTHS: '0', SCHEDULER_INTERVAL_MS: '3600000' });
  let started: App | undefined;
  web = createWebAdapter({ port: 0, host: '127.0.0.1', database: () => started?.database, uploadDir: join(dir, 'uploads') });
  const start = web.start.bind(web);
  web.start = (handle) =>
    start((inbound) => {
      inbounds.push(inbound);
      return handle(inbound);
    });
  app = started = await startApp(config, { adapters: [web] });
  db = app.database.db;
  base = `http://127.0.0.1:${web.port}`;
  if (runBrowser) browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BROWSER_ARGS, ...MICROPHONE_ARGS] });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function post(body: string, contentType = 'application/json', path = '/api/messages'): Promise<Response> {
  return fetch(base + path, { method: 'POST', headers: { 'content-type': contentType }, body });
}

let counter = 0;
/** One webhook message; returns the bot's replies. */
async function say(
  user: string,
  fields: { text?: string; action?: string; media?: { kind: 'photo' | 'voice'; ref: string }[]; location?: { latitude: number; longitude: number } },
): Promise<WebMessage[]> {
  const { text, ...channelData } = fields;
  const res = await post(JSON.stringify({ type: 'message', user, text, channelData: { ...channelData, messageId: `m-${++counter}` } }));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as WebMessage[];
}

/** The payload to answer a report question with, walking straight through the dialogue. */
function answer(choices: string[]): string {
  for (const wanted of ['submit', 'yes', 'skip']) if (choices.includes(wanted)) return wanted;
  const pick = choices.find((p) => p.startsWith('village:')) ?? choices.find((p) => p.startsWith('category:'));
  if (!pick) throw new Error(`no way forward among ${choices.join(', ')}`);
  return pick;
}

/** Files a street-light report over the webhook; returns the ticket number and the payloads sent. */
async function reportOverWebhook(user: string, photo?: string): Promise<{ number: string; sent: string[] }> {
  let replies = await say(user, { text: '村口的路灯坏了好几天' });
  const sent: string[] = [];
  for (let step = 0; step < 12; step++) {
    const number = replies.map((r) => TICKET.exec(r.text)?.[0]).find(Boolean);
    if (number) return { number, sent };
    const last = replies.at(-1);
    if (photo && last?.text.includes('照片')) {
      sent.push('photo');
      replies = await say(user, { media: [{ kind: 'photo', ref: photo }] });
      photo = undefined;
      continue;
    }
    const payload = answer((last?.quick_replies ?? []).map((c) => c.payload));
    sent.push(payload);
    replies = await say(user, { action: payload });
  }
  throw new Error('no ticket number after 12 steps');
}

/** The photos filed with a ticket (kept on its `received` event). */
async function photosOf(number: string): Promise<string> {
  const event = await db.ticketEvent.findFirstOrThrow({ where: { ticket: { number }, type: 'received' } });
  const data = JSON.parse(event.data) as { photos?: string[] };
  return (data.photos ?? []).join(',');
}

describe('web chat over the webhook (Botkit webhook mode)', () => {
  test('a new user files a street-light report by walking the choices', async () => {
    const user = `script-${Date.now()}`;
    const first = await say(user, { text: '村口的路灯坏了好几天' });
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ type: 'message', quick_replies: [{ payload: 'yes' }, { payload: 'pick' }] });
    expect(first[0]?.text).toContain('电力照明');

    // The rest of the dialogue, this time with a photo sent as a data URL.
    const { number, sent } = await reportOverWebhook(`${user}-2`, `data:image/png;base64,${PNG.toString('base64')}`);
    expect(sent[0]).toBe('yes');
    expect(sent[1]).toMatch(/^village:\d+$/);
    expect(sent.slice(2)).toEqual(['skip', 'photo', 'skip', 'submit']);
    const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
    expect(ticket.categoryCode).toBe('power');
    expect(await photosOf(number)).toMatch(/^\/uploads\/[0-9a-f]{64}\.png$/);
  });

  test('a resent message id is processed once; its resend gets the same answer, already marked sent', async () => {
    const user = `resend-${Date.now()}`;
    const body = JSON.stringify({ type: 'message', from: { id: user }, text: '村口的路灯坏了', channelData: { messageId: 'once' } });
    const first = (await (await post(body)).json()) as WebMessage[];
    expect(first.length).toBeGreaterThan(0);
    expect(first[0]?.id).toMatch(/^o-\d+$/);
    // The answer carried them: written as sent by the turn, so no crash can send them again.
    const rows = await db.outboxMessage.findMany({ where: { chatId: user } });
    expect(rows.map((r) => `o-${r.id}`)).toEqual(first.map((m) => m.id));
    expect(rows.every((r) => r.sentAt !== null && r.claimedBy === null)).toBe(true);
    // A client that lost the answer sends the message again: the same answer, nothing done twice.
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    expect(await db.inboundMessage.count({ where: { chatId: user } })).toBe(1);
    expect(await db.outboxMessage.count({ where: { chatId: user } })).toBe(rows.length);
    // Without an id, the client's timestamp makes the same message the same message.
    const stamped = JSON.stringify({ type: 'message', user, text: '帮助', timestamp: '2026-05-01T08:00:00Z' });
    const answer = (await (await post(stamped)).json()) as WebMessage[];
    expect(answer.length).toBeGreaterThan(0);
    expect(await (await post(stamped)).json()).toEqual(answer);
  });

  test('bad input gets 400 with a short bilingual error, and nothing is processed', async () => {
    const before = await db.inboundMessage.count();
    const cases: [string, string, RegExp][] = [
      ['{"type":"message","user":"x1",', 'application/json', /malformed JSON/],
      ['{"type":"message","text":"路灯坏了"}', 'application/json', /missing user id/],
      ['{"type":"message","from":{"id":""},"text":"路灯坏了"}', 'application/json', /missing user id/],
      ['{"type":"message","user":"bad user","text":"hi"}', 'application/json', /invalid user id/],
      ['[1,2]', 'application/json', /JSON object/],
      ['{"type":"conversationUpdate","user":"x1"}', 'application/json', /type message/],
      ['{"type":"message","user":"x1","text":"hi"}', 'text/plain', /Content-Type: application\/json/],
      ['{"type":"message","user":"x1","channelData":{"media":[{"kind":"photo","ref":"https://example.org/a.jpg"}]}}', 'application/json', /picture/],
      [JSON.stringify({ type: 'message', user: 'x1', text: 'x'.repeat(7 * 1024 * 1024) }), 'application/json', /too large/],
    ];
    for (const [body, type, error] of cases) {
      const res = await post(body, type);
      expect(res.status, body.slice(0, 80)).toBe(400);
      const answer = (await res.json()) as { error: string };
      expect(answer.error).toMatch(error);
      expect(answer.error).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await db.inboundMessage.count()).toBe(before);
  });

  test('photo uploads: a real image is kept; too big or not an image is refused in Chinese and English', async () => {
    // An upload names a user with a live chat (here a turn over the webhook; web-uploads.test.ts has the rest).
    const user = `photos-${Date.now()}`;
    await say(user, { text: '帮助' });
    const headers = { 'content-type': 'image/png', 'x-minqing-user': user };
    const ok = await fetch(`${base}/api/uploads`, { method: 'POST', headers, body: PNG });
    expect(ok.status).toBe(200);
    const { url } = (await ok.json()) as { url: string };
    expect(url).toMatch(/^\/uploads\/[0-9a-f]{64}\.png$/);
    const image = await fetch(base + url);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);

    const fake = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { ...headers, 'content-type': 'image/jpeg' }, body: 'not a picture' });
    expect(fake.status).toBe(400);
    expect(((await fake.json()) as { error: string }).error).toMatch(/这不是图片.*not a picture/);
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await fetch(`${base}/api/uploads`, { method: 'POST', headers, body: big });
    expect(tooBig.status).toBe(400);
    expect(((await tooBig.json()) as { error: string }).error).toMatch(/5 MB.*too large/);
  });

  test('voice uploads: stored with an audio type and served with it (byte ranges too); a picture sent as audio, a PDF or 10 MB are refused in Chinese and English', async () => {
    const voice = fakeOgg('the lamp by the well has been dark for a week');
    const user = `voice-uploads-${Date.now()}`;
    await say(user, { text: '帮助' });
    const upload = (body: Buffer | string, type: string) => fetch(`${base}/api/uploads`, { method: 'POST', headers: { 'content-type': type, 'x-minqing-user': user }, body });
    const ok = await upload(voice, 'audio/ogg; codecs=opus');
    expect(ok.status).toBe(200);
    const { url, kind } = (await ok.json()) as { url: string; kind: string };
    expect(url).toMatch(/^\/uploads\/[0-9a-f]{64}\.ogg$/);
    expect(kind).toBe('voice');
    const whole = await fetch(base + url);
    expect(whole.headers.get('content-type')).toBe('audio/ogg');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(voice)).toBe(true);
    const part = await fetch(base + url, { headers: { range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-3/${voice.length}`);
    expect(await part.text()).toBe('OggS');

    const refusals: [Response, RegExp][] = [
      [await upload(PNG, 'audio/ogg'), /不是能播放的语音.*not a voice note/],
      [await upload(voice, 'image/png'), /这不是图片.*not a picture/],
      [await upload('%PDF-1.7', 'application/pdf'), /只能发送照片或语音.*only photos/],
      [await upload(Buffer.concat([voice, Buffer.alloc(10 * 1024 * 1024)]), 'audio/ogg'), /10 MB.*too large/],
    ];
    for (const [res, error] of refusals) {
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(error);
    }
  });

  test('the webhook takes a voice note (as a data URL) and a location; replies carry the files the bot forwards', async () => {
    const user = `voice-${Date.now()}`;
    await say(user, { media: [{ kind: 'voice', ref: `data:audio/ogg;base64,${fakeOgg('hello').toString('base64')}` }] });
    await say(user, { location: { latitude: 28.2282, longitude: 112.9388 } });
    const mine = inbounds.filter((i) => i.chatId === user);
    expect(mine[0]?.media).toEqual([{ kind: 'voice', ref: expect.stringMatching(/^\/uploads\/[0-9a-f]{64}\.ogg$/) as unknown }]);
    expect(mine[1]?.location).toEqual({ latitude: 28.2282, longitude: 112.9388 });
    // A location out of range, or a voice note that is a picture, is a 400 and reaches nobody.
    const bad = await post(JSON.stringify({ type: 'message', user, channelData: { location: { latitude: 95, longitude: 0 } } }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^位置无效 \/ invalid location/);
    const picture = await post(JSON.stringify({ type: 'message', user, channelData: { media: [{ kind: 'voice', ref: `data:image/png;base64,${PNG.toString('base64')}` }] } }));
    expect(picture.status).toBe(400);
    expect(((await picture.json()) as { error: string }).error).toBe(UPLOAD_ERRORS.notVoice);
    expect(inbounds.filter((i) => i.chatId === user)).toHaveLength(2);
  });

  test("the page's headers let it play voice notes, record and ask for the location, and nothing more", async () => {
    const res = await fetch(`${base}/`);
    expect(res.headers.get('content-security-policy')).toContain("media-src 'self' blob:");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(res.headers.get('permissions-policy')).toBe('microphone=(self), geolocation=(self), camera=(), payment=(), usb=()');
  });
});

/** Waits until no message of the user is waiting for its acknowledgement (so all replies are shown). */
async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.msg.me.pending').count()).toBe(0);
}

async function openChat(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  return page;
}

describe('web chat in a phone browser (websocket mode)', () => {
  browserTest('type a street-light outage, tap through the buttons with a photo, see the ticket; a reload keeps it', async () => {
    const started = Date.now();
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await openChat(context);
    await page.fill('#text', '村口的路灯坏了好几天，晚上黑漆漆的');
    await page.click('#send');
    await settled(page);

    let sentPhoto = false;
    const ticket = page.locator('.msg.bot .bubble', { hasText: TICKET });
    for (let step = 0; step < 12 && !(await ticket.count()); step++) {
      const live = page.locator('.choices button:not([disabled])');
      await live.first().waitFor();
      const question = (await page.locator('.msg.bot .bubble').last().textContent()) ?? '';
      if (question.includes('照片') && !sentPhoto) {
        sentPhoto = true;
        await page.setInputFiles('#photo', { name: 'lamp.png', mimeType: 'image/png', buffer: PNG });
        await page.locator('.msg.me img').waitFor();
        await settled(page);
        continue;
      }
      const titles = await live.allTextContents();
      const title = ['提交', '是的', '跳过'].find((t) => titles.includes(t)) ?? titles[0]!;
      await live.filter({ hasText: title }).first().click();
      // The tapped label shows as the user's own bubble.
      await expect.poll(() => page.locator('.msg.me .bubble').last().textContent()).toBe(title);
      await settled(page);
    }
    await expect.poll(() => ticket.count()).toBe(1);
    const number = TICKET.exec((await ticket.textContent()) ?? '')?.[0];
    expect(number).toBeDefined();
    expect(sentPhoto).toBe(true);
    expect(await photosOf(number!)).toMatch(/^\/uploads\/[0-9a-f]{64}\.png$/);
    // Fits a phone: nothing wider than the screen.
    expect(await page.evaluate(() => (globalThis as unknown as PageWorld).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.reload();
    await expect.poll(() => page.locator('.msg.bot .bubble', { hasText: number! }).count()).toBe(1);
    expect(await page.locator('.msg.me .bubble', { hasText: '村口的路灯坏了好几天' }).count()).toBe(1);
    expect(await page.locator('.msg.me img').count()).toBe(1);
    await context.close();
    console.log(`browser report flow: ${Date.now() - started} ms`);
  });

  browserTest('a push to a closed page waits in the outbox, then arrives when the page reconnects', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    const page = await openChat(context);
    const user = String(await page.evaluate(() => (globalThis as unknown as PageWorld).localStorage.getItem('minqing.web.user')));
    expect(user).toMatch(/^w[0-9a-f]{32}$/);
    await expect.poll(() => web.isConnected(user)).toBe(true);
    await page.close();
    await expect.poll(() => web.isConnected(user)).toBe(false);

    // The same chat files a report over the webhook; its handler accepts it: a push to the resident.
    const { number } = await reportOverWebhook(user);
    const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
    let handlerId = ticket.assigneeId;
    if (handlerId === null) {
      const role = await db.personRole.findFirstOrThrow({ where: { role: 'department_handler', departmentId: ticket.assigneeDepartmentId } });
      handlerId = role.personId;
    }
    const accepted = await app.pipeline.execute(number, { type: 'accept' }, await actorFor(db, handlerId));
    expect(accepted.ok).toBe(true);
    const where = { channel: 'web', chatId: user, template: 'ticket.accepted_resident' };
    const queued = await db.outboxMessage.findFirstOrThrow({ where });

    await app.scheduler.tick();
    const waiting = await db.outboxMessage.findUniqueOrThrow({ where: { id: queued.id } });
    expect(waiting).toMatchObject({ sentAt: null, failedAt: null, attempts: 0, claimedBy: null });
    expect(waiting.availableAt.getTime()).toBeGreaterThan(Date.now());

    // The page comes back: the push is due again and goes out on the next tick.
    const again = await openChat(context);
    await expect.poll(() => web.isConnected(user)).toBe(true);
    await expect.poll(async () => (await db.outboxMessage.findUniqueOrThrow({ where: { id: queued.id } })).availableAt.getTime()).toBeLessThanOrEqual(Date.now());
    await app.scheduler.tick();
    await expect.poll(() => again.locator('.msg.bot .bubble', { hasText: number }).count()).toBeGreaterThan(0);
    await expect.poll(() => again.locator('.msg.bot .bubble', { hasText: '签收' }).count()).toBe(1);
    const sent = await db.outboxMessage.findUniqueOrThrow({ where: { id: queued.id } });
    expect(sent.sentAt).not.toBeNull();
    expect(sent.attempts).toBe(1);
    await context.close();
  });

  browserTest('an answer delivered again (to a message resent after a crash) is shown once', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    const page = await openChat(context);
    await page.fill('#text', '村口的路灯坏了好几天');
    await page.click('#send');
    await settled(page);
    const question = page.locator('.msg.bot .bubble', { hasText: '电力照明' });
    await expect.poll(() => question.count()).toBe(1);
    const user = await userOf(page);
    const [row] = await db.outboxMessage.findMany({ where: { chatId: user, template: 'report.category_guess' } });
    expect(row?.sentAt).not.toBeNull();
    // What the engine answers a resent message with: the same outbox row, rendered again.
    const [again] = await app.engine
      .handle({ channel: 'web', chatId: user, senderId: user, messageId: inboundsOf(user)[0]!.messageId, repliesInAnswer: true })
      .then((r) => r.replies);
    expect(again?.outboxId).toBe(row?.id);
    expect((await web.send(again!)).status).toBe('sent');
    await web.send({ ...again!, outboxId: row!.id + 1_000_000, text: '另一条消息' });
    await expect.poll(() => page.locator('.msg.bot .bubble', { hasText: '另一条消息' }).count()).toBe(1);
    expect(await question.count()).toBe(1);
    await context.close();
  });

  browserTest('the websocket answers bad frames with an error (never logging them) and refuses other sites', async () => {
    const logged = vi.spyOn(console, 'error');
    const context = await browser!.newContext();
    const page = await openChat(context);
    // A raw socket from the page: a broken frame, a good one, then one for another user.
    const frames = await page.evaluate(
      () =>
        new Promise<Frame[]>((resolve) => {
          const world = globalThis as unknown as PageWorld;
          const ws = new world.WebSocket(world.location.origin.replace('http', 'ws') + '/ws');
          const got: Frame[] = [];
          ws.onopen = () => {
            ws.send('{"secret text 秘密');
            ws.send(JSON.stringify({ type: 'message', user: 'raw-1', text: '帮助', messageId: 'r1' }));
            ws.send(JSON.stringify({ type: 'message', user: 'raw-2', text: '帮助', messageId: 'r2' }));
          };
          ws.onmessage = (event) => {
            got.push(JSON.parse(event.data) as Frame);
            if (got.some((f) => f.type === 'ack') && got.filter((f) => f.type === 'error').length === 2) {
              ws.close();
              resolve(got);
            }
          };
        }),
    );
    const errors = frames.filter((f) => f.type === 'error').map((f) => f.error);
    expect(errors[0]).toMatch(/malformed JSON/);
    expect(errors[1]).toMatch(/one user id/);
    expect(frames.some((f) => f.type === 'message')).toBe(true);
    expect(frames.find((f) => f.type === 'ack')?.messageId).toBe('r1');
    expect(logged.mock.calls.flat().join(' ')).not.toContain('secret');
    logged.mockRestore();
    await context.close();

    // A page of another site may not open a socket here.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${base}/ws`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          origin: 'http://elsewhere.example',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => resolve(res.statusCode));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

/** The page's user id (kept in localStorage). */
async function userOf(page: Page): Promise<string> {
  return String(await page.evaluate(() => (globalThis as unknown as PageWorld).localStorage.getItem('minqing.web.user')));
}

/** What the engine was handed from this web user. */
function inboundsOf(user: string): Inbound[] {
  return inbounds.filter((i) => i.channel === 'web' && i.chatId === user);
}

/** The reading position of the transcript. */
function scrollOf(page: Page): Promise<{ scrollTop: number; scrollHeight: number; clientHeight: number }> {
  return page.evaluate(() => {
    const log = (globalThis as unknown as PageWorld).document.getElementById('log')!;
    return { scrollTop: log.scrollTop, scrollHeight: log.scrollHeight, clientHeight: log.clientHeight };
  });
}

describe('voice notes, locations and the small faults of the page', () => {
  browserTest(
    'record a voice note: it is stored under /uploads as audio, reaches the engine as a voice note and plays in the transcript; a cancelled one sends nothing',
    async () => {
      const context = await browser!.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const page = await openChat(context);
      const user = await userOf(page);
      await expect.poll(() => web.isConnected(user)).toBe(true);

      await page.click('#voice');
      await page.locator('#recorder').waitFor();
      expect(await page.locator('#composer').isHidden()).toBe(true);
      // The countdown runs: two seconds of recording.
      await expect.poll(() => page.locator('#countdown').textContent(), { timeout: 10_000 }).toMatch(/还剩 5[0-8] 秒 · 5[0-8] s left/);
      await page.click('#rec-send');
      const player = page.locator('.msg.me audio');
      await player.waitFor();
      await settled(page);
      expect(await page.locator('#composer').isVisible()).toBe(true);
      expect(await player.getAttribute('controls')).not.toBeNull();
      const url = (await player.getAttribute('src')) ?? '';
      expect(url).toMatch(/^\/uploads\/[0-9a-f]{64}\.webm$/);

      // Stored as the browser recorded it (WebM/Opus), served as audio.
      const stored = await fetch(base + url);
      expect(stored.headers.get('content-type')).toBe('audio/webm');
      const bytes = Buffer.from(await stored.arrayBuffer());
      expect(bytes.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))).toBe(true);
      expect(bytes.length).toBeGreaterThan(1000);
      // The engine got it as a voice note, and recorded the message as seen.
      expect(inboundsOf(user).map((i) => i.media)).toEqual([[{ kind: 'voice', ref: url }]]);
      expect(await db.inboundMessage.count({ where: { channel: 'web', chatId: user } })).toBe(1);
      // The page's player reads it (its duration, once loaded).
      await expect.poll(() => player.evaluate((audio) => (audio as unknown as { readyState: number }).readyState)).toBeGreaterThanOrEqual(1);

      // A recording cancelled is thrown away.
      await page.click('#voice');
      await page.locator('#recorder').waitFor();
      await page.click('#rec-cancel');
      await page.locator('#composer').waitFor();
      await page.fill('#text', '帮助');
      await page.click('#send');
      await settled(page);
      expect(inboundsOf(user).map((i) => (i.media ? 'voice' : i.text))).toEqual(['voice', '帮助']);
      expect(await page.locator('.msg.me audio').count()).toBe(1);
      await context.close();
    },
  );

  browserTest('the microphone refused, or no recorder in the browser: a note in Chinese and English, and nothing is sent', async () => {
    // A browser whose permission prompt nobody answers: Chromium refuses, as when a person taps Block.
    const refusing = await chromium.launch({ executablePath: CHROMIUM, args: [...BROWSER_ARGS, '--use-fake-device-for-media-stream'] });
    try {
      const page = await openChat(await refusing.newContext());
      await page.click('#voice');
      await expect.poll(() => page.locator('.msg.note').last().textContent()).toMatch(/没有得到麦克风权限.*microphone was not allowed/);
      expect(await page.locator('#recorder').isHidden()).toBe(true);
      expect(await page.locator('.msg.me').count()).toBe(0);
    } finally {
      await refusing.close();
    }
    const context = await browser!.newContext();
    await context.addInitScript(() => {
      // An old browser: no MediaRecorder.
      delete (globalThis as { MediaRecorder?: unknown }).MediaRecorder;
    });
    const page = await openChat(context);
    await page.click('#voice');
    await expect.poll(() => page.locator('.msg.note').last().textContent()).toMatch(/这个浏览器不能录音.*cannot record/);
    await context.close();
  });

  browserTest('share a location: the engine gets its latitude and longitude; refused, the page says so and suggests typing the place', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    await context.grantPermissions(['geolocation'], { origin: base });
    await context.setGeolocation({ latitude: 28.2282, longitude: 112.9388, accuracy: 20 });
    const page = await openChat(context);
    const user = await userOf(page);
    await page.click('#place');
    await expect.poll(() => page.locator('.msg.me .bubble').last().textContent()).toContain('28.22820, 112.93880');
    await settled(page);
    expect(inboundsOf(user).map((i) => i.location)).toEqual([{ latitude: 28.2282, longitude: 112.9388 }]);
    await context.close();

    const refused = await browser!.newContext();
    const other = await openChat(refused);
    await other.click('#place');
    await expect.poll(() => other.locator('.msg.note').last().textContent()).toMatch(/没有得到位置权限.*可以直接打字告诉我们地点.*type the place instead/);
    expect(inboundsOf(await userOf(other))).toEqual([]);
    await refused.close();
  });

  browserTest(
    'a push without buttons (a progress note with a photo and voice notes, shown as a picture, a player and a download) keeps the menu above it tappable, and the engine answers the tap; once the user answers, the old menu greys out',
    async () => {
      const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
      const page = await openChat(context);
      const user = await userOf(page);
      await page.fill('#text', '村口的路灯坏了好几天');
      await page.click('#send');
      await settled(page);
      const yes = page.locator('.choices button', { hasText: '是的' });
      await yes.waitFor();
      expect(await yes.isEnabled()).toBe(true);

      // A progress note pushed to this chat (no buttons), with the liaison's photo and voice
      // note, delivered by the scheduler.
      const uploaded = async (body: Buffer, type: string) =>
        ((await (await fetch(`${base}/api/uploads`, { method: 'POST', headers: { 'content-type': type, 'x-minqing-user': user }, body })).json()) as { url: string }).url;
      const photo = await uploaded(PNG, 'image/png');
      const voice = await uploaded(fakeOgg('电工明天上午到，请家里留人'), 'audio/ogg');
      const wechatVoice = await uploaded(fakeSilk(50, 'from WeChat'), 'audio/silk');
      const identity = await db.channelIdentity.findFirstOrThrow({ where: { channel: 'web', platformUserId: user } });
      await transaction(db, (tx) =>
        enqueuePush(
          tx,
          [identity.personId],
          { template: 'ticket.progress_resident', params: { number: 'MQ-2026-000099', note: '电工明天上午到' }, media: [photo, voice, wechatVoice] },
          new Date(),
        ),
      );
      await app.scheduler.tick();
      const note = page.locator('.msg.bot', { hasText: '电工明天上午到' });
      await note.waitFor();
      expect(await note.locator('img').getAttribute('src')).toBe(photo);
      expect(await note.locator('audio[controls]').getAttribute('src')).toBe(voice);
      // WeChat's SILK plays in no browser: offered as a download instead of a player.
      expect(await note.locator('a.file').getAttribute('href')).toBe(wechatVoice);
      expect(await note.locator('audio').count()).toBe(1);
      expect(await page.locator('.msg.bot').last().locator('.choices').count()).toBe(0);
      expect(await yes.isEnabled()).toBe(true);

      await yes.click();
      await settled(page);
      // The engine took the tap as the answer: the report moved on to where it happened.
      await expect.poll(async () => (await db.chatSession.findFirst({ where: { channel: 'web', chatId: user } }))?.step).toBe('location');
      expect(await page.locator('.msg.bot .bubble', { hasText: '这个按钮已经过期了' }).count()).toBe(0);
      expect(await yes.isEnabled()).toBe(false);
      await context.close();
    },
  );

  browserTest("a second tab shows the user's own messages (typed, tapped, a photo, a voice note), each once; the tab that sent one does not see it twice", async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    const first = await openChat(context);
    const user = await userOf(first);
    const second = await openChat(context);
    expect(await userOf(second)).toBe(user);
    await expect.poll(() => web.connections(user)).toBe(2);

    // A person uses one tab at a time (a tab in the background runs its timers slowly).
    await first.bringToFront();
    await first.fill('#text', '村口的路灯坏了好几天');
    await first.click('#send');
    await settled(first);
    const typed = (page: Page) => page.locator('.msg.me .bubble', { hasText: '村口的路灯坏了好几天' }).count();
    await expect.poll(() => typed(second)).toBe(1);
    expect(await typed(first)).toBe(1);
    // The bot's answer reaches both tabs; a tap in one shows in the other.
    await second.locator('.choices button', { hasText: '是的' }).waitFor();
    await first.locator('.choices button', { hasText: '是的' }).click();
    await settled(first);
    await expect.poll(() => second.locator('.msg.me .bubble').last().textContent()).toBe('是的');
    expect(await first.locator('.msg.me .bubble', { hasText: '是的' }).count()).toBe(1);

    // A photo from the second tab shows in the first; a voice note from the first in the second.
    await second.bringToFront();
    await second.setInputFiles('#photo', { name: 'lamp.png', mimeType: 'image/png', buffer: PNG });
    await settled(second);
    await expect.poll(() => first.locator('.msg.me img').count()).toBe(1);
    expect(await second.locator('.msg.me img').count()).toBe(1);
    await first.bringToFront();
    await first.click('#voice');
    await expect.poll(() => first.locator('#countdown').textContent(), { timeout: 10_000 }).toMatch(/还剩 5[0-8] 秒/);
    await first.click('#rec-send');
    await settled(first);
    await expect.poll(() => second.locator('.msg.me audio').count()).toBe(1);
    expect(await first.locator('.msg.me audio').count()).toBe(1);
    // Both tabs show the same conversation, the user's side in the same order.
    const mine = (page: Page) =>
      page.locator('.msg.me').evaluateAll((rows) =>
        rows.map((row) => {
          const el = row as unknown as { querySelector(s: string): unknown; textContent: string | null };
          return el.querySelector('audio') ? 'voice' : el.querySelector('img') ? 'photo' : el.textContent;
        }),
      );
    expect(await mine(first)).toEqual(['村口的路灯坏了好几天', '是的', 'photo', 'voice']);
    expect(await mine(second)).toEqual(await mine(first));
    await context.close();
  });

  browserTest('after a photo the page scrolls to the newest message, even when the picture loads after the next question', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await openChat(context);
    for (const text of ['帮助', '我的诉求', '帮助', '村口的路灯坏了好几天']) {
      await page.fill('#text', text);
      await page.click('#send');
      await settled(page);
    }
    // A tall picture, made by the browser itself.
    const dataUrl = await page.evaluate(() => {
      const canvas = (globalThis as unknown as PageWorld).document.createElement('canvas');
      canvas.width = 600;
      canvas.height = 900;
      const g = canvas.getContext('2d');
      g.fillStyle = '#b03a2e';
      g.fillRect(0, 0, 600, 900);
      return canvas.toDataURL('image/png');
    });
    const picture = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    // The picture's bytes arrive only after the bot has answered: the slow phone network the fault was seen on.
    let answered!: () => void;
    const answer = new Promise<void>((resolve) => (answered = resolve));
    await page.route('**/uploads/*.png', async (route) => {
      await answer;
      await route.continue();
    });
    const botsBefore = await page.locator('.msg.bot').count();
    await page.setInputFiles('#photo', { name: 'lamp.png', mimeType: 'image/png', buffer: picture });
    await settled(page);
    await expect.poll(() => page.locator('.msg.bot').count()).toBeGreaterThan(botsBefore);
    answered();
    await expect.poll(() => page.locator('.msg.me img').evaluate((img) => (img as unknown as { naturalHeight: number }).naturalHeight)).toBe(900);
    await expect
      .poll(async () => {
        const { scrollTop, scrollHeight, clientHeight } = await scrollOf(page);
        return scrollHeight - scrollTop - clientHeight;
      })
      .toBeLessThanOrEqual(1);
    // The transcript is longer than the screen, and the picture made it longer still.
    const { scrollHeight, clientHeight } = await scrollOf(page);
    expect(scrollHeight).toBeGreaterThan(clientHeight);
    expect(await page.locator('.msg.me img').evaluate((img) => (img as unknown as { clientHeight: number }).clientHeight)).toBeGreaterThan(200);
    expect(await page.locator('.msg.bot').last().isVisible()).toBe(true);
    await context.close();
  });
});
