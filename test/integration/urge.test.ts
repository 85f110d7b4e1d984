/**
 * 催办 through the real engine and pipeline, on SQLite and PostgreSQL: a resident urges
 * an open request from its view or by typing; the urge is an `urged` event on the
 * ticket, counted, and both the handler and the township's dispatcher get a ping in the
 * outbox; a second urge within 24 hours records nothing and says when the first was.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CategoryClassifier } from '../../src/engine/classifier.js';
import { Engine } from '../../src/engine/engine.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { TestChat } from '../helpers/chat-client.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

const classifier = CategoryClassifier.load();
const TICKET = /MQ-\d{4}-\d{6}/;

let database: TestDatabase;
let clock: FakeClock;
let pipeline: PipelineService;
let engine: Engine;

/** A web chat bound to a demo household's resident. */
async function boundResident(code = 'R-QH-01-001-H001', chatId = 'res-1'): Promise<TestChat> {
  const person = await database.db.person.findUniqueOrThrow({ where: { code } });
  await database.db.channelIdentity.create({ data: { channel: 'web', platformUserId: chatId, chatId, personId: person.id } });
  return new TestChat(engine, 'web', chatId);
}

/** Walks a report through to submission and returns the ticket number. */
async function report(chat: TestChat, text: string): Promise<string> {
  await chat.send(text);
  await chat.tap('是的');
  await chat.tap('就在我家附近');
  await chat.tap('跳过'); // photo
  await chat.tap('用登记的电话');
  await chat.tap('提交');
  const number = TICKET.exec(chat.text())?.[0];
  if (!number) throw new Error(chat.text());
  return number;
}

/** The ticket's urges as stored: its count, its `urged` events and the pings queued about them. */
async function urgesOf(number: string) {
  const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number } });
  const events = await database.db.ticketEvent.findMany({ where: { ticketId: ticket.id, type: 'urged' }, orderBy: { seq: 'asc' } });
  const pings = await database.db.outboxMessage.findMany({ where: { ticketId: ticket.id, template: { startsWith: 'ticket.urged_' } }, orderBy: { id: 'asc' } });
  return { ticket, events, pings };
}

