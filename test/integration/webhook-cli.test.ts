/**
 * `npm run webhook` as an administrator runs it, a child process on a demo database of
 * each kind: create prints the signing secret as its last line (the one that signs the
 * deliveries), list shows subscribers without it, pause / resume / delete act by name;
 * mistakes are one line and an exit code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { subscriberNamed } from '../../src/webhooks/subscribers.js';
import { runCli } from '../helpers/cli.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('npm run webhook', () => {
    let database: TestDatabase;
    let dir: string;

    beforeAll(async () => {
      database = await kind.fresh({ demo: true });
      dir = mkdtempSync(join(tmpdir(), 'minqing-webhook-'));
    });

    afterAll(async () => {
      await database?.dispose();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const webhook = (args: string[]) => runCli('webhook', args, { cwd: dir, databaseUrl: database.url });

    test('create prints the secret last, once; list shows the subscriber without it; pause, resume and delete act by name', async () => {
      const created = await webhook([
        'create',
        '--name',
        'city-dashboard',
        '--url',
        'https://dash.example.org/hook',
        '--events',
        'ticket.created,ticket.rated',
        '--region',
        'QH-01',
      ]);
      expect(created.code, created.stderr).toBe(0);
      const lines = created.stdout.trim().split('\n');
      const secret = lines.at(-1)!;
      expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      expect(lines.slice(0, -1).join('\n')).toMatch(/city-dashboard.*ticket.created, ticket.rated/);
      // The secret signs the deliveries: it is the one stored.
      expect((await database.db.webhookSubscriber.findUniqueOrThrow({ where: { name: 'city-dashboard' } })).secret).toBe(secret);

      const listed = await webhook(['list']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toContain(secret);
      expect(listed.stdout.trim()).toMatch(/^city-dashboard\thttps:\/\/dash.example.org\/hook\tticket.created,ticket.rated\tQH-01\tcreated .*\t运行 active$/);

      expect((await webhook(['pause', 'city-dashboard'])).code).toBe(0);
      expect((await subscriberNamed(database.db, 'city-dashboard'))?.pauseReason).toBe('admin');
      expect((await webhook(['list'])).stdout).toMatch(/已暂停 paused .*\(admin\)/);
      expect((await webhook(['resume', 'city-dashboard'])).code).toBe(0);
      expect((await subscriberNamed(database.db, 'city-dashboard'))?.pausedAt).toBeNull();
      expect((await webhook(['delete', 'city-dashboard'])).code).toBe(0);
      expect(await subscriberNamed(database.db, 'city-dashboard')).toBeNull();
    });

    test('mistakes: a taken name, an unknown region or event, a bad URL, resuming what runs: one line and exit code 1; bad arguments exit 2', async () => {
      await webhook(['create', '--name', 'taken', '--url', 'http://127.0.0.1:9/hook', '--events', 'ticket.created']);
      const cases: [string[], number, RegExp][] = [
        [['create', '--name', 'taken', '--url', 'http://x.example/h', '--events', 'ticket.created'], 1, /a subscriber named taken exists already/],
        [['create', '--name', 'x', '--url', 'http://x.example/h', '--events', 'ticket.created', '--region', 'XX-9'], 1, /no region with the code XX-9/],
        [['create', '--name', 'x', '--url', 'http://x.example/h', '--events', 'ticket.deleted'], 1, /unknown event: ticket.deleted/],
        [['create', '--name', 'x', '--url', 'ftp://x.example/h', '--events', 'ticket.created'], 1, /the URL must be http\(s\)/],
        [['resume', 'taken'], 1, /taken is not paused/],
        [['pause', 'nobody'], 1, /no subscriber named nobody/],
        [['create', '--name', 'x'], 2, /usage: npm run webhook/],
        [['revoke', 'taken'], 2, /usage: npm run webhook/],
      ];
      for (const [args, code, pattern] of cases) {
        const result = await webhook(args);
        expect(result.code, args.join(' ')).toBe(code);
        expect(result.stderr, args.join(' ')).toMatch(pattern);
        expect(result.stdout, args.join(' ')).toBe('');
      }
    });
  });
});
