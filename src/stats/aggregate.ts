/**
 * The figures of a cohort, computed from the statistics store in one pass over its typed
 * arrays, split into groups (a breakdown's rows, a trend's buckets) on the way. Exact
 * medians: the minutes of each group are gathered and the middle found by selection
 * (quickselect), linear in the number of tickets.
 */
import { COUNTS_NOWHERE, FLAG, NO_MINUTES, type TicketFacts } from './store.js';
import type { Figures, Rate } from './types.js';

/** Which tickets count: received in [fromMs, toMs), placed in the scope, matching the filters. */
export interface Cohort {
  fromMs: number;
  toMs: number;
  /** 1 at the ids of the regions inside the scope. */
  regionMask: Uint8Array;
  /** Category index in the store (-1: a code no ticket has), or null for any. */
  category: number | null;
  gridId: number | null;
  departmentId: number | null;
  assigneeId: number | null;
}

/** Counters kept per group, in this order. */
const RECEIVED = 0;
const OPEN = 1;
const OVERDUE = 2;
const RESPONSE_NUM = 3;
const RESPONSE_DEN = 4;
const ON_TIME_NUM = 5;
const ON_TIME_DEN = 6;
const ONE_TIME_NUM = 7;
const CLOSED = 8;
const SOLVED_NUM = 9;
const SOLVED_DEN = 10;
const SATISFIED_NUM = 11;
const RATED = 12;
const ACCEPTED = 13;
const RESOLVED = 14;
const RETURNED = 15;
const REOPENED = 16;
const COUNTERS = 17;

/** One group's figures. */
export interface GroupFigures {
  /** The key keyOf gave the group's tickets. */
  key: number;
  figures: Figures;
}

export interface Aggregate {
  /** Groups with at least one ticket, in the order first met. */
  groups: GroupFigures[];
  /** All groups together. */
  total: Figures;
}

function rate(numerator: number, denominator: number): Rate {
  return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}

/** The figures of an empty cohort. */
export function emptyFigures(): Figures {
  return figuresOf(new Int32Array(COUNTERS), 0, null, null);
}

function figuresOf(c: Int32Array, base: number, medianAccept: number | null, medianResolve: number | null): Figures {
  const at = (i: number): number => c[base + i] ?? 0;
  return {
    received: at(RECEIVED),
    open: at(OPEN),
    overdue: at(OVERDUE),
    responseRate: rate(at(RESPONSE_NUM), at(RESPONSE_DEN)),
    onTimeRate: rate(at(ON_TIME_NUM), at(ON_TIME_DEN)),
    oneTimeRate: rate(at(ONE_TIME_NUM), at(CLOSED)),
    resolutionRate: rate(at(SOLVED_NUM), at(SOLVED_DEN)),
    satisfactionRate: rate(at(SATISFIED_NUM), at(RATED)),
    returnRate: rate(at(RETURNED), at(RECEIVED)),
    reopenRate: rate(at(REOPENED), at(RESOLVED)),
    medianAcceptMinutes: medianAccept,
    medianResolveMinutes: medianResolve,
  };
}

/**
 * Working arrays reused from call to call. A year of a county is half a million rows:
 * allocating several megabytes of typed arrays per call would make the collector stop
 * the process now and then for a full collection. Every use is synchronous (no await
 * between filling and reading), so one set per process is safe.
 */
const scratch: Int32Array[] = [];

/** Working array number `slot`, at least `size` long (contents undefined). */
function work(slot: number, size: number): Int32Array {
  let array = scratch[slot];
  if (!array || array.length < size) {
    array = new Int32Array(Math.max(size, Math.ceil((array?.length ?? 0) * 1.5), 1024));
    scratch[slot] = array;
  }
  return array;
}

const ROWS = 0;

/** Sorts a[lo, hi) in place (short runs). */
function insertionSort(a: Int32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i] as number;
    let j = i - 1;
    while (j >= lo && (a[j] as number) > v) {
      a[j + 1] = a[j] as number;
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * Rearranges a[lo, hi) so that a[k] holds the value it would hold sorted, every value
 * before it is no larger, and returns it (quickselect, three-way partition: minutes repeat).
 */
export function selectKth(a: Int32Array, lo: number, hi: number, k: number): number {
  for (;;) {
    if (hi - lo <= 16) {
      insertionSort(a, lo, hi);
      return a[k] as number;
    }
    const x = a[lo] as number;
    const y = a[(lo + hi) >>> 1] as number;
    const z = a[hi - 1] as number;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // a[lo, lt) < pivot, a[lt, i) = pivot, a[gt, hi) > pivot
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i < gt) {
      const v = a[i] as number;
      if (v < pivot) {
        a[i++] = a[lt] as number;
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[--gt] as number;
        a[gt] = v;
      } else {
        i++;
      }
    }
    if (k < lt) hi = lt;
    else if (k >= gt) lo = gt;
    else return pivot;
  }
}

