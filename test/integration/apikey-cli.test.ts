/**
 * `npm run apikey` as an administrator runs it, a child process on a demo database of
 * each kind: create prints the key as its last line (and only its hash is stored), list
 * shows keys without them, revoke makes the key useless; mistakes are one line and an
 * exit code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { authenticateApiKey, hashApiKey } from '../../src/open311/keys.js';
import { runCli } from '../helpers/cli.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('npm run apikey', () => {
    let database: TestDatabase;
    let dir: string;

    beforeAll(async () => {
      database = await kind.fresh({ demo: true });
      dir = mkdtempSync(join(tmpdir(), 'minqing-apikey-'));
    });

    afterAll(async () => {
      await database?.dispose();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const apikey = (args: string[]) => runCli('apikey', args, { cwd: dir, databaseUrl: database.url });

    test('create prints the key last, once; list shows it without the key; revoke ends it', async () => {
      const created = await apikey(['create', '--name', 'qh-12345', '--region', 'QH-01', '--scope', 'open311:write', '--scope', 'read']);
      expect(created.code, created.stderr).toBe(0);
      const lines = created.stdout.trim().split('\n');
      const key = lines.at(-1)!;
      expect(key).toMatch(/^mq_[\w-]{43}$/);
      expect(lines.slice(0, -1).join('\n')).toMatch(/qh-12345.*open311:write, read/);
      const stored = await database.db.apiKey.findUniqueOrThrow({ where: { name: 'qh-12345' } });
      expect(stored.keyHash).toBe(hashApiKey(key));
      expect(JSON.stringify(stored)).not.toContain(key);
      const live = await authenticateApiKey(database.db, key, new Date());
      expect(live).toMatchObject({ name: 'qh-12345', regionCode: 'QH-01', scopes: ['open311:write', 'read'] });

      const second = await apikey(['create', '--name', 'city-app']);
      expect(second.code, second.stderr).toBe(0);
      expect((await authenticateApiKey(database.db, second.stdout.trim().split('\n').at(-1)!, new Date()))?.scopes).toEqual(['open311:write']);

      // A write key acts as a console user, whose region holds the key's.
      const writer = await apikey(['create', '--name', 'qh-01-workflow', '--region', 'QH-01-001', '--scope', 'read,write', '--as', 'dsp-qh-01']);
      expect(writer.code, writer.stderr).toBe(0);
      expect(writer.stdout).toMatch(/代表 dsp-qh-01.*\n.*acts as dsp-qh-01/);
      expect(await authenticateApiKey(database.db, writer.stdout.trim().split('\n').at(-1)!, new Date())).toMatchObject({ scopes: ['read', 'write'], actsAsUsername: 'dsp-qh-01' });

      const listed = await apikey(['list']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toContain(key);
      expect(listed.stdout.trim().split('\n')).toEqual([
        expect.stringMatching(/^city-app\topen311:write\t-\tacts as -\tcreated .*\tlast used .*\t有效 live$/),
        expect.stringMatching(/^qh-01-workflow\tread,write\tQH-01-001\tacts as dsp-qh-01\tcreated .*\t有效 live$/),
        expect.stringMatching(/^qh-12345\topen311:write,read\tQH-01\tacts as -\tcreated .*\tlast used 20\d\d-.*\t有效 live$/),
      ]);

      const revoked = await apikey(['revoke', 'qh-12345']);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(await authenticateApiKey(database.db, key, new Date())).toBeNull();
      expect((await apikey(['list'])).stdout).toMatch(/qh-12345.*已吊销 revoked/);
    });

    test('mistakes: a taken name, an unknown region, a second revoke: one line and exit code 1', async () => {
      await apikey(['create', '--name', 'taken']);
      await database.db.staffAccount.update({ where: { username: 'sup-qh' }, data: { disabledAt: new Date() } });
      const cases: [string[], RegExp][] = [
        [['create', '--name', 'taken'], /a key named taken exists already/],
        [['create', '--name', 'x', '--region', 'XX-9'], /no region with the code XX-9/],
        [['revoke', 'nobody'], /no key named nobody/],
        // Writing is done as somebody, who is live, and within their regions.
        [['create', '--name', 'w1', '--scope', 'write'], /a write key acts as a console user: add --as USERNAME/],
        [['create', '--name', 'w2', '--scope', 'read', '--as', 'dsp-qh-01'], /only a write key acts as a console user/],
        [['create', '--name', 'w3', '--scope', 'write', '--as', 'nobody'], /no console user named nobody/],
        [['create', '--name', 'w4', '--scope', 'write', '--as', 'dsp-qh-01', '--region', 'QH-02'], /the key's region lies outside the regions of dsp-qh-01/],
        [['create', '--name', 'w5', '--scope', 'write', '--as', 'sup-qh'], /the console user sup-qh is disabled/],
      ];
      for (const [args, pattern] of cases) {
        const result = await apikey(args);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr, args.join(' ')).toMatch(pattern);
        expect(result.stdout, args.join(' ')).toBe('');
      }
      await apikey(['revoke', 'taken']);
      const again = await apikey(['revoke', 'taken']);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/was revoked already/);
    });

    // Refused before the database is asked anything: once is enough.
    test.skipIf(kind.name !== 'SQLite')('bad arguments, a bad name or scope: one line and exit code 2 or 1', async () => {
      const cases: [string[], number, RegExp][] = [
        [['create', '--name', 'x', '--scope', 'admin'], 1, /unknown scope: admin/],
        [['create', '--name', 'has space'], 1, /the name may use lower-case letters/],
        // Names are looked for with LIKE: no wildcard, no capital (another key's requests would match).
        [['create', '--name', 'city_app'], 1, /the name may use lower-case letters/],
        [['create', '--name', 'City-App'], 1, /the name may use lower-case letters/],
        [['create'], 2, /usage: npm run apikey/],
        [['delete', 'taken'], 2, /usage: npm run apikey/],
        [['list', '--colour'], 2, /Unknown option/],
      ];
      for (const [args, code, pattern] of cases) {
        const result = await apikey(args);
        expect(result.code, args.join(' ')).toBe(code);
        expect(result.stderr, args.join(' ')).toMatch(pattern);
        expect(result.stdout, args.join(' ')).toBe('');
      }
    });
  });
});
