import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CategoryClassifier } from '../../src/engine/classifier.js';
import { Engine } from '../../src/engine/engine.js';
import { createBindingCode } from '../../src/org/invite.js';
import { enqueuePush } from '../../src/pipeline/outbox.js';
import { actorFor, PipelineService } from '../../src/pipeline/service.js';
import { collectPushes, TestChat } from '../helpers/chat-client.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

const classifier = CategoryClassifier.load();
const TICKET = /MQ-\d{4}-\d{6}/;

let database: TestDatabase;
let clock: FakeClock;
let pipeline: PipelineService;
let engine: Engine;

function newEngine(): Engine {
  return new Engine({ db: database.db, pipeline, classifier, clock, sessionIdleMinutes: 30, floodPerMinute: 20 });
}

/** A web chat bound to a demo household's resident. */
async function boundResident(code = 'R-QH-01-001-H001', chatId = 'res-1'): Promise<TestChat> {
  const person = await database.db.person.findUniqueOrThrow({ where: { code } });
  await database.db.channelIdentity.create({ data: { channel: 'web', platformUserId: chatId, chatId, personId: person.id } });
  return new TestChat(engine, 'web', chatId);
}

/** A console chat bound to a staff member or liaison with a one-time code. */
async function boundStaff(code: string, chatId: string): Promise<TestChat> {
  const person = await database.db.person.findUniqueOrThrow({ where: { code } });
  const binding = await createBindingCode(database.db, person.id, clock.now(), 7);
  const chat = new TestChat(engine, 'console', chatId);
  await chat.send(`绑定 ${binding}`);
  expect(chat.text()).toContain(`绑定成功，您好，${person.name}`);
  return chat;
}

/** Walks a report through to submission and returns the ticket number. */
async function report(chat: TestChat, text = '村口的路灯坏了好几天，晚上很黑'): Promise<string> {
  await chat.send(text);
  expect(chat.text()).toContain('电力照明');
  await chat.tap('是的');
  await chat.tap('就在我家附近');
  await chat.tap('跳过'); // photo
  await chat.tap('用登记的电话');
  expect(chat.text()).toContain('请确认');
  await chat.tap('提交');
  const number = TICKET.exec(chat.text())?.[0];
  if (!number) throw new Error(chat.text());
  return number;
}