/** The exact median of a[lo, hi) (the mean of the two middle values for an even count); null when empty. Reorders the range. */
export function medianOf(a: Int32Array, lo: number, hi: number): number | null {
  const n = hi - lo;
  if (n <= 0) return null;
  const upper = selectKth(a, lo, hi, lo + (n >> 1));
  if (n % 2 === 1) return upper;
  // After the selection everything before the upper middle is no larger: the lower middle is their maximum.
  let lower = a[lo] as number;
  for (let i = lo + 1; i < lo + (n >> 1); i++) if ((a[i] as number) > lower) lower = a[i] as number;
  return (lower + upper) / 2;
}

/**
 * The rows of the store that belong to `cohort`: their indexes in `rows[0, count)`. The
 * array is a working array: read it before the next statistics computation.
 */
export function cohortRows(facts: TicketFacts, cohort: Cohort): { rows: Int32Array; count: number } {
  const { fromMs, toMs, regionMask } = cohort;
  const { createdMs, flags, regionId } = facts;
  const category = cohort.category;
  const gridId = cohort.gridId;
  const departmentId = cohort.departmentId;
  const assigneeId = cohort.assigneeId;
  const rows = work(ROWS, facts.size);
  let count = 0;
  for (let i = 0; i < facts.size; i++) {
    if ((flags[i] as number) & COUNTS_NOWHERE) continue;
    const t = createdMs[i] as number;
    if (t < fromMs || t >= toMs) continue;
    if (regionMask[regionId[i] as number] !== 1) continue;
    if (category !== null && facts.category[i] !== category) continue;
    if (gridId !== null && facts.gridId[i] !== gridId) continue;
    if (departmentId !== null && facts.departmentId[i] !== departmentId) continue;
    if (assigneeId !== null && facts.assigneeId[i] !== assigneeId) continue;
    rows[count++] = i;
  }
  return { rows, count };
}

/** Bits of a row's class beyond the flags: the ticket has accept / resolve minutes. */
const HAS_ACCEPT = 1 << 15;
const HAS_RESOLVE = 1 << 16;
const CLASS_BITS = 1 << 17;
/** Radix of the sort of minutes. */
const RADIX = 1 << 11;

/** The counters one ticket of the class `bits` adds to (see {@link FLAG}). */
function countersOfClass(bits: number): Int32Array {
  const c = new Int32Array(COUNTERS);
  const f = bits;
  c[RECEIVED] = 1;
  if (f & FLAG.OPEN) c[OPEN] = 1;
  if (f & FLAG.OVERDUE) c[OVERDUE] = 1;
  if (f & FLAG.RESPONSE_COUNTED) {
    c[RESPONSE_DEN] = 1;
    if (f & FLAG.RESPONSE_ON_TIME) c[RESPONSE_NUM] = 1;
  }
  if (f & FLAG.ON_TIME_COUNTED) {
    c[ON_TIME_DEN] = 1;
    if (f & FLAG.ON_TIME) c[ON_TIME_NUM] = 1;
  }
  if (f & FLAG.CLOSED) {
    c[CLOSED] = 1;
    if (f & FLAG.ONE_TIME) c[ONE_TIME_NUM] = 1;
  }
  if (f & FLAG.SOLVED_ANSWERED) {
    c[SOLVED_DEN] = 1;
    if (f & FLAG.SOLVED) c[SOLVED_NUM] = 1;
  }
  if (f & FLAG.RATED) {
    c[RATED] = 1;
    if (f & FLAG.SATISFIED) c[SATISFIED_NUM] = 1;
  }
  if (f & FLAG.RETURNED) c[RETURNED] = 1;
  if (f & FLAG.REOPENED) c[REOPENED] = 1;
  if (bits & HAS_ACCEPT) c[ACCEPTED] = 1;
  if (bits & HAS_RESOLVE) c[RESOLVED] = 1;
  return c;
}

/**
 * Positions `m` in [0, count) whose value is not NO_MINUTES, ordered by value (stable LSD
 * radix sort, 11-bit digits of the value with its sign flipped).
 */
