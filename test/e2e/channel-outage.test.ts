/**
 * Channel outage (issue 6 §5): while the Telegram Bot API is down (the port refuses
 * connections, or every call gets a 5xx), messages for several chats queue in the
 * outbox; once it is back, every one arrives, once, in order within each chat. The
 * order must hold even when a chat's later message is due while an earlier one waits
 * out its backoff, and when two schedulers share the work (on SQLite and PostgreSQL).
 * Time is a FakeClock: backoffs pass by moving it, not by sleeping.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { TelegramAdapter } from '../../bots/telegram/telegram-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { Scheduler } from '../../src/pipeline/scheduler.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { freshPostgres, freshSqlite, POSTGRES_URL } from '../helpers/db.js';
import { BOT_INFO, FakeBotApi, type Outage, TOKEN } from '../helpers/fake-bot-api.js';
import { buildOrg, FakeClock, rules } from '../helpers/org-fixture.js';

let dir: string;
const api = new FakeBotApi();
let app: App | undefined;
/** The app's clock: it moves only when told. */
const clock = new FakeClock(new Date());

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minqing-outage-'));
  await api.start();
  // One app for the Telegram tests (each uses chats of its own). Webhook mode: the outage
  // is about messages going out, and a long poll would only retry against the dead port.
  const file = join(dir, 'outage.db');
  copyFileSync(inject('sqliteDemoTemplate'), file);
  const config = parseConfig({ DATABASE_URL: `file:${file}`, SCHEDULER_INTERVAL_MS: '200', LOG_LEVEL: 'silent' });
  const telegram = new TelegramAdapter({
    token: TOKEN,
    apiRoot: api.url,
    botInfo: BOT_INFO,
    webhook: { url: 'https://minqing.example.org/telegram/webhook', secret: 'outage', port: 0, host: '127.0.0.1' },
    uploadDir: join(dir, 'uploads'),
  });
  app = await startApp(config, { adapters: [telegram], clock });
});

afterEach(async () => {
  await api.comeBack();
});

