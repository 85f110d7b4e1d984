/**
 * Two Minqing processes on one PostgreSQL database (issue 6 §3). Both serve the web
 * channel: the platform hands each message to either of them at random; both run the
 * scheduler over the same outbox and timers. Then the fake clock of both is moved past
 * every deadline of the requests still open, and both fire timers at the same time.
 *
 * Shown: no message lost (one dedupe row per message id, every request there once and
 * the finished ones closed); no duplicate send (every outbox row with a chat delivered
 * exactly once across both processes' channel logs; no idempotency help here, unlike the
 * crash test); no missed deadline (every due timer fired, each exactly once: one event
 * per ticket and timer kind). Randomness is seeded (printed; MINQING_MULTI_SEED replays).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bindPairs } from '../../src/bench/load.js';
import { seedDemo } from '../../src/org/seed.js';
import { freshPostgres, POSTGRES_URL, type TestDatabase } from '../helpers/db.js';
import { ChannelLog, type Pair, Platform, Queues, requestRound, seeded, Worker } from '../helpers/worker-pool.js';

/** Residents whose requests go the whole way, and residents whose requests stay open (their deadlines pass). */
const FINISHED = 20;
const OPEN = 20;

describe.skipIf(!POSTGRES_URL)('two processes on one PostgreSQL database', () => {
  let database: TestDatabase;
  let dir: string;
  const workers: Worker[] = [];

  beforeAll(async () => {
    database = await freshPostgres();
    await seedDemo(database.db);
    dir = mkdtempSync(join(tmpdir(), 'minqing-multi-'));
  });
  afterAll(async () => {
    for (const worker of workers) await worker.kill();
    await database?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a shared load: no lost message, no duplicate send, no missed deadline', async () => {
    const seed = Number(process.env['MINQING_MULTI_SEED'] ?? Date.now() % 1_000_000);
    console.log(`multi-process seed ${seed} (MINQING_MULTI_SEED=${seed} replays the routing)`);
    const random = seeded(seed);
    const { db } = database;
    // Whole liaisons' blocks of households: 2 liaisons' for finished requests, 2 for open ones.
    const finished = await bindPairs(db, FINISHED, { tag: 'f' });
    const open = await bindPairs(db, OPEN, { tag: 'o', offset: FINISHED });
    let now = new Date('2026-11-16T09:00:00+08:00');
    for (const name of ['a', 'b']) {
      // Small claims, so that the two take turns at the same rows rather than one taking all.
      workers.push(new Worker({ url: database.url, log: join(dir, `${name}.log`), name, clock: () => now, interval: 200, batch: 5 }));
    }
    await Promise.all(workers.map((w) => w.start()));
    const platform = new Platform(workers);
    const log = new ChannelLog(workers.map((w) => w.options.log));
    const pick = () => workers[random() < 0.5 ? 0 : 1] as Worker;

    // The load: every message to either process.
    const liaisons = new Queues();
    const reportOnly = async (pair: Pair) => {
      let step = 0;
      const say = (message: { text?: string; action?: string }) =>
        platform.deliver({ channel: 'web', chatId: pair.residentChat, senderId: pair.residentChat, messageId: `${pair.residentChat}/${++step}`, ...message }, pick());
      await say({ text: '家门口的自来水管爆了，水一直流' });
      for (const action of ['yes', 'home', 'skip', 'skip', 'submit']) await say({ action });
    };
    await Promise.all([...finished.map((pair) => requestRound(platform, log, liaisons, pair, pick)), ...open.map(reportOnly)]);

    // The deadlines of the open requests pass; both processes fire timers at once, round after round.
    const due = await db.timer.findMany({ where: { firedAt: null }, orderBy: { dueAt: 'desc' } });
    expect(due.length).toBeGreaterThanOrEqual(OPEN * 4);
    now = new Date((due[0]?.dueAt.getTime() ?? now.getTime()) + 60_000);
    await Promise.all(workers.map((w) => w.setClock(now)));
    const waiting = () => db.timer.count({ where: { firedAt: null, dueAt: { lte: now } } });
    for (let round = 0; round < 60 && (await waiting()) > 0; round++) await Promise.all(workers.map((w) => w.tick()));
    const fired = workers.map((w) => `${w.options.name}: ${w.fired}`).join(', ');
    // And both deliver what the timers queued.
    const unsent = () => db.outboxMessage.count({ where: { sentAt: null, failedAt: null, channel: { not: null } } });
    for (let round = 0; round < 60 && (await unsent()) > 0; round++) await Promise.all(workers.map((w) => w.tick()));
    await Promise.all(workers.map((w) => w.stop()));
    workers.length = 0;
    log.refresh();

    // No lost message.
    const inbound = await db.inboundMessage.findMany({ select: { messageId: true } });
    expect(inbound).toHaveLength(platform.sent.size);
    expect(new Set(inbound.map((m) => m.messageId))).toEqual(platform.sent);
    const tickets = await db.ticket.findMany({ include: { events: { orderBy: { seq: 'asc' } }, timers: true } });
    expect(tickets).toHaveLength(FINISHED + OPEN);
    expect(new Set(tickets.map((t) => t.residentId)).size).toBe(FINISHED + OPEN);
    expect(tickets.filter((t) => t.state === 'closed' && t.rating === 'satisfied')).toHaveLength(FINISHED);

    // No duplicate send, nothing left: each row with a chat delivered exactly once, by one process or the other.
    const rows = await db.outboxMessage.findMany({ where: { channel: { not: null } }, select: { id: true, sentAt: true } });
    const delivered = log.delivered.map((line) => line.id);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(new Set(delivered)).toEqual(new Set(rows.map((r) => r.id)));
    expect(rows.filter((r) => r.sentAt === null)).toEqual([]);
    const by = (name: string) => log.delivered.filter((line) => line.worker === name).length;
    console.log(`multi-process: ${platform.sent.size} messages, ${delivered.length} delivered (a: ${by('a')}, b: ${by('b')}); timers fired (${fired})`);

    // No missed deadline, none fired twice: every due timer fired, one event per ticket and kind.
    for (const ticket of tickets) {
      for (const timer of ticket.timers) if (timer.dueAt <= now) expect(timer.firedAt, `${ticket.number} ${timer.kind}`).not.toBeNull();
      const fired = ticket.events.filter((e) => e.type === 'reminder' || e.type === 'overdue').map((e) => (JSON.parse(e.data) as { kind: string }).kind);
      expect(fired.sort()).toEqual(ticket.state === 'closed' ? [] : ['accept_overdue', 'accept_reminder', 'resolve_overdue', 'resolve_reminder']);
      expect(ticket.events.map((e) => e.seq)).toEqual(ticket.events.map((_, i) => i + 1));
    }
  }, 180_000);
});
