/**
 * The WeChat channel with a real Wechaty on `wechaty-puppet-mock` (test/helpers/wechat-world.ts):
 * no network, no token. The mocker plays the residents (contacts saying things or sending
 * images and voice messages to the bot's account); what the bot said is read back from the
 * mocker's payloads. Covers images and voice notes (stored, refused politely, sent), and
 * the account dropping with pushes pending.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBox } from 'file-box';
import { types } from 'wechaty';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { type ConsoleAdapter } from '../../bots/console/console-adapter.js';
import { UPLOAD_ERRORS, UploadStore } from '../../bots/shared/uploads.js';
import type { WechatAdapter } from '../../bots/wechat/wechat-adapter.js';
import { parseMessage, parseRoomIntake, renderText, silkDurationMs, type WechatMessageLike } from '../../bots/wechat/wechat-parse.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { Inbound } from '../../src/engine/types.js';
import { transaction } from '../../src/db/client.js';
import { enqueuePush } from '../../src/pipeline/outbox.js';
import { fakeOgg, fakeSilk } from '../helpers/audio.js';
import { consoleDriver, fakePng, liaisonTerminal, runTwoSidedLoop } from '../helpers/two-sided.js';
import { WechatWorld } from '../helpers/wechat-world.js';

const TICKET = /已受理，编号 (MQ-\d{4}-\d{6})/;
const INTAKE = { roomIntake: ['东湖村群'] };

let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'minqing-wechat-'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function demoConfig(name: string) {
  const file = join(dir, `${name}.db`);
  copyFileSync(inject('sqliteDemoTemplate'), file);
  return parseConfig({ DATABASE_URL: `file:${file}`, SCHEDULER_INTERVAL_MS: '200', LOG_LEVEL: 'silent' });
}

const base: WechatMessageLike = { id: 'msg-1', kind: 'text', text: '村口的路灯坏了好几天', talkerId: 'wxid_limin', talkerName: '丽敏', self: false };

describe('parseMessage on plain messages', () => {
  test('a private text, with the Wechaty message id; a number stays text', () => {
    expect(parseMessage(base, INTAKE)).toEqual({
      ok: true,
      inbound: { channel: 'wechat', chatId: 'wxid_limin', senderId: 'wxid_limin', messageId: 'msg-1', text: '村口的路灯坏了好几天', senderName: '丽敏' },
    });
    const numbered = parseMessage({ ...base, text: ' 1 ' }, INTAKE);
    expect(numbered.ok && numbered.inbound.text).toBe('1');
  });

  test('an image becomes a photo ref (its URL, else the message id)', () => {
    const image = parseMessage({ ...base, id: 'msg-2', kind: 'image', text: '' }, INTAKE);
    expect(image.ok && image.inbound.media).toEqual([{ kind: 'photo', ref: 'wechat-message:msg-2' }]);
    const withUrl = parseMessage({ ...base, kind: 'image', mediaUrl: 'https://example.org/a.jpg' }, INTAKE);
    expect(withUrl.ok && withUrl.inbound.media).toEqual([{ kind: 'photo', ref: 'https://example.org/a.jpg' }]);
  });

  test('a voice message becomes a voice ref (the message id: the adapter fetches it)', () => {
    const voice = parseMessage({ ...base, id: 'msg-3', kind: 'voice', text: '' }, INTAKE);
    expect(voice.ok && voice.inbound.media).toEqual([{ kind: 'voice', ref: 'wechat-message:msg-3' }]);
  });

  test('the length of a SILK voice note: 20 ms a frame, up to the end mark or a cut-off frame; not SILK is null', () => {
    expect(silkDurationMs(fakeSilk(50))).toBe(1000);
    expect(silkDurationMs(fakeSilk(3).subarray(1))).toBe(60);
    expect(silkDurationMs(Buffer.concat([fakeSilk(4), Buffer.from([0xff, 0xff]), Buffer.from('trailer')]))).toBe(80);
    const silk = fakeSilk(4);
    expect(silkDurationMs(silk.subarray(0, silk.length - 2))).toBe(60);
    expect(silkDurationMs(fakeOgg('x'))).toBeNull();
  });

  test("the bot's own message and unsupported kinds are declined", () => {
    expect(parseMessage({ ...base, self: true }, INTAKE)).toEqual({ ok: false, reason: 'self' });
    expect(parseMessage({ ...base, kind: 'other' }, INTAKE)).toEqual({ ok: false, reason: 'unsupported' });
  });

  test('a room message: declined without a mention or outside the intake rooms; accepted with both', () => {
    const room = { id: 'r1@chatroom', topic: '东湖村群', mentionsSelf: false, textWithoutMentions: '路灯坏了' };
    expect(parseMessage({ ...base, text: '路灯坏了', room }, INTAKE)).toEqual({ ok: false, reason: 'room' });
    expect(parseMessage({ ...base, text: '@民情 路灯坏了', room: { ...room, topic: '西山村群', mentionsSelf: true } }, INTAKE)).toEqual({ ok: false, reason: 'room' });
    const accepted = parseMessage({ ...base, text: '@民情 路灯坏了', room: { ...room, mentionsSelf: true } }, INTAKE);
    expect(accepted.ok && accepted.inbound).toMatchObject({ chatId: 'wxid_limin', senderId: 'wxid_limin', text: '路灯坏了' });
  });

  test('choices render as a numbered list; the intake list splits on commas', () => {
    expect(
      renderText('是路灯的问题吗？', [
        { label: '是的', payload: 'yes' },
        { label: '选择其他类别', payload: 'other' },
      ]),
    ).toBe('是路灯的问题吗？\n1. 是的\n2. 选择其他类别');
    expect(parseRoomIntake(' 东湖村群，西山村群 ,')).toEqual(['东湖村群', '西山村群']);
  });
});

async function startTracked(config: ReturnType<typeof demoConfig>, adapters: (WechatAdapter | ConsoleAdapter)[]): Promise<App> {
  const app = await startApp(config, { adapters });
  cleanups.push(() => app.stop());
  return app;
}

describe('a resident on WeChat (puppet mock)', () => {
  test('reports a street-light outage with numbered replies and gets the ticket number; a re-delivered message has one effect', async () => {
    const world = new WechatWorld(join(dir, 'uploads'));
    const wechat = world.adapter();
    expect(await wechat.send({ channel: 'wechat', chatId: 'nobody', text: 'x', choices: [], locale: 'zh' })).toEqual({ status: 'offline' });
    const app = await startTracked(demoConfig('report'), [wechat]);
    world.login();
    await expect.poll(() => wechat.loggedIn).toBe(true);
    const { db } = app.database;
    const resident = world.person('丽敏');
    const person = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
    await db.channelIdentity.create({ data: { channel: 'wechat', platformUserId: resident.id, chatId: resident.id, personId: person.id, lastUsedAt: new Date() } });

    resident.type('村口的路灯坏了好几天');
    await resident.waitFor('电力照明');
    expect(resident.received().some((t) => /\n1\. 是的/.test(t))).toBe(true);
    for (const label of ['是的', '就在我家附近', '跳过', '用登记的电话']) {
      const before = resident.received().length;
      resident.choose(label);
      await resident.waitReplies(before);
    }
    const submit = resident.choose('提交');
    await resident.waitFor(TICKET);

    // The same message delivered again: no second ticket, no second reply.
    const before = resident.received().length;
    world.puppet.emit('message', { messageId: submit });
    resident.type('/help');
    await resident.waitReplies(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(resident.transcript().match(new RegExp(TICKET.source, 'g'))).toHaveLength(1);
    expect(await db.ticket.count({ where: { residentId: person.id } })).toBe(1);

    // A room message without a mention gets nothing.
    const room = world.mocker.createRoom({ topic: '东湖村群', memberIdList: [world.user.id, resident.id] });
    const quiet = resident.received().length;
    resident.contact.say('路灯又坏了').to(room);
    await new Promise((r) => setTimeout(r, 300));
    expect(resident.received()).toHaveLength(quiet);
  });
});

describe('resident on WeChat, liaison on the console', () => {
  test('bind → report with a photo → photo asked and sent → accept → resolve → rating 满意 → closed; the photos reach the console', async () => {
    const config = demoConfig('two-sided');
    const uploads = join(dir, 'two-sided-uploads');
    const world = new WechatWorld(uploads);
    const app = await startTracked(config, [world.adapter()]);
    world.login();
    const terminal = await liaisonTerminal(app, (adapters) => startTracked(config, adapters));
    const resident = world.person('丽敏');
    await runTwoSidedLoop(app, resident.driver(), consoleDriver(terminal, uploads), {
      progress: false,
      ticket: TICKET,
      photos: { fromResident: fakePng('a street light in the dark') },
    });
  });
});

/** An app with the WeChat channel on a fresh demo database, logged in, and a resident bound to the demo household. */
async function startLoggedIn(name: string, options: Parameters<WechatWorld['adapter']>[0] = {}) {
  const world = new WechatWorld(join(dir, `${name}-uploads`));
  const opened: { app?: App } = {};
  const wechat = world.adapter({ database: () => opened.app?.database, ...options });
  const app = (opened.app = await startTracked(demoConfig(name), [wechat]));
  world.login();
  await expect.poll(() => wechat.loggedIn).toBe(true);
  const resident = world.person('丽敏');
  const person = await app.database.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
  await app.database.db.channelIdentity.create({
    data: { channel: 'wechat', platformUserId: resident.id, chatId: resident.id, personId: person.id, lastUsedAt: new Date() },
  });
  return { world, wechat, app, resident, person };
}

