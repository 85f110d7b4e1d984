/**
 * The visit log 民情日记 of the console: the visits of the user's regions (by the
 * household's village, `Visit.regionId`), a month at a time, newest first in keyset
 * pages, and the month's 包户 coverage per liaison with totals per village and for the
 * whole scope. Only the region-scoped roles (dispatchers, supervisors, admins) have it:
 * a visit outside their regions is not shown, and no filter reaches one.
 *
 * Privacy as on the ticket page and the queue's exports: the household by its code with
 * its head masked (罗**), never its address; the liaison's notes and the household's words
 * through the one scrubber (phones, IDs, roster names, house numbers); staff by name.
 */
import { mediaKindOf } from '../../engine/media.js';
import { sqlOf, type Db } from '../../db/client.js';
import { oneOf } from '../../db/dialect.js';
import { all, defineQuery } from '../../db/sql.js';
import { localDateOf, monthBounds } from '../../pipeline/calendar.js';
import { maskName, rosterNames, scrub } from '../../privacy.js';
import { type StaffScope } from './scope.js';
import { type RegionNode, subtreeIds } from '../../org/regions.js';
import { addInto, type CoverageFigures, coverageByGridLines, coverageByLiaison, emptyFigures } from '../../visits/month-coverage.js';
import { gridRows } from '../../visits/place-coverage.js';
import { formId } from './form-numbers.js';

/** The 签字 states of a visit (src/visits/visits.ts). */
export const CONFIRMATIONS = ['pending', 'confirmed', 'disputed', 'unconfirmed'] as const;
export type Confirmation = (typeof CONFIRMATIONS)[number];

/** The visit log's filters; the month is always set (the current one by default). */
export interface VisitFilters {
  /** YYYY-MM, a month of Beijing time. */
  month: string;
  liaisonId?: number;
  /** A region of the scope: visits in it or below it. */
  regionId?: number;
  confirmation?: Confirmation;
}

/** One line of the visit log. */
export interface VisitRow {
  id: number;
  visitedAt: Date;
  village: string;
  /** The household as the ticket page shows it: its code and its head, masked (never its address). */
  household: string;
  /** Its code: the way to its page (重点 mark). */
  householdCode: string;
  liaison: string;
  /** The liaison's notes, scrubbed. */
  notes: string;
  photos: number;
  voices: number;
  confirmation: Confirmation;
  /** The household's words when it said 有出入 (scrubbed). */
  comment: string | null;
  rating: number | null;
}

export interface VisitPage {
  rows: VisitRow[];
  /** The cursor of the next page (the id of this page's last visit), or null on the last one. */
  next: number | null;
}

/** Whether the user has a visit log: the roles that see a region (as the inbox). */
export function hasVisitLog(scope: StaffScope): boolean {
  return scope.regionIds.length > 0;
}

/** The regions a view covers: the scope's, narrowed to the chosen region's subtree. */
function regionIdsOf(scope: StaffScope, filters: VisitFilters, regions: Map<number, RegionNode>): number[] {
  if (filters.regionId === undefined) return scope.regionIds;
  const chosen = new Set(subtreeIds(regions, filters.regionId));
  return scope.regionIds.filter((id) => chosen.has(id));
}

/** No id is this large: the first page's cursor. */
const NO_CURSOR = 2_147_483_647;

/**
 * One page of visits, newest first. Visits are recorded as they happen (the chat stamps
 * `visitedAt` with the turn's clock), so the id order is the visit order and the id alone
 * makes the keyset cursor, as in the queue. `liaisonId` 0 means any liaison.
 */
const visitPageQuery = defineQuery(
  'console_visit_page',
  (db, p: { regionIds: number[]; from: Date; to: Date; liaisonId: number; confirmations: string[]; before: number; limit: number }, dialect) =>
    db
      .selectFrom('Visit as v')
      .innerJoin('Household as h', 'h.id', 'v.householdId')
      .innerJoin('Person as l', 'l.id', 'v.liaisonId')
      .innerJoin('Region as r', 'r.id', 'v.regionId')
      .select([
        'v.id',
        'v.visitedAt',
        'v.notes',
        'v.media',
        'v.confirmation',
        'v.comment',
        'v.rating',
        'r.name as village',
        'h.code as householdCode',
        'h.headName',
        'l.name as liaison',
      ])
      .where(oneOf(dialect, 'v.regionId', p.regionIds))
      .where('v.visitedAt', '>=', p.from)
      .where('v.visitedAt', '<', p.to)
      .where((eb) => eb.or([eb(eb.val(p.liaisonId), '=', eb.lit(0)), eb('v.liaisonId', '=', p.liaisonId)]))
      .where(oneOf(dialect, 'v.confirmation', p.confirmations))
      .where('v.id', '<', p.before)
      .orderBy('v.id', 'desc')
      .limit(p.limit),
);

