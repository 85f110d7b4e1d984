/**
 * The demo county's 受理登记 (src/org/demo-intake.ts): requests registered at the station,
 * by phone and by letter, one settled on the spot (即办), the same on both databases and
 * on every run; a second run adds nothing.
 */
import { describe, expect, test } from 'vitest';
import { seedDemoIntake } from '../../src/org/demo-intake.js';
import { channelFigures } from '../../src/stats/channels.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { rules } from '../helpers/org-fixture.js';

const NOW = new Date('2026-11-16T11:00:00+08:00');

eachFreshDatabase((freshDatabase) => {
  describe('demo intake', () => {
    test('four requests registered by the townships’ clerks, one 即办; the channel table counts them; a second run adds nothing', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      expect(await seedDemoIntake(database, { now: NOW, rules })).toBe(4);
      expect(await seedDemoIntake(database, { now: NOW, rules })).toBe(0);
      const tickets = await db.ticket.findMany({
        orderBy: { id: 'asc' },
        select: { channel: true, state: true, settledOnTheSpot: true, categoryCode: true, createdAt: true, resident: { select: { name: true, householdId: true } } },
      });
      expect(tickets.map((t) => [t.channel, t.categoryCode, t.state, t.settledOnTheSpot])).toEqual([
        ['station', 'sanitation', 'dispatched', false],
        ['phone', 'water', 'dispatched', false],
        ['station', 'welfare', 'resolved', true],
        ['letter', 'road', 'dispatched', false],
      ]);
      expect(tickets[1]!.resident).toEqual({ name: '周桂兰', householdId: null });
      expect(tickets[0]!.createdAt).toEqual(new Date(NOW.getTime() - 150 * 60_000));
      // Delivered as the demo history's pushes are: nothing waits in the outbox.
      expect(await db.outboxMessage.count({ where: { sentAt: null } })).toBe(0);
      const regionIds = (await db.region.findMany({ select: { id: true } })).map((r) => r.id);
      const { total } = await channelFigures(db, { regionIds, from: new Date('2026-11-01T00:00:00+08:00'), to: new Date('2026-12-01T00:00:00+08:00') });
      expect(total).toMatchObject({ received: 4, settledOnTheSpot: 1, resolved: 1, open: 3 });
    });
  });
});
