/**
 * Nothing a villager sends is swallowed or orphaned: free text in a menu or a view is a
 * request; a new request in the middle of a question is taken, and 返回 goes back; a chat
 * bound to the roster brings its earlier requests along; re-deliveries never count
 * towards the flood limit and a message over it is kept, not dropped; one chat's message
 * ids never collide with another's.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { messageIdOf } from '../../bots/web/protocol.js';
import { type Engine } from '../../src/engine/engine.js';
import { createBindingCode } from '../../src/org/invite.js';
import { type PipelineService } from '../../src/pipeline/service.js';
import { collectPushes, TestChat } from '../helpers/chat-client.js';
import type { TestDatabase } from '../helpers/db.js';
import { type DialogueWorld, eachDialogueWorld } from '../helpers/dialogue-world.js';
import type { FakeClock } from '../helpers/org-fixture.js';

const TICKET = /MQ-\d{4}-\d{6}/;

let world: DialogueWorld;
let database: TestDatabase;
let clock: FakeClock;
let pipeline: PipelineService;
let engine: Engine;

async function submit(chat: TestChat, text: string): Promise<string> {
  await chat.send(text);
  await chat.tap('是的');
  await chat.tap(chat.replies.at(-1)?.choices.some((c) => c.label === '就在我家附近') ? '就在我家附近' : '东湖村');
  if (chat.text().includes('具体地点')) await chat.tap('跳过');
  await chat.tap('跳过');
  await chat.tap('跳过');
  await chat.tap('提交');
  const number = TICKET.exec(chat.text())?.[0];
  if (!number) throw new Error(chat.text());
  return number;
}

eachDialogueWorld((freshWorld) => {
  beforeEach(async () => {
    world = await freshWorld();
    ({ database, clock, pipeline, engine } = world);
  });

  describe('free text is never swallowed', () => {
    test('我的诉求 → one request shown → typing a new matter starts a report with it', async () => {
      const chat = await world.resident();
      const first = await submit(chat, '村口的路灯坏了好几天');
      await chat.send('我的诉求');
      await chat.tap(first);
      expect(chat.text()).toContain(`${first}：村口的路灯坏了好几天`);
      await chat.send('村里的自来水又停了三天了');
      expect(chat.text()).toContain('看起来是“供水排水”方面的问题，对吗？');
      await chat.tap('是的');
      await chat.tap('就在我家附近');
      await chat.tap('跳过');
      await chat.tap('跳过');
      await chat.tap('提交');
      expect(await database.db.ticket.findFirstOrThrow({ where: { number: { not: first } } })).toMatchObject({
        categoryCode: 'water',
        description: '村里的自来水又停了三天了',
      });
    });

    test('English text after the list of requests is a request too, answered in English', async () => {
      const chat = new TestChat(engine, 'web', 'visitor-en');
      await chat.send('hello');
      expect(chat.text()).toContain('Hello');
      await chat.send('my requests');
      await chat.send('The street light at the village entrance is broken');
      expect(chat.text()).toContain('This looks like a matter of "Power and lighting"');
    });

    test('a new request in the middle of a question is taken as one; 返回 goes back to the question', async () => {
      const chat = await world.resident();
      await chat.send('村口的路灯坏了好几天');
      await chat.tap('是的');
      await chat.tap('就在我家附近');
      await chat.tap('跳过');
      await chat.tap('用登记的电话');
      expect(chat.text()).toContain('请确认');
      await chat.send('还有村里的自来水又停了三天了');
      expect(chat.text()).toContain('这像是一件新的事');
      expect(chat.text()).toContain('供水排水');
      await chat.send('返回');
      expect(chat.text()).toContain('回到刚才的步骤');
      expect(chat.text()).toContain('内容：村口的路灯坏了好几天');
      await chat.tap('提交');
      expect(chat.text()).toMatch(TICKET);
    });

    test('the interrupted step is remembered after the new report, until 返回', async () => {
      const chat = await world.resident();
      await chat.send('村口的路灯坏了好几天');
      expect(chat.text()).toContain('电力照明');
      await chat.send('另外村里的自来水又停了三天了');
      expect(chat.text()).toContain('这像是一件新的事');
      await chat.tap('是的');
      await chat.tap('就在我家附近');
      await chat.tap('跳过');
      await chat.tap('跳过');
      await chat.tap('提交');
      expect(chat.text()).toContain('发送“返回”可以接着办');
      await chat.send('返回');
      expect(chat.text()).toContain('看起来是“电力照明”方面的问题');
      await chat.send('对');
      expect(chat.text()).toContain('问题发生在哪里');
    });

    test('a liaison’s free text is not taken for a request without asking', async () => {
      const person = await database.db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const chat = new TestChat(engine, 'console', 'liaison');
      await chat.send(`绑定 ${await createBindingCode(database.db, person.id, clock.now(), 7)}`);
      await chat.send('村部门口的路灯不亮了');
      expect(chat.text()).toContain('要把“村部门口的路灯不亮了”作为一件新的诉求反映吗？');
      await chat.send('是的');
      expect(chat.text()).toContain('电力照明');
    });
  });

  describe('a chat bound to the roster brings its earlier requests along', () => {
    test('a household claim confirmed by the liaison: the earlier request is listed, and its pushes reach the chat', async () => {
      const household = await database.db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H001' }, include: { pairing: { include: { liaison: true } } } });
      const chat = new TestChat(engine, 'web', 'fresh-page');
      const number = await submit(chat, '村口的路灯坏了好几天');
      const anonymous = (await database.db.ticket.findUniqueOrThrow({ where: { number } })).residentId;

      await chat.send('绑定家庭');
      await chat.tap('东湖村');
      await chat.send(household.headName);
      await chat.send(household.phone ?? '');
      const liaisonPerson = household.pairing!.liaison;
      const liaison = new TestChat(engine, 'console', 'liaison');
      await liaison.send(`绑定 ${await createBindingCode(database.db, liaisonPerson.id, clock.now(), 7)}`);
      await liaison.receive(database, pipeline, clock);
      await liaison.tap('确认');

      const member = await database.db.person.findFirstOrThrow({ where: { householdId: household.id, name: household.headName } });
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number } })).residentId).toBe(member.id);
      expect(await database.db.person.findUnique({ where: { id: anonymous } })).toBeNull();
      await chat.send('我的诉求');
      expect(
        chat.replies
          .at(-1)
          ?.choices.map((c) => c.label)
          .join(),
      ).toContain(number);

      // The department accepts: the resident hears of it in this chat (not a chatless person).
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number } });
      const handler = await database.db.person.findFirstOrThrow({ where: { roles: { some: { role: 'department_handler', departmentId: ticket.assigneeDepartmentId } } } });
      const executed = await pipeline.execute(
        number,
        { type: 'accept' },
        { kind: 'person', personId: handler.id, roles: [{ role: 'department_handler', regionId: 0, departmentId: ticket.assigneeDepartmentId }] },
      );
      expect(executed.ok).toBe(true);
      const pushes = await collectPushes(database, pipeline, clock, [{ channel: 'web', chatId: 'fresh-page' }]);
      expect(pushes.map((p) => p.template)).toContain('ticket.accepted_resident');
      expect(await database.db.outboxMessage.count({ where: { recipientId: member.id, channel: null, sentAt: null } })).toBe(0);
    });

    test('an invite code: the earlier request becomes the person’s', async () => {
      const person = await database.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H002' } });
      const chat = new TestChat(engine, 'web', 'fresh-page');
      const number = await submit(chat, '村口的路灯坏了好几天');
      await chat.send(`绑定 ${await createBindingCode(database.db, person.id, clock.now(), 7)}`);
      expect(chat.text()).toContain('绑定成功');
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number } })).residentId).toBe(person.id);
      await chat.send('我的诉求');
      expect(
        chat.replies
          .at(-1)
          ?.choices.map((c) => c.label)
          .join(),
      ).toContain(number);
    });
  });

  describe('floods and re-deliveries', () => {
    beforeEach(async () => {
      // A world whose engine lets five messages a minute through (the one opened above goes when the test ends).
      world = await freshWorld({ floodPerMinute: 5 });
      ({ database, clock, pipeline, engine } = world);
    });

    test('a message re-delivered many times does not count towards the flood limit', async () => {
      const chat = await world.resident();
      for (let i = 0; i < 22; i++) await chat.deliver({ text: '帮助' }, 'same-id');
      const fresh = await chat.send('帮助');
      expect(chat.text()).toContain('直接发文字描述问题');
      expect(fresh.length).toBeGreaterThan(0);
    });

    test('a message over the limit is not marked as seen: re-sent after the minute, it is answered', async () => {
      const chat = await world.resident();
      for (let i = 0; i < 5; i++) await chat.send('帮助');
      const over = await chat.deliver({ text: '我的诉求' }, 'over-1');
      expect(over.map((r) => r.text).join()).toContain('您发得太快了');
      expect(await database.db.inboundMessage.count({ where: { messageId: 'over-1' } })).toBe(0);
      // The platform sends it again while it is still held: a duplicate, nothing more.
      expect((await chat.deliver({ text: '我的诉求' }, 'over-1')).length).toBe(0);
      clock.advanceHours(61 / 3600);
      await chat.deliver({ text: '我的诉求' }, 'over-1');
      expect(chat.text()).toContain('您还没有反映过问题');
      // Processed once: its held copy goes when the scheduler's round finds it seen.
      expect(await engine.releaseHeld()).toBe(0);
      expect(await database.db.heldMessage.count()).toBe(0);
    });

    test('message ids are per chat: user "vic:t" with message "1" and user "vic" with message "t:1" are two messages', async () => {
      // The ids as the web chat's protocol gives them to the engine.
      const id = (user: string, messageId: string) => messageIdOf({ type: 'message', user, messageId });
      const a = new TestChat(engine, 'web', 'vic:t');
      const b = new TestChat(engine, 'web', 'vic');
      expect((await a.deliver({ text: '帮助' }, id('vic:t', '1'))).length).toBeGreaterThan(0);
      expect((await b.deliver({ text: '帮助' }, id('vic', 't:1'))).length).toBeGreaterThan(0);
      expect((await b.deliver({ text: '帮助' }, id('vic', 't:1'))).length).toBe(0);
    });
  });
});
