/**
 * A county of 50,000 households (the demo generator at scale) imports completely.
 * Counts are asserted, not time: `npm run bench:import` measures time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { categoriesCsv, writeDemoRoster } from '../../src/org/demo-data.js';
import { formatProblem, importRoster } from '../../src/org/import/index.js';
import { freshSqlite, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase | undefined;
let dir: string | undefined;

afterEach(async () => {
  await database?.dispose();
  database = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

test('50,000 households import with the expected counts', async () => {
  database = await freshSqlite();
  const { db } = database;
  dir = mkdtempSync(join(tmpdir(), 'minqing-large-'));
  const { paths, roster } = writeDemoRoster(dir, { households: 50_000 });
  const categories = join(dir, 'categories.csv');
  writeFileSync(categories, categoriesCsv());
  const { stats } = roster;
  expect(stats.households).toBe(50_000);
  expect(stats.liaisons).toBe(5_000);
  expect(stats.grids).toBeGreaterThan(1_650);

  const report = await importRoster(db, [...paths, categories], { strict: true });
  expect(report.problems.slice(0, 5).map(formatProblem)).toEqual([]);
  expect(report.counts.households).toMatchObject({ read: 50_000, created: 50_000, bad: 0 });
  expect(report.counts.people).toMatchObject({ read: stats.people, created: stats.people });
  expect(report.counts.pairings).toMatchObject({ read: 50_000, created: 50_000 });

  expect(await db.region.count({ where: { level: 'township' } })).toBe(stats.townships);
  expect(await db.region.count({ where: { level: 'village' } })).toBe(stats.villages);
  expect(await db.grid.count()).toBe(stats.grids);
  expect(await db.department.count()).toBe(stats.departments);
  expect(await db.household.count()).toBe(50_000);
  expect(await db.householdGrid.count()).toBe(stats.householdGrids);
  expect(await db.person.count()).toBe(stats.people);
  expect(await db.personRole.count()).toBe(stats.roles);
  expect(await db.personRole.count({ where: { role: 'grid_leader' } })).toBe(stats.gridLeaders);
  expect(await db.personRole.count({ where: { role: 'liaison' } })).toBe(5_000);
  expect(await db.pairing.count()).toBe(50_000);
  expect(await db.category.count()).toBe(14);
}, 600_000);
