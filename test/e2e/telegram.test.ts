/**
 * The Telegram channel against the local fake Bot API (test/helpers/fake-bot-api.ts): no
 * network. The fake records every call, hands out updates for long polling, keeps the
 * files users send (photos, voice notes) and the bot uploads, and fails on demand (429
 * with retry_after, 500, 403).
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Update } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { type ConsoleAdapter } from '../../bots/console/console-adapter.js';
import { TelegramAdapter, WEBHOOK_PATH } from '../../bots/telegram/telegram-adapter.js';
import { deliveryResultOf, keyboardRows, parseUpdate, voiceMethodOf } from '../../bots/telegram/telegram-parse.js';
import { UPLOAD_ERRORS, UploadStore } from '../../bots/shared/uploads.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { Inbound } from '../../src/engine/types.js';
import { fakeOgg, fakeWebm } from '../helpers/audio.js';
import { BOT_INFO, FakeBotApi, TelegramUser, TOKEN } from '../helpers/fake-bot-api.js';
import { consoleDriver, fakePng, liaisonTerminal, runTwoSidedLoop } from '../helpers/two-sided.js';

const FIXTURES = JSON.parse(readFileSync(new URL('../fixtures/telegram/updates.json', import.meta.url), 'utf8')) as Record<string, Update>;
function fixture(name: string): Update {
  const update = FIXTURES[name];
  if (!update) throw new Error(`no fixture ${name}`);
  return update;
}

const TICKET = /已受理，编号 (MQ-\d{4}-\d{6})/;

let dir: string;
const api = new FakeBotApi();
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minqing-telegram-'));
  await api.start();
});

// Every app polls the one fake server: each test stops its own before the next begins.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await api.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A demo database file of its own and the settings for it. */
function demoConfig(name: string, extra: Record<string, string> = {}) {
  const file = join(dir, `${name}.db`);
  copyFileSync(inject('sqliteDemoTemplate'), file);
  return parseConfig({ DATABASE_URL: `file:${file}`, SCHEDULER_INTERVAL_MS: '200', LOG_LEVEL: 'silent', ...extra });
}

function telegramAdapter(): TelegramAdapter {
  return new TelegramAdapter({ token: TOKEN, apiRoot: api.url, botInfo: BOT_INFO, pollTimeoutSeconds: 1, uploadDir: join(dir, 'uploads') });
}

async function startTracked(config: ReturnType<typeof demoConfig>, adapters: (TelegramAdapter | ConsoleAdapter)[]): Promise<App> {
  const app = await startApp(config, { adapters });
  cleanups.push(() => app.stop());
  return app;
}

