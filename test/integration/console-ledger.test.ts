/**
 * The ledger 台账 in the console (/console/ledger), on both databases: creating an item
 * with Chinese refusals, editing it, progress entries, linking tickets, late once past its
 * deadline, closed done or dropped with the reason, 挂牌督办 by a supervisor only (its
 * owner's handlers told through the outbox), every change audited, and the scope of each
 * user (another township's item is 404).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { reportAssistance } from '../../src/assistance/cases.js';
import { sqlTransaction } from '../../src/db/client.js';
import { openMediationCase } from '../../src/mediation/cases.js';
import { maskName } from '../../src/privacy.js';
import { renderMonthlyReport } from '../../src/report/html.js';
import { buildMonthlyReport } from '../../src/report/monthly.js';
import { type ConsoleClient, consoleWorldFor, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { rules } from '../helpers/org-fixture.js';

eachDatabase((kind) => {
  describe('the ledger in the console', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let township: { id: number };
    let other: { id: number };
    let station: { id: number; name: string };
    let foreignStation: { id: number };
    let dispatcherId: number;
    let itemId: number;
    const NOW = new Date('2026-11-16T09:00:00+08:00');
    const GOAL = '村口路灯全部修复';

    beforeAll(async () => {
      db = world.db;
      world.clock.set(NOW);
      township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      other = await db.region.findUniqueOrThrow({ where: { code: 'QH-02' } });
      station = await db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: township.id, kind: 'power' } } });
      foreignStation = await db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: other.id, kind: 'power' } } });
      dispatcherId = (await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } })).id;
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    const at = async (local: string) => {
      world.clock.set(new Date(`${local}+08:00`));
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    };

    const form = (fields: Record<string, string> = {}) => ({
      region: String(township.id),
      goal: GOAL,
      measures: '排查全镇路灯，更换损坏灯具',
      deadline: '2026-11-30',
      owner: `department:${station.id}`,
      public: '1',
      ...fields,
    });

    const refused = async (path: string, fields: Record<string, string>, message: string) => {
      const res = await dsp.post(path, fields);
      expect(res.status).toBe(422);
      expect(await res.text()).toContain(message);
    };

    test('creating: clear Chinese refusals, then the item, audited', async () => {
      const list = await dsp.page('/console/ledger');
      expect(list.status).toBe(200);
      expect(list.text).toContain('aria-current="page">台账');
      await dsp.page('/console/ledger/new');
      const before = await db.ledgerItem.count();
      await refused('/console/ledger/new', form({ goal: ' ' }), '请填写目标');
      await refused('/console/ledger/new', form({ measures: '' }), '请填写措施');
      await refused('/console/ledger/new', form({ deadline: '2026-11-31' }), '完成时限应为 YYYY-MM-DD 格式的日期');
      await refused('/console/ledger/new', form({ owner: '' }), '请选择责任人或责任部门');
      await refused('/console/ledger/new', form({ owner: `department:${foreignStation.id}` }), '所选责任人或部门不属于该地区');
      await refused('/console/ledger/new', form({ region: String(other.id) }), '请选择您辖区内的地区');
      expect(await db.ledgerItem.count()).toBe(before);

      const res = await dsp.post('/console/ledger/new', form());
      expect(res.status).toBe(303);
      const item = await db.ledgerItem.findFirstOrThrow({ where: { goal: GOAL } });
      itemId = item.id;
      expect(res.headers.get('location')).toBe(`/console/ledger/${itemId}?done=created`);
      expect(item).toMatchObject({
        regionId: township.id,
        ownerDepartmentId: station.id,
        ownerPersonId: null,
        isPublic: true,
        status: 'open',
        createdById: dispatcherId,
        createdAt: NOW,
      });
      const page = await dsp.page(`/console/ledger/${itemId}`);
      expect(page.text).toContain(GOAL);
      expect(page.text).toContain(station.name);
      expect(page.text).toContain('推进中');
      expect(await db.auditEvent.findFirstOrThrow({ where: { action: 'ledger_created' } })).toMatchObject({ actorId: dispatcherId, at: NOW });
    });

    test('editing, progress entries and linked tickets', async () => {
      const base = `/console/ledger/${itemId}`;
      expect((await dsp.page(`${base}/edit`)).text).toContain(`value="${GOAL}"`);
      expect((await dsp.post(`${base}/edit`, form({ deadline: '2026-11-20', public: '' }))).status).toBe(303);
      expect(await db.ledgerItem.findUniqueOrThrow({ where: { id: itemId } })).toMatchObject({ deadline: '2026-11-20', isPublic: false });
      const edit = await db.auditEvent.findFirstOrThrow({ where: { action: 'ledger_updated' } });
      expect(JSON.parse(edit.data)).toEqual({ itemId, changed: ['deadline', 'isPublic'] });

      await refused(`${base}/progress`, { text: ' ' }, '请填写进展');
      expect((await dsp.post(`${base}/progress`, { text: '已排查 3 个村' })).status).toBe(303);
      expect(await db.ledgerProgress.findFirstOrThrow({ where: { itemId } })).toMatchObject({ text: '已排查 3 个村', byId: dispatcherId, at: NOW });
      // The one progress writer (chat's too) audits the entry, with what the console adds.
      expect(JSON.parse((await db.auditEvent.findFirstOrThrow({ where: { action: 'ledger_progress', actorId: dispatcherId } })).data)).toEqual({ itemId });
      expect((await dsp.page(base)).text).toContain('已排查 3 个村');

      const here = await report(world.app, 'R-QH-01-001-H001', '村口路灯不亮');
      expect((await dsp.post(`${base}/tickets`, { number: here.toLowerCase() })).status).toBe(303);
      await refused(`${base}/tickets`, { number: here }, '已关联');
      await refused(`${base}/tickets`, { number: 'MQ-2026-999999' }, '没有找到诉求');
      expect((await dsp.page(base)).text).toContain(`href="/console/tickets/${here}"`);
    });

    test('linked assistance and mediation cases, shown on the item and on each case; a case of another township refused', async () => {
      const base = `/console/ledger/${itemId}`;
      const household = await db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H002' } });
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const foreignHousehold = await db.household.findUniqueOrThrow({ where: { code: 'QH-02-001-H001' } });
      const assisted = await sqlTransaction(db, (tx) => reportAssistance(tx, { householdId: household.id, need: '取暖困难', urgent: false }, dispatcherId, rules, NOW));
      const foreign = await sqlTransaction(db, (tx) => reportAssistance(tx, { householdId: foreignHousehold.id, need: '取暖困难', urgent: false }, dispatcherId, rules, NOW));
      const mediated = await openMediationCase(
        db,
        { regionId: village.id, title: '路灯电费分摊纠纷（联系13987654321）', facts: '两户对电费分摊有争议', mediatorId: null, parties: [{ name: '甲' }, { name: '乙' }] },
        dispatcherId,
        NOW,
        { limitDays: 30, extensionDays: 15, followUpDays: [30, 90] },
      );

      expect((await dsp.page(base)).text).toContain('还没有关联帮扶或调解案件');
      expect((await dsp.post(`${base}/cases`, { kind: 'assistance', case: String(assisted) })).status).toBe(303);
      expect((await dsp.post(`${base}/cases`, { kind: 'mediation', case: `#${mediated}` })).status).toBe(303);
      await refused(`${base}/cases`, { kind: 'assistance', case: String(assisted) }, '已关联');
      await refused(`${base}/cases`, { kind: 'assistance', case: String(foreign) }, '不在您的工作范围内');
      await refused(`${base}/cases`, { kind: 'mediation', case: '999999' }, '没有找到调解 #999999');
      await refused(`${base}/cases`, { kind: 'ticket', case: '1' }, '请选择案件类型');
      expect(await db.ledgerCaseLink.count({ where: { itemId } })).toBe(2);
      expect(await db.auditEvent.count({ where: { action: 'ledger_case_linked', actorId: dispatcherId } })).toBe(2);

      const item = (await dsp.page(base)).text;
      expect(item).toContain(`href="/console/assistance/${assisted}">帮扶 #${assisted}</a>`);
      expect(item).toContain('QH-01-001-H002');
      expect(item).toContain(`href="/console/mediation/${mediated}">调解 #${mediated}</a>`);
      // The case's title as staff read it (caseForStaff): a phone number in it masked.
      expect(item).toContain('路灯电费分摊纠纷（联系139****4321）');
      expect(item).not.toContain('13987654321');
      for (const path of [`/console/assistance/${assisted}`, `/console/mediation/${mediated}`]) {
        expect((await dsp.page(path)).text).toContain(`<a href="/console/ledger/${itemId}">#${itemId} ${GOAL}</a>`);
      }
      // The foreign case's page knows nothing of the item.
      expect((await dsp.page(`/console/assistance/${foreign}`)).status).toBe(404);
    });

    test('late the day after its deadline; 挂牌督办 by a supervisor alone, its owner’s handlers told in chat', async () => {
      const base = `/console/ledger/${itemId}`;
      await at('2026-11-20T23:30:00');
      expect((await dsp.page(base)).text).toContain('推进中');
      await at('2026-11-21T08:00:00');
      expect((await dsp.page(base)).text).toMatch(/ledger-late badge overdue/);
      expect((await dsp.page('/console/ledger?status=late')).text).toContain(GOAL);
      expect((await dsp.page('/console/ledger?status=done')).text).not.toContain(GOAL);

      // A dispatcher may not flag: there is no such action for them.
      expect((await dsp.page(base)).text).not.toContain('/flag');
      expect((await dsp.post(`${base}/flag`, { note: '本周内完成' })).status).toBe(404);

      const sup = await loggedIn(world.base, 'sup-qh');
      await sup.page(base);
      const flaggedAt = world.clock.now();
      expect((await sup.post(`${base}/flag`, { note: '本周内完成' })).status).toBe(303);
      const supervisorId = (await db.person.findUniqueOrThrow({ where: { code: 'SUP-QH' } })).id;
      expect(await db.ledgerItem.findUniqueOrThrow({ where: { id: itemId } })).toMatchObject({ flaggedAt, flaggedById: supervisorId, flagNote: '本周内完成' });
      const handlers = (await db.personRole.findMany({ where: { role: 'department_handler', departmentId: station.id }, select: { personId: true } })).map((r) => r.personId);
      expect(handlers.length).toBeGreaterThan(0);
      const pushes = await db.outboxMessage.findMany({ where: { template: 'ledger.flagged' } });
      expect(pushes.map((p) => p.recipientId).sort()).toEqual([...new Set(handlers)].sort());
      expect(JSON.parse(pushes[0]!.params)).toMatchObject({ id: itemId, goal: GOAL, deadline: '2026-11-20', note: '本周内完成' });
      const again = await sup.post(`${base}/flag`, { note: '再次' });
      expect(again.status).toBe(422);
      expect(await again.text()).toContain('已挂牌督办');
      expect((await sup.page('/console/ledger?flagged=1')).text).toContain(GOAL);
    });

    test('closing: the reason is required; done once; a closed item takes no more progress', async () => {
      const base = `/console/ledger/${itemId}`;
      await refused(`${base}/close`, { as: 'done', reason: '' }, '请填写完成情况');
      await refused(`${base}/close`, { as: 'dropped', reason: '' }, '请填写撤销原因');
      expect((await dsp.post(`${base}/close`, { as: 'done', reason: '12 盏全部更换' })).status).toBe(303);
      expect(await db.ledgerItem.findUniqueOrThrow({ where: { id: itemId } })).toMatchObject({ status: 'done', closedReason: '12 盏全部更换', closedById: dispatcherId });
      const page = await dsp.page(base);
      expect(page.text).toContain('已完成');
      expect(page.text).not.toContain('逾期');
      await refused(`${base}/close`, { as: 'dropped', reason: '重复' }, '该事项不存在或已办结');
      await refused(`${base}/progress`, { text: '又一条' }, '该事项已办结或已撤销');
      expect((await db.auditEvent.findMany({ where: { action: { startsWith: 'ledger_' } }, orderBy: { id: 'asc' } })).map((e) => e.action)).toEqual([
        'ledger_created',
        'ledger_updated',
        'ledger_progress',
        'ledger_ticket_linked',
        'ledger_case_linked',
        'ledger_case_linked',
        'ledger_flagged',
        'ledger_done',
      ]);
    });

    test('residents read the public commitments on the board, scrubbed, a person owner masked; not those kept internal', async () => {
      const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      await dsp.page('/console/ledger/new');
      const measures = `先修${resident.name}家门口的路，电话13912345678`;
      expect((await dsp.post('/console/ledger/new', form({ goal: '通村路面硬化', measures, owner: `person:${liaison.id}`, deadline: '2026-12-31' }))).status).toBe(303);
      expect((await dsp.post('/console/ledger/new', form({ goal: '内部整改事项', public: '' }))).status).toBe(303);

      const board = await (await fetch(`${world.base}/public/QH-01-001`)).text();
      expect(board).toContain('公开承诺');
      expect(board).toMatch(/通村路面硬化 <span class="ledger-status ledger-on_track">推进中/);
      expect(board).toContain(maskName(liaison.name));
      expect(board).not.toContain(liaison.name);
      expect(board).not.toContain(resident.name);
      expect(board).not.toContain('13912345678');
      expect(board).not.toContain('内部整改事项');
      // The first item, made internal by its edit, is not there either; another township's board shows none of them.
      expect(board).not.toContain(GOAL);
      const elsewhere = await fetch(`${world.base}/public/QH-02`);
      expect(elsewhere.status).toBe(200);
      expect(await elsewhere.text()).not.toContain('通村路面硬化');
    });

    test('the monthly report lists the items the month concerns: entered, due, done, late', async () => {
      const november = await buildMonthlyReport(db, { regionCode: 'QH-01', month: '2026-11', now: world.clock.now() });
      expect(november.ledger.counts).toEqual({ entered: 3, due: 2, done: 1, late: 0 });
      expect(november.ledger.items.map((r) => [r.item.goal, r.status])).toEqual([
        [GOAL, 'done'],
        ['内部整改事项', 'on_track'],
        ['通村路面硬化', 'on_track'],
      ]);
      const page = renderMonthlyReport(november);
      const section = page.slice(page.indexOf('<h2>公开承诺与挂牌督办台账'), page.indexOf('<h2>', page.indexOf('<h2>公开承诺与挂牌督办台账') + 1));
      expect(section).toContain('本月新增 3 项 · 本月到期 2 项 · 本月完成 1 项 · 逾期 0 项');
      expect(section).toContain('本月新增、本月到期、本月完成');
      expect(section).toContain('已排查 3 个村');

      // In December the internal item, due on 30 November and still open, is late; the done one is no longer the month's.
      const december = await buildMonthlyReport(db, { regionCode: 'QH-01', month: '2026-12', now: new Date('2026-12-02T09:00:00+08:00') });
      expect(december.ledger.counts).toEqual({ entered: 0, due: 1, done: 0, late: 1 });
      expect(december.ledger.items.map((r) => [r.item.goal, r.status])).toEqual([
        ['内部整改事项', 'late'],
        ['通村路面硬化', 'on_track'],
      ]);
      // Another township's report has none of them.
      expect((await buildMonthlyReport(db, { regionCode: 'QH-02', month: '2026-11', now: world.clock.now() })).ledger.items).toEqual([]);
    });

    test('another township’s dispatcher finds no such item; the county supervisor sees it', async () => {
      const stranger = await loggedIn(world.base, 'dsp-qh-02');
      expect((await stranger.page(`/console/ledger/${itemId}`)).status).toBe(404);
      expect((await stranger.page('/console/ledger')).text).not.toContain(GOAL);
      expect((await stranger.post(`/console/ledger/${itemId}/progress`, { text: '越权' })).status).toBe(404);
      const sup = await loggedIn(world.base, 'sup-qh');
      expect((await sup.page('/console/ledger')).text).toContain(GOAL);
    });
  });
});
