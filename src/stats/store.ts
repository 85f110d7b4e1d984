/**
 * The statistics store: the few facts of every ticket that the figures need, held in
 * memory column by column (typed arrays), and brought up to date from the database
 * before every statistics call.
 *
 * Why in memory: a county's year is half a million tickets. Measured on the reference
 * machine (2 cores, shared), SQLite needs ~100 ms only to count 500,000 rows of a
 * covering index, about a second for one row of figures and more for a breakdown or an
 * exact median; a loop over typed arrays does all of it in a few milliseconds, the
 * same on SQLite and PostgreSQL. The store is a cache: the tickets stay the only truth.
 *
 * How it follows the database: new tickets by id (keyset pages), changed ones by
 * `updatedAt` (every transition sets it; indexed), re-reading an overlap window before
 * the latest change seen, so that a transaction that took its time before committing is
 * not missed. A clock set back by more than the overlap hides changes until
 * {@link invalidateStats}.
 */
import { type Db, sqlOf } from '../db/client.js';
import { type RawBuilder, sql } from 'kysely';
import { type Dialect, epochMs, jsonArrayOfRows } from '../db/dialect.js';
import { defineQuery, first } from '../db/sql.js';
import { hasResidentToAnswer } from '../pipeline/requester.js';
import { OPEN_STATES, type TicketState } from '../pipeline/states.js';
import { keywordsOf } from './keywords.js';

/** Bits of a ticket's flags: what it counts in. */
export const FLAG = {
  /** Merged into another ticket: counts nowhere. */
  MERGED: 1 << 0,
  OPEN: 1 << 1,
  /** Open and marked overdue. */
  OVERDUE: 1 << 2,
  /** In the response rate's denominator (first 签收 made, or a 签收 deadline lapsed first). */
  RESPONSE_COUNTED: 1 << 3,
  RESPONSE_ON_TIME: 1 << 4,
  /** In the on-time rate's denominator: resolved once, or open and overdue without a 办结 yet. */
  ON_TIME_COUNTED: 1 << 5,
  ON_TIME: 1 << 6,
  CLOSED: 1 << 7,
  /** Closed with no return, escalation or reopen. */
  ONE_TIME: 1 << 8,
  RATED: 1 << 9,
  /** Rated satisfied or basically satisfied. */
  SATISFIED: 1 << 10,
  SOLVED_ANSWERED: 1 << 11,
  SOLVED: 1 << 12,
  /** Returned 退单 at least once (the 回退率). */
  RETURNED: 1 << 13,
  /** Reopened 重办 at least once (the 重办率). */
  REOPENED: 1 << 14,
  /** Work staff gave themselves (a meeting's decision, src/pipeline/requester.ts): not a resident's request, counts nowhere. */
  NOT_A_REQUEST: 1 << 15,
} as const;

/** The flags of a ticket no figure counts. */
export const COUNTS_NOWHERE = FLAG.MERGED | FLAG.NOT_A_REQUEST;

/** "None" in the id columns (ids start at 1). */
export const NONE = 0;
/** "None" in the minutes columns. */
export const NO_MINUTES = -1;

/** How far before the latest change seen every refresh looks again. */
const OVERLAP_MS = 5 * 60_000;
/** Rows per query while loading. */
const PAGE_ROWS = 50_000;

const OPEN = new Set<string>(OPEN_STATES);
const SATISFIED_RATINGS = new Set(['satisfied', 'basically_satisfied']);

/** A ticket's statistics facts as the database gives them. */
interface FactRow {
  id: number;
  /** ms since the epoch */
  createdAt: number;
  updatedAt: number;
  regionId: number;
  gridId: number | null;
  assigneeId: number | null;
  assigneeDepartmentId: number | null;
  categoryCode: string;
  state: string;
  mergedIntoId: number | null;
  overdue: boolean | number;
  returnCount: number;
  escalationCount: number;
  reopenCount: number;
  acceptMinutes: number | null;
  acceptedOnTime: boolean | number | null;
  resolveMinutes: number | null;
  resolvedOnTime: boolean | number | null;
  callbackRating: string | null;
  callbackSolved: boolean | number | null;
  /** The words kept at intake; null for tickets older than that column. */
  keywords: string | null;
  /** Summary and description, read only when `keywords` is null. */
  summaryText: string | null;
  descriptionText: string | null;
  /** How it came in: work staff gave themselves is no resident's request. */
  channel: string | null;
}

/** SQLite gives booleans as 0/1, PostgreSQL as booleans. */
function truthy(value: boolean | number | null): boolean {
  return value === true || value === 1;
}