describe('images from WeChat', () => {
  test('an image that is not a picture, or does not come through, is answered politely and not taken as the photo', async () => {
    const { world, resident } = await startLoggedIn('images', { mediaTimeoutMs: 3_000 });
    resident.type('村口的路灯坏了好几天');
    await resident.waitFor('电力照明');
    for (const label of ['是的', '就在我家附近']) {
      const before = resident.received().length;
      resident.choose(label);
      await resident.waitReplies(before);
    }
    await resident.waitFor('可以发送现场照片');

    resident.sendImage(Buffer.from('this is no picture at all'), 'street.png');
    await resident.waitFor(UPLOAD_ERRORS.notImage);
    // An image the puppet cannot fetch (its URL refuses the connection).
    resident.contact.say(FileBox.fromUrl('http://127.0.0.1:9/street.png')).to(world.user);
    await resident.waitFor(UPLOAD_ERRORS.notReceived);
    expect(resident.received().filter((t) => t.includes('请留一个联系电话'))).toHaveLength(0);

    // A real one moves the report on, and is kept where the web chat serves uploads.
    const photo = fakePng('the pole by the well');
    resident.sendImage(photo);
    await resident.waitFor('请留一个联系电话');
    const stored = readdirSync(join(dir, 'images-uploads'));
    expect(stored).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.png$/)]);
    expect(readFileSync(join(dir, 'images-uploads', stored[0] ?? '')).equals(photo)).toBe(true);
  });
});

