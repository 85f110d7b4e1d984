/**
 * The statistics 跟踪问效 the console, the public board and the monthly report ask for
 * (the contract is ./types.ts; every definition is ./definitions.ts): the figures of a
 * cohort, a breakdown by region, village, grid, department, category or liaison, a
 * trend by day, week or month, and the hot words and categories of a period.
 *
 * The numbers come from the statistics store (./store.ts), brought up to date from the
 * tickets before each call; names (regions, grids, people…) are read fresh each time.
 */
import { type Db, sqlOf } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery } from '../db/sql.js';
import { type Aggregate, type Cohort, type CohortTickets, cohortRows, cohortTickets, emptyFigures, groupTickets } from './aggregate.js';
import { rosterNames } from '../privacy.js';
import { loadRegions, type RegionNode as FullRegionNode } from '../org/regions.js';
import { isShowableWord } from './keywords.js';
import { bucketStartDay, dayNumberDate, localDayNumber, nextBucketStartDay, StatsQueryError } from './periods.js';
import { NONE, type TicketFacts, ticketFacts } from './store.js';
import type { Breakdown, Bucket, Dimension, Figures, HotWord, StatsQuery, StatsRow, TrendPoint } from './types.js';

export { STAT_COHORT, STAT_DEFINITIONS, type StatDefinition } from './definitions.js';
export { dayRange, periodRange, StatsQueryError } from './periods.js';
export { invalidateStats, warmStats } from './store.js';

/** Most buckets one trend may have (a day-by-day trend of about ten years). */
export const MAX_TREND_BUCKETS = 4000;

/** A region as the figures read it (of the tree src/org/regions.ts loads). */
type RegionNode = Pick<FullRegionNode, 'id' | 'parentId' | 'name' | 'level'>;

/** The scope region, every region, and which of them lie inside the scope. */
interface Scope {
  region: RegionNode;
  byId: Map<number, RegionNode>;
  /** 1 at the ids of the scope and the regions below it. */
  mask: Uint8Array;
}

async function scopeOf(db: Db, scopeRegionId: number): Promise<Scope> {
  const byId: Map<number, RegionNode> = await loadRegions(db);
  const regions = [...byId.values()];
  const region = byId.get(scopeRegionId);
  if (!region) throw new StatsQueryError(`no region with id ${scopeRegionId}`);
  const maxId = regions.reduce((max, r) => Math.max(max, r.id), 0);
  const mask = new Uint8Array(maxId + 1);
  for (const r of regions) {
    // Walk up to the top; the depth bound guards against a cycle in bad data.
    let at: RegionNode | undefined = r;
    for (let depth = 0; at && depth < 16; depth++) {
      if (at.id === scopeRegionId) {
        mask[r.id] = 1;
        break;
      }
      at = at.parentId === null ? undefined : byId.get(at.parentId);
    }
  }
  return { region, byId, mask };
}

function checkRange(query: StatsQuery): void {
  const from = query.from.getTime();
  const to = query.to.getTime();
  if (Number.isNaN(from) || Number.isNaN(to)) throw new StatsQueryError('invalid date in the period');
  if (to <= from) throw new StatsQueryError('the period ends before it starts');
}

function cohortOf(query: StatsQuery, scope: Scope, facts: TicketFacts): Cohort {
  const f = query.filters ?? {};
  return {
    fromMs: query.from.getTime(),
    toMs: query.to.getTime(),
    regionMask: scope.mask,
    category: f.categoryCode === undefined ? null : facts.categoryIndexOf(f.categoryCode),
    gridId: f.gridId ?? null,
    departmentId: f.departmentId ?? null,
    assigneeId: f.liaisonId ?? null,
  };
}

/** Everything a computation needs, loaded and checked. */
async function prepare(db: Db, query: StatsQuery): Promise<{ facts: TicketFacts; scope: Scope; cohort: Cohort }> {
  checkRange(query);
  const scope = await scopeOf(db, query.scopeRegionId);
  const facts = await ticketFacts(db);
  return { facts, scope, cohort: cohortOf(query, scope, facts) };
}

/**
 * The figures of the tickets received in [query.from, query.to) inside the scope region.
 * @throws StatsQueryError for an unknown region or an empty period.
 */
export async function figures(db: Db, query: StatsQuery): Promise<Figures> {
  const { facts, cohort } = await prepare(db, query);
  const tickets = cohortTickets(facts, cohort);
  return groupTickets(tickets, new Int32Array(tickets.count), 1).total;
}

