/**
 * Seeding the demo county 青禾县: the default categories and the demo roster, through
 * the same importer as any real roster (strict, idempotent), and the demo console
 * accounts (password DEMO_PASSWORD, see the README).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/client.js';
import { DataError } from '../errors.js';
import { formatProblem, importRoster, type ImportOptions, type ImportReport } from './import/index.js';
import { seedDemoAccounts } from './staff-accounts.js';
import { projectPath } from '../paths.js';

/** The data/ folder of the repository. */
export const DATA_DIR = `${projectPath('data')}/`;

/** The files seedDemo imports: data/categories.csv and data/demo/*.csv. */
export function demoFiles(dataDir = DATA_DIR): string[] {
  const demo = join(dataDir, 'demo');
  const csv = readdirSync(demo)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(demo, name));
  return [join(dataDir, 'categories.csv'), ...csv];
}

/**
 * Imports the categories and the demo roster (strict), and adds the demo console
 * accounts that are missing. Running it again changes nothing.
 * @returns the import report (no problems).
 * @throws DataError when the demo files have problems (nothing is written then).
 */
export async function seedDemo(db: Db, options: Pick<ImportOptions, 'onProgress'> = {}): Promise<ImportReport> {
  const report = await importRoster(db, demoFiles(), { strict: true, ...options });
  if (report.problems.length > 0) {
    const shown = report.problems.slice(0, 5).map(formatProblem).join('\n');
    throw new DataError(`demo data has ${report.problems.length} problem(s), nothing seeded:\n${shown}`);
  }
  await seedDemoAccounts(db, new Date());
  return report;
}

/**
 * True when the database holds the demo county and nothing else: every region is one of
 * data/demo/regions.csv. The demo history is played only then, never among a real
 * county's residents (`npm run seed` on a database with a real roster and no tickets).
 */
export async function holdsOnlyDemo(db: Db, dataDir = DATA_DIR): Promise<boolean> {
  const lines = readFileSync(join(dataDir, 'demo', 'regions.csv'), 'utf8')
    .split(/\r?\n/)
    .slice(1);
  const demo = new Set(lines.map((line) => line.split(',')[0]?.trim()).filter((code) => code));
  const regions = await db.region.findMany({ select: { code: true } });
  return regions.length > 0 && regions.every((r) => demo.has(r.code));
}
