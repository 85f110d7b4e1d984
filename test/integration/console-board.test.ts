/**
 * The public board at /public: a region's requests with personal data removed, its
 * satisfaction and on-time rates from the statistics, and the admin's switch that takes
 * a region off the board.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { actorFor } from '../../src/pipeline/service.js';
import { scrub } from '../../src/privacy.js';
import { ConsoleClient, consoleWorldFor, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

let personal: string;
let plain: string;
let elsewhere: string;

eachDatabase((kind) => {
  const world = consoleWorldFor(kind);

  beforeAll(async () => {
    const db = world.db;
    // A summary full of what must not be published.
    personal = await report(world.app, 'R-QH-01-001-H001', '罗丽敏家门口路灯坏了，电话 139-1234-5678，王大爷说一组3号门口也不亮，找老李也没用');
    plain = await report(world.app, 'R-QH-01-002-H001', '柳树湾村停水三天了', 'water');
    elsewhere = await report(world.app, 'R-QH-02-001-H001', '杏花村的路灯坏了');
    // The first is handled and rated 满意: one of one satisfied, resolved on time.
    const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
    const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
    for (const [who, command] of [
      [liaison.id, { type: 'accept' }],
      [liaison.id, { type: 'resolve', result: '已更换灯泡' }],
      [resident.id, { type: 'rate', rating: 'satisfied' }],
    ] as const) {
      const outcome = await world.app.pipeline.execute(personal, command, await actorFor(db, who));
      expect(outcome.ok).toBe(true);
    }
    // The township's dispatcher publishes the first two with the summary the page proposes
    // (the scrubbed text); the other township's request stays unpublished.
    const dsp = await loggedIn(world.base, 'dsp-qh-01');
    for (const number of [personal, plain]) {
      const page = await dsp.page(`/console/tickets/${number}`);
      const proposed = /<textarea name="summary"[^>]*>([^<]*)<\/textarea>/.exec(page.text)?.[1] ?? '';
      expect(proposed).not.toContain('罗丽敏');
      expect((await dsp.post(`/console/tickets/${number}/publish`, { summary: proposed.replace(/&amp;/g, '&') })).status).toBe(303);
    }
  });

  async function board(path: string): Promise<{ status: number; text: string }> {
    const res = await fetch(world.base + path);
    return { status: res.status, text: await res.text() };
  }

  describe('the board', () => {
    test('lists the published regions', async () => {
      const index = await board('/public');
      expect(index.status).toBe(200);
      for (const name of ['青禾县', '清水镇', '东湖村', '禾丰镇']) expect(index.text).toContain(name);
    });

    test("a township's board: its requests, scrubbed, with states and dates, and its rates", async () => {
      const page = await board('/public/QH-01');
      expect(page.status).toBe(200);
      expect(page.text).toContain(personal);
      expect(page.text).toContain(plain);
      expect(page.text).not.toContain(elsewhere);
      // No names, no phone, no house number, no household, no handler.
      for (const secret of ['罗丽敏', '139-1234-5678', '13912345678', '王大爷', '3号', '老李', 'QH-01-001-H001', '苏松琴', '罗**', '19900000001']) {
        expect(page.text, secret).not.toContain(secret);
      }
      expect(page.text).toContain('某某家门口路灯坏了');
      expect(page.text).toContain('某大爷');
      expect(page.text).toContain('*号门口');
      expect(page.text).toContain('电力照明');
      expect(page.text).toContain('东湖村');
      expect(page.text).toContain('已归档');
      // 满意率 1/1, 按时办结率 1/1 (the other request is open and within its deadline).
      expect(page.text).toContain('满意率');
      expect(page.text).toContain('100.0%（1/1）');
      expect(page.text).toContain('按时办结率');
      // The board's headers are as strict as the console's.
      const res = await fetch(`${world.base}/public/QH-01`);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    });

    test('an unknown region, or a bad code, is 404', async () => {
      expect((await board('/public/NOPE')).status).toBe(404);
      expect((await board('/public/%3Cscript%3E')).status).toBe(404);
    });

    test('the scrubber takes out roster names, titles with a surname, phones, IDs, e-mails and house numbers', () => {
      const names = new Set(['罗丽敏', '秦鹏']);
      expect(scrub('秦鹏和罗丽敏反映', names)).toBe('某某和某某反映');
      expect(scrub('张师傅电话13800138000，身份证110101199003071234', names)).toBe('某师傅电话***，身份证***');
      expect(scrub('联系 0536-12345678 或 a.b@example.com', names)).toBe('联系 *** 或 ***');
      expect(scrub('东湖村一组12号的李阿姨', names)).toBe('东湖村一组*号的某阿姨');
      expect(scrub('老王家的狗', names)).toBe('老某家的狗');
      expect(scrub('村口路灯坏了三天', names)).toBe('村口路灯坏了三天');
    });
  });

  describe('published, not automatic (公示)', () => {
    test('an unreviewed request is not on the board, however personal its text; publishing is audited, and taking down too', async () => {
      const fresh = await report(world.app, 'R-QH-01-001-H002', '邻居家的狗咬了人，他叫秦鹏，电话13912345678');
      expect((await board('/public/QH-01')).text).not.toContain(fresh);
      expect((await board('/public/QH-01-001')).text).not.toContain(fresh);
      const dsp = await loggedIn(world.base, 'dsp-qh-01');
      const page = await dsp.page(`/console/tickets/${fresh}`);
      expect(page.text).toContain('未公示');
      // Staff write their own public summary; the board scrubs it all the same.
      expect((await dsp.post(`/console/tickets/${fresh}/publish`, { summary: '村里有狗伤人，秦鹏已报派出所 13912345678' })).status).toBe(303);
      const shown = await board('/public/QH-01');
      expect(shown.text).toContain(fresh);
      expect(shown.text).toContain('村里有狗伤人，某某已报派出所 ***');
      const t = await world.db.ticket.findUniqueOrThrow({ where: { number: fresh } });
      const dispatcher = await world.db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      expect(await world.db.auditEvent.findMany({ where: { ticketId: t.id }, select: { action: true, actorId: true } })).toEqual([{ action: 'published', actorId: dispatcher.id }]);
      expect((await dsp.page(`/console/tickets/${fresh}`)).text).toContain('公示摘要');
      expect((await dsp.post(`/console/tickets/${fresh}/unpublish`, {})).status).toBe(303);
      expect((await board('/public/QH-01')).text).not.toContain(fresh);
      expect((await world.db.auditEvent.findMany({ where: { ticketId: t.id } })).map((a) => a.action)).toEqual(['published', 'unpublished']);
      // Someone without a region role (a grid leader, a department) cannot publish.
      const liaisonOnly = await world.db.staffAccount.count({ where: { username: 'dsp-qh-02' } });
      expect(liaisonOnly).toBe(1);
      const other = await loggedIn(world.base, 'dsp-qh-02');
      expect((await other.post(`/console/tickets/${fresh}/publish`, { summary: 'x' })).status).toBe(404);
    });

    test('disputes and a region’s private categories are only counted; the rates count every request', async () => {
      const dispute = await report(world.app, 'R-QH-01-001-H003', '和邻居为宅基地边界吵起来了', 'dispute');
      const dsp = await loggedIn(world.base, 'dsp-qh-01');
      const page = await dsp.page(`/console/tickets/${dispute}`);
      expect(page.text).toContain('只计数');
      expect((await dsp.post(`/console/tickets/${dispute}/publish`, { summary: '邻里纠纷' })).status).toBe(409);
      expect((await board('/public/QH-01')).text).not.toContain(dispute);
      // A region that shows resolved requests by itself (办结后自动公示), keeping health private.
      const admin = await loggedIn(world.base, 'adm-qh');
      const township = await world.db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      await admin.page('/console/board');
      expect((await admin.post('/console/board', { region: String(township.id), mode: 'after_resolution', private: 'health' })).status).toBe(303);
      expect((await admin.post('/console/board', { region: String(township.id), mode: 'sometimes', private: '' })).status).toBe(422);
      const light = await report(world.app, 'R-QH-01-001-H004', '村口路灯又坏了');
      const clinic = await report(world.app, 'R-QH-01-001-H005', '卫生室的医生经常不在', 'health');
      for (const number of [light, clinic]) {
        // Its handler: the liaison, or a handler of the department it went to.
        const t = await world.db.ticket.findUniqueOrThrow({ where: { number } });
        const handlerId = t.assigneeId ?? (await world.db.personRole.findFirstOrThrow({ where: { role: 'department_handler', departmentId: t.assigneeDepartmentId } })).personId;
        const by = await actorFor(world.db, handlerId);
        expect((await world.app.pipeline.execute(number, { type: 'accept' }, by)).ok).toBe(true);
        expect((await world.app.pipeline.execute(number, { type: 'resolve', result: '已处理' }, by)).ok).toBe(true);
      }
      expect((await world.db.ticket.findUniqueOrThrow({ where: { number: clinic } })).state).toBe('resolved');
      const shown = (await board('/public/QH-01')).text;
      expect(shown).toContain(light);
      expect(shown).not.toContain(clinic);
      // Back to the default for the other tests.
      expect((await admin.post('/console/board', { region: String(township.id), mode: '', private: '' })).status).toBe(303);
    });
  });

  describe('the switch', () => {
    test('only an admin sees the switch; a dispatcher gets 404', async () => {
      const dsp = await loggedIn(world.base, 'dsp-qh-01');
      expect((await dsp.get('/console/board')).status).toBe(404);
      expect((await dsp.post('/console/board', { region: '1', publish: '0' })).status).toBe(404);
      expect((await world.db.region.findUniqueOrThrow({ where: { code: 'QH' } })).publicBoard).toBe(true);
    });

    test('an admin switches a village off: its board is gone and its requests leave the boards above; on again brings them back', async () => {
      const admin = await loggedIn(world.base, 'adm-qh');
      const page = await admin.page('/console/board');
      expect(page.status).toBe(200);
      expect(page.text).toContain('东湖村');
      const village = await world.db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      // Without the CSRF token nothing changes.
      expect((await admin.post('/console/board', { _csrf: 'x', region: String(village.id), publish: '0' })).status).toBe(403);
      expect((await world.db.region.findUniqueOrThrow({ where: { id: village.id } })).publicBoard).toBe(true);

      const off = await admin.post('/console/board', { region: String(village.id), publish: '0' });
      expect(off.status).toBe(303);
      expect((await world.db.region.findUniqueOrThrow({ where: { id: village.id } })).publicBoard).toBe(false);
      expect((await board('/public/QH-01-001')).status).toBe(404);
      const township = await board('/public/QH-01');
      expect(township.text).not.toContain(personal);
      expect(township.text).toContain(plain);
      expect((await board('/public')).text).not.toContain('东湖村');
      // The export of the switch table says so too.
      const csv = await (await admin.get('/console/board.csv')).text();
      expect(csv).toContain('QH-01-001,东湖村,村 village,关闭 off');

      // Switching the township off hides its villages as well.
      const qh01 = await world.db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      await admin.post('/console/board', { region: String(qh01.id), publish: '0' });
      expect((await board('/public/QH-01-002')).status).toBe(404);
      expect((await board('/public/QH')).text).not.toContain(plain);

      await admin.post('/console/board', { region: String(qh01.id), publish: '1' });
      await admin.post('/console/board', { region: String(village.id), publish: '1' });
      expect((await board('/public/QH-01-001')).status).toBe(200);
      expect((await board('/public/QH-01')).text).toContain(personal);
    });

    test('the board needs no login, and never sets a cookie', async () => {
      const client = new ConsoleClient(world.base);
      const res = await client.get('/public/QH');
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual([]);
    });
  });
});
