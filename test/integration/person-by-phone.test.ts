/**
 * One phone, one person, on both databases: a walk-in registered at 受理登记 who then
 * writes through Open311 with the same phone is the same resident, and so is the reverse
 * (an Open311 requester who comes to the station is refused as new: they are found).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createApiKey } from '../../src/open311/keys.js';
import { type ConsoleClient, consoleWorldFor, loggedIn, START } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('one person by phone for 受理登记 and Open311', () => {
    const world = consoleWorldFor(kind);
    let dsp: ConsoleClient;
    let writer: string;
    let village: { id: number };

    beforeAll(async () => {
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      writer = (await createApiKey(world.db, { name: 'city-app', scopes: ['open311:write'] }, START)).key;
      village = await world.db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
    });

    const open311 = async (phone: string): Promise<string> => {
      const res = await fetch(`${world.base}/open311/v2/requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ api_key: writer, service_code: 'road', description: '村口路面塌了一个坑', phone, 'attribute[village]': 'QH-01-001' }),
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      return String((JSON.parse(text) as { service_request_id: string }[])[0]!.service_request_id);
    };

    const intake = (phone: string) =>
      dsp.post('/console/intake', {
        resident: 'new',
        name: '赵来访',
        phone,
        channel: 'station',
        region: String(village.id),
        category: 'power',
        description: '村口的路灯坏了',
        location: '村口',
      });

    test('a 受理登记 walk-in who then writes through Open311 is one person', async () => {
      const res = await intake('13812345601');
      expect(res.status).toBe(303);
      const number = /done=([A-Z]+-\d{4}-\d{6})/.exec(res.headers.get('location') ?? '')![1]!;
      const walkIn = await world.db.ticket.findUniqueOrThrow({ where: { number } });
      const people = await world.db.person.count();
      const viaOpen311 = await world.db.ticket.findUniqueOrThrow({ where: { number: await open311('138 1234 5601') } });
      expect(viaOpen311.residentId).toBe(walkIn.residentId);
      expect(await world.db.person.count()).toBe(people);
    });

    test('an Open311 requester who comes to the station is found, not made twice', async () => {
      const viaOpen311 = await world.db.ticket.findUniqueOrThrow({ where: { number: await open311('13812345602') } });
      const people = await world.db.person.count();
      const twice = await intake('13812345602');
      expect(twice.status).toBe(422);
      expect(await twice.text()).toContain('这个电话号码已在名册中');
      expect(await world.db.person.count()).toBe(people);
      expect(viaOpen311.residentId).not.toBeNull();
    });
  });
});
