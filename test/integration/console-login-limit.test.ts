/**
 * The console's login limit under concurrency: an attempt is reserved in the database
 * before its password is checked, per username and per address, so a burst of logins
 * sent at the same moment gets no more password checks than the limit allows, on one
 * process (SQLite) and across two processes on one PostgreSQL database.
 *
 * Password checks are counted where they happen: `argon2.verify`, spied on (argon2 is a
 * CommonJS module whose `verify` the console calls through its exports object, so the
 * spy sees every call and the check still runs).
 */
import argon2 from 'argon2';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { ConsoleClient, type ConsoleWorld, DEMO_PASSWORD, startConsoleWorld } from '../helpers/console-client.js';
import { emptyPostgres, POSTGRES_URL } from '../helpers/db.js';

/** CONSOLE_LOGIN_MAX_FAILURES's default. */
const MAX = 5;

const checks = vi.spyOn(argon2, 'verify');
afterEach(() => checks.mockClear());

/** A client with the login page open (its CSRF cookie and token). */
async function atLogin(base: string, headers: Record<string, string> = {}): Promise<ConsoleClient> {
  const client = new ConsoleClient(base);
  await client.get('/console/login', headers);
  await client.page('/console/login');
  return client;
}

/** Posts the logins all at once (each on its own connection); returns their statuses. */
async function burst(logins: { client: ConsoleClient; username: string; password: string; headers?: Record<string, string> }[]): Promise<number[]> {
  const answers = await Promise.all(
    logins.map(({ client, username, password, headers }) => client.post('/console/login', { username, password, next: '/console/queue' }, headers)),
  );
  await Promise.all(answers.map((res) => res.arrayBuffer()));
  return answers.map((res) => res.status);
}

const tally = (statuses: number[]) => Object.fromEntries([...new Set(statuses)].sort().map((s) => [s, statuses.filter((x) => x === s).length]));

describe('one process (SQLite)', () => {
  let world: ConsoleWorld;
  beforeAll(async () => {
    // 100 connections at once from one address: more than its default share (HTTP_MAX_CONNECTIONS_PER_ADDRESS).
    world = await startConsoleWorld({ TRUST_PROXY: 'true', HTTP_MAX_CONNECTIONS_PER_ADDRESS: '500' });
  });
  afterAll(async () => {
    await world?.stop();
  });

  test('100 logins for one account at the same moment: at most 5 password checks; then the right password is refused too, until the window has passed', async () => {
    const client = await atLogin(world.base);
    const wrong = await burst(Array.from({ length: 100 }, (_, i) => ({ client, username: 'sup-qh', password: `wrong-password-${i}` })));
    console.log(`100 concurrent wrong logins: ${checks.mock.calls.length} password checks, answers ${JSON.stringify(tally(wrong))}`);
    expect(checks.mock.calls.length).toBeLessThanOrEqual(MAX);
    expect(wrong.filter((s) => s === 401)).toHaveLength(checks.mock.calls.length);
    expect(wrong.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100 - MAX);
    checks.mockClear();

    // The limit is reached: a burst with the right password among wrong ones checks nothing and lets nobody in.
    // (Every answer sets a new login cookie: each burst starts from the login page.)
    const again = await atLogin(world.base);
    const mixed = await burst(Array.from({ length: 100 }, (_, i) => ({ client: again, username: 'sup-qh', password: i === 50 ? DEMO_PASSWORD : `wrong-again-${i}` })));
    expect(checks.mock.calls.length).toBe(0);
    expect(tally(mixed)).toEqual({ 429: 100 });
    expect(again.cookies.has('mq_console')).toBe(false);
    // From another address as well: the limit is the username's, wherever the attempts come from.
    const elsewhere = await atLogin(world.base, { 'x-forwarded-for': '203.0.113.9' });
    expect(await burst([{ client: elsewhere, username: 'sup-qh', password: DEMO_PASSWORD, headers: { 'x-forwarded-for': '203.0.113.9' } }])).toEqual([429]);
    // Another account is not held up by it.
    const other = await atLogin(world.base);
    expect(await burst([{ client: other, username: 'dsp-qh-02', password: DEMO_PASSWORD }])).toEqual([303]);

    // Once the window has passed, the right password gets in, and the account's count starts afresh.
    world.clock.advanceHours(0.26);
    checks.mockClear();
    const later = await atLogin(world.base);
    expect(await burst([{ client: later, username: 'sup-qh', password: DEMO_PASSWORD }])).toEqual([303]);
    const next = await atLogin(world.base);
    expect(await burst(Array.from({ length: MAX - 1 }, (_, i) => ({ client: next, username: 'sup-qh', password: `wrong-later-${i}` })))).toEqual(Array(MAX - 1).fill(401));
    expect(await burst([{ client: await atLogin(world.base), username: 'sup-qh', password: DEMO_PASSWORD }])).toEqual([303]);
  });

  test('one address trying many usernames at once: at most 10 × the limit password checks', async () => {
    const headers = { 'x-forwarded-for': '198.51.100.7' };
    const client = await atLogin(world.base, headers);
    const statuses = await burst(Array.from({ length: 100 }, (_, i) => ({ client, username: `guess-${i}`, password: 'wrong-password-x', headers })));
    console.log(`100 concurrent logins for 100 usernames from one address: ${checks.mock.calls.length} password checks, answers ${JSON.stringify(tally(statuses))}`);
    expect(checks.mock.calls.length).toBeLessThanOrEqual(10 * MAX);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100 - 10 * MAX);
    // Other addresses are not held up by it.
    const fine = await atLogin(world.base, { 'x-forwarded-for': '198.51.100.8' });
    expect(await burst([{ client: fine, username: 'dsp-qh-01', password: DEMO_PASSWORD, headers: { 'x-forwarded-for': '198.51.100.8' } }])).toEqual([303]);
  });
});

describe.skipIf(!POSTGRES_URL)('two processes on one PostgreSQL database', () => {
  let database: { url: string; drop(): Promise<void> };
  const worlds: ConsoleWorld[] = [];
  beforeAll(async () => {
    database = await emptyPostgres();
    // The first seeds the demo county into the empty database; the second finds it there.
    const env = { DATABASE_URL: database.url, HTTP_MAX_CONNECTIONS_PER_ADDRESS: '500' };
    worlds.push(await startConsoleWorld(env));
    worlds.push(await startConsoleWorld(env));
  });
  afterAll(async () => {
    for (const world of worlds) await world.stop();
    await database?.drop();
  });

  test('100 logins for one account, half to each process, at the same moment: at most 5 password checks in all; then the right password is refused by both', async () => {
    const clients = await Promise.all(worlds.map((w) => atLogin(w.base)));
    const wrong = await burst(Array.from({ length: 100 }, (_, i) => ({ client: clients[i % 2]!, username: 'sup-qh', password: `wrong-password-${i}` })));
    console.log(`PostgreSQL, two processes, 100 concurrent wrong logins: ${checks.mock.calls.length} password checks, answers ${JSON.stringify(tally(wrong))}`);
    expect(checks.mock.calls.length).toBeLessThanOrEqual(MAX);
    expect(wrong.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100 - MAX);
    checks.mockClear();
    const fresh = await Promise.all(worlds.map((w) => atLogin(w.base)));
    const right = await burst(fresh.map((client) => ({ client, username: 'sup-qh', password: DEMO_PASSWORD })));
    expect(right).toEqual([429, 429]);
    expect(checks.mock.calls.length).toBe(0);
  });
});
