/**
 * An SMS held by its number's daily cap, as staff see it, on both databases: the console
 * with the SMS channel on a local fake of Alibaba Cloud's API (cap 1 a day, no batching). A
 * dispatcher registers a caller with a mobile and no chat; the receipt goes by SMS, and the
 * acceptance that follows is held: the ticket page's messages say so where they say every
 * message's delivery state (from the row's heldFor, whatever its error text says), and say
 * 已送达 once it goes the next day.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSmsAdapter } from '../../bots/sms/sms-adapter.js';
import { parseConfig } from '../../src/config.js';
import { smsSettingsOf } from '../../src/sms/settings.js';
import { type ConsoleClient, type ConsoleWorld, loggedIn, startConsoleWorld } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { FakeSmsGateway, smsEnv } from '../helpers/fake-sms-gateway.js';
import { handle } from '../helpers/ticket-handler.js';

const CAPPED = '短信已达今日上限，明日发送 SMS daily limit reached; sends tomorrow';

const gateway = new FakeSmsGateway();
beforeAll(() => gateway.start());
afterAll(() => gateway.stop());

eachDatabase((kind) => {
  describe('an SMS held by the daily cap, on the console ticket page', () => {
    let world: ConsoleWorld;
    let dsp: ConsoleClient;
    const phone = `1392${kind.name === 'SQLite' ? 1 : 2}000001`;

    beforeAll(async () => {
      const config = parseConfig({ ...smsEnv(gateway.endpoint), SMS_DAILY_CAP: '1', SMS_BATCH_SECONDS: '0' });
      const settings = smsSettingsOf(config);
      if (!settings) throw new Error('the SMS settings were not taken');
      world = await startConsoleWorld({}, kind, (database, clock) => [createSmsAdapter(settings, config, { database, clock })]);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    afterAll(async () => {
      await world?.stop();
    });

    test('the held SMS reads 短信已达今日上限，明日发送 in its status, and 已送达 once it went the next day', async () => {
      const { db } = world;
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const res = await dsp.post('/console/intake', {
        resident: 'new',
        name: '钱来电',
        phone,
        channel: 'phone',
        region: String(village.id),
        category: 'power',
        description: '村口的路灯坏了，晚上看不见路',
        location: '村口大槐树',
      });
      expect(res.status).toBe(303);
      const number = /done=([A-Z]+-\d{4}-\d{6})/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
      await world.app.scheduler.tick();
      expect(gateway.sent.filter((c) => c.phone === phone)).toHaveLength(1);

      // The handler takes it: the acceptance is the number's second SMS today, one past the cap.
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      await handle(world.app, number, { type: 'accept' });
      await world.app.scheduler.tick();
      expect(gateway.sent.filter((c) => c.phone === phone)).toHaveLength(1);
      const held = await db.outboxMessage.findFirstOrThrow({ where: { ticketId: ticket.id, recipientId: ticket.residentId, template: 'ticket.accepted_resident' } });
      expect(held).toMatchObject({ channel: 'sms', sentAt: null, failedAt: null, heldFor: 'sms_daily_cap' });

      // The messages section, after the history.
      const messages = (text: string) => text.slice(text.indexOf('往来消息'));
      let page = await dsp.page(`/console/tickets/${number}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('往来消息');
      // Said once, for the held acceptance, and only there; the receipt that went reads 已送达.
      expect(page.text.split(CAPPED)).toHaveLength(2);
      expect(messages(page.text)).toContain(CAPPED);
      expect(messages(page.text)).toContain('已送达 sent');
      // The messages' CSV says it in the same words.
      expect(await (await dsp.get(`/console/tickets/${number}/messages.csv`)).text()).toContain(CAPPED);
      // The state is the row's own (heldFor), not read from its error text: another wording changes nothing staff read.
      await db.outboxMessage.update({ where: { id: held.id }, data: { lastError: '网关返回：今日发送次数已满' } });
      expect(messages((await dsp.page(`/console/tickets/${number}`)).text)).toContain(CAPPED);
      expect(await (await dsp.get(`/console/tickets/${number}/messages.csv`)).text()).toContain(CAPPED);

      // The next Beijing day it goes, and reads 已送达.
      world.clock.set('2026-11-17T09:00:00+08:00');
      await world.app.scheduler.tick();
      expect(gateway.sent.filter((c) => c.phone === phone)).toHaveLength(2);
      page = await dsp.page(`/console/tickets/${number}`);
      expect(page.text).not.toContain(CAPPED);
    });
  });
});
