/**
 * 困难群众帮扶 in the console (/console/assistance), on both databases: a case reported by
 * staff (urgent: limits halved, the township's dispatcher told at once through the outbox),
 * the village's verification, the township's re-verification fixing the 五公开, the notice
 * that must run out before delivery, the follow-up that closes it, an overdue step marked,
 * the household's difficulty record saved with an audit event, and other townships' staff
 * finding nothing (404).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { saveAccount } from '../../src/org/staff-accounts.js';
import { type ConsoleClient, consoleWorldFor, DEMO_PASSWORD, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('帮扶 in the console', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let dispatcherId: number;
    let caseId: number;

    beforeAll(async () => {
      db = world.db;
      dispatcherId = (await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } })).id;
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    /** Moves the clock; later the session has lapsed, so the dispatcher logs in again. */
    const at = async (local: string) => {
      world.clock.set(new Date(`${local}+08:00`));
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    };

    const step = async (action: string, fields: Record<string, string> = {}) => {
      await dsp.page(`/console/assistance/${caseId}`);
      return dsp.post(`/console/assistance/${caseId}/${action}`, { note: '', ...fields });
    };

    test('staff report an urgent case for a household of their area: limits halved, the township’s dispatchers told at once', async () => {
      const list = await dsp.page('/console/assistance');
      expect(list.status).toBe(200);
      expect(list.text).toContain('aria-current="page">帮扶');

      const outside = await dsp.post('/console/assistance/new', { household: 'QH-02-001-H001', need: '住房漏雨', urgent: '1' });
      expect(outside.status).toBe(422);
      expect(await outside.text()).toContain('没有找到户 QH-02-001-H001，或它不在您的工作范围内');
      const empty = await dsp.post('/console/assistance/new', { household: 'QH-01-001-H001', need: '  ' });
      expect(empty.status).toBe(422);
      expect(await empty.text()).toContain('请说明需要什么帮扶');

      const res = await dsp.post('/console/assistance/new', { household: 'QH-01-001-H001', need: '户主突发大病住院，需要临时救助', urgent: '1' });
      expect(res.status).toBe(303);
      caseId = Number(/\/console\/assistance\/(\d+)\?done=reported$/.exec(res.headers.get('location') ?? '')?.[1]);
      const stored = await db.assistanceCase.findUniqueOrThrow({ where: { id: caseId } });
      // Monday 09:00, urgent: 5 working days halved to 3, Thursday at the end of office hours.
      expect(stored).toMatchObject({ state: 'reported', urgent: true, dueAt: new Date('2026-11-19T17:30:00+08:00') });
      // Not approved yet: nothing on the public board.
      expect(await (await fetch(`${world.base}/public/QH-01-001`)).text()).not.toContain('五公开');
      const pushes = await db.outboxMessage.findMany({ where: { template: 'assistance.urgent' } });
      expect(pushes.map((p) => [p.recipientId, JSON.parse(p.params) as unknown])).toEqual([[dispatcherId, { id: caseId, household: 'QH-01-001-H001' }]]);
    });

    test('village verification, then the township fixes the 五公开 (refused when incomplete or dated inside the notice) and the notice starts', async () => {
      expect((await step('township_approve', { helper: '镇民政办', aid: '临时救助金', amount: '3000 元', deliverBy: '2026-11-30' })).status).toBe(422);
      expect((await step('village_reject')).status).toBe(422);
      expect((await step('village_approve', { note: '情况属实' })).status).toBe(303);
      const early = await step('township_approve', { helper: '镇民政办', aid: '临时救助金', amount: '3000 元', deliverBy: '2026-11-20' });
      expect(early.status).toBe(422);
      expect(await early.text()).toContain('完成日期须在公示期满后、实施时限内（2026-11-24 至 2026-12-01）');
      const noUnit = await step('township_approve', { helper: '', aid: '临时救助金', amount: '3000 元', deliverBy: '2026-11-25' });
      expect(await noUnit.text()).toContain('请填写帮扶单位');
      expect((await step('township_approve', { helper: '镇民政办', aid: '临时救助金', amount: '3000 元', deliverBy: '2026-11-25' })).status).toBe(303);
      const page = await dsp.page(`/console/assistance/${caseId}`);
      expect(page.text).toContain('公示中 / 待实施');
      expect(page.text).toContain('镇民政办');
      expect(page.text).toContain('2026-11-16 09:00 — 2026-11-24 00:00');

      // The 五公开 on the village's board and the township's, the head's name masked, the need and the record left out.
      for (const code of ['QH-01-001', 'QH-01']) {
        const board = await (await fetch(`${world.base}/public/${code}`)).text();
        expect(board).toContain('困难群众帮扶 · 五公开');
        expect(board).toMatch(/<td>东湖村<\/td><td>罗\*\*<\/td><td>镇民政办<\/td><td>临时救助金<\/td><td>3000 元<\/td><td>2026-11-25<\/td><td>公示中/);
        expect(board).not.toContain('罗丽敏');
        expect(board).not.toContain('突发大病');
      }
      expect(await (await fetch(`${world.base}/public/QH-02`)).text()).not.toContain('镇民政办');
    });

    test('a village’s own staff verify for the village but cannot re-verify for the township', async () => {
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      await db.person.create({
        data: { code: 'DSP-QH-01-001', name: '村干部', roles: { create: { role: 'dispatcher', regionId: village.id, scopeKey: 'DSP-QH-01-001|dispatcher|QH-01-001' } } },
      });
      await saveAccount(db, { username: 'dsp-qh-01-001', personCode: 'DSP-QH-01-001', password: DEMO_PASSWORD }, world.clock.now());
      const villager = await loggedIn(world.base, 'dsp-qh-01-001');
      const res = await villager.post('/console/assistance/new', { household: 'QH-01-001-H004', need: '房屋漏雨' });
      expect(res.status).toBe(303);
      const id = Number(/(\d+)\?done/.exec(res.headers.get('location') ?? '')?.[1]);
      await villager.page(`/console/assistance/${id}`);
      expect((await villager.post(`/console/assistance/${id}/village_approve`, { note: '' })).status).toBe(303);
      const page = await villager.page(`/console/assistance/${id}`);
      expect(page.text).toContain('等待乡镇复核');
      expect(page.text).not.toContain('township_approve');
      const refused = await villager.post(`/console/assistance/${id}/township_approve`, { note: '', helper: '村委', aid: '维修', amount: '1 次', deliverBy: '2026-11-30' });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain('镇复核须由乡镇工作人员办理');
      expect((await db.assistanceCase.findUniqueOrThrow({ where: { id } })).state).toBe('village_verified');
    });

    test('delivery waits for the notice to run out; the follow-up closes the case; the trail shows each step', async () => {
      const early = await step('deliver');
      expect(early.status).toBe(422);
      expect(await early.text()).toContain('公示期未满');
      await at('2026-11-24T10:00:00');
      expect((await step('deliver', { note: '已发放到户' })).status).toBe(303);
      expect((await step('follow_up')).status).toBe(422);
      expect((await step('follow_up', { note: '已回访，病情稳定' })).status).toBe(303);
      const stored = await db.assistanceCase.findUniqueOrThrow({ where: { id: caseId } });
      expect(stored).toMatchObject({ state: 'closed', dueAt: null });
      const events = await db.assistanceEvent.findMany({ where: { caseId }, orderBy: { id: 'asc' } });
      expect(events.map((e) => e.action)).toEqual(['report', 'village_approve', 'township_approve', 'deliver', 'follow_up']);
      const page = await dsp.page(`/console/assistance/${caseId}`);
      expect(page.text).toContain('已办结');
      expect(page.text).toContain('已回访，病情稳定');
      // A step taken twice is refused.
      expect((await step('follow_up', { note: '再次回访' })).status).toBe(422);
    });

    test('an overdue step is marked on the list', async () => {
      const res = await dsp.post('/console/assistance/new', { household: 'QH-01-001-H002', need: '独居老人冬季取暖' });
      expect(res.status).toBe(303);
      const id = Number(/(\d+)\?done/.exec(res.headers.get('location') ?? '')?.[1]);
      const line = (text: string) => text.split('<tr').find((row) => row.includes(`/console/assistance/${id}"`)) ?? '';
      expect(line((await dsp.page('/console/assistance')).text)).not.toContain('逾期');
      // Five working days after Tuesday 11-24 is Tuesday 12-01 17:30.
      await at('2026-12-01T17:29:00');
      expect(line((await dsp.page('/console/assistance')).text)).not.toContain('逾期');
      await at('2026-12-01T17:31:00');
      const list = await dsp.page('/console/assistance');
      expect(line(list.text)).toContain('逾期');
      expect(list.text).toMatch(/\d+ 件帮扶逾期未办/);
    });

    test('the household’s difficulty record: saved with an audit event that keeps no content; other townships’ staff find nothing', async () => {
      expect((await step('hardship', { members: '户主，58 岁，肾病' })).status).toBe(422);
      const res = await dsp.post(`/console/assistance/${caseId}/hardship`, { kind: 'illness', members: '户主，58 岁，肾病', notes: '需长期透析' });
      expect(res.status).toBe(303);
      const page = await dsp.page(`/console/assistance/${caseId}`);
      expect(page.text).toContain('需长期透析');
      expect(page.text).toMatch(/value="illness" checked/);
      const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'hardship_record_saved' } });
      expect(audit.actorId).toBe(dispatcherId);
      expect(audit.data).not.toContain('透析');

      const other = await loggedIn(world.base, 'dsp-qh-02');
      expect((await other.page(`/console/assistance/${caseId}`)).status).toBe(404);
      expect((await other.page('/console/assistance')).text).not.toContain('需长期透析');
      await other.page('/console/assistance');
      expect((await other.post(`/console/assistance/${caseId}/hardship`, { kind: 'dibao' })).status).toBe(404);
      expect((await db.hardshipRecord.findFirstOrThrow()).kinds).toBe('illness');
    });
  });
});
