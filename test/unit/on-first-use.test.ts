import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { methodsOnFirstUse, onFirstUse } from '../../src/on-first-use.js';

const root = new URL('../..', import.meta.url).pathname;

describe('onFirstUse', () => {
  test('loads on the first call only, once for calls side by side, and keeps the result', async () => {
    let loads = 0;
    const load = onFirstUse(() => Promise.resolve({ n: ++loads }));
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([load(), load()]);
    expect(loads).toBe(1);
    expect(a).toBe(b);
    expect(await load()).toBe(a);
    expect(loads).toBe(1);
  });

  test('a failed load is forgotten: the next call tries again', async () => {
    let loads = 0;
    const load = onFirstUse(() => {
      loads++;
      return loads === 1 ? Promise.reject(new Error('not there yet')) : Promise.resolve('loaded');
    });
    await expect(load()).rejects.toThrow('not there yet');
    expect(await load()).toBe('loaded');
    expect(await load()).toBe('loaded');
    expect(loads).toBe(2);
  });
});

interface Greeter {
  greet(name: string): Promise<string>;
  count(): Promise<number>;
}

describe('methodsOnFirstUse', () => {
  test('makes the object on the first call of any method, once, and passes every call on with its arguments', async () => {
    let made = 0;
    const calls: string[] = [];
    const greeter = methodsOnFirstUse<Greeter>({ greet: true, count: true }, () => {
      made++;
      return Promise.resolve({
        greet: (name) => {
          calls.push(name);
          return Promise.resolve(`你好，${name}`);
        },
        count: () => Promise.resolve(calls.length),
      });
    });
    expect(made).toBe(0);
    expect(await Promise.all([greeter.greet('张三'), greeter.greet('李四')])).toEqual(['你好，张三', '你好，李四']);
    expect(await greeter.count()).toBe(2);
    expect(made).toBe(1);
  });

  test('a method that fails fails its caller, as it would called directly', async () => {
    const greeter = methodsOnFirstUse<Greeter>({ greet: true, count: true }, () =>
      Promise.resolve({
        greet: () => Promise.reject(new Error('refused')),
        count: () => Promise.resolve(0),
      }),
    );
    await expect(greeter.greet('王五')).rejects.toThrow('refused');
    expect(await greeter.count()).toBe(0);
  });
});

/** Modules a serving process loads on first use only (README, "Memory"): none of them may load with the app and its web routes. */
const DEFERRED = [
  'src/api/tickets.ts',
  'src/api/routes.ts',
  'src/open311/requests.ts',
  'src/web/public-board.ts',
  'src/web/console/router.ts',
  'src/stats/query.ts',
  'src/surveys/surveys.ts',
  'src/assistance/chat.ts',
  'src/ledger/chat.ts',
  'src/meetings/chat.ts',
  'src/mediation/chat.ts',
  'src/intake/chat.ts',
];

/**
 * In a process of its own (another test file may have loaded them in this worker): a
 * resolve hook writes each module resolved to a file, the app and its web routes are
 * imported, and the modules resolved are read back.
 */
const SCRIPT = `
import { register } from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const file = join(mkdtempSync(join(tmpdir(), 'minqing-modules-')), 'resolved.txt');
const hook = "import { appendFileSync } from 'node:fs'; let file; export function initialize(data) { file = data.file; } export async function resolve(specifier, context, next) { const r = await next(specifier, context); appendFileSync(file, r.url + '\\\\n'); return r; }";
register('data:text/javascript,' + encodeURIComponent(hook), { data: { file } });
await import(${JSON.stringify(join(root, 'src/app.ts'))});
await import(${JSON.stringify(join(root, 'src/web/routes.ts'))});
const root = ${JSON.stringify(root)};
const loaded = [...new Set(readFileSync(file, 'utf8').split('\\n').filter((url) => url.startsWith('file://' + root)).map((url) => url.slice(('file://' + root).length)))];
console.log(JSON.stringify(loaded));
`;

test('the app and its web routes load without the REST API, the public board, the console, or the chat modules behind the effects', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: root });
  const loaded = JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as string[];
  // What the app itself needs is there (the hook saw the imports), the flows that declare those chat modules' effects (chatModule) among it…
  expect(loaded).toEqual(
    expect.arrayContaining(['src/app.ts', 'src/engine/effects.ts', 'src/webhooks/delivery.ts', 'src/web/routes.ts', 'src/on-first-use.ts', 'flows/ledger.ts', 'flows/survey.ts']),
  );
  // …and none of what waits for its first use.
  expect(loaded.filter((path) => DEFERRED.includes(path))).toEqual([]);
});
