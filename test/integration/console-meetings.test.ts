/**
 * The meeting rhythm in the console (/console/meetings), on both databases: the list by
 * region and month, a meeting's page with its agenda, recording it with Chinese refusals
 * that keep what was typed, each kind of decision (a ticket through the pipeline, a ledger
 * item, an assignment) with its owner told in chat, an assignment marked done, every
 * change audited, and the scope of each user (another township's meeting is 404).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { meetingKey, prepareMeeting } from '../../src/meetings/meetings.js';
import { loadRegions } from '../../src/org/regions.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('meetings in the console', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let meetingId: number;
    let village: { id: number; name: string };
    let dispatcherId: number;
    let liaison: { id: number; name: string };
    const NOW = new Date('2026-11-20T15:00:00+08:00');

    beforeAll(async () => {
      db = world.db;
      world.clock.set(NOW);
      village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      dispatcherId = (await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } })).id;
      liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const regions = await loadRegions(db);
      const target = { regionId: village.id, kind: 'village' as const, period: '2026-11', heldOn: '2026-11-20' };
      // The app's own scheduler may have prepared it first (its meetings duty, on its first tick): then it is that one.
      meetingId =
        (await prepareMeeting(db, regions, target, new Date('2026-11-17T09:00:00+08:00'))) ?? (await db.meeting.findUniqueOrThrow({ where: { key: meetingKey(target) } })).id;
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    const base = () => `/console/meetings/${meetingId}`;
    const refused = async (path: string, fields: Record<string, string>, message: string) => {
      const res = await dsp.post(path, fields);
      expect(res.status).toBe(422);
      const text = await res.text();
      expect(text).toContain(message);
      return text;
    };

    test('the list by region and month, and the meeting’s page with its agenda', async () => {
      const list = await dsp.page('/console/meetings?month=2026-11');
      expect(list.status).toBe(200);
      expect(list.text).toContain('aria-current="page">会议');
      expect(list.text).toContain(`href="/console/meetings/${meetingId}">2026-11-20</a>`);
      expect((await dsp.page('/console/meetings?month=2026-10')).text).not.toContain(`/console/meetings/${meetingId}"`);
      const page = await dsp.page(base());
      expect(page.status).toBe(200);
      expect(page.text).toContain(`2026-11-20 ${village.name}村务议政会`);
      expect(page.text).toContain('上期民情收集（2026-10）');
      expect(page.text).toContain(liaison.name);
    });

    test('who is expected: changed on the page, someone outside the region refused', async () => {
      const invited = (await db.meetingAttendee.findMany({ where: { meetingId, invited: true }, orderBy: { personId: 'asc' } })).map((a) => a.personId);
      expect(invited).toContain(liaison.id);
      const outsider = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-02-001-01' } });
      await refused(`${base()}/invited`, { person: String(outsider.id) }, '所选人员不属于该地区');
      expect((await dsp.post(`${base()}/invited`, { person: String(liaison.id) })).status).toBe(303);
      expect((await db.meetingAttendee.findMany({ where: { meetingId, invited: true } })).map((a) => a.personId)).toEqual([liaison.id]);
      expect(await db.auditEvent.count({ where: { action: 'meeting_invited_changed', actorId: dispatcherId } })).toBe(1);
    });

    test('nothing is recorded before the meeting’s day (Beijing), and no deadline is in the past', async () => {
      // 23:30 on the 19th in Beijing (15:30 UTC): the day before the meeting.
      world.clock.set(new Date('2026-11-19T23:30:00+08:00'));
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      await refused(`${base()}/record`, { attendee: String(liaison.id), minutes: '纪要' }, '会议将于 2026-11-20 召开，开会后才能记录纪要和决定');
      await refused(`${base()}/decisions`, { kind: 'assignment', text: '统计路灯', owner: `person:${liaison.id}`, deadline: '2026-11-27' }, '开会后才能记录纪要和决定');
      await refused(`${base()}/decisions`, { kind: 'ticket', text: '修复路灯', category: 'power' }, '开会后才能记录纪要和决定');
      world.clock.set(NOW);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      await refused(`${base()}/decisions`, { kind: 'assignment', text: '统计路灯', owner: `person:${liaison.id}`, deadline: '2026-11-19' }, '完成时限不能早于今天');
      expect(await db.meeting.findUniqueOrThrow({ where: { id: meetingId } })).toMatchObject({ recordedAt: null });
      expect(await db.meetingDecision.count()).toBe(0);
      expect(await db.ticket.count({ where: { channel: 'meeting' } })).toBe(0);
    });

    test('recording: refusals keep what was typed; then the record, audited', async () => {
      const text = await refused(`${base()}/record`, { attendee: String(liaison.id), guests: '镇驻村干部张三', minutes: ' ' }, '请填写会议纪要');
      expect(text).toContain('value="镇驻村干部张三"');
      expect(text).toMatch(new RegExp(`value="${liaison.id}" checked`));
      const outsider = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-02-001-01' } });
      await refused(`${base()}/record`, { attendee: String(outsider.id), minutes: '纪要' }, '所选参会人员不属于该地区');
      const res = await dsp.post(`${base()}/record`, { attendee: String(liaison.id), guests: '镇驻村干部', minutes: '一、通报上月民情。\n二、研究路灯维修。' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`${base()}?done=record`);
      expect(await db.meeting.findUniqueOrThrow({ where: { id: meetingId } })).toMatchObject({ guests: '镇驻村干部', recordedById: dispatcherId, recordedAt: NOW });
      expect(await db.meetingAttendee.findUniqueOrThrow({ where: { meetingId_personId: { meetingId, personId: liaison.id } } })).toMatchObject({ attended: true });
      expect(await db.auditEvent.findFirstOrThrow({ where: { action: 'meeting_recorded' } })).toMatchObject({ actorId: dispatcherId, at: NOW });
      // Recorded: the agenda is no longer regenerated.
      await refused(`${base()}/agenda`, {}, '会议已记录');
    });

    test('an assignment: refusals, then its owner told in chat; late after its deadline, marked done', async () => {
      const typed = { kind: 'assignment', text: '统计需要更换的路灯', owner: `person:${liaison.id}`, deadline: '2026-11-27' };
      await refused(`${base()}/decisions`, { ...typed, text: ' ' }, '请填写决定内容');
      const kept = await refused(`${base()}/decisions`, { ...typed, deadline: '2026-11-31' }, '完成时限应为 YYYY-MM-DD 格式的日期');
      expect(kept).toContain('统计需要更换的路灯');
      await refused(`${base()}/decisions`, { ...typed, owner: '' }, '请选择责任人');
      expect(await db.meetingDecision.count()).toBe(0);
      expect((await dsp.post(`${base()}/decisions`, typed)).status).toBe(303);
      const decision = await db.meetingDecision.findFirstOrThrow({ where: { meetingId, kind: 'assignment' } });
      expect(decision).toMatchObject({ text: '统计需要更换的路灯', ownerPersonId: liaison.id, deadline: '2026-11-27', doneAt: null, createdById: dispatcherId });
      const push = await db.outboxMessage.findFirstOrThrow({ where: { template: 'meeting.assigned', recipientId: liaison.id } });
      expect(JSON.parse(push.params)).toEqual({ meeting: `2026-11-20 ${village.name}村务议政会`, text: '统计需要更换的路灯', deadline: '2026-11-27' });
      expect(JSON.parse(push.actions)).toEqual([{ label: 'meeting.mark_done', payload: `assignment:${decision.id}` }]);
      expect((await dsp.page(base())).text).toContain('推进中 on track');
      world.clock.set(new Date('2026-11-30T09:00:00+08:00'));
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      expect((await dsp.page(base())).text).toContain('逾期 late');
      expect((await dsp.post(`${base()}/decisions/${decision.id}/done`, {})).status).toBe(303);
      const done = await db.meetingDecision.findUniqueOrThrow({ where: { id: decision.id } });
      expect(done.doneAt).not.toBeNull();
      expect(done.doneById).toBe(dispatcherId);
      const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'meeting_assignment_done', actorId: dispatcherId } });
      expect(JSON.parse(audit.data)).toEqual({ decisionId: decision.id });
      await refused(`${base()}/decisions/${decision.id}/done`, {}, '该交办事项不存在或已完成');
      world.clock.set(NOW);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    test('a ticket through the pipeline (via meeting, registered by the recorder), and a ledger item told to its department', async () => {
      await refused(`${base()}/decisions`, { kind: 'ticket', text: '修复村口路灯' }, '请选择诉求类别');
      expect((await dsp.post(`${base()}/decisions`, { kind: 'ticket', text: '修复村口三盏路灯', category: 'power' })).status).toBe(303);
      const ticketDecision = await db.meetingDecision.findFirstOrThrow({ where: { meetingId, kind: 'ticket' } });
      const ticket = await db.ticket.findUniqueOrThrow({ where: { id: ticketDecision.ticketId! }, include: { events: { orderBy: { seq: 'asc' } } } });
      expect(ticket).toMatchObject({ regionId: village.id, categoryCode: 'power', summary: '修复村口三盏路灯', residentId: dispatcherId });
      expect(JSON.parse(ticket.events[0]!.data)).toMatchObject({ channel: 'meeting', registeredBy: dispatcherId });
      // Routed like any request: its handler is told.
      expect(await db.outboxMessage.count({ where: { ticketId: ticket.id, recipientId: { not: dispatcherId } } })).toBeGreaterThan(0);
      expect((await dsp.page(base())).text).toContain(`href="/console/tickets/${ticket.number}"`);
      // Its history says where it came from, in words, with no event number of its own.
      const ticketPage = (await dsp.page(`/console/tickets/${ticket.number}`)).text;
      expect(ticketPage).toContain('会议决定 meeting decision');
      expect(ticketPage).not.toContain('meeting_decision');
      expect(ticketPage).not.toMatch(/<td class="num">0<\/td>/);

      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const station = await db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: township.id, kind: 'power' } } });
      const handlers = (await db.personRole.findMany({ where: { role: 'department_handler', departmentId: station.id } })).map((r) => r.personId);
      const foreign = await db.department.findFirstOrThrow({ where: { region: { code: 'QH-02' } } });
      await refused(
        `${base()}/decisions`,
        { kind: 'ledger', text: '年底前路灯全部修复', owner: `department:${foreign.id}`, deadline: '2026-12-31' },
        '所选责任人或部门不属于该地区',
      );
      expect((await dsp.post(`${base()}/decisions`, { kind: 'ledger', text: '年底前路灯全部修复', owner: `department:${station.id}`, deadline: '2026-12-31' })).status).toBe(303);
      const ledgerDecision = await db.meetingDecision.findFirstOrThrow({ where: { meetingId, kind: 'ledger' } });
      expect(await db.ledgerItem.findUniqueOrThrow({ where: { id: ledgerDecision.ledgerItemId! } })).toMatchObject({
        regionId: village.id,
        goal: '年底前路灯全部修复',
        ownerDepartmentId: station.id,
        deadline: '2026-12-31',
      });
      const told = await db.outboxMessage.findMany({ where: { template: 'meeting.ledger_assigned', recipientId: { in: handlers } } });
      expect(told.map((m) => m.recipientId).sort()).toEqual(handlers.sort());
      expect(JSON.parse(told[0]!.params)).toEqual({
        meeting: `2026-11-20 ${village.name}村务议政会`,
        id: ledgerDecision.ledgerItemId,
        text: '年底前路灯全部修复',
        deadline: '2026-12-31',
      });
      expect(await db.auditEvent.count({ where: { action: 'meeting_decision', actorId: dispatcherId } })).toBe(3);
    });

    test('the print: the minutes and decisions as a page of its own', async () => {
      const print = await dsp.page(`${base()}/minutes`);
      expect(print.status).toBe(200);
      expect(print.text).toContain('村务议政会纪要');
      expect(print.text).toContain('二、研究路灯维修。');
      expect(print.text).toContain('年底前路灯全部修复');
      expect(print.text).not.toContain('class="nav"');
    });

    test('settings per region: refusals keep what was typed; saved, audited, in force below; another township’s are 404', async () => {
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const path = `/console/meetings/settings?region=${township.id}`;
      const page = await dsp.page(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain('20 号（默认 default），提前 3 天（默认 default）');
      const text = await refused(path, { 'day-village': '32', 'lead-village': '', 'day-township': '', 'lead-township': 'x' }, '村务议政会的日期“32”应为 1 到 28 之间的整数');
      expect(text).toContain('民情分析会的提前天数“x”应为 0 到 20 之间的整数');
      expect(text).toContain('value="32"');
      expect(await db.meetingRule.count()).toBe(0);
      // Typed with a Chinese input method: full-width digits and Chinese numerals are numbers too.
      const res = await dsp.post(path, { 'day-village': '１８', 'lead-village': ' 五', 'day-township': '', 'lead-township': '' });
      expect(res.status).toBe(303);
      expect(await db.meetingRule.findMany({ where: { regionId: township.id }, orderBy: { kind: 'asc' } })).toMatchObject([
        { kind: 'township', day: null, leadDays: null },
        { kind: 'village', day: 18, leadDays: 5, updatedById: dispatcherId },
      ]);
      expect(await db.auditEvent.count({ where: { action: 'meeting_rules_changed', actorId: dispatcherId } })).toBe(1);
      expect((await dsp.page(`/console/meetings/settings?region=${village.id}`)).text).toContain(`18 号（${township.name}），提前 5 天（${township.name}）`);
      const other = await loggedIn(world.base, 'dsp-qh-02');
      expect((await other.page(path)).status).toBe(404);
      expect((await other.post(path, { 'day-village': '1' })).status).toBe(404);
      expect(await db.meetingRule.count({ where: { day: 1 } })).toBe(0);
    });

    test('scope: another township’s dispatcher finds no such meeting, to read or to write', async () => {
      const other = await loggedIn(world.base, 'dsp-qh-02');
      expect((await other.page('/console/meetings')).text).not.toContain(`/console/meetings/${meetingId}"`);
      for (const path of [base(), `${base()}/minutes`, `${base()}/minutes.pdf`]) expect((await other.page(path)).status).toBe(404);
      const before = await db.meetingDecision.count();
      expect((await other.post(`${base()}/decisions`, { kind: 'assignment', text: '越权', owner: `person:${liaison.id}`, deadline: '2026-12-01' })).status).toBe(404);
      expect((await other.post(`${base()}/record`, { minutes: '越权' })).status).toBe(404);
      expect(await db.meetingDecision.count()).toBe(before);
      // A GET on an action, a POST on the page: no such thing either.
      expect((await dsp.page(`${base()}/record`)).status).toBe(404);
      expect((await dsp.post(base(), {})).status).toBe(404);
    });
  });
});
