/**
 * The work queue of the console: the tickets of the user's scope, filtered, newest first,
 * in pages of a fixed size with a keyset cursor (the id of the last row), so that page
 * 2,000 costs what page 1 costs and a ticket arriving meanwhile shifts nothing.
 *
 * Totals are counted for the work views only (open tickets, or one open state): that is
 * the backlog, thousands at most, reached through the state index. A history view
 * (all, done, a finished state) of a county with a million tickets would have to read
 * most of them to count; it shows its pages without a total ("50+").
 */
import { type Db, sqlOf } from '../../db/client.js';
import { likeEscaped, containsPattern, oneOf } from '../../db/dialect.js';
import type { Prisma } from '../../db/generated/sqlite/client.js';
import { all, defineQuery, type Query } from '../../db/sql.js';
import { normaliseText, rosterNames, scrub } from '../../privacy.js';
import { addCalendarDays, localDateOf, localInstant } from '../../pipeline/calendar.js';
import { OPEN_STATES, TICKET_STATES, type TicketState } from '../../pipeline/states.js';
import { type StaffScope, ticketScopeWhere } from './scope.js';
import { pathOf, type RegionNode, subtreeIds } from '../../org/regions.js';
import { formId } from './form-numbers.js';

/** Which states a queue shows: a group or one state. */
export const STATE_GROUPS = ['open', 'done', 'all'] as const;
export type StateFilter = (typeof STATE_GROUPS)[number] | TicketState;

/** States after the work: 办结 and after, withdrawn, merged. */
export const DONE_STATES: readonly TicketState[] = TICKET_STATES.filter((s) => !OPEN_STATES.includes(s));

/** The handler filter: a person (liaison, grid leader) or a department. */
export type HandlerFilter = { personId: number } | { departmentId: number };

/** The queue's filters; all optional but the state group (open by default). */
export interface QueueFilters {
  state: StateFilter;
  categoryCode?: string;
  /** A region of the scope: the tickets placed in it or below it. */
  regionId?: number;
  gridId?: number;
  handler?: HandlerFilter;
  /** Only 超期: open tickets the scheduler marked overdue. */
  overdue?: boolean;
  /** Only tickets flagged 督办. */
  supervised?: boolean;
  /** 待回访: resolved and not yet rated, so the callback (a phone call if need be) is due. */
  callbackDue?: boolean;
  /** Received on or after (an instant). */
  from?: Date;
  /** Received before (an instant). */
  to?: Date;
  /** A ticket number (whole or part) or words of the summary or description. */
  q?: string;
}

export interface QueuePage {
  /** The id of the last ticket of the previous page (keyset cursor). */
  after?: number;
  /** Rows per page (default 50, at most 500). */
  size?: number;
}

/** One line of the queue. Names are staff names; no resident data appears here. */
export interface QueueRow {
  id: number;
  number: string;
  state: TicketState;
  kind: string;
  categoryCode: string;
  summary: string;
  region: string;
  grid: string | null;
  /** The handler: a person's name or a department's name; null while unassigned. */
  handler: string | null;
  handlerIsDepartment: boolean;
  level: string;
  createdAt: Date;
  acceptBy: Date | null;
  resolveBy: Date | null;
  /** 超期: open and marked overdue by the scheduler. */
  overdue: boolean;
  supervised: boolean;
  /** 催办: how many times the resident urged it. */
  urgeCount: number;
  /** When the callback period ends (resolved tickets awaiting their rating). */
  callbackBy: Date | null;
}