function sortedByMinutes(column: Int32Array, rows: Int32Array, count: number): MinutesOrder {
  const values = new Int32Array(count);
  const order = new Int32Array(count);
  let n = 0;
  for (let m = 0; m < count; m++) {
    const v = column[rows[m] as number] as number;
    if (v === NO_MINUTES) continue;
    values[n] = v;
    order[n++] = m;
  }
  let from = order.subarray(0, n);
  let fromValues = values.subarray(0, n);
  let to = new Int32Array(n);
  let toValues = new Int32Array(n);
  // 11-bit digits: 2,048 counters stay in the first-level cache, where 65,536 would not.
  const histogram = new Int32Array(RADIX + 1);
  for (let shift = 0; shift < 32; shift += 11) {
    histogram.fill(0);
    for (let k = 0; k < n; k++) {
      const digit = ((((fromValues[k] as number) ^ 0x80000000) >>> shift) & (RADIX - 1)) + 1;
      histogram[digit] = (histogram[digit] as number) + 1;
    }
    // Every value has the same digit (the high digits of minutes mostly do): nothing would move.
    if ((histogram[((((fromValues[0] ?? 0) ^ 0x80000000) >>> shift) & (RADIX - 1)) + 1] as number) === n) continue;
    for (let d = 1; d <= RADIX; d++) histogram[d] = (histogram[d] as number) + (histogram[d - 1] as number);
    for (let k = 0; k < n; k++) {
      const v = fromValues[k] as number;
      const digit = ((v ^ 0x80000000) >>> shift) & (RADIX - 1);
      const at = histogram[digit] as number;
      histogram[digit] = at + 1;
      to[at] = from[k] as number;
      toValues[at] = v;
    }
    [from, to] = [to, from];
    [fromValues, toValues] = [toValues, fromValues];
  }
  return { positions: from, values: fromValues };
}

/** Positions ordered by their minutes, and those minutes (ascending). */
export interface MinutesOrder {
  positions: Int32Array;
  values: Int32Array;
}

/**
 * The tickets of a cohort, gathered once so that any number of groupings (breakdowns, a
 * trend) can be computed from them without scanning the store again: the rows, each
 * row's class (its flags and which minutes it has: a few dozen classes in practice, so a
 * grouping counts one cell per ticket instead of seventeen counters), and the positions
 * ordered by accept and by resolve minutes (a grouping walks them in order to find each
 * group's exact medians, no selection per group).
 */
export interface CohortTickets {
  facts: TicketFacts;
  /** Store rows of the cohort, `rows[0, count)`. Owned by this object (not a working array). */
  rows: Int32Array;
  count: number;
  /** Class index of each position. */
  classOf: Uint16Array;
  /** The counters of each class, `COUNTERS` per class. */
  classCounters: Int32Array;
  classes: number;
  /** Positions with accept minutes, by minutes; the same for resolve minutes. */
  acceptOrder: MinutesOrder;
  resolveOrder: MinutesOrder;
}

/** Gathers the tickets of `cohort` (see {@link CohortTickets}). */
export function cohortTickets(facts: TicketFacts, cohort: Cohort): CohortTickets {
  const found = cohortRows(facts, cohort);
  const count = found.count;
  const rows = found.rows.slice(0, count);
  const { flags, acceptMinutes, resolveMinutes } = facts;
  const classOfBits = new Int16Array(CLASS_BITS).fill(-1);
  const classBits: number[] = [];
  const classOf = new Uint16Array(count);
  for (let m = 0; m < count; m++) {
    const i = rows[m] as number;
    const bits =
      ((flags[i] as number) & (HAS_ACCEPT - 1)) | ((acceptMinutes[i] as number) !== NO_MINUTES ? HAS_ACCEPT : 0) | ((resolveMinutes[i] as number) !== NO_MINUTES ? HAS_RESOLVE : 0);
    let c = classOfBits[bits] as number;
    if (c < 0) {
      c = classBits.length;
      classBits.push(bits);
      classOfBits[bits] = c;
    }
    classOf[m] = c;
  }
  const classes = classBits.length;
  const classCounters = new Int32Array(classes * COUNTERS);
  classBits.forEach((bits, c) => classCounters.set(countersOfClass(bits), c * COUNTERS));
  return {
    facts,
    rows,
    count,
    classOf,
    classCounters,
    classes,
    acceptOrder: sortedByMinutes(acceptMinutes, rows, count),
    resolveOrder: sortedByMinutes(resolveMinutes, rows, count),
  };
}

/**
 * The exact median of each group's minutes, walking the positions in order of minutes:
 * a group's k-th value met is its k-th smallest. `counts[g]` is how many values group g has.
 */
