/**
 * The web chat's uploads (`POST /api/uploads`) held to account: only from a live chat
 * (the page's user id, with a page connected or a recent turn), at a rate per user and
 * per address, within a daily quota per user; a picture stored without what follows its
 * end; and what nothing refers to in time deleted by the scheduler's sweep. The app on a
 * copy of the demo database with a fake clock, over real HTTP on loopback.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UPLOAD_ERRORS, UploadStore } from '../../bots/shared/uploads.js';
import { transaction } from '../../src/db/client.js';
import { enqueuePush } from '../../src/pipeline/outbox.js';
import { type ConsoleWorld, report, startConsoleWorld } from '../helpers/console-client.js';
import { fakePng, PNG } from '../helpers/images.js';

let world: ConsoleWorld;
beforeAll(async () => {
  // Behind a proxy (TRUST_PROXY), so that the test can speak from several addresses; a 2 MB day.
  world = await startConsoleWorld({ TRUST_PROXY: 'true', UPLOAD_DAILY_MB: '2', UPLOADS_PER_MINUTE: '10', UPLOADS_PER_MINUTE_PER_ADDRESS: '30', UPLOAD_UNREFERENCED_HOURS: '24' });
});
afterAll(async () => {
  await world?.stop();
});

let counter = 0;
/** A new address (the proxy's X-Forwarded-For). */
const address = () => `198.51.100.${++counter}`;

function upload(body: Buffer, options: { user?: string; from?: string; type?: string } = {}): Promise<Response> {
  return fetch(`${world.base}/api/uploads`, {
    method: 'POST',
    headers: {
      'content-type': options.type ?? 'image/png',
      'x-forwarded-for': options.from ?? address(),
      ...(options.user ? { 'x-minqing-user': options.user } : {}),
    },
    body,
  });
}

