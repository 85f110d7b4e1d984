/**
 * Control characters in posted forms, on both databases: U+0000 (which PostgreSQL refuses
 * in text) and the other C0 controls, in every text field of the console's 受理登记, of a
 * ticket's reply and note, and of an Open311 request. Shown: each post gets a clean
 * answer — registered, or refused with what to correct — never a 500; what is stored
 * holds no control character but tab and line breaks; a refusal writes nothing.
 *
 * Seeded: MINQING_PROPERTY_SEED replays a run (fast-check also prints seed and path).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { createApiKey } from '../../src/open311/keys.js';
import { ConsoleClient, consoleWorldFor, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

const SEED = Number(process.env['MINQING_PROPERTY_SEED'] ?? Date.now() % 2 ** 31);

// eslint-disable-next-line no-control-regex -- control characters are what is looked for
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A text with control characters in it: U+0000 always, others at random, around typed words. */
const dirty = fc
  .tuple(
    fc.constantFrom('', '村口路灯坏了', '13912345678', '王', 'power', 'station', '1'),
    fc.array(fc.constantFrom('\u0000', '\u0001', '\u0008', '\u000B', '\u001B', '\u001F', '\u007F', '\t', '\n'), { maxLength: 4 }),
    fc.constantFrom('', '晚上很黑', '5678', 'x'),
  )
  .map(([before, controls, after]) => `${before}\u0000${controls.join('')}${after}`);

/** Every stored text of the tickets registered since `since` (and of their residents and events), none with a control character. */
async function expectCleanSince(db: Db, since: number): Promise<void> {
  const tickets = await db.ticket.findMany({ where: { id: { gt: since } }, include: { resident: true, events: true } });
  for (const t of tickets) {
    for (const value of [t.summary, t.description, t.location, t.contactPhone, t.keywords, t.resident.name, t.resident.phone, ...t.events.map((e) => e.data)]) {
      expect(CONTROL.test(value ?? ''), JSON.stringify(value)).toBe(false);
    }
  }
}

eachDatabase((kind) => {
  describe('control characters in posted forms', () => {
    const world = consoleWorldFor(kind, { OPEN311_REQUESTS_PER_MINUTE: '6000' });
    let db: Db;
    let dsp: ConsoleClient;
    let residentId: number;
    let villageId: number;
    let apiKey: string;

    beforeAll(async () => {
      db = world.db;
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      residentId = (await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } })).id;
      villageId = (await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } })).id;
      apiKey = (await createApiKey(db, { name: 'control-characters', scopes: ['open311:write'] }, world.clock.now())).key;
    });

    const lastTicketId = async () => (await db.ticket.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0;

    test('受理登记 with U+0000 in every text field: registered clean, or refused with nothing written', async () => {
      /** A choice the form offers, with a control character in it or not. */
      const choice = (value: string) => fc.constantFrom(value, `${value}\u0000`, `\u0001${value}\u001b`);
      const phone = fc.constantFrom('13912345678', '139\u00001234\u00015678', '\u0000', '0591-8\u00007654321');
      let registered = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.record({ q: dirty, name: dirty, phone, description: dirty, location: dirty, result: dirty }),
          fc.record({ channel: choice('station'), category: choice('power'), region: choice(String(villageId)), resident: fc.oneof(choice('new'), choice(String(residentId))) }),
          fc.boolean(),
          async (typed, chosen, settled) => {
            const since = await lastTicketId();
            const people = await db.person.count();
            const res = await dsp.post('/console/intake', { ...typed, ...chosen, ...(settled ? { settled: '1\u0000' } : {}) });
            const page = await res.text();
            expect([303, 422], page.slice(0, 400)).toContain(res.status);
            if (res.status === 303) registered++;
            else {
              expect(await lastTicketId()).toBe(since);
              expect(await db.person.count()).toBe(people);
            }
            await expectCleanSince(db, since);
          },
        ),
        { seed: SEED, numRuns: 30 },
      );
      // Not a test that refuses everything: what reads as a request once cleaned registers.
      expect(registered).toBeGreaterThan(0);
    });

    test('the same words registered without their control characters: the clean text is what was typed', async () => {
      const since = await lastTicketId();
      const res = await dsp.post('/console/intake', {
        resident: 'new',
        name: '王\u0000来\u0001电',
        phone: '137\u00002468\u001b0135',
        region: `${villageId}\u0000`,
        channel: 'phone\u0000',
        category: 'power\u0000',
        description: '村口\u0000路灯\u007f坏了\n晚上很黑',
        location: '大槐树\u0000旁',
      });
      expect(res.status, await res.text()).toBe(303);
      const ticket = await db.ticket.findFirstOrThrow({ where: { id: { gt: since } }, include: { resident: true } });
      expect(ticket).toMatchObject({ description: '村口路灯坏了\n晚上很黑', location: '大槐树旁', contactPhone: '13724680135', channel: 'phone', categoryCode: 'power' });
      expect(ticket.resident).toMatchObject({ name: '王来电', phone: '13724680135' });
    });

    test('a login with control characters in its username is an ordinary wrong login, not a 500', async () => {
      const client = new ConsoleClient(world.base);
      expect((await client.login('dsp-qh-01\u0000', 'wrong\u0000password')).status).toBe(401);
      expect((await client.login('\u0000dsp-qh-01')).status).toBe(303);
    });

    test('a reply and a note with control characters: recorded clean, or refused; never a 500', async () => {
      const number = await report(world.app, 'R-QH-01-001-H002', '水渠堵了');
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      await dsp.page(`/console/tickets/${number}`);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('reply', 'note'), dirty, async (action, text) => {
          const events = await db.ticketEvent.count({ where: { ticketId: ticket.id } });
          const res = await dsp.post(`/console/tickets/${number}/${action}`, { text });
          // 409: the pipeline's refusal (nothing left to say once cleaned).
          expect([303, 409], `${action} ${JSON.stringify(text)}`).toContain(res.status);
          if (res.status !== 303) expect(await db.ticketEvent.count({ where: { ticketId: ticket.id } })).toBe(events);
        }),
        { seed: SEED, numRuns: 15 },
      );
      await expectCleanSince(db, ticket.id - 1);
      const outbox = await db.outboxMessage.findMany({ where: { ticketId: ticket.id } });
      for (const m of outbox) expect(CONTROL.test(m.params), m.params).toBe(false);
    });

    test('an Open311 request with U+0000 in every text field: created clean, or refused with nothing written', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            description: dirty,
            address_string: dirty,
            first_name: dirty,
            last_name: dirty,
            phone: dirty,
            email: dirty,
            'attribute[landmark]': dirty,
            'attribute[kind]': dirty,
            device_id: dirty,
            account_id: dirty,
          }),
          async (fields) => {
            const since = await lastTicketId();
            const res = await fetch(`${world.base}/open311/v2/requests.json`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ ...fields, api_key: apiKey, service_code: 'power', 'attribute[village]': 'QH-01-001' }),
            });
            const text = await res.text();
            expect([200, 400], text).toContain(res.status);
            if (res.status !== 200) expect(await lastTicketId()).toBe(since);
            await expectCleanSince(db, since);
          },
        ),
        { seed: SEED, numRuns: 20 },
      );
    });
  });
});
