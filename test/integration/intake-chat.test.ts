/**
 * 代办登记 in chat, on both databases: a liaison registers a request for a paired household
 * (received 走访 by default, or by the channel tapped), which gets the receipt in its own
 * chat and rates it as any report; for a new person not on the roster (created without a
 * chat: the receipt waits in the outbox); a household that is not theirs is refused.
 */
import { describe, expect, test } from 'vitest';
import { channelFigures } from '../../src/stats/channels.js';
import { eachDialogueWorld, householdAndLiaison } from '../helpers/dialogue-world.js';

eachDialogueWorld((freshWorld) => {
  describe('代办登记 in chat', () => {
    test('a liaison registers a request for a paired household, 走访 by default; the household gets the receipt and rates it', async () => {
      const { w, db, resident, residentPerson, household, liaisonPerson, liaison } = await householdAndLiaison(await freshWorld());
      await liaison.send('代办登记');
      expect(liaison.text()).toContain('为哪一户登记诉求');
      await liaison.tap(household.headName);
      expect(liaison.text()).toContain('群众是怎样反映的');
      await liaison.tap('走访');
      expect(liaison.text()).toContain('请写下群众反映的诉求');
      await liaison.send('家门口的路灯坏了好几天，晚上出门看不见');
      expect(liaison.text()).toContain('当场办结（即办）');
      await liaison.tap('提交派单');
      expect(liaison.text()).toMatch(/已为该户登记诉求，编号 MQ-\d{4}-\d{6}/);

      const ticket = await db.ticket.findFirstOrThrow({ where: { residentId: residentPerson.id }, include: { events: { orderBy: { seq: 'asc' } } } });
      expect(ticket).toMatchObject({ channel: 'visit', regionId: household.regionId, categoryCode: 'power', description: '家门口的路灯坏了好几天，晚上出门看不见' });
      expect(JSON.parse(ticket.events[0]!.data)).toMatchObject({ channel: 'visit', registeredBy: liaisonPerson.id });
      await resident.receive(w.database, w.pipeline, w.clock);
      expect(resident.text()).toContain(ticket.number);

      // Resolved by its handler, it is rated in the household's chat like a chat report.
      const handler = { kind: 'person' as const, personId: ticket.assigneeId!, roles: [] };
      expect((await w.pipeline.execute(ticket.number, { type: 'accept' }, handler)).ok).toBe(true);
      expect((await w.pipeline.execute(ticket.number, { type: 'resolve', result: '已更换灯泡' }, handler)).ok).toBe(true);
      await resident.receive(w.database, w.pipeline, w.clock);
      await resident.tap('满意');
      await resident.tap('跳过');
      expect(resident.text()).toContain('感谢');
      expect(await db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({ rating: 'satisfied' });
    });

    test('a caller not on the roster is registered as a new person in the liaison’s village, by the channel tapped', async () => {
      const { db, household, liaisonPerson, liaison } = await householdAndLiaison(await freshWorld());
      const people = await db.person.count();
      await liaison.send('代办登记');
      await liaison.tap('新群众');
      expect(liaison.text()).toContain('请输入这位群众的姓名');
      await liaison.send('张来电');
      await liaison.send('12345');
      expect(liaison.text()).toContain('电话号码格式不对');
      await liaison.send('13987654321');
      expect(liaison.text()).toContain('这件事在哪个村');
      const village = await db.region.findUniqueOrThrow({ where: { id: household.regionId } });
      await liaison.tap(village.name);
      await liaison.tap('来电');
      await liaison.send('村里的自来水停了两天了');
      // Typed rather than tapped: the choice's words are enough.
      await liaison.send('提交派单');
      expect(liaison.text()).toMatch(/已为该户登记诉求，编号 MQ-\d{4}-\d{6}/);

      expect(await db.person.count()).toBe(people + 1);
      const ticket = await db.ticket.findFirstOrThrow({ where: { resident: { name: '张来电' } }, include: { resident: true } });
      expect(ticket.resident).toMatchObject({ phone: '13987654321', householdId: null });
      expect(ticket).toMatchObject({ channel: 'phone', regionId: village.id, contactPhone: '13987654321' });
      expect(JSON.parse((await db.ticketEvent.findFirstOrThrow({ where: { ticketId: ticket.id, seq: 1 } })).data)).toMatchObject({ registeredBy: liaisonPerson.id });
      // No chat: the receipt waits in the outbox (for a chat bound later, or an SMS channel).
      expect(await db.outboxMessage.findFirstOrThrow({ where: { ticketId: ticket.id, recipientId: ticket.residentId } })).toMatchObject({
        template: 'ticket.received_resident',
        channel: null,
      });
    });

    test('即办: a matter the liaison settled on the spot is registered and settled in one step, received and resolved at once; the household rates it', async () => {
      const { w, db, resident, residentPerson, household, liaisonPerson, liaison } = await householdAndLiaison(await freshWorld());
      await liaison.send('代办登记');
      await liaison.tap(household.headName);
      await liaison.tap('来访');
      await liaison.send('想问问新农合怎么缴费');
      // Numbered: the second choice, 当场办结（即办）.
      await liaison.send('2');
      expect(liaison.text()).toContain('请写下当场办理的结果');
      await liaison.send('已当场讲解缴费方式，发放了缴费指南');
      expect(liaison.text()).toMatch(/已登记并当场办结，编号 MQ-\d{4}-\d{6}/);

      const ticket = await db.ticket.findFirstOrThrow({ where: { residentId: residentPerson.id }, include: { events: { orderBy: { seq: 'asc' } } } });
      expect(ticket).toMatchObject({ state: 'resolved', settledOnTheSpot: true, handlingClass: 'immediate', assigneeId: liaisonPerson.id, channel: 'station', resolveMinutes: 0 });
      expect(ticket.events.map((e) => e.type)).toEqual(['received', 'dispatched', 'accepted', 'resolved']);
      expect(JSON.parse(ticket.events[0]!.data)).toMatchObject({ channel: 'station', registeredBy: liaisonPerson.id });
      expect(JSON.parse(ticket.events[3]!.data)).toMatchObject({ result: '已当场讲解缴费方式，发放了缴费指南', onTheSpot: true });
      // Counted as received and resolved at once.
      const figures = await channelFigures(db, { regionIds: [household.regionId], from: new Date('2000-01-01'), to: new Date('2100-01-01') });
      expect(figures.rows).toEqual([{ channel: 'station', received: 1, settledOnTheSpot: 1, resolved: 1, open: 0 }]);
      // The household hears only the result, with the rating request, and rates it.
      await resident.receive(w.database, w.pipeline, w.clock);
      expect(resident.text()).toContain('已当场讲解缴费方式');
      await resident.tap('满意');
      await resident.tap('跳过');
      expect(await db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({ rating: 'satisfied' });
    });

    test('即办 needs its result: one without words is asked again, nothing is registered meanwhile', async () => {
      const { db, household, liaison } = await householdAndLiaison(await freshWorld());
      const tickets = await db.ticket.count();
      await liaison.send('代办登记');
      await liaison.tap(household.headName);
      await liaison.tap('走访');
      await liaison.send('咨询养老保险');
      await liaison.tap('当场办结（即办）');
      await liaison.send('……');
      expect(liaison.text()).toContain('请用文字说明一下');
      expect(await db.ticket.count()).toBe(tickets);
      await liaison.send('已当场解答');
      expect(liaison.text()).toContain('已登记并当场办结');
      expect(await db.ticket.count()).toBe(tickets + 1);
    });

    test('a liaison with no paired households is offered only 新群众; words are asked again with it, and it goes on', async () => {
      const { db, liaisonPerson, liaison } = await householdAndLiaison(await freshWorld());
      await db.pairing.deleteMany({ where: { liaisonId: liaisonPerson.id } });
      await liaison.send('代办登记');
      expect(liaison.text()).toContain('为哪一户登记诉求');
      expect(liaison.replies.flatMap((r) => r.choices).map((c) => c.label)).toEqual(['新群众（不在名册中）']);
      await liaison.send('张大爷家');
      expect(liaison.text()).toContain('为哪一户登记诉求');
      expect(liaison.replies.flatMap((r) => r.choices).map((c) => c.label)).toEqual(['新群众（不在名册中）']);
      await liaison.tap('新群众');
      expect(liaison.text()).toContain('请输入这位群众的姓名');
    });

    test('a household that is not the liaison’s is not offered and cannot be named', async () => {
      const { db, liaison } = await householdAndLiaison(await freshWorld());
      const tickets = await db.ticket.count();
      const foreign = await db.household.findFirstOrThrow({ where: { code: 'QH-02-001-H001' } });
      await liaison.send('代办登记');
      expect(liaison.replies.flatMap((r) => r.choices).some((c) => c.label.includes(foreign.headName))).toBe(false);
      await liaison.send(foreign.code);
      expect(liaison.text()).toContain('没有在您包联的农户中找到');
      // A forged tap on another household's button was never offered: refused.
      await liaison.deliver({ action: `household:${foreign.id}` });
      expect(liaison.text()).toContain('这个按钮已经过期了');
      expect(await db.ticket.count()).toBe(tickets);
    });
  });
});
