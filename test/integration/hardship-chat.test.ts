/**
 * 困难户 in chat, on both databases: a household's difficulty record is read by its paired
 * liaison (tapping it) and by the leader of its grid (typing its code), each read audited;
 * a liaison of another village who types its code or sends a button never offered to them, and a resident,
 * are refused in words and see nothing of it.
 */
import { describe, expect, test } from 'vitest';
import { saveHardshipRecord } from '../../src/assistance/cases.js';
import { eachDialogueWorld } from '../helpers/dialogue-world.js';

eachDialogueWorld((freshWorld) => {
  describe('困难户 in chat', () => {
    test('the paired liaison and the grid leader read the record; a stranger liaison and a resident are refused', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const now = w.clock.now();
      const staff = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      // A household of the first village whose grid is led by someone other than its paired liaison.
      const households = await db.household.findMany({
        where: { region: { code: 'QH-01-001' } },
        include: { pairing: true, grids: { include: { grid: { include: { roles: { where: { role: 'grid_leader' } } } } } } },
        orderBy: { code: 'asc' },
      });
      const household = households.find((h) => h.pairing && h.grids.some((g) => g.grid.roles.some((r) => r.personId !== h.pairing!.liaisonId)))!;
      const leaderId = household.grids.flatMap((g) => g.grid.roles).find((r) => r.personId !== household.pairing!.liaisonId)!.personId;
      const [liaisonPerson, leaderPerson] = await Promise.all([
        db.person.findUniqueOrThrow({ where: { id: household.pairing!.liaisonId } }),
        db.person.findUniqueOrThrow({ where: { id: leaderId } }),
      ]);
      expect(await db.pairing.count({ where: { householdId: household.id, liaisonId: leaderPerson.id } })).toBe(0);
      await saveHardshipRecord(db, household.id, { kinds: ['dibao', 'elderly_alone'], members: '户主，78 岁，独居', notes: '子女在外地务工' }, staff.id, now);
      // The stranger's own village has a record too, so that they have a list to type into.
      const elsewhere = await db.household.findFirstOrThrow({
        where: { region: { code: 'QH-01-002' }, pairing: { isNot: null } },
        include: { pairing: true },
        orderBy: { code: 'asc' },
      });
      await saveHardshipRecord(db, elsewhere.id, { kinds: ['illness'], members: '户主，大病', notes: '' }, staff.id, now);
      const strangerPerson = await db.person.findUniqueOrThrow({ where: { id: elsewhere.pairing!.liaisonId } });
      const record = `【困难户记录】${household.address} ${household.headName}\n困难类型：低保、独居老人\n涉及成员：户主，78 岁，独居\n备注：子女在外地务工`;

      const liaison = await w.staff(liaisonPerson.code, 'lia-1');
      await liaison.send('困难户');
      expect(liaison.text()).toContain('您可以查看 1 户的困难户记录');
      await liaison.tap(`${household.address} ${household.headName}`);
      expect(liaison.text()).toContain(record);

      const leader = await w.staff(leaderPerson.code, 'gl-1');
      await leader.send('困难户');
      await leader.send(household.code);
      expect(leader.text()).toContain(record);

      const stranger = await w.staff(strangerPerson.code, 'lia-2');
      await stranger.send('困难户');
      expect(stranger.text()).toContain('您可以查看 1 户的困难户记录');
      await stranger.send(household.code);
      expect(stranger.text()).toContain('您不是这一户的包联人或网长');
      expect(stranger.text()).not.toContain('独居');
      await stranger.send('困难户');
      // A button never offered to them (forged, or copied from someone else's chat) is stale.
      await stranger.deliver({ action: `household:${household.id}` });
      expect(stranger.text()).toContain('这个按钮已经过期了');
      expect(stranger.text()).not.toContain('独居');

      const resident = await w.resident();
      await resident.send('困难户');
      expect(resident.text()).toContain('困难户记录只有该户的包联人和网长可以查看');
      expect(resident.text()).not.toContain('独居');

      const reads = await db.auditEvent.findMany({ where: { action: 'hardship_record_read' }, orderBy: { id: 'asc' } });
      expect(reads.map((r): [number, unknown] => [r.actorId, JSON.parse(r.data ?? '{}')])).toEqual([
        [liaisonPerson.id, { householdId: household.id, from: 'chat' }],
        [leaderPerson.id, { householdId: household.id, from: 'chat' }],
      ]);
    });

    test('the menu offers 困难户 to liaisons, not to residents', async () => {
      const w = await freshWorld();
      const liaison = await w.staff('L-QH-01-001-01', 'lia-1');
      await liaison.send('菜单');
      expect(liaison.replies.flatMap((r) => r.choices.map((c) => c.label))).toContain('困难户');
      const resident = await w.resident();
      await resident.send('菜单');
      expect(resident.replies.flatMap((r) => r.choices.map((c) => c.label))).not.toContain('困难户');
    });
  });
});