/** The columns of a ticket its flags depend on. */
type FlagColumns = Pick<
  FactRow,
  'state' | 'channel' | 'mergedIntoId' | 'overdue' | 'returnCount' | 'escalationCount' | 'reopenCount' | 'acceptedOnTime' | 'resolvedOnTime' | 'callbackRating' | 'callbackSolved'
>;

/** The flags of a ticket (see {@link FLAG}). */
export function flagsOf(row: FlagColumns): number {
  const state = row.state as TicketState;
  if (state === 'merged' || row.mergedIntoId !== null) return FLAG.MERGED;
  if (!hasResidentToAnswer(row.channel)) return FLAG.NOT_A_REQUEST;
  let flags = 0;
  const open = OPEN.has(state);
  const overdue = open && truthy(row.overdue);
  if (open) flags |= FLAG.OPEN;
  if (overdue) flags |= FLAG.OVERDUE;
  if (row.acceptedOnTime !== null) flags |= FLAG.RESPONSE_COUNTED | (truthy(row.acceptedOnTime) ? FLAG.RESPONSE_ON_TIME : 0);
  if (row.resolvedOnTime !== null) flags |= FLAG.ON_TIME_COUNTED | (truthy(row.resolvedOnTime) ? FLAG.ON_TIME : 0);
  else if (overdue) flags |= FLAG.ON_TIME_COUNTED;
  if (state === 'closed') {
    flags |= FLAG.CLOSED;
    if (row.returnCount === 0 && row.escalationCount === 0 && row.reopenCount === 0) flags |= FLAG.ONE_TIME;
  }
  if (row.callbackRating !== null) flags |= FLAG.RATED | (SATISFIED_RATINGS.has(row.callbackRating) ? FLAG.SATISFIED : 0);
  if (row.callbackSolved !== null) flags |= FLAG.SOLVED_ANSWERED | (truthy(row.callbackSolved) ? FLAG.SOLVED : 0);
  if (row.returnCount > 0) flags |= FLAG.RETURNED;
  if (row.reopenCount > 0) flags |= FLAG.REOPENED;
  return flags;
}