afterAll(async () => {
  await app?.stop();
  await api.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let nextChat = 7500001;

/** Three new chats, what queues a message for one, and what reached it. */
async function telegramChats() {
  if (!app) throw new Error('the app did not start');
  const { db } = app.database;
  const person = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
  const chats = [String(nextChat++), String(nextChat++), String(nextChat++)] as const;

  /** Queues one message for `chatId` (what a push becomes in the outbox), due now. */
  const queue = async (chatId: string, note: string): Promise<number> => {
    const now = clock.now();
    const row = await db.outboxMessage.create({
      data: {
        recipientId: person.id,
        channel: 'telegram',
        chatId,
        template: 'ticket.progress_resident',
        params: JSON.stringify({ number: 'MQ-2026-000007', note }),
        createdAt: now,
        availableAt: now,
      },
    });
    return row.id;
  };
  const rows = (ids: number[]) => db.outboxMessage.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
  /** The notes that reached `chatId`, in the order Telegram got them. */
  const arrived = (chatId: string) => api.sent(chatId).map((c) => /有新进展：(.+)$/.exec(String(c.body['text']))?.[1]);
  /** Moves time past any backoff the scheduler set. */
  const passBackoff = () => clock.set(new Date(clock.now().getTime() + 3_600_000));
  /** Lets the scheduler run a few rounds (it ticks every 200 ms of real time). */
  const rounds = () => new Promise((r) => setTimeout(r, 700));
  return { chats, queue, rows, arrived, passBackoff, rounds };
}

describe('the Telegram Bot API goes down and comes back', () => {
  test.each<[string, Outage]>([
    ['connection refused', 'refused'],
    ['502 for every call', 502],
  ])('%s: messages for three chats wait, then all arrive once, in order within each chat', async (_, outage) => {
    const { chats, queue, rows, arrived, passBackoff, rounds } = await telegramChats();
    const [a, b, c] = chats;
    await api.goDown(outage);

    // Interleaved across chats, as pushes come.
    const first = [await queue(a, 'A1'), await queue(b, 'B1'), await queue(c, 'C1'), await queue(a, 'A2'), await queue(b, 'B2')];
    // The scheduler tries the head of each chat, fails, and backs off; nothing goes out, nothing is lost.
    await expect.poll(async () => (await rows(first)).filter((r) => r.attempts > 0).length, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(3);
    expect((await rows(first)).every((r) => r.sentAt === null && r.failedAt === null)).toBe(true);

    // Back up while the first messages still wait out their backoff; newer ones for the same
    // chats are due now, but must not overtake them.
    await api.comeBack();
    const later = [await queue(a, 'A3'), await queue(c, 'C2')];
    await rounds();
    expect(chats.map(arrived)).toEqual([[], [], []]);

    // Once the backoff has passed, everything goes, in order per chat.
    passBackoff();
    const all = [...first, ...later];
    await expect.poll(async () => (await rows(all)).every((r) => r.sentAt !== null), { timeout: 10_000, interval: 50 }).toBe(true);
    await rounds(); // and nothing is sent a second time
    expect(chats.map(arrived)).toEqual([
      ['A1', 'A2', 'A3'],
      ['B1', 'B2'],
      ['C1', 'C2'],
    ]);
  });

  test('a chat whose first message fails holds its next one, even within the same round; other chats go on', async () => {
    const { chats, queue, rows, arrived, passBackoff, rounds } = await telegramChats();
    const [a, b] = chats;
    api.failNext('sendMessage', { code: 500, description: 'Internal Server Error' }, a);
    const ids = [await queue(a, 'A1'), await queue(a, 'A2'), await queue(b, 'B1')];
    await expect.poll(() => arrived(b), { timeout: 5_000, interval: 50 }).toEqual(['B1']);
    await rounds();
    expect(arrived(a)).toEqual([]);
    const [a1, a2] = await rows(ids);
    expect(a1).toMatchObject({ attempts: 1, sentAt: null });
    expect(a1?.lastError).toContain('500');
    // The held message used no attempt: it was never tried.
    expect(a2).toMatchObject({ attempts: 0, sentAt: null });

    passBackoff();
    await expect.poll(() => arrived(a), { timeout: 5_000, interval: 50 }).toEqual(['A1', 'A2']);
  });
});

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
] as const)('two schedulers on %s', (_, postgres) => {
  test.skipIf(postgres && !POSTGRES_URL)('share a flaky channel: every chat gets all its messages once, in order, never two at a time', async () => {
    const database = postgres ? await freshPostgres() : await freshSqlite();
    try {
      const org = await buildOrg(database.db);
      const clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
      const pipeline = new PipelineService({ db: database.db, rules, clock });
      const chats = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
      const now = clock.now();
      for (let i = 0; i < 8; i++) {
        for (const chatId of chats) {
          await database.db.outboxMessage.create({
            data: { recipientId: org.resident.id, channel: 'telegram', chatId, template: 'menu.more', createdAt: now, availableAt: now },
          });
        }
      }
      const delivered = new Map<string, number[]>(chats.map((c) => [c, []]));
      const inFlight = new Set<string>();
      let overlaps = 0;
      let calls = 0;
      const make = (workerId: string) =>
        new Scheduler({
          database,
          pipeline,
          clock,
          workerId,
          batchSize: 5,
          outboxTargets: [{ channel: 'telegram' }],
          deliver: async (m) => {
            if (inFlight.has(m.chatId)) overlaps++;
            inFlight.add(m.chatId);
            await new Promise((r) => setTimeout(r, 1)); // let the other worker interleave
            inFlight.delete(m.chatId);
            // Every fifth call fails and backs off, in the middle of some chat's sequence.
            if (++calls % 5 === 0) return { status: 'retry', error: 'flaky' };
            delivered.get(m.chatId)?.push(m.id);
            return { status: 'sent' };
          },
        });
      const a = make('a');
      const b = make('b');
      for (let round = 0; round < 60 && (await database.db.outboxMessage.count({ where: { sentAt: null } })) > 0; round++) {
        await Promise.all([a.deliverOutbox(), b.deliverOutbox()]);
        clock.set(new Date(clock.now().getTime() + 3_600_000)); // past any backoff
      }
      expect(await database.db.outboxMessage.count({ where: { sentAt: null } })).toBe(0);
      expect(overlaps).toBe(0);
      for (const ids of delivered.values()) {
        expect(ids).toHaveLength(8);
        expect(ids).toEqual([...ids].sort((x, y) => x - y));
      }
      const claimedBy = await database.db.outboxMessage.groupBy({ by: ['claimedBy'], _count: true });
      expect(claimedBy.map((g) => g.claimedBy).sort()).toEqual(['a', 'b']);
    } finally {
      await database.dispose();
    }
  });
});
