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
 */
import { createRequire } from 'node:module';
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
const EAGER_KEYS = {
    Culture: { from: '@microsoft/recognizers-text', key: 'Culture' },
};
const loader = createRequire(import.meta.url)('node:module');
const marker = Symbol.for('minqing.lazyModules');
function install() {
    const holder = loader;
    if (holder[marker])
        return;
    holder[marker] = true;
    const load = loader._load.bind(loader);
    loader._load = function lazyLoad(request, parent, isMain) {
        if (!LAZY.has(request))
            return load(request, parent, isMain);
        let real;
        const module = () => (real ??= load(request, parent, isMain));
        return new Proxy({}, {
            get(_target, key) {
                // TypeScript's import helpers take a module marked so as it is, without reading its keys.
                if (key === '__esModule' && real === undefined)
                    return true;
                const eager = typeof key === 'string' && real === undefined ? EAGER_KEYS[key] : undefined;
                if (eager)
                    return load(eager.from, parent, false)[eager.key];
                return Reflect.get(module(), key);
            },
            has: (_target, key) => Reflect.has(module(), key),
            ownKeys: () => Reflect.ownKeys(module()),
            getOwnPropertyDescriptor(_target, key) {
                const descriptor = Reflect.getOwnPropertyDescriptor(module(), key);
                // A proxy may not report a property its (empty) target lacks as non-configurable.
                return descriptor && { ...descriptor, configurable: true };
            },
        });
    };
}
install();
