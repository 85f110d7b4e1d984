/**
 * The demo history (src/org/demo-history.ts) on the demo county: a month and a half of
 * requests played through the real pipeline and scheduler with a fake clock, then read
 * as an auditor would: every ticket's events numbered and chained to its state, every
 * state reached, each step taken by the right person, the timers fired at their time
 * (and the later ones armed), no push left waiting for a chat, the statistics, the
 * public board and the monthly report full and plausible, and the same history again
 * for the same seed and moment.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedDemoHistory } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { type DemoHistoryReport, demoRequestTexts, historyStart, playDemoHistory } from '../../src/org/demo-history.js';
import { seedDemoTheme } from '../../src/org/demo-theme.js';
import { seedDemoLedger } from '../../src/org/demo-ledger.js';
import { ledgerItemIds, loadLedgerItems } from '../../src/ledger/ledger.js';
import { seedDemo } from '../../src/org/seed.js';
import { OPEN_STATES, TICKET_STATES, type TicketState } from '../../src/pipeline/states.js';
import { renderMonthlyReport } from '../../src/report/html.js';
import { buildMonthlyReport } from '../../src/report/monthly.js';
import { figures, periodRange } from '../../src/stats/query.js';
import { themeProposals } from '../../src/themes/proposals.js';
import { loadThemes } from '../../src/themes/themes.js';
import { loadRegions } from '../../src/org/regions.js';
import { servePublicBoard } from '../../src/web/public-board.js';
import { lastWholeMonth, rankRegion } from '../../src/ranking/ranking.js';
import { freshPostgres, freshSqlite, POSTGRES_URL, type TestDatabase } from '../helpers/db.js';
import { rules } from '../helpers/org-fixture.js';

/** A Wednesday afternoon: the history runs from 1 October (one whole month before November) to here. */
const NOW = new Date('2026-11-18T16:00:00+08:00');
const MONTHS = 1;

let database: TestDatabase;
let db: Db;
let history: DemoHistoryReport;

interface EventRow {
  ticketId: number;
  seq: number;
  type: string;
  fromState: string | null;
  toState: string;
  actorId: number | null;
  actorRole: string;
  data: string;
  at: Date;
}

/** Every event of every ticket, in order. */
function allEvents(on: Db): Promise<EventRow[]> {
  return on.ticketEvent.findMany({
    orderBy: [{ ticketId: 'asc' }, { seq: 'asc' }],
    select: { ticketId: true, seq: true, type: true, fromState: true, toState: true, actorId: true, actorRole: true, data: true, at: true },
  });
}

/** Events grouped by ticket. */
function byTicket(events: EventRow[]): Map<number, EventRow[]> {
  const grouped = new Map<number, EventRow[]>();
  for (const e of events) grouped.set(e.ticketId, [...(grouped.get(e.ticketId) ?? []), e]);
  return grouped;
}

beforeAll(async () => {
  database = await freshSqlite({ demo: true });
  db = database.db;
  history = await playDemoHistory({ database, rules, now: NOW, months: MONTHS });
});

afterAll(async () => {
  await database?.dispose();
});

