/**
 * A person's name is scrubbed from the moment they exist, on both databases: a walk-in
 * registered at 受理登记 whose request names them, read at once on the ticket page's
 * proposed public summary, the public board and anonymous Open311 — with the roster's
 * names read (and kept) just before; and a person written by another client (another
 * process, a roster import) is seen as well.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { rosterNames } from '../../src/privacy.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('new names are scrubbed at once', () => {
    const world = consoleWorldFor(kind);
    let dsp: ConsoleClient;

    beforeAll(async () => {
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    test('a walk-in whose request names them: the proposed summary, the board and Open311 show 某某', async () => {
      const village = await world.db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      // The roster's names are read (and kept) before the walk-in exists.
      expect((await rosterNames(world.db)).has('李秀英')).toBe(false);
      expect((await fetch(`${world.base}/public/QH-01`)).status).toBe(200);
      const res = await dsp.post('/console/intake', {
        resident: 'new',
        name: '李秀英',
        phone: '13812340001',
        channel: 'station',
        region: String(village.id),
        category: 'power',
        description: '李秀英反映村口的路灯坏了',
        location: '村口',
      });
      expect(res.status).toBe(303);
      const number = /done=([A-Z]+-\d{4}-\d{6})/.exec(res.headers.get('location') ?? '')![1]!;
      const page = await dsp.page(`/console/tickets/${number}`);
      const proposed = /<textarea name="summary"[^>]*>([^<]*)<\/textarea>/.exec(page.text)?.[1] ?? '';
      expect(proposed).toContain('某某反映村口的路灯坏了');
      expect((await dsp.post(`/console/tickets/${number}/publish`, { summary: proposed })).status).toBe(303);
      const ticket = await world.db.ticket.findUniqueOrThrow({ where: { number } });
      expect(ticket.publicSummary).not.toContain('李秀英');
      const board = await (await fetch(`${world.base}/public/QH-01`)).text();
      expect(board).toContain(number);
      expect(board).not.toContain('李秀英');
      const open311 = await (await fetch(`${world.base}/open311/v2/requests/${number}.json`)).text();
      expect(open311).toContain('某某反映');
      expect(open311).not.toContain('李秀英');
    });

    test('a person written by another client, and a rename, reach the names at the next read', async () => {
      expect((await rosterNames(world.db)).has('周卫东')).toBe(false);
      const person = await world.db.person.create({ data: { code: 'W-other-process', name: '周卫东', phone: '13812340002' } });
      expect((await rosterNames(world.db)).has('周卫东')).toBe(true);
      await world.db.person.update({ where: { id: person.id }, data: { name: '周卫红' } });
      const names = await rosterNames(world.db);
      expect(names.has('周卫红')).toBe(true);
      expect(names.has('周卫东')).toBe(false);
    });
  });
});