function maxOf(column: Int32Array, size: number): number {
  let max = 0;
  for (let i = 0; i < size; i++) if ((column[i] as number) > max) max = column[i] as number;
  return max;
}

/** The label of the group of tickets that have no value for a dimension. */
const NONE_LABELS: Record<Dimension, string> = {
  region: '（本级 this level）',
  village: '（不在村内 not in a village）',
  grid: '（无网格 no grid）',
  department: '（未派部门 no department）',
  category: '（无分类 no category）',
  liaison: '（未派个人 no person）',
};

/** How tickets are keyed for a dimension, and how keys read. */
interface Grouping {
  /** The key of each of the cohort's tickets (-1: left out). */
  keysOf: (tickets: CohortTickets) => Int32Array;
  keyLimit: number;
  labels: (keys: number[]) => Promise<Map<number, { key: string; label: string }>>;
}

/**
 * Keys read from a column of the store, through `map` when given. Plain loops over typed
 * arrays: one call per grouping, not one per ticket.
 */
function columnKeys(tickets: CohortTickets, column: Int32Array | Uint16Array, map?: Int32Array): Int32Array {
  const { rows, count } = tickets;
  const keys = new Int32Array(count);
  if (map) for (let m = 0; m < count; m++) keys[m] = map[column[rows[m] as number] as number] ?? -1;
  else for (let m = 0; m < count; m++) keys[m] = column[rows[m] as number] as number;
  return keys;
}

function idColumnGrouping(facts: TicketFacts, column: Int32Array, dimension: Dimension, names: (ids: number[]) => Promise<{ id: number; name: string }[]>): Grouping {
  return {
    keysOf: (tickets) => columnKeys(tickets, column),
    keyLimit: maxOf(column, facts.size) + 1,
    async labels(keys) {
      const found = new Map((await names(keys.filter((k) => k !== NONE))).map((r) => [r.id, r.name]));
      return new Map(keys.map((k) => [k, k === NONE ? { key: '', label: NONE_LABELS[dimension] } : { key: String(k), label: found.get(k) ?? `#${k}` }]));
    },
  };
}

/*
 * The names of a breakdown's groups, the ids bound as one list: a county's breakdown by
 * liaison or grid has thousands of groups, beyond the parameters SQLite takes in one
 * statement (Prisma's `in` binds one parameter per id).
 */
const gridNamesQuery = defineQuery('stats_grid_names', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('Grid')
    .select(['id', 'name'])
    .where(oneOf(dialect, 'id', p.ids)),
);
const departmentNamesQuery = defineQuery('stats_department_names', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('Department')
    .select(['id', 'name'])
    .where(oneOf(dialect, 'id', p.ids)),
);
const personNamesQuery = defineQuery('stats_person_names', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('Person')
    .select(['id', 'name'])
    .where(oneOf(dialect, 'id', p.ids)),
);

function groupingOf(db: Db, facts: TicketFacts, scope: Scope, dimension: Dimension): Grouping {
  const regionLabels = (keys: number[]) =>
    Promise.resolve(
      new Map(
        keys.map((k) => {
          if (k === NONE) return [k, { key: '', label: NONE_LABELS[dimension] }] as const;
          const name = scope.byId.get(k)?.name ?? `#${k}`;
          // Tickets placed at the scope region itself (a township-wide matter) form their own row.
          return [k, { key: String(k), label: k === scope.region.id ? `${name}${NONE_LABELS.region}` : name }] as const;
        }),
      ),
    );
  switch (dimension) {
    case 'region': {
      // Each region inside the scope, mapped to the scope's child it lies under (or the scope itself).
      const key = new Int32Array(scope.mask.length);
      for (const r of scope.byId.values()) {
        if (scope.mask[r.id] !== 1) continue;
        let at: RegionNode = r;
        for (let depth = 0; at.parentId !== null && at.parentId !== scope.region.id && at.id !== scope.region.id && depth < 16; depth++) {
          const parent = scope.byId.get(at.parentId);
          if (!parent) break;
          at = parent;
        }
        key[r.id] = at.id;
      }
      return { keysOf: (tickets) => columnKeys(tickets, facts.regionId, key), keyLimit: scope.mask.length, labels: regionLabels };
    }
    case 'village': {
      const key = new Int32Array(scope.mask.length);
      for (const r of scope.byId.values()) if (scope.mask[r.id] === 1 && r.level === 'village') key[r.id] = r.id;
      return { keysOf: (tickets) => columnKeys(tickets, facts.regionId, key), keyLimit: scope.mask.length, labels: regionLabels };
    }
    case 'grid':
      return idColumnGrouping(facts, facts.gridId, dimension, (ids) => all(sqlOf(db), gridNamesQuery, { ids }));
    case 'department':
      return idColumnGrouping(facts, facts.departmentId, dimension, (ids) => all(sqlOf(db), departmentNamesQuery, { ids }));
    case 'liaison':
      return idColumnGrouping(facts, facts.assigneeId, dimension, (ids) => all(sqlOf(db), personNamesQuery, { ids }));
    case 'category':
      return {
        keysOf: (tickets) => columnKeys(tickets, facts.category),
        keyLimit: facts.categoryCodes.length,
        async labels(keys) {
          const categories = await db.category.findMany({ select: { code: true, nameZh: true } });
          const names = new Map(categories.map((c) => [c.code, c.nameZh]));
          return new Map(
            keys.map((k) => {
              const code = facts.categoryCodes[k] ?? '';
              return [k, { key: code, label: names.get(code) ?? code }] as const;
            }),
          );
        },
      };
  }
}

