/**
 * 矛盾纠纷调解 in the parties' chats, on both databases: the agreement pushed to each party
 * with a chat (a person, and a household's member), 确认 tapped on the push, 有异议 typed
 * with its reason (the case goes back to mediating and the mediator hears), nobody else
 * able to answer, and the case settling once every party, the one on paper too, confirms.
 */
import { describe, expect, test } from 'vitest';
import { openMediationCase, staffChangeMediationCase } from '../../src/mediation/cases.js';
import { mediationFollowUpDuty } from '../../src/mediation/follow-ups.js';
import { DEFAULT_OFFICE_HOURS } from '../../src/pipeline/deadlines.js';
import { eachDialogueWorld } from '../helpers/dialogue-world.js';

const RULES = { limitDays: 30, extensionDays: 30, followUpDays: [30, 90] as const };

eachDialogueWorld((freshWorld) => {
  describe('矛盾纠纷调解 in chat', () => {
    test('each party answers the agreement in their own chat: 确认 on the push, 有异议 typed with why; a stranger cannot; all confirmed settles it', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const first = await w.resident('R-QH-01-001-H001', 'party-1');
      const second = await w.resident('R-QH-01-001-H002', 'party-2');
      const stranger = await w.resident('R-QH-01-001-H003', 'stranger');
      const firstPerson = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      const household = await db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H002' } });
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const staff = await db.person.findFirstOrThrow({ where: { roles: { some: { role: 'dispatcher' } } } });
      const mediator = await db.person.create({
        data: { code: 'M-1', name: '调解员', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: 'M-1|mediator|QH-01-001' } } },
      });
      const now = w.clock.now();
      const caseId = await openMediationCase(
        db,
        {
          regionId: village.id,
          title: '院墙纠纷',
          facts: '两家因院墙位置争执',
          mediatorId: mediator.id,
          parties: [{ personId: firstPerson.id, name: firstPerson.name }, { householdId: household.id, name: household.headName }, { name: '外村 王某' }],
        },
        staff.id,
        now,
        RULES,
      );
      await staffChangeMediationCase(db, caseId, { type: 'agree', text: '按原界址重砌院墙，费用各半' }, staff.id, now);
      const [p1, p2, p3] = await db.mediationParty.findMany({ where: { caseId }, orderBy: { id: 'asc' } });

      await first.receive(w.database, w.pipeline, w.clock);
      expect(first.text()).toContain('【矛盾纠纷调解】“院墙纠纷”的调解协议：按原界址重砌院墙，费用各半。您同意这份协议吗？');
      // Someone else, tapping the same button, changes nothing.
      await stranger.deliver({ action: `mediation:${p1!.id}:confirmed` });
      expect(stranger.text()).toContain('这份调解协议已不需要您答复了');
      expect((await db.mediationParty.findUniqueOrThrow({ where: { id: p1!.id } })).answer).toBeNull();

      await first.tap('确认');
      expect(first.text()).toContain('已记录您确认协议');
      expect(await db.mediationParty.findUniqueOrThrow({ where: { id: p1!.id } })).toMatchObject({ answer: 'confirmed', answeredAt: now });
      // Once answered, the push's button answers nothing more.
      await first.deliver({ action: `mediation:${p1!.id}:objected` });
      expect(first.text()).toContain('这份调解协议已不需要您答复了');

      // The household's member answers for it: typed 不 means 有异议, then why.
      await second.receive(w.database, w.pipeline, w.clock);
      expect(second.text()).toContain('您同意这份协议吗');
      await second.send('不');
      expect(second.text()).toContain('请说说您对协议有什么异议');
      await second.send('费用应按占地比例分');
      expect(second.text()).toContain('已记录您的异议');
      expect(await db.mediationParty.findUniqueOrThrow({ where: { id: p2!.id } })).toMatchObject({ answer: 'objected', objection: '费用应按占地比例分' });
      expect((await db.mediationCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('mediating');
      expect(await db.outboxMessage.findFirst({ where: { recipientId: mediator.id, template: 'mediation.party_objected' } })).not.toBeNull();

      // Reworked: asked afresh, every party confirms (the one with no chat on paper), and it settles.
      await staffChangeMediationCase(db, caseId, { type: 'agree', text: '按原界址重砌院墙，费用按占地比例分' }, staff.id, now);
      await first.receive(w.database, w.pipeline, w.clock);
      await first.send('是');
      expect(first.text()).toContain('已记录您确认协议');
      await second.receive(w.database, w.pipeline, w.clock);
      await second.tap('确认');
      expect((await db.mediationCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('agreement');
      await staffChangeMediationCase(db, caseId, { type: 'answer', partyId: p3!.id, confirmed: true }, staff.id, now);
      expect(await db.mediationCase.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ status: 'settled', settledAt: now });
    });

    test('the mediator is reminded in chat of each follow-up, on the 30th and the 90th day after settling, once each', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const staff = await db.person.findFirstOrThrow({ where: { roles: { some: { role: 'dispatcher' } } } });
      const mediator = await db.person.create({
        data: { code: 'M-2', name: '调解员', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: 'M-2|mediator|QH-01-001' } } },
      });
      const settledAt = w.clock.now();
      const caseId = await openMediationCase(
        db,
        { regionId: village.id, title: '借款纠纷', facts: '借款未还', mediatorId: mediator.id, parties: [{ name: '甲' }, { name: '乙' }] },
        staff.id,
        settledAt,
        RULES,
      );
      await staffChangeMediationCase(db, caseId, { type: 'agree', text: '分三个月还清' }, staff.id, settledAt);
      const parties = await db.mediationParty.findMany({ where: { caseId } });
      for (const p of parties) await staffChangeMediationCase(db, caseId, { type: 'answer', partyId: p.id, confirmed: true }, staff.id, settledAt);

      const duty = () => mediationFollowUpDuty({ db, clock: w.clock, officeHours: DEFAULT_OFFICE_HOURS, followUpDays: RULES.followUpDays })();
      const reminders = () => db.outboxMessage.findMany({ where: { recipientId: mediator.id, template: 'mediation.follow_up_due' }, orderBy: { id: 'asc' } });
      const at = (local: string) => w.clock.set(new Date(`${local}+08:00`));
      at('2026-12-15T09:00:00'); // day 29
      expect(await duty()).toBe(0);
      at('2026-12-16T08:00:00'); // day 30, before the office opens
      expect(await duty()).toBe(0);
      at('2026-12-16T09:00:00');
      expect(await duty()).toBe(1);
      expect(await duty()).toBe(0);
      expect(JSON.parse((await reminders())[0]!.params)).toEqual({ title: '借款纠纷', days: 30 });
      at('2027-01-20T09:00:00');
      expect(await duty()).toBe(0);
      at('2027-02-14T09:00:00'); // day 90
      expect(await duty()).toBe(1);
      at('2027-06-01T09:00:00');
      expect(await duty()).toBe(0);
      expect((await reminders()).map((r) => (JSON.parse(r.params) as { days: number }).days)).toEqual([30, 90]);
    });

    test('a phone number in a case’s title reaches its party in full, and its mediator masked: in the push that the party objected and in 我的调解', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const party = await w.resident('R-QH-01-001-H001', 'party-1');
      const person = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const staff = await db.person.findFirstOrThrow({ where: { roles: { some: { role: 'dispatcher' } } } });
      const mediator = await db.person.create({
        data: { code: 'M-1', name: '调解员', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: 'M-1|mediator|QH-01-001' } } },
      });
      const title = '院墙纠纷（联系13987654321）';
      const caseId = await openMediationCase(
        db,
        { regionId: village.id, title, facts: '两家因院墙位置争执', mediatorId: mediator.id, parties: [{ personId: person.id, name: person.name }, { name: '外村 王某' }] },
        staff.id,
        w.clock.now(),
        RULES,
      );
      await staffChangeMediationCase(db, caseId, { type: 'agree', text: '按原界址重砌院墙' }, staff.id, w.clock.now());
      await party.receive(w.database, w.pipeline, w.clock);
      expect(party.text()).toContain(`“${title}”的调解协议`);
      await party.send('不');
      await party.send('费用应按占地比例分');
      const objected = await db.outboxMessage.findFirstOrThrow({ where: { recipientId: mediator.id, template: 'mediation.party_objected' } });
      expect(objected.params).toContain('139****4321');
      expect(objected.params).not.toContain('13987654321');

      const chat = await w.staff('M-1', 'mediator-1');
      await chat.send('菜单');
      await chat.tap('我的调解');
      expect(chat.text()).toContain(`#${caseId} 院墙纠纷（联系139****4321）`);
      expect(chat.text()).not.toContain('13987654321');
    });

    test('我的调解: a mediator lists their own waiting cases with the next step and the limit (overdue marked); another’s and finished ones are not listed; a resident is told it is not theirs', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const staff = await db.person.findFirstOrThrow({ where: { roles: { some: { role: 'dispatcher' } } } });
      const mediatorOf = (code: string) =>
        db.person.create({ data: { code, name: '调解员', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: `${code}|mediator|QH-01-001` } } } });
      const mediator = await mediatorOf('M-1');
      const other = await mediatorOf('M-2');
      const open = (title: string, mediatorId: number) =>
        openMediationCase(db, { regionId: village.id, title, facts: '邻里纠纷', mediatorId, parties: [{ name: '甲' }, { name: '乙' }] }, staff.id, w.clock.now(), RULES);
      const early = await open('宅基地边界纠纷', mediator.id);
      w.clock.set(new Date('2026-11-20T09:00:00+08:00'));
      const agreed = await open('噪音纠纷', mediator.id);
      await staffChangeMediationCase(db, agreed, { type: 'agree', text: '晚十点后不施工' }, staff.id, w.clock.now());
      const [party] = await db.mediationParty.findMany({ where: { caseId: agreed }, orderBy: { id: 'asc' } });
      await staffChangeMediationCase(db, agreed, { type: 'answer', partyId: party!.id, confirmed: true }, staff.id, w.clock.now());
      await open('别人的案件', other.id);
      // Past the first case's month (it was opened on 16 November).
      w.clock.set(new Date('2026-12-18T09:00:00+08:00'));

      const chat = await w.staff('M-1', 'mediator-1');
      await chat.send('菜单');
      expect(chat.replies.flatMap((r) => r.choices.map((c) => c.label))).toContain('我的调解');
      await chat.tap('我的调解');
      expect(chat.text()).toContain('您有 2 件调解案件待办');
      expect(chat.text()).toContain(`#${early} 宅基地边界纠纷\n下一步：组织调解，记录调解经过或达成协议\n调解期限：2026-12-16 【已超期】`);
      expect(chat.text()).toContain(`#${agreed} 噪音纠纷\n下一步：等待当事人确认协议（已确认 1/2）\n调解期限：2026-12-20`);
      expect(chat.text()).not.toContain('别人的案件');

      const resident = await w.resident();
      await resident.send('我的调解');
      expect(resident.text()).toContain('您不是调解员');
      await resident.send('菜单');
      expect(resident.replies.flatMap((r) => r.choices.map((c) => c.label))).not.toContain('我的调解');
    });
  });
});
