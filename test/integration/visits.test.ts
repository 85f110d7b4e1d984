/**
 * 民情日记 through the engine, on both databases: a liaison logs a visit in chat, the
 * household confirms it (签字) and rates it in its own chat; a household with no chat is
 * recorded as unconfirmed; nobody else can answer for a household.
 */
import { describe, expect, test } from 'vitest';
import { eachDialogueWorld, householdAndLiaison } from '../helpers/dialogue-world.js';

eachDialogueWorld((freshWorld) => {
  describe('民情日记', () => {
    test('a liaison logs a visit by the head’s name; the household confirms it (对 = 属实) in its own chat and rates it; another resident cannot answer it', async () => {
      const { w, db, resident, residentPerson, household, liaisonPerson, liaison } = await householdAndLiaison(await freshWorld());

      await liaison.send('走访记录');
      expect(liaison.text()).toContain('走访了哪一户');
      expect(liaison.replies.flatMap((r) => r.choices).some((c) => c.label.includes(household.headName))).toBe(true);
      await liaison.send(household.headName);
      expect(liaison.text()).toContain('请记录这次走访了解到的情况');
      await liaison.send('家里老人身体还好，反映村口路灯晚上不亮');
      expect(liaison.text()).toContain('已请该户在聊天中确认');

      const visit = await db.visit.findFirstOrThrow({ where: { householdId: household.id } });
      expect(visit).toMatchObject({ liaisonId: liaisonPerson.id, regionId: household.regionId, notes: '家里老人身体还好，反映村口路灯晚上不亮', confirmation: 'pending' });

      await resident.receive(w.database, w.pipeline, w.clock);
      expect(resident.text()).toContain(`网格员 ${liaisonPerson.name} 今天走访了您家，记录：家里老人身体还好，反映村口路灯晚上不亮。内容属实吗？`);
      // Another household's resident, tapping the same button, hears "not found" and changes nothing.
      const other = await db.person.findFirstOrThrow({ where: { householdId: { not: household.id }, code: { startsWith: 'R-' } } });
      const stranger = await w.resident(other.code, 'res-2');
      await stranger.deliver({ action: `visit:${visit.id}:accurate` });
      expect(stranger.text()).toContain('没有找到这条走访记录');
      expect((await db.visit.findUniqueOrThrow({ where: { id: visit.id } })).confirmation).toBe('pending');

      // Typed, as a villager answers: 对 means 属实.
      await resident.send('对');
      expect(resident.text()).toContain('请为这次走访打分');
      await resident.send('5');
      expect(resident.text()).toContain('谢谢您的确认和评价');
      expect(await db.visit.findUniqueOrThrow({ where: { id: visit.id } })).toMatchObject({ confirmation: 'confirmed', rating: 5, answeredById: residentPerson.id });

      // The household reads its visits from the menu; another household has none.
      await resident.send('菜单');
      await resident.tap('我家的走访');
      expect(resident.text()).toContain('您家最近的走访记录（1 次）');
      expect(resident.text()).toContain(`${liaisonPerson.name}：家里老人身体还好，反映村口路灯晚上不亮（已确认属实 · 5/5）`);
      await stranger.send('我家的走访');
      expect(stranger.text()).toContain('您家还没有走访记录');
    });

    test('一事一办: a need heard is filed as the household’s request, named as registered by the liaison; the household gets the receipt', async () => {
      const { w, db, resident, residentPerson, household, liaison } = await householdAndLiaison(await freshWorld());

      await liaison.send('走访记录');
      await liaison.send(household.headName);
      await liaison.send('反映家门口的路灯坏了');
      expect(liaison.text()).toContain('这次走访有需要办理的诉求吗');
      await liaison.send('有');
      expect(liaison.text()).toContain('请简要说明要办的事');
      await liaison.send('家门口的路灯坏了好几天');
      expect(liaison.text()).toMatch(/已为该户登记诉求，编号 MQ-\d{4}-\d{6}/);
      expect(liaison.text()).toContain('还有其他需要办理的诉求吗');
      await liaison.send('没有了');

      const ticket = await db.ticket.findFirstOrThrow({ where: { householdId: household.id }, orderBy: { id: 'desc' }, include: { events: { orderBy: { seq: 'asc' } } } });
      expect(ticket.description).toBe('家门口的路灯坏了好几天');
      expect(ticket.residentId).toBe(residentPerson.id);
      expect(JSON.parse(ticket.events[0]!.data)).toMatchObject({ registeredBy: household.pairing!.liaisonId });
      const visit = await db.visit.findFirstOrThrow({ where: { householdId: household.id } });
      expect(JSON.parse(visit.tickets)).toEqual([ticket.number]);
      // The household hears of it in its own chat: the visit to confirm, and the receipt.
      await resident.receive(w.database, w.pipeline, w.clock);
      expect(resident.text()).toContain(ticket.number);
      expect(resident.text()).toContain('今天走访了您家');
    });

    test('有出入 (typed 不对) keeps the household’s words; a household with no chat is recorded as 未确认 and nobody is pinged', async () => {
      const { w, db, resident, household, liaisonPerson, liaison } = await householdAndLiaison(await freshWorld());
      const liaisonId = liaisonPerson.id;

      await liaison.send('走访');
      await liaison.send(household.headName);
      await liaison.send('反映家门口排水沟堵了');
      await resident.receive(w.database, w.pipeline, w.clock);
      await resident.send('不对');
      expect(resident.text()).toContain('请说说哪里有出入');
      await resident.send('排水沟是邻居家门口的');
      await resident.send('3分');
      expect(await db.visit.findFirstOrThrow({ where: { householdId: household.id } })).toMatchObject({ confirmation: 'disputed', comment: '排水沟是邻居家门口的', rating: 3 });

      const silent = await db.household.findFirstOrThrow({ where: { pairing: { liaisonId }, id: { not: household.id }, members: { none: { identities: { some: {} } } } } });
      const before = await db.outboxMessage.count();
      await liaison.send('走访记录');
      await liaison.send(silent.headName);
      await liaison.send('上门了解低保材料准备情况');
      expect(liaison.text()).toContain('记为"未确认"');
      expect(await db.visit.findFirstOrThrow({ where: { householdId: silent.id } })).toMatchObject({ confirmation: 'unconfirmed' });
      // The liaison's own replies only: no push to the silent household.
      expect(await db.outboxMessage.count({ where: { reply: false, recipient: { householdId: silent.id } } })).toBe(0);
      expect(await db.outboxMessage.count()).toBeGreaterThan(before);
    });
  });
});
