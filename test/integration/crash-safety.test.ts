/**
 * Crash safety (issue 6 §2). Minqing runs in a child process on a SQLite file (and on a
 * PostgreSQL database, when the suite has one); simulated
 * residents report, their liaisons accept and resolve, the residents rate, every message
 * through the platform below. The child is killed with SIGKILL at random moments, 4 to
 * 6 times, and started again on the same file; the platform re-delivers every message
 * the dead process had not acknowledged (same message id), as a chat platform does.
 *
 * Afterwards every message had exactly one effect: one dedupe row per message id, one
 * ticket per request and every request closed with its rating (none lost, none doubled),
 * each ticket's pushes written once, and once the clock has moved past every hold and
 * lease, nothing left unsent.
 *
 * What "no duplicate outgoing message" rests on: a turn's replies and a ticket's pushes
 * are outbox rows committed with the change, so a message is never lost; but a kill
 * between the platform accepting a message and the row being marked sent leaves the row
 * unsent, and it is sent again. The fake channel is an idempotent platform API keyed by
 * the outbox id (see worker-child.ts), so that second send is acknowledged without a
 * second delivery; the test counts such re-sends and checks each delivered message is
 * exactly one committed outbox row. A channel without idempotency keys would show that
 * message twice (at most once more per kill).
 *
 * Randomness is seeded (printed; MINQING_CRASH_SEED replays a run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { bindPairs } from '../../src/bench/load.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';
import { ChannelLog, Platform, Queues, requestRound, seeded, Worker } from '../helpers/worker-pool.js';

const RESIDENTS = 40;
/** Inbound messages of one request's loop (6 to report, 3 for the liaison, 2 to rate). */
const MESSAGES_PER_REQUEST = 11;

eachDatabase((kind) => {
  let database: TestDatabase;
  let dir: string;
  let worker: Worker | undefined;

  beforeEach(async () => {
    database = await kind.fresh({ demo: true });
    dir = mkdtempSync(join(tmpdir(), 'minqing-crash-'));
  });
  afterEach(async () => {
    await worker?.kill();
    await database.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('killed with SIGKILL again and again, every message has exactly one effect and nothing is left unsent', async () => {
    const seed = Number(process.env['MINQING_CRASH_SEED'] ?? Date.now() % 1_000_000);
    console.log(`crash-safety seed ${seed} (MINQING_CRASH_SEED=${seed} replays the kill schedule)`);
    const random = seeded(seed);
    const kills = 4 + Math.floor(random() * 3);
    const { db } = database;
    // The residents of 4 liaisons' households, each with a web chat, as in the benchmark.
    const pairs = await bindPairs(db, RESIDENTS, { tag: 'c' });
    let now = new Date('2026-11-16T09:00:00+08:00');
    const logFile = join(dir, 'channel.log');
    worker = new Worker({ url: database.url, log: logFile, name: 'w', clock: () => now, dedupe: true, interval: 200 });
    const platform = new Platform([worker]);
    const log = new ChannelLog([logFile]);
    await worker.start();

    const liaisons = new Queues();
    const current = worker;
    let finished = false;
    const load = Promise.all(pairs.map((pair) => requestRound(platform, log, liaisons, pair, () => current))).finally(() => (finished = true));

    // The killer: at random points of the load (by messages sent, so every kill lands
    // before the load ends however fast the machine) and a random moment after, SIGKILL;
    // restart on the same file with the clock moved past the turns' holds and the
    // scheduler's leases (a restart takes time), re-deliver.
    const total = RESIDENTS * MESSAGES_PER_REQUEST;
    const points = Array.from({ length: kills }, (_, i) => Math.floor((total * 0.85 * (i + random())) / kills));
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let killed = 0;
    let redelivered = 0;
    for (const point of points) {
      while (platform.sent.size < point && !finished) await pause(10);
      if (finished) break;
      await pause(random() * 50);
      await current.kill();
      killed++;
      now = new Date(now.getTime() + 61_000);
      await current.start();
      redelivered += platform.redeliver(current);
    }
    const numbers = await load;
    expect(killed, `the load ended before ${kills} kills (seed ${seed})`).toBeGreaterThanOrEqual(4);

    // Drain: past every hold and lease, the scheduler sends what is left.
    now = new Date(now.getTime() + 3_600_000);
    await current.setClock(now);
    const unsent = () => db.outboxMessage.count({ where: { sentAt: null, failedAt: null } });
    for (let round = 0; round < 20 && (await unsent()) > 0; round++) await current.tick();
    await current.stop();
    worker = undefined;
    log.refresh();
    console.log(
      `crash-safety: ${killed} kills, ${platform.sent.size} messages, ${platform.deliveries} deliveries (${redelivered} re-delivered after a kill), ` +
        `${log.delivered.length} messages out, ${log.resends} re-sent and absorbed by the idempotent channel`,
    );

    // No lost request, no duplicate ticket: one per resident, all closed with the rating.
    const tickets = await db.ticket.findMany({ include: { events: { orderBy: { seq: 'asc' } }, outbox: true } });
    expect(tickets).toHaveLength(RESIDENTS);
    expect(new Set(tickets.map((t) => t.residentId)).size).toBe(RESIDENTS);
    expect(new Set(numbers)).toEqual(new Set(tickets.map((t) => t.number)));
    for (const ticket of tickets) {
      expect(ticket).toMatchObject({ state: 'closed', rating: 'satisfied' });
      expect(ticket.events.map((e) => e.type)).toEqual(['received', 'dispatched', 'accepted', 'resolved', 'callback', 'closed']);
      expect(ticket.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      // Each push of the loop written once.
      expect(ticket.outbox.map((m) => m.template).sort()).toEqual(['ticket.accepted_resident', 'ticket.assigned', 'ticket.resolved_resident'].sort());
    }
    // Every message had its one effect: one dedupe row per message id.
    const inbound = await db.inboundMessage.findMany({ select: { messageId: true } });
    expect(inbound).toHaveLength(platform.sent.size);
    expect(new Set(inbound.map((m) => m.messageId))).toEqual(platform.sent);
    // Nothing stuck; every delivered message is one committed row, delivered once.
    expect(await unsent()).toBe(0);
    const rows = await db.outboxMessage.findMany({ select: { id: true } });
    const delivered = log.delivered.map((line) => line.id);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(new Set(delivered)).toEqual(new Set(rows.map((r) => r.id)));
  }, 120_000);
});