describe('parseUpdate on recorded updates', () => {
  test('a private text, with its message id and first name', () => {
    expect(parseUpdate(fixture('privateText'))).toEqual({
      ok: true,
      inbound: { channel: 'telegram', chatId: '7000001', senderId: '7000001', messageId: 'm:7000001:41', text: '村口的路灯坏了好几天', senderName: '丽敏' },
    });
  });

  test('a command keeps its text (the engine handles /bind), without the bot name', () => {
    const parsed = parseUpdate(fixture('privateCommand'));
    expect(parsed.ok && parsed.inbound.text).toBe('/bind ABC123');
  });

  test('a button tap becomes an action with the callback id', () => {
    expect(parseUpdate(fixture('callback'))).toEqual({
      ok: true,
      inbound: { channel: 'telegram', chatId: '7000001', senderId: '7000001', messageId: 'cb:4382bfdwdsb323b2d9', action: 'yes', senderName: '丽敏' },
    });
  });

  test('a photo: the largest size, with its caption', () => {
    const parsed = parseUpdate(fixture('photo'));
    expect(parsed.ok && parsed.inbound).toMatchObject({ media: [{ kind: 'photo', ref: 'AgACAgUAAxkBAAIBlarge' }], text: '路灯杆', messageId: 'm:7000001:44' });
  });

  test('a location: latitude and longitude', () => {
    const parsed = parseUpdate(fixture('location'));
    expect(parsed.ok && parsed.inbound.location).toEqual({ latitude: 28.2282, longitude: 112.9388 });
  });

  test('a venue: its location, with its name and address as the label', () => {
    const parsed = parseUpdate(fixture('venue'));
    expect(parsed.ok && parsed.inbound.location).toEqual({ latitude: 28.229104, longitude: 112.940217, label: '东湖村村民委员会 东湖村一组 1 号' });
  });

  test('a voice note, and an audio file with its caption, are voice media by file id', () => {
    expect(parseUpdate(fixture('voice'))).toEqual({
      ok: true,
      inbound: {
        channel: 'telegram',
        chatId: '7000001',
        senderId: '7000001',
        messageId: 'm:7000001:47',
        media: [{ kind: 'voice', ref: 'AwACAgUAAxkBAAIBvoiceNote' }],
        senderName: '丽敏',
      },
    });
    const audio = parseUpdate(fixture('audio'));
    expect(audio.ok && audio.inbound).toMatchObject({ media: [{ kind: 'voice', ref: 'CQACAgUAAxkBAAIBaudioFile' }], text: '村口的情况' });
    // In a group, a voice note is someone speaking: it gets the polite notice.
    expect(parseUpdate(fixture('groupVoice'))).toMatchObject({ ok: false, reason: 'not_private' });
  });

  test('a voice note goes out by its format: OGG as a voice message, MP3 and M4A as audio, anything else as a file', () => {
    expect(['ogg', 'oga', 'opus', 'mp3', 'm4a', 'webm', 'wav', 'amr', 'silk', 'aac'].map(voiceMethodOf)).toEqual([
      'sendVoice',
      'sendVoice',
      'sendVoice',
      'sendAudio',
      'sendAudio',
      'sendDocument',
      'sendDocument',
      'sendDocument',
      'sendDocument',
      'sendDocument',
    ]);
    expect(voiceMethodOf('https://example.org/notes/a.OGG?dl=1')).toBe('sendVoice');
  });

  test('a group message is declined (with the chat, for the notice); a join gets no notice', () => {
    expect(parseUpdate(fixture('groupText'))).toEqual({ ok: false, reason: 'not_private', chatId: '-1001234567890', languageCode: 'en' });
    expect(parseUpdate(fixture('groupJoined'))).toMatchObject({ ok: false, reason: 'ignored' });
  });

  test('an edit is ignored (the first version counted); a sticker is unsupported', () => {
    expect(parseUpdate(fixture('editedText'))).toMatchObject({ ok: false, reason: 'edited' });
    expect(parseUpdate(fixture('sticker'))).toMatchObject({ ok: false, reason: 'unsupported' });
  });

  test('keyboard rows: up to three short labels a row, one long label a row', () => {
    const short = ['是', '否', '跳过', '提交'].map((label) => ({ label, payload: label }));
    expect(keyboardRows(short).map((r) => r.length)).toEqual([3, 1]);
    const long = [{ label: '就在我家附近（登记的住址）', payload: 'home' }, ...short.slice(0, 2)];
    expect(keyboardRows(long).map((r) => r.length)).toEqual([1, 1, 1]);
  });

  test('a thrown non-API error maps to retry', () => {
    expect(deliveryResultOf(new Error('boom'))).toEqual({ status: 'retry', error: 'boom' });
  });
});