describe('voice messages on WeChat', () => {
  test('a voice message is stored as it came (SILK) and handed on as a voice note; one that is no sound is refused politely and goes no further', async () => {
    const uploadDir = join(dir, 'voice-in-uploads');
    const world = new WechatWorld(uploadDir);
    const wechat = world.adapter();
    const received: Inbound[] = [];
    await wechat.start((inbound) => {
      received.push(inbound);
      return Promise.resolve();
    });
    cleanups.push(() => wechat.stop());
    world.login();
    await expect.poll(() => wechat.loggedIn).toBe(true);
    const resident = world.person('丽敏');

    const voice = fakeSilk(150, '村口的路灯坏了');
    const messageId = resident.sendVoice(voice);
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toMatchObject({
      channel: 'wechat',
      chatId: resident.id,
      messageId,
      media: [{ kind: 'voice', ref: expect.stringMatching(/^\/uploads\/[0-9a-f]{64}\.silk$/) as unknown }],
    });
    const ref = received[0]?.media?.[0]?.ref ?? '';
    expect(readFileSync(join(uploadDir, ref.slice('/uploads/'.length))).equals(voice)).toBe(true);
    expect((await new UploadStore(uploadDir).read(ref))?.contentType).toBe('audio/silk');

    // A "voice message" whose bytes are no sound we know: the sender is told, nothing goes on.
    resident.sendVoice(Buffer.from('garbled bytes, not a recording'));
    await resident.waitFor(UPLOAD_ERRORS.notVoice);
    expect(received).toHaveLength(1);
  });

  test('a photo link to this machine or a private network is never fetched (an Open311 client could give one); the message still goes', async () => {
    let fetched = 0;
    const inside = createServer((_req, res) => {
      fetched++;
      res.writeHead(200, { 'content-type': 'image/png' }).end(fakePng('internal'));
    });
    await new Promise<void>((resolve) => inside.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => inside.close(() => resolve())));
    const { port } = inside.address() as AddressInfo;
    const world = new WechatWorld(join(dir, 'ssrf-uploads'));
    const wechat = world.adapter();
    await wechat.start(() => Promise.resolve());
    cleanups.push(() => wechat.stop());
    world.login();
    await expect.poll(() => wechat.loggedIn).toBe(true);
    const liaison = world.person('网格员小李');
    const result = await wechat.send({
      channel: 'wechat',
      chatId: liaison.id,
      text: '新的诉求',
      choices: [],
      locale: 'zh',
      media: [
        { kind: 'photo', ref: `http://127.0.0.1:${port}/meta-data.png` },
        { kind: 'photo', ref: `http://localhost:${port}/console.png` },
      ],
    });
    expect(result).toEqual({ status: 'sent' });
    await expect.poll(() => liaison.received()).toEqual(['新的诉求']);
    expect(liaison.kinds()).toEqual([types.Message.Text]);
    expect(fetched).toBe(0);
  });

  test('a voice note going out: a SILK one as a voice message with its length, another format as a file; photos still as images', async () => {
    const uploadDir = join(dir, 'voice-out-uploads');
    const store = new UploadStore(uploadDir);
    const world = new WechatWorld(uploadDir);
    const wechat = world.adapter();
    await wechat.start(() => Promise.resolve());
    cleanups.push(() => wechat.stop());
    world.login();
    await expect.poll(() => wechat.loggedIn).toBe(true);
    const liaison = world.person('网格员小罗');
    const url = async (bytes: Buffer) => {
      const stored = await store.save(bytes);
      if (!stored.ok) throw new Error(stored.error);
      return stored.url;
    };
    const silk = fakeSilk(100, '请家里留人');
    const ogg = fakeOgg('from Telegram');
    const photo = fakePng('the pole');
    const result = await wechat.send({
      channel: 'wechat',
      chatId: liaison.id,
      text: '群众已补充材料',
      choices: [],
      locale: 'zh',
      media: [
        { kind: 'voice', ref: await url(silk) },
        { kind: 'voice', ref: await url(ogg) },
        { kind: 'photo', ref: await url(photo) },
      ],
    });
    expect(result).toEqual({ status: 'sent' });
    await expect.poll(() => liaison.kinds().length).toBe(4);
    expect(liaison.kinds()).toEqual([types.Message.Audio, types.Message.Unknown, types.Message.Image, types.Message.Text]);
    const [voiceMessage, file] = liaison.voices();
    expect(voiceMessage?.bytes.equals(silk)).toBe(true);
    expect(voiceMessage?.name).toMatch(/^[0-9a-f]{64}\.sil$/);
    expect(voiceMessage?.metadata).toEqual({ voiceLength: 2000 });
    expect(file?.bytes.equals(ogg)).toBe(true);
    expect(file?.name).toMatch(/\.ogg$/);
    expect(liaison.images()).toEqual([photo]);
    expect(liaison.received()).toEqual(['群众已补充材料']);
  });

  test('with the app: a voice message reaches the engine (recorded as seen) and is answered', async () => {
    const { world, app, resident } = await startLoggedIn('voice-app');
    const voice = fakeSilk(80, '路灯');
    const before = resident.received().length;
    const messageId = resident.sendVoice(voice);
    await resident.waitReplies(before);
    const seen = await app.database.db.inboundMessage.findMany({ where: { channel: 'wechat', chatId: resident.id } });
    expect(seen.map((m) => m.messageId)).toEqual([messageId]);
    expect(readdirSync(join(dir, 'voice-app-uploads'))).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.silk$/)]);
    expect(world.messages.some((m) => m.type === types.Message.Audio && m.talkerId === resident.id)).toBe(true);
  });
});

