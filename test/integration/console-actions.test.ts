/**
 * A dispatcher's day from the console: every action goes through PipelineService as the
 * staff member (events recorded with them as the actor) and sends the chat pings through
 * the outbox like any transition; refusals show as clear messages on the page.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { render } from '../../src/engine/i18n.js';
import { actorFor } from '../../src/pipeline/service.js';
import { type ConsoleClient, type ConsoleWorld, loggedIn, report, startConsoleWorld } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

let world: ConsoleWorld;
let db: Db;
let dsp: ConsoleClient;
let ids: Record<string, number>;

/** Person ids by code. */
async function personIds(codes: string[]): Promise<Record<string, number>> {
  const people = await db.person.findMany({ where: { code: { in: codes } }, select: { id: true, code: true } });
  return Object.fromEntries(people.map((p) => [p.code, p.id]));
}

/** The outbox rows of a ticket written after `afterId`, as [template, recipient code]. */
async function pings(number: string, afterId: number): Promise<{ template: string; to: string; params: Record<string, unknown> }[]> {
  const rows = await db.outboxMessage.findMany({
    where: { ticket: { number }, id: { gt: afterId } },
    include: { recipient: { select: { code: true } } },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => ({ template: r.template, to: r.recipient.code, params: JSON.parse(r.params) as Record<string, unknown> }));
}

async function lastOutboxId(): Promise<number> {
  return (await db.outboxMessage.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0;
}

async function ticket(number: string) {
  return db.ticket.findUniqueOrThrow({ where: { number } });
}

/** Runs a command as a person straight through the pipeline (the liaison's or handler's side, as from chat). */
async function asPerson(code: string, number: string, command: Parameters<ConsoleWorld['app']['pipeline']['execute']>[1]): Promise<void> {
  const outcome = await world.app.pipeline.execute(number, command, await actorFor(db, ids[code]!));
  if (!outcome.ok) throw new Error(`${code} ${command.type} refused: ${JSON.stringify(outcome.refusal)}`);
}

eachDatabase((kind) => {
  beforeAll(async () => {
    world = await startConsoleWorld({}, kind);
    db = world.db;
    ids = await personIds(['DSP-QH-01', 'DSP-QH', 'L-QH-01-001-01', 'L-QH-01-001-02', 'H-QH-01-power', 'R-QH-01-001-H001', 'R-QH-01-001-H002']);
    dsp = await loggedIn(world.base, 'dsp-qh-01');
  });

  afterAll(async () => {
    await world?.stop();
  });

  describe('dispatch and reassign 派单 / 改派', () => {
    test('reassigning to another liaison pings the new one with accept/return buttons and tells the old one', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '村口的路灯坏了好几天');
      expect((await ticket(number)).assigneeId).toBe(ids['L-QH-01-001-01']);
      const page = await dsp.page(`/console/tickets/${number}`);
      // What the dispatcher may do on a dispatched ticket (no close, no extension decisions).
      expect(page.text).toContain('派单 / 改派');
      expect(page.text).toContain('督办');
      expect(page.text).toContain('合并重复诉求');
      expect(page.text).not.toContain('批准延期');
      expect(page.text).toContain(`value="p${ids['L-QH-01-001-02']}"`);
      // The resident is masked on the page.
      expect(page.text).toContain('罗**');
      expect(page.text).not.toContain('罗丽敏');
      expect(page.text).toContain('199****0001');

      const from = await lastOutboxId();
      const res = await dsp.post(`/console/tickets/${number}/dispatch`, { target: `p${ids['L-QH-01-001-02']}`, note: '换人处理' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/console/tickets/${number}?done=dispatch`);
      expect((await dsp.page(res.headers.get('location')!)).text).toContain('已完成');
      const t = await ticket(number);
      expect(t).toMatchObject({ state: 'dispatched', assigneeId: ids['L-QH-01-001-02'] });
      const event = await db.ticketEvent.findFirstOrThrow({ where: { ticketId: t.id }, orderBy: { seq: 'desc' } });
      expect(event).toMatchObject({ type: 'reassigned', actorId: ids['DSP-QH-01'], actorRole: 'dispatcher' });
      expect(JSON.parse(event.data)).toMatchObject({ note: '换人处理', target: { personId: ids['L-QH-01-001-02'] } });
      const sent = await pings(number, from);
      expect(sent.map((p) => [p.template, p.to])).toEqual([
        ['ticket.reassigned_away', 'L-QH-01-001-01'],
        ['ticket.assigned', 'L-QH-01-001-02'],
      ]);
      const assigned = await db.outboxMessage.findFirstOrThrow({ where: { ticket: { number }, template: 'ticket.assigned', recipientId: ids['L-QH-01-001-02'] } });
      expect(JSON.parse(assigned.actions)).toEqual([
        { label: 'action.accept', payload: `accept:${number}` },
        { label: 'action.return', payload: `return:${number}` },
      ]);
      // The history on the page names the dispatcher and the note.
      const after = await dsp.page(`/console/tickets/${number}`);
      expect(after.text).toContain('石云');
      expect(after.text).toContain('换人处理');
    });

    test('a return 退单 comes back to the dispatcher, who dispatches it again, to a department this time', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '家门口电线垂得很低');
      await asPerson('L-QH-01-001-01', number, { type: 'return', reason: '不属于本网格' });
      const page = await dsp.page(`/console/tickets/${number}`);
      expect(page.text).toContain('已退单');
      expect(page.text).toContain('不属于本网格');
      const power = await db.department.findUniqueOrThrow({ where: { code: 'QH-01-D-power' } });
      expect(page.text).toContain(`value="d${power.id}"`);
      // Another township's department is not on the list.
      const foreign = await db.department.findUniqueOrThrow({ where: { code: 'QH-02-D-power' } });
      expect(page.text).not.toContain(`value="d${foreign.id}"`);
      const from = await lastOutboxId();
      expect((await dsp.post(`/console/tickets/${number}/dispatch`, { target: `d${power.id}` })).status).toBe(303);
      expect(await ticket(number)).toMatchObject({ state: 'dispatched', assigneeId: null, assigneeDepartmentId: power.id });
      expect((await pings(number, from)).map((p) => [p.template, p.to])).toEqual([['ticket.assigned', 'H-QH-01-power']]);
      // A handler not on the list is refused with a message, and nothing changes.
      const bad = await dsp.post(`/console/tickets/${number}/dispatch`, { target: `d${foreign.id}` });
      expect(bad.status).toBe(422);
      expect(await bad.text()).toContain('请选择经办人或部门');
    });
  });

  describe('extension, supervision, escalation', () => {
    test('the dispatcher approves an extension with other days, and denies the next; handler and resident hear of it', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '路灯线路老化需要更换');
      await asPerson('L-QH-01-001-01', number, { type: 'accept' });
      await asPerson('L-QH-01-001-01', number, { type: 'request_extension', days: 2, reason: '等配件' });
      const before = (await ticket(number)).resolveBy!;
      const page = await dsp.page(`/console/tickets/${number}`);
      expect(page.text).toContain('批准延期');
      expect(page.text).toContain('不批准延期');
      const from = await lastOutboxId();
      expect((await dsp.post(`/console/tickets/${number}/approve_extension`, { days: '3', note: '同意' })).status).toBe(303);
      const approved = await ticket(number);
      expect(approved.state).toBe('accepted');
      expect(approved.extensionCount).toBe(1);
      // Three working days later (Thursday 19 Nov → Tuesday 24 Nov).
      expect(approved.resolveBy!.getTime()).toBeGreaterThan(before.getTime() + 3 * 86_400_000);
      expect((await pings(number, from)).map((p) => [p.template, p.to])).toEqual([
        ['ticket.extension_approved_handler', 'L-QH-01-001-01'],
        ['ticket.extension_approved_resident', 'R-QH-01-001-H001'],
      ]);

      await asPerson('L-QH-01-001-01', number, { type: 'request_extension', days: 5, reason: '还要等' });
      const from2 = await lastOutboxId();
      // A denial needs a reason: refused with a message first.
      const empty = await dsp.post(`/console/tickets/${number}/deny_extension`, { reason: '  ' });
      expect(empty.status).toBe(409);
      const text = await empty.text();
      expect(text).toContain('“原因”填写有误：不能为空');
      expect(text).toContain('&quot;reason&quot; is not right: it is required');
      expect((await ticket(number)).state).toBe('extension_requested');
      expect((await dsp.post(`/console/tickets/${number}/deny_extension`, { reason: '请按期办结' })).status).toBe(303);
      expect((await ticket(number)).state).toBe('accepted');
      expect((await pings(number, from2)).map((p) => [p.template, p.to, p.params['reason']])).toEqual([['ticket.extension_denied_handler', 'L-QH-01-001-01', '请按期办结']]);
    });

    test('督办 by the dispatcher flags the ticket and pings the handler with the note', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '路灯一直闪');
      const from = await lastOutboxId();
      expect((await dsp.post(`/console/tickets/${number}/supervise`, { note: '请今天内答复群众' })).status).toBe(303);
      expect((await ticket(number)).supervised).toBe(true);
      expect((await pings(number, from)).map((p) => [p.template, p.to, p.params['note']])).toEqual([['ticket.supervised_handler', 'L-QH-01-001-01', '请今天内答复群众']]);
      const queue = await dsp.page('/console/queue?supervised=1');
      expect(queue.text).toContain(number);
    });

    test('escalation 上报 climbs village → township → county; the township may then no longer dispatch it (a clear refusal)', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '变压器需要县供电公司更换');
      expect((await dsp.post(`/console/tickets/${number}/escalate`, { reason: '村里解决不了' })).status).toBe(303);
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      expect(await ticket(number)).toMatchObject({ state: 'escalated', level: 'township', handlingRegionId: township.id });
      const from = await lastOutboxId();
      expect((await dsp.post(`/console/tickets/${number}/escalate`, { reason: '需县级协调' })).status).toBe(303);
      const t = await ticket(number);
      const county = await db.region.findUniqueOrThrow({ where: { code: 'QH' } });
      expect(t).toMatchObject({ state: 'escalated', level: 'county', handlingRegionId: county.id, assigneeId: null });
      expect((await pings(number, from)).map((p) => [p.template, p.to])).toEqual(
        expect.arrayContaining([
          ['ticket.escalated_dispatcher', 'DSP-QH'],
          ['ticket.escalated_resident', 'R-QH-01-001-H001'],
        ]),
      );
      // Still in the township's sight (the matter is in its village), but not its to dispatch.
      const page = await dsp.page(`/console/tickets/${number}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('派单 / 改派</summary>');
      const refused = await dsp.post(`/console/tickets/${number}/dispatch`, { target: `p${ids['L-QH-01-001-01']}` });
      expect(refused.status).toBe(409);
      const text = await refused.text();
      expect(text).toContain('您无权对这件诉求执行此操作。');
      expect(text).toContain('You may not do this on this request.');
      expect((await ticket(number)).state).toBe('escalated');
      const power = await db.department.findUniqueOrThrow({ where: { code: 'QH-01-D-power' } });
      // The same through the pipeline directly.
      const viaPipeline = await world.app.pipeline.execute(number, { type: 'dispatch', target: { departmentId: power.id } }, await actorFor(db, ids['DSP-QH-01']!));
      expect(viaPipeline).toMatchObject({ ok: false, refusal: { code: 'not_allowed' } });
    });
  });

  describe('escalated to the county 上报县级: the county acts on it, the township keeps watch', () => {
    /** A report of 东湖村 escalated by the township twice: village → township → county. */
    async function atCounty(summary: string): Promise<string> {
      const number = await report(world.app, 'R-QH-01-001-H001', summary);
      expect((await dsp.post(`/console/tickets/${number}/escalate`, { reason: '村里解决不了' })).status).toBe(303);
      expect((await dsp.post(`/console/tickets/${number}/escalate`, { reason: '需县级协调' })).status).toBe(303);
      expect(await ticket(number)).toMatchObject({ state: 'escalated', level: 'county' });
      return number;
    }

    test('the county dispatcher finds it in the queue, answers, notes and dispatches it down to a grid; the liaison resolves; it closes', async () => {
      const county = await loggedIn(world.base, 'dsp-qh');
      const number = await atCounty('变压器老化，需要县里协调更换');
      expect((await county.page('/console/queue?state=escalated')).text).toContain(number);
      const page = await county.page(`/console/tickets/${number}`);
      for (const action of ['reply', 'note', 'dispatch', 'hand_back']) expect(page.text).toContain(`action-${action}"`);
      expect(page.text).not.toContain('已上报，由');
      // The county's dispatch list reaches down to the village's liaisons and to both levels' departments.
      const liaison2 = `p${ids['L-QH-01-001-02']}`;
      expect(page.text).toContain(`<option value="${liaison2}">`);
      const countyPower = await db.department.findUniqueOrThrow({ where: { code: 'QH-D-power' } });
      expect(page.text).toContain(`<option value="d${countyPower.id}">`);

      const from = await lastOutboxId();
      expect((await county.post(`/console/tickets/${number}/reply`, { text: '县供电公司已安排勘察' })).status).toBe(303);
      expect((await county.post(`/console/tickets/${number}/note`, { text: '与供电公司电话确认' })).status).toBe(303);
      expect((await county.post(`/console/tickets/${number}/dispatch`, { target: liaison2, note: '请配合供电公司现场勘察' })).status).toBe(303);
      expect(await ticket(number)).toMatchObject({ state: 'dispatched', level: 'county', assigneeId: ids['L-QH-01-001-02'] });
      expect((await pings(number, from)).map((p) => [p.template, p.to])).toEqual([
        ['ticket.reply_resident', 'R-QH-01-001-H001'],
        ['ticket.assigned', 'L-QH-01-001-02'],
      ]);
      const events = await db.ticketEvent.findMany({
        where: { ticket: { number }, type: { in: ['replied', 'noted', 'dispatched'] }, actorId: { not: null } },
        orderBy: { seq: 'asc' },
      });
      expect(events.map((e) => [e.type, e.actorId])).toEqual([
        ['replied', ids['DSP-QH']],
        ['noted', ids['DSP-QH']],
        ['dispatched', ids['DSP-QH']],
      ]);

      await asPerson('L-QH-01-001-02', number, { type: 'accept' });
      await asPerson('L-QH-01-001-02', number, { type: 'resolve', result: '变压器已更换' });
      await asPerson('R-QH-01-001-H001', number, { type: 'rate', rating: 'satisfied' });
      expect(await ticket(number)).toMatchObject({ state: 'closed', rating: 'satisfied', escalationCount: 2 });
    });

    test('the township reads it and adds internal notes, and is refused reply, dispatch and hand-back', async () => {
      const number = await atCounty('河堤塌了一段，需要县水利局');
      const page = await dsp.page(`/console/tickets/${number}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('action-note"');
      expect(page.text).toContain('已上报，由青禾县办理：派单、答复群众、归档由其负责；本级可查看并添加内部备注。');
      for (const action of ['reply', 'dispatch', 'hand_back', 'escalate', 'supervise']) expect(page.text).not.toContain(`action-${action}"`);
      expect((await dsp.post(`/console/tickets/${number}/note`, { text: '镇里已派人看守现场' })).status).toBe(303);
      const noted = await db.ticketEvent.findFirstOrThrow({ where: { ticket: { number }, type: 'noted' } });
      expect(noted.actorId).toBe(ids['DSP-QH-01']);
      const refusals: [string, Record<string, string>][] = [
        ['reply', { text: '我们会跟进' }],
        ['dispatch', { target: `p${ids['L-QH-01-001-01']}` }],
        ['hand_back', { reason: '镇里自己办' }],
      ];
      for (const [action, fields] of refusals) {
        const refused = await dsp.post(`/console/tickets/${number}/${action}`, fields);
        expect(refused.status, action).toBe(409);
        expect(await refused.text()).toContain('您无权对这件诉求执行此操作。');
      }
      expect(await ticket(number)).toMatchObject({ state: 'escalated', level: 'county' });
      // Another township sees nothing of it at all.
      const other = await loggedIn(world.base, 'dsp-qh-02');
      expect((await other.page(`/console/tickets/${number}`)).status).toBe(404);
      expect((await other.post(`/console/tickets/${number}/note`, { text: 'x' })).status).toBe(404);
    });

    test('退回乡镇: the county hands it back with a reason; the township is pinged and dispatches it again', async () => {
      const county = await loggedIn(world.base, 'dsp-qh');
      const number = await atCounty('村道上有个坑');
      const empty = await county.post(`/console/tickets/${number}/hand_back`, { reason: ' ' });
      expect(empty.status).toBe(409);
      expect(await empty.text()).toContain('“原因”填写有误：不能为空');
      const from = await lastOutboxId();
      expect((await county.post(`/console/tickets/${number}/hand_back`, { reason: '属镇级事权，请镇里安排' })).status).toBe(303);
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      expect(await ticket(number)).toMatchObject({ state: 'returned', level: 'township', handlingRegionId: township.id, returnCount: 0 });
      const sent = await pings(number, from);
      expect(sent.map((p) => [p.template, p.to])).toEqual([
        ['ticket.handed_back_dispatcher', 'DSP-QH-01'],
        ['ticket.handed_back_resident', 'R-QH-01-001-H001'],
      ]);
      expect(sent[0]?.params).toMatchObject({ reason: '属镇级事权，请镇里安排', level: 'county' });
      // The reason is the township's to read; the resident hears only where it went.
      expect(sent[1]?.params['reason']).toBeUndefined();
      const page = await dsp.page(`/console/tickets/${number}`);
      expect(page.text).toContain('属镇级事权，请镇里安排');
      expect((await dsp.post(`/console/tickets/${number}/dispatch`, { target: `p${ids['L-QH-01-001-01']}` })).status).toBe(303);
      expect(await ticket(number)).toMatchObject({ state: 'dispatched', level: 'township', assigneeId: ids['L-QH-01-001-01'] });
      // Once back at the township it is not the county's to hand down again.
      expect((await county.post(`/console/tickets/${number}/hand_back`, { reason: '再退' })).status).toBe(409);
    });
  });

  describe('merge 合并 and close 归档', () => {
    test('a duplicate is merged into the first report: state merged, mergedIntoId set, its resident told the other number', async () => {
      const first = await report(world.app, 'R-QH-01-001-H001', '东湖村村口路灯不亮');
      const duplicate = await report(world.app, 'R-QH-01-001-H002', '村口路灯坏了');
      const theirs = await report(world.app, 'R-QH-02-001-H001', '杏花村路灯不亮');

      // Into a ticket of another township: not found (it is not the dispatcher's to see).
      const foreign = await dsp.post(`/console/tickets/${duplicate}/merge`, { into: theirs });
      expect(foreign.status).toBe(409);
      expect(await foreign.text()).toContain('没有找到这件诉求');
      // Into itself, or into nothing: refused.
      const itself = await dsp.post(`/console/tickets/${duplicate}/merge`, { into: duplicate });
      expect(itself.status).toBe(409);
      expect(await itself.text()).toContain('不能合并到它自己');
      expect((await dsp.post(`/console/tickets/${duplicate}/merge`, { into: 'MQ-2099-000001' })).status).toBe(409);
      expect((await ticket(duplicate)).state).toBe('dispatched');

      const from = await lastOutboxId();
      const res = await dsp.post(`/console/tickets/${duplicate}/merge`, { into: first.toLowerCase(), note: '同一盏路灯' });
      expect(res.status).toBe(303);
      const merged = await ticket(duplicate);
      const target = await ticket(first);
      expect(merged).toMatchObject({ state: 'merged', mergedIntoId: target.id });
      expect(merged.closedAt).not.toBeNull();
      expect(await db.timer.count({ where: { ticketId: merged.id, firedAt: null } })).toBe(0);
      const sent = await pings(duplicate, from);
      expect(sent.map((p) => [p.template, p.to, p.params['into']])).toEqual([
        ['ticket.merged_handler', 'L-QH-01-001-01', first],
        ['ticket.merged_resident', 'R-QH-01-001-H002', first],
      ]);
      // The pages link the two.
      expect((await dsp.page(`/console/tickets/${duplicate}`)).text).toContain(`已合并到 <span class="en" lang="en">Merged into</span> <a href="/console/tickets/${first}">`);
      expect((await dsp.page(`/console/tickets/${first}`)).text).toContain(`<a href="/console/tickets/${duplicate}">${duplicate}</a>`);
      // A merged ticket is finished: no action is offered, and a post is refused.
      const again = await dsp.post(`/console/tickets/${duplicate}/supervise`, { note: '再看看' });
      expect(again.status).toBe(409);
      expect(await again.text()).toContain('已合并');
      // Nor may a ticket be merged into a merged one.
      const third = await report(world.app, 'R-QH-01-001-H002', '路灯还是不亮');
      const intoMerged = await dsp.post(`/console/tickets/${third}/merge`, { into: duplicate });
      expect(intoMerged.status).toBe(409);
      expect(await intoMerged.text()).toContain('目标诉求已撤销或已合并');
    });

    test('a resolved ticket: the dispatcher records a phone callback, or closes it', async () => {
      const rated = await report(world.app, 'R-QH-01-001-H001', '路灯修好了吗');
      await asPerson('L-QH-01-001-01', rated, { type: 'accept' });
      await asPerson('L-QH-01-001-01', rated, { type: 'resolve', result: '已更换灯泡' });
      const page = await dsp.page(`/console/tickets/${rated}`);
      expect(page.text).toContain('电话回访');
      expect(page.text).toContain('归档');
      expect((await dsp.post(`/console/tickets/${rated}/rate`, { rating: 'basically_satisfied', solved: 'yes', comment: '电话回访：基本满意' })).status).toBe(303);
      const t = await ticket(rated);
      expect(t).toMatchObject({ state: 'closed', rating: 'basically_satisfied', solved: true });
      const callback = await db.ticketEvent.findFirstOrThrow({ where: { ticketId: t.id, type: 'callback' } });
      expect(JSON.parse(callback.data)).toMatchObject({ via: 'phone', comment: '电话回访：基本满意' });
      expect(callback.actorId).toBe(ids['DSP-QH-01']);

      const closed = await report(world.app, 'R-QH-01-001-H001', '路灯不亮（二）');
      await asPerson('L-QH-01-001-01', closed, { type: 'accept' });
      await asPerson('L-QH-01-001-01', closed, { type: 'resolve', result: '已修复' });
      const from = await lastOutboxId();
      expect((await dsp.post(`/console/tickets/${closed}/close`, { callback: 'unreachable', note: '三次电话未接通' })).status).toBe(303);
      const t2 = await ticket(closed);
      expect(t2).toMatchObject({ state: 'closed', rating: null, callbackRating: null });
      expect((await pings(closed, from)).map((p) => [p.template, p.to])).toEqual([['ticket.closed_unrated_resident', 'R-QH-01-001-H001']]);
      // An unknown action is a 404, not a crash.
      expect((await dsp.post(`/console/tickets/${closed}/explode`, {})).status).toBe(404);
    });
  });

  describe('归档 after 回访: the close form asks what the callback came to', () => {
    /** A fresh request, accepted and resolved by the paired liaison. */
    async function resolvedTicket(summary: string): Promise<string> {
      const number = await report(world.app, 'R-QH-01-001-H001', summary);
      await asPerson('L-QH-01-001-01', number, { type: 'accept' });
      await asPerson('L-QH-01-001-01', number, { type: 'resolve', result: '已修复' });
      return number;
    }

    test('the form offers the three answers and the two failures; closing with none is refused in Chinese and English', async () => {
      const number = await resolvedTicket('路灯不亮（三）');
      const page = await dsp.page(`/console/tickets/${number}`);
      const form = /<form[^>]*\/close"[\s\S]*?<\/form>/.exec(page.text)?.[0] ?? '';
      expect(form).toContain('<select name="callback" required>');
      for (const value of ['satisfied', 'basically_satisfied', 'dissatisfied', 'unreachable', 'declined']) expect(form).toContain(`<option value="${value}">`);
      expect(form).toContain('无法联系');
      expect(form).toContain('拒绝评价');
      expect(form).toContain('name="solved"');

      const from = await lastOutboxId();
      const bare = await dsp.post(`/console/tickets/${number}/close`, { note: '群众未评价' });
      expect(bare.status).toBe(409);
      const text = await bare.text();
      expect(text).toContain('归档前须先回访');
      expect(text).toContain('A request is closed only after the callback');
      expect(text.indexOf('归档前须先回访')).toBeLessThan(text.indexOf('A request is closed only after the callback'));
      const bogus = await dsp.post(`/console/tickets/${number}/close`, { callback: 'bored' });
      expect(bogus.status).toBe(422);
      expect(await bogus.text()).toContain('请从列表中选择回访结果');
      expect((await ticket(number)).state).toBe('resolved');
      expect(await pings(number, from)).toEqual([]);
    });

    test('拒绝评价: archived with no rating, recorded as the callback ending without one, by the dispatcher', async () => {
      const number = await resolvedTicket('路灯不亮（四）');
      expect((await dsp.post(`/console/tickets/${number}/close`, { callback: 'declined', note: '群众表示不评价' })).status).toBe(303);
      const t = await ticket(number);
      expect(t).toMatchObject({ state: 'closed', rating: null, solved: null, callbackRating: null, callbackSolved: null });
      const events = await db.ticketEvent.findMany({ where: { ticketId: t.id }, orderBy: { seq: 'asc' } });
      const [timeout, closing] = events.slice(-2);
      expect(timeout).toMatchObject({ type: 'callback_timeout', fromState: 'resolved', toState: 'callback', actorId: ids['DSP-QH-01'] });
      expect(JSON.parse(timeout!.data)).toMatchObject({ declaredBy: 'staff', reason: 'declined', note: '群众表示不评价' });
      expect(closing).toMatchObject({ type: 'closed', toState: 'closed' });
      expect(await db.timer.count({ where: { ticketId: t.id, firedAt: null } })).toBe(0);
      // The history says what happened, in both languages.
      const page = await dsp.page(`/console/tickets/${number}`);
      expect(page.text).toContain('回访未获评价');
      expect(page.text).toContain('拒绝评价 declined to rate');
    });

    test("满意 with 未解决 and the resident's words: recorded as a phone callback and archived", async () => {
      const number = await resolvedTicket('路灯不亮（五）');
      expect((await dsp.post(`/console/tickets/${number}/close`, { callback: 'satisfied', solved: 'no', comment: '态度好，但还要再看看' })).status).toBe(303);
      const t = await ticket(number);
      expect(t).toMatchObject({ state: 'closed', rating: 'satisfied', solved: false, callbackRating: 'satisfied', callbackSolved: false });
      const callback = await db.ticketEvent.findFirstOrThrow({ where: { ticketId: t.id, type: 'callback' } });
      expect(JSON.parse(callback.data)).toMatchObject({ via: 'phone', comment: '态度好，但还要再看看', solved: false });
      expect(callback.actorId).toBe(ids['DSP-QH-01']);
    });

    test("电话回访 不满意: the resident's words go, scrubbed, to the handler with the 重办, never to the resident; box and history say so alike", async () => {
      const number = await resolvedTicket('路灯不亮（七）');
      const page = await dsp.page(`/console/tickets/${number}`);
      const form = /<form[^>]*\/rate"[\s\S]*?<\/form>/.exec(page.text)?.[0] ?? '';
      expect(form).toMatch(/群众意见（可选）.*?<span class="audience said">群众的原话，记入办理过程，不会发给群众；不满意时随【重办】转给经办人/s);
      expect(form).not.toContain('仅工作人员可见');
      const from = await lastOutboxId();
      const words = '还是不亮，秦鹏家门口那盏也坏了，有事打 13812345678';
      expect((await dsp.post(`/console/tickets/${number}/rate`, { rating: 'dissatisfied', comment: words })).status).toBe(303);
      const sent = await pings(number, from);
      expect(sent.map((p) => [p.template, p.to])).toEqual([
        ['ticket.reopened_handler', 'L-QH-01-001-01'],
        ['ticket.reopened_resident', 'R-QH-01-001-H001'],
      ]);
      // The handler reads what is to be redone, through the one scrubber: no neighbour's name, no phone.
      const ping = render('zh', sent[0]!.template, sent[0]!.params);
      expect(ping).toContain('群众意见：还是不亮，某某家门口那盏也坏了，有事打 ***');
      expect(ping).not.toMatch(/秦鹏|13812345678/);
      expect(JSON.stringify(sent[1]!.params)).not.toContain('还是不亮');
      // The record keeps the words as said; the history marks them as the resident's, not as sent to them.
      const callback = await db.ticketEvent.findFirstOrThrow({ where: { ticket: { number }, type: 'callback' } });
      expect(JSON.parse(callback.data)).toMatchObject({ via: 'phone', rating: 'dissatisfied', comment: words });
      const after = await dsp.page(`/console/tickets/${number}`);
      expect(after.text).toMatch(/还是不亮，秦鹏家门口那盏也坏了，有事打 138\*\*\*\*5678 <span class="audience said">群众的原话/);
      expect(after.text).not.toMatch(/还是不亮[^<]*<span class="audience resident">/);
    });

    test('不满意 reopens it 重办, and the page says so rather than "closed"', async () => {
      const number = await resolvedTicket('路灯不亮（六）');
      const from = await lastOutboxId();
      const res = await dsp.post(`/console/tickets/${number}/close`, { callback: 'dissatisfied', comment: '还是不亮' });
      expect(res.status).toBe(303);
      const t = await ticket(number);
      expect(t).toMatchObject({ state: 'reopened', rating: null, reopenCount: 1, callbackRating: 'dissatisfied', closedAt: null });
      expect((await pings(number, from)).map((p) => [p.template, p.to])).toEqual([
        ['ticket.reopened_handler', 'L-QH-01-001-01'],
        ['ticket.reopened_resident', 'R-QH-01-001-H001'],
      ]);
      const done = await dsp.page(res.headers.get('location')!);
      expect(done.text).toContain('已转重办');
      expect(done.text).not.toContain('已完成：归档');
    });
  });

  // Last: it moves the clock on.
  describe('re-dispatch after 退单 with little or no time left 办结时限', () => {
    test('a deadline earlier than the new 签收 window, then one passed: the dispatch form, the page and the new handler’s ping say so', async () => {
      const number = await report(world.app, 'R-QH-01-001-H001', '变压器嗡嗡响，晚上睡不着');
      await asPerson('L-QH-01-001-01', number, { type: 'return', reason: '不属于本网格' });
      const power = await db.department.findUniqueOrThrow({ where: { code: 'QH-01-D-power' } });
      // Returned with plenty of time: nothing to say.
      const early = await dsp.page(`/console/tickets/${number}`);
      expect(early.text).not.toContain('deadline-warning');
      expect(early.text).not.toContain('请申请延期或说明');
      // Two hours before the deadline promised to the resident, a dispatch would give a day to accept.
      const { resolveBy } = await ticket(number);
      world.clock.set(new Date(resolveBy!.getTime() - 2 * 3_600_000));
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      const form = await dsp.page(`/console/tickets/${number}`);
      expect(form.text).toMatch(/<p class="hint deadline-warning">办结时限 [\d-]+ [\d:]+ 早于派单后的签收时限 [\d-]+ [\d:]+（已承诺群众，不随派单顺延）：请申请延期或说明/);
      const from = await lastOutboxId();
      expect((await dsp.post(`/console/tickets/${number}/dispatch`, { target: `d${power.id}`, note: '请今天处理' })).status).toBe(303);
      const [assigned] = await pings(number, from);
      expect(assigned).toMatchObject({ template: 'ticket.assigned', to: 'H-QH-01-power', params: { warning: 'resolve_before_accept' } });
      // The deadline stays as promised; the page says it comes before the 签收 deadline it waits for.
      expect((await ticket(number)).resolveBy).toEqual(resolveBy);
      const waiting = await dsp.page(`/console/tickets/${number}`);
      expect(waiting.text).toMatch(/办结时限 [\d-]+ [\d:]+ 早于签收时限/);
      const messages = await dsp.get(`/console/tickets/${number}/messages.csv`);
      expect(await messages.text()).toContain('⚠ 办结时限早于签收时限');
      // Returned again after the deadline: the form says it has passed, and so does the ping.
      world.clock.advanceHours(3);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      const handler = await db.person.findUniqueOrThrow({ where: { code: 'H-QH-01-power' } });
      await world.app.pipeline.execute(number, { type: 'return', reason: '不归供电所' }, await actorFor(db, handler.id));
      const late = await dsp.page(`/console/tickets/${number}`);
      expect(late.text).toMatch(/<p class="hint deadline-warning">办结时限 [\d-]+ [\d:]+ 已过（已承诺群众，不随派单顺延）：请申请延期或说明/);
      const again = await lastOutboxId();
      expect((await dsp.post(`/console/tickets/${number}/dispatch`, { target: `p${ids['L-QH-01-001-02']}` })).status).toBe(303);
      expect((await pings(number, again))[0]).toMatchObject({ template: 'ticket.assigned', to: 'L-QH-01-001-02', params: { warning: 'resolve_passed' } });
    });
  });
});
