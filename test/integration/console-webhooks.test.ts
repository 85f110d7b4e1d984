/**
 * The console's webhooks section (推送订阅), on both databases: an admin makes a
 * subscriber and sees its secret once, pauses and resumes it, and reads its delivery log
 * newest first (time, event, status code, attempts, next retry, last error); every
 * change is an AuditEvent; for anyone else the section is the console's 404.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { WebhookSender } from '../../src/webhooks/delivery.js';
import { subscriberNamed } from '../../src/webhooks/subscribers.js';
import { type ConsoleClient, consoleWorldFor, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('console webhooks', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let admin: ConsoleClient;

    beforeAll(async () => {
      db = world.db;
      // The tests send with senders of their own: the app's scheduler (its first round at start) must not send meanwhile.
      await world.app.scheduler.stop();
      admin = await loggedIn(world.base, 'adm-qh');
    });

    test('an admin makes a subscriber, sees its secret once, and reads its delivery log newest first; pause and resume', async () => {
      const list = await admin.page('/console/webhooks');
      expect(list.status).toBe(200);
      expect(list.text).toContain('推送订阅');
      expect(list.text).toContain('ticket.state_changed');
      // Nothing listens on port 9 (discard): every attempt fails, and the log shows it.
      const created = await admin.post('/console/webhooks', { name: 'city-app', url: 'http://127.0.0.1:9/hook', events: 'ticket.created', region: 'QH-01' });
      expect(created.status).toBe(201);
      const text = await created.text();
      const secret = /whsec_[0-9a-f]{64}/.exec(text)?.[0];
      expect(secret).toBe((await db.webhookSubscriber.findUniqueOrThrow({ where: { name: 'city-app' } })).secret);
      // Shown once: neither the list nor the subscriber's page has it again.
      expect((await admin.page('/console/webhooks')).text).not.toContain(secret);
      const audit = await db.auditEvent.findFirst({ where: { action: 'webhook_create' } });
      expect(JSON.parse(audit!.data)).toMatchObject({ name: 'city-app', region: 'QH-01' });

      const first = await report(world.app, 'R-QH-01-001-H001', '村口的路灯坏了', 'power');
      world.clock.advanceHours(0.05);
      const second = await report(world.app, 'R-QH-01-001-H002', '村道上有个大坑', 'road');
      await new WebhookSender({ database: world.app.database, clock: world.clock, pauseAfterHours: 24, timeoutMs: 2000 }).round();
      const page = await admin.page('/console/webhooks/city-app');
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(secret);
      // Newest first: the second ticket's event above the first's; the first tried once, with its error and next retry.
      expect(page.text.indexOf(second)).toBeGreaterThan(0);
      expect(page.text.indexOf(second)).toBeLessThan(page.text.indexOf(first));
      expect(page.text).toMatch(/ECONNREFUSED|fetch failed/);
      expect(page.text).toContain('待发送');

      expect((await admin.post('/console/webhooks/city-app/pause', {})).status).toBe(303);
      expect((await subscriberNamed(db, 'city-app'))?.pauseReason).toBe('admin');
      expect((await admin.page('/console/webhooks/city-app')).text).toContain('已暂停');
      expect((await admin.post('/console/webhooks/city-app/resume', {})).status).toBe(303);
      expect((await subscriberNamed(db, 'city-app'))?.pausedAt).toBeNull();
      expect(await db.auditEvent.count({ where: { action: { in: ['webhook_pause', 'webhook_resume'] } } })).toBe(2);
    });

    test('a mistake in the form is shown with what was typed; a region outside the admin’s is refused', async () => {
      const bad = await admin.post('/console/webhooks', { name: 'Bad Name', url: 'http://x.example/h', events: 'ticket.created', region: 'QH-01' });
      expect(bad.status).toBe(422);
      expect(await bad.text()).toContain('the name may use lower-case letters');
      const nowhere = await admin.post('/console/webhooks', { name: 'elsewhere', url: 'http://x.example/h', events: 'ticket.created', region: 'XX-99' });
      expect(nowhere.status).toBe(422);
      expect(await subscriberNamed(db, 'elsewhere')).toBeNull();
    });

    test('for anyone but an admin the section is the console’s 404, pages and actions alike', async () => {
      const dispatcher = await loggedIn(world.base, 'dsp-qh-01');
      for (const path of ['/console/webhooks', '/console/webhooks/city-app']) expect((await dispatcher.page(path)).status).toBe(404);
      expect((await dispatcher.post('/console/webhooks', { name: 'sneaky', url: 'http://x.example/h', events: 'ticket.created', region: 'QH-01' })).status).toBe(404);
      expect((await dispatcher.post('/console/webhooks/city-app/delete', {})).status).toBe(404);
      expect(await subscriberNamed(db, 'sneaky')).toBeNull();
      expect(await subscriberNamed(db, 'city-app')).not.toBeNull();
      expect((await dispatcher.page('/console/queue')).text).not.toContain('/console/webhooks');
      expect((await admin.page('/console/queue')).text).toContain('/console/webhooks');
    });
  });
});