describe('the WeChat account drops and comes back', () => {
  test('pushes made while logged out wait without using attempts; after the next login each arrives once, in order (logout, then a puppet restart)', async () => {
    const { world, wechat, app, resident, person } = await startLoggedIn('reconnect');
    const { db } = app.database;
    const push = (note: string) =>
      transaction(db, (tx) => enqueuePush(tx, [person.id], { template: 'ticket.progress_resident', params: { number: 'MQ-2026-000042', note } }, new Date()));
    const progress = () => resident.received().filter((t) => t.includes('MQ-2026-000042'));
    const rows = () => db.outboxMessage.findMany({ where: { recipientId: person.id, template: 'ticket.progress_resident' }, orderBy: { id: 'asc' } });

    await push('第 1 条');
    await expect.poll(progress).toHaveLength(1);

    /** Drops the account, queues `notes` while it is away, brings it back with `reconnect`. */
    const dropAndReturn = async (notes: string[], drop: () => Promise<void>, reconnect: () => Promise<void>) => {
      const seen = progress().length;
      await drop();
      await expect.poll(() => wechat.loggedIn).toBe(false);
      for (const note of notes) await push(note);
      // The scheduler has tried the first: told 'offline', it waits for the re-check, and the
      // rest wait behind it (the chat's order); none has used an attempt.
      const waiting = async () => (await rows()).filter((r) => r.sentAt === null);
      await expect.poll(async () => (await waiting())[0]?.availableAt.getTime() ?? 0, { timeout: 10_000, interval: 50 }).toBeGreaterThan(Date.now() + 30_000);
      expect((await waiting()).map((r) => r.attempts)).toEqual(notes.map(() => 0));
      expect(progress()).toHaveLength(seen);
      await reconnect();
      // Due at once on login, not at the minute's re-check.
      await expect.poll(() => progress().length, { timeout: 5_000, interval: 50 }).toBe(seen + notes.length);
    };

    await dropAndReturn(
      ['第 2 条', '第 3 条', '第 4 条'],
      () => world.logout(),
      () => Promise.resolve(world.login()),
    );
    await dropAndReturn(
      ['第 5 条', '第 6 条'],
      () => world.puppet.stop(),
      async () => {
        await world.puppet.start();
        world.login();
      },
    );

    // Nothing lost, nothing twice, and in the order queued.
    await new Promise((r) => setTimeout(r, 500)); // a couple more scheduler rounds: still no repeats
    expect(progress().map((t) => /有新进展：(.+)$/.exec(t)?.[1])).toEqual(['第 1 条', '第 2 条', '第 3 条', '第 4 条', '第 5 条', '第 6 条']);
    expect((await rows()).map((r) => [r.sentAt !== null, r.attempts])).toEqual(Array.from({ length: 6 }, () => [true, 1]));
  });
});