describe('a resident on Telegram (long polling)', () => {
  test('reports a street-light outage with button taps and gets the ticket number; a re-delivered tap has one effect', async () => {
    const config = demoConfig('report');
    const telegram = telegramAdapter();
    const app = await startTracked(config, [telegram]);
    const { db } = app.database;
    const resident = new TelegramUser(api, 7100001, '丽敏');
    const person = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
    await db.channelIdentity.create({
      data: { channel: 'telegram', platformUserId: String(resident.chatId), chatId: String(resident.chatId), personId: person.id, lastUsedAt: new Date() },
    });
    expect(api.calls.some((c) => c.method === 'deleteWebhook' && c.body['drop_pending_updates'] === false)).toBe(true);

    resident.type('村口的路灯坏了好几天');
    await resident.waitFor('电力照明');
    const answeredBefore = api.count('answerCallbackQuery');
    for (const label of ['是的', '就在我家附近', '跳过', '用登记的电话']) {
      const before = api.sent(resident.chatId).length;
      resident.tap(label);
      await resident.waitReplies(before);
    }
    const submit = resident.tap('提交');
    await resident.waitFor(TICKET);
    const number = TICKET.exec(resident.transcript())?.[1] ?? '';
    expect(number).not.toBe('');
    // Every tap's spinner was stopped.
    await expect.poll(() => api.count('answerCallbackQuery')).toBe(answeredBefore + 5);

    // The same update delivered again (Telegram re-sends after a timeout): no second ticket, no second reply.
    const sentBefore = api.sent(resident.chatId).length;
    api.push(submit);
    resident.type('/help');
    await resident.waitReplies(sentBefore);
    expect(resident.transcript().match(new RegExp(TICKET.source, 'g'))).toHaveLength(1);
    expect(await db.ticket.count({ where: { residentId: person.id } })).toBe(1);

    // A choice message carries an inline keyboard; the group gets one polite notice and nothing else.
    const withKeyboard = api.sent(resident.chatId).find((c) => c.body['reply_markup'] !== undefined);
    expect(withKeyboard?.body['reply_markup']).toMatchObject({ inline_keyboard: expect.any(Array) as unknown });
    const group = fixture('groupText');
    const groupId = String(group.message?.chat.id);
    api.push(group);
    api.push({ ...group, update_id: api.newUpdateId() });
    resident.type('你好');
    await expect.poll(() => api.sent(groupId).length).toBe(1);
    await resident.waitFor(/./);
    expect(String(api.sent(groupId)[0]?.body['text'])).toContain('private chat');
    expect(JSON.stringify(api.calls)).not.toContain(TOKEN);
  });
});

describe('resident on Telegram, liaison on the console', () => {
  test('bind → report → accept → progress → resolve → rating 满意 → closed', async () => {
    const config = demoConfig('two-sided');
    const telegram = telegramAdapter();
    const app = await startTracked(config, [telegram]);
    const terminal = await liaisonTerminal(app, (adapters) => startTracked(config, adapters));
    const resident = new TelegramUser(api, 7200001, '丽敏');
    await runTwoSidedLoop(app, resident.driver(), consoleDriver(terminal), { progress: true, ticket: /已受理，编号 MQ-\d{4}-\d{6}。经办：网格员/ });
  });
});

describe('photos', () => {
  test('a received photo is downloaded and stored; one that cannot be fetched keeps its file id; a stored photo goes out as an upload', async () => {
    const received: Inbound[] = [];
    const telegram = telegramAdapter();
    await telegram.start((inbound) => {
      received.push(inbound);
      return Promise.resolve();
    });
    cleanups.push(() => telegram.stop());
    const user = new TelegramUser(api, 7600001, '丽敏');

    const photo = fakePng('a fallen pole');
    const sent = user.sendPhoto(photo);
    await expect.poll(() => received.length).toBe(1);
    const ref = received[0]?.media?.[0]?.ref ?? '';
    expect(ref).toMatch(/^\/uploads\/[0-9a-f]{64}\.png$/);
    expect(readFileSync(join(dir, 'uploads', ref.slice('/uploads/'.length))).equals(photo)).toBe(true);
    // The largest size was fetched, not the thumbnail.
    expect(api.calls.filter((c) => c.method === 'getFile').map((c) => c.body['file_id'])).toEqual([sent.message?.photo?.at(-1)?.file_id]);

    api.failNext('getFile', { code: 400, description: 'Bad Request: file is too big' });
    const update = user.sendPhoto(fakePng('another one'));
    await expect.poll(() => received.length).toBe(2);
    const largest = update.message?.photo?.at(-1)?.file_id;
    expect(received[1]?.media).toEqual([{ kind: 'photo', ref: largest }]);

    // Forwarding the stored photo uploads its bytes (Telegram cannot fetch a local URL).
    expect(await telegram.send({ channel: 'telegram', chatId: '7600002', text: '进展', choices: [], media: [{ kind: 'photo', ref }], locale: 'zh' })).toEqual({ status: 'sent' });
    expect(api.photos('7600002')).toEqual([photo]);
    expect(api.attempts('7600002', 'sendPhoto')[0]?.files['photo']).toBeDefined();
  });
});

