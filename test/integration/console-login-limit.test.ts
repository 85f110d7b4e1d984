/**
 * The console's login limit: an attempt is reserved in the database before its password
 * is checked, per (address, username), per address and per username, so a burst of
 * logins sent at the same moment gets no more password checks than the limit allows, on
 * one process (SQLite) and across two processes on one PostgreSQL database. Failures slow
 * down the address that sends them (a growing delay), not the account's owner elsewhere:
 * knowing a dispatcher's username is not enough to keep them out of the console.
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
/** CONSOLE_LOGIN_USER_CEILING's default. */
const CEILING = 100;

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

/** One login from a fresh login page at `ip`: its status, page and Retry-After. */
async function loginOnce(base: string, username: string, password: string, ip: string): Promise<{ status: number; text: string; retryAfter: number | null }> {
  const headers = { 'x-forwarded-for': ip };
  const client = await atLogin(base, headers);
  const res = await client.post('/console/login', { username, password, next: '/console/queue' }, headers);
  const retry = res.headers.get('retry-after');
  return { status: res.status, text: await res.text(), retryAfter: retry === null ? null : Number(retry) };
}

/** A login page with its one-time values blanked, to compare two answers. */
const withoutTokens = (html: string) => html.replace(/(name="_(?:csrf|once)" value=")[^"]*"/g, '$1"');

describe('one process (SQLite)', () => {
  let world: ConsoleWorld;
  beforeAll(async () => {
    // 100 connections at once from one address: more than its default share (HTTP_MAX_CONNECTIONS_PER_ADDRESS).
    world = await startConsoleWorld({ TRUST_PROXY: 'true', HTTP_MAX_CONNECTIONS_PER_ADDRESS: '500' });
  });
  afterAll(async () => {
    await world?.stop();
  });

  test('100 logins for one account at the same moment from an attacker: at most 5 password checks; the attacker is refused in Chinese, the owner from another address gets in', async () => {
    const attacker = { 'x-forwarded-for': '203.0.113.66' };
    const client = await atLogin(world.base, attacker);
    const wrong = await burst(Array.from({ length: 100 }, (_, i) => ({ client, username: 'sup-qh', password: `wrong-password-${i}`, headers: attacker })));
    console.log(`100 concurrent wrong logins: ${checks.mock.calls.length} password checks, answers ${JSON.stringify(tally(wrong))}`);
    expect(checks.mock.calls.length).toBeLessThanOrEqual(MAX);
    expect(wrong.filter((s) => s === 401)).toHaveLength(checks.mock.calls.length);
    expect(wrong.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100 - MAX);
    checks.mockClear();

    // From the attacker's address even the right password waits, unchecked, with a Chinese answer saying how long.
    const refused = await loginOnce(world.base, 'sup-qh', DEMO_PASSWORD, '203.0.113.66');
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('登录尝试过于频繁，请 1 秒后再试。');
    expect(refused.retryAfter).toBe(1);
    expect(checks.mock.calls.length).toBe(0);

    // The owner, from an address that has not been failing, gets in at once.
    const owner = await atLogin(world.base, { 'x-forwarded-for': '198.51.100.20' });
    expect(await burst([{ client: owner, username: 'sup-qh', password: DEMO_PASSWORD, headers: { 'x-forwarded-for': '198.51.100.20' } }])).toEqual([303]);
    expect(owner.cookies.has('mq_console')).toBe(true);
    // The owner's login does not wipe the attacker's failures: the attacker still waits.
    expect((await loginOnce(world.base, 'sup-qh', 'wrong-after-owner', '203.0.113.66')).status).toBe(429);

    // The delay grows: each wait served allows one more check, and the next wait is twice as long.
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const blocked = await loginOnce(world.base, 'sup-qh', `wrong-slow-${i}`, '203.0.113.66');
      expect(blocked.status).toBe(429);
      waits.push(blocked.retryAfter!);
      world.clock.advanceHours(blocked.retryAfter! / 3600);
      expect((await loginOnce(world.base, 'sup-qh', `wrong-slow-${i}`, '203.0.113.66')).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8]);
    const long = await loginOnce(world.base, 'sup-qh', 'wrong-slow-x', '203.0.113.66');
    expect(long.retryAfter).toBe(16);
    expect(long.text).toContain('登录尝试过于频繁，请 16 秒后再试。');

    // Once the window has passed, the attacker's address starts afresh too.
    world.clock.advanceHours(0.26);
    expect((await loginOnce(world.base, 'sup-qh', DEMO_PASSWORD, '203.0.113.66')).status).toBe(303);
  });

  test('an unknown username and a wrong password get the same answer, after the same password check', async () => {
    const unknown = await loginOnce(world.base, 'no-such-user', 'wrong-password-u', '192.0.2.40');
    expect(checks.mock.calls.length).toBe(1); // against a dummy hash: the same time as a wrong password
    checks.mockClear();
    const known = await loginOnce(world.base, 'dsp-qh-01', 'wrong-password-k', '192.0.2.41');
    expect(checks.mock.calls.length).toBe(1);
    expect(unknown.status).toBe(401);
    expect(known.status).toBe(401);
    expect(unknown.text).toContain('用户名或密码不正确。');
    expect(withoutTokens(unknown.text).replace('no-such-user', 'USER')).toBe(withoutTokens(known.text).replace('dsp-qh-01', 'USER'));
    // Timed, interleaved after a warm-up (the first unknown username makes the dummy hash), each login from its own
    // address; medians printed for the record: the same argon2 work either way.
    const times: Record<'unknown' | 'known', number[]> = { unknown: [], known: [] };
    for (let i = 0; i < 8; i++) {
      for (const [kind, username] of [
        ['unknown', 'no-such-user'],
        ['known', 'dsp-qh-01'],
      ] as const) {
        const started = performance.now();
        expect((await loginOnce(world.base, username, `timed-wrong-${i}`, `192.0.2.${100 + 2 * i + (kind === 'known' ? 1 : 0)}`)).status).toBe(401);
        if (i > 0) times[kind].push(performance.now() - started);
      }
    }
    const median = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    console.log(`wrong login, median of 7: unknown username ${median(times.unknown).toFixed(1)} ms, known username ${median(times.known).toFixed(1)} ms`);
    // Refused the same way too: the limits are the typed username's, whether or not it exists.
    for (const username of ['no-such-user', 'dsp-qh-01']) {
      for (let i = 0; i < MAX; i++) await loginOnce(world.base, username, `wrong-${i}`, '192.0.2.42');
    }
    const [a, b] = [await loginOnce(world.base, 'no-such-user', 'x-password-1', '192.0.2.42'), await loginOnce(world.base, 'dsp-qh-01', 'x-password-1', '192.0.2.42')];
    expect([a.status, a.retryAfter]).toEqual([429, 1]);
    expect([b.status, b.retryAfter]).toEqual([429, 1]);
    expect(withoutTokens(a.text).replace('no-such-user', 'USER')).toBe(withoutTokens(b.text).replace('dsp-qh-01', 'USER'));
    world.clock.advanceHours(0.26);
  });

  test('a guess spread over many addresses: the ceiling of its username stops it, for the window', async () => {
    const perAddress = MAX - 1;
    for (let a = 0; a < CEILING / perAddress; a++) {
      const ip = `198.18.0.${a + 1}`;
      const client = await atLogin(world.base, { 'x-forwarded-for': ip });
      const statuses = await burst(
        Array.from({ length: perAddress }, (_, i) => ({ client, username: 'dsp-qh-02', password: `spread-${a}-${i}`, headers: { 'x-forwarded-for': ip } })),
      );
      expect(statuses).toEqual(Array(perAddress).fill(401));
    }
    checks.mockClear();
    // The ceiling is reached: no more checks for that username from anywhere, the right password included.
    const fresh = await loginOnce(world.base, 'dsp-qh-02', DEMO_PASSWORD, '198.18.1.1');
    expect(fresh.status).toBe(429);
    expect(fresh.text).toContain('分钟后再试');
    expect(checks.mock.calls.length).toBe(0);
    // Another username is not held up by it.
    expect((await loginOnce(world.base, 'dsp-qh-01', DEMO_PASSWORD, '198.18.1.1')).status).toBe(303);
    world.clock.advanceHours(0.26);
    expect((await loginOnce(world.base, 'dsp-qh-02', DEMO_PASSWORD, '198.18.1.1')).status).toBe(303);
  });

  test('an attacker rotating through the addresses of one IPv6 /64 counts as one address; another /64 is not held up', async () => {
    for (let i = 1; i <= MAX; i++) expect((await loginOnce(world.base, 'sup-qh', `rotated-${i}`, `2001:db8:0:7::${i.toString(16)}`)).status).toBe(401);
    checks.mockClear();
    // The next address of the same /64 waits, unchecked, as the first would.
    const rotated = await loginOnce(world.base, 'sup-qh', `rotated-next`, '2001:db8:0:7:ffff::1');
    expect(rotated.status).toBe(429);
    expect(checks.mock.calls.length).toBe(0);
    // The owner on another line gets in.
    expect((await loginOnce(world.base, 'sup-qh', DEMO_PASSWORD, '2001:db8:0:8::1')).status).toBe(303);
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
    const env = { DATABASE_URL: database.url, TRUST_PROXY: 'true', HTTP_MAX_CONNECTIONS_PER_ADDRESS: '500' };
    worlds.push(await startConsoleWorld(env));
    worlds.push(await startConsoleWorld(env));
  });
  afterAll(async () => {
    for (const world of worlds) await world.stop();
    await database?.drop();
  });

  test('100 logins for one account, half to each process, at the same moment: at most 5 password checks in all; then the attacker is refused by both, the owner elsewhere let in by both', async () => {
    const attacker = { 'x-forwarded-for': '203.0.113.77' };
    const clients = await Promise.all(worlds.map((w) => atLogin(w.base, attacker)));
    const wrong = await burst(Array.from({ length: 100 }, (_, i) => ({ client: clients[i % 2]!, username: 'sup-qh', password: `wrong-password-${i}`, headers: attacker })));
    console.log(`PostgreSQL, two processes, 100 concurrent wrong logins: ${checks.mock.calls.length} password checks, answers ${JSON.stringify(tally(wrong))}`);
    expect(checks.mock.calls.length).toBeLessThanOrEqual(MAX);
    expect(wrong.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100 - MAX);
    checks.mockClear();
    const fresh = await Promise.all(worlds.map((w) => atLogin(w.base, attacker)));
    const right = await burst(fresh.map((client) => ({ client, username: 'sup-qh', password: DEMO_PASSWORD, headers: attacker })));
    expect(right).toEqual([429, 429]);
    expect(checks.mock.calls.length).toBe(0);
    const owner = { 'x-forwarded-for': '198.51.100.30' };
    const owners = await Promise.all(worlds.map((w) => atLogin(w.base, owner)));
    expect(await burst(owners.map((client) => ({ client, username: 'sup-qh', password: DEMO_PASSWORD, headers: owner })))).toEqual([303, 303]);
  });
});
