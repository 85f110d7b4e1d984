/**
 * Webhooks (src/webhooks/), on both databases, against a real HTTP receiver on a local
 * port: the signature verifies with the subscriber's secret and not with another; the
 * body is the REST API's scrubbed ticket; a receiver answering 500 twice gets the event a
 * third time with the same id, then the next ones in order; each subscriber's events in
 * order across tickets; a process that dies after its claim, or after the POST but before
 * the mark, loses nothing and sends no delivered event again; a subscriber failing for
 * WEBHOOK_PAUSE_AFTER_HOURS is paused with its admins told, and resuming goes on where it
 * stopped; a region's subscriber hears of that region's tickets only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { actorFor } from '../../src/pipeline/service.js';
import { claimDueWebhooks, fetchPost, WebhookSender, type WebhookPost } from '../../src/webhooks/delivery.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { createSubscriber, deleteSubscriberNamed, resumeSubscriberNamed, subscriberNamed } from '../../src/webhooks/subscribers.js';
import { type ConsoleWorld, report, startConsoleWorld } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { requestBody, stopServer } from '../helpers/fake-http.js';

/** One POST the receiver got. */
interface Received {
  /** The path the subscriber's URL named. */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: { id: string; type: string; created: string; data: { ticket: { number: string; state: string; summary: string }; event: { seq: number; toState: string } } };
}

