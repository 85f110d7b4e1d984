/**
 * SMS for residents without a chat, against a local fake of Alibaba Cloud's SMS API
 * (test/helpers/fake-sms-gateway.ts) driven by the official SDK, on both databases: a clerk
 * registers a walk-in for a caller with a mobile and no chat (受理登记), and the receipt
 * reaches them by SMS; the resolution's rating question too, and a signed reply "1" rates
 * the ticket 满意 in one reply, answered in one SMS (an unsigned or badly signed callback changes nothing), as "3
 * 路灯还是不亮" rates it 不满意 with its comment (no comment step by SMS); pushes within the
 * batching window go as one SMS; the daily cap holds SMS visibly until the next day; a
 * gateway failure is retried and the SMS sent once; without settings there is no channel.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSmsAdapter, SMS_CALLBACK_PATH, SMS_SIGNATURE_HEADER } from '../../bots/sms/sms-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { registerIntake } from '../../src/intake/intake.js';
import { SMS_LENGTH } from '../../src/sms/render.js';
import { smsSettingsOf } from '../../src/sms/settings.js';
import { demoDatabaseUrl, eachDatabase, type TestDatabaseKind } from '../helpers/db.js';
import { MONDAY_MORNING } from '../helpers/dialogue-world.js';
import { FakeSmsGateway, SMS_TEST_SECRET as SECRET, SMS_TEST_SIGN as SIGN, SMS_TEST_TEMPLATES as TEMPLATES, smsEnv } from '../helpers/fake-sms-gateway.js';
import { FakeClock } from '../helpers/org-fixture.js';
import { handle } from '../helpers/ticket-handler.js';

const gateway = new FakeSmsGateway();
beforeAll(() => gateway.start());
afterAll(() => gateway.stop());

/** A running app with the SMS channel on a fresh demo county, its scheduler ticked by hand, and its callback served over HTTP. */
interface SmsWorld {
  app: App;
  clock: FakeClock;
  callbackUrl: string;
  /** One scheduler round. */
  tick(): Promise<void>;
  /** The clock moves on `seconds`, then a round. */
  later(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

async function smsWorld(kind: TestDatabaseKind, extra: Record<string, string> = {}): Promise<SmsWorld> {
  const database = await demoDatabaseUrl(kind);
  const config = parseConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', ...smsEnv(gateway.endpoint), ...extra });
  const clock = new FakeClock(MONDAY_MORNING);
  const opened: { app?: App } = {};
  const settings = smsSettingsOf(config);
  if (!settings) throw new Error('the SMS settings were not taken');
  const sms = createSmsAdapter(settings, config, { database: () => opened.app?.database, clock });
  const app = (opened.app = await startApp(config, { clock, adapters: [sms], runScheduler: false }));
  const server: Server = createServer((req, res) => {
    void sms.serveCallback(req, res).then((served) => {
      if (!served) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const tick = async () => void (await app.scheduler.tick());
  return {
    app,
    clock,
    callbackUrl: `http://127.0.0.1:${port}${SMS_CALLBACK_PATH}`,
    tick,
    async later(seconds) {
      clock.set(new Date(clock.now().getTime() + seconds * 1000));
      await tick();
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.stop();
      await database.drop();
    },
  };
}

/** A clerk of township QH-01 registers a caller with `phone` and no chat (受理登记, 来电). */
async function registerWalkIn(app: App, name: string, phone: string, description = '村口的路灯坏了，晚上看不见路'): Promise<string> {
  const { db } = app.database;
  const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
  const clerk = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
  const outcome = await registerIntake(
    app.pipeline,
    app.classifier,
    { personId: clerk.id, regionIds: [village.id] },
    { resident: { name, phone }, regionId: village.id, channel: 'phone', categoryCode: 'power', description, location: '', urgent: false, settled: null },
  );
  if (!outcome.ok) throw new Error(`intake refused: ${JSON.stringify(outcome.errors)}`);
  return outcome.number;
}

/** A walk-in for `phone`, taken, resolved, and asked by SMS for its rating: its number. */
async function resolvedBySms(world: SmsWorld, name: string, phone: string): Promise<string> {
  const number = await registerWalkIn(world.app, name, phone);
  await world.tick();
  await world.later(61);
  await handle(world.app, number, { type: 'accept' });
  await world.tick();
  await world.later(61);
  await handle(world.app, number, { type: 'resolve', result: '已更换路灯灯泡' });
  await world.tick();
  await world.later(61);
  return number;
}

function sentTo(phone: string) {
  return gateway.sent.filter((c) => c.phone === phone);
}

function callsTo(phone: string) {
  return gateway.calls.filter((c) => c.phone === phone);
}

/** Alibaba's SmsUp push of one reply. */
function replyPush(phone: string, content: string, sequenceId: number): string {
  return JSON.stringify([{ phone_number: phone, content, send_time: '2026-11-16 10:00:00', sign_name: SIGN, dest_code: '1234', sequence_id: sequenceId }]);
}

function signed(body: string, secret = SECRET): Record<string, string> {
  return { [SMS_SIGNATURE_HEADER]: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };
}

/** A mobile number of its own for each test and database (the fake gateway serves both suites). */
function mobile(kind: TestDatabaseKind, n: number): string {
  return `1391${kind.name === 'SQLite' ? 1 : 2}${String(n).padStart(6, '0')}`;
}

eachDatabase((kind) => {
  describe('SMS for residents without a chat', () => {
    let world: SmsWorld;

    beforeAll(async () => {
      world = await smsWorld(kind);
    });

    afterAll(async () => {
      await world?.stop();
    });

    test('a walk-in registered for a caller with a mobile and no chat gets the receipt by SMS: the number and the deadline, in one SMS', async () => {
      const phone = mobile(kind, 1);
      const number = await registerWalkIn(world.app, '王来电', `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`);
      const ticket = await world.app.database.db.ticket.findUniqueOrThrow({ where: { number } });
      await world.tick();
      // Addressed to the caller's SMS chat, held for the batching window.
      const receipt = await world.app.database.db.outboxMessage.findFirstOrThrow({ where: { ticketId: ticket.id, recipientId: ticket.residentId } });
      expect(receipt).toMatchObject({ channel: 'sms', chatId: phone, sentAt: null });
      expect(sentTo(phone)).toHaveLength(0);
      await world.later(61);
      const [sms] = sentTo(phone);
      expect(sentTo(phone)).toHaveLength(1);
      expect(sms).toMatchObject({ action: 'SendSms', signName: SIGN, templateCode: TEMPLATES.SMS_TEMPLATE_RECEIPT });
      // 2026-11-16 is a Monday: the deadline is a working-day one, as in the chat's receipt.
      expect(Object.keys(sms!.params).sort()).toEqual(['deadline', 'number']);
      expect(sms!.params['number']).toBe(number);
      expect(sms!.params['deadline']).toMatch(/^\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
      const record = await world.app.database.db.smsMessage.findFirstOrThrow({ where: { phone } });
      expect(record.text).toBe(`您的诉求已受理，编号${number}，承诺${sms!.params['deadline']}前办结。`);
      expect([...`【${SIGN}】${record.text}`].length).toBeLessThanOrEqual(SMS_LENGTH);
      expect(record).toMatchObject({ template: 'receipt', segments: 1 });
      expect(record.providerId).toMatch(/\^0$/);
      expect((await world.app.database.db.outboxMessage.findUniqueOrThrow({ where: { id: receipt.id } })).sentAt).not.toBeNull();
    });

    test('the resolution asks for a rating by SMS, and a signed reply "1" rates the ticket 满意; an unsigned or badly signed callback changes nothing', async () => {
      const phone = mobile(kind, 2);
      const { db } = world.app.database;
      const number = await resolvedBySms(world, '李来访', phone);
      expect(sentTo(phone).map((c) => c.templateCode)).toEqual([TEMPLATES.SMS_TEMPLATE_RECEIPT, TEMPLATES.SMS_TEMPLATE_PROGRESS, TEMPLATES.SMS_TEMPLATE_RATING]);
      const rating = sentTo(phone)[2];
      expect(rating).toMatchObject({ templateCode: TEMPLATES.SMS_TEMPLATE_RATING, params: { number, result: '已更换路灯灯泡' } });
      const text = (await db.smsMessage.findFirstOrThrow({ where: { phone, template: 'rating' } })).text;
      expect(text).toBe(`您的诉求${number}已办结：已更换路灯灯泡。请评价，回复 1 满意 2 基本满意 3 不满意`);
      expect([...`【${SIGN}】${text}`].length).toBeLessThanOrEqual(SMS_LENGTH);

      const post = (body: string, headers: Record<string, string> = {}, query = '') =>
        fetch(`${world.callbackUrl}${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      // No secret, a signature made with another secret, a wrong token: refused, nothing rated.
      expect((await post(replyPush(phone, '1', 5001))).status).toBe(401);
      expect((await post(replyPush(phone, '1', 5002), signed(replyPush(phone, '1', 5002), 'another-secret-0123456789'))).status).toBe(401);
      expect((await post(replyPush(phone, '1', 5003), {}, '?token=wrong-token-0123456789')).status).toBe(401);
      // A signature over another body does not carry over.
      expect((await post(replyPush(phone, '1', 5004), signed(replyPush(phone, '3', 5004)))).status).toBe(401);
      expect((await db.ticket.findUniqueOrThrow({ where: { number } })).rating).toBeNull();

      const reply = replyPush(phone, '1', 5005);
      const smsBeforeReply = await db.smsMessage.count({ where: { phone } });
      const accepted = await post(reply, signed(reply));
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ code: 0, msg: '成功' });
      // One reply rates: no comment asked for (each SMS costs); the thanks is the answer.
      expect((await db.ticket.findUniqueOrThrow({ where: { number } })).rating).toBe('satisfied');
      const answer = (await db.smsMessage.findMany({ where: { phone }, orderBy: { id: 'asc' } })).slice(smsBeforeReply).map((m) => m.text);
      // The turn's replies (the thanks, then what can be done next) go as one SMS: each costs, and two may arrive out of order.
      expect(answer).toHaveLength(1);
      expect(answer[0]).toMatch(/^感谢您的评价[^]*回复 1 /);
      expect(answer.join(' ')).not.toContain('跳过');
      const rated = await db.ticketEvent.findFirstOrThrow({ where: { ticket: { number }, type: 'callback' } });
      expect(JSON.parse(rated.data)).toMatchObject({ rating: 'satisfied', comment: null });
      // The provider pushing the same reply again changes nothing, and costs nothing.
      const smsBefore = await db.smsMessage.count({ where: { phone } });
      const eventsBefore = await db.ticketEvent.count({ where: { ticket: { number } } });
      expect((await post(reply, signed(reply))).status).toBe(200);
      expect(await db.smsMessage.count({ where: { phone } })).toBe(smsBefore);
      expect(await db.ticketEvent.count({ where: { ticket: { number } } })).toBe(eventsBefore);
      // The token in the URL (how Alibaba's console is set up) is our secret too.
      const tokenReply = replyPush(phone, '谢谢', 5007);
      expect((await post(tokenReply, {}, `?token=${SECRET}`)).status).toBe(200);
    });

    test('a reply "3 路灯还是不亮" rates 不满意 with its words as the comment, in one SMS, and the ticket is reopened', async () => {
      const phone = mobile(kind, 7);
      const { db } = world.app.database;
      const number = await resolvedBySms(world, '郑来访', phone);
      expect(sentTo(phone).at(-1)!.templateCode).toBe(TEMPLATES.SMS_TEMPLATE_RATING);
      const reply = replyPush(phone, '3 路灯还是不亮', 5101);
      const smsBeforeReply = await db.smsMessage.count({ where: { phone } });
      expect((await fetch(world.callbackUrl, { method: 'POST', headers: signed(reply), body: reply })).status).toBe(200);
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      expect(ticket).toMatchObject({ rating: null, state: 'reopened' });
      const rated = await db.ticketEvent.findFirstOrThrow({ where: { ticketId: ticket.id, type: 'callback' } });
      expect(JSON.parse(rated.data)).toMatchObject({ rating: 'dissatisfied', comment: '路灯还是不亮' });
      const answer = (await db.smsMessage.findMany({ where: { phone }, orderBy: { id: 'asc' } })).slice(smsBeforeReply).map((m) => m.text);
      expect(answer[0]).toContain('将重新办理');
      expect(answer.join(' ')).not.toContain('跳过');
    });

    test('a reply from a number we never wrote to is logged and gets nothing', async () => {
      const { db } = world.app.database;
      const stranger = mobile(kind, 99);
      const people = await db.person.count();
      const body = replyPush(stranger, '你好', 6001);
      const res = await fetch(world.callbackUrl, { method: 'POST', headers: signed(body), body });
      expect(res.status).toBe(200);
      await world.later(61);
      expect(callsTo(stranger)).toHaveLength(0);
      expect(await db.person.count()).toBe(people);
    });

    test('pushes within the batching window go out as one SMS', async () => {
      const phone = mobile(kind, 3);
      const { db } = world.app.database;
      const number = await registerWalkIn(world.app, '赵来信', phone);
      await world.tick();
      // The handler takes it within the minute: the receipt and the acceptance wait together.
      await world.later(20);
      await handle(world.app, number, { type: 'accept' });
      await world.later(20);
      expect(sentTo(phone)).toHaveLength(0);
      await world.later(30);
      expect(sentTo(phone)).toHaveLength(1);
      const [sms] = sentTo(phone);
      expect(sms!.templateCode).toBe(TEMPLATES.SMS_TEMPLATE_GENERIC);
      expect(sms!.params['content']).toContain(`您的诉求已受理，编号${number}`);
      expect(sms!.params['content']).toContain('已由经办人签收');
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      const rows = await db.outboxMessage.findMany({ where: { ticketId: ticket.id, recipientId: ticket.residentId } });
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.sentAt !== null && r.channel === 'sms')).toBe(true);
      expect(await db.smsMessage.count({ where: { phone } })).toBe(1);
    });

    test('a gateway failure (HTTP 500, then a rate limit) is retried, and the SMS is sent once', async () => {
      const phone = mobile(kind, 5);
      const { db } = world.app.database;
      // What earlier tests left queued goes first, so that the failures below are this SMS's.
      await world.later(120);
      const number = await registerWalkIn(world.app, '孙来电', phone);
      await world.tick();
      gateway.failNext(500, 'rate_limit');
      await world.later(61);
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      const row = () => db.outboxMessage.findFirstOrThrow({ where: { ticketId: ticket.id, recipientId: ticket.residentId } });
      const failed = await row();
      expect(failed).toMatchObject({ sentAt: null, attempts: 1 });
      expect(failed.lastError).toContain('500');
      await world.later(5);
      const limited = await row();
      expect(limited).toMatchObject({ sentAt: null, attempts: 2 });
      expect(limited.lastError).toContain('isv.BUSINESS_LIMIT_CONTROL');
      await world.later(10);
      expect(callsTo(phone).map((c) => c.answer)).toEqual(['500', 'isv.BUSINESS_LIMIT_CONTROL', 'OK']);
      expect((await row()).sentAt).not.toBeNull();
      await world.later(120);
      expect(sentTo(phone)).toHaveLength(1);
      expect(await db.smsMessage.count({ where: { phone } })).toBe(1);
    });

    test('once the resident binds a chat and uses it, new messages go to the chat, not by SMS', async () => {
      const phone = mobile(kind, 6);
      const { db } = world.app.database;
      const number = await registerWalkIn(world.app, '吴来访', phone);
      await world.tick();
      await world.later(61);
      expect(sentTo(phone)).toHaveLength(1);
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      await db.channelIdentity.create({
        data: { channel: 'web', platformUserId: `web-${phone}`, chatId: `web-${phone}`, personId: ticket.residentId, lastUsedAt: world.clock.now() },
      });
      await handle(world.app, number, { type: 'accept' });
      const accepted = await db.outboxMessage.findFirstOrThrow({ where: { ticketId: ticket.id, recipientId: ticket.residentId, template: 'ticket.accepted_resident' } });
      expect(accepted).toMatchObject({ channel: 'web', chatId: `web-${phone}` });
      await world.later(61);
      expect(sentTo(phone)).toHaveLength(1);
    });
  });

  describe('the SMS daily cap', () => {
    let world: SmsWorld;

    beforeAll(async () => {
      world = await smsWorld(kind, { SMS_DAILY_CAP: '2', SMS_BATCH_SECONDS: '0' });
    });

    afterAll(async () => {
      await world?.stop();
    });

    test('past the cap an SMS waits, visibly, for the next Beijing day, and goes then', async () => {
      const phone = mobile(kind, 4);
      const { db } = world.app.database;
      const number = await registerWalkIn(world.app, '周来访', phone);
      await world.tick();
      await handle(world.app, number, { type: 'accept' });
      await world.tick();
      expect(sentTo(phone)).toHaveLength(2);
      await handle(world.app, number, { type: 'progress', note: '已联系供电所，明天上午来修' });
      await world.tick();
      await world.later(3600);
      expect(sentTo(phone)).toHaveLength(2);
      const held = await db.outboxMessage.findFirstOrThrow({ where: { chatId: phone, template: 'ticket.progress_resident' } });
      expect(held).toMatchObject({ sentAt: null, failedAt: null, heldFor: 'sms_daily_cap' });
      expect(held.lastError).toContain('SMS daily cap reached');
      // Held until midnight, Beijing time.
      expect(held.availableAt.toISOString()).toBe('2026-11-16T16:00:00.000Z');
      world.clock.set('2026-11-17T09:00:00+08:00');
      await world.tick();
      expect(sentTo(phone)).toHaveLength(3);
      expect(sentTo(phone)[2]!.params['number']).toBe(number);
      expect(sentTo(phone)[2]!.params['content']).toContain('已联系供电所');
      expect(await db.smsMessage.count({ where: { phone } })).toBe(3);
    });
  });
});

describe('SMS settings', () => {
  test('without settings there is no SMS channel; some but not all is an error naming what is missing', () => {
    expect(smsSettingsOf(parseConfig({}))).toBeUndefined();
    expect(() => parseConfig({ SMS_ACCESS_KEY_ID: 'LTAI-test', SMS_SIGN_NAME: SIGN })).toThrow(ConfigError);
    expect(() => parseConfig({ SMS_ACCESS_KEY_ID: 'LTAI-test', SMS_SIGN_NAME: SIGN })).toThrow(/SMS_ACCESS_KEY_SECRET.*SMS_CALLBACK_SECRET/);
    expect(smsSettingsOf(parseConfig(smsEnv('http://127.0.0.1:9')))).toMatchObject({ signName: SIGN, endpoint: 'http://127.0.0.1:9', templates: { rating: 'SMS_900003' } });
  });
});
