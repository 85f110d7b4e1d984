/**
 * 矛盾纠纷调解 in the console (/console/mediation), on both databases: a case opened from a
 * `dispute` request with parties from the roster and one not on it, refusals in Chinese
 * first, sessions, the agreement pushed to each party's chat with 确认 / 有异议, answers
 * given on paper, the mediator told when it settles, follow-ups, the mediators' figures,
 * 诉调对接 with its dossier and the court's outcome, every action audited, and the scope.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('矛盾纠纷调解 in the console', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let village: { id: number };
    let mediator: { id: number; name: string };
    let number: string;

    beforeAll(async () => {
      db = world.db;
      village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      // A village mediator, as a roster import with the `mediator` role makes one.
      mediator = await db.person.create({
        data: { code: 'M-QH-01-001', name: '调解员老周', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: 'M-QH-01-001|mediator|QH-01-001' } } },
      });
      const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      const outcome = await world.app.pipeline.report({
        residentId: resident.id,
        categoryCode: 'dispute',
        kind: 'dispute',
        summary: '宅基地边界纠纷',
        description: '与邻居因院墙位置发生争执',
      });
      if (!outcome.ok) throw new Error('report refused');
      number = outcome.ticket.number;
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    const caseOf = async () => db.mediationCase.findFirstOrThrow({ where: { ticketId: (await db.ticket.findUniqueOrThrow({ where: { number } })).id } });

    test('a dispute request is offered for mediation, and a case is opened from it with its parties; refusals say why in Chinese first', async () => {
      const list = await dsp.page('/console/mediation');
      expect(list.status).toBe(200);
      expect(list.text).toContain('aria-current="page">矛盾调解');
      expect(list.text).toContain(`/console/mediation/new?ticket=${number}`);

      // The request's own page offers it too; another township's dispatcher sees no such box.
      const before = await dsp.page(`/console/tickets/${number}`);
      expect(before.text).toContain('尚未登记调解');
      expect(before.text).toContain(`href="/console/mediation/new?ticket=${number}"`);

      const form = await dsp.page(`/console/mediation/new?ticket=${number}`);
      expect(form.text).toContain('宅基地边界纠纷');
      expect(form.text).toContain('R-QH-01-001-H001');
      expect(form.text).toContain('调解员老周');

      const fields = { ticket: number, region: String(village.id), mediator: String(mediator.id), title: '宅基地边界纠纷', facts: '与邻居因院墙位置发生争执' };
      // A household of another township is not on this dispatcher's roster.
      const foreign = await dsp.post('/console/mediation/new', { ...fields, parties: 'R-QH-01-001-H001\nQH-02-001-H001' });
      expect(foreign.status).toBe(422);
      expect(await foreign.text()).toContain('花名册中没有 QH-02-001-H001');
      const alone = await dsp.post('/console/mediation/new', { ...fields, parties: 'R-QH-01-001-H001' });
      expect(alone.status).toBe(422);
      expect(await alone.text()).toContain('至少需要两方当事人');

      const opened = await dsp.post('/console/mediation/new', { ...fields, parties: 'R-QH-01-001-H001\nQH-01-001-H002\n外村 王某' });
      expect(opened.status).toBe(303);
      const c = await caseOf();
      expect(c).toMatchObject({ status: 'mediating', regionId: village.id, mediatorId: mediator.id, dueOn: '2026-12-16', openedAt: world.clock.now() });
      const parties = await db.mediationParty.findMany({ where: { caseId: c.id }, orderBy: { id: 'asc' } });
      expect(parties.map((p) => [p.name, p.personId !== null, p.householdId !== null])).toEqual([
        [(await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } })).name, true, false],
        [(await db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H002' } })).headName, false, true],
        ['外村 王某', false, false],
      ]);
      expect(await db.auditEvent.findFirst({ where: { action: 'mediation_opened' }, orderBy: { id: 'desc' } })).toMatchObject({ ticketId: c.ticketId });
      // The request's page now shows the case instead of the offer.
      const after = await dsp.page(`/console/tickets/${number}`);
      expect(after.text).toMatch(new RegExp(`<a href="/console/mediation/${c.id}">调解案件 .*#${c.id} 宅基地边界纠纷</a> · <span class="state">调解中`));
      expect(after.text).not.toContain('尚未登记调解');
      // One case per request: the request is no longer offered, nor can it be opened twice.
      expect((await dsp.page('/console/mediation')).text).not.toContain(`new?ticket=${number}`);
      const twice = await dsp.post('/console/mediation/new', { ...fields, parties: 'R-QH-01-001-H001\n张三' });
      expect(twice.status).toBe(422);
      expect(await twice.text()).toContain('这件诉求已经有调解案件');
      expect(await db.mediationCase.count({ where: { ticketId: c.ticketId } })).toBe(1);
    });

    test('sessions, positions and the agreement: each party with a chat is asked 确认 / 有异议; answers on paper settle it and the mediator hears', async () => {
      const c = await caseOf();
      await dsp.page(`/console/mediation/${c.id}`);
      expect((await dsp.post(`/console/mediation/${c.id}/session`, { heldOn: '2026-11-20', place: '村委会', attendees: '双方', notes: '未谈拢' })).status).toBe(422);
      expect(
        (await dsp.post(`/console/mediation/${c.id}/session`, { heldOn: '2026-11-16', place: '村委会', attendees: '双方当事人、村调委会', notes: '双方同意按原界址重砌院墙' }))
          .status,
      ).toBe(303);
      const parties = await db.mediationParty.findMany({ where: { caseId: c.id }, orderBy: { id: 'asc' } });
      expect((await dsp.post(`/console/mediation/${c.id}/position`, { party: String(parties[0]!.id), position: '院墙占了我家地' })).status).toBe(303);
      expect((await dsp.post(`/console/mediation/${c.id}/extend`, {})).status).toBe(303);
      expect((await db.mediationCase.findUniqueOrThrow({ where: { id: c.id } })).dueOn).toBe('2027-01-15');

      const before = await db.outboxMessage.count();
      expect((await dsp.post(`/console/mediation/${c.id}/agree`, { text: '按原界址重砌院墙，费用各半' })).status).toBe(303);
      const pushes = await db.outboxMessage.findMany({ where: { template: 'mediation.ask_party' }, orderBy: { id: 'asc' } });
      // The person, and every member of the household; the party not on the roster has no chat.
      const household = await db.person.findMany({ where: { household: { code: 'QH-01-001-H002' } }, select: { id: true } });
      expect(pushes.map((p) => p.recipientId).sort()).toEqual([parties[0]!.personId!, ...household.map((h) => h.id)].sort());
      expect((await db.outboxMessage.count()) - before).toBe(pushes.length);
      expect(JSON.parse(pushes[0]!.actions)).toEqual([
        { label: 'mediation.confirm', payload: `mediation:${parties[0]!.id}:confirmed`, means: 'yes' },
        { label: 'mediation.object', payload: `mediation:${parties[0]!.id}:objected`, means: 'no' },
      ]);
      expect(JSON.parse(pushes[0]!.params)).toEqual({ title: '宅基地边界纠纷', agreement: '按原界址重砌院墙，费用各半' });

      for (const party of parties) expect((await dsp.post(`/console/mediation/${c.id}/answer`, { party: String(party.id), answer: 'confirmed' })).status).toBe(303);
      const settled = await db.mediationCase.findUniqueOrThrow({ where: { id: c.id } });
      expect(settled).toMatchObject({ status: 'settled', settledAt: world.clock.now() });
      expect(await db.outboxMessage.findFirst({ where: { recipientId: mediator.id, template: 'mediation.settled' } })).not.toBeNull();
      // A second answer is refused.
      expect((await dsp.post(`/console/mediation/${c.id}/answer`, { party: String(parties[0]!.id), answer: 'confirmed' })).status).toBe(422);

      expect((await dsp.post(`/console/mediation/${c.id}/follow-up`, { kept: 'yes' })).status).toBe(303);
      expect((await dsp.post(`/console/mediation/${c.id}/follow-up`, { kept: 'yes' })).status).toBe(303);
      expect(await db.mediationCase.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ keptFirst: true, keptSecond: true, status: 'closed' });
      const audits = await db.auditEvent.findMany({ where: { action: { startsWith: 'mediation_' } }, orderBy: { id: 'asc' } });
      expect(audits.map((a) => a.action)).toEqual([
        'mediation_opened',
        'mediation_session',
        'mediation_position',
        'mediation_extend',
        'mediation_agree',
        'mediation_answer',
        'mediation_answer',
        'mediation_answer',
        'mediation_follow_up',
        'mediation_follow_up',
      ]);

      const list = await dsp.page('/console/mediation');
      // 调解员老周: 1 case, 1 settled, 1 kept, 0 referred, 0 days.
      expect(list.text).toMatch(/<td>调解员老周<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">0<\/td><td class="num">0<\/td>/);
    });

    test('诉调对接: a failed mediation is referred with a dossier for the court (full names), and closes on the court’s outcome; others’ cases are 404', async () => {
      await dsp.page('/console/mediation/new');
      const opened = await dsp.post('/console/mediation/new', {
        region: String(village.id),
        mediator: '',
        title: '借款纠纷',
        facts: '借款五千元未还',
        parties: 'R-QH-01-001-H003\n李四',
      });
      expect(opened.status).toBe(303);
      const id = Number(/\/console\/mediation\/(\d+)/.exec(opened.headers.get('location') ?? '')![1]);
      await dsp.page(`/console/mediation/${id}`);
      expect((await dsp.get(`/console/mediation/${id}/dossier`)).status).toBe(404);
      expect((await dsp.get(`/console/mediation/${id}/dossier.pdf`)).status).toBe(404);
      expect((await dsp.post(`/console/mediation/${id}/refer`, { court: '', reason: '' })).status).toBe(422);
      expect((await dsp.post(`/console/mediation/${id}/refer`, { court: '清河县人民法院', reason: '被申请人不同意还款' })).status).toBe(303);
      const dossier = await dsp.page(`/console/mediation/${id}/dossier`);
      expect(dossier.status).toBe(200);
      const name = (await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H003' } })).name;
      expect(dossier.text).toContain(name);
      expect(dossier.text).toContain('清河县人民法院');
      expect(dossier.text).toContain('被申请人不同意还款');
      expect(await db.mediationCase.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'referred' });

      // The same dossier as a PDF, printed by the server's Chromium; without one, the printable page and a note.
      expect((await dsp.page(`/console/mediation/${id}`)).text).toContain(`/console/mediation/${id}/dossier.pdf`);
      const pdf = await dsp.get(`/console/mediation/${id}/dossier.pdf`);
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="mediation-dossier-${id}.pdf"`);
      expect(
        Buffer.from(await pdf.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      const chromium = process.env['CHROMIUM_PATH'];
      process.env['CHROMIUM_PATH'] = '/nonexistent/chromium';
      try {
        const fallback = await dsp.page(`/console/mediation/${id}/dossier.pdf`);
        expect(fallback.status).toBe(200);
        expect(fallback.res.headers.get('content-type')).toContain('text/html');
        expect(fallback.text).toContain('服务器上未找到 Chromium');
        expect(fallback.text).toContain('另存为 PDF');
        expect(fallback.text).toContain(name);
      } finally {
        if (chromium === undefined) delete process.env['CHROMIUM_PATH'];
        else process.env['CHROMIUM_PATH'] = chromium;
      }

      const other = await loggedIn(world.base, 'dsp-qh-02');
      expect((await other.get(`/console/mediation/${id}`)).status).toBe(404);
      expect((await other.get(`/console/mediation/${id}/dossier`)).status).toBe(404);
      expect((await other.get(`/console/mediation/${id}/dossier.pdf`)).status).toBe(404);
      await other.page('/console/mediation');
      expect((await other.post(`/console/mediation/${id}/outcome`, { text: '判决' })).status).toBe(404);
      expect((await other.page('/console/mediation')).text).not.toContain('借款纠纷');

      expect((await dsp.post(`/console/mediation/${id}/outcome`, { text: '法院调解，分期还款' })).status).toBe(303);
      // Disputes are private: no public board shows a case or the request it came from.
      for (const path of ['/public', '/public/QH-01', '/public/QH-01-001']) {
        const board = await fetch(world.base + path);
        expect(board.status).toBe(200);
        const text = await board.text();
        for (const words of ['借款纠纷', '宅基地边界纠纷', '与邻居因院墙位置发生争执', number]) expect(text).not.toContain(words);
      }
      expect(await db.mediationCase.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'closed', courtOutcome: '法院调解，分期还款' });
    });
  });
});