/** A web chat user with a turn just now (the webhook): a live chat without a page. */
async function chatting(): Promise<string> {
  const user = `u${randomBytes(8).toString('hex')}`;
  const res = await fetch(`${world.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', user, text: '帮助', channelData: { messageId: `${user}-1` } }),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return user;
}

/**
 * A page of `user` connected over the websocket, as the chat page does it: the upgrade,
 * then the hello frame (masked, as from a browser). Resolves once the server counts it.
 */
async function pageOpen(user: string): Promise<() => void> {
  const socket = connect({ host: '127.0.0.1', port: world.web.port });
  socket.on('error', () => undefined);
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${world.web.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  const payload = Buffer.from(JSON.stringify({ type: 'hello', user, channel: 'socket' }));
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
  await expect.poll(() => world.web.isConnected(user)).toBe(true);
  return () => socket.destroy();
}

const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;
const stored = () => (existsSync(join(world.dir, 'uploads')) ? readdirSync(join(world.dir, 'uploads')) : []);

describe('who may upload', () => {
  test('no user id: 401; a user id without a live chat: 403; both in Chinese and English, and nothing is stored', async () => {
    const before = stored().length;
    const anonymous = await upload(fakePng('nobody'));
    expect(anonymous.status).toBe(401);
    expect(await errorOf(anonymous)).toBe(UPLOAD_ERRORS.noSession);
    const malformed = await upload(fakePng('nobody'), { user: 'not a user id!' });
    expect(malformed.status).toBe(401);
    expect(await errorOf(malformed)).toBe(UPLOAD_ERRORS.noSession);
    const stranger = await upload(fakePng('stranger'), { user: 'w0123456789abcdef0123456789abcdef' });
    expect(stranger.status).toBe(403);
    expect(await errorOf(stranger)).toMatch(/^请先打开聊天页面.* \/ open the chat page first/);
    expect(stored()).toHaveLength(before);
  });

  test('a page connected over the websocket may upload; once it closes (and no turn), it may not', async () => {
    const user = `w${randomBytes(16).toString('hex')}`;
    const close = await pageOpen(user);
    const res = await upload(fakePng('from the page'), { user });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { url: string }).url).toMatch(/^\/uploads\/[0-9a-f]{64}\.png$/);
    close();
    await expect.poll(() => world.web.isConnected(user)).toBe(false);
    expect((await upload(fakePng('after the page closed'), { user })).status).toBe(403);
  });

  test('a chat with a recent turn may upload without a page; after SESSION_IDLE_MINUTES of silence, it may not', async () => {
    const user = await chatting();
    expect((await upload(fakePng('after a turn'), { user })).status).toBe(200);
    world.clock.advanceHours(0.51);
    expect((await upload(fakePng('half an hour later'), { user })).status).toBe(403);
  });
});

describe('how much', () => {
  test('20 photos from one user at the same moment: 10 stored, the rest 429 (try again in a minute); a minute later there is room again', async () => {
    const user = await chatting();
    const from = address();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => upload(fakePng(`burst ${i}`), { user, from })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    const refused = answers.filter((r) => r.status === 429);
    expect(refused).toHaveLength(10);
    expect(await errorOf(refused[0]!)).toBe(UPLOAD_ERRORS.tooMany);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    world.clock.advanceHours(1 / 60 + 0.001);
    expect((await upload(fakePng('a minute later'), { user: await chatting(), from })).status).toBe(200);
    expect((await upload(fakePng('a minute later, same user'), { user, from })).status).toBe(200);
  });

  test('one address: 30 a minute whoever the users, then 429; another address is not held up', async () => {
    const users = await Promise.all(Array.from({ length: 31 }, () => chatting()));
    const from = address();
    const statuses: number[] = [];
    for (const [i, user] of users.entries()) statuses.push((await upload(fakePng(`address ${i}`), { user, from })).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect((await upload(fakePng('elsewhere'), { user: users[30]!, from: address() })).status).toBe(200);
  });

  test('a day holds UPLOAD_DAILY_MB per user (here 2 MB): the upload past it is 429, one announcing more than is left is refused before its body is read; 24 hours later there is room again', async () => {
    const user = await chatting();
    const big = (i: number) => fakePng(`${i}`.padEnd(700 * 1024, '.'));
    expect((await upload(big(1), { user })).status).toBe(200);
    expect((await upload(big(2), { user })).status).toBe(200);
    const third = await upload(big(3), { user });
    expect(third.status).toBe(429);
    expect(await errorOf(third)).toBe(UPLOAD_ERRORS.dailyQuota);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(23 * 3600);
    // The refused file was not stored.
    expect(stored().some((name) => name.startsWith(createHash('sha256').update(big(3)).digest('hex')))).toBe(false);
    // A request that announces more than the day has left is answered at once, its body never read.
    const announced = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: world.web.port });
      let answer = '';
      socket.on('data', (d: Buffer) => {
        answer += d.toString('latin1');
        if (answer.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(answer);
        }
      });
      socket.write(
        `POST /api/uploads HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nX-Minqing-User: ${user}\r\nX-Forwarded-For: ${address()}\r\nContent-Length: 3000000\r\n\r\n`,
      );
    });
    expect(announced).toMatch(/^HTTP\/1\.1 429/);
    world.clock.advanceHours(24.1);
    const again = await chatting();
    expect((await upload(big(3), { user: again })).status).toBe(200);
  });

  test('uploads of one user sent together cannot overrun the day between them: of five 700 KB photos at once, two fit in 2 MB', async () => {
    const user = await chatting();
    const from = address();
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => upload(fakePng(`together ${i}`.padEnd(700 * 1024, '.')), { user, from })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 429, 429, 429]);
    const day = await world.db.upload.aggregate({ where: { chatId: user }, _sum: { bytes: true } });
    expect(day._sum.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  test('a picture with HTML after its end is stored and served without it', async () => {
    const user = await chatting();
    const res = await upload(Buffer.concat([PNG, Buffer.from('<html><script>alert(1)</script></html>')]), { user });
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    const served = Buffer.from(await (await fetch(world.base + url)).arrayBuffer());
    expect(served.equals(PNG)).toBe(true);
  });
});

describe('uploads nobody refers to', () => {
  test('are deleted by the scheduler once UPLOAD_UNREFERENCED_HOURS have passed; those a ticket, a message or a conversation names are kept, and so is a file another channel stored first', async () => {
    const user = await chatting();
    const url = async (text: string) => ((await (await upload(fakePng(text), { user })).json()) as { url: string }).url;
    const inTicket = await url('in a ticket');
    const inPush = await url('in a push');
    const inConversation = await url('in a conversation');
    const forgotten = await url('never sent');
    // The same bytes Telegram had stored before the web upload: not the web chat's to delete.
    const telegram = await new UploadStore(join(world.dir, 'uploads')).save(fakePng('from telegram first'));
    expect(telegram.ok).toBe(true);
    const sameAsTelegram = await url('from telegram first');

    const resident = await world.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
    const number = await report(world.app, 'R-QH-01-001-H001', '村口的路灯坏了好几天');
    const ticket = await world.db.ticket.findUniqueOrThrow({ where: { number } });
    await world.db.ticketEvent.create({
      data: { ticketId: ticket.id, seq: 99, type: 'progress', toState: ticket.state, actorRole: 'liaison', data: JSON.stringify({ photos: [inTicket] }), at: world.clock.now() },
    });
    await transaction(world.db, (tx) =>
      enqueuePush(tx, [resident.id], { template: 'ticket.progress_resident', params: { number, note: '修好了' }, media: [inPush] }, world.clock.now()),
    );
    const conversation = await world.db.conversation.create({
      data: { residentId: resident.id, regionId: ticket.regionId, channel: 'web', openedAt: world.clock.now(), lastResidentAt: world.clock.now() },
    });
    await world.db.conversationMessage.create({
      data: { conversationId: conversation.id, author: 'resident', text: '看照片', media: JSON.stringify([{ kind: 'photo', ref: inConversation }]), at: world.clock.now() },
    });

    const served = async (path: string) => (await fetch(world.base + path)).status;
    // Not yet: a day has not passed.
    world.clock.advanceHours(23);
    await world.app.scheduler.tick();
    expect(await served(forgotten)).toBe(200);
    // A day later, the scheduler's round sweeps.
    world.clock.advanceHours(1.5);
    await world.app.scheduler.tick();
    expect(await served(forgotten)).toBe(404);
    for (const kept of [inTicket, inPush, inConversation, sameAsTelegram]) expect(await served(kept), kept).toBe(200);
    const rows = await world.db.upload.findMany({ where: { chatId: user }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.state)).toEqual(['kept', 'kept', 'kept', 'removed', 'kept']);
    // Sweeping again changes nothing.
    expect(await world.web.sweepUploads()).toEqual({ removed: 0, kept: 0 });
  });
});
