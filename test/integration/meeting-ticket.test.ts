/**
 * A meeting's decision recorded as a ticket, on both databases: work the township gives
 * itself 交办, not a resident's request. Dispatched, accepted and resolved like any
 * ticket, it pushes nothing to the staff member who recorded it (its residentId), asks
 * nobody to rate it, closes at 办结 with no callback due, counts in no figure, and its
 * page names the meeting where the resident would be; the recorder is no walk-in, and
 * their chat does not list it among their own requests.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { addDecision } from '../../src/meetings/decisions.js';
import { meetingKey, prepareMeeting } from '../../src/meetings/meetings.js';
import { createApiKey } from '../../src/open311/keys.js';
import { actorFor } from '../../src/pipeline/service.js';
import { channelFigures } from '../../src/stats/channels.js';
import { figures } from '../../src/stats/query.js';
import { loadRegions } from '../../src/org/regions.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { type DialogueWorld, dialogueWorld } from '../helpers/dialogue-world.js';

eachDatabase((kind) => {
  describe('a meeting’s decision as a ticket has no resident to answer', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    const NOW = new Date('2026-11-20T15:00:00+08:00');

    beforeAll(async () => {
      db = world.db;
      world.clock.set(NOW);
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    test('dispatched, accepted, resolved: no push to the recorder, no rating request, closed with no callback, in no figure; the page names the meeting', async () => {
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const recorder = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      // The scheduler's duty may have prepared it already, as it does in production.
      const target = { regionId: village.id, kind: 'village' as const, period: '2026-11', heldOn: '2026-11-20' };
      const meetingId =
        (await prepareMeeting(db, await loadRegions(db), target, new Date('2026-11-17T09:00:00+08:00'))) ??
        (await db.meeting.findUniqueOrThrow({ where: { key: meetingKey(target) } })).id;
      const period = { scopeRegionId: village.id, from: new Date('2026-11-01T00:00:00+08:00'), to: new Date('2026-12-01T00:00:00+08:00') };
      const figuresBefore = await figures(db, period);
      const channelsBefore = await channelFigures(db, { regionIds: [village.id], from: period.from, to: period.to });

      expect((await dsp.post(`/console/meetings/${meetingId}/decisions`, { kind: 'ticket', text: '修复村口三盏路灯', category: 'power' })).status).toBe(303);
      const decision = await db.meetingDecision.findFirstOrThrow({ where: { meetingId, kind: 'ticket' } });
      const { number } = await db.ticket.findUniqueOrThrow({ where: { id: decision.ticketId! } });
      const pipeline = world.app.pipeline;
      const done = (outcome: Awaited<ReturnType<typeof pipeline.execute>>) => {
        if (!outcome.ok) throw new Error(JSON.stringify(outcome.refusal));
      };
      done(await pipeline.execute(number, { type: 'dispatch', target: { personId: liaison.id } }, await actorFor(db, recorder.id)));
      const handler = await actorFor(db, liaison.id);
      done(await pipeline.execute(number, { type: 'accept' }, handler));
      done(await pipeline.execute(number, { type: 'progress', note: '已联系供电所' }, handler));
      // 补充材料 asks the resident: there is none to ask.
      expect(await pipeline.execute(number, { type: 'request_info', question: '哪三盏？' }, handler)).toMatchObject({ ok: false, refusal: { code: 'not_allowed' } });
      done(await pipeline.execute(number, { type: 'resolve', result: '三盏路灯已修复' }, handler));

      const ticket = await db.ticket.findUniqueOrThrow({ where: { number }, include: { events: { orderBy: { seq: 'asc' } }, outbox: true, timers: true } });
      expect(ticket).toMatchObject({ state: 'closed', residentId: recorder.id, callbackBy: null, rating: null });
      expect(ticket.events.slice(-2).map((e) => [e.type, e.toState, (JSON.parse(e.data) as { reason?: string }).reason ?? null])).toEqual([
        ['resolved', 'resolved', null],
        ['closed', 'closed', 'no_resident'],
      ]);
      // The handler was told; the recorder, standing on residentId, heard nothing, and nobody was asked to rate.
      expect(ticket.outbox.some((m) => m.recipientId === liaison.id && m.template === 'ticket.assigned')).toBe(true);
      expect(ticket.outbox.filter((m) => m.recipientId === recorder.id).map((m) => m.template)).toEqual([]);
      expect(ticket.outbox.filter((m) => m.template.endsWith('_resident')).map((m) => m.template)).toEqual([]);
      expect(ticket.timers.filter((t) => t.kind === 'callback_timeout')).toEqual([]);

      // Not a resident's request: no figure counts it.
      const figuresAfter = await figures(db, period);
      expect(figuresAfter.received).toBe(figuresBefore.received);
      expect(figuresAfter.satisfactionRate).toEqual(figuresBefore.satisfactionRate);
      expect(figuresAfter.resolutionRate).toEqual(figuresBefore.resolutionRate);
      expect((await channelFigures(db, { regionIds: [village.id], from: period.from, to: period.to })).total).toEqual(channelsBefore.total);

      // The page names the meeting where the resident would be, and the recorder as who registered it.
      const page = (await dsp.page(`/console/tickets/${number}`)).text;
      expect(page).toMatch(new RegExp(`群众[^]{0,200}<dd>会议决定：2026-11-20 ${village.name}村务议政会`));
      expect(page).not.toContain(`群众 resident ${recorder.name}`);
      // Nobody to answer (答复群众): staff write notes for each other.
      expect(page).not.toContain(`/tickets/${number}/reply"`);
      expect(page).toContain(`/tickets/${number}/note"`);
      // Read from outside (the REST API, Open311), it has no requester: it was received from staff, not from a resident.
      const key = (await createApiKey(db, { name: 'qh-01-platform', regionCode: 'QH-01', scopes: ['read'] }, NOW)).key;
      const detail = (await (await fetch(`${world.base}/api/v1/tickets/${number}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
        events: { type: string; actorRole: string }[];
      };
      expect(detail.events[0]).toMatchObject({ type: 'received', actorRole: 'dispatcher' });
      expect(detail.events.map((e) => e.actorRole)).not.toContain('resident');
      const open311 = await (await fetch(`${world.base}/open311/v2/requests/${number}.json?api_key=${key}`)).text();
      expect(open311).toContain(number);
      expect(open311).not.toContain(recorder.name);
      // The recorder is not a walk-in of the village to the intake search.
      const search = await dsp.page(`/console/intake?q=${encodeURIComponent(recorder.name)}`);
      expect(search.status).toBe(200);
      expect(search.text).not.toContain(`value="${recorder.id}"`);
    });
  });

  describe('in the recorder’s chat', () => {
    let chatWorld: DialogueWorld | undefined;
    afterEach(async () => {
      await chatWorld?.dispose();
      chatWorld = undefined;
    });

    test('我的诉求 does not list a meeting’s decision as the recorder’s own request', async () => {
      const w = (chatWorld = await dialogueWorld({ database: kind }));
      const { db } = w.database;
      const regions = await loadRegions(db);
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const recorder = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const chat = await w.staff('DSP-QH-01', 'dsp-1');
      const now = w.clock.now();
      const meetingId = (await prepareMeeting(db, regions, { regionId: village.id, kind: 'village', period: '2026-11', heldOn: '2026-11-16' }, now))!;
      const meeting = { id: meetingId, regionId: village.id, kind: 'village' as const, heldOn: '2026-11-16' };
      await addDecision({ db, regions, pipeline: w.pipeline, actorId: recorder.id, now }, meeting, { kind: 'ticket', text: '修复村口三盏路灯', categoryCode: 'power' });
      expect(await db.ticket.count({ where: { channel: 'meeting', residentId: recorder.id } })).toBe(1);
      await chat.send('我的诉求');
      expect(chat.text()).toContain('您还没有反映过问题。');
    });

    test('the ticket and its decision row commit together: a failed decision row leaves no ticket either', async () => {
      const w = (chatWorld = await dialogueWorld({ database: kind }));
      const { db } = w.database;
      const regions = await loadRegions(db);
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const recorder = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const now = w.clock.now();
      const meetingId = (await prepareMeeting(db, regions, { regionId: village.id, kind: 'village', period: '2026-11', heldOn: '2026-11-16' }, now))!;
      const meeting = { id: meetingId, regionId: village.id, kind: 'village' as const, heldOn: '2026-11-16' };
      const ctx = { db, regions, pipeline: w.pipeline, actorId: recorder.id, now };
      const meetingTickets = () => db.ticket.findMany({ where: { channel: 'meeting' }, select: { id: true, number: true }, orderBy: { id: 'asc' } });

      const id = await addDecision(ctx, meeting, { kind: 'ticket', text: '修复村口三盏路灯', categoryCode: 'power' });
      const [ticket] = await meetingTickets();
      expect(await db.meetingDecision.findUniqueOrThrow({ where: { id } })).toMatchObject({ meetingId, kind: 'ticket', ticketId: ticket!.id });

      // The decision row's insert fails (a trigger refuses it): the ticket written before it in the same turn is gone too.
      if (kind.name === 'SQLite') {
        await db.$executeRawUnsafe(`CREATE TRIGGER refuse_decision BEFORE INSERT ON "MeetingDecision" BEGIN SELECT RAISE(ABORT, 'decision refused by the test'); END`);
      } else {
        await db.$executeRawUnsafe(`CREATE FUNCTION refuse_decision() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'decision refused by the test'; END $$`);
        await db.$executeRawUnsafe(`CREATE TRIGGER refuse_decision BEFORE INSERT ON "MeetingDecision" FOR EACH ROW EXECUTE FUNCTION refuse_decision()`);
      }
      // (Prisma words SQLite's RAISE as a constraint violation: the error itself is not what is tested.)
      await expect(addDecision(ctx, meeting, { kind: 'ticket', text: '清理河道垃圾', categoryCode: 'power' })).rejects.toThrow();
      expect(await meetingTickets()).toEqual([ticket]);
      expect(await db.ticket.count({ where: { summary: '清理河道垃圾' } })).toBe(0);
      expect(await db.meetingDecision.count({ where: { meetingId } })).toBe(1);
      expect(await db.auditEvent.count({ where: { action: 'meeting_decision' } })).toBe(1);
    });
  });
});
