/**
 * Files of the project (data/, prisma/, assets) by their path from the project's root,
 * the same whether the code runs from its TypeScript sources (tsx, the tests) or from
 * the compiled copy in dist/ that `npm start` runs: a path relative to a module would
 * point into dist/ there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
/** The nearest folder above this module that holds package.json: the project's root. */
function findRoot() {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json'))) {
        const parent = dirname(dir);
        if (parent === dir)
            throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
        dir = parent;
    }
    return dir;
}
export const PROJECT_ROOT = findRoot();
/** An absolute path from project-relative segments, e.g. `projectPath('data', 'calendar')`. */
export function projectPath(...segments) {
    return join(PROJECT_ROOT, ...segments);
}
/**
 * The command line `npm start` runs the server with (package.json's start script, after
 * its build): node, its flags, the compiled entry point. The start test and the memory
 * benchmark run the product the same way by reading it here.
 */
export function startCommand() {
    const { scripts } = JSON.parse(readFileSync(projectPath('package.json'), 'utf8'));
    const words = (scripts['start'] ?? '').split('&&').at(-1)?.trim().split(/\s+/) ?? [];
    const entry = words.at(-1);
    if (words[0] !== 'node' || !entry?.endsWith('.js'))
        throw new Error(`package.json start script: expected "… && node [flags] dist/….js", got ${scripts['start']}`);
    return { flags: words.slice(1, -1), entry: projectPath(entry) };
}
/** The node flags of `npm start` (see {@link startCommand}). */
export function startScriptFlags() {
    return startCommand().flags;
}
