/**
 * The contract of every store on the storage layer (src/db/sql.ts), run on SQLite and,
 * when MINQING_TEST_POSTGRES_URL is set, on PostgreSQL: the same calls give the same
 * results on both, and what the layer writes reads back through Prisma as Prisma wrote
 * it (the console still reads these rows through Prisma).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { sqlTransaction, transaction } from '../../src/db/client.js';
import { claimDue } from '../../src/pipeline/claims.js';
import { enqueuePush, markDelivered } from '../../src/pipeline/outbox.js';
import { pipelineRows } from '../../src/pipeline/rows.js';
import { DuplicateMessage, turnStoreFor } from '../../src/engine/turn-store.js';
import { freshPostgres, freshSqlite, POSTGRES_URL, type TestDatabase } from '../helpers/db.js';

const at = new Date('2026-03-04T05:06:07.089Z');
const later = new Date('2026-03-04T05:16:07.089Z');

const databases: [string, () => Promise<TestDatabase>, boolean][] = [
  ['SQLite', () => freshSqlite(), true],
  ['PostgreSQL', freshPostgres, Boolean(POSTGRES_URL)],
];

for (const [name, open, available] of databases) {
  describe.skipIf(!available)(`stores on ${name}`, () => {
    let database: TestDatabase;
    beforeEach(async () => {
      database = await open();
    });
    afterEach(async () => {
      await database.dispose();
    });

    /** A village with a resident and a category, made through Prisma. */
    async function village() {
      const { db } = database;
      const region = await db.region.create({ data: { code: 'V1', name: '一村', level: 'village' } });
      const resident = await db.person.create({ data: { code: 'R1', name: '居民' } });
      await db.category.create({ data: { code: 'light', nameZh: '路灯', nameEn: 'Street light', departmentKind: 'works', handlingClass: 'promised', updatedAt: at } });
      return { region, resident };
    }

    test('storage layer transaction: its writes commit together or not at all, unseen by other connections until the commit', async () => {
      const { db } = database;
      const store = turnStoreFor(db);
      const failure = new Error('the turn failed');
      await expect(
        sqlTransaction(db, async (tx) => {
          await store.recordInbound(tx, { channel: 'web', messageId: 'm1', chatId: 'c1' }, at);
          await store.newSpeaker(tx, { code: 'P1', name: '甲', locale: 'zh' }, { channel: 'web', platformUserId: 'u1', chatId: 'c1' }, at);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await db.inboundMessage.count()).toBe(0);
      expect(await db.person.count()).toBe(0);

      const created = await sqlTransaction(db, async (tx) => {
        await store.recordInbound(tx, { channel: 'web', messageId: 'm1', chatId: 'c1' }, at);
        const speaker = await store.newSpeaker(tx, { code: 'P1', name: '甲', locale: 'zh' }, { channel: 'web', platformUserId: 'u1', chatId: 'c1' }, at);
        // Where transactions overlap, another connection does not see an open transaction's
        // rows (on SQLite it would wait for the connection this transaction holds).
        if (tx.sql.dialect === 'postgres') expect(await db.inboundMessage.count()).toBe(0);
        return speaker;
      });
      expect(await db.inboundMessage.count()).toBe(1);
      expect((await transaction(db, (tx) => store.speaker(tx, 'web', 'u1', 'c1')))?.speaker).toEqual(created);
      // The connection went back to the pool in a state to serve again.
      await expect(sqlTransaction(db, (tx) => store.recordInbound(tx, { channel: 'web', messageId: 'm1', chatId: 'c1' }, at))).rejects.toBeInstanceOf(DuplicateMessage);
      expect((await sqlTransaction(db, (tx) => store.speaker(tx, 'web', 'u1', 'c1')))?.speaker).toEqual(created);
    });

    test('storage layer transactions: more at once than a pool has connections, each taking a ticket number, all commit', async () => {
      const { db } = database;
      // 3 × node-postgres' default pool size: each transaction holds a client while its
      // counter statement needs another (on SQLite they take turns on the one connection).
      const numbers = await Promise.all(Array.from({ length: 30 }, () => sqlTransaction(db, (tx) => pipelineRows(tx).nextCounter(2026))));
      expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });

    test('turn store: a message is recorded once; a first speaker is found again, with their roles and open conversation', async () => {
      const { db } = database;
      const store = turnStoreFor(db);
      const message = { channel: 'web', messageId: 'm1', chatId: 'c1' };
      const id = await transaction(db, (tx) => store.recordInbound(tx, message, at));
      expect(id).toBeGreaterThan(0);
      await expect(transaction(db, (tx) => store.recordInbound(tx, message, at))).rejects.toBeInstanceOf(DuplicateMessage);
      expect((await db.inboundMessage.findFirstOrThrow()).receivedAt).toEqual(at);

      expect(await transaction(db, (tx) => store.speaker(tx, 'web', 'u1', 'c1'))).toBeNull();
      const created = await transaction(db, (tx) => store.newSpeaker(tx, { code: 'P1', name: '甲', locale: 'zh' }, { channel: 'web', platformUserId: 'u1', chatId: 'c1' }, at));
      const region = await db.region.create({ data: { code: 'V1', name: '一村', level: 'village' } });
      for (const [i, role] of ['liaison', 'grid_leader', 'liaison'].entries()) {
        await db.personRole.create({ data: { personId: created.personId, role, regionId: region.id, scopeKey: `k${i}` } });
      }
      await db.conversation.create({ data: { residentId: created.personId, regionId: region.id, channel: 'web', status: 'open', openedAt: at, lastResidentAt: at } });
      const found = (await transaction(db, (tx) => store.speaker(tx, 'web', 'u1', 'c1')))?.speaker;
      expect(found).toEqual({ ...created, roles: ['liaison', 'grid_leader'], inConversation: true });
      expect((await db.person.findUniqueOrThrow({ where: { id: created.personId } })).createdAt).toEqual(at);

      await db.channelIdentity.update({ where: { id: created.identityId }, data: { unreachableAt: at } });
      const blocked = (await transaction(db, (tx) => store.speaker(tx, 'web', 'u1', 'c1')))?.speaker;
      expect(blocked?.reachable).toBe(false);
      await transaction(db, (tx) => store.arrived(tx, blocked!, 'web', 'c2', later));
      const identity = await db.channelIdentity.findUniqueOrThrow({ where: { id: created.identityId } });
      expect(identity).toMatchObject({ chatId: 'c2', unreachableAt: null, lastUsedAt: later });

      // A message left waiting (queued while no chat was reachable) while the identity is
      // reachable again, as a push racing a turn can leave it: the speaker's read finds it,
      // and the turn adopts it.
      const waiting = await db.outboxMessage.create({
        data: { recipientId: created.personId, template: 'x', params: '{}', actions: '[]', media: '[]', createdAt: at, availableAt: at },
      });
      const reachable = (await transaction(db, (tx) => store.speaker(tx, 'web', 'u1', 'c2')))?.speaker;
      expect(reachable).toMatchObject({ reachable: true, hasWaiting: true });
      await transaction(db, (tx) => store.arrived(tx, reachable!, 'web', 'c2', later));
      expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: waiting.id } })).toMatchObject({ channel: 'web', chatId: 'c2' });
      expect((await transaction(db, (tx) => store.speaker(tx, 'web', 'u1', 'c2')))?.speaker.hasWaiting).toBe(false);
    });

    test('turn store: sessions are saved and read back; offered choices reach only the choices, never going back', async () => {
      const { db } = database;
      const store = turnStoreFor(db);
      const person = await db.person.create({ data: { code: 'P1', name: '甲' } });
      expect(await transaction(db, (tx) => store.session(tx, 'web', 'c1'))).toBeNull();
      const session = { channel: 'web', chatId: 'c1', personId: person.id, flow: 'report', step: 'describe', data: JSON.stringify({ data: { a: 1 } }) };
      await transaction(db, (tx) => store.saveSession(tx, session, at));
      expect(await transaction(db, (tx) => store.session(tx, 'web', 'c1'))).toEqual({ flow: 'report', step: 'describe', data: session.data, lastSeenAt: at });
      await transaction(db, (tx) => store.saveSession(tx, { ...session, step: 'where' }, later));
      expect(await transaction(db, (tx) => store.session(tx, 'web', 'c1'))).toMatchObject({ step: 'where', lastSeenAt: later });
      // The speaker is read with the session of the chat they write from, or none.
      await db.channelIdentity.create({ data: { channel: 'web', platformUserId: 'u1', chatId: 'c1', personId: person.id } });
      const [inChat, elsewhere] = await transaction(db, async (tx) => [await store.speaker(tx, 'web', 'u1', 'c1'), await store.speaker(tx, 'web', 'u1', 'c9')]);
      expect(inChat?.session).toEqual(await transaction(db, (tx) => store.session(tx, 'web', 'c1')));
      expect(inChat?.session).toMatchObject({ step: 'where', lastSeenAt: later });
      expect(elsewhere).toMatchObject({ speaker: { personId: person.id }, session: null });

      const choice = (label: string) => ({ label, value: label }) as never;
      await store.offerChoices('web', 'c1', person.id, [choice('x')], 10, true, later);
      const offered = JSON.parse((await db.chatSession.findFirstOrThrow()).data) as Record<string, unknown>;
      expect(offered).toEqual({ data: { a: 1 }, choices: [choice('x')], choicesFrom: 10 });
      // A reply's choices older than those recorded do not replace them; a push's always
      // arrive, beside the pending question's (SessionState.pushed), a newer push's over them.
      await store.offerChoices('web', 'c1', person.id, [choice('old')], 9, true, later);
      expect(JSON.parse((await db.chatSession.findFirstOrThrow()).data)).toEqual(offered);
      await store.offerChoices('web', 'c1', person.id, [choice('push')], 9, false, later);
      expect(JSON.parse((await db.chatSession.findFirstOrThrow()).data)).toEqual({ data: { a: 1 }, choices: [choice('x')], pushed: [choice('push')], choicesFrom: 10 });
      await store.offerChoices('web', 'c1', person.id, [choice('push2')], 12, false, later);
      expect(JSON.parse((await db.chatSession.findFirstOrThrow()).data)).toEqual({ data: { a: 1 }, choices: [choice('x')], pushed: [choice('push2')], choicesFrom: 12 });
      // A chat with no session yet gets one holding only the choices.
      await store.offerChoices('web', 'c9', person.id, [choice('y')], 11, false, later);
      const fresh = await db.chatSession.findFirstOrThrow({ where: { chatId: 'c9' } });
      expect(fresh).toMatchObject({ flow: null, lastSeenAt: later });
      expect(JSON.parse(fresh.data)).toEqual({ data: {}, pushed: [choice('y')], choicesFrom: 11 });
    });

    test('turn store: replies are written held, sent or queued, and marked sent once', async () => {
      const { db } = database;
      const store = turnStoreFor(db);
      const person = await db.person.create({ data: { code: 'P1', name: '甲' } });
      const reply = { recipientId: person.id, channel: 'web', chatId: 'c1', template: 't', params: '{}', actions: '[]', media: '[]', at };
      const [held, sent, queued, other] = await transaction(db, async (tx) => [
        await store.addReply(tx, { ...reply, delivery: { kind: 'held', holdUntil: later } }),
        await store.addReply(tx, { ...reply, delivery: { kind: 'sent', inboundId: null } }),
        await store.addReply(tx, { ...reply, delivery: { kind: 'queued' } }),
        await store.addReply(tx, { ...reply, delivery: { kind: 'queued' } }),
      ]);
      const row = (id: number) => db.outboxMessage.findUniqueOrThrow({ where: { id } });
      expect(await row(held)).toMatchObject({ reply: true, claimedBy: 'turn', claimedUntil: later, sentAt: null, attempts: 0, createdAt: at });
      expect(await row(sent)).toMatchObject({ sentAt: at, attempts: 1, claimedBy: null });
      await store.markSent([held], later);
      await store.markSent([held, queued, other], later);
      expect(await row(held)).toMatchObject({ sentAt: later, attempts: 1, claimedBy: null, claimedUntil: null });
      expect(await row(queued)).toMatchObject({ sentAt: later, attempts: 1 });
      expect(await row(sent)).toMatchObject({ sentAt: at, attempts: 1 });
    });

    test('pipeline rows: counter, ticket, version, events, timers and holders', async () => {
      const { db } = database;
      const { region, resident } = await village();
      const rows = () => pipelineRows(db);
      expect([await rows().nextCounter(2026), await rows().nextCounter(2026), await rows().nextCounter(2027)]).toEqual([1, 2, 1]);
      const ticket = await transaction(db, (tx) =>
        pipelineRows(tx).createTicket({
          number: 'MQ-1',
          state: 'received',
          kind: 'request',
          categoryCode: 'light',
          handlingClass: 'promised',
          summary: '路灯坏了',
          description: '',
          residentId: resident.id,
          regionId: region.id,
          handlingRegionId: region.id,
          level: 'village',
          resolveBy: later,
          supervised: true,
          createdAt: at,
          updatedAt: at,
        }),
      );
      expect(ticket).toEqual(await db.ticket.findUniqueOrThrow({ where: { id: ticket.id } }));
      expect(ticket).toMatchObject({ supervised: true, overdue: false, resolveBy: later, solved: null, version: 0 });
      expect(await rows().ticketByNumber('MQ-1')).toEqual(ticket);
      expect(await rows().ticketByNumber('MQ-2')).toBeNull();
      expect(await transaction(db, (tx) => pipelineRows(tx).updateTicket(ticket.id, 0, { state: 'accepted', overdue: true, acceptedAt: later }))).toBe(true);
      expect(await transaction(db, (tx) => pipelineRows(tx).updateTicket(ticket.id, 0, { state: 'closed' }))).toBe(false);
      expect(await db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({ state: 'accepted', overdue: true, acceptedAt: later, version: 1 });

      expect(await rows().ticketToChange('MQ-1')).toEqual({ ticket: { ...ticket, state: 'accepted', overdue: true, acceptedAt: later, version: 1 }, lastEventSeq: 0 });
      expect(await rows().ticketToChange('MQ-2')).toBeNull();
      const event = { ticketId: ticket.id, type: 'received', fromState: null, toState: 'received', actorId: null, actorRole: 'system', data: '{}', at };
      await transaction(db, (tx) =>
        pipelineRows(tx).addEvents([
          { ...event, seq: 1 },
          { ...event, seq: 2 },
        ]),
      );
      expect((await rows().ticketToChange('MQ-1'))?.lastEventSeq).toBe(2);
      expect((await db.ticketEvent.findMany({ orderBy: { seq: 'asc' } })).map((e) => [e.seq, e.type])).toEqual([
        [1, 'received'],
        [2, 'received'],
      ]);

      await transaction(db, (tx) =>
        pipelineRows(tx).setTimers(ticket.id, [
          { kind: 'accept_overdue', dueAt: later },
          { kind: 'resolve_overdue', dueAt: at },
          { kind: 'accept_overdue', dueAt: at },
        ]),
      );
      expect((await db.timer.findMany({ orderBy: { kind: 'asc' } })).map((t) => [t.kind, t.dueAt])).toEqual([
        ['accept_overdue', at],
        ['resolve_overdue', at],
      ]);
      await db.timer.updateMany({ data: { firedAt: at, claimedBy: 'w' } });
      // Setting a timer again re-arms it.
      await transaction(db, (tx) => pipelineRows(tx).setTimers(ticket.id, [{ kind: 'accept_overdue', dueAt: later }]));
      expect(await db.timer.findFirstOrThrow({ where: { kind: 'accept_overdue' } })).toMatchObject({ dueAt: later, firedAt: null, claimedBy: null });
      await transaction(db, (tx) => pipelineRows(tx).cancelTimers(ticket.id, ['accept_overdue', 'resolve_overdue']));
      // A fired timer is kept (cancelling concerns the pending ones).
      expect((await db.timer.findMany()).map((t) => t.kind)).toEqual(['resolve_overdue']);

      await db.personRole.create({ data: { personId: resident.id, role: 'dispatcher', regionId: region.id, scopeKey: 'd' } });
      expect(await rows().holders({ role: 'dispatcher', regionId: region.id })).toEqual([resident.id]);
      expect(await rows().rolesOf(resident.id)).toEqual([{ role: 'dispatcher', regionId: region.id, gridId: null, departmentId: null }]);
      expect(await rows().personName(resident.id)).toBe('居民');
      expect(await rows().intakeResident(resident.id)).toEqual({ id: resident.id, household: null });

      // A household with its pairing and grids: each grid with its leaders, in order, read at once.
      const household = await db.household.create({ data: { code: 'H1', regionId: region.id, address: '一组', headName: '户主' } });
      await db.person.update({ where: { id: resident.id }, data: { householdId: household.id } });
      const liaison = await db.person.create({ data: { code: 'L1', name: '联络员' } });
      // Made one by one: the grids are read in the order of their ids.
      const leaders = [];
      for (const code of ['G1', 'G2', 'G3']) leaders.push(await db.person.create({ data: { code, name: code } }));
      const grids = [];
      for (const [i, kind] of ['geographic', 'thematic', 'geographic'].entries())
        grids.push(await db.grid.create({ data: { code: `W${i}`, name: `网格${i}`, kind, regionId: region.id } }));
      const [east, themed, bare] = grids;
      await db.pairing.create({ data: { householdId: household.id, liaisonId: liaison.id } });
      for (const grid of [east!, themed!, bare!]) await db.householdGrid.create({ data: { householdId: household.id, gridId: grid.id } });
      for (const [i, [leader, grid]] of (
        [
          [leaders[1], east],
          [leaders[0], east],
          [leaders[2], themed],
        ] as const
      ).entries()) {
        await db.personRole.create({ data: { personId: leader!.id, role: 'grid_leader', regionId: region.id, gridId: grid!.id, scopeKey: `g${i}` } });
      }
      expect(await rows().intakeResident(resident.id)).toEqual({
        id: resident.id,
        household: {
          id: household.id,
          regionId: region.id,
          pairing: { liaisonId: liaison.id },
          grids: [
            { gridId: east!.id, grid: { kind: 'geographic', roles: [{ personId: leaders[1]!.id }, { personId: leaders[0]!.id }] } },
            { gridId: themed!.id, grid: { kind: 'thematic', roles: [{ personId: leaders[2]!.id }] } },
            { gridId: bare!.id, grid: { kind: 'geographic', roles: [] } },
          ],
        },
      });
    });

    test.skipIf(name === 'SQLite')('ticket numbers: a transaction that took one does not hold back the next one (where transactions overlap)', { timeout: 15_000 }, async () => {
      const { db } = database;
      let took!: () => void;
      let release!: () => void;
      const taken = new Promise<void>((resolve) => (took = resolve));
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = transaction(db, async (tx) => {
        const number = await pipelineRows(tx).nextCounter(2026);
        took();
        await held;
        return number;
      });
      await taken;
      // With the counter row locked to the first transaction's end, this would wait for ever.
      const second = await transaction(db, (tx) => pipelineRows(tx).nextCounter(2026));
      release();
      expect([await first, second]).toEqual([1, 2]);
    });

    test('claims: a due timer or push is claimed by one worker until its lease ends; a push goes to the chat used last', async () => {
      const { db } = database;
      const { resident } = await village();
      await db.channelIdentity.createMany({
        data: [
          { channel: 'web', platformUserId: 'a', personId: resident.id, chatId: 'old', lastUsedAt: at },
          { channel: 'web', platformUserId: 'b', personId: resident.id, chatId: 'never' },
          { channel: 'web', platformUserId: 'c', personId: resident.id, chatId: 'new', lastUsedAt: later },
        ],
      });
      await transaction(db, (tx) => enqueuePush(tx, [resident.id], { template: 't', params: {} }, at));
      const push = await db.outboxMessage.findFirstOrThrow();
      expect(push).toMatchObject({ chatId: 'new', availableAt: at, reply: false });

      const request = (workerId: string, now: Date) => ({ workerId, now, until: new Date(now.getTime() + 60_000), batch: 10, targets: [{ channel: 'web' }] });
      expect(await claimDue(db, 'OutboxMessage', request('a', at))).toEqual([push.id]);
      expect(await claimDue(db, 'OutboxMessage', request('b', at))).toEqual([]);
      await markDelivered(db, push.id, 'b', later);
      expect((await db.outboxMessage.findFirstOrThrow()).sentAt).toBeNull();
      await markDelivered(db, push.id, 'a', later);
      expect(await db.outboxMessage.findFirstOrThrow()).toMatchObject({ sentAt: later, attempts: 1 });
      expect(await claimDue(db, 'OutboxMessage', request('b', new Date(later.getTime() + 3_600_000)))).toEqual([]);
    });
  });
}
