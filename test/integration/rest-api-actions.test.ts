/**
 * The REST API's write side on both databases, through the web server as another system
 * reaches it: a write key acts as its console user and takes the console's actions
 * through the pipeline (the liaison pinged through the outbox, the events naming the
 * person and the key), never more than that user may (403), only within reach (404), and
 * a state that does not allow the action is a 409 that writes nothing.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { createApiKey } from '../../src/open311/keys.js';
import { consoleWorldFor, loggedIn, report, START } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('REST API actions POST /api/v1/tickets/{number}/actions', () => {
    const world = consoleWorldFor(kind, { OPEN311_REQUESTS_PER_MINUTE: '1000' });
    let db: Db;
    /** Acts as the township QH-01's dispatcher (dsp-qh-01). */
    let dispatcherKey: string;
    /** Acts as 东湖村's liaison and grid leader (med-qh-01-001). */
    let liaisonKey: string;
    let ids: Record<string, number>;

    beforeAll(async () => {
      db = world.db;
      dispatcherKey = (await createApiKey(db, { name: 'qh-01-workflow', regionCode: 'QH-01', scopes: ['read', 'write'], actsAs: 'dsp-qh-01' }, START)).key;
      liaisonKey = (await createApiKey(db, { name: 'dong-hu-app', regionCode: 'QH-01-001', scopes: ['write'], actsAs: 'med-qh-01-001' }, START)).key;
      const people = await db.person.findMany({ where: { code: { in: ['DSP-QH-01', 'L-QH-01-001-01', 'L-QH-01-001-02'] } }, select: { id: true, code: true } });
      ids = Object.fromEntries(people.map((p) => [p.code, p.id]));
    });

    // Each test starts a new rate limit window (the limit reads the app's clock).
    beforeEach(() => world.clock.advanceHours(0.02));

    const act = (number: string, key: string, body: unknown) =>
      fetch(`${world.base}/api/v1/tickets/${number}/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const answer = async (res: Response, status: number): Promise<Record<string, unknown>> => {
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const refusal = async (res: Response, status: number) => ((await answer(res, status))['error'] as { message: string }).message;
    /** How much a ticket's history and the outbox hold, to see that a refusal writes nothing. */
    const written = async (number: string) => ({
      events: await db.ticketEvent.count({ where: { ticket: { number } } }),
      outbox: await db.outboxMessage.count({ where: { ticket: { number } } }),
      ticket: await db.ticket.findUniqueOrThrow({ where: { number }, select: { state: true, version: true, assigneeId: true } }),
    });

    test('a key acting as the township dispatcher reassigns a ticket: the new liaison is pinged, the event names the dispatcher and the key', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '村口的路灯坏了好几天');
      expect((await db.ticket.findUniqueOrThrow({ where: { number } })).assigneeId).toBe(ids['L-QH-01-001-01']);
      const lastOutbox = (await db.outboxMessage.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0;

      const res = await act(number, dispatcherKey, { action: 'dispatch', target: { person: 'L-QH-01-001-02' }, note: '换人处理' });
      expect(await answer(res, 200)).toEqual({ number, action: 'dispatch', state: 'dispatched' });

      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      expect(ticket.assigneeId).toBe(ids['L-QH-01-001-02']);
      const event = await db.ticketEvent.findFirstOrThrow({ where: { ticketId: ticket.id }, orderBy: { seq: 'desc' } });
      expect(event).toMatchObject({ type: 'reassigned', actorId: ids['DSP-QH-01'], actorRole: 'dispatcher' });
      expect(JSON.parse(event.data)).toMatchObject({ note: '换人处理', target: { personId: ids['L-QH-01-001-02'] }, apiKey: 'qh-01-workflow' });
      const pings = await db.outboxMessage.findMany({
        where: { ticketId: ticket.id, id: { gt: lastOutbox } },
        include: { recipient: { select: { code: true } } },
        orderBy: { id: 'asc' },
      });
      expect(pings.map((p) => [p.template, p.recipient.code])).toEqual([
        ['ticket.reassigned_away', 'L-QH-01-001-01'],
        ['ticket.assigned', 'L-QH-01-001-02'],
      ]);

      // The console's history shows who did it and through which key.
      const page = await (await loggedIn(world.base, 'sup-qh')).page(`/console/tickets/${number}`);
      expect(page.text).toContain('经 API 密钥 via API key');
      expect(page.text).toContain('qh-01-workflow');

      // A department by its code, as the console lists the township's departments.
      const toDepartment = await act(number, dispatcherKey, { action: 'dispatch', target: { department: 'QH-01-D-power' } });
      expect(await answer(toDepartment, 200)).toMatchObject({ state: 'dispatched' });
      // Another township's department is not on the dispatcher's list.
      const foreign = await act(number, dispatcherKey, { action: 'dispatch', target: { department: 'QH-02-D-power' } });
      expect(await refusal(foreign, 400)).toMatch(/请选择经办人或部门 choose a handler from the list/);
    });

    test("a key acting as a liaison may not dispatch: a 403 in the pipeline's words, and nothing written", async () => {
      const number = await report(world.app, 'R-QH-01-001-H002', '家门口电线垂得很低');
      const before = await written(number);
      const message = await refusal(await act(number, liaisonKey, { action: 'dispatch', target: { person: 'L-QH-01-001-02' } }), 403);
      expect(message).toBe('您无权对这件诉求执行此操作。 You may not do this on this request.');
      expect(await written(number)).toEqual(before);
    });

    test("another township's ticket, or one outside the key's own region, is a 404", async () => {
      const foreign = await report(world.app, 'R-QH-02-001-H001', '杏花村的路灯也坏了');
      expect(await refusal(await act(foreign, dispatcherKey, { action: 'note', text: '看看' }), 404)).toMatch(/no ticket .* within this key's reach/);
      // The liaison's key reaches 东湖村 (QH-01-001) only, though its township's dispatcher could reach 柳树湾村.
      const otherVillage = await report(world.app, 'R-QH-01-002-H001', '柳树湾村停水三天了', 'water');
      expect(await refusal(await act(otherVillage, liaisonKey, { action: 'note', text: '看看' }), 404)).toMatch(/within this key's reach/);
      expect(await refusal(await act('MQ-2026-999999', dispatcherKey, { action: 'note', text: '看看' }), 404)).toMatch(/no ticket/);
    });

    test('an action the state does not allow is a 409, Chinese first, and writes nothing', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '水管漏水');
      const before = await written(number);
      const message = await refusal(await act(number, dispatcherKey, { action: 'reopen', reason: '群众不满意' }), 409);
      expect(message).toMatch(/^诉求当前状态为“.+”，不能执行此操作。 The request is ".+"; this cannot be done now\.$/);
      expect(await written(number)).toEqual(before);
    });

    const register = (key: string, body: unknown) =>
      fetch(`${world.base}/api/v1/tickets`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    test("受理登记: the dispatcher's key registers a call for a resident of the roster, and a 即办 settled on the spot; the first event names the key", async () => {
      const res = await register(dispatcherKey, { resident: { code: 'R-QH-01-001-H002' }, channel: 'phone', category: 'power', description: '来电反映村口路灯不亮' });
      const { number } = await answer(res, 201);
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number: number as string }, include: { events: { orderBy: { seq: 'asc' } }, region: true } });
      expect(ticket).toMatchObject({ channel: 'phone', categoryCode: 'power', settledOnTheSpot: false, region: { code: 'QH-01-001' } });
      expect(JSON.parse(ticket.events[0]!.data)).toMatchObject({ channel: 'phone', registeredBy: ids['DSP-QH-01'], apiKey: 'qh-01-workflow' });

      const settled = await register(dispatcherKey, {
        resident: { code: 'R-QH-01-001-H001' },
        channel: 'station',
        category: 'welfare',
        description: '咨询低保怎么申请',
        settled: '已当场讲解申请流程并发放申请表',
      });
      const done = await answer(settled, 201);
      expect(done).toMatchObject({ settled: true });
      expect(await db.ticket.findUniqueOrThrow({ where: { number: done['number'] as string } })).toMatchObject({ state: 'resolved', settledOnTheSpot: true });
    });

    test("受理登记 is refused to a liaison (403), outside the key's region and for a wrong field (400, naming it), writing nothing", async () => {
      const before = await db.ticket.count();
      const call = { resident: { code: 'R-QH-01-001-H001' }, channel: 'phone', category: 'power', description: '路灯不亮' };
      expect(await refusal(await register(liaisonKey, call), 403)).toMatch(/registers no requests/);
      // 东湖村's resident, in 柳树湾村: the dispatcher's township, but not the village of this key.
      const villageKey = (await createApiKey(db, { name: 'dong-hu-desk', regionCode: 'QH-01-001', scopes: ['write'], actsAs: 'dsp-qh-01' }, START)).key;
      expect(await refusal(await register(villageKey, { ...call, village: 'QH-01-002' }), 400)).toMatch(/^region: 请选择您辖区内的村庄/);
      // Another township's resident: not theirs to find, whatever village is named.
      expect(await refusal(await register(dispatcherKey, { ...call, resident: { code: 'R-QH-02-001-H001' } }), 400)).toMatch(/^region: /);
      expect(await refusal(await register(dispatcherKey, { ...call, resident: { code: 'R-QH-02-001-H001' }, village: 'QH-01-001' }), 400)).toMatch(/^resident: /);
      expect(await refusal(await register(dispatcherKey, { ...call, category: 'nonsense' }), 400)).toMatch(/category/);
      expect(await refusal(await register(dispatcherKey, { ...call, channel: 'telepathy' }), 400)).toMatch(/channel/);
      expect(await db.ticket.count()).toBe(before);
    });

    test('a malformed body is a 400 naming what is wrong; the scope and the account are checked', async () => {
      const number = await report(world.app, 'R-QH-01-001-H002', '路边的树倒了');
      const before = await written(number);
      expect(await refusal(await act(number, dispatcherKey, '{not json'), 400)).toMatch(/not JSON/);
      expect(await refusal(await act(number, dispatcherKey, { action: 'teleport' }), 400)).toMatch(/^body: .*action/s);
      expect(await refusal(await act(number, dispatcherKey, { action: 'dispatch' }), 400)).toMatch(/target/);
      expect(await refusal(await act(number, dispatcherKey, { action: 'note', text: 'x', extra: 1 }), 400)).toMatch(/extra/);
      // The pipeline's own check of the words: a reply must say something.
      expect(await refusal(await act(number, dispatcherKey, { action: 'reply', text: '  ' }), 400)).toMatch(/^“内容”/);
      expect(await written(number)).toEqual(before);

      const reader = (await createApiKey(db, { name: 'qh-01-reader', regionCode: 'QH-01', scopes: ['read'] }, START)).key;
      expect(await refusal(await act(number, reader, { action: 'note', text: '看看' }), 403)).toMatch(/lacks the scope write/);

      // A key of the county supervisor works while the account is live, and stops when it is disabled.
      const supervisorKey = (await createApiKey(db, { name: 'county-desk', scopes: ['write'], actsAs: 'sup-qh' }, START)).key;
      expect(await answer(await act(number, supervisorKey, { action: 'supervise', note: '请加快处理' }), 200)).toMatchObject({ action: 'supervise' });
      await db.staffAccount.update({ where: { username: 'sup-qh' }, data: { disabledAt: START } });
      try {
        expect(await refusal(await act(number, supervisorKey, { action: 'note', text: '看看' }), 403)).toMatch(/the console user sup-qh this key acts as is disabled/);
        await db.staffAccount.delete({ where: { username: 'sup-qh' } });
        expect(await refusal(await act(number, supervisorKey, { action: 'note', text: '看看' }), 403)).toMatch(/acts as no console user/);
      } finally {
        await db.staffAccount.updateMany({ where: { username: 'sup-qh' }, data: { disabledAt: null } });
      }
    });

    test('Idempotency-Key: the same POST sent again gets the first answer, once done; another request with the key is a 422; the key lasts 24 hours', async () => {
      const post = (path: string, key: string, idempotencyKey: string, body: unknown) =>
        fetch(`${world.base}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify(body),
        });
      const call = { resident: { code: 'R-QH-01-001-H001' }, channel: 'phone', category: 'water', description: '自来水发黄' };
      const tickets = await db.ticket.count();
      const first = await post('/api/v1/tickets', dispatcherKey, 'call-0001', call);
      const registered = await answer(first, 201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const again = await post('/api/v1/tickets', dispatcherKey, 'call-0001', call);
      expect(await answer(again, 201)).toEqual(registered);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await db.ticket.count()).toBe(tickets + 1);
      // The same key with another body, or at another path, is refused and writes nothing.
      expect(await refusal(await post('/api/v1/tickets', dispatcherKey, 'call-0001', { ...call, description: '自来水发黑' }), 422)).toMatch(/used with another request/);
      const number = registered['number'] as string;
      expect(await refusal(await post(`/api/v1/tickets/${number}/actions`, dispatcherKey, 'call-0001', call), 422)).toMatch(/used with another request/);
      expect(await db.ticket.count()).toBe(tickets + 1);
      // Keys are each API key's own: another key's call-0001 is a new request.
      expect(await refusal(await post('/api/v1/tickets', liaisonKey, 'call-0001', call), 403)).toMatch(/registers no requests/);

      // An action: done once; a refusal is kept and replayed as it was.
      const events = () => db.ticketEvent.count({ where: { ticket: { number } } });
      const before = await events();
      const note = { action: 'note', text: '已通知自来水公司' };
      expect(await answer(await post(`/api/v1/tickets/${number}/actions`, dispatcherKey, 'note-1', note), 200)).toMatchObject({ action: 'note' });
      expect(await answer(await post(`/api/v1/tickets/${number}/actions`, dispatcherKey, 'note-1', note), 200)).toMatchObject({ action: 'note' });
      expect(await events()).toBe(before + 1);
      const close = { action: 'close' };
      const refused = await refusal(await post(`/api/v1/tickets/${number}/actions`, dispatcherKey, 'close-1', close), 409);
      const replayed = await post(`/api/v1/tickets/${number}/actions`, dispatcherKey, 'close-1', close);
      expect(await refusal(replayed, 409)).toBe(refused);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(await refusal(await post('/api/v1/tickets', dispatcherKey, ' ', call), 400)).toMatch(/Idempotency-Key must be/);

      // After 24 hours the key is free again: the same key with another request is a new one.
      world.clock.advanceHours(24.1);
      expect(await answer(await post('/api/v1/tickets', dispatcherKey, 'call-0001', { ...call, description: '自来水发黑' }), 201)).not.toEqual(registered);
      expect(await db.ticket.count()).toBe(tickets + 2);
    });
  });
});
