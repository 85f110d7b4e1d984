/**
 * A month's 包户 coverage of a region broken down by the places below it: townships (for
 * the county), villages (for the county or a township) and grids, with the region's
 * total. The statistics page shows it (src/web/console/stats-coverage.ts); the visit
 * log shows the grids (the grid leader's view).
 */
import type { Db } from '../db/client.js';
import { sqlOf } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery } from '../db/sql.js';
import { addInto, type CoverageFigures, type CoverageLine, emptyFigures } from './month-coverage.js';

/** One place's figures: `key` is its id (empty for the households in no grid). */
interface PlaceRow {
  key: string;
  label: string;
  figures: CoverageFigures;
}

const gridNamesQuery = defineQuery('visit_grid_names', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('Grid as g')
    .innerJoin('Region as r', 'r.id', 'g.regionId')
    .select(['g.id', 'g.code', 'g.name', 'r.name as village'])
    .where(oneOf(dialect, 'g.id', p.ids)),
);

/** Sums `lines` per key; `keyOf` null leaves a line out. */
function sumBy(lines: readonly CoverageLine[], keyOf: (line: CoverageLine) => string | null): Map<string, CoverageFigures> {
  const sums = new Map<string, CoverageFigures>();
  for (const line of lines) {
    const key = keyOf(line);
    if (key === null) continue;
    let sum = sums.get(key);
    if (!sum) sums.set(key, (sum = emptyFigures()));
    addInto(sum, line.figures);
  }
  return sums;
}

/** One row per grid of `lines` (counted by grid), in grid code order; the households in no grid last. */
export async function gridRows(db: Db, lines: readonly CoverageLine[]): Promise<PlaceRow[]> {
  const sums = sumBy(lines, (line) => String(line.gridId ?? ''));
  const ids = [...sums.keys()].filter((key) => key !== '').map(Number);
  const grids = (await all(sqlOf(db), gridNamesQuery, { ids })).sort((a, b) => a.code.localeCompare(b.code));
  const rows = grids.map((g) => ({ key: String(g.id), label: `${g.village} ${g.name}`, figures: sums.get(String(g.id)) ?? emptyFigures() }));
  const none = sums.get('');
  if (none) rows.push({ key: '', label: '未入网格 in no grid', figures: none });
  return rows;
}
