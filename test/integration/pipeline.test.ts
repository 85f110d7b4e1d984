import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { render } from '../../src/engine/i18n.js';
import { type OutboxDelivery, Scheduler } from '../../src/pipeline/scheduler.js';
import { actorFor, PipelineService } from '../../src/pipeline/service.js';
import { eachDatabase, POSTGRES, type TestDatabase, type TestDatabaseKind } from '../helpers/db.js';
import { buildOrg, FakeClock, type Org, rules } from '../helpers/org-fixture.js';

/** Runs `work` on a fresh database of `kind` with the test org, a clock at Monday 09:00 and a pipeline; disposes it after. */
async function withWorld(kind: TestDatabaseKind, work: (world: { database: TestDatabase; org: Org; clock: FakeClock; pipeline: PipelineService }) => Promise<void>): Promise<void> {
  const database = await kind.fresh();
  try {
    const org = await buildOrg(database.db);
    const clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
    await work({ database, org, clock, pipeline: new PipelineService({ db: database.db, rules, clock }) });
  } finally {
    await database.dispose();
  }
}

eachDatabase((kind) => {
  describe('pipeline', () => {
    let database: TestDatabase;
    let org: Org;
    let clock: FakeClock;
    let pipeline: PipelineService;

    beforeEach(async () => {
      database = await kind.fresh();
      org = await buildOrg(database.db);
      // Monday 2026-11-16, 09:00 Beijing time.
      clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
      pipeline = new PipelineService({ db: database.db, rules, clock });
    });
    afterEach(async () => {
      await database.dispose();
    });

    /** The outbox as (recipient, template) pairs, oldest first. */
    async function outbox() {
      const rows = await database.db.outboxMessage.findMany({ orderBy: { id: 'asc' } });
      return rows.map((r) => [r.recipientId, r.template] as const);
    }

    test('the full lifecycle: report → … → 不满意 → reopen → … → 满意 → closed', async () => {
      const db = database.db;
      const { resident, liaison } = org;
      const residentActor = await actorFor(db, resident.id);
      const liaisonActor = await actorFor(db, liaison.id);

      const reported = await pipeline.report({
        residentId: resident.id,
        categoryCode: 'power',
        kind: 'help',
        summary: '村口路灯坏了好几天',
        description: '晚上路过很黑',
      });
      if (!reported.ok) throw new Error(JSON.stringify(reported.refusal));
      const number = reported.ticket.number;
      expect(number).toBe('MQ-2026-000001');
      expect(reported.ticket).toMatchObject({
        state: 'dispatched',
        assigneeId: liaison.id,
        level: 'village',
        handlingRegionId: org.village.id,
        gridId: org.grid.id,
        householdId: org.household.id,
      });
      expect(reported.ticket.resolveBy).toEqual(new Date('2026-11-19T17:30:00+08:00'));

      const step = async (command: Parameters<PipelineService['execute']>[1], actor = liaisonActor) => {
        clock.advanceHours(1);
        const outcome = await pipeline.execute(number, command, actor);
        if (!outcome.ok) throw new Error(JSON.stringify(outcome.refusal));
        // The ticket returned is the row as stored (it is not read back).
        expect(outcome.ticket).toEqual(await db.ticket.findUniqueOrThrow({ where: { number } }));
        return outcome.ticket;
      };
      await step({ type: 'accept' });
      await step({ type: 'progress', note: '已联系供电所，明天来修' });
      await step({ type: 'resolve', result: '已更换灯泡' });
      const reopened = await step({ type: 'rate', rating: 'dissatisfied', comment: '晚上还是不亮' }, residentActor);
      expect(reopened).toMatchObject({ state: 'reopened', reopenCount: 1, assigneeId: liaison.id, rating: null });
      await step({ type: 'accept' });
      await step({ type: 'resolve', result: '更换了线路，已亮' });
      const closed = await step({ type: 'rate', rating: 'satisfied' }, residentActor);
      expect(closed).toMatchObject({ state: 'closed', rating: 'satisfied', solved: true, reopenCount: 1, version: 7 });

      const events = await db.ticketEvent.findMany({ where: { ticketId: closed.id }, orderBy: { seq: 'asc' } });
      expect(events.map((e) => [e.seq, e.type, e.fromState, e.toState])).toEqual([
        [1, 'received', null, 'received'],
        [2, 'dispatched', 'received', 'dispatched'],
        [3, 'accepted', 'dispatched', 'accepted'],
        [4, 'progress', 'accepted', 'in_progress'],
        [5, 'resolved', 'in_progress', 'resolved'],
        [6, 'callback', 'resolved', 'callback'],
        [7, 'reopened', 'callback', 'reopened'],
        [8, 'accepted', 'reopened', 'accepted'],
        [9, 'resolved', 'accepted', 'resolved'],
        [10, 'callback', 'resolved', 'callback'],
        [11, 'closed', 'callback', 'closed'],
      ]);
      expect(events.find((e) => e.seq === 6)?.actorId).toBe(resident.id);
      expect(JSON.parse(events.find((e) => e.seq === 6)?.data ?? '{}')).toMatchObject({ rating: 'dissatisfied', comment: '晚上还是不亮' });

      expect(await outbox()).toEqual([
        [liaison.id, 'ticket.assigned'],
        [resident.id, 'ticket.received_resident'],
        [resident.id, 'ticket.accepted_resident'],
        [resident.id, 'ticket.progress_resident'],
        [resident.id, 'ticket.resolved_resident'],
        [liaison.id, 'ticket.reopened_handler'],
        [resident.id, 'ticket.reopened_resident'],
        [resident.id, 'ticket.accepted_resident'],
        [resident.id, 'ticket.resolved_resident'],
      ]);
      // Every outbox row renders in both languages.
      for (const row of await db.outboxMessage.findMany()) {
        for (const locale of ['zh', 'en'] as const) {
          expect(render(locale, row.template, JSON.parse(row.params) as Record<string, unknown>)).not.toMatch(/\{\w+\}/);
        }
      }
      // A closed ticket keeps no pending timer.
      expect(await db.timer.count({ where: { ticketId: closed.id, firedAt: null } })).toBe(0);
    });

    test('a refusal writes nothing', async () => {
      const reported = await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: '路灯坏了' });
      if (!reported.ok) throw new Error('refused');
      const before = { events: await database.db.ticketEvent.count(), outbox: await database.db.outboxMessage.count() };
      // The liaison it went to may resolve it, but not before accepting it.
      const outcome = await pipeline.execute(reported.ticket.number, { type: 'resolve', result: '好了' }, await actorFor(database.db, org.liaison.id));
      expect(outcome).toEqual({ ok: false, refusal: { code: 'wrong_state', command: 'resolve', state: 'dispatched' } });
      // The grid's leader may know of it, but may not resolve what is not theirs, whatever its state.
      const leader = await pipeline.execute(reported.ticket.number, { type: 'resolve', result: '好了' }, await actorFor(database.db, org.leader.id));
      expect(leader).toEqual({ ok: false, refusal: { code: 'not_allowed', command: 'resolve' } });
      expect({ events: await database.db.ticketEvent.count(), outbox: await database.db.outboxMessage.count() }).toEqual(before);
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number: reported.ticket.number } })).version).toBe(0);
    });

    test('routing falls back to the grid leader, then to the township department', async () => {
      await database.db.pairing.deleteMany();
      const toLeader = await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: '停电了' });
      expect(toLeader.ok && toLeader.ticket.assigneeId).toBe(org.leader.id);
      await database.db.personRole.deleteMany({ where: { role: 'grid_leader' } });
      const toDept = await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: '电压不稳' });
      expect(toDept.ok && toDept.ticket).toMatchObject({
        assigneeId: null,
        assigneeDepartmentId: org.department.id,
        level: 'township',
        handlingRegionId: org.township.id,
        number: 'MQ-2026-000002',
      });
      // The department's staff get the assignment ping.
      expect(await outbox()).toContainEqual([org.handler.id, 'ticket.assigned']);
    });

    test('a return reaches the township dispatcher, who dispatches again', async () => {
      const reported = await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: '路灯坏了' });
      if (!reported.ok) throw new Error('refused');
      const number = reported.ticket.number;
      const returned = await pipeline.execute(number, { type: 'return', reason: '这是供电所的事' }, await actorFor(database.db, org.liaison.id));
      expect(returned.ok && returned.ticket.state).toBe('returned');
      // The village has no dispatcher: the message goes up to the township's.
      expect(await outbox()).toContainEqual([org.dispatcher.id, 'ticket.returned_dispatcher']);
      const redispatched = await pipeline.execute(number, { type: 'dispatch', target: { departmentId: org.department.id } }, await actorFor(database.db, org.dispatcher.id));
      expect(redispatched.ok && redispatched.ticket).toMatchObject({ state: 'dispatched', assigneeDepartmentId: org.department.id });
    });

    test('the scheduler forgets received message ids past their retention, oldest first and hourly; recent ones still catch a re-delivery', async () => {
      const scheduler = new Scheduler({ database, pipeline, clock, inboundRetentionDays: 30 });
      const daysAgo = (days: number) => new Date(clock.now().getTime() - days * 86_400_000);
      const receive = (messageId: string, days: number) => database.db.inboundMessage.create({ data: { channel: 'web', messageId, chatId: 'c', receivedAt: daysAgo(days) } });
      for (const [messageId, days] of [
        ['m1', 40],
        ['m2', 35],
        ['m3', 31],
        ['m4', 2],
        ['m5', 0],
      ] as const)
        await receive(messageId, days);
      const ids = async () => (await database.db.inboundMessage.findMany({ orderBy: { id: 'asc' } })).map((m) => m.messageId);

      expect((await scheduler.forgetExpired()).inbound).toBe(3);
      expect(await ids()).toEqual(['m4', 'm5']);
      // The platform re-delivers a recent message: its id is still there, so it is a duplicate.
      await expect(receive('m5', 0)).rejects.toThrow();
      // Within the hour nothing runs; after it, the old rows at the front go, and a row
      // dated in the past behind a kept one (a clock set back) waits its turn.
      await receive('m6', 50);
      expect((await scheduler.forgetExpired()).inbound).toBe(0);
      clock.advanceHours(2);
      expect((await scheduler.forgetExpired()).inbound).toBe(0);
      expect(await ids()).toEqual(['m4', 'm5', 'm6']);
      // A month on, m4 and m5 have aged too: all three go.
      clock.advanceHours(24 * 31);
      expect((await scheduler.forgetExpired()).inbound).toBe(3);
      expect(await ids()).toEqual([]);
    });

    test('the scheduler reminds, flags overdue tickets to supervisors and closes unanswered callbacks', async () => {
      const reported = await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: '路灯坏了' });
      if (!reported.ok) throw new Error('refused');
      const number = reported.ticket.number;
      const scheduler = new Scheduler({ database, pipeline, clock });

      expect(await scheduler.fireDueTimers()).toBe(0);
      // Tuesday 14:00: the accept reminder (4 h before 17:30) is due.
      clock.set('2026-11-17T14:00:00+08:00');
      expect(await scheduler.fireDueTimers()).toBe(1);
      expect(await outbox()).toContainEqual([org.liaison.id, 'ticket.accept_reminder']);
      // Tuesday 18:00: accept overdue → supervisors hear of it.
      clock.set('2026-11-17T18:00:00+08:00');
      expect(await scheduler.fireDueTimers()).toBe(1);
      expect(await outbox()).toContainEqual([org.supervisor.id, 'ticket.overdue_supervisor']);

      const liaison = await actorFor(database.db, org.liaison.id);
      await pipeline.execute(number, { type: 'accept' }, liaison);
      // Friday: resolve reminder and resolve overdue both fire; the ticket is supervised.
      clock.set('2026-11-20T09:00:00+08:00');
      expect(await scheduler.fireDueTimers()).toBe(2);
      const overdue = await database.db.ticket.findUniqueOrThrow({ where: { number } });
      expect(overdue).toMatchObject({ overdue: true, supervised: true });

      await pipeline.execute(number, { type: 'resolve', result: '已修好' }, liaison);
      // Three working days later the unanswered callback closes the ticket.
      clock.set('2026-11-25T18:00:00+08:00');
      expect(await scheduler.fireDueTimers()).toBe(1);
      const closed = await database.db.ticket.findUniqueOrThrow({ where: { number } });
      expect(closed.state).toBe('closed');
      const types = (await database.db.ticketEvent.findMany({ where: { ticketId: closed.id }, orderBy: { seq: 'asc' } })).map((e) => e.type);
      expect(types.slice(-2)).toEqual(['callback_timeout', 'closed']);
      expect(await scheduler.fireDueTimers()).toBe(0);
    });

    test('the outbox is delivered once, retried with backoff, and never retried against a blocked chat', async () => {
      await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: '路灯坏了' });
      const sent: OutboxDelivery[] = [];
      let failNext = 1;
      const scheduler = new Scheduler({
        database,
        pipeline,
        clock,
        maxAttempts: 2,
        outboxTargets: [{ channel: 'console' }],
        deliver: (message) => {
          if (message.recipientId === org.resident.id && failNext-- > 0) {
            return Promise.resolve({ status: 'retry', error: 'HTTP 500', retryAfterMs: 30_000 });
          }
          if (message.recipientId === org.liaison.id) return Promise.resolve({ status: 'unreachable', error: 'blocked' });
          sent.push(message);
          return Promise.resolve({ status: 'sent' });
        },
      });
      expect(await scheduler.deliverOutbox()).toBe(0);
      clock.advanceHours(0.01); // 36 s later: past retry_after
      expect(await scheduler.deliverOutbox()).toBe(1);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.text).toContain('您的诉求已受理，编号 MQ-2026-000001');
      clock.advanceHours(1);
      await scheduler.deliverOutbox();
      const rows = await database.db.outboxMessage.findMany({ orderBy: { id: 'asc' } });
      // The liaison's only chat is blocked: tried once, then parked unaddressed (never retried
      // against it) until the liaison writes again; the resident's failed twice, then went out.
      expect(rows.map((r) => [r.recipientId, r.attempts, r.sentAt !== null, r.failedAt !== null, r.channel])).toEqual([
        [org.liaison.id, 1, false, false, null],
        [org.resident.id, 2, true, false, 'console'],
      ]);
      expect(await scheduler.deliverOutbox()).toBe(0);
      expect(sent).toHaveLength(1);
    });
  });

  describe('failing deliveries', () => {
    test('a message that keeps failing is marked failed after the last attempt, then left alone', async () => {
      await withWorld(kind, async ({ database, org, clock, pipeline }) => {
        await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: '路灯坏了' });
        let calls = 0;
        const scheduler = new Scheduler({
          database,
          pipeline,
          clock,
          maxAttempts: 3,
          outboxTargets: [{ channel: 'console' }],
          deliver: () => {
            calls++;
            return Promise.resolve({ status: 'retry', error: 'HTTP 502' });
          },
        });
        for (let i = 0; i < 6; i++) {
          await scheduler.deliverOutbox();
          clock.advanceHours(1);
        }
        const rows = await database.db.outboxMessage.findMany();
        expect(rows.map((r) => [r.attempts, r.failedAt !== null, r.lastError])).toEqual([
          [3, true, 'HTTP 502'],
          [3, true, 'HTTP 502'],
        ]);
        expect(calls).toBe(6);
      });
    });
  });

  describe('unreachable recipients', () => {
    test('a blocked chat is marked unreachable and its messages move to the person’s other chat, never retried there', async () => {
      await withWorld(kind, async ({ database, org, clock, pipeline }) => {
        // The resident also has a web chat, used longer ago than the console one.
        await database.db.channelIdentity.create({
          data: { channel: 'web', platformUserId: 'res-web', chatId: 'res-web', personId: org.resident.id, lastUsedAt: new Date('2026-11-01T00:00:00Z') },
        });
        await database.db.channelIdentity.updateMany({ where: { personId: org.resident.id, channel: 'console' }, data: { lastUsedAt: clock.now() } });
        await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: '路灯坏了' });
        const tries: string[] = [];
        const scheduler = new Scheduler({
          database,
          pipeline,
          clock,
          outboxTargets: [{ channel: 'console' }, { channel: 'web' }],
          deliver: (m) => {
            tries.push(`${m.channel}:${m.chatId}:${m.template}`);
            if (m.channel === 'console' && m.chatId === org.resident.code) return Promise.resolve({ status: 'unreachable', error: '403 blocked' });
            return Promise.resolve({ status: 'sent' });
          },
        });
        await scheduler.deliverOutbox();
        await scheduler.deliverOutbox();
        expect(tries.filter((t) => t.endsWith('ticket.received_resident'))).toEqual([
          `console:${org.resident.code}:ticket.received_resident`,
          'web:res-web:ticket.received_resident',
        ]);
        const blocked = await database.db.channelIdentity.findFirstOrThrow({ where: { personId: org.resident.id, channel: 'console' } });
        expect(blocked.unreachableAt).not.toBeNull();
        // New pushes go straight to the reachable chat.
        const liaison = await actorFor(database.db, org.liaison.id);
        const number = (await database.db.ticket.findFirstOrThrow()).number;
        await pipeline.execute(number, { type: 'accept' }, liaison);
        await scheduler.deliverOutbox();
        expect(tries.at(-1)).toBe('web:res-web:ticket.accepted_resident');
        expect(await database.db.outboxMessage.count({ where: { sentAt: null } })).toBe(0);
      });
    });
  });

  describe('an outbox backlog', () => {
    test('drains round after round without waiting for the interval while rounds take full batches', async () => {
      await withWorld(kind, async ({ database, org, clock, pipeline }) => {
        for (let i = 0; i < 12; i++) await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: `路灯坏了 ${i}` });
        const waiting = await database.db.outboxMessage.count({ where: { sentAt: null } });
        expect(waiting).toBeGreaterThan(20);
        let delivered = 0;
        const scheduler = new Scheduler({
          database,
          pipeline,
          clock,
          batchSize: 5,
          outboxTargets: [{ channel: 'console' }],
          deliver: () => Promise.resolve((delivered++, { status: 'sent' as const })),
        });
        // Once a minute, as the first round goes at once: only 5 would go out in a minute.
        scheduler.start(60_000);
        try {
          await expect.poll(() => delivered, { timeout: 10_000 }).toBe(waiting);
        } finally {
          await scheduler.stop();
        }
        expect(await database.db.outboxMessage.count({ where: { sentAt: null } })).toBe(0);
      });
    });
  });
});

