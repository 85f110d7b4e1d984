/**
 * The scheduler's hourly retention, on both databases with a fake clock, for the rows
 * added to it after the received message ids (those are in pipeline.test.ts): settled
 * webhook deliveries go after WEBHOOK_DELIVERY_RETENTION_DAYS and one still to be sent
 * never does, however old; the API's stored idempotent answers go after their 24-hour
 * window, those of an API key that sends no more POSTs too, while a recent one is still
 * replayed.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { idempotencyRetention, idempotent } from '../../src/api/idempotency.js';
import { loadedOnFirstRun } from '../../src/pipeline/retention.js';
import { Scheduler } from '../../src/pipeline/scheduler.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { claimDueWebhooks } from '../../src/webhooks/delivery.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

const DAY_MS = 86_400_000;

eachDatabase((kind) => {
  describe('retention', () => {
    let database: TestDatabase;
    let clock: FakeClock;
    let scheduler: Scheduler;

    beforeEach(async () => {
      database = await kind.fresh();
      clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
      // The duties the app hands the scheduler (src/app.ts), the webhooks' loaded on its first run as there.
      scheduler = new Scheduler({
        database,
        pipeline: new PipelineService({ db: database.db, rules, clock }),
        clock,
        retention: [
          loadedOnFirstRun('webhookDeliveries', async () => (await import('../../src/webhooks/retention.js')).webhookDeliveryRetention(30 * DAY_MS)),
          idempotencyRetention,
        ],
      });
    });
    afterEach(async () => {
      await database.dispose();
    });

    const daysAgo = (days: number) => new Date(clock.now().getTime() - days * DAY_MS);

    test('settled webhook deliveries go after the retention period, hourly; one still to be sent never goes, and is still sent', async () => {
      const { db } = database;
      const subscriber = await db.webhookSubscriber.create({
        data: { name: 'dashboard', url: 'https://dashboard.example.org/hook', events: 'ticket.created', secret: '00', createdAt: daysAgo(90) },
      });
      /** A delivery queued `queued` days ago and settled `settled` days ago (null: not yet). */
      const delivery = (eventId: string, queued: number, settled: number | null, skipped = false) =>
        db.webhookDelivery.create({
          data: {
            subscriberId: subscriber.id,
            eventId,
            type: 'ticket.created',
            ticketId: 1,
            eventSeq: 1,
            createdAt: daysAgo(queued),
            availableAt: daysAgo(queued),
            attempts: settled === null ? 3 : 1,
            deliveredAt: settled === null ? null : daysAgo(settled),
            skipped,
          },
        });
      await delivery('evt_old_delivered', 60, 59);
      await delivery('evt_old_skipped', 45, 45, true);
      // Queued long ago, delivered only lately (the subscriber was paused): kept by when it was delivered.
      await delivery('evt_late_delivered', 50, 3);
      // Never delivered, its receiver down for 40 days: still to be sent, whatever its age.
      const waiting = await delivery('evt_old_waiting', 40, null);
      await delivery('evt_recent_delivered', 2, 2);
      const left = async () => (await db.webhookDelivery.findMany({ orderBy: { id: 'asc' } })).map((d) => d.eventId);

      expect(await scheduler.forgetExpired()).toEqual({ inbound: 0, webhookDeliveries: 2, idempotencyKeys: 0 });
      expect(await left()).toEqual(['evt_late_delivered', 'evt_old_waiting', 'evt_recent_delivered']);
      // The one left waiting is still claimed for sending.
      const now = clock.now();
      expect(await claimDueWebhooks(db, { workerId: 'w', now, until: new Date(now.getTime() + 60_000), batch: 10 })).toEqual([waiting.id]);

      // Within the hour nothing runs; a month on, the two delivered since have aged too, and the waiting one stays.
      clock.advanceHours(0.5);
      expect((await scheduler.forgetExpired()).webhookDeliveries).toBe(0);
      clock.advanceHours(24 * 30);
      expect((await scheduler.forgetExpired()).webhookDeliveries).toBe(2);
      expect(await left()).toEqual(['evt_old_waiting']);
    });

    test('stored idempotent answers go after their 24 hours, of every API key; a recent one is still replayed', async () => {
      const { db } = database;
      const apiKey = (name: string) => db.apiKey.create({ data: { name, keyHash: name, scopes: 'write', createdAt: daysAgo(10) } });
      const active = await apiKey('active');
      // This key's client stopped posting: its answers were never cleared by a later POST of its own.
      const silent = await apiKey('silent');
      const post = (keyId: number, key: string) => idempotent(db, keyId, key, `hash-${key}`, clock.now(), () => Promise.resolve({ status: 201, value: { key } }));
      await post(silent.id, 'silent-1');
      await post(active.id, 'active-1');
      clock.advanceHours(23);
      await post(active.id, 'active-2');
      clock.advanceHours(2);
      const left = async () => (await db.apiIdempotencyKey.findMany({ orderBy: { key: 'asc' } })).map((k) => k.key);
      expect(await left()).toEqual(['active-1', 'active-2', 'silent-1']);

      expect(await scheduler.forgetExpired()).toEqual({ inbound: 0, webhookDeliveries: 0, idempotencyKeys: 2 });
      expect(await left()).toEqual(['active-2']);
      // Within its window the answer is replayed, not handled again.
      expect(await post(active.id, 'active-2')).toEqual({ status: 201, value: { key: 'active-2' }, replayed: true });
      clock.advanceHours(24);
      expect((await scheduler.forgetExpired()).idempotencyKeys).toBe(1);
      expect(await left()).toEqual([]);
    });

    test('the runner takes its duties as given: one loaded on its first run, once; a backlog left by one runs again on the next tick', async () => {
      let loads = 0;
      const passes: Date[] = [];
      const backlog = [true];
      const duty = loadedOnFirstRun('sample', () => {
        loads++;
        return Promise.resolve({
          name: 'sample',
          forget: (_sql, now) => {
            passes.push(now);
            return Promise.resolve({ deleted: 7, done: !(backlog.shift() ?? false) });
          },
        });
      });
      const own = new Scheduler({ database, pipeline: new PipelineService({ db: database.db, rules, clock }), clock, retention: [duty] });
      expect(loads).toBe(0);
      // The first run left a backlog: the next tick goes on with it, though within the hour.
      expect(await own.forgetExpired()).toEqual({ inbound: 0, sample: 7 });
      clock.advanceHours(0.1);
      expect(await own.forgetExpired()).toEqual({ inbound: 0, sample: 7 });
      // Done to the end: nothing until the hour is up.
      clock.advanceHours(0.1);
      expect(await own.forgetExpired()).toEqual({ inbound: 0, sample: 0 });
      clock.advanceHours(1);
      expect(await own.forgetExpired()).toEqual({ inbound: 0, sample: 7 });
      expect(passes).toHaveLength(3);
      expect(loads).toBe(1);
    });
  });
});
