/**
 * 人工: a person answers. The resident asks in chat; the conversation waits in the inbox of
 * their township's staff; replies go back through the outbox; it ends with 结束, a staff
 * close, a ticket made from it, or idleness — and the resident is told honestly who
 * answers and when.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { renderMonthlyReport } from '../../src/report/html.js';
import { buildMonthlyReport } from '../../src/report/monthly.js';
import { type ConsoleClient, type ConsoleWorld, loggedIn, START, startConsoleWorld } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { createBindingCode } from '../../src/org/invite.js';

let world: ConsoleWorld;
let db: Db;
let dsp: ConsoleClient;
let counter = 0;

/** A resident on the web chat (webhook mode): the bot's replies, as texts. */
async function say(user: string, fields: { text?: string; action?: string; media?: { kind: 'photo' | 'voice'; ref: string }[] }): Promise<string[]> {
  const res = await fetch(`${world.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', user, ...fields, channelData: { messageId: `m${++counter}` } }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }[]).map((m) => m.text);
}

/** Binds a web user to a demo resident. */
async function resident(code: string, user: string): Promise<number> {
  const person = await db.person.findUniqueOrThrow({ where: { code } });
  await db.channelIdentity.create({ data: { channel: 'web', platformUserId: user, chatId: user, personId: person.id } });
  return person.id;
}

/** The pushes queued for a person since `afterId`, as templates and params. */
async function pushes(personId: number, afterId = 0) {
  const rows = await db.outboxMessage.findMany({ where: { recipientId: personId, id: { gt: afterId }, reply: false }, orderBy: { id: 'asc' } });
  return rows.map((r) => ({ template: r.template, params: JSON.parse(r.params) as Record<string, unknown>, channel: r.channel }));
}

eachDatabase((kind) => {
  beforeAll(async () => {
    world = await startConsoleWorld({ CONVERSATION_IDLE_HOURS: '24' }, kind);
    db = world.db;
    dsp = await loggedIn(world.base, 'dsp-qh-01');
  });

  afterAll(async () => {
    await world?.stop();
  });

  describe('人工 in office hours', () => {
    test('the resident reaches the township’s inbox; the reply comes back to their chat; 结束 ends it', async () => {
      world.clock.set(START);
      const residentId = await resident('R-QH-01-001-H001', 'conv-1');
      const opened = await say('conv-1', { text: '转人工' });
      expect(opened.join()).toContain('已请清水镇的工作人员和您对话，工作时间内会尽快回复您');
      // The township's dispatchers are pinged.
      const dispatcher = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      expect((await pushes(dispatcher.id)).map((p) => p.template)).toContain('conversation.opened_staff');

      expect(await say('conv-1', { text: '我家低保的钱这个月没到账' })).toEqual(['已转给工作人员。']);
      await say('conv-1', {
        media: [{ kind: 'photo', ref: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' }],
      });

      const inbox = await dsp.page('/console/inbox');
      expect(inbox.text).toContain('罗**');
      expect(inbox.text).toContain('我家低保的钱这个月没到账');
      const id = (await db.conversation.findFirstOrThrow({ where: { residentId } })).id;
      expect(inbox.text).toMatch(new RegExp(`#${id}.*?<span class="badge unread">2</span>`, 's'));
      const page = await dsp.page(`/console/inbox/${id}`);
      expect(page.text).toContain('我家低保的钱这个月没到账');
      expect(page.text).toMatch(/<img src="\/uploads\/[0-9a-f]{64}\.png"/);
      // Opening it read it.
      expect((await dsp.page('/console/inbox')).text).not.toContain('class="badge unread"');

      const before = (await db.outboxMessage.findFirst({ orderBy: { id: 'desc' } }))?.id ?? 0;
      world.clock.set(new Date(START.getTime() + 7 * 60_000));
      expect((await dsp.post(`/console/inbox/${id}/reply`, { text: '您好，我们查一下，下午给您回复' })).status).toBe(303);
      const replies = await pushes(residentId, before);
      expect(replies).toEqual([{ template: 'conversation.staff_reply', params: { text: '您好，我们查一下，下午给您回复' }, channel: 'web' }]);
      expect(await db.conversation.findUniqueOrThrow({ where: { id } })).toMatchObject({ firstResponseAt: new Date(START.getTime() + 7 * 60_000) });

      const ended = await say('conv-1', { text: '结束' });
      expect(ended.join()).toContain('对话已结束');
      expect(await db.conversation.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'closed', closeReason: 'resident' });
      // Afterwards, words are a request again.
      expect((await say('conv-1', { text: '村口的路灯坏了好几天' })).join()).toContain('电力照明');
    });

    test('outside office hours the resident is told staff answer from the next working day, 8:30', async () => {
      // Saturday 2026-11-21 20:00: next working day is Monday 11-23.
      world.clock.set(new Date('2026-11-21T20:00:00+08:00'));
      await resident('R-QH-01-001-H002', 'conv-2');
      const opened = await say('conv-2', { text: '人工' });
      expect(opened.join()).toContain('现在是下班时间，工作人员将于 11月23日 08:30 起回复您');
      world.clock.set(START);
    });

    test('a menu entry opens it too, and a session gone idle still reaches the staff', async () => {
      world.clock.set(START);
      const residentId = await resident('R-QH-01-001-H003', 'conv-3');
      const menu = await fetch(`${world.base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', user: 'conv-3', text: '菜单', channelData: { messageId: `m${++counter}` } }),
      });
      const choices = ((await menu.json()) as { quick_replies?: { title: string; payload: string }[] }[]).flatMap((m) => m.quick_replies ?? []);
      expect(choices.map((c) => c.title)).toContain('找工作人员');
      await say('conv-3', { action: 'menu:human' });
      // An hour later the session has expired; the conversation has not.
      world.clock.set(new Date(START.getTime() + 3_600_000));
      expect(await say('conv-3', { text: '你们还在吗' })).toEqual(['已转给工作人员。']);
      const c = await db.conversation.findFirstOrThrow({ where: { residentId }, include: { messages: true } });
      expect(c.messages.filter((m) => m.author === 'resident').map((m) => m.text)).toEqual(['你们还在吗']);
      world.clock.set(START);
    });
  });

  describe('who answers a visitor', () => {
    test('a visitor who reported from a village reaches that township; one with nothing on record, the county', async () => {
      world.clock.set(START);
      await say('visitor-a', { text: '村口的路灯坏了好几天' });
      await say('visitor-a', { text: '是的' });
      await say('visitor-a', { text: '东湖村' });
      await say('visitor-a', { text: '跳过' });
      await say('visitor-a', { text: '跳过' });
      await say('visitor-a', { text: '跳过' });
      expect((await say('visitor-a', { text: '提交' })).join()).toMatch(/MQ-\d{4}-\d{6}/);
      expect((await say('visitor-a', { text: '人工' })).join()).toContain('已请清水镇的工作人员');
      expect((await say('visitor-b', { text: '人工' })).join()).toContain('已请青禾县的工作人员');
    });

    test('a visitor at the county who names their village goes to that township’s inbox, and stays there; other townships never see it', async () => {
      world.clock.set(START);
      expect((await say('visitor-c', { text: '人工' })).join()).toContain('已请青禾县的工作人员');
      const c = await db.conversation.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: 'visitor-c' } } } }, include: { region: true } });
      expect(c.region.code).toBe('QH');
      // Words that name no village leave it with the county.
      expect(await say('visitor-c', { text: '你好，有人吗' })).toEqual(['已转给工作人员。']);
      const township = await loggedIn(world.base, 'dsp-qh-02');
      expect((await township.page(`/console/inbox/${c.id}`)).status).toBe(404);

      const from = (await db.outboxMessage.findFirst({ orderBy: { id: 'desc' } }))?.id ?? 0;
      expect(await say('visitor-c', { text: '我是杏花村的，家门口的水管爆了' })).toEqual(['已转给禾丰镇的工作人员，他们会在这里回复您。']);
      expect((await db.conversation.findUniqueOrThrow({ where: { id: c.id }, include: { region: true } })).region.code).toBe('QH-02');
      const dsp2 = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-02' } });
      expect(await pushes(dsp2.id, from)).toEqual([{ template: 'conversation.moved_staff', params: { id: c.id, from: '青禾县' }, channel: null }]);
      const inbox = await township.page('/console/inbox');
      expect(inbox.text).toContain(`#${c.id}<`);
      const page = await township.page(`/console/inbox/${c.id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('家门口的水管爆了');
      expect(page.text).toContain('已转给禾丰镇');
      // 转为诉求 proposes the village the resident named.
      const xinghua = await db.region.findUniqueOrThrow({ where: { code: 'QH-02-001' } });
      expect(page.text).toContain(`<option value="${xinghua.id}" selected>`);
      expect((await township.post(`/console/inbox/${c.id}/reply`, { text: '您好，马上联系水务站' })).status).toBe(303);

      // Naming another township's village later does not take it from the staff answering.
      expect(await say('visitor-c', { text: '我亲戚在东湖村也这样' })).toEqual(['已转给工作人员。']);
      expect((await db.conversation.findUniqueOrThrow({ where: { id: c.id }, include: { region: true } })).region.code).toBe('QH-02');
      // Another township has no way in; the county still sees it.
      expect((await dsp.page('/console/inbox')).text).not.toContain(`#${c.id}<`);
      expect((await dsp.page(`/console/inbox/${c.id}`)).status).toBe(404);
      expect((await dsp.post(`/console/inbox/${c.id}/reply`, { text: 'x' })).status).toBe(404);
      for (const county of ['sup-qh', 'dsp-qh']) expect((await (await loggedIn(world.base, county)).page(`/console/inbox/${c.id}`)).status).toBe(200);
    });

    test('a visitor at the county who binds their chat to a household goes to the household’s township', async () => {
      world.clock.set(START);
      await say('visitor-d', { text: '人工' });
      const c = await db.conversation.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: 'visitor-d' } } } }, include: { region: true } });
      expect(c.region.code).toBe('QH');
      const person = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-02-002-H001' } });
      const code = await createBindingCode(db, person.id, START, 7);
      expect((await say('visitor-d', { text: `绑定 ${code}` })).join()).toContain('绑定成功');
      expect(await db.conversation.findUniqueOrThrow({ where: { id: c.id }, include: { region: true } })).toMatchObject({
        residentId: person.id,
        status: 'open',
        region: { code: 'QH-02' },
      });
      expect(await say('visitor-d', { text: '我家低保的事' })).toEqual(['已转给工作人员。']);
      expect((await (await loggedIn(world.base, 'dsp-qh-02')).page(`/console/inbox/${c.id}`)).text).toContain('我家低保的事');
      expect((await dsp.page(`/console/inbox/${c.id}`)).status).toBe(404);
    });
  });

  describe('staff end it', () => {
    test('转为诉求: the resident’s words become a ticket through the pipeline; the resident gets its number', async () => {
      world.clock.set(START);
      const residentId = await resident('R-QH-01-001-H004', 'conv-4');
      await say('conv-4', { text: '人工' });
      await say('conv-4', { text: '村口的路灯坏了好几天，晚上很黑' });
      const id = (await db.conversation.findFirstOrThrow({ where: { residentId } })).id;
      const page = await dsp.page(`/console/inbox/${id}`);
      // The matcher proposes the category; the resident's village is chosen.
      expect(page.text).toMatch(/<option value="power" selected>/);
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      expect(page.text).toContain(`<option value="${village.id}" selected>`);
      const res = await dsp.post(`/console/inbox/${id}/ticket`, {
        category: 'power',
        region: String(village.id),
        summary: '村口路灯坏了',
        description: '村口的路灯坏了好几天，晚上很黑',
      });
      expect(res.status).toBe(303);
      const number = /MQ-\d{4}-\d{6}/.exec(res.headers.get('location') ?? '')?.[0];
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number: number ?? '' }, include: { events: true } });
      expect(ticket).toMatchObject({ residentId, categoryCode: 'power', regionId: village.id, state: 'dispatched' });
      expect(JSON.parse(ticket.events[0]!.data)).toMatchObject({ channel: 'conversation' });
      expect(await db.conversation.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'closed', closeReason: 'ticket', ticketId: ticket.id });
      const told = (await pushes(residentId)).find((p) => p.template === 'conversation.closed_ticket');
      expect(told?.params).toMatchObject({ number });
    });

    test('关联 and 结束: attached to a ticket (noted in its history), then closed with a note to the resident', async () => {
      world.clock.set(START);
      const residentId = await resident('R-QH-01-001-H005', 'conv-5');
      await say('conv-5', { text: '人工' });
      await say('conv-5', { text: '上次反映的事有进展吗' });
      const id = (await db.conversation.findFirstOrThrow({ where: { residentId } })).id;
      const ticket = await db.ticket.findFirstOrThrow({ orderBy: { id: 'asc' } });
      expect((await dsp.post(`/console/inbox/${id}/attach`, { number: ticket.number })).status).toBe(303);
      expect((await db.conversation.findUniqueOrThrow({ where: { id } })).ticketId).toBe(ticket.id);
      expect((await db.ticketEvent.findFirstOrThrow({ where: { ticketId: ticket.id, type: 'noted' } })).data).toContain(`#${id}`);
      const wrong = await dsp.post(`/console/inbox/${id}/attach`, { number: 'MQ-2026-999999' });
      expect(wrong.status).toBe(409);

      expect((await dsp.post(`/console/inbox/${id}/close`, {})).status).toBe(303);
      expect((await pushes(residentId)).map((p) => p.template)).toContain('conversation.closed_staff');
      const again = await dsp.post(`/console/inbox/${id}/reply`, { text: '还在吗' });
      expect(again.status).toBe(409);
      expect(await again.text()).toContain('会话已结束');
    });

    test('an idle conversation closes by itself after CONVERSATION_IDLE_HOURS, with a note', async () => {
      world.clock.set(START);
      const residentId = await resident('R-QH-01-001-H006', 'conv-6');
      await say('conv-6', { text: '人工' });
      const id = (await db.conversation.findFirstOrThrow({ where: { residentId } })).id;
      world.clock.set(new Date(START.getTime() + 23 * 3_600_000));
      await world.app.scheduler.tick();
      expect((await db.conversation.findUniqueOrThrow({ where: { id } })).status).toBe('open');
      world.clock.set(new Date(START.getTime() + 25 * 3_600_000));
      await world.app.scheduler.tick();
      expect(await db.conversation.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'closed', closeReason: 'idle' });
      expect((await pushes(residentId)).map((p) => p.template)).toContain('conversation.closed_idle');
      world.clock.set(START);
    });
  });

  describe('scope', () => {
    test('another township’s staff and a department handler have no way in', async () => {
      const residentId = await resident('R-QH-01-001-H007', 'conv-7');
      await say('conv-7', { text: '人工' });
      const id = (await db.conversation.findFirstOrThrow({ where: { residentId } })).id;
      const other = await loggedIn(world.base, 'dsp-qh-02');
      expect((await other.page('/console/inbox')).text).not.toContain(`#${id}<`);
      expect((await other.page(`/console/inbox/${id}`)).status).toBe(404);
      expect((await other.post(`/console/inbox/${id}/reply`, { text: 'x' })).status).toBe(404);
      // The county supervisor sees the whole county's.
      const county = await loggedIn(world.base, 'sup-qh');
      expect((await county.page(`/console/inbox/${id}`)).status).toBe(200);
    });

    test("a county dispatcher's own desk first (the county's, township unknown), then the townships'; a region filter, and one outside named", async () => {
      await say('county-visitor-8', { text: '人工' });
      const countyOwn = await db.conversation.findFirstOrThrow({
        where: { resident: { identities: { some: { platformUserId: 'county-visitor-8' } } } },
        include: { region: true },
      });
      expect(countyOwn.region.code).toBe('QH');
      const residentId = await resident('R-QH-01-001-H009', 'conv-9');
      await say('conv-9', { text: '人工' });
      const township = (await db.conversation.findFirstOrThrow({ where: { residentId } })).id;
      const county = await loggedIn(world.base, 'dsp-qh');
      // Newest first in every status, but the county's own before the townships' though the township's is newer.
      const all = (await county.page('/console/inbox?status=all')).text;
      expect(all.indexOf(`#${countyOwn.id}<`)).toBeGreaterThan(-1);
      expect(all.indexOf(`#${countyOwn.id}<`)).toBeLessThan(all.indexOf(`#${township}<`));
      expect(all).toContain('青禾县本级的会话（群众所在乡镇不明的）排在前面');
      expect(all).toMatch(new RegExp(`<tr class="[^"]*own[^"]*"><td><a href="/console/inbox/${countyOwn.id}">`));
      // The filter: one township's conversations only, the tabs keeping it.
      const qh01 = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const filtered = (await county.page(`/console/inbox?status=all&region=${qh01.id}`)).text;
      expect(filtered).toContain(`#${township}<`);
      expect(filtered).not.toContain(`#${countyOwn.id}<`);
      expect(filtered).toContain(`href="/console/inbox?status=open&amp;region=${qh01.id}"`);
      // A township's dispatcher has one desk: no filter form, no ordering note; another township named and ignored.
      const qh02 = await db.region.findUniqueOrThrow({ where: { code: 'QH-02' } });
      const own = await dsp.page(`/console/inbox?status=all&region=${qh02.id}`);
      expect(own.text).toContain('以下筛选条件无效，已忽略：');
      expect(own.text).toContain(`地区 region: ${qh02.id}（不在您的工作范围内 not in your area）`);
      expect(own.text).toContain(`#${township}<`);
      expect(own.text).not.toContain(`#${countyOwn.id}<`);
      expect(own.text).not.toContain('排在前面');
    });
  });

  describe('the figures', () => {
    test('the statistics page and the monthly report count the conversations and the first-response time', async () => {
      world.clock.set(START);
      const residentId = await resident('R-QH-01-001-H008', 'conv-8');
      await say('conv-8', { text: '人工' });
      await say('conv-8', { text: '请问医保怎么报销' });
      const id = (await db.conversation.findFirstOrThrow({ where: { residentId } })).id;
      world.clock.set(new Date(START.getTime() + 12 * 60_000));
      expect((await dsp.post(`/console/inbox/${id}/reply`, { text: '带上发票到镇上办理' })).status).toBe(303);
      world.clock.set(START);

      const stats = await dsp.page('/console/stats?period=month&date=2026-11-16');
      expect(stats.text).toContain('人工会话');
      const opened = await db.conversation.count({ where: { region: { code: 'QH-01' } } });
      expect(stats.text).toMatch(new RegExp(`人工会话 <span class="en">conversations</span></th><td class="num">${opened}</td>`));
      expect(stats.text).toContain('首次响应');

      const report = await buildMonthlyReport(db, { regionCode: 'QH-01', month: '2026-11', now: new Date('2026-12-01T09:00:00+08:00') });
      expect(report.conversations.figures.opened).toBe(opened);
      expect(report.conversations.figures.answered).toBeGreaterThanOrEqual(2);
      const line = report.conversations.lines.find((l) => l.id === id);
      expect(line).toMatchObject({ firstResponseMinutes: 12, first: '请问医保怎么报销' });
      expect(renderMonthlyReport(report)).toContain('请问医保怎么报销');
      // A village's report counts its own residents' conversations.
      const village = await buildMonthlyReport(db, { regionCode: 'QH-01-001', month: '2026-11', now: new Date('2026-12-01T09:00:00+08:00') });
      expect(village.conversations.lines.map((l) => l.id)).toContain(id);
    });
  });
});
