/**
 * The state of one import run inside its transaction: the problems found so far, the
 * counts, the codes of bad rows (so that rows pointing at them are bad too), and the
 * rows of each table keyed by natural key, loaded once and kept up to date as the
 * import writes.
 */
import { bulkInsert, type SqlValue } from '../../db/bulk-insert.js';
import type { Tx } from '../../db/client.js';
import type { Dialect } from '../../db/dialect.js';
import type { RosterKind } from './kinds.js';
import type { ImportProblem, KindCounts } from './report.js';
import type { CellProblem, RowOf } from './rows.js';

/** A checked row with the place it came from. */
export interface Sourced<K extends RosterKind> {
  readonly file: string;
  readonly line: number;
  readonly row: RowOf<K>;
}

/** Progress of one stage of one kind. */
export interface ImportProgress {
  readonly kind: RosterKind;
  readonly stage: 'check' | 'write';
  readonly done: number;
  readonly total: number;
}

export interface RegionRec {
  id: number;
  code: string;
  name: string;
  level: string;
  parentId: number | null;
  latitude: number | null;
  longitude: number | null;
}
export interface DepartmentRec {
  id: number;
  code: string;
  name: string;
  kind: string;
  level: string;
  regionId: number;
}
export interface GridRec {
  id: number;
  code: string;
  name: string;
  kind: string;
  regionId: number;
}
export interface HouseholdRec {
  id: number;
  code: string;
  regionId: number;
  address: string;
  headName: string;
  phone: string | null;
  keyReason: string | null;
  latitude: number | null;
  longitude: number | null;
}
export interface PersonRec {
  id: number;
  code: string;
  name: string;
  phone: string | null;
  locale: string;
  householdId: number | null;
  departmentId: number | null;
}

/** Rows per statement for inserts, deletes and findMany ... in. */
export const CHUNK = 1000;

/** Splits a list into chunks of at most `size`. */
export function* chunks<T>(items: readonly T[], size = CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** A stored point (WGS 84). */
export interface Point {
  latitude: number | null;
  longitude: number | null;
}

/**
 * The point a row leaves stored: the row's own when the file has the columns (an empty
 * pair clears it; the schema saw to both or neither), else the stored one.
 */
export function pointOf(row: { latitude?: number | null | undefined; longitude?: number | null | undefined }, old: Point | undefined): Point {
  if (row.latitude === undefined && row.longitude === undefined) return { latitude: old?.latitude ?? null, longitude: old?.longitude ?? null };
  return { latitude: row.latitude ?? null, longitude: row.longitude ?? null };
}

/** Indexes rows by code. */
function byCode<T extends { code: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.code, r]));
}

/** What a lookup of a code found: the row, or the reason it is unusable. */
export type Lookup<T> = { ok: true; rec: T } | { ok: false; reason: string };

/**
 * One import's state inside its transaction. Writers look codes up with {@link find},
 * report bad rows with {@link reject}, and keep the maps current as they write.
 */
export class ImportContext {
  readonly problems: ImportProblem[] = [];
  /** Per kind: code of a bad row → `FILE:LINE`. */
  private readonly badCodes = new Map<RosterKind, Map<string, string>>();
  private regionMap?: Map<string, RegionRec>;
  private regionById?: Map<number, RegionRec>;
  private departmentMap?: Map<string, DepartmentRec>;
  private gridMap?: Map<string, GridRec>;
  private householdMap?: Map<string, HouseholdRec>;
  private personMap?: Map<string, PersonRec>;

  /** The `createdAt`/`updatedAt` of the rows this import creates. */
  readonly now = new Date();

  constructor(
    readonly tx: Tx,
    readonly dialect: Dialect,
    readonly counts: Record<RosterKind, KindCounts>,
    private readonly onProgress: ((progress: ImportProgress) => void) | undefined,
  ) {}