eachDatabase((kind) => {
  beforeEach(async () => {
    database = await kind.fresh({ demo: true });
    clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
    pipeline = new PipelineService({ db: database.db, rules, clock });
    engine = newEngine();
  });
  afterEach(async () => {
    await database.dispose();
  });

  describe('resident report flow', () => {
    test('a first-time resident reports a street-light outage in Chinese and gets number, handler and deadline', async () => {
      const chat = new TestChat(engine, 'web', 'visitor-1');
      await chat.send('村口的路灯坏了好几天');
      expect(chat.text()).toBe('看起来是“电力照明”方面的问题，对吗？');
      await chat.tap('是的');
      expect(chat.text()).toContain('问题发生在哪里');
      await chat.tap('东湖村');
      await chat.send('村委会东边路口');
      await chat.deliver({ media: [{ kind: 'photo', ref: 'data:image/png;base64,iVBORw0KGgo=' }] });
      expect(chat.text()).toContain('联系电话');
      await chat.send('12345');
      expect(chat.text()).toContain('电话号码格式不对');
      await chat.send('139 1234 5678');
      expect(chat.text()).toContain('地点：东湖村 村委会东边路口');
      expect(chat.text()).toContain('照片：1 张');
      await chat.tap('提交');
      expect(chat.text()).toMatch(/已受理，编号 MQ-2026-000001。经办：清水镇供电所。承诺办结时间：11月19日 17:30/);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number: 'MQ-2026-000001' } });
      expect(ticket).toMatchObject({ categoryCode: 'power', contactPhone: '13912345678', location: '村委会东边路口', level: 'township' });
    });

    test('a household resident is routed to their paired liaison, shown masked', async () => {
      const chat = await boundResident();
      const number = await report(chat);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      expect(ticket.assignee?.code).toMatch(/^L-QH-01-001-/);
      const masked = `${[...(ticket.assignee?.name ?? '')][0]}*`;
      expect(chat.text()).toContain(`经办：网格员 ${masked}`);
      expect(chat.text()).not.toContain(ticket.assignee?.name ?? '-');
    });

    test('my requests lists them with their state and opens one', async () => {
      const chat = await boundResident();
      const number = await report(chat);
      await chat.send('我的诉求');
      expect(chat.text()).toContain('您的诉求（共 1 件）');
      expect(chat.replies.at(-1)?.choices[0]?.label).toBe(`${number} 【已派单】村口的路灯坏了好几天，晚上很黑`);
      await chat.tap(number);
      expect(chat.text()).toContain('状态：已派单');
      expect(chat.text()).toMatch(/· 11月16日 09:00 受理\n· 11月16日 09:00 派单/);
      expect(chat.replies.at(-1)?.choices.map((c) => c.label)).toContain('撤销');
      await chat.tap('撤销');
      await chat.tap('是的');
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number } })).state).toBe('withdrawn');
    });
  });

  describe('at home', () => {
    test('在家里 / 家门口 / the button: the summary shows the household’s village (and the spot typed), as the request then does', async () => {
      const chat = await boundResident();
      await chat.send('家门口的自来水管爆了，水一直流');
      await chat.tap('是的');
      await chat.tap('就在我家附近');
      await chat.tap('跳过');
      await chat.tap('用登记的电话');
      expect(chat.text()).toContain('地点：东湖村\n');
      await chat.send('取消');
      await chat.send('家门口的自来水管爆了，水一直流');
      await chat.tap('是的');
      await chat.send('在家门口');
      await chat.tap('跳过');
      await chat.tap('用登记的电话');
      expect(chat.text()).toContain('地点：东湖村 家门口\n');
      await chat.tap('提交');
      const number = TICKET.exec(chat.text())?.[0] ?? '';
      expect(await database.db.ticket.findUniqueOrThrow({ where: { number } })).toMatchObject({ location: '家门口' });
      await chat.send(number);
      expect(chat.text()).toContain('地点：东湖村 家门口');
    });
  });

  describe('two matters in one message', () => {
    test('路灯坏了好几天，还有垃圾也没人收: offered as two requests, each confirmed, filed as two tickets of their own categories', async () => {
      const chat = await boundResident();
      await chat.send('路灯坏了好几天，还有垃圾也没人收');
      expect(chat.text()).toContain('您说了两件事：\n1. 路灯坏了好几天\n2. 垃圾也没人收');
      await chat.tap('分成两件反映');
      expect(chat.text()).toContain('电力照明');
      for (const label of ['是的', '就在我家附近', '跳过', '用登记的电话']) await chat.tap(label);
      expect(chat.text()).toContain('内容：路灯坏了好几天\n');
      await chat.tap('提交');
      expect(chat.text()).toContain('接下来反映您说的第二件事：垃圾也没人收');
      for (const label of ['是的', '就在我家附近', '跳过', '用登记的电话']) await chat.tap(label);
      expect(chat.text()).toContain('内容：垃圾也没人收\n');
      await chat.tap('提交');
      const tickets = await database.db.ticket.findMany({ orderBy: { id: 'asc' }, select: { categoryCode: true, description: true } });
      expect(tickets).toEqual([
        { categoryCode: 'power', description: '路灯坏了好几天' },
        { categoryCode: 'sanitation', description: '垃圾也没人收' },
      ]);
    });
  });

  describe('household binding', () => {
    test('a new resident binds their chat to their household; the liaison confirms; reports then go to that liaison', async () => {
      const household = await database.db.household.findUniqueOrThrow({
        where: { code: 'QH-01-001-H001' },
        include: { pairing: { include: { liaison: true } }, members: true },
      });
      const chat = new TestChat(engine, 'web', 'newcomer');
      await chat.send('绑定家庭');
      await chat.tap('东湖村');
      await chat.send(household.headName);
      await chat.send('12345');
      expect(chat.text()).toContain('电话号码格式不对');
      await chat.send(household.phone ?? '');
      expect(chat.text()).toContain('等待您的网格员确认');

      const liaison = await boundStaff(household.pairing?.liaison.code ?? '', 'liaison-c');
      const [ask] = await collectPushes(database, pipeline, clock, [{ channel: 'console', chatId: 'liaison-c' }]);
      expect(ask?.text).toContain(`${household.headName} 申请绑定住户 ${household.address}`);
      expect(ask?.text).toMatch(/电话 \d{3}\*{4}\d{4}/);
      await liaison.deliver({ action: ask?.actions[0]?.payload ?? '' });
      expect(liaison.text()).toContain('已确认');
      await liaison.deliver({ action: ask?.actions[0]?.payload ?? '' });
      expect(liaison.text()).toContain('已经处理过了');

      const identity = await database.db.channelIdentity.findUniqueOrThrow({
        where: { channel_platformUserId: { channel: 'web', platformUserId: 'newcomer' } },
        include: { person: true },
      });
      expect(identity.person.householdId).toBe(household.id);
      const [done] = await collectPushes(database, pipeline, clock, [{ channel: 'web', chatId: 'newcomer' }]);
      expect(done?.text).toContain('家庭绑定成功');
      const number = await report(chat);
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number } })).assigneeId).toBe(household.pairing?.liaisonId);
    });

    test('messages waiting for a roster member (no chat yet) reach the chat whose claim to be them is confirmed', async () => {
      const household = await database.db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H001' }, include: { pairing: { include: { liaison: true } } } });
      const member = await database.db.person.findFirstOrThrow({ where: { householdId: household.id, name: household.headName } });
      const chat = new TestChat(engine, 'web', 'newcomer');
      await chat.send('绑定家庭');
      await chat.tap('东湖村');
      await chat.send(household.headName);
      await chat.send(household.phone ?? '');
      const liaison = await boundStaff(household.pairing?.liaison.code ?? '', 'liaison-c');
      const [ask] = await collectPushes(database, pipeline, clock, [{ channel: 'console', chatId: 'liaison-c' }]);
      // Meanwhile a reminder for the member, who has no chat: it waits unaddressed.
      await enqueuePush(database.db, [member.id], { template: 'ticket.resolve_reminder', params: { number: 'MQ-2026-000099', resolveBy: '11月20日' } }, clock.now());
      expect(await database.db.outboxMessage.findFirstOrThrow({ where: { recipientId: member.id } })).toMatchObject({ channel: null, chatId: null });

      await liaison.deliver({ action: ask?.actions[0]?.payload ?? '' });
      expect(liaison.text()).toContain('已确认');
      const delivered = await collectPushes(database, pipeline, clock, [{ channel: 'web', chatId: 'newcomer' }]);
      expect(delivered.map((m) => m.text)).toEqual([expect.stringContaining('诉求 MQ-2026-000099 将于 11月20日 到期'), expect.stringContaining('家庭绑定成功')]);
    });

    test('a name and phone that match no household are refused clearly', async () => {
      const chat = new TestChat(engine, 'web', 'stranger');
      await chat.send('绑定家庭');
      await chat.tap('东湖村');
      await chat.send('张三');
      await chat.send('13800000000');
      expect(chat.text()).toContain('没有找到姓名和电话都相符的住户');
    });
  });

  describe('chat identities', () => {
    test('a message rewrites its identity’s last use only once that is a minute old, or from another chat', async () => {
      const chat = await boundResident();
      const identity = () => database.db.channelIdentity.findUniqueOrThrow({ where: { channel_platformUserId: { channel: 'web', platformUserId: 'res-1' } } });
      const start = clock.now().getTime();
      await chat.send('帮助');
      expect((await identity()).lastUsedAt?.getTime()).toBe(start);
      clock.set(new Date(start + 59_000));
      await chat.send('帮助');
      expect((await identity()).lastUsedAt?.getTime()).toBe(start);
      clock.set(new Date(start + 60_000));
      await chat.send('帮助');
      expect((await identity()).lastUsedAt?.getTime()).toBe(start + 60_000);
      // The same user id writing from another chat (a platform may move a user's private chat).
      clock.set(new Date(start + 61_000));
      await chat.deliver({ chatId: 'res-1-moved', text: '帮助' });
      expect(await identity()).toMatchObject({ chatId: 'res-1-moved', lastUsedAt: new Date(start + 61_000) });
    });

    test('a person whose only chat was blocked gets the messages that waited as soon as they write again', async () => {
      const chat = await boundResident();
      const person = await database.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      await chat.send('帮助');
      // The platform said the chat is blocked; a push then finds no reachable chat.
      await database.db.channelIdentity.updateMany({ where: { personId: person.id }, data: { unreachableAt: clock.now() } });
      await enqueuePush(database.db, [person.id], { template: 'ticket.resolve_reminder', params: { number: 'MQ-2026-000099', resolveBy: '11月20日' } }, clock.now());
      const waiting = await database.db.outboxMessage.findFirstOrThrow({ where: { recipientId: person.id, channel: null } });
      clock.set(new Date(clock.now().getTime() + 5_000));
      await chat.send('帮助');
      expect(await database.db.outboxMessage.findUniqueOrThrow({ where: { id: waiting.id } })).toMatchObject({ channel: 'web', chatId: 'res-1', sentAt: null });
      expect((await database.db.channelIdentity.findFirstOrThrow({ where: { personId: person.id } })).unreachableAt).toBeNull();
      const [delivered] = await collectPushes(database, pipeline, clock, [{ channel: 'web', chatId: 'res-1' }]);
      expect(delivered?.text).toContain('诉求 MQ-2026-000099 将于 11月20日 到期');
    });
  });

  describe('language', () => {
    test('a resident switches to English and reports in English', async () => {
      const chat = await boundResident();
      await chat.send('English');
      expect(chat.text()).toContain('Switched to English');
      await chat.send('The street light at the village entrance is broken');
      expect(chat.text()).toBe('This looks like a matter of "Power and lighting". Is that right?');
      await chat.tap('Yes');
      await chat.tap('Near my home');
      await chat.tap('Skip');
      await chat.tap('Skip');
      await chat.tap('Submit');
      expect(chat.text()).toMatch(/^Registered as MQ-2026-000001\. Handled by: grid liaison .\*+\. Due by 19 Nov 17:30/);
      await chat.send('中文');
      expect(chat.text()).toContain('已切换为中文');
    });
  });

  describe('the two-sided loop: resident on the web chat, liaison on the console', () => {
    test('report → ping → accept → progress → resolve → 不满意 → reopen → resolve → 满意 → closed', async () => {
      const resident = await boundResident();
      const number = await report(resident);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      const liaison = await boundStaff(ticket.assignee?.code ?? '', 'liaison-console');
      const pushes = (chatId: string, channel: 'web' | 'console') => collectPushes(database, pipeline, clock, [{ channel, chatId }]);

      // The assignment ping waited for the liaison's chat and arrives now, with its buttons.
      const ping = await pushes('liaison-console', 'console');
      expect(ping.map((p) => p.template)).toEqual(['ticket.assigned']);
      expect(ping[0]?.actions.map((a) => a.label)).toEqual(['签收', '退回']);
      // The ping may be long buried: the ticket opened from 我的待办 offers 签收 and 退回 too, typed or tapped.
      await liaison.send('我的待办');
      await liaison.tap(number);
      expect(liaison.replies.at(-1)?.choices.map((c) => c.label)).toEqual(['签收', '退回']);
      await liaison.send('签收');
      expect(liaison.text()).toContain(`已签收 ${number}`);

      await liaison.send('我的待办');
      await liaison.tap(number);
      await liaison.tap('报告进展');
      await liaison.send('已联系供电所，明天上午来修');
      expect(liaison.text()).toContain('进展已转告群众');

      const residentPushes = await pushes('res-1', 'web');
      expect(residentPushes.map((p) => p.text)).toEqual([expect.stringContaining('已由经办人签收'), expect.stringContaining('有新进展：已联系供电所，明天上午来修')]);

      await liaison.deliver({ action: `handle:${number}:resolve` });
      await liaison.send('已更换灯泡');
      const rating = await pushes('res-1', 'web');
      expect(rating[0]?.text).toContain('已办结：已更换灯泡');
      expect(rating[0]?.actions.map((a) => a.label)).toEqual(['满意', '基本满意', '不满意']);
      await resident.deliver({ action: rating[0]?.actions[2]?.payload ?? '' });
      await resident.send('晚上还是不亮');
      expect(resident.text()).toContain('感谢您的评价');
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number } })).state).toBe('reopened');

      const reopened = await pushes('liaison-console', 'console');
      expect(reopened.map((p) => p.template)).toContain('ticket.reopened_handler');
      await liaison.deliver({ action: `accept:${number}` });
      await liaison.deliver({ action: `handle:${number}:resolve` });
      await liaison.send('更换了线路，已经亮了');
      const again = (await pushes('res-1', 'web')).find((p) => p.template === 'ticket.resolved_resident');
      await resident.deliver({ action: again?.actions[0]?.payload ?? '' });
      await resident.tap('跳过');
      const closed = await database.db.ticket.findUniqueOrThrow({ where: { number } });
      expect(closed).toMatchObject({ state: 'closed', rating: 'satisfied', reopenCount: 1 });
      // Thanked once, in the reply: no second "thank you" pushed after it.
      expect(resident.text()).toContain(`诉求 ${number} 已归档`);
      expect((await pushes('res-1', 'web')).map((p) => p.template)).not.toContain('ticket.closed_resident');
    });
  });

  describe('a liaison at work, in words', () => {
    test('a ping arriving while a question is pending, answered with a number both could mean, is asked about by its request’s number and title', async () => {
      const resident = await boundResident();
      const number = await report(resident);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      const liaison = await boundStaff(ticket.assignee?.code ?? '', 'liaison-console');
      await liaison.send('明天村里开会的通知发了没有');
      expect(liaison.text()).toContain('作为一件新的诉求反映吗');
      // The assignment ping (签收 / 退回) comes in while that question waits.
      const ping = await liaison.receive(database, pipeline, clock);
      expect(ping.map((p) => p.template)).toEqual(['ticket.assigned']);
      await liaison.send('1');
      expect(liaison.text()).toContain('是回答哪一条');
      expect(liaison.replies.at(-1)?.choices.map((c) => c.label)).toEqual([`刚收到的消息（${number}「${ticket.summary.slice(0, 16)}」）：签收`, '正在填写的：是的']);
      await liaison.tap(number);
      expect(liaison.text()).toContain(`已签收 ${number}`);
    });

    test('签收 / 收到了 / 已经办好了 typed are tried on the liaison’s own open tickets: whether to accept the one, then the 办结 question; none: 我的待办', async () => {
      const resident = await boundResident();
      const number = await report(resident);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      const liaison = await boundStaff(ticket.assignee?.code ?? '', 'liaison-console');
      // At the offer question about other words, 收到了: whether to accept the one ticket waiting, named.
      await liaison.send('明天村里开会的通知发了没有');
      await liaison.send('收到了');
      expect(liaison.text()).toBe(`签收诉求 ${number}「${ticket.summary.slice(0, 16)}」吗？`);
      await liaison.send('是的');
      expect(liaison.text()).toContain(`已签收 ${number}`);
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number } })).state).toBe('accepted');
      // 已经办好了, the one ticket in hand: its 办结 question, then resolved with the result typed.
      await liaison.send('已经办好了');
      expect(liaison.text()).toContain(number);
      expect(liaison.text()).not.toContain('新的诉求');
      await liaison.send('换了新灯泡，晚上亮了');
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number } })).state).toBe('resolved');
      // Nothing left to accept: said so, with 我的待办 to tap.
      await liaison.send('签收');
      expect(liaison.text()).toBe('您说“签收”，但您目前没有待签收的诉求。可以打开“我的待办”看看：');
      await liaison.tap('我的待办');
      expect(liaison.text()).toContain('您目前没有待办的诉求');
      expect(await database.db.ticket.count()).toBe(1);
    });
  });

  describe('photos', () => {
    test('a progress photo from the liaison is forwarded to the resident', async () => {
      const resident = await boundResident();
      const number = await report(resident);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      const liaison = await boundStaff(ticket.assignee?.code ?? '', 'liaison-photo');
      await liaison.deliver({ action: `accept:${number}` });
      await liaison.deliver({ action: `handle:${number}:progress` });
      await liaison.deliver({ media: [{ kind: 'photo', ref: 'https://example.invalid/lamp.jpg' }] });
      expect(liaison.text()).toContain('进展已转告群众');
      const pushes = await collectPushes(database, pipeline, clock, [{ channel: 'web', chatId: 'res-1' }]);
      const progress = pushes.find((p) => p.template === 'ticket.progress_resident');
      expect(progress?.media).toEqual(['https://example.invalid/lamp.jpg']);
    });
  });

  describe('robustness', () => {
    test('a restart in the middle of a report carries on where it stopped', async () => {
      const chat = await boundResident();
      await chat.send('家门口的自来水管爆了，水一直流');
      await chat.tap('是的');
      // A new engine (as after a restart) on the same database.
      engine = newEngine();
      const resumed = new TestChat(engine, 'web', 'res-1');
      resumed.replies = chat.replies;
      await resumed.tap('就在我家附近');
      expect(resumed.text()).toContain('现场照片');
    });

    test('the same message delivered twice has one effect', async () => {
      const chat = await boundResident();
      await chat.send('路灯坏了');
      await chat.tap('是的');
      await chat.tap('就在我家附近');
      await chat.tap('跳过');
      await chat.tap('跳过');
      const submit = chat.replies.flatMap((r) => r.choices).find((c) => c.label === '提交');
      const first = await chat.deliver({ action: submit?.payload ?? '' }, 'dup-1');
      const second = await chat.deliver({ action: submit?.payload ?? '' }, 'dup-1');
      expect(first.map((r) => r.text).join()).toMatch(TICKET);
      expect(second).toEqual([]);
      expect(await database.db.ticket.count()).toBe(1);
    });

    test('concurrent messages from one chat are processed one at a time, in order', async () => {
      const chat = await boundResident();
      const results = await Promise.all([
        engine.handle({ channel: 'web', chatId: 'res-1', senderId: 'res-1', messageId: 'c1', text: '路灯坏了' }),
        engine.handle({ channel: 'web', chatId: 'res-1', senderId: 'res-1', messageId: 'c2', text: '1' }),
        engine.handle({ channel: 'web', chatId: 'res-1', senderId: 'res-1', messageId: 'c3', text: '1' }),
      ]);
      expect(results.map((r) => r.replies.at(-1)?.text)).toEqual([
        '看起来是“电力照明”方面的问题，对吗？',
        expect.stringContaining('问题发生在哪里'),
        '可以发送现场照片（可选），或点“跳过”。',
      ]);
      void chat;
    });

    test('a half-finished report expires politely after the idle time', async () => {
      const chat = await boundResident();
      await chat.send('路灯坏了');
      clock.advanceHours(1);
      await chat.send('我的诉求');
      expect(chat.replies[0]?.text).toBe('上次的对话时间太久，已重新开始。');
    });

    test('a flood of messages gets one polite note; what came over the limit is kept and answered after the minute', async () => {
      const chat = await boundResident();
      const texts: string[] = [];
      for (let i = 0; i < 24; i++) texts.push((await chat.send('帮助')).map((r) => r.text).join());
      expect(texts.filter((t) => t.includes('您发得太快了'))).toHaveLength(1);
      expect(texts.at(-1)).toBe('');
      // Nothing is lost: the four over the limit are held, not seen, and answered once the minute has passed.
      expect(await database.db.heldMessage.count()).toBe(4);
      expect(await engine.releaseHeld()).toBe(0);
      clock.advanceHours(61 / 3600);
      expect(await engine.releaseHeld()).toBe(4);
      expect(await database.db.heldMessage.count()).toBe(0);
      const pushed = await collectPushes(database, pipeline, clock, [{ channel: 'web', chatId: 'res-1' }]);
      expect(pushed.filter((p) => p.template === 'help.resident')).toHaveLength(4);
    });
  });

  describe('bad input gets a short, clear reply', () => {
    test.each([
      ['an empty message', { text: '' }, '没有收到内容'],
      ['only control characters', { text: '\u0000\u0007\u001b' }, '没有收到内容'],
      ['emoji only', { text: '😡😡😡' }, '请用文字说明'],
      ['a 10,000-character text', { text: '路'.repeat(10_000) }, '请控制在 2000 字以内'],
    ])('%s while describing a problem', async (_name, message, reply) => {
      const chat = await boundResident();
      await chat.send('我要反映');
      await chat.deliver(message);
      expect(chat.text()).toContain(reply);
      expect(chat.text()).toContain('请描述您要反映的问题');
    });

    test('a choice that does not exist, a stale button, and a message of another flow mid-flow', async () => {
      const chat = await boundResident();
      await chat.send('路灯坏了');
      await chat.send('7');
      expect(chat.text()).toContain('没有这个选项，请回复 1 到 2 之间的序号');
      await chat.deliver({ action: 'category:bogus' });
      expect(chat.text()).toContain('这个按钮已经过期了');
      expect(chat.text()).toContain('电力照明');
      // An accept button for someone else's request, arriving mid-report: answered as if there
      // were no such request (no probing), then back to the question.
      const other = await report(await boundResident('R-QH-01-001-H002', 'res-2'));
      await chat.deliver({ action: `accept:${other}` });
      expect(chat.text()).toContain(`没有找到编号为 ${other} 的诉求`);
      expect(chat.replies.at(-1)?.text).toContain('电力照明');
      await chat.send('取消');
      expect(chat.text()).toContain('已取消');
    });

    test('an older question delivered late (re-sent after a crash) does not make the current buttons stale; a newer push takes over "1"', async () => {
      const chat = await boundResident();
      const person = await database.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      await chat.send('村口的路灯坏了好几天');
      await chat.tap('是的');
      await chat.tap('就在我家附近');
      const phoneQuestion = (await chat.tap('跳过')).at(-1)!;
      expect(phoneQuestion.text).toContain('联系电话');
      await chat.tap('用登记的电话');
      expect(chat.text()).toContain('请确认');
      // The phone question goes out again (its sent mark was lost) after the chat moved on.
      await engine.noteOffered('web', 'res-1', person.id, phoneQuestion.outboxId!, phoneQuestion.choices, true);
      await chat.tap('提交');
      expect(chat.text()).toMatch(TICKET);
      expect(chat.text()).not.toContain('这个按钮已经过期了');
      // A message written after the last reply (a push with three choices) does set what a number answers.
      const after = chat.replies.at(-1)!.outboxId! + 1_000;
      await engine.noteOffered('web', 'res-1', person.id, after, [
        { payload: `view:${TICKET.exec(chat.text())![0]}`, label: '查看' },
        { payload: 'menu:help', label: '帮助' },
        { payload: 'menu:queue', label: '我的待办' },
      ]);
      await chat.send('7');
      expect(chat.text()).toContain('没有这个选项，请回复 1 到 3 之间的序号');
    });

    test('a rating request arriving half-way through a new report: 是的 goes on with the report, 满意 rates, and 返回 brings the report back', async () => {
      const resident = await boundResident();
      const number = await report(resident);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number } });
      const handler = await actorFor(database.db, ticket.assigneeId!);
      expect((await pipeline.execute(number, { type: 'accept' }, handler)).ok).toBe(true);
      expect((await pipeline.execute(number, { type: 'resolve', result: '已修好' }, handler)).ok).toBe(true);
      await resident.send('家门口的水管漏水了');
      expect(resident.text()).toContain('供水排水');
      const pushes = await resident.receive(database, pipeline, clock);
      expect(pushes.find((p) => p.template === 'ticket.resolved_resident')?.actions.map((a) => a.label)).toEqual(['满意', '基本满意', '不满意']);
      // 是的 answers the question being asked (the category), not the push shown after it.
      await resident.send('是的');
      expect(resident.text()).toContain('在哪里');
      // 满意 can only be the push's: the request is rated and the report waits.
      await resident.send('满意');
      await resident.tap('跳过');
      expect(resident.text()).toContain('感谢您的评价');
      expect(resident.text()).toContain('返回');
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number } })).rating).toBe('satisfied');
      await resident.send('返回');
      expect(resident.text()).toContain('在哪里');
      await resident.tap('就在我家附近');
      await resident.tap('跳过');
      await resident.tap('用登记的电话');
      await resident.tap('提交');
      expect(TICKET.exec(resident.text())?.[0]).not.toBe(number);
      expect(await database.db.ticket.count({ where: { summary: { contains: '水管漏水' } } })).toBe(1);
    });

    test("a forged button about someone else's request is answered as one about a number that does not exist, whatever its state", async () => {
      const owner = await boundResident('R-QH-01-001-H002', 'res-2');
      const dispatched = await report(owner);
      const resolved = await report(owner, '家门口的路灯也不亮了');
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number: resolved } });
      const handler = await actorFor(database.db, ticket.assigneeId!);
      expect((await pipeline.execute(resolved, { type: 'accept' }, handler)).ok).toBe(true);
      expect((await pipeline.execute(resolved, { type: 'resolve', result: '已修好' }, handler)).ok).toBe(true);
      const missing = 'MQ-2026-999999';
      const prober = await boundResident();
      /** What the prober is told for each forged button, with the number written as N. */
      const answers = async (number: string): Promise<string[]> => {
        const said: string[] = [];
        clock.advanceHours(1); // each round within the flood limit
        const probes = [
          [`rate:${number}:dissatisfied`, 'skip'],
          [`rate:${number}`],
          [`supply:${number}`],
          [`withdraw:${number}`],
          [`urge:${number}`],
          [`accept:${number}`],
          [`handle:${number}:resolve`],
          [`return:${number}`],
          [`view:${number}`],
        ];
        for (const actions of probes) {
          const turns: string[] = [];
          for (const action of actions) {
            await prober.deliver({ action });
            turns.push(prober.text().replaceAll(number, 'N'));
          }
          said.push(turns.join(' | '));
          await prober.send('取消');
        }
        return said;
      };
      const nothing = await answers(missing);
      expect(nothing[0]).toMatch(/^没有找到编号为 N 的诉求。/);
      expect(await answers(dispatched)).toEqual(nothing);
      expect(await answers(resolved)).toEqual(nothing);
      // Nothing was changed by the probes.
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number: dispatched } })).urgeCount).toBe(0);
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number: resolved } })).state).toBe('resolved');
      expect((await database.db.ticket.findUniqueOrThrow({ where: { number: dispatched } })).state).toBe('dispatched');
    });

    test('someone else’s ticket is not shown', async () => {
      const number = await report(await boundResident('R-QH-01-001-H002', 'res-2'));
      const chat = await boundResident();
      await chat.deliver({ action: `view:${number}` });
      expect(chat.text()).toContain(`没有找到编号为 ${number} 的诉求`);
    });

    test('a used or unknown binding code is refused', async () => {
      const person = await database.db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const code = await createBindingCode(database.db, person.id, clock.now(), 7);
      const first = new TestChat(engine, 'console', 'a');
      await first.send(`/bind ${code}`);
      expect(first.text()).toContain('绑定成功');
      const second = new TestChat(engine, 'console', 'b');
      await second.send(`/bind ${code}`);
      expect(second.text()).toContain('绑定码无效或已过期');
      await second.send('绑定 ZZZZ9999');
      expect(second.text()).toContain('绑定码无效或已过期');
    });
  });
});