const collator = new Intl.Collator('zh');

/** Rows most received first; ties by label, then key, so the order is stable. */
function sortRows(rows: StatsRow[]): StatsRow[] {
  return rows.sort((a, b) => b.figures.received - a.figures.received || collator.compare(a.label, b.label) || a.key.localeCompare(b.key));
}

async function rowsOf(result: Aggregate, grouping: Grouping): Promise<StatsRow[]> {
  const labels = await grouping.labels(result.groups.map((g) => g.key));
  return result.groups.map((g) => {
    const label = labels.get(g.key) ?? { key: String(g.key), label: String(g.key) };
    return { key: label.key, label: label.label, figures: g.figures };
  });
}

/**
 * The cohort split by a dimension: `region` by the scope's child regions (tickets placed
 * at the scope region itself form a row of their own, "本级"), `village` by the villages
 * under the scope, `grid`, `department` (the department the ticket is assigned to now),
 * `category`, `liaison` (the person it is assigned to now). Tickets without a value form a
 * row with the key "" (e.g. no grid), so the rows add up to the total.
 * @throws StatsQueryError for an unknown region or an empty period.
 */
export async function breakdown(db: Db, query: StatsQuery, dimension: Dimension): Promise<Breakdown> {
  return (await breakdowns(db, query, [dimension])).breakdowns[0] as Breakdown;
}

async function breakdownOf(db: Db, tickets: CohortTickets, scope: Scope, dimension: Dimension): Promise<Breakdown> {
  const grouping = groupingOf(db, tickets.facts, scope, dimension);
  const result = groupTickets(tickets, grouping.keysOf(tickets), grouping.keyLimit);
  return { dimension, total: result.total, rows: sortRows(await rowsOf(result, grouping)) };
}

/** What {@link breakdowns} computes besides the breakdowns. */
export interface BreakdownsOptions {
  /** Also the trend of the same cohort, by this bucket (see {@link trend}). */
  bucket?: Bucket;
  /** Also the cohort's hot words, at most this many (see {@link hotWords}). */
  words?: number;
}

/** The results of {@link breakdowns}, in the order asked. */
export interface Breakdowns {
  breakdowns: Breakdown[];
  total: Figures;
  trend: TrendPoint[] | null;
  words: HotWord[] | null;
}

/**
 * Several breakdowns of one cohort (see {@link breakdown}), and optionally its trend and
 * hot words, from one refresh of the store and one scan of it: a page with every view
 * gathers the cohort's tickets once, not once per view.
 * @throws StatsQueryError for an unknown region, an empty period, or too many trend buckets.
 */
export async function breakdowns(db: Db, query: StatsQuery, dimensions: readonly Dimension[], options: BreakdownsOptions = {}): Promise<Breakdowns> {
  const buckets = options.bucket === undefined ? null : trendBuckets(query, options.bucket);
  const [{ facts, scope, cohort }, names] = await Promise.all([prepare(db, query), options.words === undefined ? null : rosterNames(db)]);
  const tickets = cohortTickets(facts, cohort);
  // Synchronous work first: the arrays of `tickets` are its own, but keep the scans together.
  const trendPoints = buckets ? trendOf(tickets, buckets) : null;
  const words = options.words === undefined || names === null ? null : wordsOf(facts, tickets.rows, tickets.count, options.words, names);
  const found = await Promise.all(dimensions.map((d) => breakdownOf(db, tickets, scope, d)));
  const total = found[0]?.total ?? groupTickets(tickets, new Int32Array(tickets.count), 1).total;
  return { breakdowns: found, total, trend: trendPoints, words };
}

