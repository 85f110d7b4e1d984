/**
 * The web chat as people and scripts use it: the app with the web channel on a free port,
 * on a fresh SQLite copy seeded with the demo county; the webhook over HTTP, the page in
 * a real headless Chromium at phone size.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test, vi } from 'vitest';
import { createWebAdapter, type WebChatAdapter } from '../../bots/web/web-adapter.js';
import { type App, startApp } from '../../src/app.js';
import type { Db } from '../../src/db/client.js';
import { parseConfig } from '../../src/config.js';
import { actorFor } from '../../src/pipeline/service.js';

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
  document: { documentElement: { scrollWidth: number } };
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
  text: string;
  quick_replies?: { title: string; payload: string }[];
}

let dir: string;
let app: App;
let db: Db;
let web: WebChatAdapter;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  // One connection to the database, the app's: a copy of the migrated template, seeded by startApp.
  dir = mkdtempSync(join(tmpdir(), 'minqing-web-'));
  copyFileSync(inject('sqliteTemplate'), join(dir, 'web.db'));
  // The scheduler ticks once at start and then hourly: the push test ticks it by hand.
  // The demo county without its history: the tests count their own tickets from MQ-2026-000001.
  const config = parseConfig({ DATABASE_URL: `file:${join(dir, 'web.db')}`, SEED_DEMO: 'true', SEED_DEMO_HISTORY_MONTHS: '0', SCHEDULER_INTERVAL_MS: '3600000' });
  let started: App | undefined;
  web = createWebAdapter({ port: 0, host: '127.0.0.1', database: () => started?.database, uploadDir: join(dir, 'uploads') });
  app = started = await startApp(config, { adapters: [web] });
  db = app.database.db;
  base = `http://127.0.0.1:${web.port}`;
  if (runBrowser) browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
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
async function say(user: string, fields: { text?: string; action?: string; media?: { kind: 'photo'; ref: string }[] }): Promise<WebMessage[]> {
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

  test('a resent message id is processed once; its resend gets no replies', async () => {
    const user = `resend-${Date.now()}`;
    const body = JSON.stringify({ type: 'message', from: { id: user }, text: '帮助', channelData: { messageId: 'once' } });
    const first = (await (await post(body)).json()) as WebMessage[];
    expect(first.length).toBeGreaterThan(0);
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual([]);
    // Without an id, the client's timestamp makes the same message the same message.
    const stamped = JSON.stringify({ type: 'message', user, text: '帮助', timestamp: '2026-05-01T08:00:00Z' });
    expect(((await (await post(stamped)).json()) as WebMessage[]).length).toBeGreaterThan(0);
    expect(await (await post(stamped)).json()).toEqual([]);
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
    const ok = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG });
    expect(ok.status).toBe(200);
    const { url } = (await ok.json()) as { url: string };
    expect(url).toMatch(/^\/uploads\/[0-9a-f]{64}\.png$/);
    const image = await fetch(base + url);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);

    const fake = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: 'not a picture' });
    expect(fake.status).toBe(400);
    expect(((await fake.json()) as { error: string }).error).toMatch(/这不是图片.*not a picture/);
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: big });
    expect(tooBig.status).toBe(400);
    expect(((await tooBig.json()) as { error: string }).error).toMatch(/5 MB.*too large/);
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
    await expect
      .poll(async () => (await db.outboxMessage.findUniqueOrThrow({ where: { id: queued.id } })).availableAt.getTime())
      .toBeLessThanOrEqual(Date.now());
    await app.scheduler.tick();
    await expect.poll(() => again.locator('.msg.bot .bubble', { hasText: number }).count()).toBeGreaterThan(0);
    await expect.poll(() => again.locator('.msg.bot .bubble', { hasText: '签收' }).count()).toBe(1);
    const sent = await db.outboxMessage.findUniqueOrThrow({ where: { id: queued.id } });
    expect(sent.sentAt).not.toBeNull();
    expect(sent.attempts).toBe(1);
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
        headers: { connection: 'Upgrade', upgrade: 'websocket', origin: 'http://elsewhere.example', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => resolve(res.statusCode));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