/** Grows a typed array to `size` elements, keeping its contents. */
function grown<T extends Int32Array | Float64Array | Uint16Array | Uint8Array>(array: T, size: number, fill: number): T {
  const Ctor = array.constructor as new (n: number) => T;
  const next = new Ctor(size);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

/** The facts of every ticket, one typed array per column, one index per ticket. */
export class TicketFacts {
  /** Tickets held. */
  size = 0;
  id = new Int32Array(0);
  /** Receipt time, ms since the epoch. */
  createdMs = new Float64Array(0);
  regionId = new Int32Array(0);
  gridId = new Int32Array(0);
  assigneeId = new Int32Array(0);
  departmentId = new Int32Array(0);
  /** Index into {@link categoryCodes}. */
  category = new Uint16Array(0);
  flags = new Uint16Array(0);
  acceptMinutes = new Int32Array(0);
  resolveMinutes = new Int32Array(0);
  /** Where a ticket's word ids start in {@link wordPool}, and how many it has. */
  wordStart = new Int32Array(0);
  wordCount = new Uint8Array(0);
  /** Word ids of every ticket, one after the other. */
  wordPool = new Int32Array(0);
  private wordPoolSize = 0;
  /** The words, by id. */
  readonly words: string[] = [];
  private readonly wordIndex = new Map<string, number>();
  /** Category codes in order of first appearance. */
  readonly categoryCodes: string[] = [];
  private readonly categoryIndex = new Map<string, number>();
  /** Row of each ticket id, plus one (0: not held). */
  private rowOfId = new Int32Array(0);
  /** Highest ticket id held. */
  maxId = 0;
  /** Latest `updatedAt` seen, ms; -Infinity before the first load. */
  latestChangeMs = Number.NEGATIVE_INFINITY;

  private capacity(): number {
    return this.id.length;
  }

  private ensureCapacity(rows: number): void {
    if (rows <= this.capacity()) return;
    const size = Math.max(rows, this.capacity() * 2, 1024);
    this.id = grown(this.id, size, 0);
    this.createdMs = grown(this.createdMs, size, 0);
    this.regionId = grown(this.regionId, size, 0);
    this.gridId = grown(this.gridId, size, 0);
    this.assigneeId = grown(this.assigneeId, size, 0);
    this.departmentId = grown(this.departmentId, size, 0);
    this.category = grown(this.category, size, 0);
    this.flags = grown(this.flags, size, 0);
    this.acceptMinutes = grown(this.acceptMinutes, size, NO_MINUTES);
    this.resolveMinutes = grown(this.resolveMinutes, size, NO_MINUTES);
    this.wordStart = grown(this.wordStart, size, 0);
    this.wordCount = grown(this.wordCount, size, 0);
  }

  /** Keeps a ticket's words (once: they are set at intake and never change). */
  private setWords(at: number, words: string): void {
    const list = words.split(' ').filter(Boolean).slice(0, 255);
    if (this.wordPoolSize + list.length > this.wordPool.length) {
      this.wordPool = grown(this.wordPool, Math.max(this.wordPoolSize + list.length, this.wordPool.length * 2, 4096), 0);
    }
    this.wordStart[at] = this.wordPoolSize;
    this.wordCount[at] = list.length;
    for (const word of list) {
      let id = this.wordIndex.get(word);
      if (id === undefined) {
        id = this.words.length;
        this.words.push(word);
        this.wordIndex.set(word, id);
      }
      this.wordPool[this.wordPoolSize++] = id;
    }
  }

  private categoryOf(code: string): number {
    let index = this.categoryIndex.get(code);
    if (index === undefined) {
      index = this.categoryCodes.length;
      this.categoryCodes.push(code);
      this.categoryIndex.set(code, index);
    }
    return index;
  }

  /** The category index of a code, or -1 when no ticket has it. */
  categoryIndexOf(code: string): number {
    return this.categoryIndex.get(code) ?? -1;
  }

  /**
   * Adds a ticket, or replaces what is held about it. `words` (the ticket's keywords) are
   * kept when the ticket is new to the store.
   */
  upsert(row: FactRow, words: string): void {
    if (row.id >= this.rowOfId.length) this.rowOfId = grown(this.rowOfId, Math.max(row.id + 1, this.rowOfId.length * 2, 1024), 0);
    let at = (this.rowOfId[row.id] ?? 0) - 1;
    if (at < 0) {
      at = this.size++;
      this.ensureCapacity(this.size);
      this.rowOfId[row.id] = at + 1;
      this.setWords(at, words);
    }
    this.id[at] = row.id;
    this.createdMs[at] = row.createdAt;
    this.regionId[at] = row.regionId;
    this.gridId[at] = row.gridId ?? NONE;
    this.assigneeId[at] = row.assigneeId ?? NONE;
    this.departmentId[at] = row.assigneeDepartmentId ?? NONE;
    this.category[at] = this.categoryOf(row.categoryCode);
    this.flags[at] = flagsOf(row);
    this.acceptMinutes[at] = row.acceptMinutes ?? NO_MINUTES;
    this.resolveMinutes[at] = row.resolveMinutes ?? NO_MINUTES;
    if (row.id > this.maxId) this.maxId = row.id;
    const changed = row.updatedAt;
    if (changed > this.latestChangeMs) this.latestChangeMs = changed;
  }
}

/** The ticket columns the facts read. */
const SOURCE_COLUMNS = [
  'id',
  'createdAt',
  'updatedAt',
  'regionId',
  'gridId',
  'assigneeId',
  'assigneeDepartmentId',
  'categoryCode',
  'state',
  'mergedIntoId',
  'overdue',
  'returnCount',
  'escalationCount',
  'reopenCount',
  'acceptMinutes',
  'acceptedOnTime',
  'resolveMinutes',
  'resolvedOnTime',
  'callbackRating',
  'callbackSolved',
  'keywords',
  'summary',
  'description',
  'channel',
] as const;

/** The columns read as they are, between the times and the texts. */
const AS_STORED = SOURCE_COLUMNS.slice(3, -3);

/**
 * The values read for each ticket, in the order of {@link FactRow}. Times come as ms
 * since the epoch; the texts travel only for tickets without keywords (older than that
 * column).
 */
function factValues(dialect: Dialect): RawBuilder<unknown>[] {
  const withoutKeywords = (name: 'summary' | 'description') => sql`CASE WHEN ${sql.ref('keywords')} IS NULL THEN ${sql.ref(name)} END`;
  return [
    sql.ref('id'),
    epochMs(dialect, 'createdAt'),
    epochMs(dialect, 'updatedAt'),
    ...AS_STORED.map((name) => sql.ref(name)),
    withoutKeywords('summary'),
    withoutKeywords('description'),
    sql.ref('channel'),
  ];
}

type FactTuple = [
  number,
  number,
  number,
  number,
  number | null,
  number | null,
  number | null,
  string,
  string,
  number | null,
  boolean | number,
  number,
  number,
  number,
  number | null,
  boolean | number | null,
  number | null,
  boolean | number | null,
  string | null,
  boolean | number | null,
  string | null,
  string | null,
  string | null,
  string | null,
];

function factOf(t: FactTuple): FactRow {
  return {
    id: t[0],
    createdAt: t[1],
    updatedAt: t[2],
    regionId: t[3],
    gridId: t[4],
    assigneeId: t[5],
    assigneeDepartmentId: t[6],
    categoryCode: t[7],
    state: t[8],
    mergedIntoId: t[9],
    overdue: t[10],
    returnCount: t[11],
    escalationCount: t[12],
    reopenCount: t[13],
    acceptMinutes: t[14],
    acceptedOnTime: t[15],
    resolveMinutes: t[16],
    resolvedOnTime: t[17],
    callbackRating: t[18],
    callbackSolved: t[19],
    keywords: t[20],
    summaryText: t[21],
    descriptionText: t[22],
    channel: t[23],
  };
}

/**
 * The facts of a page of new tickets (ids above `afterId`), and of the tickets changed
 * since `since`. Each query returns ONE row: the tickets as a JSON array built by the
 * database. Row by row, the driver spends ~10 µs per ticket; as one JSON text, ~2 µs,
 * which is what makes loading a million tickets bearable. The inner query names its
 * columns: SELECT * would read every text of every ticket.
 */
const newFactsQuery = defineQuery('stats_facts_after_id', (db, p: { afterId: number }, dialect) =>
  db
    .selectFrom(db.selectFrom('Ticket').select(SOURCE_COLUMNS).where('id', '>', p.afterId).orderBy('id').limit(PAGE_ROWS).as('t'))
    .select(jsonArrayOfRows(dialect, factValues(dialect)).as('rows')),
);
const changedFactsQuery = defineQuery('stats_facts_changed_since', (db, p: { since: Date }, dialect) =>
  db.selectFrom(db.selectFrom('Ticket').select(SOURCE_COLUMNS).where('updatedAt', '>=', p.since).as('t')).select(jsonArrayOfRows(dialect, factValues(dialect)).as('rows')),
);

/** The facts in the one row of {@link newFactsQuery} or {@link changedFactsQuery}. */
function factsOf(row: { rows: string } | undefined): FactRow[] {
  return (JSON.parse(row?.rows ?? '[]') as FactTuple[]).map(factOf);
}

/** Adds or updates the rows in the facts; tickets from before keywords were kept get their words cut now. */
async function apply(facts: TicketFacts, rows: FactRow[]): Promise<void> {
  for (const row of rows) {
    facts.upsert(row, row.keywords ?? (await keywordsOf(row.summaryText ?? '', row.descriptionText ?? '')));
  }
}

/** The store of one database client: its facts and the refresh in progress. */
class StatsStore {
  facts = new TicketFacts();
  /** Every refresh runs after the one before it. */
  private chain: Promise<void> = Promise.resolve();
  /** A refresh queued and not started yet: callers arriving now may share it. */
  private queued: Promise<void> | undefined;
  /** Bumped by invalidate(): a refresh of an older generation must not write into the new facts. */
  generation = 0;

  constructor(private readonly db: Db) {}

  refresh(): Promise<void> {
    // A queued refresh starts after this call, so it sees everything committed before it.
    if (this.queued) return this.queued;
    const run: Promise<void> = this.chain.then(() => {
      if (this.queued === run) this.queued = undefined;
      return this.run();
    });
    this.queued = run;
    this.chain = run.catch(() => undefined);
    return run;
  }

  invalidate(): void {
    this.generation += 1;
    this.facts = new TicketFacts();
  }

  private async run(): Promise<void> {
    const generation = this.generation;
    const facts = this.facts;
    const firstLoad = facts.latestChangeMs === Number.NEGATIVE_INFINITY;
    const since = firstLoad ? null : new Date(facts.latestChangeMs - OVERLAP_MS);
    const connection = sqlOf(this.db);
    // New tickets first, by id; then those changed lately (a ticket may be in both: upsert).
    for (;;) {
      const rows = factsOf(await first(connection, newFactsQuery, { afterId: facts.maxId }));
      if (generation !== this.generation) return;
      await apply(facts, rows);
      if (rows.length < PAGE_ROWS) break;
    }
    if (since) {
      const rows = factsOf(await first(connection, changedFactsQuery, { since }));
      if (generation !== this.generation) return;
      await apply(facts, rows);
    }
  }
}

const stores = new WeakMap<Db, StatsStore>();

/** The facts of every ticket of `db`, brought up to date. */
export async function ticketFacts(db: Db): Promise<TicketFacts> {
  let store = stores.get(db);
  if (!store) {
    store = new StatsStore(db);
    stores.set(db, store);
  }
  for (;;) {
    const generation = store.generation;
    await store.refresh();
    if (generation === store.generation) return store.facts;
  }
}

/**
 * Forgets what the store holds for `db`: the next statistics call loads every ticket
 * again. For tools that rewrite tickets behind the pipeline's back, or a clock set back.
 */
export function invalidateStats(db: Db): void {
  stores.get(db)?.invalidate();
}

/** Loads the store ahead of the first statistics call (the console calls it at start). */
export async function warmStats(db: Db): Promise<void> {
  await ticketFacts(db);
}
