/**
 * The demo county's 帮扶 cases (src/org/demo-assistance.ts), on both databases: one in each
 * step, played through the store and machine, the urgent one overdue at the village, each
 * household with its difficulty record.
 */
import { describe, expect, test } from 'vitest';
import { isOverdue } from '../../src/assistance/machine.js';
import { seedDemoAssistance } from '../../src/org/demo-assistance.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { rules } from '../helpers/org-fixture.js';

const NOW = new Date('2026-11-16T09:00:00+08:00');

eachFreshDatabase((freshDatabase) => {
  describe('demo assistance', () => {
    test('six cases, one in each step; the urgent one overdue; every household with its record', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      expect(await seedDemoAssistance(database, rules, NOW)).toBe(6);
      const cases = await db.assistanceCase.findMany({ orderBy: { id: 'asc' } });
      expect(cases.map((c) => c.state)).toEqual(['closed', 'delivered', 'notice', 'village_verified', 'reported', 'rejected']);
      expect(cases.filter((c) => isOverdue(c, NOW)).map((c) => c.urgent)).toEqual([true]);
      const onNotice = cases[2]!;
      expect(onNotice.noticeUntil!.getTime()).toBeGreaterThan(NOW.getTime());
      expect(onNotice.deliverBy! >= '2026-11-21').toBe(true);
      expect(await db.hardshipRecord.count()).toBe(6);
      expect(await db.assistanceEvent.count()).toBe(6 + 4 + 3 + 2 + 1 + 0 + 1);
      // The urgent case told the township, and no push waits for a chat (none has one in the demo).
      expect(await db.outboxMessage.count({ where: { template: 'assistance.urgent' } })).toBe(1);
      expect(await db.outboxMessage.count({ where: { sentAt: null } })).toBe(0);
    });
  });
});
