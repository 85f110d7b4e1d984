/**
 * A mediation's texts go through the one scrubber wherever someone other than its parties
 * reads them, on both databases: a phone number and an ID-card number written in a case's
 * title, facts, positions, session notes and agreement are masked (139****4321, as a
 * ticket's texts are for staff) on its console pages for the region's staff and for its
 * mediator, in the list, on the request's page, in the court's dossier and in the pushes
 * to staff; never shown in public. The parties' names stay in full (the design: the case is
 * staff's to mediate, the dossier the court's); the parties themselves are sent the agreement
 * as written, and saving a form unchanged does not mask the stored text for good.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { saveAccount } from '../../src/org/staff-accounts.js';
import { type ConsoleClient, consoleWorldFor, DEMO_PASSWORD, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

const PHONE = '13987654321';
const ID_CARD = '110105199001011234';
const PHONE_MASKED = '139****4321';
const ID_MASKED = '110****1234';

/** Neither number in full, in any page or text. */
function expectMasked(text: string): void {
  expect(text).not.toContain(PHONE);
  expect(text).not.toContain(ID_CARD);
}

eachDatabase((kind) => {
  describe('a mediation’s texts, as others than its parties read them', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let med: ConsoleClient;
    let number: string;
    let caseId: number;
    let partyName: string;

    beforeAll(async () => {
      db = world.db;
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const mediator = await db.person.create({
        data: { code: 'M-QH-01-001', name: '调解员老周', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: 'M-QH-01-001|mediator|QH-01-001' } } },
      });
      await saveAccount(db, { username: 'med-zhou', personCode: 'M-QH-01-001', password: DEMO_PASSWORD }, world.clock.now());
      partyName = (await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } })).name;
      number = await report(world.app, 'R-QH-01-001-H001', '宅基地边界纠纷', 'dispute', { description: `与邻居因院墙位置争执，我电话${PHONE}，身份证${ID_CARD}` });
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      med = await loggedIn(world.base, 'med-zhou');

      // The form opened from the request fills in its description as the request's page shows it.
      const form = await dsp.page(`/console/mediation/new?ticket=${number}`);
      expectMasked(form.text);
      expect(form.text).toContain(PHONE_MASKED);
      const opened = await dsp.post('/console/mediation/new', {
        ticket: number,
        region: String(village.id),
        mediator: String(mediator.id),
        title: `宅基地边界纠纷（联系${PHONE}）`,
        facts: `双方因院墙位置争执。一方电话${PHONE}，身份证${ID_CARD}。`,
        parties: 'R-QH-01-001-H001\n外村 王某',
      });
      expect(opened.status).toBe(303);
      caseId = Number(/\/console\/mediation\/(\d+)/.exec(opened.headers.get('location') ?? '')![1]);
      const parties = await db.mediationParty.findMany({ where: { caseId }, orderBy: { id: 'asc' } });
      const posted = [
        await med.post(`/console/mediation/${caseId}/session`, {
          heldOn: '2026-11-16',
          place: '村委会',
          attendees: `王某（${PHONE}）`,
          notes: `王某称身份证${ID_CARD}，电话${PHONE}`,
        }),
        await med.post(`/console/mediation/${caseId}/position`, { party: String(parties[0]!.id), position: `院墙应后退半米，联系${PHONE}` }),
        await med.post(`/console/mediation/${caseId}/agree`, { text: `院墙后退半米，费用各半；有事打${PHONE}` }),
      ];
      expect(posted.map((r) => r.status)).toEqual([303, 303, 303]);
    });

    test('the case page masks the numbers for the region’s staff and for its mediator, with the parties’ names in full', async () => {
      for (const client of [dsp, med]) {
        const page = await client.page(`/console/mediation/${caseId}`);
        expect(page.status).toBe(200);
        expectMasked(page.text);
        expect(page.text).toContain(PHONE_MASKED);
        expect(page.text).toContain(ID_MASKED);
        expect(page.text).toContain(partyName);
        expect(page.text).toContain('外村 王某');
        const list = await client.page('/console/mediation');
        expectMasked(list.text);
        expect(list.text).toContain(`宅基地边界纠纷（联系${PHONE_MASKED}）`);
      }
      const ticketPage = await dsp.page(`/console/tickets/${number}`);
      expect(ticketPage.text).toContain(`href="/console/mediation/${caseId}"`);
      expectMasked(ticketPage.text);
    });

    test('what is stored stays as written: the parties are sent the agreement in full, and a form saved unchanged masks nothing for good', async () => {
      const c = await db.mediationCase.findUniqueOrThrow({ where: { id: caseId } });
      expect(c.facts).toContain(ID_CARD);
      const ask = await db.outboxMessage.findFirstOrThrow({ where: { template: 'mediation.ask_party', recipient: { code: 'R-QH-01-001-H001' } } });
      expect(ask.params).toContain(PHONE);
      // The position and the agreement come back to the page masked in their fields; saved as they are, the stored text stays.
      const party = (await db.mediationParty.findMany({ where: { caseId }, orderBy: { id: 'asc' } }))[0]!;
      expect((await med.post(`/console/mediation/${caseId}/position`, { party: String(party.id), position: `院墙应后退半米，联系${PHONE_MASKED}` })).status).toBe(303);
      expect((await db.mediationParty.findUniqueOrThrow({ where: { id: party.id } })).position).toBe(`院墙应后退半米，联系${PHONE}`);
      expect((await med.post(`/console/mediation/${caseId}/agree`, { text: `院墙后退半米，费用各半；有事打${PHONE_MASKED}` })).status).toBe(303);
      expect((await db.mediationCase.findUniqueOrThrow({ where: { id: caseId } })).agreement).toBe(`院墙后退半米，费用各半；有事打${PHONE}`);
    });

    test('the pushes to the mediator and the township’s dispatchers, the court’s dossier and the public pages show no number in full', async () => {
      // Past the limit: the mediator and the dispatchers are pushed, with the title masked.
      world.clock.set('2026-12-21T09:30:00+08:00');
      await world.app.scheduler.tick();
      const overdue = await db.outboxMessage.findMany({ where: { template: 'mediation.overdue' } });
      expect(overdue.length).toBeGreaterThanOrEqual(2);
      for (const push of overdue) expectMasked(push.params);

      // Weeks later: the console session has ended meanwhile.
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      const referred = await dsp.post(`/console/mediation/${caseId}/refer`, { court: '青河县人民法院', reason: `一方拒绝，电话${PHONE}` });
      expect(referred.headers.get('location')).toBe(`/console/mediation/${caseId}?done=refer`);
      const dossier = await dsp.page(`/console/mediation/${caseId}/dossier`);
      expect(dossier.status).toBe(200);
      expectMasked(dossier.text);
      expect(dossier.text).toContain(partyName);
      expect(dossier.text).toContain(PHONE_MASKED);

      // Disputes are never on the public board; nothing of the case is anywhere public.
      const board = await (await fetch(`${world.base}/public`)).text();
      expectMasked(board);
      expect(board).not.toContain('宅基地边界纠纷');
    });
  });
});
