/**
 * Who gets into the staff console, and what they see: login and logout, wrong
 * passwords, the login rate limit, CSRF, idle expiry, logged-out requests (redirect or
 * 401), and the scope (a township dispatcher cannot reach another township's ticket by
 * page, API, export or action: 404, like a ticket that does not exist).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { ConsoleClient, consoleWorldFor, DEMO_PASSWORD, loggedIn, report, startConsoleWorld } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

/** A ticket in 清水镇 (QH-01) and one in 禾丰镇 (QH-02). */
let ours: string;
let theirs: string;

eachDatabase((kind) => {
  const world = consoleWorldFor(kind);

  beforeAll(async () => {
    ours = await report(world.app, 'R-QH-01-001-H001', '村口的路灯坏了好几天');
    theirs = await report(world.app, 'R-QH-02-001-H001', '杏花村的水管漏水');
  });

  describe('logged out', () => {
    test('pages redirect to the login (keeping where to go back); API, JSON and CSV get 401', async () => {
      const client = new ConsoleClient(world.base);
      const queue = await client.get('/console/queue?state=all');
      expect(queue.status).toBe(303);
      expect(queue.headers.get('location')).toBe('/console/login?next=%2Fconsole%2Fqueue%3Fstate%3Dall');
      expect((await client.get(`/console/tickets/${ours}`)).status).toBe(303);
      expect((await client.get('/console')).status).toBe(303);
      for (const path of [
        '/console/api/queue',
        `/console/api/tickets/${ours}`,
        '/console/queue.csv',
        `/console/tickets/${ours}/timeline.csv`,
        '/console/stats/export?table=figures',
      ]) {
        const res = await client.get(path);
        expect(res.status, path).toBe(401);
        expect(((await res.json()) as { error: string }).error).toMatch(/请先登录.*log in/);
      }
      // JSON asked for by Accept gets 401 too.
      expect((await client.get('/console/queue', { accept: 'application/json' })).status).toBe(401);
      // A form posted without a session changes nothing.
      const before = await world.db.ticketEvent.count();
      const post = await client.post(`/console/tickets/${ours}/supervise`, { note: '快办' });
      expect(post.status).toBe(303);
      expect(post.headers.get('location')).toMatch(/^\/console\/login/);
      expect(await world.db.ticketEvent.count()).toBe(before);
    });

    test('pages carry the strict security headers', async () => {
      const res = await new ConsoleClient(world.base).get('/console/login');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('login and logout', () => {
    test('a right password opens a session in an HTTP-only, SameSite=Strict cookie; the queue greets the user', async () => {
      const client = new ConsoleClient(world.base);
      const res = await client.login('DSP-QH-01');
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/console/queue');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mq_console='));
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\/console/);
      expect(cookie).not.toMatch(/Secure/);
      const queue = await client.page('/console/queue');
      expect(queue.status).toBe(200);
      expect(queue.text).toContain('石云');
      expect(queue.text).toContain('清水镇 群众工作室');
      // Only the hash of the token is stored.
      const token = client.cookies.get('mq_console')!;
      const rows = await world.db.consoleSession.findMany();
      expect(rows.some((r) => r.id === token)).toBe(false);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id))).toBe(true);
    });

    test('behind an https proxy (TRUST_PROXY) the cookie is Secure', async () => {
      const proxied = await startConsoleWorld({ TRUST_PROXY: 'true' }, kind);
      try {
        const client = new ConsoleClient(proxied.base);
        await client.get('/console/login', { 'x-forwarded-proto': 'https' });
        const page = await client.page('/console/login');
        const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
        const res = await client.post('/console/login', { _csrf: csrf, username: 'dsp-qh-01', password: DEMO_PASSWORD }, { 'x-forwarded-proto': 'https' });
        expect(res.status).toBe(303);
        expect(res.headers.getSetCookie().find((c) => c.startsWith('mq_console='))).toMatch(/; Secure/);
      } finally {
        await proxied.stop();
      }
    });

    test('a wrong password or an unknown user gets the same answer, and no session', async () => {
      for (const username of ['dsp-qh-01', 'nobody-here']) {
        const client = new ConsoleClient(world.base);
        const res = await client.login(username, 'wrong-password-123');
        expect(res.status).toBe(401);
        const text = await res.text();
        expect(text).toContain('用户名或密码不正确');
        expect(text).toContain('Wrong username or password');
        expect(client.cookies.has('mq_console')).toBe(false);
      }
    });

    test('where to go after the login (next) may hold Chinese and control characters: the login answers 303 to an encoded console path, one session row with its cookie', async () => {
      const sessions = () => world.db.consoleSession.count();
      // A bookmarked search for 路灯: the login page keeps it (encoded); a form that posts it
      // unencoded is redirected to it encoded too.
      const client = new ConsoleClient(world.base);
      const page = await client.page('/console/login?next=%2Fconsole%2Fqueue%3Fq%3D%E8%B7%AF%E7%81%AF');
      expect(page.text).toContain('name="next" value="/console/queue?q=%E8%B7%AF%E7%81%AF"');
      const before = await sessions();
      const res = await client.post('/console/login', { username: 'dsp-qh-01', password: DEMO_PASSWORD, next: '/console/queue?q=路灯' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/console/queue?q=%E8%B7%AF%E7%81%AF');
      expect(client.cookies.has('mq_console')).toBe(true);
      expect(await sessions()).toBe(before + 1);
      expect((await client.get('/console/queue?q=%E8%B7%AF%E7%81%AF')).status).toBe(200);
      // Logged in already, the login page sends them straight on, encoded too.
      const again = await client.get('/console/login?next=%2Fconsole%2Fqueue%3Fq%3D%E8%B7%AF%E7%81%AF');
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe('/console/queue?q=%E8%B7%AF%E7%81%AF');

      // A line break (or any control character) in next: no header is injected, the queue instead.
      for (const next of ['/console/queue\r\nSet-Cookie: mq_console=forged', '/console/queue?q=a\u0000b', '/console/queue\tx']) {
        const other = new ConsoleClient(world.base);
        await other.page(`/console/login?next=${encodeURIComponent(next)}`);
        const count = await sessions();
        const answer = await other.post('/console/login', { username: 'dsp-qh-01', password: DEMO_PASSWORD, next });
        expect(answer.status, JSON.stringify(next)).toBe(303);
        expect(answer.headers.get('location')).toBe('/console/queue');
        expect(answer.headers.getSetCookie().join('\n')).not.toContain('forged');
        expect(other.cookies.get('mq_console')).not.toBe('forged');
        expect(await sessions()).toBe(count + 1);
      }
      // Another site, a path outside the console, or a way out of it by dots: the queue.
      for (const next of ['//evil.example/console/x', 'https://evil.example/console/', '/public/QH-01', '/console/../public', '/console/%2e%2e/public', '/console\\..\\public']) {
        const other = new ConsoleClient(world.base);
        await other.page('/console/login');
        const answer = await other.post('/console/login', { username: 'dsp-qh-01', password: DEMO_PASSWORD, next });
        expect(answer.status, next).toBe(303);
        expect(answer.headers.get('location'), next).toBe('/console/queue');
      }
    });

    test('the login form is refused without its CSRF cookie (another site cannot log a browser in)', async () => {
      const client = new ConsoleClient(world.base);
      const res = await client.post('/console/login', { _csrf: 'made-up', username: 'dsp-qh-01', password: DEMO_PASSWORD });
      expect(res.status).toBe(403);
      expect(client.cookies.has('mq_console')).toBe(false);
    });

    test('after 5 failures for a username from one address: 429 with a clear message, even for the right password, until its growing delay has passed', async () => {
      const client = new ConsoleClient(world.base);
      for (let i = 0; i < 5; i++) expect((await client.login('sup-qh', `wrong-${i}-password`)).status).toBe(401);
      const blocked = await client.login('sup-qh');
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('retry-after')).toBe('1');
      const text = await blocked.text();
      expect(text).toContain('登录尝试过于频繁，请 1 秒后再试。');
      expect(text).toContain('Too many failed logins');
      expect(client.cookies.has('mq_console')).toBe(false);
      // Another user from the same address is not held up by it.
      expect((await new ConsoleClient(world.base).login('dsp-qh-02')).status).toBe(303);
      world.clock.advanceHours(1 / 3600);
      expect((await client.login('sup-qh')).status).toBe(303);
    });

    test('logout ends the session: the old cookie no longer works', async () => {
      const client = await loggedIn(world.base, 'dsp-qh-01');
      const cookie = client.cookies.get('mq_console')!;
      const res = await client.post('/console/logout', {});
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/console/login');
      expect(res.headers.getSetCookie().join()).toMatch(/mq_console=;.*Max-Age=0/);
      const replay = new ConsoleClient(world.base);
      replay.cookies.set('mq_console', cookie);
      expect((await replay.get('/console/api/queue')).status).toBe(401);
    });

    test('a session ends after the idle time (60 minutes by default); activity keeps it alive', async () => {
      const client = await loggedIn(world.base, 'dsp-qh-01');
      world.clock.advanceHours(0.9);
      expect((await client.get('/console/api/queue')).status).toBe(200);
      world.clock.advanceHours(0.9);
      expect((await client.get('/console/api/queue')).status).toBe(200);
      world.clock.advanceHours(1.1);
      expect((await client.get('/console/api/queue')).status).toBe(401);
    });
  });

  describe('CSRF', () => {
    test('a form without the session token, with a wrong one, or from another site is refused and changes nothing', async () => {
      const client = await loggedIn(world.base, 'dsp-qh-01');
      const before = await world.db.ticketEvent.count();
      const noToken = await client.post(`/console/tickets/${ours}/supervise`, { _csrf: '', note: '请加快' });
      expect(noToken.status).toBe(403);
      expect(await noToken.text()).toContain('表单已过期');
      expect((await client.post(`/console/tickets/${ours}/supervise`, { _csrf: 'x'.repeat(43), note: '请加快' })).status).toBe(403);
      expect((await client.post(`/console/tickets/${ours}/supervise`, { note: '请加快' }, { origin: 'https://evil.example' })).status).toBe(403);
      expect((await client.post('/console/logout', { _csrf: 'nope' })).status).toBe(403);
      expect(await world.db.ticketEvent.count()).toBe(before);
      // The same form with the token goes through.
      const ok = await client.post(`/console/tickets/${ours}/supervise`, { note: '请加快' }, { origin: world.base });
      expect(ok.status).toBe(303);
      expect(await world.db.ticketEvent.count()).toBe(before + 1);
    });
  });

  describe('scope', () => {
    test("a township dispatcher cannot reach another township's ticket: page, API, exports and actions all say 404", async () => {
      const client = await loggedIn(world.base, 'dsp-qh-01');
      const missing = await client.page('/console/tickets/MQ-2099-999999');
      expect(missing.status).toBe(404);
      const page = await client.page(`/console/tickets/${theirs}`);
      expect(page.status).toBe(404);
      // Indistinguishable from a ticket that does not exist (but for the one-time values each form on a page gets).
      const same = (text: string, number: string) => text.replace(number, 'X').replace(/name="_once" value="[^"]+"/g, '');
      expect(same(page.text, theirs)).toBe(same(missing.text, 'MQ-2099-999999'));
      expect(page.text).not.toContain('杏花村的水管漏水');
      expect((await client.get(`/console/api/tickets/${theirs}`)).status).toBe(404);
      expect((await client.get(`/console/tickets/${theirs}/timeline.csv`)).status).toBe(404);
      expect((await client.get(`/console/tickets/${theirs}/messages.csv`)).status).toBe(404);
      const before = await world.db.ticketEvent.count();
      expect((await client.post(`/console/tickets/${theirs}/supervise`, { note: '越权' })).status).toBe(404);
      expect(await world.db.ticketEvent.count()).toBe(before);
      // Their own ticket opens, and the queue and its API list only their township's.
      expect((await client.page(`/console/tickets/${ours}`)).status).toBe(200);
      const api = (await (await client.get('/console/api/queue?state=all')).json()) as { rows: { number: string }[] };
      expect(api.rows.map((r) => r.number)).toContain(ours);
      expect(api.rows.map((r) => r.number)).not.toContain(theirs);
      const search = (await (await client.get(`/console/api/queue?state=all&q=${theirs}`)).json()) as { rows: unknown[]; count: number };
      expect(search).toMatchObject({ rows: [], count: 0 });
    });

    test('a 404 says what was not found: the ticket asked for, or — for any other address, /console/visits/… too — the page', async () => {
      const client = await loggedIn(world.base, 'dsp-qh-01');
      const ticket = await client.page(`/console/tickets/${theirs}`);
      expect(ticket.text).toContain('没有这件诉求');
      for (const path of ['/console/visits/12', '/console/nothing-here', `/console/tickets/${ours}/nothing.csv`]) {
        const page = await client.page(path);
        expect(page.status, path).toBe(404);
        expect(page.text, path).toContain('没有这个页面，或它不在您的工作范围内。');
        expect(page.text, path).not.toContain('诉求，或');
      }
      expect((await client.page('/console/inbox/999999')).text).toContain('没有这个会话');
      const data = await client.get('/console/api/nothing');
      expect(data.status).toBe(404);
      expect(((await data.json()) as { error: string }).error).toMatch(/^没有这个页面.*no such page/);
    });

    test('the other township sees its own; the county supervisor sees both', async () => {
      const other = await loggedIn(world.base, 'dsp-qh-02');
      expect((await other.page(`/console/tickets/${theirs}`)).status).toBe(200);
      expect((await other.page(`/console/tickets/${ours}`)).status).toBe(404);
      const county = await loggedIn(world.base, 'sup-qh');
      expect((await county.page(`/console/tickets/${ours}`)).status).toBe(200);
      const api = (await (await county.get(`/console/api/tickets/${theirs}`)).json()) as { number: string; residentName: string; residentPhone: string };
      expect(api.number).toBe(theirs);
      // The resident is masked in the API too.
      expect(api.residentName).toBe('叶*');
      expect(api.residentPhone).toBe('199****0261');
    });

    test('a person without a staff role cannot log in', async () => {
      const resident = await world.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H002' } });
      const dsp = await world.db.staffAccount.findUniqueOrThrow({ where: { username: 'dsp-qh-01' } });
      await world.db.staffAccount.create({ data: { username: 'not-staff', passwordHash: dsp.passwordHash, personId: resident.id, createdAt: new Date() } });
      const res = await new ConsoleClient(world.base).login('not-staff');
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('没有工作人员角色');
    });
  });
});