/** The most received categories of the cohort (a category breakdown's first rows). */
export async function topCategories(db: Db, query: StatsQuery, limit = 5): Promise<StatsRow[]> {
  return (await breakdown(db, query, 'category')).rows.slice(0, limit);
}

/**
 * The cohort by day, week (Monday to Sunday) or calendar month, Beijing time: one point
 * per bucket from the one containing `from` to the one containing the last instant
 * before `to`, empty buckets included. A bucket cut by the period counts only the part
 * inside it.
 * @throws StatsQueryError for an unknown region, an empty period, or more than {@link MAX_TREND_BUCKETS} buckets.
 */
export async function trend(db: Db, query: StatsQuery, bucket: Bucket): Promise<TrendPoint[]> {
  const buckets = trendBuckets(query, bucket);
  const { facts, cohort } = await prepare(db, query);
  return trendOf(cohortTickets(facts, cohort), buckets);
}

/** The buckets of a trend: their first days, and the bucket of each day from the first. */
interface TrendBuckets {
  starts: number[];
  firstDay: number;
  bucketOfDay: Int32Array;
}

function trendBuckets(query: StatsQuery, bucket: Bucket): TrendBuckets {
  checkRange(query);
  const firstDay = bucketStartDay(bucket, localDayNumber(query.from.getTime()));
  const lastDay = localDayNumber(query.to.getTime() - 1);
  const starts: number[] = [];
  for (let start = firstDay; start <= lastDay; start = nextBucketStartDay(bucket, start)) {
    starts.push(start);
    if (starts.length > MAX_TREND_BUCKETS) throw new StatsQueryError(`more than ${MAX_TREND_BUCKETS} ${bucket} buckets: choose a larger bucket`);
  }
  const bucketOfDay = new Int32Array(lastDay - firstDay + 1);
  for (let b = 0; b < starts.length; b++) {
    const end = Math.min(starts[b + 1] ?? lastDay + 1, lastDay + 1);
    bucketOfDay.fill(b, (starts[b] as number) - firstDay, end - firstDay);
  }
  return { starts, firstDay, bucketOfDay };
}

function trendOf(tickets: CohortTickets, buckets: TrendBuckets): TrendPoint[] {
  const { starts, firstDay, bucketOfDay } = buckets;
  const { rows, count } = tickets;
  const createdMs = tickets.facts.createdMs;
  const keys = new Int32Array(count);
  for (let m = 0; m < count; m++) keys[m] = bucketOfDay[localDayNumber(createdMs[rows[m] as number] as number) - firstDay] ?? -1;
  const result = groupTickets(tickets, keys, starts.length);
  const byBucket = new Map(result.groups.map((g) => [g.key, g.figures]));
  return starts.map((start, b) => ({ start: dayNumberDate(start), figures: byBucket.get(b) ?? emptyFigures() }));
}

/**
 * The recurring words 热点 of the cohort's requests: for each word (two characters or
 * more, stop words left out, see ./stop-words.ts; names and numbers are no words) the number of requests whose summary
 * or description uses it; words of a single request are not recurring and are left out.
 * Most frequent first, at most `limit`.
 * @throws StatsQueryError for an unknown region or an empty period.
 */
export async function hotWords(db: Db, query: StatsQuery, limit = 20): Promise<HotWord[]> {
  const [{ facts, cohort }, names] = await Promise.all([prepare(db, query), rosterNames(db)]);
  const { rows, count } = cohortRows(facts, cohort);
  return wordsOf(facts, rows, count, limit, names);
}

/** The hot words of the store rows `rows[0, count)`; `names` (the roster's) are never words. */
function wordsOf(facts: TicketFacts, rows: Int32Array, count: number, limit: number, names: ReadonlySet<string>): HotWord[] {
  const counts = new Int32Array(facts.words.length);
  const { wordStart, wordCount, wordPool } = facts;
  for (let m = 0; m < count; m++) {
    const i = rows[m] as number;
    const start = wordStart[i] as number;
    const end = start + (wordCount[i] as number);
    for (let w = start; w < end; w++) {
      const id = wordPool[w] as number;
      counts[id] = (counts[id] as number) + 1;
    }
  }
  const found: HotWord[] = [];
  counts.forEach((n, id) => {
    const word = facts.words[id];
    // Stop words are checked here too, so a word added to the list stops counting at once.
    if (n >= 2 && word !== undefined && isShowableWord(word, names)) found.push({ word, count: n });
  });
  return found.sort((a, b) => b.count - a.count || collator.compare(a.word, b.word)).slice(0, Math.max(0, limit));
}
