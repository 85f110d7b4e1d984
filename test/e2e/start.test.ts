/**
 * `npm start` as a user runs it: the project compiled (its build step), then the command
 * line of package.json's start script (node, its flags, dist/src/cli/start.js) in a real
 * child process on a fresh SQLite file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { startCommand } from '../../src/paths.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'minqing-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The build step of `npm start` (incremental: seconds when dist/ is up to date).
beforeAll(async () => {
  const build = spawn(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  build.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  build.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  expect(await exitOf(build), output).toBe(0);
}, 180_000);

function start(env: Record<string, string>): { child: ChildProcess; output: () => { stdout: string; stderr: string } } {
  // No .env from the developer's checkout: the child runs in a clean folder.
  const { flags, entry } = startCommand();
  const child = spawn(process.execPath, [...flags, entry], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, output: () => ({ stdout, stderr }) };
}

/** A port nobody listens on now, for the web chat (PORT must be 1–65535, so not 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('npm start', () => {
  test('migrates and seeds an empty SQLite database with the demo county and its history, runs, and stops on SIGTERM', async () => {
    const url = `file:${join(dir, 'fresh', 'minqing.db')}`;
    // A short history keeps the test quick (the default is 6 months).
    const spawned = new Date();
    const { child, output } = start({ DATABASE_URL: url, PORT: String(await freePort()), SEED_DEMO_HISTORY_MONTHS: '1' });
    const exited = exitOf(child);
    const deadline = Date.now() + 90_000;
    while (!output().stdout.includes('Minqing is running') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output().stdout, output().stderr).toContain('Minqing is running');
    expect(output().stdout).toContain('played the demo history through the pipeline');
    const { db, close } = await openDatabase(url, { migrate: false });
    const counts = { regions: await db.region.count(), households: await db.household.count(), categories: await db.category.count() };
    // Last month and this one to date: a few hundred requests lived through the pipeline, no push waiting for a chat.
    const tickets = await db.ticket.count();
    const events = await db.ticketEvent.count();
    // (Timers falling due after start write new pushes: those wait for a chat, as they should.)
    const waiting = await db.outboxMessage.count({ where: { sentAt: null, failedAt: null, createdAt: { lt: spawned } } });
    const closed = await db.ticket.count({ where: { state: 'closed' } });
    // The month's theme 每月一题 is there on first start, with its tasks and requests.
    const theme = { themes: await db.theme.count(), tasks: await db.themeTask.count(), linked: (await db.themeTicket.count()) > 0 };
    await close();
    expect(counts).toEqual({ regions: 8, households: 450, categories: 14 });
    expect(tickets).toBeGreaterThan(100);
    expect(events).toBeGreaterThan(5 * tickets);
    expect(closed).toBeGreaterThan(tickets / 2);
    expect(waiting).toBe(0);
    expect(theme).toEqual({ themes: 1, tasks: 3, linked: true });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output().stdout).toContain('stopping');
  });

  test('a configured channel SDK is imported on demand: WeChat on the mock puppet starts beside the web chat', async () => {
    const url = `file:${join(dir, 'wechat', 'minqing.db')}`;
    const { child, output } = start({ DATABASE_URL: url, PORT: String(await freePort()), WECHATY_PUPPET: 'wechaty-puppet-mock', SEED_DEMO_HISTORY_MONTHS: '0' });
    const exited = exitOf(child);
    const deadline = Date.now() + 90_000;
    while (!output().stdout.includes('Minqing is running') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output().stdout, output().stderr).toContain('"channels":["web","wechat"]');
    expect(output().stdout).toContain('SMS channel off');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  test('with its settings the SMS channel starts, says so, and takes replies on the web port only with its secret', async () => {
    const url = `file:${join(dir, 'sms', 'minqing.db')}`;
    const port = await freePort();
    const secret = 'start-test-callback-secret-0123';
    const { child, output } = start({
      DATABASE_URL: url,
      PORT: String(port),
      SEED_DEMO_HISTORY_MONTHS: '0',
      SMS_ACCESS_KEY_ID: 'LTAI-test',
      SMS_ACCESS_KEY_SECRET: 'not-a-secret',
      SMS_SIGN_NAME: '民情通',
      SMS_TEMPLATE_RECEIPT: 'SMS_1',
      SMS_TEMPLATE_PROGRESS: 'SMS_2',
      SMS_TEMPLATE_RATING: 'SMS_3',
      SMS_TEMPLATE_GENERIC: 'SMS_4',
      SMS_CALLBACK_SECRET: secret,
      // Nothing listens there: no SMS is due in a county without history.
      SMS_ENDPOINT: 'http://127.0.0.1:9',
    });
    const exited = exitOf(child);
    const deadline = Date.now() + 90_000;
    while (!output().stdout.includes('Minqing is running') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output().stdout, output().stderr).toContain('"channels":["web","sms"]');
    expect(output().stdout).toContain('SMS channel on');
    expect(output().stdout).not.toContain('not-a-secret');
    const body = JSON.stringify([{ phone_number: '13900000000', content: '1', send_time: '2026-11-16 10:00:00', sign_name: '民情通', dest_code: '1', sequence_id: 1 }]);
    const replies = `http://127.0.0.1:${port}/sms/replies`;
    expect((await fetch(replies, { method: 'POST', body })).status).toBe(401);
    const taken = await fetch(`${replies}?token=${secret}`, { method: 'POST', body });
    expect(taken.status).toBe(200);
    expect(await taken.json()).toEqual({ code: 0, msg: '成功' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  test('a bad DATABASE_URL stops start-up with one clear line and no stack trace', async () => {
    const { child, output } = start({ DATABASE_URL: 'mysql://root@localhost/minqing' });
    expect(await exitOf(child)).toBe(2);
    expect(output().stderr.trim().split('\n')).toEqual(['配置错误 config error: DATABASE_URL: expected file:PATH (SQLite) or postgresql://USER:PASSWORD@HOST:PORT/DATABASE']);
  });

  test('each bad setting gets its own line', async () => {
    const { child, output } = start({ OFFICE_DAY_END: '25:00', CALLBACK_DAYS: 'three', LOG_LEVEL: 'loud' });
    expect(await exitOf(child)).toBe(2);
    const lines = output().stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toContain('配置错误 config error: OFFICE_DAY_END: expected a time of day as HH:MM, e.g. 17:30');
    expect(lines).toContain('配置错误 config error: CALLBACK_DAYS: expected a whole number from 1 to 30');
    expect(lines.some((l) => l.startsWith('配置错误 config error: LOG_LEVEL:'))).toBe(true);
  });

  test('an unreachable PostgreSQL server gives one line that does not show the password', async () => {
    const { child, output } = start({ DATABASE_URL: 'postgresql://minqing:s3cret@127.0.0.1:1/minqing' });
    expect(await exitOf(child)).toBe(1);
    const lines = output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^错误 error: cannot open the postgres database named by DATABASE_URL/);
    expect(output().stderr).not.toContain('s3cret');
  });
});
