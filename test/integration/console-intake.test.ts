/**
 * 受理登记 in the console (/console/intake), on both databases: a township dispatcher finds a
 * rostered resident and registers a walk-in request (routed, timed and receipted like a
 * chat report, the intake event naming the clerk and the channel), registers a caller who
 * is not in the roster, settles a matter on the spot (即办: received and resolved at once,
 * one message to the resident), is refused with Chinese-first errors that keep what was
 * typed and write nothing, and cannot register for a village of another township.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { MAX_IMAGE_BYTES, UPLOAD_ERRORS } from '../../bots/shared/uploads.js';
import type { Db } from '../../src/db/client.js';
import { render } from '../../src/engine/i18n.js';
import { maskName } from '../../src/privacy.js';
import { renderMonthlyReport } from '../../src/report/html.js';
import { buildMonthlyReport } from '../../src/report/monthly.js';
import { actorFor } from '../../src/pipeline/service.js';
import { figures } from '../../src/stats/query.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { fakePng, JPEG } from '../helpers/images.js';

eachDatabase((kind) => {
  describe('受理登记 in the console', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let village: { id: number };
    let foreignVillage: { id: number };
    let resident: { id: number };
    let dispatcherId: number;

    beforeAll(async () => {
      db = world.db;
      village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      foreignVillage = await db.region.findUniqueOrThrow({ where: { code: 'QH-02-001' } });
      resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      dispatcherId = (await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } })).id;
      // The resident has a chat: the receipt goes there.
      await db.channelIdentity.create({ data: { channel: 'web', platformUserId: 'intake-resident', chatId: 'intake-resident', personId: resident.id } });
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    const form = (fields: Record<string, string>) => ({
      channel: 'station',
      category: 'power',
      description: '村口的路灯坏了，晚上看不见路',
      location: '村口大槐树',
      ...fields,
    });

    const registered = (res: Response) => {
      expect(res.status).toBe(303);
      const number = /done=([A-Z]+-\d{4}-\d{6})/.exec(res.headers.get('location') ?? '')?.[1];
      expect(number).toBeDefined();
      return number!;
    };

    test('the dispatcher finds a rostered resident and registers a walk-in request: routed, timed and receipted like a chat report', async () => {
      const page = await dsp.page('/console/intake?q=QH-01-001-H001');
      expect(page.status).toBe(200);
      expect(page.text).toContain('受理登记');
      // The resident is listed masked, as the console shows residents elsewhere.
      expect(page.text).toContain(`value="${resident.id}"`);
      const fullName = (await db.person.findUniqueOrThrow({ where: { id: resident.id } })).name;
      expect(page.text).not.toContain(fullName);
      // The household by its code, never its address (the README: staff see households by code).
      const household = await db.household.findFirstOrThrow({ where: { code: 'QH-01-001-H001' } });
      expect(household.address).toBeTruthy();
      expect(page.text).toContain('QH-01-001-H001');
      expect(page.text).not.toContain(household.address);
      // LIKE's wildcards typed are plain characters (src/db/dialect.ts containsPattern): no name holds them.
      for (const typed of ['%', '_', '\\']) expect((await dsp.page(`/console/intake?q=${encodeURIComponent(typed)}`)).text, typed).not.toContain(`value="${resident.id}"`);
      const number = registered(await dsp.post('/console/intake', form({ resident: String(resident.id) })));
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number }, include: { events: { orderBy: { seq: 'asc' } } } });
      expect(ticket).toMatchObject({ residentId: resident.id, regionId: village.id, channel: 'station', settledOnTheSpot: false, categoryCode: 'power', location: '村口大槐树' });
      // The handler gets the phone the resident is reached on, as a chat report's 使用登记电话: their own, else their household's.
      const rostered = await db.person.findUniqueOrThrow({ where: { id: resident.id }, include: { household: true } });
      const reachedOn = rostered.phone ?? rostered.household?.phone ?? null;
      expect(reachedOn).toBeTruthy();
      expect(ticket.contactPhone).toBe(reachedOn);
      // Routed as a chat report is: to the household's liaison, with a resolve deadline.
      expect(ticket.state).toBe('dispatched');
      expect(ticket.assigneeId).not.toBeNull();
      expect(ticket.resolveBy).not.toBeNull();
      const received = JSON.parse(ticket.events[0]!.data) as Record<string, unknown>;
      expect(received).toMatchObject({ channel: 'station', registeredBy: dispatcherId });
      // The receipt goes to the resident's chat, with the number, the handler and the deadline, as a chat report's answer has.
      const receipt = await db.outboxMessage.findFirstOrThrow({ where: { ticketId: ticket.id, recipientId: resident.id } });
      expect(receipt).toMatchObject({ template: 'ticket.received_resident', channel: 'web', chatId: 'intake-resident' });
      const liaison = await db.person.findUniqueOrThrow({ where: { id: ticket.assigneeId! } });
      const params = JSON.parse(receipt.params) as Record<string, unknown>;
      expect(params).toMatchObject({ number, resolveBy: ticket.resolveBy!.toISOString(), handlerRole: 'liaison', handlerName: maskName(liaison.name) });
      expect(render('zh', receipt.template, params)).toContain(`经办：网格员 ${maskName(liaison.name)}。承诺办结时间：`);
      // The liaison is pinged as for any report.
      expect(await db.outboxMessage.count({ where: { ticketId: ticket.id, recipientId: ticket.assigneeId!, template: 'ticket.assigned' } })).toBe(1);
      const done = await dsp.page(`/console/intake?done=${number}`);
      expect(done.text).toContain(number);
      // The ticket's history names the channel and the clerk who registered it.
      const clerk = await db.person.findUniqueOrThrow({ where: { id: dispatcherId } });
      const ticketPage = await dsp.page(`/console/tickets/${number}`);
      expect(ticketPage.text).toContain('来访 at the station');
      // The messages' channel in words too, never its code.
      expect(ticketPage.text).not.toMatch(/>\s*station\s*</);
      expect(ticketPage.text).toMatch(new RegExp(`登记人 registered by[^]{0,120}${clerk.name}`));
    });

    test('a caller who is not in the roster is registered as a new person without a chat; the receipt waits in the outbox', async () => {
      const number = registered(await dsp.post('/console/intake', form({ resident: 'new', name: '王来电', phone: '139 1234 5678', channel: 'phone', region: String(village.id) })));
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number }, include: { resident: true } });
      expect(ticket.resident).toMatchObject({ name: '王来电', phone: '13912345678', householdId: null });
      expect(ticket).toMatchObject({ channel: 'phone', regionId: village.id, contactPhone: '13912345678' });
      // No chat: queued with no channel, for a chat bound later (or an SMS channel).
      const receipt = await db.outboxMessage.findFirstOrThrow({ where: { ticketId: ticket.id, recipientId: ticket.residentId } });
      expect(receipt).toMatchObject({ template: 'ticket.received_resident', channel: null, sentAt: null });
      // The walk-in is found by the search next time (by phone too), listed masked.
      expect((await dsp.page('/console/intake?q=13912345678')).text).toContain(`value="${ticket.residentId}"`);
      const again = await dsp.page(`/console/intake?q=${encodeURIComponent('王来电')}`);
      expect(again.text).toContain(`value="${ticket.residentId}"`);
      expect(again.text).toContain('139****5678');
      expect(again.text).not.toContain('13912345678');
      // Entered as new again with the same phone: refused, so one caller keeps one history.
      const people = await db.person.count();
      const twice = await dsp.post('/console/intake', form({ resident: 'new', name: '王来电', phone: '13912345678', channel: 'phone', region: String(village.id) }));
      expect(twice.status).toBe(422);
      expect(await twice.text()).toContain('这个电话号码已在名册中');
      expect(await db.person.count()).toBe(people);
    });

    test('即办: settled on the spot, received and resolved at once; the resident hears only the result and may rate it', async () => {
      const number = registered(
        await dsp.post(
          '/console/intake',
          form({ resident: String(resident.id), category: 'welfare', description: '咨询低保怎么申请', settled: '1', result: '已当场讲解申请流程并发放申请表' }),
        ),
      );
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number }, include: { events: { orderBy: { seq: 'asc' } } } });
      expect(ticket).toMatchObject({ state: 'resolved', settledOnTheSpot: true, handlingClass: 'immediate', assigneeId: dispatcherId, resolvedOnTime: true });
      expect(ticket.acceptedAt).not.toBeNull();
      expect(ticket.resolvedAt).not.toBeNull();
      expect(ticket.resolveMinutes).toBe(0);
      expect(ticket.events.map((e) => e.type)).toEqual(['received', 'dispatched', 'accepted', 'resolved']);
      expect(JSON.parse(ticket.events[3]!.data)).toMatchObject({ result: '已当场讲解申请流程并发放申请表', onTheSpot: true });
      const toResident = await db.outboxMessage.findMany({ where: { ticketId: ticket.id, recipientId: resident.id } });
      expect(toResident.map((m) => m.template)).toEqual(['ticket.resolved_resident']);
      expect(JSON.parse(toResident[0]!.actions)).toContainEqual({ label: 'rating.satisfied', payload: `rate:${number}:satisfied` });
      // Nobody is pinged about a matter already settled.
      expect(await db.outboxMessage.count({ where: { ticketId: ticket.id, recipientId: { not: resident.id } } })).toBe(0);
      // The resident rates it as any chat ticket.
      const rated = await world.app.pipeline.execute(number, { type: 'rate', rating: 'satisfied' }, { kind: 'person', personId: resident.id, roles: [] });
      expect(rated.ok && rated.ticket).toMatchObject({ rating: 'satisfied', state: 'closed' });
    });

    test('a refusal says what to correct in Chinese first, keeps what was typed, and writes nothing', async () => {
      const tickets = await db.ticket.count();
      const people = await db.person.count();
      const res = await dsp.post(
        '/console/intake',
        form({ resident: 'new', name: '李新', phone: '12345', description: '   ', settled: '1', result: '', region: String(village.id) }),
      );
      expect(res.status).toBe(422);
      const text = await res.text();
      expect(text).toContain('请填写有效的手机或座机号码');
      expect(text).toContain('请填写诉求内容');
      expect(text).toContain('当场办结须填写办理结果');
      expect(text).toContain('value="李新"');
      expect(text).toContain('value="12345"');
      expect(await db.ticket.count()).toBe(tickets);
      expect(await db.person.count()).toBe(people);
    });

    test('scope: a village of another township is refused, nothing written; a resident of another township is not found', async () => {
      const tickets = await db.ticket.count();
      const people = await db.person.count();
      const res = await dsp.post('/console/intake', form({ resident: 'new', name: '赵外镇', phone: '13800001111', region: String(foreignVillage.id) }));
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('请选择您辖区内的村庄');
      const foreigner = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-02-001-H001' } });
      const theirs = await dsp.post('/console/intake', form({ resident: String(foreigner.id), region: String(village.id) }));
      expect(theirs.status).toBe(422);
      expect(await theirs.text()).toContain('没有找到这位群众');
      expect((await dsp.page(`/console/intake?q=${encodeURIComponent(foreigner.name)}`)).text).not.toContain(`value="${foreigner.id}"`);
      expect(await db.ticket.count()).toBe(tickets);
      expect(await db.person.count()).toBe(people);
    });

    test('the category is suggested from the description by the chat’s matcher', async () => {
      await dsp.page('/console/intake');
      const res = await dsp.post('/console/intake', form({ suggest: '1', category: '', description: '家里停水三天了，自来水管没有水' }));
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/<option value="water" selected>/);
    });

    test('即办 happens at registration only: the walk-in’s handler settling it later is refused, and nothing counts it as 即办', async () => {
      const walkIn = await db.ticket.findFirstOrThrow({ where: { channel: 'station', settledOnTheSpot: false, state: 'dispatched' } });
      const handler = await actorFor(db, walkIn.assigneeId!);
      const settled = await world.app.pipeline.execute(walkIn.number, { type: 'settle', result: '已当场答复' }, handler);
      expect(settled).toEqual({ ok: false, refusal: { code: 'not_allowed', command: 'settle' } });
      expect(await db.ticket.findUniqueOrThrow({ where: { id: walkIn.id } })).toMatchObject({ state: 'dispatched', settledOnTheSpot: false, resolvedAt: null });
      expect(await db.ticketEvent.count({ where: { ticketId: walkIn.id, type: 'resolved' } })).toBe(0);
    });

    test('the statistics and the monthly report break the requests down by channel of receipt, 即办 counted as received and resolved', async () => {
      // Registered above: a walk-in (open) and a 即办 (settled, rated) at the station, a call (open).
      const page = await dsp.page('/console/stats?period=month&date=2026-11-16');
      expect(page.status).toBe(200);
      const table = /<section class="stats-table" id="table-channel">[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';
      expect(table).toMatch(
        /<tr data-channel="station"><th scope="row">来访[^]*?<td class="num">2<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">1<\/td><\/tr>/,
      );
      expect(table).toMatch(/<tr data-channel="phone"><th scope="row">来电[^]*?<td class="num">1<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">1<\/td><\/tr>/);
      const csv = await dsp.get('/console/stats/export?table=channel&period=month&date=2026-11-16');
      expect(csv.status).toBe(200);
      const lines = (await csv.text())
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/);
      expect(lines).toContain('station,来访 at the station,2,1,1,1');
      expect(lines).toContain('phone,来电 by phone,1,0,0,1');
      expect(lines.at(-1)).toBe(',合计 total,3,1,1,2');
      // The page's filters narrow it as every table: the 即办 was 社会保障.
      const welfare = await dsp.get('/console/stats/export?table=channel&period=month&date=2026-11-16&category=welfare');
      expect(
        (await welfare.text())
          .replace(/^\uFEFF/, '')
          .trim()
          .split(/\r?\n/)
          .slice(1),
      ).toEqual(['station,来访 at the station,1,1,1,0', ',合计 total,1,1,1,0']);
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      // In the main figures too, 即办 is received and resolved at once (0 minutes, on time).
      const month = { scopeRegionId: township.id, from: new Date('2026-11-01T00:00:00+08:00'), to: new Date('2026-12-01T00:00:00+08:00') };
      expect(await figures(db, month)).toMatchObject({
        received: 3,
        open: 2,
        medianResolveMinutes: 0,
        onTimeRate: { numerator: 1 },
        satisfactionRate: { numerator: 1, denominator: 1 },
      });
      const report = await buildMonthlyReport(db, { regionCode: township.code, month: '2026-11', now: world.clock.now() });
      expect(report.channels.rows.map((r) => [r.channel, r.received, r.settledOnTheSpot])).toEqual([
        ['station', 2, 1],
        ['phone', 1, 0],
      ]);
      expect(renderMonthlyReport(report)).toContain('受理渠道');
    });

    test('photos posted with the form are stored as chat photos are, shown on the ticket page and carried by the handler’s ping', async () => {
      const number = registered(
        await dsp.postFiles('/console/intake', form({ resident: String(resident.id), description: '村口的路灯杆锈断了' }), [
          { field: 'photos', name: '路灯.png', type: 'image/png', bytes: fakePng('路灯') },
          { field: 'photos', name: 'IMG_0001.jpg', type: 'image/jpeg', bytes: JPEG },
        ]),
      );
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      const photos = JSON.parse(ticket.media) as string[];
      expect(photos).toEqual([expect.stringMatching(/^\/uploads\/[0-9a-f]{64}\.png$/), expect.stringMatching(/^\/uploads\/[0-9a-f]{64}\.jpg$/)]);
      // Stored under their content hash in the chats' upload folder, served with their type.
      expect(readFileSync(join(world.dir, 'uploads', photos[1]!.slice('/uploads/'.length)))).toEqual(JPEG);
      const served = await fetch(world.base + photos[0]!);
      expect(served.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await served.arrayBuffer())).toEqual(fakePng('路灯'));
      const ticketPage = await dsp.page(`/console/tickets/${number}`);
      for (const photo of photos) expect(ticketPage.text).toContain(`<img src="${photo}"`);
      const ping = await db.outboxMessage.findFirstOrThrow({ where: { ticketId: ticket.id, recipientId: ticket.assigneeId!, template: 'ticket.assigned' } });
      expect(JSON.parse(ping.media)).toEqual(photos);
    });

    test('a file that is no picture, or too large, is refused in Chinese first; what was typed and the photos accepted stay with the form', async () => {
      const tickets = await db.ticket.count();
      const typed = form({
        resident: 'new',
        name: '李照片',
        phone: '13800001111',
        region: String(village.id),
        description: '桥栏杆断了一截，孩子上学经过很危险',
        location: '村西小桥',
      });
      const big = fakePng('x'.repeat(MAX_IMAGE_BYTES));
      const refused = await dsp.postFiles('/console/intake', typed, [
        { field: 'photos', name: '桥.png', type: 'image/png', bytes: fakePng('桥') },
        { field: 'photos', name: '说明.txt', type: 'image/png', bytes: Buffer.from('不是图片') },
        { field: 'photos', name: '大图.png', type: 'image/png', bytes: big },
      ]);
      expect(refused.status).toBe(422);
      const page = await refused.text();
      expect(page).toContain(`说明.txt：${UPLOAD_ERRORS.notImage}`);
      expect(page).toContain(`大图.png：${UPLOAD_ERRORS.tooBig}`);
      for (const value of ['李照片', '13800001111', '桥栏杆断了一截，孩子上学经过很危险', '村西小桥']) expect(page).toContain(value);
      const kept = /<input type="hidden" name="photo" value="(\/uploads\/[0-9a-f]{64}\.png)">/.exec(page)?.[1];
      expect(kept).toBeDefined();
      expect(await db.ticket.count()).toBe(tickets);
      // Sent again (the page keeps the accepted photo in the form), it registers with that photo.
      const number = registered(await dsp.postFiles('/console/intake', { ...typed, photo: kept! }, []));
      expect(JSON.parse((await db.ticket.findUniqueOrThrow({ where: { number } })).media)).toEqual([kept]);
    });

    test('photos too large together: those that arrived whole are kept, the rest is named, nothing typed is lost; without the token nothing is stored', async () => {
      const typed = form({ resident: String(resident.id), description: '水渠堵了，田里积水' });
      // Ten photos just under the limit each: the body passes the form's limit inside the tenth.
      const photos = Array.from({ length: 10 }, (_, i) => ({ field: 'photos', name: `田${i}.png`, type: 'image/png', bytes: fakePng(`${i}`.padEnd(MAX_IMAGE_BYTES - 200, '.')) }));
      const refused = await dsp.postFiles('/console/intake', typed, photos);
      expect(refused.status).toBe(422);
      const page = await refused.text();
      expect(page).toContain('水渠堵了，田里积水');
      expect(page).toMatch(/照片合计超过 \d+ MB，后面的照片没有收到/);
      expect([...page.matchAll(/<input type="hidden" name="photo" value="/g)]).toHaveLength(9);
      // A post without the session's token stores nothing.
      const before = readdirSync(join(world.dir, 'uploads')).length;
      const forged = await dsp.postFiles('/console/intake', { ...typed, _csrf: 'forged' }, [{ field: 'photos', name: 'x.png', type: 'image/png', bytes: fakePng('forged') }]);
      expect(forged.status).toBe(403);
      expect(readdirSync(join(world.dir, 'uploads'))).toHaveLength(before);
    });

    test('紧急: an urgent request is counted in clock hours, the category’s urgent handling', async () => {
      const number = registered(await dsp.post('/console/intake', form({ resident: String(resident.id), urgent: '1', description: '村口电线杆被撞歪了，电线垂到路面' })));
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      const power = await db.category.findUniqueOrThrow({ where: { code: 'power' } });
      expect(power.handlingClass).toBe('promised');
      expect(ticket.handlingClass).toBe('urgent');
      expect(ticket.resolveBy!.getTime() - ticket.createdAt.getTime()).toBe(power.resolveHours * 3_600_000);
    });

    test('staff who do not dispatch have no intake page', async () => {
      const supervisor = await loggedIn(world.base, 'sup-qh');
      expect((await supervisor.page('/console/intake')).status).toBe(404);
      expect((await supervisor.page('/console/queue')).text).not.toContain('/console/intake');
      expect((await dsp.page('/console/queue')).text).toContain('/console/intake');
    });
  });
});
