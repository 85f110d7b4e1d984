/**
 * 帮扶申报 in chat, on both databases: a liaison reports one of their paired households
 * (picked by name), says what is needed and that it is urgent; the case waits for the
 * village with its halved limit, and the township's dispatcher gets the push at once. A
 * resident has no households to report, and nothing is opened.
 */
import { describe, expect, test } from 'vitest';
import { actOnAssistance, reportAssistance } from '../../src/assistance/cases.js';
import { sqlTransaction } from '../../src/db/client.js';
import { rules } from '../helpers/org-fixture.js';
import { eachDialogueWorld } from '../helpers/dialogue-world.js';

eachDialogueWorld((freshWorld) => {
  describe('帮扶申报 in chat', () => {
    test('a liaison reports an urgent case for a paired household; the township’s dispatcher is told at once', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const household = await db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H001' }, include: { pairing: { include: { liaison: true } } } });
      const liaisonPerson = household.pairing!.liaison;
      const liaison = await w.staff(liaisonPerson.code, 'lia-1');
      const dispatcher = await w.staff('DSP-QH-01', 'dsp-1');

      await liaison.send('帮扶申报');
      expect(liaison.text()).toContain('为哪一户申报帮扶');
      await liaison.send('没有这个人');
      expect(await db.assistanceCase.count()).toBe(0);
      await liaison.send(household.headName);
      expect(liaison.text()).toContain('需要什么帮扶');
      await liaison.send('老伴去世后独居，冬天取暖有困难，需要棉被和取暖补贴');
      expect(liaison.text()).toContain('是否急事急办');
      await liaison.send('随便');
      expect(liaison.text()).toContain('请点选下面的选项');
      await liaison.tap('急事急办');

      const opened = await db.assistanceCase.findFirstOrThrow();
      expect(opened).toMatchObject({
        householdId: household.id,
        regionId: household.regionId,
        state: 'reported',
        urgent: true,
        reportedById: liaisonPerson.id,
        need: '老伴去世后独居，冬天取暖有困难，需要棉被和取暖补贴',
        // Monday 09:00, urgent: three working days.
        dueAt: new Date('2026-11-19T17:30:00+08:00'),
      });
      expect(liaison.text()).toContain(`已登记帮扶申报 #${opened.id}`);
      expect(liaison.text()).toContain('11月19日');

      const pushes = await dispatcher.receive(w.database, w.pipeline, w.clock);
      expect(pushes.map((p) => p.text)).toEqual([`【急事急办】QH-01-001-H001 户的帮扶申报（帮扶 #${opened.id}）已登记，请尽快安排初核和复核，详见工作台“帮扶”。`]);
    });

    test('公示: a resident of the village lists the cases on notice (names masked) and objects to one; the township is told; after the notice it is gone', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const household = await db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H002' } });
      const staff = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const now = w.clock.now();
      const id = await sqlTransaction(db, (tx) => reportAssistance(tx, { householdId: household.id, need: '独居老人取暖困难', urgent: false }, staff.id, rules, now));
      await actOnAssistance(db, id, { type: 'village_approve', note: '' }, staff.id, rules, now);
      await actOnAssistance(
        db,
        id,
        { type: 'township_approve', note: '', plan: { helper: '镇民政办', aid: '取暖补贴', amount: '800 元', deliverBy: '2026-11-30' } },
        staff.id,
        rules,
        now,
      );
      const resident = await w.resident();
      const dispatcher = await w.staff('DSP-QH-01', 'dsp-1');
      const stranger = await w.resident('R-QH-02-001-H001', 'res-2');

      await stranger.send('帮扶公示');
      expect(stranger.text()).toContain('本村目前没有正在公示的帮扶');

      await resident.send('帮扶公示');
      expect(resident.text()).toContain('本村正在公示的帮扶有 1 件');
      const labels = resident.replies.flatMap((r) => r.choices.map((c) => c.label));
      expect(labels).toEqual([`#${id} 秦*：取暖补贴 800 元`]);
      await resident.tap(`#${id}`);
      expect(resident.text()).toContain(`请说明您对帮扶 #${id} 的异议`);
      await resident.send('他家子女都在城里工作，条件不差');
      expect(resident.text()).toContain(`您对帮扶 #${id} 的异议已转给镇里核实`);
      const objection = await db.assistanceEvent.findFirstOrThrow({ where: { caseId: id, action: 'objection' } });
      expect(objection.note).toBe('他家子女都在城里工作，条件不差');
      const pushes = await dispatcher.receive(w.database, w.pipeline, w.clock);
      expect(pushes.map((p) => p.text)).toEqual([`【公示异议】有群众对帮扶 #${id} 的公示提出异议，请在工作台“帮扶”中查看并核实。`]);

      // The notice ends with the 7th day after approval: then there is nothing to object to.
      w.clock.set(new Date('2026-11-24T00:00:00+08:00'));
      await resident.send('帮扶公示');
      expect(resident.text()).toContain('本村目前没有正在公示的帮扶');
    });

    test('a resident has no households to report; nothing is opened', async () => {
      const w = await freshWorld();
      const resident = await w.resident();
      await resident.send('帮扶申报');
      expect(resident.text()).toContain('您还没有包联的农户');
      expect(await w.database.db.assistanceCase.count()).toBe(0);
    });
  });
});