describe('the demo history on SQLite', () => {
  test('covers October to the moment given, a few hundred requests, with no step refused', () => {
    expect(history.from).toEqual(new Date('2026-10-01T00:00:00+08:00'));
    expect(historyStart(new Date('2026-01-15T10:00:00+08:00'), 6)).toEqual(new Date('2025-07-01T00:00:00+08:00'));
    expect(history.refusals).toEqual([]);
    expect(history.tickets).toBeGreaterThan(250);
    expect(history.tickets).toBeLessThan(800);
    expect(history.timersFired).toBeGreaterThan(0);
  });

  test("every ticket's events are numbered 1..n and chained (each starts where the last ended), ending at the ticket's state", async () => {
    const tickets = new Map((await db.ticket.findMany({ select: { id: true, state: true, createdAt: true } })).map((t) => [t.id, t]));
    const grouped = byTicket(await allEvents(db));
    expect(grouped.size).toBe(tickets.size);
    for (const [ticketId, events] of grouped) {
      const ticket = tickets.get(ticketId);
      expect(ticket).toBeDefined();
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[0]).toMatchObject({ type: 'received', fromState: null, toState: 'received' });
      expect(events[0]?.at).toEqual(ticket?.createdAt);
      for (let i = 1; i < events.length; i++) {
        expect(events[i]?.fromState, `${ticketId} #${i + 1}`).toBe(events[i - 1]?.toState);
        expect(events[i]!.at.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.at.getTime());
      }
      expect(events.at(-1)?.toState).toBe(ticket?.state);
      expect(events.at(-1)!.at.getTime()).toBeLessThanOrEqual(NOW.getTime());
    }
  });

  test('every state a ticket can be in is reached, and at the end the backlog holds open requests in several states', async () => {
    const reached = new Set((await db.ticketEvent.groupBy({ by: ['toState'] })).map((r) => r.toState));
    expect([...TICKET_STATES].filter((s) => !reached.has(s))).toEqual([]);
    const open = Object.entries(history.states).filter(([state, n]) => n > 0 && (OPEN_STATES.includes(state as TicketState) || state === 'resolved'));
    expect(open.length).toBeGreaterThanOrEqual(5);
    expect(open.reduce((sum, [, n]) => sum + n, 0)).toBeGreaterThan(20);
    // Every kind of step happened somewhere.
    const types = new Set((await db.ticketEvent.groupBy({ by: ['type'] })).map((r) => r.type));
    for (const type of [
      'dispatched',
      'accepted',
      'progress',
      'info_requested',
      'info_supplied',
      'extension_requested',
      'extension_approved',
      'returned',
      'escalated',
      'resolved',
      'callback',
      'callback_timeout',
      'reopened',
      'withdrawn',
      'merged',
      'supervised',
      'reminder',
      'overdue',
      'closed',
    ]) {
      expect(types, type).toContain(type);
    }
  });

  test('each step is taken by the right person: routing by the system, 签收 and handling by the assignee, dispatch by a dispatcher above, answers by the resident', async () => {
    const tickets = new Map((await db.ticket.findMany({ select: { id: true, residentId: true, regionId: true } })).map((t) => [t.id, t]));
    const roles = await db.personRole.findMany({ select: { personId: true, role: true, regionId: true, departmentId: true } });
    const rolesOf = (personId: number | null) => roles.filter((r) => r.personId === personId);
    const regions = new Map((await db.region.findMany({ select: { id: true, parentId: true } })).map((r) => [r.id, r.parentId]));
    const pathOf = (regionId: number) => {
      const path: number[] = [];
      for (let id: number | null | undefined = regionId; id !== null && id !== undefined; id = regions.get(id)) path.push(id);
      return path;
    };
    const isStaffOver = (personId: number | null, ticketRegion: number, kinds: string[]) =>
      rolesOf(personId).some((r) => kinds.includes(r.role) && pathOf(ticketRegion).includes(r.regionId));
    const counts: Record<string, number> = {};
    for (const [ticketId, events] of byTicket(await allEvents(db))) {
      const ticket = tickets.get(ticketId)!;
      let assignee: { personId: number } | { departmentId: number } | null = null;
      const isAssignee = (personId: number | null) =>
        assignee !== null &&
        ('personId' in assignee
          ? assignee.personId === personId
          : rolesOf(personId).some((r) => r.role === 'department_handler' && r.departmentId === (assignee as { departmentId: number }).departmentId));
      for (const [i, e] of events.entries()) {
        const data = JSON.parse(e.data) as Record<string, unknown>;
        const label = `${ticketId} #${e.seq} ${e.type}`;
        counts[e.type] = (counts[e.type] ?? 0) + 1;
        switch (e.type) {
          case 'received':
            expect(e.actorId, label).toBe(ticket.residentId);
            break;
          case 'dispatched':
          case 'reassigned':
            // At intake the system's routing dispatches; later, a dispatcher over the ticket.
            if (events[i - 1]?.type === 'received' && e.seq === 2) expect([e.actorId, e.actorRole], label).toEqual([null, 'system']);
            else expect(isStaffOver(e.actorId, ticket.regionId, ['dispatcher']), label).toBe(true);
            assignee = data['target'] as typeof assignee;
            break;
          case 'accepted':
          case 'progress':
          case 'info_requested':
          case 'extension_requested':
          case 'resolved':
            expect(isAssignee(e.actorId), label).toBe(true);
            break;
          case 'returned':
          case 'escalated':
            expect(isAssignee(e.actorId), label).toBe(true);
            assignee = null;
            break;
          case 'info_supplied':
          case 'withdrawn':
            expect(e.actorId, label).toBe(ticket.residentId);
            break;
          case 'callback':
            if (data['via'] === 'chat') expect(e.actorId, label).toBe(ticket.residentId);
            else expect(isStaffOver(e.actorId, ticket.regionId, ['dispatcher']), label).toBe(true);
            break;
          case 'extension_approved':
          case 'extension_denied':
          case 'merged':
            expect(isStaffOver(e.actorId, ticket.regionId, ['dispatcher']), label).toBe(true);
            break;
          case 'supervised':
            expect(isStaffOver(e.actorId, ticket.regionId, ['supervisor', 'dispatcher']), label).toBe(true);
            break;
          case 'reminder':
          case 'overdue':
            expect(e.actorId, label).toBeNull();
            expect(e.actorRole, label).toBe('system');
            break;
          case 'callback_timeout':
            // The scheduler's timeout, or staff's failed phone call at 归档.
            if (data['declaredBy'] === 'staff') expect(isStaffOver(e.actorId, ticket.regionId, ['dispatcher']), label).toBe(true);
            else expect(e.actorId, label).toBeNull();
            break;
        }
      }
    }
    expect(counts['dispatched']).toBeGreaterThan(history.tickets);
  });

  test('a share of the requests carry a location the resident shared, within a kilometre of their village, for the township maps', async () => {
    const located = await db.ticket.findMany({
      where: { latitude: { not: null } },
      select: { latitude: true, longitude: true, region: { select: { level: true, latitude: true, longitude: true } } },
    });
    const total = await db.ticket.count();
    expect(located.length).toBeGreaterThan(total / 40);
    expect(located.length).toBeLessThan(total / 5);
    for (const t of located) {
      expect(t.region.level).toBe('village');
      const north = ((t.latitude ?? 0) - (t.region.latitude ?? 0)) * 111;
      const east = ((t.longitude ?? 0) - (t.region.longitude ?? 0)) * 111 * Math.cos((30 * Math.PI) / 180);
      expect(Math.hypot(north, east)).toBeLessThan(1);
    }
  });

  test('timers fired at their moment as the clock passed them; those due after now stay armed', async () => {
    expect(await db.timer.count({ where: { firedAt: null, dueAt: { lte: NOW } } })).toBe(0);
    const armed = await db.timer.findMany({ where: { firedAt: null }, select: { dueAt: true } });
    expect(armed.length).toBe(history.timersArmed);
    expect(armed.length).toBeGreaterThan(0);
    const fired = await db.timer.findMany({ where: { firedAt: { not: null } }, select: { dueAt: true, firedAt: true } });
    expect(fired.length).toBeGreaterThan(0);
    for (const t of fired) expect(t.firedAt!.getTime()).toBeGreaterThanOrEqual(t.dueAt.getTime());
    // At its due moment exactly, unless a step re-armed it already past due (it then fires at once).
    expect(fired.filter((t) => t.firedAt!.getTime() === t.dueAt.getTime()).length / fired.length).toBeGreaterThan(0.8);
  });

  test('no push is left waiting: every outbox row of the history is marked sent when it was written', async () => {
    expect(await db.outboxMessage.count({ where: { sentAt: null, failedAt: null } })).toBe(0);
    const rows = await db.outboxMessage.findMany({ select: { createdAt: true, sentAt: true } });
    expect(rows.length).toBe(history.pushes);
    expect(rows.length).toBeGreaterThan(history.tickets);
    for (const row of rows) expect(row.sentAt).toEqual(row.createdAt);
  });

  test('texts are clean: no phone numbers and no roster names in anything the history may write', async () => {
    const names = (await db.person.findMany({ select: { name: true } })).map((p) => p.name);
    const tickets = await db.ticket.findMany({ select: { summary: true, description: true, location: true } });
    const notes = await db.ticketEvent.findMany({ select: { data: true } });
    const texts = [
      ...[...demoRequestTexts().values()].flat().map((t) => t.text),
      ...tickets.map((t) => `${t.summary} ${t.description} ${t.location ?? ''}`),
      // What handlers, dispatchers and residents wrote on the way (notes, reasons, results, comments).
      ...notes.flatMap((e) => Object.values(JSON.parse(e.data) as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && /\p{Script=Han}/u.test(v))),
    ];
    expect(texts.filter((text) => /\d{7,}/.test(text))).toEqual([]);
    expect(texts.flatMap((text) => names.filter((name) => text.includes(name)).map((name) => `${name}: ${text}`))).toEqual([]);
  });

  test("the statistics of the last whole month: requests received, and rates like real practice's", async () => {
    const county = await db.region.findUniqueOrThrow({ where: { code: 'QH' } });
    const { from, to } = periodRange('month', new Date('2026-10-15T12:00:00+08:00'));
    const october = await figures(db, { scopeRegionId: county.id, from, to });
    expect(october.received).toBe(await db.ticket.count({ where: { createdAt: { gte: from, lt: to }, state: { not: 'merged' } } }));
    expect(october.received).toBeGreaterThan(150);
    const value = (rate: { value: number | null }) => rate.value ?? -1;
    expect(value(october.oneTimeRate)).toBeGreaterThan(0.75);
    expect(value(october.oneTimeRate)).toBeLessThan(0.97);
    expect(value(october.satisfactionRate)).toBeGreaterThan(0.88);
    expect(value(october.satisfactionRate)).toBeLessThanOrEqual(1);
    expect(value(october.onTimeRate)).toBeGreaterThan(0.78);
    expect(value(october.onTimeRate)).toBeLessThan(0.99);
    expect(value(october.responseRate)).toBeGreaterThan(0.8);
    expect(october.satisfactionRate.denominator).toBeGreaterThan(100);
    expect(october.medianAcceptMinutes).toBeGreaterThan(0);
    expect(october.medianResolveMinutes).toBeGreaterThan(october.medianAcceptMinutes ?? 0);
  });

  test('the 红黑榜 of the last whole month ranks the demo villages, departments and liaisons on real figures', async () => {
    const regions = await loadRegions(db);
    const county = [...regions.values()].find((r) => r.code === 'QH')!;
    const found = await rankRegion(db, regions, { region: county, month: lastWholeMonth(NOW), levels: ['village', 'department', 'liaison'] });
    expect(found.month).toBe('2026-10');
    const [villages, departments, liaisons] = found.rankings;
    // Every village has enough requests in a month to be ranked, on scores that differ.
    expect(villages!.entities.every((e) => e.rank !== null && e.received >= found.settings.minTickets)).toBe(true);
    // Five villages: the better three on the 红榜, two on the 黑榜.
    expect(villages!.entities).toHaveLength(5);
    expect([villages!.top.length, villages!.bottom.length]).toEqual([3, 2]);
    const scores = villages!.entities.map((e) => e.score!);
    expect(new Set(scores).size).toBeGreaterThan(3);
    expect(Math.min(...scores)).toBeGreaterThan(40);
    expect(Math.max(...scores)).toBeLessThanOrEqual(100);
    // The demo's departments and liaisons handle a few requests a month: the busier ones
    // are ranked, the others listed with their figures.
    expect(departments!.entities.filter((e) => e.rank !== null).length).toBeGreaterThanOrEqual(2);
    expect(liaisons!.entities.filter((e) => e.rank !== null).length).toBeGreaterThanOrEqual(10);
    expect(liaisons!.entities.some((e) => e.rank === null && e.received > 0)).toBe(true);
    // The history starts in October: nothing to compare with.
    expect(villages!.entities.every((e) => e.rankChange === null)).toBe(true);
  });

  test('the public board lists the requests, scrubbed', async () => {
    const server: Server = createServer((req, res) => {
      void servePublicBoard(req, res, db, new URL(req.url ?? '/', 'http://localhost'), NOW).then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/public/QH-01`);
      expect(res.status).toBe(200);
      const page = await res.text();
      // What staff published (公示): the board prints nothing unreviewed.
      const newest = await db.ticket.findFirstOrThrow({
        where: { region: { OR: [{ code: 'QH-01' }, { parent: { code: 'QH-01' } }] }, state: { notIn: ['withdrawn', 'merged'] }, publishedAt: { not: null } },
        orderBy: { id: 'desc' },
      });
      const unpublished = await db.ticket.findFirstOrThrow({
        where: { region: { OR: [{ code: 'QH-01' }, { parent: { code: 'QH-01' } }] }, publishedAt: null },
        orderBy: { id: 'desc' },
      });
      expect(page).not.toContain(unpublished.number);
      expect(page).toContain(newest.number);
      expect(page).toContain('满意率');
      expect(page).toMatch(/\d+\.\d%（\d+\/\d+）/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('the monthly report of the last whole month has figures, hot topics and workloads', async () => {
    const report = await buildMonthlyReport(db, { regionCode: 'QH-01', month: '2026-10', now: NOW });
    expect(report.current.received).toBeGreaterThan(50);
    expect(report.categories.rows.length).toBeGreaterThan(5);
    expect(report.words.length).toBeGreaterThan(5);
    expect(report.places.rows.length).toBe(3);
    expect(report.workload.rows.length).toBeGreaterThan(10);
    expect(report.trend.some((point) => point.figures.received > 0)).toBe(true);
    const html = renderMonthlyReport(report);
    expect(html).toContain('民情分析');
  });

  test('the first township adopts the month’s theme from October’s first category proposal, with tasks and linked requests', async () => {
    const regions = await loadRegions(db);
    const township = [...regions.values()].find((r) => r.code === 'QH-01')!;
    const proposal = (await themeProposals(db, regions, township.id, '2026-10')).find((p) => p.kind === 'category')!;
    expect(proposal.villages).toBe(3);
    const id = await seedDemoTheme(database, NOW);
    expect(id).not.toBeNull();
    const [theme] = await loadThemes(db, regions, [id!], NOW);
    expect(theme).toMatchObject({ regionId: township.id, month: '2026-11', title: `${proposal.label}问题集中整治`, source: proposal.key });
    expect(theme!.problems).toHaveLength(3);
    // On 18 November: the survey (due the 5th) is done, the other two still open.
    expect(theme!.tasks.map((t) => [t.deadline, t.status])).toEqual([
      ['2026-11-05', 'done'],
      ['2026-11-20', 'open'],
      ['2026-11-28', 'open'],
    ]);
    const code = proposal.key.slice('category:'.length);
    const linked = await db.ticket.findMany({ where: { id: { in: theme!.tickets.map((t) => t.id) } }, select: { categoryCode: true, regionId: true } });
    expect(linked).toHaveLength(8);
    expect(linked.every((t) => t.categoryCode === code && regions.get(t.regionId)?.parentId === township.id)).toBe(true);
    expect(theme!.progress.tickets).toBe(8);
    expect(theme!.progress.ticketsResolved).toBeGreaterThan(0);
    // Once is enough.
    expect(await seedDemoTheme(database, NOW)).toBeNull();
    expect(await db.theme.count()).toBe(1);
  });

  test('the ledger: a public commitment per township with its requests linked, one 挂牌督办 pushed to its owner, one done, one late', async () => {
    const regions = await loadRegions(db);
    const townships = [...regions.values()].filter((r) => r.level === 'township');
    expect(await seedDemoLedger(database, NOW)).toBe(townships.length + 3);
    const items = await loadLedgerItems(db, regions, await ledgerItemIds(db, [...regions.keys()]), NOW);
    const statuses = items.map((i) => i.status);
    expect(statuses.filter((s) => s === 'done')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'late')).toHaveLength(1);
    const commitments = items.filter((i) => i.isPublic && i.status === 'on_track');
    expect(commitments.map((i) => i.regionId).sort()).toEqual(townships.map((t) => t.id).sort());
    expect(commitments.every((i) => i.tickets.length > 0 && i.progress.length === 1)).toBe(true);
    // A request is linked after it came in, never before (its history would show the link above its 受理), nor after now.
    const links = await db.ledgerTicket.findMany({ select: { linkedAt: true, ticketId: true } });
    // Nothing audited on a request (linked to the theme or the ledger, published) is dated before it came in.
    const audits = await db.auditEvent.findMany({ where: { ticketId: { not: null } }, select: { action: true, at: true, ticketId: true } });
    const ids = [...links.map((l) => l.ticketId), ...audits.map((a) => a.ticketId!)];
    const created = new Map((await db.ticket.findMany({ where: { id: { in: ids } }, select: { id: true, createdAt: true } })).map((t) => [t.id, t.createdAt]));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => l.linkedAt < created.get(l.ticketId)! || l.linkedAt > NOW)).toEqual([]);
    expect(audits.map((a) => a.action)).toContain('ledger_ticket_linked');
    expect(audits.filter((a) => a.at < created.get(a.ticketId!)!)).toEqual([]);
    // The first township's commitment answers its theme of the month.
    const qh01 = townships.find((t) => t.code === 'QH-01')!;
    expect(commitments.find((i) => i.regionId === qh01.id)!.theme).not.toBeNull();
    const flagged = items.filter((i) => i.flagged);
    expect(flagged).toHaveLength(1);
    expect(await db.outboxMessage.count({ where: { template: 'ledger.flagged' } })).toBeGreaterThan(0);
    // Delivered in the past, as every push of the history.
    expect(await db.outboxMessage.count({ where: { template: 'ledger.flagged', sentAt: null } })).toBe(0);
    // Once is enough.
    expect(await seedDemoLedger(database, NOW)).toBe(0);
    // The push is the ledger's, no part of the history a later test replays and compares.
    await db.outboxMessage.deleteMany({ where: { template: 'ledger.flagged' } });
  });

  test('seeding the history again adds nothing (the database has tickets), nor into a database with more than the demo county', async () => {
    const config = parseConfig({ DATABASE_URL: database.url, SEED_DEMO_HISTORY_MONTHS: '6' });
    expect(await seedDemoHistory(database, config, NOW)).toBeNull();
    expect(await db.ticket.count()).toBe(history.tickets);
    const mixed = await freshSqlite({ demo: true });
    try {
      await mixed.db.region.create({ data: { code: 'XX', name: '别的县', level: 'county' } });
      expect(await seedDemoHistory(mixed, config, NOW)).toBeNull();
      expect(await mixed.db.ticket.count()).toBe(0);
    } finally {
      await mixed.dispose();
    }
  });

  test('the same seed and moment give the same history; another seed another', async () => {
    const dump = async (on: Db) => ({
      tickets: await on.ticket.findMany({ orderBy: { id: 'asc' }, omit: { id: false } }),
      events: await allEvents(on),
      timers: await on.timer.findMany({ orderBy: { id: 'asc' } }),
      outbox: await on.outboxMessage.findMany({ orderBy: { id: 'asc' } }),
    });
    const again = await freshSqlite({ demo: true });
    const other = await freshSqlite({ demo: true });
    try {
      await playDemoHistory({ database: again, rules, now: NOW, months: MONTHS });
      expect(await dump(again.db)).toEqual(await dump(db));
      const otherHistory = await playDemoHistory({ database: other, rules, now: NOW, months: MONTHS, seed: 7 });
      expect(otherHistory.refusals).toEqual([]);
      expect((await dump(other.db)).events).not.toEqual((await dump(db)).events);
    } finally {
      await again.dispose();
      await other.dispose();
    }
  });
});

describe.skipIf(!POSTGRES_URL)('the demo history on PostgreSQL', () => {
  test('a short history: chained events, no refusal, no push waiting, timers after now armed', async () => {
    const pg = await freshPostgres();
    try {
      await seedDemo(pg.db);
      // From the first of the month to the 6th: a few dozen requests.
      const now = new Date('2026-11-06T11:00:00+08:00');
      const short = await playDemoHistory({ database: pg, rules, now, months: 0 });
      expect(short.refusals).toEqual([]);
      expect(short.tickets).toBeGreaterThan(20);
      const tickets = new Map((await pg.db.ticket.findMany({ select: { id: true, state: true } })).map((t) => [t.id, t.state]));
      for (const [ticketId, events] of byTicket(await allEvents(pg.db))) {
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        for (let i = 1; i < events.length; i++) expect(events[i]?.fromState).toBe(events[i - 1]?.toState);
        expect(events.at(-1)?.toState).toBe(tickets.get(ticketId));
      }
      expect(await pg.db.outboxMessage.count({ where: { sentAt: null, failedAt: null } })).toBe(0);
      expect(await pg.db.timer.count({ where: { firedAt: null, dueAt: { lte: now } } })).toBe(0);
      expect(await pg.db.timer.count({ where: { firedAt: null } })).toBeGreaterThan(0);
    } finally {
      await pg.dispose();
    }
  });
});
