/**
 * Writes the demo roster (data/demo/*.csv) and the default categories
 * (data/categories.csv). Deterministic: running it again gives the same files.
 *
 *   npx tsx src/cli/demo-data.ts [--households N] [--out DIR]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { categoriesCsv, writeDemoRoster } from '../org/demo-data.js';
import { runCli } from './run-cli.js';
import { projectPath } from '../paths.js';
const DATA_DIR = `${projectPath('data')}/`;
await runCli(() => {
    const args = process.argv.slice(2);
    let households = 450;
    let out = join(DATA_DIR, 'demo');
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const value = args[i + 1];
        if (arg === '--households' && value !== undefined && /^\d+$/.test(value) && Number(value) > 0) {
            households = Number(value);
            i++;
        }
        else if (arg === '--out' && value !== undefined) {
            out = value;
            i++;
        }
        else {
            throw new ConfigError([`unexpected argument ${arg}; usage: tsx src/cli/demo-data.ts [--households N] [--out DIR]`]);
        }
    }
    const { paths, roster } = writeDemoRoster(out, { households });
    writeFileSync(join(DATA_DIR, 'categories.csv'), categoriesCsv());
    for (const path of paths)
        console.log(path);
    console.log(join(DATA_DIR, 'categories.csv'));
    console.log(JSON.stringify(roster.stats));
    return Promise.resolve(0);
});