function mediaOf(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** Visit rows per page (and per batch of the CSV export). */
export const VISIT_PAGE_SIZE = 50;
const VISIT_BATCH_SIZE = 500;

/** One page of the visit log of `scope` matching `filters`. */
export async function queryVisits(
  db: Db,
  scope: StaffScope,
  filters: VisitFilters,
  regions: Map<number, RegionNode>,
  page: { after?: number; size?: number } = {},
): Promise<VisitPage> {
  const regionIds = hasVisitLog(scope) ? regionIdsOf(scope, filters, regions) : [];
  if (!regionIds.length) return { rows: [], next: null };
  const size = page.size ?? VISIT_PAGE_SIZE;
  const found = await all(sqlOf(db), visitPageQuery, {
    regionIds,
    ...monthBounds(filters.month),
    liaisonId: filters.liaisonId ?? 0,
    confirmations: filters.confirmation ? [filters.confirmation] : [...CONFIRMATIONS],
    before: page.after ?? NO_CURSOR,
    limit: size + 1,
  });
  const names = await rosterNames(db);
  const rows = found.slice(0, size).map((v): VisitRow => {
    const media = mediaOf(v.media);
    const voices = media.filter((ref) => mediaKindOf(ref) === 'voice').length;
    return {
      id: v.id,
      visitedAt: v.visitedAt,
      village: v.village,
      household: `${v.householdCode} ${maskName(v.headName)}`,
      householdCode: v.householdCode,
      liaison: v.liaison,
      // A list (and its CSV) reaches beyond the case: the one scrubber, names included.
      notes: scrub(v.notes, names),
      photos: media.length - voices,
      voices,
      confirmation: (CONFIRMATIONS as readonly string[]).includes(v.confirmation) ? (v.confirmation as Confirmation) : 'pending',
      comment: v.comment === null ? null : scrub(v.comment, names),
      rating: v.rating,
    };
  });
  return { rows, next: found.length > size ? (rows.at(-1)?.id ?? null) : null };
}

/** Every visit matching the filters, batch after batch (for the streamed CSV export). */
export async function* visitBatches(db: Db, scope: StaffScope, filters: VisitFilters, regions: Map<number, RegionNode>): AsyncGenerator<VisitRow[]> {
  let after: number | undefined;
  for (;;) {
    const page = await queryVisits(db, scope, filters, regions, { ...(after === undefined ? {} : { after }), size: VISIT_BATCH_SIZE });
    if (page.rows.length) yield page.rows;
    if (page.next === null) return;
    after = page.next;
  }
}

// ─── Coverage 包户走访覆盖 ────────────────────────────────────────────────────────

const peopleNamesQuery = defineQuery('console_visit_people', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('Person')
    .select(['id', 'name', 'code'])
    .where(oneOf(dialect, 'id', p.ids)),
);

/** One line of the coverage table: a liaison in a village, a village's total, or the scope's. */
export interface CoverageRow extends CoverageFigures {
  kind: 'liaison' | 'village' | 'total';
  village: string;
  /** The liaison's name and code (empty on total lines). */
  liaison: string;
}

/**
 * The month's coverage: one line per liaison and village (villages in code order,
 * liaisons by code), each village's total after its liaisons, the scope's total last.
 * The status filter does not apply: coverage counts every visit.
 */
export async function visitCoverage(db: Db, scope: StaffScope, filters: VisitFilters, regions: Map<number, RegionNode>): Promise<CoverageRow[]> {
  const regionIds = hasVisitLog(scope) ? regionIdsOf(scope, filters, regions) : [];
  if (!regionIds.length) return [];
  const sql = sqlOf(db);
  const lines = new Map(
    (await coverageByLiaison(db, { regionIds, ...monthBounds(filters.month), liaisonId: filters.liaisonId ?? 0 })).map((l) => [`${l.regionId}:${l.liaisonId}`, l]),
  );
  const people = new Map((await all(sql, peopleNamesQuery, { ids: [...new Set([...lines.values()].map((l) => l.liaisonId))] })).map((p) => [p.id, p]));
  const code = (regionId: number) => regions.get(regionId)?.code ?? '';
  const sorted = [...lines.values()]
    .map((l) => {
      const person = people.get(l.liaisonId);
      return { ...l, liaison: person ? `${person.name} ${person.code}` : '', liaisonCode: person?.code ?? '' };
    })
    .sort((a, b) => code(a.regionId).localeCompare(code(b.regionId)) || a.liaisonCode.localeCompare(b.liaisonCode));
  const out: CoverageRow[] = [];
  const total = emptyFigures();
  // Sorted by village, so each village's lines are together: its total follows them.
  for (let i = 0; i < sorted.length;) {
    const regionId = sorted[i]!.regionId;
    const village = regions.get(regionId)?.name ?? '';
    const sum = emptyFigures();
    for (; i < sorted.length && sorted[i]!.regionId === regionId; i++) {
      const line = sorted[i]!;
      out.push({ kind: 'liaison', village, liaison: line.liaison, ...line.figures });
      addInto(sum, line.figures);
    }
    out.push({ kind: 'village', village, liaison: '', ...sum });
    addInto(total, sum);
  }
  out.push({ kind: 'total', village: '', liaison: '', ...total });
  return out;
}

/** One grid's line of the coverage by grid (the grid leader's view). */
export interface GridCoverageRow extends CoverageFigures {
  /** The grid's village and name. */
  grid: string;
}

/** The month's coverage by grid (the households' grids), in grid code order. */
export async function visitGridCoverage(db: Db, scope: StaffScope, filters: VisitFilters, regions: Map<number, RegionNode>): Promise<GridCoverageRow[]> {
  const regionIds = hasVisitLog(scope) ? regionIdsOf(scope, filters, regions) : [];
  if (!regionIds.length) return [];
  const lines = await coverageByGridLines(db, { regionIds, ...monthBounds(filters.month), liaisonId: filters.liaisonId ?? 0, gridId: 0 });
  return (await gridRows(db, lines)).map((row) => ({ grid: row.label, ...row.figures }));
}

// ─── The query string ─────────────────────────────────────────────────────────

/** Filters read from a query string, with the problems of the values that were ignored. */
export interface ParsedVisitFilters {
  filters: VisitFilters;
  after?: number;
  problems: string[];
}

/**
 * Reads `month` (YYYY-MM; the current Beijing month by default), `liaison` and `region`
 * (ids), `status` (a 签字 state) and `after`. Bad values are reported and ignored.
 */
export function parseVisitParams(params: URLSearchParams, now: Date): ParsedVisitFilters {
  const problems: string[] = [];
  const filters: VisitFilters = { month: localDateOf(now).slice(0, 7) };
  const month = params.get('month')?.trim();
  if (month) {
    if (/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) filters.month = month;
    else problems.push(`月份 month: ${month}`);
  }
  for (const [name, key, label] of [
    ['liaison', 'liaisonId', '网格员 liaison'],
    ['region', 'regionId', '地区 region'],
  ] as const) {
    const text = params.get(name)?.trim();
    if (!text) continue;
    const id = formId(text);
    if (id === null) problems.push(`${label}: ${text}`);
    else filters[key] = id;
  }
  const status = params.get('status')?.trim();
  if (status) {
    if ((CONFIRMATIONS as readonly string[]).includes(status)) filters.confirmation = status as Confirmation;
    else problems.push(`签字 status: ${status}`);
  }
  const after = formId(params.get('after'));
  return { filters, ...(after === null ? {} : { after }), problems };
}

/** The query string of filters (for links: next page, CSV exports). */
export function visitParams(filters: VisitFilters, after?: number): URLSearchParams {
  const p = new URLSearchParams({ month: filters.month });
  if (filters.liaisonId !== undefined) p.set('liaison', String(filters.liaisonId));
  if (filters.regionId !== undefined) p.set('region', String(filters.regionId));
  if (filters.confirmation) p.set('status', filters.confirmation);
  if (after !== undefined) p.set('after', String(after));
  return p;
}