export interface QueueResult {
  rows: QueueRow[];
  /** The cursor of the next page, or null on the last one. */
  next: number | null;
  /**
   * How many tickets match: exact when `counted`; otherwise (history views) the rows
   * seen so far on this page.
   */
  count: number;
  /** True when there are more than `count` (a history view with a next page). */
  countCapped: boolean;
  /** Whether `count` is the exact total. */
  counted: boolean;
  /**
   * A word search matched more than SEARCH_LIMIT tickets: the total counts only the newest
   * of them, or this page holds fewer rows than it could (its next page searches on).
   */
  searchLimited: boolean;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** Whether the total of a view is counted (the open backlog), see the module comment. */
export function countsTotal(filters: QueueFilters): boolean {
  return filters.state === 'open' || OPEN_STATES.includes(filters.state as TicketState) || filters.callbackDue === true;
}

/** A whole ticket number as printed, e.g. MQ-2026-000123. */
const TICKET_NUMBER = /^[A-Za-z]{1,6}-\d{4}-\d{6}$/;

/** The most words of a search that count (the rest are ignored). */
const MAX_SEARCH_WORDS = 5;

/**
 * How many matching tickets a word search hands on at most (in the scope and the states
 * asked for, older than the page's cursor, newest first): the other filters then apply to
 * these. Their ids are bound one by one in Prisma's query, and Prisma binds at most 999
 * values on SQLite (measured: 5,000 failed with P2029). More matches than this is hardly a
 * search (a word in every other request); the page says so.
 */
export const SEARCH_LIMIT = 500;

/** The words of a search, or null when there is none or it is a whole ticket number (found by equality). */
function searchWords(q: string | undefined): string[] | null {
  const text = q?.trim();
  if (!text || TICKET_NUMBER.test(text)) return null;
  return text.split(/\s+/).slice(0, MAX_SEARCH_WORDS);
}

interface SearchParams {
  regionIds: number[];
  gridIds: number[];
  departmentIds: number[];
  /** The states the filters ask for (every state for a history view). */
  states: string[];
  /** Only ids below it: the page's keyset cursor, so that later pages search on. */
  before: number;
  limit: number;
  /** The words as LIKE patterns (containsPattern), `w0`, `w1`, … */
  [word: `w${number}`]: string;
}

/**
 * The search through the storage layer, so that what is typed is matched as typed: `%`,
 * `_` and `\` are plain characters (containsPattern, likeEscaped). Prisma's `contains`
 * cannot say ESCAPE, and SQLite has no escape character without it. One query per number
 * of words and per scope shape (every region, or the scope's lists), each compiled once.
 */
const searchQueries = new Map<string, Query<SearchParams, { id: number }>>();

function searchQuery(words: number, everyRegion: boolean): Query<SearchParams, { id: number }> {
  const key = `${words}${everyRegion ? '_all' : ''}`;
  let query = searchQueries.get(key);
  if (query) return query;
  query = defineQuery(`queue_search_${key}`, (db, p: SearchParams, dialect) => {
    let select = db
      .selectFrom('Ticket')
      .select('id')
      .where('id', '<', p.before)
      .where(oneOf(dialect, 'state', p.states));
    if (!everyRegion) {
      select = select.where((eb) => eb.or([oneOf(dialect, 'regionId', p.regionIds), oneOf(dialect, 'gridId', p.gridIds), oneOf(dialect, 'assigneeDepartmentId', p.departmentIds)]));
    }
    // Each word typed must appear (路灯 坏), in the number, the summary or the description.
    for (let i = 0; i < words; i++) {
      const word = p[`w${i}`];
      select = select.where((eb) => eb.or([likeEscaped('number', word), likeEscaped('summary', word), likeEscaped('description', word)]));
    }
    return select.orderBy('id', 'desc').limit(p.limit);
  });
  searchQueries.set(key, query);
  return query;
}

/** The states a queue's state filter means (待回访: resolved; 超期: open ones). */
function statesOf(filters: QueueFilters): readonly string[] {
  if (filters.callbackDue) return ['resolved'];
  const group = filters.overdue ? 'open' : filters.state;
  if (group === 'open') return OPEN_STATES.filter((s) => filters.state === 'open' || filters.state === 'all' || s === filters.state);
  if (group === 'done') return DONE_STATES;
  if (group === 'all') return TICKET_STATES;
  return [group];
}

/** The ids of the scope's tickets in the filters' states matching every word, below `before`, newest first, at most SEARCH_LIMIT. */
async function searchMatches(db: Db, scope: StaffScope, filters: QueueFilters, words: string[], before: number | undefined): Promise<number[]> {
  const params: SearchParams = {
    regionIds: scope.regionIds,
    gridIds: scope.gridIds,
    departmentIds: scope.departmentIds,
    states: [...statesOf(filters)],
    before: before ?? 2 ** 31 - 1,
    limit: SEARCH_LIMIT,
  };
  words.forEach((word, i) => (params[`w${i}`] = containsPattern(word)));
  return (await all(sqlOf(db), searchQuery(words.length, scope.everyRegion), params)).map((r) => r.id);
}

/**
 * The Prisma condition of the filters, inside the scope. `matched`: the tickets a word
 * search found (searchMatches); a search of words finds nothing without it.
 */
export function queueWhere(scope: StaffScope, filters: QueueFilters, regions?: Map<number, RegionNode>, matched?: readonly number[]): Prisma.TicketWhereInput {
  const and: Prisma.TicketWhereInput[] = [ticketScopeWhere(scope)];
  // 待回访 is a state of its own (resolved, awaiting the rating), whatever the state filter says.
  const state = filters.callbackDue ? 'all' : filters.state;
  if (state === 'open') and.push({ state: { in: [...OPEN_STATES] } });
  else if (state === 'done') and.push({ state: { in: [...DONE_STATES] } });
  else if (state !== 'all') and.push({ state });
  // 已上报 is a desk's list: what waits at the viewer's own level (a county dispatcher's, what reached the county;
  // a township's, what its villages sent up), never what a village escalated to a township below the viewer.
  if (state === 'escalated' && scope.topRegions.length) and.push({ handlingRegionId: { in: scope.topRegions.map((r) => r.id) } });
  if (filters.categoryCode) and.push({ categoryCode: filters.categoryCode });
  if (filters.regionId !== undefined) {
    const ids = regions ? subtreeIds(regions, filters.regionId) : [filters.regionId];
    and.push({ regionId: ids.length === 1 ? ids[0]! : { in: ids } });
  }
  if (filters.gridId !== undefined) and.push({ gridId: filters.gridId });
  if (filters.handler) {
    and.push('personId' in filters.handler ? { assigneeId: filters.handler.personId } : { assigneeDepartmentId: filters.handler.departmentId });
  }
  if (filters.overdue) and.push({ state: { in: [...OPEN_STATES] }, overdue: true });
  if (filters.supervised) and.push({ supervised: true });
  if (filters.callbackDue) and.push({ state: 'resolved' });
  if (filters.from) and.push({ createdAt: { gte: filters.from } });
  if (filters.to) and.push({ createdAt: { lt: filters.to } });
  const q = filters.q?.trim();
  if (q && TICKET_NUMBER.test(q)) and.push({ number: q.toUpperCase() });
  else if (searchWords(q)) and.push({ id: { in: [...(matched ?? [])] } });
  const parts = and.filter((w) => Object.keys(w).length > 0);
  return parts.length === 1 ? parts[0]! : { AND: parts };
}

const ROW_SELECT = {
  id: true,
  number: true,
  state: true,
  kind: true,
  categoryCode: true,
  summary: true,
  level: true,
  createdAt: true,
  acceptBy: true,
  resolveBy: true,
  callbackBy: true,
  pausedAt: true,
  overdue: true,
  supervised: true,
  urgeCount: true,
  region: { select: { name: true } },
  grid: { select: { name: true } },
  assignee: { select: { name: true } },
  assigneeDepartment: { select: { name: true } },
} satisfies Prisma.TicketSelect;

type RowData = Prisma.TicketGetPayload<{ select: typeof ROW_SELECT }>;

/**
 * Whether a ticket counts as 超期: open, and marked overdue by the scheduler when its
 * handling deadline passed (the statistics count the same way, see src/stats/definitions.ts).
 */
export function isOverdue(t: { state: string; overdue: boolean }): boolean {
  return t.overdue && OPEN_STATES.includes(t.state as TicketState);
}

function toRow(t: RowData, names: ReadonlySet<string>): QueueRow {
  return {
    id: t.id,
    number: t.number,
    state: t.state as TicketState,
    kind: t.kind,
    categoryCode: t.categoryCode,
    // A list (and its CSV) reaches beyond the case: the one scrubber, names included.
    summary: scrub(t.summary, names),
    region: t.region.name,
    grid: t.grid?.name ?? null,
    handler: t.assignee?.name ?? t.assigneeDepartment?.name ?? null,
    handlerIsDepartment: t.assignee === null && t.assigneeDepartment !== null,
    level: t.level,
    createdAt: t.createdAt,
    acceptBy: t.acceptBy,
    resolveBy: t.resolveBy,
    overdue: isOverdue(t),
    supervised: t.supervised,
    urgeCount: t.urgeCount,
    callbackBy: t.state === 'resolved' ? t.callbackBy : null,
  };
}

/**
 * One page of the queue: the tickets of `scope` matching `filters`, newest first.
 * `regions` (from loadRegions) lets a region filter include the villages below it.
 */
export async function queryQueue(
  db: Db,
  scope: StaffScope,
  filters: QueueFilters,
  page: QueuePage = {},
  options: { regions?: Map<number, RegionNode>; count?: boolean; within?: Prisma.TicketWhereInput } = {},
): Promise<QueueResult> {
  const size = Math.min(Math.max(1, Math.trunc(page.size ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
  // `within` narrows the scope further (the REST API's keys without a region: the public board's tickets).
  const within = (w: Prisma.TicketWhereInput): Prisma.TicketWhereInput => (options.within ? { AND: [w, options.within] } : w);
  const counted = options.count !== false && countsTotal(filters);
  // A search hands on the matches of this page on (below the cursor); the total counts them from the newest.
  const words = searchWords(filters.q);
  const matched = words ? await searchMatches(db, scope, filters, words, page.after) : undefined;
  const matchedAll = words && counted && page.after !== undefined ? await searchMatches(db, scope, filters, words, undefined) : matched;
  const where = within(queueWhere(scope, filters, options.regions, matchedAll));
  const paged: Prisma.TicketWhereInput = page.after === undefined ? where : { AND: [within(queueWhere(scope, filters, options.regions, matched)), { id: { lt: page.after } }] };
  // No `take` on the count: Prisma would add ORDER BY id, and SQLite would then walk the
  // table in id order instead of using the state index.
  const [found, total] = await Promise.all([
    db.ticket.findMany({ where: paged, orderBy: { id: 'desc' }, take: size + 1, select: ROW_SELECT }),
    counted ? db.ticket.count({ where }) : Promise.resolve(null),
  ]);
  const more = found.length > size;
  const names = await rosterNames(db);
  const rows = found.slice(0, size).map((t) => toRow(t, names));
  // A search whose window of matches was full may go on below it though this page is not full:
  // the next page starts after the window's oldest match.
  const windowFull = matched !== undefined && matched.length >= SEARCH_LIMIT;
  const next = more ? (rows.at(-1)?.id ?? null) : windowFull ? (matched.at(-1) ?? null) : null;
  return {
    rows,
    next,
    count: total ?? rows.length,
    countCapped: total === null && next !== null,
    counted: total !== null,
    // Said when it shows: a total of the first matches only, or a page cut short by the window.
    searchLimited: (total !== null && matchedAll !== undefined && matchedAll.length >= SEARCH_LIMIT) || (windowFull && !more),
  };
}

/** Every ticket matching the filters, page after page (for the streamed CSV export). */
export async function* queueBatches(
  db: Db,
  scope: StaffScope,
  filters: QueueFilters,
  options: { regions?: Map<number, RegionNode>; batchSize?: number } = {},
): AsyncGenerator<QueueRow[]> {
  let after: number | undefined;
  for (;;) {
    const page = await queryQueue(db, scope, filters, { ...(after === undefined ? {} : { after }), size: options.batchSize ?? MAX_PAGE_SIZE }, { ...options, count: false });
    if (page.rows.length) yield page.rows;
    if (page.next === null) return;
    after = page.next;
  }
}

/** A local date (Beijing), YYYY-MM-DD, as the instant its day starts. */
function dayStart(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  try {
    return localInstant(text, 0);
  } catch {
    return null;
  }
}

/** Filters read from a query string, with the problems of the values that were ignored. */
export interface ParsedFilters {
  filters: QueueFilters;
  after?: number;
  problems: string[];
}

/** The heading of the problems of a query string, Chinese first (the page's notice, the API's 400). */
export const FILTER_PROBLEMS = { zh: '以下筛选条件无效，已忽略：', en: 'These filters were not understood and are ignored:' } as const;

/** Said after a filter naming a region, grid or handler unknown or outside the user's scope: both read alike, neither is shown. */
const NOT_IN_AREA = '（不在您的工作范围内 not in your area）';

/**
 * The `region` filter of a query string (the queue's, the inbox's): a region of the user's `scope`, or undefined.
 * A region unknown or of another township is named in `problems` and ignored: both read alike, neither is shown.
 */
export function parseRegionParam(params: URLSearchParams, scope: StaffScope, regions: Map<number, RegionNode>, problems: string[]): number | undefined {
  const text = params.get('region')?.trim();
  if (!text) return undefined;
  const id = formId(text);
  if (id === null) problems.push(`地区 region: ${text}`);
  else if (!(regions.has(id) && (scope.everyRegion || scope.regionIds.includes(id)))) problems.push(`地区 region: ${text}${NOT_IN_AREA}`);
  else return id;
  return undefined;
}

/** Whether grid `id` exists and lies in the scope (its village in the scope's regions, or a grid led). */
async function gridInScope(db: Db, scope: StaffScope, id: number): Promise<boolean> {
  const grid = await db.grid.findUnique({ where: { id }, select: { regionId: true } });
  return grid !== null && (scope.everyRegion || scope.regionIds.includes(grid.regionId) || scope.gridIds.includes(id));
}

/**
 * Whether a handler exists and may hold the scope's tickets: a person with a role in the scope's regions,
 * grids or departments; a department of the scope's regions or above them (a county department handles the
 * townships' escalated tickets), or one served.
 */
async function handlerInScope(db: Db, scope: StaffScope, regions: Map<number, RegionNode>, handler: HandlerFilter): Promise<boolean> {
  if ('personId' in handler) {
    const roles = await db.personRole.findMany({ where: { personId: handler.personId, role: { not: 'resident' } }, select: { regionId: true, gridId: true, departmentId: true } });
    return roles.some(
      (r) =>
        scope.everyRegion ||
        scope.regionIds.includes(r.regionId) ||
        (r.gridId !== null && scope.gridIds.includes(r.gridId)) ||
        (r.departmentId !== null && scope.departmentIds.includes(r.departmentId)),
    );
  }
  const department = await db.department.findUnique({ where: { id: handler.departmentId }, select: { regionId: true } });
  if (!department) return false;
  const above = new Set(scope.topRegions.flatMap((t) => pathOf(regions, t.id)));
  return scope.everyRegion || scope.regionIds.includes(department.regionId) || above.has(department.regionId) || scope.departmentIds.includes(handler.departmentId);
}

/**
 * Reads the queue's query string (`state`, `category`, `region`, `grid`, `handler` as
 * `p<ID>` or `d<ID>`, `overdue=1`, `supervised=1`, `callback=due`, `from`/`to` as local dates with `to`
 * included, `q`, `after`). Bad values are reported and ignored, never fatal: one not
 * understood, a region, grid or handler that is unknown or outside the user's `scope`, dates the wrong way round.
 */
export async function parseQueueParams(db: Db, params: URLSearchParams, scope: StaffScope, regions: Map<number, RegionNode>): Promise<ParsedFilters> {
  const problems: string[] = [];
  const filters: QueueFilters = { state: 'open' };
  const state = params.get('state')?.trim();
  if (state) {
    if ((STATE_GROUPS as readonly string[]).includes(state) || (TICKET_STATES as readonly string[]).includes(state)) filters.state = state as StateFilter;
    else problems.push(`状态 state: ${state}`);
  }
  const category = params.get('category')?.trim();
  if (category) {
    if (/^[a-z_]{1,32}$/.test(category)) filters.categoryCode = category;
    else problems.push(`类别 category: ${category}`);
  }
  const regionId = parseRegionParam(params, scope, regions, problems);
  if (regionId !== undefined) filters.regionId = regionId;
  const grid = params.get('grid')?.trim();
  if (grid) {
    const id = formId(grid);
    if (id === null) problems.push(`网格 grid: ${grid}`);
    else if (!(await gridInScope(db, scope, id))) problems.push(`网格 grid: ${grid}${NOT_IN_AREA}`);
    else filters.gridId = id;
  }
  const handler = params.get('handler')?.trim();
  if (handler) {
    const m = /^([pd])(\d{1,9})$/.exec(handler);
    const parsed: HandlerFilter | null = m ? (m[1] === 'p' ? { personId: Number(m[2]) } : { departmentId: Number(m[2]) }) : null;
    if (!parsed) problems.push(`经办 handler: ${handler}`);
    else if (!(await handlerInScope(db, scope, regions, parsed))) problems.push(`经办 handler: ${handler}${NOT_IN_AREA}`);
    else filters.handler = parsed;
  }
  if (params.get('overdue') === '1') filters.overdue = true;
  if (params.get('supervised') === '1') filters.supervised = true;
  if (params.get('callback') === 'due') filters.callbackDue = true;
  const from = params.get('from')?.trim();
  if (from) {
    const at = dayStart(from);
    if (at) filters.from = at;
    else problems.push(`起始日期 from: ${from}`);
  }
  const to = params.get('to')?.trim();
  if (to) {
    const at = dayStart(to);
    if (!at) problems.push(`截止日期 to: ${to}`);
    else if (filters.from && at < filters.from) {
      // Nothing is received after it and before it: say so rather than show an empty queue.
      problems.push(`起止日期 from–to: ${from ?? ''} 晚于 ${to}（起始日期晚于截止日期 the start is after the end）`);
      delete filters.from;
    } else filters.to = localInstant(addCalendarDays(to, 1), 0);
  }
  // As typed text is kept (full-width digits folded: １６６５ finds 1665).
  const q = normaliseText(params.get('q') ?? '').trim();
  if (q) filters.q = q.slice(0, 100);
  const after = formId(params.get('after'));
  return { filters, ...(after === null ? {} : { after }), problems };
}

/** The query string of filters (for links: next page, CSV export). */
export function queueParams(filters: QueueFilters, after?: number): URLSearchParams {
  const p = new URLSearchParams();
  if (filters.state !== 'open') p.set('state', filters.state);
  if (filters.categoryCode) p.set('category', filters.categoryCode);
  if (filters.regionId !== undefined) p.set('region', String(filters.regionId));
  if (filters.gridId !== undefined) p.set('grid', String(filters.gridId));
  if (filters.handler) p.set('handler', 'personId' in filters.handler ? `p${filters.handler.personId}` : `d${filters.handler.departmentId}`);
  if (filters.overdue) p.set('overdue', '1');
  if (filters.supervised) p.set('supervised', '1');
  if (filters.callbackDue) p.set('callback', 'due');
  if (filters.from) p.set('from', localDateOf(filters.from));
  if (filters.to) p.set('to', localDateOf(new Date(filters.to.getTime() - 1)));
  if (filters.q) p.set('q', filters.q);
  if (after !== undefined) p.set('after', String(after));
  return p;
}
