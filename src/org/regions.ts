/**
 * The region tree (county 县 → township 镇 → village 村), read whole: a county has a few
 * hundred regions, so every region is loaded at once and the tree walked in memory — what
 * lies below a region (the reach of a township's staff, a report's villages) and the path
 * down to it (the rules and settings inherited from the regions above).
 */
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { all, defineQuery } from '../db/sql.js';
import type { RegionLevel } from './types.js';

/** One region of the tree, as the console, the boards, the reports and the duties read it. */
export interface RegionNode {
  id: number;
  code: string;
  name: string;
  level: RegionLevel;
  parentId: number | null;
  publicBoard: boolean;
  /** How requests reach the board (null: as the region above); see src/web/public-board.ts. */
  boardMode: string | null;
  /** Categories the board only counts here (comma-separated codes). */
  privateCategories: string;
}

const regionsQuery = defineQuery('regions_all', (db) =>
  db.selectFrom('Region').select(['id', 'code', 'name', 'level', 'parentId', 'publicBoard', 'boardMode', 'privateCategories']),
);

/** Every region, by id. Small (a county has a few hundred); read once per request. The one reader of the Region table's tree. */
export async function loadRegions(db: Db | Tx | SqlTx): Promise<Map<number, RegionNode>> {
  const rows = await all(sqlOf(db), regionsQuery, {});
  return new Map(rows.map((r) => [r.id, { ...r, level: r.level as RegionLevel }]));
}

/** `rootId` and every region below it. */
export function subtreeIds(regions: Map<number, RegionNode>, rootId: number): number[] {
  const children = new Map<number, number[]>();
  for (const r of regions.values()) {
    if (r.parentId === null) continue;
    const list = children.get(r.parentId);
    if (list) list.push(r.id);
    else children.set(r.parentId, [r.id]);
  }
  const out: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    if (!regions.has(id)) continue;
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

/** Region ids from the top down to `regionId`. */
export function pathOf(regions: Map<number, RegionNode>, regionId: number): number[] {
  const path: number[] = [];
  let node = regions.get(regionId);
  while (node && path.length < 8) {
    path.unshift(node.id);
    node = node.parentId === null ? undefined : regions.get(node.parentId);
  }
  return path;
}

/** True when the database has no region yet (a new installation). */
export async function isEmpty(db: Db): Promise<boolean> {
  return (await db.region.count()) === 0;
}
