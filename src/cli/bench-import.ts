/**
 * Import benchmark: generates a roster of N households (default 50,000) with the demo
 * generator, imports it into a fresh SQLite database in a temporary folder, imports it
 * again (idempotent: nothing to write), and prints times, rows/s and peak RSS.
 *
 *   npm run bench:import [-- --households N]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFreshSqlite } from '../db/scratch.js';
import { ConfigError } from '../errors.js';
import { categoriesCsv, writeDemoRoster } from '../org/demo-data.js';
import { formatSummary, importRoster, type ImportReport } from '../org/import/index.js';
import { setLogLevel } from '../log.js';
import { runCli } from './run-cli.js';

function parseArgs(args: readonly string[]): { households: number } {
  let households = 50_000;
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    if (args[i] === '--households' && value !== undefined && /^\d+$/.test(value) && Number(value) > 0) {
      households = Number(value);
      i++;
    } else {
      throw new ConfigError([`unexpected argument ${args[i]}; usage: npm run bench:import -- [--households N]`]);
    }
  }
  return { households };
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

const rowsOf = (report: ImportReport) => Object.values(report.counts).reduce((n, c) => n + c.read, 0);

await runCli(async () => {
  const { households } = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  const dir = mkdtempSync(join(tmpdir(), 'minqing-bench-'));
  try {
    const generated = performance.now();
    const { paths, roster } = writeDemoRoster(join(dir, 'roster'), { households });
    const categories = join(dir, 'categories.csv');
    writeFileSync(categories, categoriesCsv());
    const files = [categories, ...paths];
    console.log(
      `generated ${roster.stats.households} households, ${roster.stats.people} people, ` +
        `${roster.stats.grids} grids, ${roster.stats.pairings} pairings in ${((performance.now() - generated) / 1000).toFixed(1)} s`,
    );
    const database = await openFreshSqlite(`file:${join(dir, 'bench.db')}`);
    try {
      const first = await importRoster(database.db, files);
      const rows = rowsOf(first);
      console.log(formatSummary(first));
      console.log(`first import: ${(first.elapsedMs / 1000).toFixed(2)} s, ${Math.round(rows / (first.elapsedMs / 1000))} rows/s`);
      console.log(`write time per kind (ms): ${JSON.stringify(first.writeMs)}`);
      const mem = process.memoryUsage();
      console.log(`memory after first import: rss ${mib(mem.rss)} MiB, heap used ${mib(mem.heapUsed)} MiB, external ${mib(mem.external)} MiB`);
      const again = await importRoster(database.db, files);
      const changed = Object.values(again.counts).reduce((n, c) => n + c.created + c.updated, 0);
      console.log(`re-import:    ${(again.elapsedMs / 1000).toFixed(2)} s, ${Math.round(rows / (again.elapsedMs / 1000))} rows/s, ` + `${changed} rows changed`);
      console.log(`re-import write time per kind (ms): ${JSON.stringify(again.writeMs)}`);
      console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
      return first.problems.length + again.problems.length === 0 && changed === 0 ? 0 : 1;
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
