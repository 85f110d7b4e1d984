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
import { type RegionNode, subtreeIds } from '../org/regions.js';
import { addInto, type CoverageFigures, type CoverageLine, coverageByGridLines, coverageByLiaison, emptyFigures } from './month-coverage.js';

/** The places a coverage breakdown is by. */
export type CoveragePlace = 'township' | 'village' | 'grid';

/** One place's figures: `key` is its id (empty for the households in no grid). */
export interface PlaceRow {
  key: string;
  label: string;
  figures: CoverageFigures;
}

export interface CoverageBreakdowns {
  total: CoverageFigures;
  /** The breakdowns the region has, largest places first. */
  breakdowns: { place: CoveragePlace; rows: PlaceRow[] }[];
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

/**
 * The month [from, to) of `region`: its total, and its breakdowns (townships for the
 * county, villages for the county or a township, grids always). `liaisonId` narrows to
 * one liaison's households; `gridId` to one grid's (then the grid is the only breakdown).
 */
export async function coverageBreakdowns(
  db: Db,
  regions: Map<number, RegionNode>,
  region: RegionNode,
  month: { from: Date; to: Date },
  filters: { liaisonId?: number; gridId?: number } = {},
): Promise<CoverageBreakdowns> {
  const villageIds = subtreeIds(regions, region.id).filter((id) => regions.get(id)?.level === 'village');
  const params = { regionIds: villageIds, ...month, liaisonId: filters.liaisonId ?? 0 };
  if (filters.gridId !== undefined) {
    const lines = await coverageByGridLines(db, { ...params, gridId: filters.gridId });
    const total = emptyFigures();
    for (const line of lines) addInto(total, line.figures);
    return { total, breakdowns: [{ place: 'grid', rows: await gridRows(db, lines) }] };
  }
  const [lines, byGrid] = await Promise.all([coverageByLiaison(db, params), coverageByGridLines(db, { ...params, gridId: 0 })]);
  const total = emptyFigures();
  for (const line of lines) addInto(total, line.figures);
  const breakdowns: CoverageBreakdowns['breakdowns'] = [];
  const byCode = (a: RegionNode, b: RegionNode) => a.code.localeCompare(b.code);
  if (region.level === 'county') {
    const townshipOf = new Map<number, string>();
    const townships = [...regions.values()].filter((r) => r.parentId === region.id).sort(byCode);
    for (const township of townships) for (const id of subtreeIds(regions, township.id)) townshipOf.set(id, String(township.id));
    const sums = sumBy(lines, (line) => townshipOf.get(line.regionId) ?? null);
    breakdowns.push({ place: 'township', rows: townships.map((t) => ({ key: String(t.id), label: t.name, figures: sums.get(String(t.id)) ?? emptyFigures() })) });
  }
  if (region.level !== 'village') {
    const sums = sumBy(lines, (line) => String(line.regionId));
    const villages = villageIds.map((id) => regions.get(id)).filter((r): r is RegionNode => r !== undefined);
    breakdowns.push({
      place: 'village',
      rows: villages.sort(byCode).map((v) => ({ key: String(v.id), label: v.name, figures: sums.get(String(v.id)) ?? emptyFigures() })),
    });
  }
  breakdowns.push({ place: 'grid', rows: await gridRows(db, byGrid) });
  return { total, breakdowns };
}
