/**
 * Writes docs/flows.md: every flow's entries and its steps as a Mermaid diagram.
 *
 *   npm run flows              rewrites the file
 *   npm run flows -- --check   exits 1 when the file differs from what the flows say (CI)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { flowsMarkdown } from '../engine/flow-diagram.js';
import { FLOWS } from '../engine/flows.js';
import { runCli } from './run-cli.js';
const PATH = fileURLToPath(new URL('../../docs/flows.md', import.meta.url));
await runCli(() => {
    const args = process.argv.slice(2);
    const check = args.includes('--check');
    const strays = args.filter((a) => a !== '--check');
    if (strays.length)
        throw new ConfigError([`unknown arguments ${strays.join(' ')}; usage: npm run flows [-- --check]`]);
    const wanted = flowsMarkdown(FLOWS);
    if (!check) {
        writeFileSync(PATH, wanted);
        console.log(`wrote ${PATH}`);
        return Promise.resolve(0);
    }
    let written = '';
    try {
        written = readFileSync(PATH, 'utf8');
    }
    catch {
        // Missing counts as stale.
    }
    if (written === wanted)
        return Promise.resolve(0);
    console.error('docs/flows.md is stale: run `npm run flows` and commit it');
    return Promise.resolve(1);
});
