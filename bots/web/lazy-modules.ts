/**
 * Modules Botkit brings in and this product never runs, loaded on first use instead of
 * at start. Import this before `botkit` (web-adapter.ts does, first).
 *
 * - Botkit's core loads botbuilder-dialogs, whose prompts load Microsoft's text
 *   recognizers (number, choice, date-time, and the suite of them) as they load: some
 *   8 MB of source, two-byte strings in V8 for their Chinese patterns, and the objects
 *   they build. Our dialogues are our own flows (flows/); Botkit's prompts never run.
 * - The Bot Framework connector loads MSAL (two versions) for Azure sign-in, which the
 *   web chat does not use.
 *
 * Loaded, they held ~33 MiB of the serving process's RSS (`require('botkit')` alone:
 * +85 MiB with them, +52 MiB without), a sixth of its budget (`npm run bench -- --only
 * sessions`). Here a `require` of one of them returns a stand-in that loads the real
 * module the first time anything is read from it, so a dialog or sign-in that does use
 * one still works (test/unit/bots/web/lazy-modules.test.ts).
 *
 * And one module instance for identical copies: npm installs zod 3 five times, nested under
 * botbuilder, botbuilder-core, botbuilder-dialogs, botframework-connector and
 * botframework-schema (the root holds our zod 4, so theirs cannot be hoisted), and Node
 * loads each as a module of its own: +9.6 MiB RSS for the five, where one copy would do.
 * Here a nested copy of a package in SHARED resolves to the first one loaded of the same
 * version; a copy of another version keeps its own.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';

/** Node's CommonJS loader; `_load` is what every `require` calls, `_resolveFilename` finds the file a request loads. */
interface CommonJsLoader {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
}

/** Packages installed nested, once per dependent, in identical copies. */
const SHARED = new Set(['zod']);

/** The version of the nested copy of `name` that `file` belongs to; null when it is not a nested copy. */
function nestedCopyVersion(file: string, name: string): string | null {
  const marker = `${sep}node_modules${sep}${name}${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0 || !file.slice(0, at).includes(`${sep}node_modules${sep}`)) return null;
  const manifest = JSON.parse(readFileSync(join(file.slice(0, at + marker.length), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : null;
}

const LAZY = new Set([
  '@microsoft/recognizers-text-suite',
  '@microsoft/recognizers-text-number',
  '@microsoft/recognizers-text-choice',
  '@microsoft/recognizers-text-date-time',
  '@azure/msal-node',
]);

/**
 * Read from the suite as botbuilder-dialogs loads (its table of prompt cultures): taken
 * from the recognizers' small base package, which the suite re-exports it from.
 */
const EAGER_KEYS: Record<string, { from: string; key: string }> = {
  Culture: { from: '@microsoft/recognizers-text', key: 'Culture' },
};

const loader = createRequire(import.meta.url)('node:module') as CommonJsLoader;
const marker = Symbol.for('minqing.lazyModules');

function install(): void {
  const holder = loader as unknown as Record<symbol, boolean>;
  if (holder[marker]) return;
  holder[marker] = true;
  const resolve = loader._resolveFilename.bind(loader);
  const firstCopies = new Map<string, string>();
  loader._resolveFilename = function sharedCopy(request: string, parent: unknown, isMain: boolean, options?: unknown): string {
    const file = resolve(request, parent, isMain, options);
    const version = SHARED.has(request) ? nestedCopyVersion(file, request) : null;
    if (version === null) return file;
    const key = `${request}@${version}`;
    const first = firstCopies.get(key);
    if (first !== undefined) return first;
    firstCopies.set(key, file);
    return file;
  };
  const load = loader._load.bind(loader);
  loader._load = function lazyLoad(request: string, parent: unknown, isMain: boolean): unknown {
    if (!LAZY.has(request)) return load(request, parent, isMain);
    let real: object | undefined;
    const module = (): object => (real ??= load(request, parent, isMain) as object);
    return new Proxy(
      {},
      {
        get(_target, key) {
          // TypeScript's import helpers take a module marked so as it is, without reading its keys.
          if (key === '__esModule' && real === undefined) return true;
          const eager = typeof key === 'string' && real === undefined ? EAGER_KEYS[key] : undefined;
          if (eager) return (load(eager.from, parent, false) as Record<string, unknown>)[eager.key];
          return Reflect.get(module(), key) as unknown;
        },
        has: (_target, key) => Reflect.has(module(), key),
        ownKeys: () => Reflect.ownKeys(module()),
        getOwnPropertyDescriptor(_target, key) {
          const descriptor = Reflect.getOwnPropertyDescriptor(module(), key);
          // A proxy may not report a property its (empty) target lacks as non-configurable.
          return descriptor && { ...descriptor, configurable: true };
        },
      },
    );
  };
}

install();