function groupMedians(order: MinutesOrder, groupOf: Int32Array, counts: Int32Array, groups: number): (number | null)[] {
  const seen = new Int32Array(groups);
  const lower = new Float64Array(groups);
  const medians: (number | null)[] = new Array<number | null>(groups).fill(null);
  const { positions, values } = order;
  // Groups whose median is still to find: once none is left, the rest of the walk is skipped.
  let pending = 0;
  for (let g = 0; g < groups; g++) if ((counts[g] as number) > 0) pending++;
  for (let k = 0; k < positions.length && pending > 0; k++) {
    const g = groupOf[positions[k] as number] as number;
    if (g < 0) continue;
    const n = counts[g] as number;
    const rank = seen[g] as number;
    seen[g] = rank + 1;
    const half = n >> 1;
    if (rank === half - 1 && n % 2 === 0) lower[g] = values[k] as number;
    else if (rank === half) {
      medians[g] = n % 2 === 1 ? (values[k] as number) : ((lower[g] as number) + (values[k] as number)) / 2;
      pending--;
    }
  }
  return medians;
}

/** The median of every value in `order` (all of the cohort's). */
function wholeMedian(order: MinutesOrder): number | null {
  const { values } = order;
  const n = values.length;
  if (n === 0) return null;
  return n % 2 === 1 ? (values[n >> 1] as number) : ((values[(n >> 1) - 1] as number) + (values[n >> 1] as number)) / 2;
}

/**
 * The figures of the cohort's tickets grouped by key: `keys[m]` is the key of position m,
 * in [0, keyLimit), or -1 to leave the ticket out. Groups come in the order first met.
 */
export function groupTickets(t: CohortTickets, keys: Int32Array, keyLimit: number): Aggregate {
  const count = t.count;
  const classes = t.classes;
  const classOf = t.classOf;
  const groupOfKey = new Int32Array(Math.max(keyLimit, 1)).fill(-1);
  const groupKeys: number[] = [];
  const groupOf = new Int32Array(count);
  let cells = new Int32Array(classes * 16);
  let left = 0;
  for (let m = 0; m < count; m++) {
    const key = keys[m] as number;
    if (key < 0 || key >= keyLimit) {
      groupOf[m] = -1;
      left++;
      continue;
    }
    let g = groupOfKey[key] as number;
    if (g < 0) {
      g = groupKeys.length;
      groupKeys.push(key);
      groupOfKey[key] = g;
      if ((g + 1) * classes > cells.length) {
        const next = new Int32Array(cells.length * 2);
        next.set(cells);
        cells = next;
      }
    }
    groupOf[m] = g;
    const cell = g * classes + (classOf[m] as number);
    cells[cell] = (cells[cell] as number) + 1;
  }
  const groups = groupKeys.length;
  const counters = new Int32Array(Math.max(groups, 1) * COUNTERS);
  for (let g = 0; g < groups; g++) {
    for (let c = 0; c < classes; c++) {
      const n = cells[g * classes + c] as number;
      if (n === 0) continue;
      for (let k = 0; k < COUNTERS; k++) {
        const add = t.classCounters[c * COUNTERS + k] as number;
        if (add !== 0) counters[g * COUNTERS + k] = (counters[g * COUNTERS + k] as number) + n * add;
      }
    }
  }
  const acceptCounts = new Int32Array(groups);
  const resolveCounts = new Int32Array(groups);
  for (let g = 0; g < groups; g++) {
    acceptCounts[g] = counters[g * COUNTERS + ACCEPTED] as number;
    resolveCounts[g] = counters[g * COUNTERS + RESOLVED] as number;
  }
  const acceptMedians = groupMedians(t.acceptOrder, groupOf, acceptCounts, groups);
  const resolveMedians = groupMedians(t.resolveOrder, groupOf, resolveCounts, groups);
  const result: GroupFigures[] = groupKeys.map((key, g) => ({
    key,
    figures: figuresOf(counters, g * COUNTERS, acceptMedians[g] ?? null, resolveMedians[g] ?? null),
  }));
  const sums = new Int32Array(COUNTERS);
  for (let g = 0; g < groups; g++) for (let c = 0; c < COUNTERS; c++) sums[c] = (sums[c] as number) + (counters[g * COUNTERS + c] as number);
  let total: Figures;
  if (left === 0) {
    total = figuresOf(sums, 0, wholeMedian(t.acceptOrder), wholeMedian(t.resolveOrder));
  } else {
    // Some tickets left out: the total's medians are those of the tickets kept, one group of them all.
    const all = new Int32Array(1);
    const allOf = new Int32Array(count);
    for (let m = 0; m < count; m++) allOf[m] = (groupOf[m] as number) < 0 ? -1 : 0;
    all[0] = sums[ACCEPTED] as number;
    const medianAccept = groupMedians(t.acceptOrder, allOf, all, 1)[0] ?? null;
    all[0] = sums[RESOLVED] as number;
    const medianResolve = groupMedians(t.resolveOrder, allOf, all, 1)[0] ?? null;
    total = figuresOf(sums, 0, medianAccept, medianResolve);
  }
  return { groups: result, total };
}