eachDatabase((kind) => {
  beforeEach(async () => {
    database = await kind.fresh({ demo: true });
    clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
    pipeline = new PipelineService({ db: database.db, rules, clock });
    engine = new Engine({ db: database.db, pipeline, classifier, clock, sessionIdleMinutes: 30, floodPerMinute: 20 });
  });
  afterEach(async () => {
    await database.dispose();
  });

  test('催一下 at the ticket’s view: an urged event, counted, the handler and the township dispatcher pinged; again the same day: nothing new, and the time of the first', async () => {
    const chat = await boundResident();
    const number = await report(chat, '村口的路灯坏了好几天，晚上很黑');
    clock.advanceHours(3);
    await chat.send('我的诉求');
    await chat.tap(number);
    expect(chat.replies.at(-1)?.choices.map((c) => c.label)).toContain('催办');

    await chat.send('催一下');
    expect(chat.text()).toContain(`已为您催办诉求 ${number}，经办人和调度员都已收到提醒。`);
    expect(chat.text()).toContain('当前状态：已派单');
    expect(chat.text()).toMatch(/办结时限：\d+月\d+日 \d\d:\d\d/);

    const first = await urgesOf(number);
    expect(first.ticket).toMatchObject({ urgeCount: 1, urgedAt: clock.now(), state: 'dispatched' });
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({ fromState: 'dispatched', toState: 'dispatched', actorId: first.ticket.residentId, actorRole: 'resident' });
    expect(JSON.parse(first.events[0]!.data)).toEqual({ count: 1 });
    // The handler (the liaison it was dispatched to) and the township's dispatcher, each once.
    const handler = first.pings.filter((p) => p.template === 'ticket.urged_handler');
    const dispatchers = first.pings.filter((p) => p.template === 'ticket.urged_dispatcher');
    expect(handler.map((p) => p.recipientId)).toEqual([first.ticket.assigneeId]);
    const village = await database.db.region.findUniqueOrThrow({ where: { id: first.ticket.regionId } });
    const townshipDispatchers = await database.db.personRole.findMany({ where: { role: 'dispatcher', regionId: village.parentId ?? -1 } });
    expect(townshipDispatchers.length).toBeGreaterThanOrEqual(1);
    expect(dispatchers.map((p) => p.recipientId).sort()).toEqual(townshipDispatchers.map((r) => r.personId).sort());
    expect(JSON.parse(handler[0]!.params)).toMatchObject({ count: 1, number });

    // Again two hours later, typed at the view again: nothing new recorded, and the resident is told when the first was.
    clock.advanceHours(2);
    await chat.send('我的诉求');
    await chat.tap(number);
    await chat.send('催办');
    expect(chat.text()).toContain('这件诉求已于 11月16日 12:00 催办过');
    expect(chat.text()).toContain('这次没有重复记录');
    expect(chat.text()).toContain('当前状态：已派单');
    const second = await urgesOf(number);
    expect(second.ticket.urgeCount).toBe(1);
    expect(second.events).toHaveLength(1);
    expect(second.pings).toHaveLength(first.pings.length);

    // A day after the first: urged again, counted as the second.
    clock.advanceHours(22);
    await chat.send('快点');
    expect(chat.text()).toContain(`已为您催办诉求 ${number}`);
    const third = await urgesOf(number);
    expect(third.ticket.urgeCount).toBe(2);
    expect(third.events.map((e) => JSON.parse(e.data) as unknown)).toEqual([{ count: 1 }, { count: 2 }]);
    expect(third.pings).toHaveLength(first.pings.length * 2);
  });

  test('催办 typed with two open requests asks which; a resolved one is not offered', async () => {
    const chat = await boundResident();
    const light = await report(chat, '村口的路灯坏了好几天，晚上很黑');
    const other = await report(chat, '我家门口的路灯也不亮了');
    clock.advanceHours(3);
    await chat.send('催办');
    expect(chat.text()).toContain('您有 2 件正在办理的诉求，要催办哪一件？');
    expect(chat.replies.at(-1)?.choices.map((c) => c.payload)).toEqual(expect.arrayContaining([`urge:${light}`, `urge:${other}`]));
    expect((await urgesOf(light)).events).toHaveLength(0);
    await chat.tap(other);
    expect(chat.text()).toContain(`已为您催办诉求 ${other}`);
    expect((await urgesOf(other)).ticket.urgeCount).toBe(1);
    expect((await urgesOf(light)).ticket.urgeCount).toBe(0);
  });

  test('催办 a minute after filing: nothing recorded, no one pinged; the resident hears when it was received, who has it, and from when to urge', async () => {
    const chat = await boundResident();
    const number = await report(chat, '村口的路灯坏了好几天，晚上很黑');
    clock.advanceHours(1 / 60);
    await chat.send('催一下');
    expect(chat.text()).toContain('这件诉求刚受理不久，正在按时限办理，这次先不记录催办。11月16日 11:00 以后如果还没有进展，可以再发送“催办”。');
    expect(chat.text()).toMatch(new RegExp(`诉求 ${number}：11月16日 09:00 受理，已派给网格员 .\\*\\*\n当前状态：已派单`));
    const early = await urgesOf(number);
    expect(early.ticket.urgeCount).toBe(0);
    expect(early.events).toHaveLength(0);
    expect(early.pings).toHaveLength(0);
    // Two hours after 受理 it is taken.
    clock.advanceHours(2);
    await chat.send('催一下');
    expect(chat.text()).toContain(`已为您催办诉求 ${number}`);
    expect((await urgesOf(number)).ticket.urgeCount).toBe(1);
  });
});
