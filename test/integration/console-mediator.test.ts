/**
 * A mediator in the console, on both databases: they log in to their own mediation cases
 * and nothing else, record sessions and the agreement (audited in their name), and leave
 * a party's answer, the extension and the court referral to the region's staff; another
 * case, and every other console page, is 404 for them.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { saveAccount } from '../../src/org/staff-accounts.js';
import { ConsoleClient, consoleWorldFor, DEMO_PASSWORD, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('a mediator in the console', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let mediator: { id: number };
    let own: number;
    let other: number;
    let number: string;

    beforeAll(async () => {
      db = world.db;
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      // Two village mediators, as a roster import with the `mediator` role makes them; one has an account.
      mediator = await db.person.create({
        data: { code: 'M-QH-01-001', name: '调解员老周', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: 'M-QH-01-001|mediator|QH-01-001' } } },
      });
      const colleague = await db.person.create({
        data: { code: 'M-QH-01-001-B', name: '调解员老吴', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: 'M-QH-01-001-B|mediator|QH-01-001' } } },
      });
      await saveAccount(db, { username: 'med-zhou', personCode: 'M-QH-01-001', password: DEMO_PASSWORD }, world.clock.now());
      number = await report(world.app, 'R-QH-01-001-H001', '宅基地边界纠纷', 'dispute', { description: '与邻居因院墙位置发生争执' });
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      const openCase = async (fields: Record<string, string>) => {
        await dsp.page('/console/mediation/new');
        const res = await dsp.post('/console/mediation/new', { region: String(village.id), ...fields });
        expect(res.status).toBe(303);
        return Number(/\/console\/mediation\/(\d+)/.exec(res.headers.get('location') ?? '')![1]);
      };
      own = await openCase({ ticket: number, mediator: String(mediator.id), title: '宅基地边界纠纷', facts: '院墙位置争执', parties: 'R-QH-01-001-H001\nQH-01-001-H002' });
      other = await openCase({ mediator: String(colleague.id), title: '借款纠纷', facts: '借款五千元未还', parties: 'R-QH-01-001-H003\n李四' });
    });

    test('logs in to their mediation cases: the nav holds 调解 only, the list only their own cases', async () => {
      const med = new ConsoleClient(world.base);
      const login = await med.login('med-zhou');
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/console/mediation');
      const root = await med.get('/console');
      expect(root.headers.get('location')).toBe('/console/mediation');

      const list = await med.page('/console/mediation');
      expect(list.status).toBe(200);
      expect(list.text).toContain('aria-current="page">矛盾调解');
      expect(list.text).toContain('调解员老周');
      expect(list.text).toContain(`href="/console/mediation/${own}"`);
      expect(list.text).not.toContain(`href="/console/mediation/${other}"`);
      expect(list.text).not.toContain('借款纠纷');
      // No other section in the nav, no opening of cases, no colleagues' figures.
      for (const path of ['/console/queue', '/console/stats', '/console/visits', '/console/ledger', '/console/meetings', '/console/mediation/new']) {
        expect(list.text).not.toContain(`href="${path}`);
      }
      expect(list.text).not.toContain('调解员工作量');
      expect(list.text).toContain('退出');
    });

    test('records a session and the agreement on their case, in their name; the staff’s decisions are not theirs', async () => {
      const med = await loggedIn(world.base, 'med-zhou');
      const page = await med.page(`/console/mediation/${own}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`action="/console/mediation/${own}/session"`);
      expect(page.text).toContain(`action="/console/mediation/${own}/agree"`);
      for (const what of ['extend', 'refer', 'answer']) expect(page.text).not.toContain(`action="/console/mediation/${own}/${what}"`);
      // The request it came from is named, not linked: its page is the dispatcher's (404 for them).
      expect(page.text).toContain(number);
      expect(page.text).not.toContain(`href="/console/tickets/${number}"`);

      const session = await med.post(`/console/mediation/${own}/session`, { heldOn: '2026-11-16', place: '村委会', attendees: '双方当事人', notes: '双方同意按原界址重砌院墙' });
      expect(session.status).toBe(303);
      expect(await db.mediationSession.findFirstOrThrow({ where: { caseId: own } })).toMatchObject({ place: '村委会', recordedById: mediator.id });
      expect((await med.post(`/console/mediation/${own}/agree`, { text: '按原界址重砌院墙，费用各半' })).status).toBe(303);
      expect(await db.mediationCase.findUniqueOrThrow({ where: { id: own } })).toMatchObject({ status: 'agreement', agreement: '按原界址重砌院墙，费用各半' });
      const audits = await db.auditEvent.findMany({ where: { action: { in: ['mediation_session', 'mediation_agree'] } }, orderBy: { id: 'asc' } });
      expect(audits.map((a) => [a.action, a.actorId, (JSON.parse(a.data ?? '{}') as { case: number }).case])).toEqual([
        ['mediation_session', mediator.id, own],
        ['mediation_agree', mediator.id, own],
      ]);

      // A party's answer on paper, the extension and the referral are the dispatcher's: 404, nothing changed.
      const party = await db.mediationParty.findFirstOrThrow({ where: { caseId: own } });
      expect((await med.post(`/console/mediation/${own}/answer`, { party: String(party.id), answer: 'confirmed' })).status).toBe(404);
      expect((await med.post(`/console/mediation/${own}/extend`, {})).status).toBe(404);
      expect((await med.post(`/console/mediation/${own}/refer`, { court: '清河县人民法院', reason: '不同意' })).status).toBe(404);
      expect(await db.mediationCase.findUniqueOrThrow({ where: { id: own } })).toMatchObject({ status: 'agreement', extensions: 0, referredAt: null });
      expect(await db.mediationParty.findUniqueOrThrow({ where: { id: party.id } })).toMatchObject({ answer: null });
      // The dispatcher still can.
      await dsp.page(`/console/mediation/${own}`);
      expect((await dsp.post(`/console/mediation/${own}/extend`, {})).status).toBe(303);
    });

    test('another case, opening one, and every other console page are 404', async () => {
      const med = await loggedIn(world.base, 'med-zhou');
      await med.page('/console/mediation');
      expect((await med.get(`/console/mediation/${other}`)).status).toBe(404);
      expect((await med.post(`/console/mediation/${other}/session`, { heldOn: '2026-11-16', place: '村委会', attendees: '', notes: '试图记录' })).status).toBe(404);
      expect(await db.mediationSession.count({ where: { caseId: other } })).toBe(0);
      expect((await med.get('/console/mediation/new')).status).toBe(404);
      expect((await med.post('/console/mediation/new', { title: 'x', facts: 'x', parties: '张三\n李四' })).status).toBe(404);
      // Their own case's request is the dispatcher's too: no ticket pages for a mediator.
      for (const path of [
        '/console/queue',
        `/console/tickets/${number}`,
        '/console/stats',
        '/console/visits',
        '/console/inbox',
        '/console/surveys',
        '/console/themes',
        '/console/assistance',
        '/console/ledger',
        '/console/meetings',
        '/console/intake',
        '/console/ranking',
        '/console/board',
      ]) {
        const res = await med.get(path);
        expect(res.status, path).toBe(404);
      }
      const api = await med.get('/console/api/queue');
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toContain('application/json');
    });

    test('the demo’s mediator, a grid leader too (med-qh-01-001), keeps the grid’s console and gets 调解 with only the cases they mediate', async () => {
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const grid = await loggedIn(world.base, 'med-qh-01-001');
      // A grid leader without the role has no mediation.
      expect((await grid.get('/console/mediation')).status).toBe(404);
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      await db.personRole.create({ data: { personId: liaison.id, role: 'mediator', regionId: village.id, scopeKey: `${liaison.code}|mediator|${village.code}` } });
      await db.mediationCase.update({ where: { id: other }, data: { mediatorId: liaison.id } });
      const queue = await grid.page('/console/queue');
      expect(queue.status).toBe(200);
      expect(queue.text).toContain('href="/console/mediation">矛盾调解');
      const list = await grid.page('/console/mediation');
      expect(list.text).toContain(`href="/console/mediation/${other}"`);
      expect(list.text).not.toContain(`href="/console/mediation/${own}"`);
      expect((await grid.get(`/console/mediation/${own}`)).status).toBe(404);
      expect(
        (
          await grid.post(`/console/mediation/${other}/position`, {
            party: String((await db.mediationParty.findFirstOrThrow({ where: { caseId: other } })).id),
            position: '借款属实',
          })
        ).status,
      ).toBe(303);
      expect(await db.auditEvent.findFirstOrThrow({ where: { action: 'mediation_position' }, orderBy: { id: 'desc' } })).toMatchObject({ actorId: liaison.id });
      expect((await grid.post(`/console/mediation/${other}/refer`, { court: '清河县人民法院', reason: '不同意还款' })).status).toBe(404);
    });
  });
});
