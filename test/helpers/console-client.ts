/**
 * The staff console as tests use it: the app with the web channel (console and public
 * board mounted) on a free port, on a copy of the seeded demo database, with a fake
 * clock; and an HTTP client that keeps cookies like a browser and fills in CSRF tokens.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { createWebAdapter, type WebChatAdapter } from '../../bots/web/web-adapter.js';
import { type App, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { Database, Db } from '../../src/db/client.js';
import type { ChannelAdapter } from '../../src/engine/types.js';
import { DEMO_PASSWORD } from '../../src/org/staff-accounts.js';
import { createWebRoutes } from '../../src/web/routes.js';
import { httpLimitsFrom } from '../../src/web/server.js';
import { uploadLimitsFrom } from '../../src/web/upload-ledger.js';
import { demoDatabaseUrl, type TestDatabaseKind } from './db.js';
import { FakeClock } from './org-fixture.js';

export { DEMO_PASSWORD };

/** Monday 2026-11-16 09:00 Beijing time: a working day. */
export const START = new Date('2026-11-16T09:00:00+08:00');

export interface ConsoleWorld {
  app: App;
  db: Db;
  web: WebChatAdapter;
  clock: FakeClock;
  base: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts Minqing on a copy of the demo database, with the console and the board. With
 * `DATABASE_URL` in `env`, on that database instead (seeded with the demo county when
 * empty, without its history): two worlds on one PostgreSQL database are two processes.
 * `channels` adds channels beside the web one (the SMS channel on a fake gateway).
 */
export async function startConsoleWorld(
  env: Record<string, string> = {},
  on?: TestDatabaseKind,
  channels?: (database: () => Database | undefined, clock: FakeClock) => ChannelAdapter[],
): Promise<ConsoleWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'minqing-console-'));
  const own = env['DATABASE_URL'] === undefined;
  // On PostgreSQL, a copy of the demo database; on SQLite, a copy of its file in `dir`.
  const postgres = own && on?.name === 'PostgreSQL' ? await demoDatabaseUrl(on) : undefined;
  if (own && !postgres) copyFileSync(inject('sqliteDemoTemplate'), join(dir, 'console.db'));
  // The scheduler ticks at start and then hourly: tests tick it by hand when they need to.
  const config = parseConfig({
    DATABASE_URL: postgres?.url ?? `file:${join(dir, 'console.db')}`,
    SEED_DEMO: own ? 'false' : 'true',
    SEED_DEMO_HISTORY_MONTHS: '0',
    SCHEDULER_INTERVAL_MS: '3600000',
    ...env,
  });
  const clock = new FakeClock(START);
  const opened: { app?: App } = {};
  const routes = createWebRoutes({ app: () => opened.app, config, uploadDir: join(dir, 'uploads') });
  // The web server as start.ts makes it, on the fake clock.
  const web = createWebAdapter({
    port: 0,
    host: '127.0.0.1',
    database: () => opened.app?.database,
    uploadDir: join(dir, 'uploads'),
    routes,
    clock,
    uploadLimits: uploadLimitsFrom(config),
    sessionIdleMinutes: config.SESSION_IDLE_MINUTES,
    trustProxy: config.TRUST_PROXY,
    http: httpLimitsFrom(config),
  });
  const database = () => opened.app?.database;
  const app = (opened.app = await startApp(config, { adapters: [web, ...(channels?.(database, clock) ?? [])], clock }));
  return {
    app,
    db: app.database.db,
    web,
    clock,
    base: `http://127.0.0.1:${web.port}`,
    dir,
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
      void postgres?.drop().catch(() => undefined);
    },
  };
}

/** The console world of a suite: as ConsoleWorld, stopped by the suite itself. */
export type SuiteConsoleWorld = Omit<ConsoleWorld, 'stop'>;

/**
 * The console world of the enclosing suite on `kind` (startConsoleWorld's `env` and
 * `channels`): started before the suite's tests and before the beforeAll hooks declared
 * after this call, so those hooks read it as they would a world they started; stopped
 * after the suite's last test and its other afterAll hooks.
 */
export function consoleWorldFor(kind: TestDatabaseKind, env: Record<string, string> = {}, channels?: Parameters<typeof startConsoleWorld>[2]): SuiteConsoleWorld {
  let started: ConsoleWorld | undefined;
  beforeAll(async () => {
    started = await startConsoleWorld(env, kind, channels);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const world = (): ConsoleWorld => {
    if (!started) throw new Error('the console world is read before its suite has started it (read it in hooks and tests)');
    return started;
  };
  // Every field is read from the started world.
  return new Proxy({} as SuiteConsoleWorld, { get: (_target, field) => Reflect.get(world(), field) as unknown });
}

/** A browser-like client: keeps cookies per name, never follows redirects by itself. */
export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  /** The session's CSRF token, read from the last page that had a form. */
  csrf = '';

  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, { redirect: 'manual', headers: { cookie: this.cookieHeader(), ...headers } });
    this.keep(res);
    return res;
  }

  /** GET and read the body as text (and pick up a CSRF token from it). */
  async page(path: string): Promise<{ status: number; text: string; res: Response }> {
    const res = await this.get(path);
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, text, res };
  }

  /** Posts a form; the session's CSRF token goes in unless `_csrf` is given. */
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields });
    const res = await fetch(this.base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    this.keep(res);
    return res;
  }

  /** Posts a form with files (multipart/form-data, as a browser sends a form with a file input); the CSRF token as `post`. */
  async postFiles(path: string, fields: Record<string, string | string[]>, files: { field: string; name: string; type: string; bytes: Buffer }[]): Promise<Response> {
    const body = new FormData();
    for (const [name, value] of Object.entries({ _csrf: this.csrf, ...fields })) for (const one of [value].flat()) body.append(name, one);
    for (const file of files) body.append(file.field, new Blob([file.bytes], { type: file.type }), file.name);
    const res = await fetch(this.base + path, { method: 'POST', redirect: 'manual', headers: { cookie: this.cookieHeader() }, body });
    this.keep(res);
    return res;
  }

  /** Opens the login page and logs in; returns the login POST's answer. */
  async login(username: string, password = DEMO_PASSWORD): Promise<Response> {
    await this.page('/console/login');
    const res = await this.post('/console/login', { username, password, next: '/console/queue' });
    if (res.status === 303) await this.page('/console/queue');
    return res;
  }
}

/** A logged-in client. */
export async function loggedIn(base: string, username: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(base);
  const res = await client.login(username);
  if (res.status !== 303) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  return client;
}

/** Files a request as the resident with `code` through the pipeline; returns its number. */
export async function report(app: App, code: string, summary: string, categoryCode = 'power', extra: { contactPhone?: string; description?: string } = {}): Promise<string> {
  const resident = await app.database.db.person.findUniqueOrThrow({ where: { code } });
  const outcome = await app.pipeline.report({
    residentId: resident.id,
    categoryCode,
    kind: 'help',
    summary,
    description: extra.description ?? summary,
    ...(extra.contactPhone ? { contactPhone: extra.contactPhone } : {}),
  });
  if (!outcome.ok) throw new Error(`report refused: ${JSON.stringify(outcome.refusal)}`);
  return outcome.ticket.number;
}