describe('voice notes', () => {
  test('a received voice note or audio file is downloaded, stored as audio and handed on as a voice note; one that cannot be fetched or is not sound is refused to the sender and goes no further', async () => {
    const received: Inbound[] = [];
    const uploadDir = join(dir, 'voice-uploads');
    const telegram = new TelegramAdapter({ token: TOKEN, apiRoot: api.url, botInfo: BOT_INFO, pollTimeoutSeconds: 1, uploadDir });
    await telegram.start((inbound) => {
      received.push(inbound);
      return Promise.resolve();
    });
    cleanups.push(() => telegram.stop());
    const user = new TelegramUser(api, 7700001, '丽敏');

    const note = fakeOgg('路灯从上周就不亮了');
    const sent = user.sendVoice(note);
    await expect.poll(() => received.length).toBe(1);
    const ref = received[0]?.media?.[0]?.ref ?? '';
    expect(received[0]).toMatchObject({
      messageId: `m:${user.chatId}:${sent.message?.message_id}`,
      media: [{ kind: 'voice', ref: expect.stringMatching(/^\/uploads\/[0-9a-f]{64}\.ogg$/) as unknown }],
    });
    expect(readFileSync(join(uploadDir, ref.slice('/uploads/'.length))).equals(note)).toBe(true);
    expect((await new UploadStore(uploadDir).read(ref))?.contentType).toBe('audio/ogg');
    // Fetched through getFile, like photos.
    expect(api.calls.filter((c) => c.method === 'getFile').at(-1)?.body['file_id']).toBe(sent.message?.voice?.file_id);

    // An audio file from the phone's recorder (M4A) is a voice note too.
    const memo = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A '), Buffer.from('memo')]);
    user.sendAudio(memo, '录音 村口.m4a', 'audio/mp4');
    await expect.poll(() => received.length).toBe(2);
    expect(received[1]?.media).toEqual([{ kind: 'voice', ref: expect.stringMatching(/\.m4a$/) as unknown }]);

    // Telegram will not give the file: the sender is asked to send it again; nothing reaches the engine.
    api.failNext('getFile', { code: 400, description: 'Bad Request: file is too big' });
    user.sendVoice(fakeOgg('lost'));
    await user.waitFor(UPLOAD_ERRORS.voiceNotReceived);
    // An "audio" that is no sound we can play (a PDF renamed): refused the same way.
    user.sendAudio(Buffer.from('%PDF-1.7 not a recording'), 'notes.mp3', 'audio/mpeg');
    await user.waitFor(UPLOAD_ERRORS.notVoice);
    expect(received).toHaveLength(2);
    expect(readdirSync(uploadDir)).toHaveLength(2);
  });

  test('a stored voice note goes out uploaded from its bytes: OGG with sendVoice, M4A with sendAudio, the web page’s WebM with sendDocument; photos still with sendPhoto', async () => {
    const uploadDir = join(dir, 'voice-out-uploads');
    const store = new UploadStore(uploadDir);
    const telegram = new TelegramAdapter({ token: TOKEN, apiRoot: api.url, botInfo: BOT_INFO, pollTimeoutSeconds: 1, uploadDir });
    await telegram.start(() => Promise.resolve());
    cleanups.push(() => telegram.stop());
    const stored = async (bytes: Buffer) => {
      const result = await store.save(bytes);
      if (!result.ok) throw new Error(result.error);
      return result.url;
    };
    const ogg = fakeOgg('电工明天上午到');
    const m4a = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A '), Buffer.from('memo')]);
    const webm = fakeWebm('recorded on the web page');
    const photo = fakePng('the new bulb');
    const media = await Promise.all([ogg, m4a, webm].map(stored));
    const chatId = '7700002';
    const result = await telegram.send({
      channel: 'telegram',
      chatId,
      text: '您的诉求有新进展',
      choices: [],
      locale: 'zh',
      media: [...media.map((ref) => ({ kind: 'voice' as const, ref })), { kind: 'photo', ref: await stored(photo) }],
    });
    expect(result).toEqual({ status: 'sent' });
    expect(api.sounds(chatId).map((s) => [s.method, s.bytes.toString('latin1'), s.name?.replace(/^.*\./, '.')])).toEqual([
      ['sendVoice', ogg.toString('latin1'), '.ogg'],
      ['sendAudio', m4a.toString('latin1'), '.m4a'],
      ['sendDocument', webm.toString('latin1'), '.webm'],
    ]);
    expect(api.photos(chatId)).toEqual([photo]);
    // Then the text, after the media.
    expect(api.calls.filter((c) => String(c.body['chat_id']) === chatId).map((c) => c.method)).toEqual(['sendVoice', 'sendAudio', 'sendDocument', 'sendPhoto', 'sendMessage']);

    // A failed upload is a failed delivery, retried like a failed message.
    api.failNext('sendVoice', { code: 500, description: 'Internal Server Error' }, chatId);
    expect((await telegram.send({ channel: 'telegram', chatId, text: 'x', choices: [], locale: 'zh', media: [{ kind: 'voice', ref: media[0]! }] })).status).toBe('retry');
  });
});