describe.skipIf(!POSTGRES.available)('PostgreSQL row locks', () => {
  test('two schedulers never claim the same outbox row', async () => {
    await withWorld(POSTGRES, async ({ database, org, clock, pipeline }) => {
      for (let i = 0; i < 30; i++) {
        await pipeline.report({ residentId: org.resident.id, categoryCode: 'power', kind: 'help', summary: `路灯坏了 ${i}` });
      }
      // A chat's messages go out in order, through one worker at a time: spread the rows over
      // ten chats so that the two schedulers have work to share.
      await database.db.$executeRawUnsafe(`UPDATE "OutboxMessage" SET "chatId" = 'chat-' || (id % 10)`);
      const deliveries: number[] = [];
      const make = (workerId: string) =>
        new Scheduler({
          database,
          pipeline,
          clock,
          workerId,
          batchSize: 7,
          outboxTargets: [{ channel: 'console' }],
          deliver: async (m) => {
            deliveries.push(m.id);
            await new Promise((r) => setTimeout(r, 2)); // let the other scheduler interleave
            return { status: 'sent' };
          },
        });
      const a = make('a');
      const b = make('b');
      for (let round = 0; round < 10; round++) await Promise.all([a.deliverOutbox(), b.deliverOutbox()]);
      expect(deliveries).toHaveLength(60);
      expect(new Set(deliveries).size).toBe(60);
      const claimedBy = await database.db.outboxMessage.groupBy({ by: ['claimedBy'], _count: true });
      expect(claimedBy.map((g) => g.claimedBy).sort()).toEqual(['a', 'b']);
    });
  });
});
