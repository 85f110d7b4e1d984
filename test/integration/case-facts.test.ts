/**
 * The liaison sees where to go and whom to call; the resident sees what is meant for
 * them and nothing of staff's internal notes; a voice note is kept and passed on.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { actorFor, type PipelineService } from '../../src/pipeline/service.js';
import { TestChat } from '../helpers/chat-client.js';
import type { TestDatabase } from '../helpers/db.js';
import { type DialogueWorld, eachDialogueWorld } from '../helpers/dialogue-world.js';
import type { FakeClock } from '../helpers/org-fixture.js';

const TICKET = /MQ-\d{4}-\d{6}/;
const PHOTO = '/uploads/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jpg';
const VOICE = '/uploads/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ogg';

let world: DialogueWorld;
let database: TestDatabase;
let clock: FakeClock;
let pipeline: PipelineService;
let engine: Engine;

eachDialogueWorld((freshWorld) => {
  beforeEach(async () => {
    world = await freshWorld();
    ({ database, clock, pipeline, engine } = world);
  });

  /** A report from a household resident with a place, a shared location, a photo and the registered phone. */
  async function fullReport(chat: TestChat): Promise<string> {
    await chat.send('路灯坏了好几天，晚上很黑');
    await chat.tap('是的');
    await chat.deliver({ location: { latitude: 36.123456, longitude: 118.654321, label: '村口大槐树旁边' } });
    await chat.deliver({ media: [{ kind: 'photo', ref: PHOTO }] });
    await chat.tap('用登记的电话');
    expect(chat.text()).toContain('联系电话：19900000001');
    await chat.tap('提交');
    const number = TICKET.exec(chat.text())?.[0];
    if (!number) throw new Error(chat.text());
    return number;
  }

  describe('the liaison sees where to go and whom to call', () => {
    test('the assignment ping and the ticket view carry category, place, map link, photo, full phone and deadline', async () => {
      const chat = await world.resident('R-QH-01-001-H001', 'res');
      const number = await fullReport(chat);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      expect(ticket).toMatchObject({ latitude: 36.123456, longitude: 118.654321, location: '村口大槐树旁边', media: JSON.stringify([PHOTO]) });

      const liaison = await world.staff(ticket.assignee!.code, 'liaison');
      const [ping] = await liaison.receive(database, pipeline, clock);
      expect(ping?.template).toBe('ticket.assigned');
      expect(ping?.text).toContain('类别：电力照明');
      expect(ping?.text).toContain('地点：东湖村 村口大槐树旁边');
      expect(ping?.text).toContain('地图：https://uri.amap.com/marker?position=118.654321,36.123456&coordinate=wgs84');
      expect(ping?.text).toContain('群众电话：19900000001');
      expect(ping?.text).toMatch(/请于 11月17日 17:30 前签收，11月19日 17:30 前办结/);
      expect(ping?.media).toEqual([PHOTO]);

      // The ticket, then (nothing on it to tap) the menu.
      const [view] = await liaison.deliver({ action: `view:${number}` });
      expect(view!.text).toContain(number);
      expect(view!.text).toContain('地点：东湖村 村口大槐树旁边');
      expect(view!.text).toContain('群众电话：19900000001');
      expect(view!.media).toEqual([{ kind: 'photo', ref: PHOTO }]);
    });

    test('a dispatcher’s 派单说明 reaches the handler; without one there is no empty line', async () => {
      const visitor = new TestChat(engine, 'web', 'visitor');
      await visitor.send('我想咨询一下低保怎么申请');
      await visitor.tap('是的');
      await visitor.tap('东湖村');
      await visitor.tap('跳过');
      await visitor.tap('跳过');
      await visitor.tap('跳过');
      await visitor.tap('提交');
      const number = TICKET.exec(visitor.text())![0];
      const dispatcher = await database.db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const liaisonPerson = await database.db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-02' } });
      const outcome = await pipeline.execute(
        number,
        { type: 'dispatch', target: { personId: liaisonPerson.id }, note: '请先电话联系，再上门' },
        await actorFor(database.db, dispatcher.id),
      );
      expect(outcome.ok).toBe(true);
      const liaison = await world.staff('L-QH-01-001-02', 'liaison');
      const pings = await liaison.receive(database, pipeline, clock);
      const ping = pings.find((p) => p.template === 'ticket.assigned');
      expect(ping?.text).toContain('派单说明：请先电话联系，再上门');
      // The visitor left no phone and shared no location: those lines are left out, not dashed.
      expect(ping?.text).not.toContain('群众电话');
      expect(ping?.text).not.toContain('地图');
      expect(ping?.text).not.toContain('—');
    });
  });

  describe('the resident sees what is meant for them', () => {
    test('退单 reasons, 派单说明, 督办 and internal notes stay inside; replies and results reach the resident', async () => {
      const chat = await world.resident('R-QH-01-001-H001', 'res');
      const number = await fullReport(chat);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      const liaison = await world.staff(ticket.assignee!.code, 'liaison');
      await liaison.deliver({ action: `return:${number}` });
      await liaison.send('内部：这户人很难缠，别理他');
      expect(liaison.text()).toContain('已退回');

      const dispatcher = await actorFor(database.db, (await database.db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } })).id);
      const supervisor = await actorFor(database.db, (await database.db.person.findUniqueOrThrow({ where: { code: 'SUP-QH' } })).id);
      expect((await pipeline.execute(number, { type: 'dispatch', target: { personId: ticket.assigneeId! }, note: '派单说明：先别告诉群众' }, dispatcher)).ok).toBe(true);
      expect((await pipeline.execute(number, { type: 'supervise', note: '督办：领导很关注' }, supervisor)).ok).toBe(true);
      expect((await pipeline.execute(number, { type: 'note', text: '备注：上次也是这户' }, dispatcher)).ok).toBe(true);
      expect((await pipeline.execute(number, { type: 'reply', text: '已安排电工明天上午上门' }, dispatcher)).ok).toBe(true);

      const pushes = await chat.receive(database, pipeline, clock);
      expect(pushes.map((p) => p.text).join('\n')).toContain('【工作人员答复】关于您的诉求 ' + number + '：已安排电工明天上午上门');
      await chat.deliver({ action: `view:${number}` });
      const history = chat.text();
      expect(history).toContain('工作人员答复：已安排电工明天上午上门');
      for (const secret of ['难缠', '先别告诉群众', '领导很关注', '上次也是这户']) expect(history).not.toContain(secret);
      expect(history).not.toContain('督办');

      // The liaison, who is staff, reads the whole history.
      await liaison.deliver({ action: `view:${number}` });
      expect(liaison.text()).toContain('派单说明：派单说明：先别告诉群众');
    });

    test('the archived history reads in words, not codes', async () => {
      const chat = await world.resident('R-QH-01-001-H001', 'res');
      const number = await fullReport(chat);
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      const liaison = await world.staff(ticket.assignee!.code, 'liaison');
      await liaison.deliver({ action: `accept:${number}` });
      await liaison.deliver({ action: `handle:${number}:resolve` });
      await liaison.send('已更换灯泡');
      await chat.receive(database, pipeline, clock);
      await chat.tap('满意');
      await chat.tap('跳过');
      await chat.deliver({ action: `view:${number}` });
      expect(chat.text()).toContain('办结：已更换灯泡');
      expect(chat.text()).not.toMatch(/rated|callback_timeout/);
      await liaison.deliver({ action: `view:${number}` });
      expect(liaison.text()).toContain('归档：群众已评价');
    });
  });

  describe('voice notes', () => {
    test('a voice note starts a report: kept with it, the category asked with buttons, forwarded to the liaison', async () => {
      const chat = await world.resident('R-QH-01-001-H001', 'res');
      await chat.deliver({ media: [{ kind: 'voice', ref: VOICE }] });
      expect(chat.text()).toContain('语音已收下');
      expect(chat.text()).toContain('请选择问题类别');
      await chat.send('电力照明');
      await chat.tap('就在我家附近');
      await chat.tap('跳过');
      await chat.tap('跳过');
      expect(chat.text()).toContain('语音：1 条');
      await chat.tap('提交');
      const number = TICKET.exec(chat.text())![0];
      const ticket = await database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      expect(ticket).toMatchObject({ categoryCode: 'power', media: JSON.stringify([VOICE]) });
      const liaison = await world.staff(ticket.assignee!.code, 'liaison');
      const [ping] = await liaison.receive(database, pipeline, clock);
      expect(ping?.media).toEqual([VOICE]);
    });

    test('a voice note after the menu, or in a list, is a request too', async () => {
      const chat = await world.resident('R-QH-01-001-H001', 'res');
      await chat.send('我的诉求');
      await chat.deliver({ media: [{ kind: 'voice', ref: VOICE }] });
      expect(chat.text()).toContain('语音已收下');
    });
  });
});