  /**
   * Inserts new rows with multi-row INSERTs (see {@link bulkInsert}): a few microseconds
   * a row where createMany takes hundreds. The database assigns ids; callers read them
   * back by natural key.
   */
  insert<C extends string>(table: string, columns: readonly C[], rows: readonly Readonly<Record<NoInfer<C>, SqlValue>>[]): Promise<number> {
    return bulkInsert(this.tx, this.dialect, table, columns, rows);
  }

  /** Reports progress (at most every chunk). */
  progress(kind: RosterKind, stage: 'check' | 'write', done: number, total: number): void {
    this.onProgress?.({ kind, stage, done, total });
  }

  /** Records a bad row: its problems, its count, and its code (if any) as bad. */
  reject(kind: RosterKind, source: { file: string; line: number }, problems: readonly CellProblem[], code?: string): void {
    for (const p of problems) this.problems.push({ file: source.file, line: source.line, ...p });
    this.counts[kind].bad++;
    if (code !== undefined) this.markBad(kind, code, source);
  }

  /** Remembers that the row of `code` is bad, so references to it fail. */
  markBad(kind: RosterKind, code: string, source: { file: string; line: number }): void {
    let map = this.badCodes.get(kind);
    if (!map) {
      map = new Map<string, string>();
      this.badCodes.set(kind, map);
    }
    if (!map.has(code)) map.set(code, `${source.file}:${source.line}`);
  }

  /**
   * Looks a code up among the rows of `kind`: a code whose row in this import is bad is
   * unusable even if the database has it, so that bad rows never half-apply.
   */
  find<T>(kind: RosterKind, map: ReadonlyMap<string, T>, code: string, noun: string): Lookup<T> {
    const bad = this.badCodes.get(kind)?.get(code);
    if (bad !== undefined) return { ok: false, reason: `no ${noun} with code ${code}: its row ${bad} is bad` };
    const rec = map.get(code);
    return rec === undefined ? { ok: false, reason: `no ${noun} with code ${code}` } : { ok: true, rec };
  }

  /** Regions by code (loaded on first use). */
  async regions(): Promise<Map<string, RegionRec>> {
    if (!this.regionMap) {
      const rows = await this.tx.region.findMany({
        select: { id: true, code: true, name: true, level: true, parentId: true, latitude: true, longitude: true },
      });
      this.regionMap = byCode(rows);
      this.regionById = new Map(rows.map((r) => [r.id, r]));
    }
    return this.regionMap;
  }

  /** Regions by id (loaded with {@link regions}). */
  async regionsById(): Promise<Map<number, RegionRec>> {
    await this.regions();
    return this.regionById ?? new Map();
  }

  /** Adds or replaces a region in both indexes. */
  async putRegion(rec: RegionRec): Promise<void> {
    (await this.regions()).set(rec.code, rec);
    (await this.regionsById()).set(rec.id, rec);
  }

  async departments(): Promise<Map<string, DepartmentRec>> {
    this.departmentMap ??= byCode(
      await this.tx.department.findMany({
        select: { id: true, code: true, name: true, kind: true, level: true, regionId: true },
      }),
    );
    return this.departmentMap;
  }

  async grids(): Promise<Map<string, GridRec>> {
    this.gridMap ??= byCode(await this.tx.grid.findMany({ select: { id: true, code: true, name: true, kind: true, regionId: true } }));
    return this.gridMap;
  }

  async households(): Promise<Map<string, HouseholdRec>> {
    this.householdMap ??= byCode(
      await this.tx.household.findMany({
        select: { id: true, code: true, regionId: true, address: true, headName: true, phone: true, keyReason: true, latitude: true, longitude: true },
      }),
    );
    return this.householdMap;
  }

  async persons(): Promise<Map<string, PersonRec>> {
    this.personMap ??= byCode(
      await this.tx.person.findMany({
        select: {
          id: true,
          code: true,
          name: true,
          phone: true,
          locale: true,
          householdId: true,
          departmentId: true,
        },
      }),
    );
    return this.personMap;
  }
}

/** True when the two records agree on every listed field. */
export function sameFields<T>(a: T, b: T, fields: readonly (keyof T)[]): boolean {
  return fields.every((f) => a[f] === b[f]);
}