describe('delivery failures and the webhook', () => {
  test('429 waits retry_after; 500 backs off then goes; 403 is unreachable and stops', async () => {
    const config = demoConfig('failures');
    const telegram = telegramAdapter();
    const app = await startTracked(config, [telegram]);
    const { db } = app.database;
    const person = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
    const push = async (chatId: string) => {
      const now = new Date();
      const row = await db.outboxMessage.create({
        data: {
          recipientId: person.id,
          channel: 'telegram',
          chatId,
          template: 'ticket.progress_resident',
          params: JSON.stringify({ number: 'MQ-2026-000001', note: '明天来修' }),
          createdAt: now,
          availableAt: now,
        },
      });
      return { id: row.id, at: now.getTime() };
    };
    const row = (id: number) => db.outboxMessage.findUniqueOrThrow({ where: { id } });

    // 429 with retry_after=3: the row waits at least 3 s (read from availableAt, no sleeping).
    api.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 3', retryAfter: 3 }, '7300001');
    const limited = await push('7300001');
    await expect.poll(async () => (await row(limited.id)).attempts, { timeout: 5_000, interval: 50 }).toBe(1);
    const afterLimit = await row(limited.id);
    expect(afterLimit.sentAt).toBeNull();
    expect(afterLimit.lastError).toContain('429');
    expect(afterLimit.availableAt.getTime() - limited.at).toBeGreaterThanOrEqual(3_000);

    // 500: retried with the scheduler's backoff (5 s after the first failure); made due now, it goes.
    api.failNext('sendMessage', { code: 500, description: 'Internal Server Error' }, '7300002');
    const flaky = await push('7300002');
    await expect.poll(async () => (await row(flaky.id)).attempts, { timeout: 5_000, interval: 50 }).toBe(1);
    const afterError = await row(flaky.id);
    expect(afterError.lastError).toContain('500');
    expect(afterError.availableAt.getTime() - flaky.at).toBeGreaterThanOrEqual(4_500);
    await db.outboxMessage.update({ where: { id: flaky.id }, data: { availableAt: new Date() } });
    await expect.poll(async () => (await row(flaky.id)).sentAt, { timeout: 5_000, interval: 50 }).not.toBeNull();

    // 403 (bot blocked): send says unreachable …
    api.failNext('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' }, '7300003');
    const direct = await telegram.send({ channel: 'telegram', chatId: '7300003', text: 'x', choices: [], locale: 'zh' });
    expect(direct).toEqual({ status: 'unreachable', error: '403: Forbidden: bot was blocked by the user' });
    api.failNext('sendMessage', { code: 400, description: 'Bad Request: chat not found' }, '7300003');
    expect((await telegram.send({ channel: 'telegram', chatId: '7300003', text: 'x', choices: [], locale: 'zh' })).status).toBe('unreachable');
    api.failNext('sendMessage', { code: 500, description: 'Internal Server Error' }, '7300003');
    expect((await telegram.send({ channel: 'telegram', chatId: '7300003', text: 'x', choices: [], locale: 'zh' })).status).toBe('retry');

    // … and the outbox never retries the blocked chat: the identity is marked unreachable and
    // the row is re-addressed (here to no chat: it waits until the person writes again).
    await db.channelIdentity.create({ data: { channel: 'telegram', platformUserId: '7300004', chatId: '7300004', personId: person.id } });
    for (let i = 0; i < 4; i++) api.failNext('sendMessage', { code: 403, description: 'Forbidden: user is deactivated' }, '7300004');
    const blocked = await push('7300004');
    await expect.poll(async () => (await row(blocked.id)).attempts, { timeout: 5_000, interval: 50 }).toBe(1);
    await new Promise((r) => setTimeout(r, 700)); // a few scheduler rounds
    const afterBlock = await row(blocked.id);
    expect(afterBlock).toMatchObject({ attempts: 1, channel: null, chatId: null, sentAt: null });
    expect(afterBlock.lastError).toContain('403');
    expect(api.attempts('7300004')).toHaveLength(1);
    const identity = await db.channelIdentity.findUniqueOrThrow({ where: { channel_platformUserId: { channel: 'telegram', platformUserId: '7300004' } } });
    expect(identity.unreachableAt).not.toBeNull();
  });

  test('webhook: setWebhook with the secret; a missing or wrong secret is 401 and nothing runs; the right one runs', async () => {
    const received: Inbound[] = [];
    const telegram = new TelegramAdapter({
      token: TOKEN,
      apiRoot: api.url,
      botInfo: BOT_INFO,
      webhook: { url: 'https://minqing.example.org/telegram/webhook', secret: 'the-secret_1', port: 0, host: '127.0.0.1' },
    });
    await telegram.start((inbound) => {
      received.push(inbound);
      return Promise.resolve();
    });
    cleanups.push(() => telegram.stop());
    expect(telegram.mode).toBe('webhook');
    const set = api.calls.filter((c) => c.method === 'setWebhook').at(-1);
    expect(set?.body).toMatchObject({ url: 'https://minqing.example.org/telegram/webhook', secret_token: 'the-secret_1' });

    const url = `http://127.0.0.1:${telegram.webhookPort}${WEBHOOK_PATH}`;
    const post = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(fixture('privateText')) });
    expect((await post({})).status).toBe(401);
    expect((await post({ 'x-telegram-bot-api-secret-token': 'wrong' })).status).toBe(401);
    expect(received).toHaveLength(0);
    expect((await post({ 'x-telegram-bot-api-secret-token': 'the-secret_1' })).status).toBe(200);
    expect(received).toEqual([expect.objectContaining({ messageId: 'm:7000001:41', text: '村口的路灯坏了好几天' })]);
    expect((await fetch(`http://127.0.0.1:${telegram.webhookPort}/other`, { method: 'POST' })).status).toBe(404);
  });

  test("the webhook server holds the web server's limits: a false Content-Length is cut at the request timeout with 408; past its share, an address gets 503", async () => {
    const telegram = new TelegramAdapter({
      token: TOKEN,
      apiRoot: api.url,
      botInfo: BOT_INFO,
      webhook: { url: 'https://minqing.example.org/telegram/webhook', secret: 'the-secret_1', port: 0, host: '127.0.0.1' },
      http: { headersTimeoutMs: 1000, requestTimeoutMs: 1000, keepAliveTimeoutMs: 1000, maxConnections: 100, maxConnectionsPerAddress: 2 },
    });
    await telegram.start(() => Promise.resolve());
    cleanups.push(() => telegram.stop());
    const raw = (text: string) => {
      const socket = connect({ host: '127.0.0.1', port: telegram.webhookPort ?? 0 });
      const seen = { answer: '', closedAfter: Infinity };
      const opened = performance.now();
      socket.on('error', () => undefined);
      socket.on('data', (d: Buffer) => (seen.answer += d.toString('latin1')));
      socket.on('close', () => (seen.closedAfter = performance.now() - opened));
      socket.write(text);
      return { socket, seen };
    };
    const liar = raw(
      `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: the-secret_1\r\nContent-Length: 5000\r\n\r\n{"update_id":`,
    );
    const idle = raw('');
    const third = raw('');
    await expect.poll(() => third.seen.closedAfter, { timeout: 1000 }).toBeLessThan(1000);
    expect(third.seen.answer).toMatch(/^HTTP\/1\.1 503/);
    await expect.poll(() => liar.seen.closedAfter, { timeout: 4000, interval: 100 }).toBeLessThan(2500);
    expect(liar.seen.answer).toMatch(/^HTTP\/1\.1 408/);
    idle.socket.destroy();
  });
});
