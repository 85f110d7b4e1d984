/**
 * Staff text in the console is one of two kinds, unmistakable: a reply to the resident,
 * or an internal note. The phone number is revealed on request, and each reveal is
 * audited. Callbacks due have their own view. The history reads in words: roles,
 * reasons, the system's own steps, anonymous reporters.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { actorFor } from '../../src/pipeline/service.js';
import { type ConsoleClient, consoleWorldFor, loggedIn, report } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

let db: Db;
let dsp: ConsoleClient;

eachDatabase((kind) => {
  const world = consoleWorldFor(kind);

  beforeAll(async () => {
    db = world.db;
    dsp = await loggedIn(world.base, 'dsp-qh-01');
  });

  async function personId(code: string): Promise<number> {
    return (await db.person.findUniqueOrThrow({ where: { code } })).id;
  }

  describe('two kinds of staff text', () => {
    test('every text box says who reads it; a reply reaches the resident, a note never does', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '村口的路灯坏了好几天');
      const page = await dsp.page(`/console/tickets/${number}`);
      expect(page.text).toContain('答复群众');
      expect(page.text).toContain('内部备注');
      // The reply box says the resident receives it; the others say staff only.
      expect(page.text).toMatch(/答复内容 <span class="en" lang="en">reply<\/span> <span class="audience resident">群众会在聊天中收到/);
      expect(page.text).toMatch(/派单说明（可选）.*?<span class="audience internal">仅工作人员可见，群众看不到/s);

      expect((await dsp.post(`/console/tickets/${number}/reply`, { text: '已安排电工明天上午上门' })).status).toBe(303);
      expect((await dsp.post(`/console/tickets/${number}/note`, { text: '这户上个月也反映过' })).status).toBe(303);
      const resident = await personId('R-QH-01-001-H001');
      const toResident = await db.outboxMessage.findMany({ where: { ticket: { number }, recipientId: resident } });
      expect(toResident.map((m) => m.template)).toContain('ticket.reply_resident');
      expect(toResident.map((m) => m.params).join()).not.toContain('上个月');

      const after = await dsp.page(`/console/tickets/${number}`);
      expect(after.text).toMatch(/已安排电工明天上午上门 <span class="audience resident">/);
      expect(after.text).toMatch(/这户上个月也反映过 <span class="audience internal">/);
      // Each labelled as what it is: the note 内部备注, never 补充 (which reads as the resident's own words).
      expect(after.text).toMatch(/<span class="label">内部备注 internal note<\/span> 这户上个月也反映过/);
      expect(after.text).toMatch(/<span class="label">答复群众 reply to the resident<\/span> 已安排电工明天上午上门/);
      expect(after.text).not.toContain('补充 supplied');
      const csv = await (await dsp.get(`/console/tickets/${number}/timeline.csv`)).text();
      expect(csv).toContain('内部备注 internal note: 这户上个月也反映过');
      expect(csv).not.toContain('补充 supplied');
      // An empty reply is refused with a sentence.
      const empty = await dsp.post(`/console/tickets/${number}/reply`, { text: '  ' });
      expect(empty.status).toBe(409);
      expect(await empty.text()).toContain('不能为空');
    });

    test('the history reads in words: roles, the system’s dispatch, reasons', async () => {
      const number = await report(world.app, 'R-QH-01-001-H002', '路灯闪个不停');
      const t = await db.ticket.findUniqueOrThrow({ where: { number }, include: { events: { orderBy: { seq: 'asc' } } } });
      expect(t.events.map((e) => [e.type, e.actorRole])).toEqual([
        ['received', 'resident'],
        ['dispatched', 'system'],
      ]);
      expect(t.events[1]?.actorId).toBeNull();
      const page = await dsp.page(`/console/tickets/${number}`);
      expect(page.text).toContain('群众 resident');
      expect(page.text).toContain('系统 system');
      expect(page.text).not.toMatch(/<td>resident<\/td>|<td>dispatcher<\/td>/);
      // How it was routed reads in words too.
      expect(page.text).toContain('包户网格员 paired liaison');
      expect(page.text).not.toMatch(/<\/span> pairing</);
    });
  });

  describe('网长: the grid leader notes the tickets of their grid', () => {
    test('an internal note on a ticket of the grid (not assigned to them); nothing outside the grid (404)', async () => {
      // 东湖村第一网格's household, its ticket reassigned away from the liaison who leads the grid.
      const number = await report(world.app, 'R-QH-01-001-H001', '路灯杆歪了');
      const dispatcher = await actorFor(db, await personId('DSP-QH-01'));
      expect((await world.app.pipeline.execute(number, { type: 'dispatch', target: { personId: await personId('L-QH-01-001-02') } }, dispatcher)).ok).toBe(true);
      const leader = await loggedIn(world.base, 'med-qh-01-001');
      const page = await leader.page(`/console/tickets/${number}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('class="action action-note"');
      // A note, not a reply, a dispatch or a 督办: those are the dispatchers'.
      for (const other of ['reply', 'dispatch', 'supervise', 'escalate']) expect(page.text).not.toContain(`class="action action-${other}"`);
      expect((await leader.post(`/console/tickets/${number}/note`, { text: '这户白天没人，晚上六点后在家' })).status).toBe(303);
      const noted = await db.ticketEvent.findFirstOrThrow({ where: { ticket: { number }, type: 'noted' } });
      expect(noted.actorId).toBe(await personId('L-QH-01-001-01'));
      expect((await leader.page(`/console/tickets/${number}`)).text).toMatch(/内部备注 internal note<\/span> 这户白天没人/);
      // Refused by the pipeline, not only hidden: a reply posted anyway changes nothing.
      expect((await leader.post(`/console/tickets/${number}/reply`, { text: '群众您好' })).status).toBe(409);

      // The same village's second grid, and another township: not theirs to read or note.
      for (const code of ['R-QH-01-001-H031', 'R-QH-02-001-H001']) {
        const outside = await report(world.app, code, '路灯不亮');
        expect((await leader.page(`/console/tickets/${outside}`)).status, code).toBe(404);
        expect((await leader.post(`/console/tickets/${outside}/note`, { text: '备注' })).status, code).toBe(404);
        expect(await db.ticketEvent.count({ where: { ticket: { number: outside }, type: 'noted' } })).toBe(0);
      }
    });
  });

  describe('the phone number, on request and audited', () => {
    test('masked by default; one click shows it to that user and records who, when, which ticket', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '路灯不亮', 'power', { contactPhone: '13912345678' });
      const before = await dsp.page(`/console/tickets/${number}`);
      expect(before.text).toContain('139****5678');
      expect(before.text).not.toContain('13912345678');
      expect(before.text).toContain('显示完整号码');

      const res = await dsp.post(`/console/tickets/${number}/reveal_phone`, {});
      expect(res.status).toBe(303);
      const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'phone_revealed' }, orderBy: { id: 'desc' } });
      const t = await db.ticket.findUniqueOrThrow({ where: { number } });
      expect(audit).toMatchObject({ actorId: await personId('DSP-QH-01'), ticketId: t.id });
      const after = await dsp.page(`/console/tickets/${number}`);
      expect(after.text).toContain('13912345678');
      expect(after.text).toContain('查看完整电话');

      // Another user still sees it masked until they ask.
      const county = await loggedIn(world.base, 'sup-qh');
      expect((await county.page(`/console/tickets/${number}`)).text).not.toContain('13912345678');
      // Without the form's token nothing is revealed.
      const forged = await county.post(`/console/tickets/${number}/reveal_phone`, { _csrf: 'forged' });
      expect(forged.status).toBe(403);
      expect(await db.auditEvent.count({ where: { actorId: await personId('SUP-QH') } })).toBe(0);
    });
  });

  describe('待回访: callbacks due', () => {
    test('the view lists resolved tickets awaiting their rating, with the callback deadline', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '路灯坏了请修');
      const liaison = await actorFor(db, await personId('L-QH-01-001-01'));
      await world.app.pipeline.execute(number, { type: 'accept' }, liaison);
      await world.app.pipeline.execute(number, { type: 'resolve', result: '已修好' }, liaison);
      const open = await report(world.app, 'R-QH-01-001-H001', '路灯又坏了');
      const page = await dsp.page('/console/queue?callback=due');
      expect(page.text).toContain(number);
      expect(page.text).not.toContain(open);
      expect(page.text).toContain('回访时限');
    });
  });

  describe('改类: a correction of the category', () => {
    test('is recorded with who and from what, and changes the ticket', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '路边的桥栏杆断了', 'other');
      expect((await dsp.post(`/console/tickets/${number}/recategorise`, { category: 'road', note: '是道路问题' })).status).toBe(303);
      const t = await db.ticket.findUniqueOrThrow({ where: { number }, include: { events: { orderBy: { seq: 'desc' }, take: 1 } } });
      expect(t.categoryCode).toBe('road');
      expect(t.events[0]).toMatchObject({ type: 'recategorised', actorId: await personId('DSP-QH-01') });
      expect(JSON.parse(t.events[0]!.data)).toMatchObject({ from: 'other', to: 'road' });
      const bad = await dsp.post(`/console/tickets/${number}/recategorise`, { category: 'nonsense' });
      expect(bad.status).toBe(422);
    });
  });
});
