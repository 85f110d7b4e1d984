/**
 * The demo county's meetings, on both databases: the first village's last 村务议政会
 * recorded with its minutes and decisions (one assignment done, one late; their pushes
 * delivered in the past), and its next one with the agenda prepared, looking back on the
 * last one's decisions; once.
 */
import { describe, expect, test } from 'vitest';
import type { Agenda } from '../../src/meetings/agenda.js';
import { seedDemoMeetings } from '../../src/org/demo-meetings.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { rules } from '../helpers/org-fixture.js';

eachFreshDatabase((freshDatabase) => {
  describe('the demo meetings', () => {
    test('a past village meeting with minutes and decisions, the next one with its agenda', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      const NOW = new Date('2026-11-16T09:00:00+08:00');
      expect(await seedDemoMeetings(database, { now: NOW, rules })).toBe(2);
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const [past, next] = await db.meeting.findMany({ orderBy: { heldOn: 'asc' } });
      expect(past).toMatchObject({ regionId: village.id, kind: 'village', period: '2026-10', heldOn: '2026-10-20', key: `village:${village.id}:2026-10` });
      expect(past!.recordedAt).toEqual(new Date('2026-10-20T16:00:00+08:00'));
      expect(past!.minutes).toContain('通报上月民情');
      expect(await db.meetingAttendee.count({ where: { meetingId: past!.id, attended: true } })).toBeGreaterThan(0);
      const decisions = await db.meetingDecision.findMany({ where: { meetingId: past!.id }, orderBy: { id: 'asc' } });
      expect(decisions.map((d) => [d.kind, d.doneAt !== null])).toEqual([
        ['assignment', true],
        ['assignment', false],
        ['ledger', false],
      ]);
      expect(await db.outboxMessage.count({ where: { template: { in: ['meeting.assigned', 'meeting.ledger_assigned'] } } })).toBeGreaterThan(1);
      expect(await db.outboxMessage.count({ where: { template: { startsWith: 'meeting.' }, sentAt: null } })).toBe(0);
      expect(next).toMatchObject({ regionId: village.id, period: '2026-11', heldOn: '2026-11-20', recordedAt: null, agendaAt: NOW });
      const agenda = JSON.parse(next!.agenda) as Agenda;
      expect(agenda.previous?.meetingId).toBe(past!.id);
      expect(agenda.previous?.decisions.map((d) => d.status)).toEqual(['已完成 done', '逾期 late', '推进中 on track']);
      // Once is enough.
      expect(await seedDemoMeetings(database, { now: NOW, rules })).toBe(0);
    });
  });
});
