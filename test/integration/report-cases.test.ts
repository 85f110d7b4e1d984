/**
 * The monthly report's 帮扶 and 调解 sections, on both databases: the township's cases in
 * each step at the month's end (replayed from their trails, not their state today), the
 * month's deliveries with the head's name masked, the overdue ones; mediation received,
 * settled, referred, and the average days to settle; another township's cases and those
 * after the month left out.
 */
import { describe, expect, test } from 'vitest';
import { actOnAssistance, reportAssistance } from '../../src/assistance/cases.js';
import { sqlTransaction } from '../../src/db/client.js';
import { openMediationCase, staffChangeMediationCase } from '../../src/mediation/cases.js';
import { maskName } from '../../src/privacy.js';
import { renderMonthlyReport } from '../../src/report/html.js';
import { buildMonthlyReport } from '../../src/report/monthly.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { rules } from '../helpers/org-fixture.js';

const at = (local: string) => new Date(`${local}+08:00`);
const MEDIATION_RULES = { limitDays: 30, extensionDays: 15, followUpDays: [30, 90] as const };

eachFreshDatabase((freshDatabase) => {
  describe('the monthly report’s assistance and mediation sections', () => {
    test('steps at the month’s end, deliveries masked, overdue; mediation figures; others left out', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      const staff = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const household = (code: string) => db.household.findUniqueOrThrow({ where: { code } });
      const report = async (code: string, when: string) => {
        const { id } = await household(code);
        return sqlTransaction(db, (tx) => reportAssistance(tx, { householdId: id, need: '生活困难', urgent: false }, staff.id, rules, at(when)));
      };
      const delivered = await report('QH-01-001-H002', '2026-11-02T09:00:00');
      await actOnAssistance(db, delivered, { type: 'village_approve', note: '' }, staff.id, rules, at('2026-11-03T09:00:00'));
      const plan = { helper: '镇民政办', aid: '取暖补贴', amount: '800 元', deliverBy: '2026-11-20' };
      await actOnAssistance(db, delivered, { type: 'township_approve', note: '', plan }, staff.id, rules, at('2026-11-04T09:00:00'));
      await actOnAssistance(db, delivered, { type: 'deliver', note: '' }, staff.id, rules, at('2026-11-13T10:00:00'));
      // Closed in December: still 待回访 at November's end.
      await actOnAssistance(db, delivered, { type: 'follow_up', note: '已回访' }, staff.id, rules, at('2026-12-03T10:00:00'));
      // Due at the end of 27 November and never verified: overdue at the month's end.
      await report('QH-01-001-H003', '2026-11-20T09:00:00');
      await report('QH-02-001-H001', '2026-11-05T09:00:00');
      await report('QH-01-001-H004', '2026-12-02T09:00:00');

      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const open = (title: string, when: string) =>
        openMediationCase(db, { regionId: village.id, title, facts: '邻里纠纷', mediatorId: null, parties: [{ name: '甲' }, { name: '乙' }] }, staff.id, at(when), MEDIATION_RULES);
      const settled = await open('院墙纠纷', '2026-11-05T09:00:00');
      await staffChangeMediationCase(db, settled, { type: 'agree', text: '各退一步' }, staff.id, at('2026-11-10T09:00:00'));
      for (const p of await db.mediationParty.findMany({ where: { caseId: settled } })) {
        await staffChangeMediationCase(db, settled, { type: 'answer', partyId: p.id, confirmed: true }, staff.id, at('2026-11-10T09:00:00'));
      }
      const referred = await open('借款纠纷', '2026-11-06T09:00:00');
      await staffChangeMediationCase(db, referred, { type: 'refer', court: '清河县人民法院', reason: '不同意还款' }, staff.id, at('2026-11-20T09:00:00'));
      await open('十月的纠纷', '2026-10-20T09:00:00');

      const november = await buildMonthlyReport(db, { regionCode: 'QH-01', month: '2026-11', now: at('2026-12-05T09:00:00') });
      expect(november.cases.assistance.byState).toEqual({ reported: 1, village_verified: 0, notice: 0, delivered: 1, closed: 0, rejected: 0 });
      expect(november.cases.assistance.overdue).toBe(1);
      const head = (await household('QH-01-001-H002')).headName;
      expect(november.cases.assistance.delivered).toEqual([{ household: maskName(head), helper: '镇民政办', aid: '取暖补贴', amount: '800 元', day: '2026-11-13' }]);
      expect(november.cases.mediation).toEqual({ received: 2, settled: 1, referred: 1, kept: 0, notKept: 0, averageDays: 5 });

      const page = renderMonthlyReport(november);
      expect(page).toContain('困难群众帮扶');
      expect(page).toContain(`<td>${maskName(head)}</td><td>镇民政办</td><td>取暖补贴</td><td>800 元</td><td>2026-11-13</td>`);
      expect(page).not.toContain(head);
      expect(page).toContain('本月受理 2 件 · 调解成功 1 件 · 移送法院 1 件 · 回访履行 0 件、未履行 0 件 · 平均调解 5 天');
      expect(page).not.toContain('借款纠纷');

      // December: the late report counted, the follow-up closed the delivered case; nothing delivered.
      const december = await buildMonthlyReport(db, { regionCode: 'QH-01', month: '2026-12', now: at('2026-12-05T09:00:00') });
      expect(december.cases.assistance.byState).toMatchObject({ reported: 2, closed: 1, delivered: 0 });
      expect(december.cases.assistance.delivered).toEqual([]);
      expect(renderMonthlyReport(december)).toContain('本月没有实施的帮扶');
    });
  });
});
