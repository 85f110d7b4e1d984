import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const root = new URL('../../../..', import.meta.url).pathname;

/**
 * In a process of its own: what another test file loaded in this worker must not count.
 * It loads the web adapter (Botkit with it), reports which of the lazy modules are in
 * Node's module cache, then uses them through the stand-ins.
 */
const SCRIPT = `
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(root, 'package.json'))});
const packageOf = (file) => [...file.matchAll(/node_modules\\/((?:@[^/]+\\/)?[^/]+)/g)].at(-1)?.[1] ?? '';
const loaded = () => [...new Set(Object.keys(require.cache).map(packageOf).filter((name) => /recognizers-text|msal-node/.test(name)))].sort();
await import(${JSON.stringify(join(root, 'bots/web/web-adapter.ts'))});
const atStart = loaded();
const dialogs = require('botbuilder-dialogs');
const culture = dialogs.PromptCultureModels.Chinese.locale;
const choices = [dialogs.recognizeChoices('2', ['red', 'blue']), dialogs.recognizeChoices('the second one', ['red', 'blue'])].map((r) => r[0]?.resolution.value);
const guid = new (require('@azure/msal-node').CryptoProvider)().createNewGuid();
console.log(JSON.stringify({ atStart, culture, choices, guid, after: loaded() }));
`;

test('Botkit loads without the text recognizers and MSAL; they load, and work, on first use', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: root });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { atStart: string[]; culture: string; choices: string[]; guid: string; after: string[] };
  // Only the recognizers' small base package (the culture names botbuilder-dialogs reads as it loads).
  expect(result.atStart).toEqual(['@microsoft/recognizers-text']);
  expect(result.culture).toBe('zh-cn');
  // "2" and "the second one" both pick the second choice: the number recognizer at work.
  expect(result.choices).toEqual(['blue', 'blue']);
  expect(result.guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
  expect(result.after).toEqual(expect.arrayContaining(['@microsoft/recognizers-text-number', '@azure/msal-node']));
});

/** Loads the web adapter, then reports the zod module files in the cache, and whether Botkit's zod still works. */
const ZOD_SCRIPT = `
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(root, 'package.json'))});
await import(${JSON.stringify(join(root, 'bots/web/web-adapter.ts'))});
const copies = [...new Set(Object.keys(require.cache).flatMap((file) => /^(.*\\/node_modules\\/zod)\\//.exec(file)?.[1] ?? []))].sort();
const dependents = ['botbuilder', 'botbuilder-core', 'botbuilder-dialogs', 'botframework-connector', 'botframework-schema'];
const seen = dependents.map((name) => createRequire(require.resolve(name))('zod'));
const { z } = seen[0];
const parsed = z.object({ id: z.string() }).nonstrict().safeParse({ id: 'a', extra: 1 });
console.log(JSON.stringify({ copies, same: seen.every((zod) => zod === seen[0]), parsed: parsed.success }));
`;

test('the five nested copies of zod 3 under Botkit load as one module (and it is zod 3, as they expect)', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ZOD_SCRIPT], { cwd: root });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { copies: string[]; same: boolean; parsed: boolean };
  // One nested copy, whichever Botkit reached first; our own zod 4 at the root is not touched.
  expect(result.copies.filter((dir) => /node_modules\/[^/]+\/node_modules\/zod$/.test(dir))).toHaveLength(1);
  expect(result.same).toBe(true);
  // `.nonstrict()` exists only in zod 3: the instance they share is theirs.
  expect(result.parsed).toBe(true);
});