/** A local receiver: records every POST and answers with the next status queued (200 when none is). */
class Receiver {
  readonly got: Received[] = [];
  readonly statuses: number[] = [];
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      void requestBody(req).then((bytes) => {
        const body = bytes.toString('utf8');
        this.got.push({ path: req.url ?? '', headers: req.headers, body, json: JSON.parse(body) as Received['json'] });
        res.statusCode = this.statuses.shift() ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
  }

  clear(): void {
    this.got.length = 0;
    this.statuses.length = 0;
  }

  ids(): string[] {
    return this.got.map((r) => r.json.id);
  }

  async stop(): Promise<void> {
    await stopServer(this.#server);
  }
}

const PAUSE_AFTER_HOURS = 24;

eachDatabase((kind) => {
  describe('webhooks', () => {
    let world: ConsoleWorld;
    let db: Db;
    const receiver = new Receiver();
    /** Subscribers made by a test, deleted after it. */
    const made: string[] = [];

    beforeAll(async () => {
      world = await startConsoleWorld({}, kind);
      db = world.db;
      // The tests send with senders of their own: the app's scheduler (its first round at start) must not send meanwhile.
      await world.app.scheduler.stop();
      await receiver.start();
    });

    afterAll(async () => {
      await world?.stop();
      await receiver.stop();
    });

    beforeEach(async () => {
      for (const name of made.splice(0)) await deleteSubscriberNamed(db, name);
      receiver.clear();
    });

    const subscribe = async (name: string, events: string[], regionCode?: string) => {
      made.push(name);
      return createSubscriber(db, { name, url: `${receiver.url}/${name}`, events, ...(regionCode ? { regionCode } : {}) }, world.clock.now());
    };
    const sender = (post?: WebhookPost) => new WebhookSender({ database: world.app.database, clock: world.clock, pauseAfterHours: PAUSE_AFTER_HOURS, ...(post ? { post } : {}) });
    /** Rounds of `s` (the clock moved past any backoff between them) until nothing is due. */
    const drain = async (s: WebhookSender, rounds = 10) => {
      for (let i = 0; i < rounds; i++) {
        const round = await s.round();
        if (round.delivered + round.failed + round.skipped === 0) return;
        world.clock.advanceHours(0.02);
      }
    };
    const dispatcher = async () => actorFor(db, (await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } })).id);

    test('each POST is signed with the subscriber’s secret (not another’s) and carries the scrubbed ticket of the REST API', async () => {
      const { secret } = await subscribe('city-dashboard', ['ticket.created', 'ticket.state_changed'], 'QH-01');
      const other = await subscribe('other-system', ['ticket.rated'], 'QH-01');
      const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      const number = await report(world.app, 'R-QH-01-001-H001', `村口的路灯坏了，${resident.name}反映，电话 13912345678`, 'power', { contactPhone: '13912345678' });
      // Its intake routes it at once: it is created, then dispatched.
      expect(await sender().round()).toEqual({ delivered: 2, failed: 0, skipped: 0 });
      expect(receiver.got.map((r) => [r.json.type, r.json.data.event.toState])).toEqual([
        ['ticket.created', 'received'],
        ['ticket.state_changed', 'dispatched'],
      ]);
      const [got] = receiver.got;
      const signature = String(got!.headers['x-minqing-signature']);
      const timestamp = String(got!.headers['x-minqing-timestamp']);
      expect(signature).toBe(`t=${timestamp},v1=${/v1=([0-9a-f]{64})$/.exec(signature)![1]}`);
      expect(verifySignature(secret, signature, got!.body, world.clock.now())).toBe(true);
      expect(verifySignature(other.secret, signature, got!.body, world.clock.now())).toBe(false);
      expect(verifySignature(secret, signature, got!.body.replace('ticket.created', 'ticket.rated'), world.clock.now())).toBe(false);
      // An old timestamp is refused (a replayed delivery).
      expect(verifySignature(secret, signature, got!.body, new Date(world.clock.now().getTime() + 3_600_000))).toBe(false);
      expect(got!.headers['x-minqing-event-id']).toBe(got!.json.id);
      expect(got!.headers['content-type']).toMatch(/^application\/json/);
      expect(got!.json.type).toBe('ticket.created');
      expect(got!.json.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
      expect(got!.json.data.ticket.number).toBe(number);
      expect(got!.json.data.event).toMatchObject({ seq: 1, toState: 'received' });
      // Scrubbed as the REST API scrubs: no resident's name, no phone number.
      expect(got!.body).not.toContain(resident.name);
      expect(got!.body).not.toContain('13912345678');
    });

    test('a receiver answering 500 twice gets the event a third time with the same id and body, then the next events in order', async () => {
      await subscribe('flaky', ['ticket.created', 'ticket.state_changed'], 'QH-01');
      const number = await report(world.app, 'R-QH-01-001-H002', '村道上有个大坑', 'road');
      const actor = await dispatcher();
      expect((await world.app.pipeline.execute(number, { type: 'note', text: '内部 INTERNAL-NOTE' }, actor)).ok).toBe(true);
      const resident = await actorFor(db, (await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H002' } })).id);
      expect((await world.app.pipeline.execute(number, { type: 'withdraw', reason: '已自行解决' }, resident)).ok).toBe(true);
      receiver.statuses.push(500, 500);
      const s = sender();
      expect(await s.round()).toEqual({ delivered: 0, failed: 1, skipped: 0 });
      // Not due before its backoff (5 s): nothing goes out, and nothing behind it either.
      expect(await s.round()).toEqual({ delivered: 0, failed: 0, skipped: 0 });
      world.clock.advanceHours(6 / 3600);
      expect(await s.round()).toEqual({ delivered: 0, failed: 1, skipped: 0 });
      // The next backoff is 10 s.
      world.clock.advanceHours(6 / 3600);
      expect(await s.round()).toEqual({ delivered: 0, failed: 0, skipped: 0 });
      world.clock.advanceHours(5 / 3600);
      expect((await s.round()).failed).toBe(0);
      await drain(s);
      const [first, second, third, ...rest] = receiver.got;
      expect([first, second, third].map((r) => r!.json.id)).toEqual([first!.json.id, first!.json.id, first!.json.id]);
      expect(new Set([first, second, third].map((r) => r!.body)).size).toBe(1);
      expect(first!.json.type).toBe('ticket.created');
      expect(rest.map((r) => [r.json.type, r.json.data.event.toState])).toEqual([
        ['ticket.state_changed', 'dispatched'],
        ['ticket.state_changed', 'withdrawn'],
      ]);
      expect(receiver.got.some((r) => r.body.includes('INTERNAL-NOTE'))).toBe(false);
      const log = await db.webhookDelivery.findMany({ where: { subscriber: { name: 'flaky' } }, orderBy: { id: 'asc' } });
      expect(log.map((d) => [d.attempts, d.lastStatus, d.deliveredAt !== null])).toEqual([
        [3, 200, true],
        [1, 200, true],
        [1, 200, true],
      ]);
      expect((await subscriberNamed(db, 'flaky'))!.failingSince).toBeNull();
    });

    test('each subscriber hears its events in order across tickets, even with two processes sending side by side', async () => {
      await subscribe('county-feed', ['ticket.created'], 'QH');
      const numbers: string[] = [];
      for (const [code, summary] of [
        ['R-QH-01-001-H003', '路灯不亮'],
        ['R-QH-02-001-H001', '水管破了'],
        ['R-QH-01-002-H001', '垃圾没人收'],
        ['R-QH-02-001-H002', '桥栏杆松了'],
      ] as const) {
        numbers.push(await report(world.app, code, summary, 'power'));
      }
      // The first answer is a 500: nothing behind it goes out meanwhile, whichever process tries.
      receiver.statuses.push(500);
      const [one, two] = [sender(), sender()];
      for (let i = 0; i < 3; i++) await Promise.all([one.round(), two.round()]);
      expect(receiver.got).toHaveLength(1);
      world.clock.advanceHours(6 / 3600);
      for (let i = 0; i < 6; i++) await Promise.all([one.round(), two.round()]);
      expect(receiver.got.map((r) => r.json.data.ticket.number)).toEqual([numbers[0], ...numbers]);
      expect(new Set(receiver.ids().slice(1)).size).toBe(4);
    });

    test('a process that dies after its claim, or after the POST before the mark, loses nothing and sends no delivered event again', async () => {
      await subscribe('crash-test', ['ticket.created'], 'QH-01');
      for (const code of ['R-QH-01-001-H004', 'R-QH-01-001-H005', 'R-QH-01-001-H006']) await report(world.app, code, '路面塌陷', 'road');
      // 1. A process claims the due deliveries, then dies before sending any.
      const now = world.clock.now();
      const claimed = await claimDueWebhooks(db, { workerId: 'dead-process', now, until: new Date(now.getTime() + 60_000), batch: 100 });
      expect(claimed).toHaveLength(3);
      const survivor = sender();
      expect(await survivor.round()).toEqual({ delivered: 0, failed: 0, skipped: 0 });
      world.clock.advanceHours(61 / 3600);
      // 2. The next process sends the first, then dies after the second's POST, before its mark.
      let posts = 0;
      const dying: WebhookPost = async (...args) => {
        const result = await fetchPost(...args);
        return ++posts === 2 ? new Promise<never>(() => undefined) : result;
      };
      void sender(dying).round();
      await expect.poll(() => receiver.got.length).toBe(2);
      // Its lease holds the rest meanwhile.
      expect(await survivor.round()).toEqual({ delivered: 0, failed: 0, skipped: 0 });
      world.clock.advanceHours(61 / 3600);
      await drain(survivor);
      const [first, second, third] = (await db.webhookDelivery.findMany({ where: { subscriber: { name: 'crash-test' } }, orderBy: { id: 'asc' } })).map((d) => d.eventId);
      // The first (marked delivered) never again; the second again with its id (at least once); the third once.
      expect(receiver.ids()).toEqual([first, second, second, third]);
      expect(await db.webhookDelivery.count({ where: { subscriber: { name: 'crash-test' }, deliveredAt: null } })).toBe(0);
    });

    test('a subscriber failing for WEBHOOK_PAUSE_AFTER_HOURS is paused and its admins told; resumed, it goes on where it stopped', async () => {
      const { record } = await subscribe('down-for-a-day', ['ticket.created', 'ticket.state_changed'], 'QH-01');
      await report(world.app, 'R-QH-01-002-H002', '自来水发黄', 'water');
      receiver.statuses.push(...Array<number>(100).fill(503));
      const s = sender();
      const started = world.clock.now();
      while (world.clock.now().getTime() - started.getTime() < (PAUSE_AFTER_HOURS + 2) * 3_600_000) {
        await s.round();
        world.clock.advanceHours(0.5);
      }
      const paused = await subscriberNamed(db, 'down-for-a-day');
      expect(paused).toMatchObject({ pauseReason: 'failing' });
      expect(paused!.pausedAt!.getTime() - started.getTime()).toBeGreaterThanOrEqual(PAUSE_AFTER_HOURS * 3_600_000);
      expect(paused!.pausedAt!.getTime() - started.getTime()).toBeLessThan((PAUSE_AFTER_HOURS + 1.5) * 3_600_000);
      const attempts = receiver.got.length;
      expect(new Set(receiver.ids())).toEqual(new Set([receiver.got[0]!.json.id]));
      // The county's admin is told in chat.
      const admin = await db.person.findUniqueOrThrow({ where: { code: 'ADM-QH' } });
      const told = await db.outboxMessage.findMany({ where: { recipientId: admin.id, template: 'webhook.paused' } });
      expect(told).toHaveLength(1);
      expect(JSON.parse(told[0]!.params)).toMatchObject({ name: 'down-for-a-day', hours: PAUSE_AFTER_HOURS });
      // Paused: nothing is sent, while new events queue.
      const later = await report(world.app, 'R-QH-01-002-H003', '路灯闪烁', 'power');
      world.clock.advanceHours(2);
      expect(await s.round()).toEqual({ delivered: 0, failed: 0, skipped: 0 });
      expect(receiver.got).toHaveLength(attempts);
      receiver.statuses.length = 0;
      await resumeSubscriberNamed(db, 'down-for-a-day', world.clock.now());
      await drain(s);
      const after = receiver.got.slice(attempts);
      expect(after.map((r) => [r.json.type, r.json.data.event.toState])).toEqual([
        ['ticket.created', 'received'],
        ['ticket.state_changed', 'dispatched'],
        ['ticket.created', 'received'],
        ['ticket.state_changed', 'dispatched'],
      ]);
      expect(after[0]!.json.id).toBe(receiver.got[0]!.json.id);
      expect(after[2]!.json.data.ticket.number).toBe(later);
      expect((await subscriberNamed(db, record.name))!.failingSince).toBeNull();
    });

    test('a region’s subscriber hears of that region’s tickets only; one without a region, of the public board’s', async () => {
      await subscribe('qh-02-only', ['ticket.created'], 'QH-02');
      await subscribe('board-only', ['ticket.created']);
      await report(world.app, 'R-QH-01-001-H007', '东湖村的路灯坏了', 'power');
      const theirs = await report(world.app, 'R-QH-02-001-H003', '杏花村的路灯坏了', 'power');
      await drain(sender());
      expect(receiver.got.map((r) => r.json.data.ticket.number)).toEqual([theirs]);
      // The board-only subscriber's deliveries were settled unsent: neither ticket is on the board.
      const boardOnly = await db.webhookDelivery.findMany({ where: { subscriber: { name: 'board-only' } } });
      expect(boardOnly.map((d) => [d.skipped, d.attempts, d.deliveredAt !== null])).toEqual([
        [true, 0, true],
        [true, 0, true],
      ]);
    });

    test('a subscriber hears only the event types it chose: the resident’s rating is ticket.rated, its closing a state change', async () => {
      await subscribe('ratings', ['ticket.rated'], 'QH-01');
      await subscribe('states', ['ticket.state_changed'], 'QH-01');
      const number = await report(world.app, 'R-QH-01-001-H008', '路灯又坏了', 'power');
      const liaison = await actorFor(db, (await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } })).id);
      const resident = await actorFor(db, (await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H008' } })).id);
      for (const [actor, command] of [
        [liaison, { type: 'accept' }],
        [liaison, { type: 'resolve', result: '已更换灯泡' }],
        [resident, { type: 'rate', rating: 'satisfied', comment: '很快' }],
      ] as const) {
        expect((await world.app.pipeline.execute(number, command, actor)).ok).toBe(true);
      }
      await drain(sender());
      const heard = (name: string) => receiver.got.filter((r) => r.path === `/hook/${name}`).map((r) => [r.json.type, r.json.data.event.toState, r.json.data.ticket.state]);
      expect(heard('ratings')).toEqual([['ticket.rated', 'callback', 'closed']]);
      expect(heard('states')).toEqual([
        ['ticket.state_changed', 'dispatched', 'closed'],
        ['ticket.state_changed', 'accepted', 'closed'],
        ['ticket.state_changed', 'resolved', 'closed'],
        ['ticket.state_changed', 'closed', 'closed'],
      ]);
    });
  });
});
