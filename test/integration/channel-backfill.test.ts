/**
 * The migration that added `Ticket.channel` filled it in for the tickets before it, from
 * their intake event: the chat platform it recorded, or 走访 for a need a liaison filed on
 * a visit. Its backfill statement, as committed for each database, run on tickets whose
 * column is empty again.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { eachFreshDatabase } from '../helpers/db.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

const MIGRATION = '20261207100528_ticket_channel';

/** The statement after the migration's backfill comment. */
function backfillOf(provider: 'sqlite' | 'postgres'): string {
  const text = readFileSync(new URL(`../../prisma/migrations/${provider}/${MIGRATION}/migration.sql`, import.meta.url), 'utf8');
  const start = text.indexOf('-- Backfill');
  expect(start).toBeGreaterThan(0);
  return text.slice(text.indexOf('\n', start) + 1).trim();
}

eachFreshDatabase((freshDatabase, kind) => {
  describe('the channel backfill', () => {
    test('a chat report gets its platform, a need filed on a visit 走访, a ticket with no channel recorded stays empty', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      const pipeline = new PipelineService({ db, rules, clock: new FakeClock(new Date('2026-11-16T09:00:00+08:00')) });
      const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      const liaison = await db.pairing.findFirstOrThrow({ where: { householdId: resident.householdId! } });
      const file = async (extra: { via?: string; registeredBy?: number }) => {
        const outcome = await pipeline.report({ residentId: resident.id, categoryCode: 'power', kind: 'help', summary: '路灯坏了', ...extra });
        if (!outcome.ok) throw new Error(JSON.stringify(outcome.refusal));
        return outcome.ticket.id;
      };
      const chat = await file({ via: 'wechat' });
      const visit = await file({ via: 'telegram', registeredBy: liaison.liaisonId });
      const unknown = await file({});
      await db.ticket.updateMany({ data: { channel: null } });
      await db.$executeRawUnsafe(backfillOf(kind.name === 'PostgreSQL' ? 'postgres' : 'sqlite'));
      const channels = new Map((await db.ticket.findMany({ select: { id: true, channel: true } })).map((t) => [t.id, t.channel]));
      expect([channels.get(chat), channels.get(visit), channels.get(unknown)]).toEqual(['wechat', 'visit', null]);
    });
  });
});
