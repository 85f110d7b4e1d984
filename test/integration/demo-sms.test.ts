/**
 * The demo county's SMS (src/org/demo-sms.ts), on both databases: after the demo 受理登记,
 * the caller with no chat has her receipt by SMS, and the resident whose matter was
 * settled on the spot rated it with one SMS reply; the console's ticket pages show the
 * channel. The same on every run; a second run adds nothing.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { seedDemoIntake } from '../../src/org/demo-intake.js';
import { seedDemoSms } from '../../src/org/demo-sms.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { rules } from '../helpers/org-fixture.js';

eachDatabase((kind) => {
  describe('demo SMS', () => {
    const world = consoleWorldFor(kind);
    let dsp: ConsoleClient;

    beforeAll(async () => {
      expect(await seedDemoIntake(world.app.database, { now: world.clock.now(), rules })).toBe(4);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    test('a walk-in’s receipt and a rating in one reply, by SMS, shown with the channel on the ticket pages; a second run adds nothing', async () => {
      const { db } = world;
      expect(await seedDemoSms(world.app.database, { now: world.clock.now(), rules })).toBe(2);
      expect(await seedDemoSms(world.app.database, { now: world.clock.now(), rules })).toBe(0);

      const caller = await db.ticket.findFirstOrThrow({ where: { resident: { name: '周桂兰' } }, include: { resident: true } });
      const settled = await db.ticket.findFirstOrThrow({ where: { settledOnTheSpot: true }, include: { resident: { include: { household: true } } } });
      const sms = await db.smsMessage.findMany({ orderBy: { id: 'asc' } });
      expect(sms.map((m) => [m.phone, m.template])).toEqual([
        [caller.resident.phone, 'receipt'],
        [settled.resident.household!.phone, 'rating'],
      ]);
      expect(sms[0]!.text).toMatch(new RegExp(`^您的诉求已受理，编号${caller.number}，承诺\\d{1,2}月\\d{1,2}日 \\d{2}:\\d{2}前办结。$`));
      // The result shortened with … to fit one SMS, as the channel sends it.
      expect(sms[1]!.text).toBe(`您的诉求${settled.number}已办结：已当场讲解申领条件和所需材料，发放…。请评价，回复 1 满意 2 基本满意 3 不满意`);
      expect(sms.map((m) => m.segments)).toEqual([1, 1]);
      // Rated by the reply: 满意, with its words as the comment, and archived.
      expect(await db.ticket.findUniqueOrThrow({ where: { id: settled.id } })).toMatchObject({ rating: 'satisfied', state: 'closed' });
      const rated = await db.ticketEvent.findFirstOrThrow({ where: { ticketId: settled.id, type: 'callback' } });
      expect(JSON.parse(rated.data)).toMatchObject({ rating: 'satisfied', comment: '讲得很清楚，谢谢' });
      // Nothing waits in the outbox; what went by SMS is addressed to the SMS chats.
      expect(await db.outboxMessage.count({ where: { sentAt: null, failedAt: null } })).toBe(0);
      expect(await db.outboxMessage.count({ where: { channel: 'sms' } })).toBe(2);

      const callerPage = await dsp.page(`/console/tickets/${caller.number}`);
      expect(callerPage.text).toContain('短信 SMS');
      const settledPage = await dsp.page(`/console/tickets/${settled.number}`);
      expect(settledPage.text).toContain('短信 SMS');
      expect(settledPage.text).toContain('讲得很清楚，谢谢');
    });
  });
});
