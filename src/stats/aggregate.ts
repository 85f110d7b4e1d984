/**
 * The figures of a cohort, computed from the statistics store in one pass over its typed
 * arrays, split into groups (a breakdown's rows, a trend's buckets) on the way. Exact
 * medians: the minutes of each group are gathered and the middle found by selection
 * (quickselect), linear in the number of tickets.
 */
import { FLAG, NO_MINUTES, type TicketFacts } from './store.js';
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
const COUNTERS = 15;

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
const GROUPS = 1;
const ACCEPT_VALUES = 2;
const RESOLVE_VALUES = 3;

function bump(counters: Int32Array, at: number): void {
  counters[at] = (counters[at] as number) + 1;
}

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

/** Places each grouped value at its group's slice of one array; returns the slices' starts (length groups + 1). */
function scatter(
  column: Int32Array,
  members: Int32Array,
  memberGroup: Int32Array,
  count: number,
  counters: Int32Array,
  counter: number,
  groups: number,
  slot: number,
): { values: Int32Array; starts: Int32Array } {
  const starts = new Int32Array(groups + 1);
  for (let g = 0; g < groups; g++) starts[g + 1] = (starts[g] as number) + (counters[g * COUNTERS + counter] as number);
  const values = work(slot, starts[groups] as number);
  const cursor = starts.slice(0, groups);
  for (let m = 0; m < count; m++) {
    const v = column[members[m] as number] as number;
    if (v === NO_MINUTES) continue;
    const g = memberGroup[m] as number;
    values[cursor[g] as number] = v;
    cursor[g] = (cursor[g] as number) + 1;
  }
  return { values, starts };
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
    if ((flags[i] as number) & FLAG.MERGED) continue;
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

/**
 * The figures of the tickets of `cohort`, grouped by `keyOf` (a key in [0, keyLimit), or
 * -1 to leave the ticket out), and of all of them together.
 */
export function aggregate(facts: TicketFacts, cohort: Cohort, keyOf: (row: number) => number, keyLimit: number): Aggregate {
  const { rows, count: cohortSize } = cohortRows(facts, cohort);
  const flags = facts.flags;
  const groupOfKey = new Int32Array(Math.max(keyLimit, 1)).fill(-1);
  const keys: number[] = [];
  let counters = new Int32Array(COUNTERS * 16);
  // Members overwrite the cohort's rows in place (a member is written no later than it is read).
  const members = rows;
  const memberGroup = work(GROUPS, cohortSize);
  let count = 0;

  for (let m = 0; m < cohortSize; m++) {
    const i = rows[m] as number;
    const f = flags[i] as number;
    const key = keyOf(i);
    if (key < 0 || key >= keyLimit) continue;
    let g = groupOfKey[key] as number;
    if (g < 0) {
      g = keys.length;
      keys.push(key);
      groupOfKey[key] = g;
      if ((g + 1) * COUNTERS > counters.length) {
        const next = new Int32Array(counters.length * 2);
        next.set(counters);
        counters = next;
      }
    }
    const b = g * COUNTERS;
    bump(counters, b + RECEIVED);
    if (f & FLAG.OPEN) bump(counters, b + OPEN);
    if (f & FLAG.OVERDUE) bump(counters, b + OVERDUE);
    if (f & FLAG.RESPONSE_COUNTED) {
      bump(counters, b + RESPONSE_DEN);
      if (f & FLAG.RESPONSE_ON_TIME) bump(counters, b + RESPONSE_NUM);
    }
    if (f & FLAG.ON_TIME_COUNTED) {
      bump(counters, b + ON_TIME_DEN);
      if (f & FLAG.ON_TIME) bump(counters, b + ON_TIME_NUM);
    }
    if (f & FLAG.CLOSED) {
      bump(counters, b + CLOSED);
      if (f & FLAG.ONE_TIME) bump(counters, b + ONE_TIME_NUM);
    }
    if (f & FLAG.SOLVED_ANSWERED) {
      bump(counters, b + SOLVED_DEN);
      if (f & FLAG.SOLVED) bump(counters, b + SOLVED_NUM);
    }
    if (f & FLAG.RATED) {
      bump(counters, b + RATED);
      if (f & FLAG.SATISFIED) bump(counters, b + SATISFIED_NUM);
    }
    if (facts.acceptMinutes[i] !== NO_MINUTES) bump(counters, b + ACCEPTED);
    if (facts.resolveMinutes[i] !== NO_MINUTES) bump(counters, b + RESOLVED);
    members[count] = i;
    memberGroup[count] = g;
    count++;
  }

  const groups = keys.length;
  const accept = scatter(facts.acceptMinutes, members, memberGroup, count, counters, ACCEPTED, groups, ACCEPT_VALUES);
  const resolve = scatter(facts.resolveMinutes, members, memberGroup, count, counters, RESOLVED, groups, RESOLVE_VALUES);
  const result: GroupFigures[] = keys.map((key, g) => {
    const medianAccept = medianOf(accept.values, accept.starts[g] as number, accept.starts[g + 1] as number);
    const medianResolve = medianOf(resolve.values, resolve.starts[g] as number, resolve.starts[g + 1] as number);
    return { key, figures: figuresOf(counters, g * COUNTERS, medianAccept, medianResolve) };
  });
  const sums = new Int32Array(COUNTERS);
  for (let g = 0; g < groups; g++) for (let c = 0; c < COUNTERS; c++) sums[c] = (sums[c] as number) + (counters[g * COUNTERS + c] as number);
  // One group holds every value: its medians are the total's (a selection saved).
  const only = groups === 1 ? result[0]?.figures : undefined;
  const total = figuresOf(
    sums,
    0,
    only ? only.medianAcceptMinutes : medianOf(accept.values, 0, accept.starts[groups] as number),
    only ? only.medianResolveMinutes : medianOf(resolve.values, 0, resolve.starts[groups] as number),
  );
  return { groups: result, total };
}
