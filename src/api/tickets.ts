/**
 * What the REST API reads, through the console's own machinery: a key is given the reach
 * of a staff member of its region (src/web/console/scope.ts), its tickets come from the
 * console queue's query (src/web/console/queue.ts), their histories through the one rule
 * of what leaves the staff's hands (src/pipeline/event-view.ts), and the figures from
 * src/stats/query.ts. A key without a region reaches no further than the public board.
 *
 * Everything is scrubbed as for anything beyond the case (src/privacy.ts scrub): no
 * resident's name, phone or ID number, and a handler appears as a department or a masked
 * name. Internal staff notes (a 退单 reason, a dispatcher's instructions, 督办 notes) are
 * left out entirely, whatever the key's scopes.
 */
import type { Db } from '../db/client.js';
import { ApiError } from './errors.js';
import type { Prisma } from '../db/generated/sqlite/client.js';
import type { ApiKeyRecord } from '../open311/keys.js';
import { publicBoardWhere } from '../open311/requests.js';
import { addCalendarDays, localInstant } from '../pipeline/calendar.js';
import { eventText, shownToResident } from '../pipeline/event-view.js';
import { ticketHistory } from '../pipeline/rows.js';
import { maskName, rosterNames, scrub } from '../privacy.js';
import { figures, StatsQueryError } from '../stats/query.js';
import { type QueueFilters, type QueueRow, queryQueue } from '../web/console/queue.js';
import { type StaffScope } from '../web/console/scope.js';
import { loadRegions, type RegionNode, subtreeIds } from '../org/regions.js';
import type { z } from 'zod';
import type { regionList, statsAnswer, statsQuery, ticketDetail, ticketEvent, ticketListQuery, ticketPage, ticketRow } from './schemas.js';

/** How far a key reaches: a staff scope, narrowed to the public board for a key without a region. */
interface KeyReach {
  scope: StaffScope;
  /** The regions of the key (its region and below); null for a key without a region. */
  regionIds: ReadonlySet<number> | null;
  within?: Prisma.TicketWhereInput;
}

function reachOf(key: ApiKeyRecord, regions: Map<number, RegionNode>): KeyReach {
  const own = key.regionId === null ? null : regions.get(key.regionId);
  const regionIds = own ? subtreeIds(regions, own.id) : [];
  const scope: StaffScope = {
    accountId: 0,
    username: key.name,
    personId: 0,
    name: key.name,
    roles: [],
    topRegions: own ? [own] : [],
    regionIds,
    gridIds: [],
    departmentIds: [],
    everyRegion: own ? regionIds.length === regions.size : true,
    isAdmin: false,
    // A key is no person: it mediates nothing.
    isMediator: false,
    mediationOnly: false,
  };
  return own ? { scope, regionIds: new Set(regionIds) } : { scope, regionIds: null, within: publicBoardWhere(regions) };
}

/** The region with `code`, which the key must reach (a 404 otherwise: outside is not there). */
function regionIn(regions: Map<number, RegionNode>, reach: KeyReach, code: string): RegionNode {
  const region = [...regions.values()].find((r) => r.code === code);
  if (!region || (reach.regionIds !== null && !reach.regionIds.has(region.id))) throw new ApiError(404, `no region ${code} within this key's reach`);
  return region;
}

/** The instant a local date (checked by the schema) starts, and the instant after it ends. */
const dayStart = (date: string): Date => localInstant(date, 0);
const dayEnd = (date: string): Date => localInstant(addCalendarDays(date, 1), 0);

const iso = (at: Date | null): string | null => (at === null ? null : at.toISOString());

type TicketRow = z.infer<typeof ticketRow>;

/** A queue row as the API writes it: the handler's name masked, the board's summary for a board-only key. */
function rowOf(row: QueueRow, publicSummaries: Map<number, string> | null): TicketRow {
  return {
    number: row.number,
    state: row.state,
    kind: row.kind,
    category: row.categoryCode,
    summary: publicSummaries?.get(row.id) ?? row.summary,
    region: row.region,
    grid: row.grid,
    handler: row.handler === null ? null : row.handlerIsDepartment ? row.handler : maskName(row.handler),
    level: row.level,
    receivedAt: row.createdAt.toISOString(),
    acceptBy: iso(row.acceptBy),
    resolveBy: iso(row.resolveBy),
    overdue: row.overdue,
    supervised: row.supervised,
  };
}

/** For a key without a region, what the board shows of each ticket: staff's public summary, else the summary, scrubbed. */
async function boardSummaries(db: Db, reach: KeyReach, rows: QueueRow[]): Promise<Map<number, string> | null> {
  if (reach.regionIds !== null) return null;
  const [found, names] = await Promise.all([
    db.ticket.findMany({ where: { id: { in: rows.map((r) => r.id) } }, select: { id: true, summary: true, publicSummary: true } }),
    rosterNames(db),
  ]);
  return new Map(found.map((t) => [t.id, scrub(t.publicSummary ?? t.summary, names)]));
}

/** GET /api/v1/tickets: one page, newest first, with the console queue's filters. */
export async function listTickets(db: Db, key: ApiKeyRecord, query: z.infer<typeof ticketListQuery>): Promise<z.infer<typeof ticketPage>> {
  const regions = await loadRegions(db);
  const reach = reachOf(key, regions);
  const filters: QueueFilters = { state: query.state };
  if (query.category) filters.categoryCode = query.category;
  if (query.region) filters.regionId = regionIn(regions, reach, query.region).id;
  if (query.from) filters.from = dayStart(query.from);
  if (query.to) filters.to = dayEnd(query.to);
  const page = await queryQueue(
    db,
    reach.scope,
    filters,
    { size: query.limit, ...(query.after === undefined ? {} : { after: query.after }) },
    { regions, count: false, ...(reach.within ? { within: reach.within } : {}) },
  );
  const summaries = await boardSummaries(db, reach, page.rows);
  return { tickets: page.rows.map((r) => rowOf(r, summaries)), next: page.next };
}

/** GET /api/v1/tickets/{number}: the ticket and the history a resident may read of it (none for a key without a region), or a 404. */
export async function oneTicket(db: Db, key: ApiKeyRecord, number: string): Promise<z.infer<typeof ticketDetail>> {
  const regions = await loadRegions(db);
  const reach = reachOf(key, regions);
  // The queue's search takes a whole ticket number as an exact match.
  const page = await queryQueue(db, reach.scope, { state: 'all', q: number }, { size: 1 }, { regions, count: false, ...(reach.within ? { within: reach.within } : {}) });
  const row = page.rows[0];
  if (!row) throw new ApiError(404, `no ticket ${number} within this key's reach`);
  const [events, names, summaries] = await Promise.all([ticketHistory(db, row.id), rosterNames(db), boardSummaries(db, reach, [row])]);
  // A key without a region sees what the public board shows of a ticket, and the board shows no history.
  const history: z.infer<typeof ticketEvent>[] = events
    .filter((e) => summaries === null && shownToResident(e.type))
    .map((e) => {
      const text = eventText(e.type, dataOf(e.data), true);
      return { seq: e.seq, type: e.type, state: e.toState, actorRole: e.actorRole, at: e.at.toISOString(), text: text === null ? null : scrub(text, names) };
    });
  return { ...rowOf(row, summaries), events: history };
}

function dataOf(text: string): Record<string, unknown> {
  try {
    const data: unknown = JSON.parse(text);
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * GET /api/v1/stats: the figures of a region of the key's (its own by default). A key
 * without a region has none: the public board publishes the county's figures.
 */
export async function regionStats(db: Db, key: ApiKeyRecord, query: z.infer<typeof statsQuery>): Promise<z.infer<typeof statsAnswer>> {
  if (key.regionCode === null) throw new ApiError(404, 'this key has no region: the figures of the public board are at /public');
  const regions = await loadRegions(db);
  const region = regionIn(regions, reachOf(key, regions), query.region ?? key.regionCode);
  const from = dayStart(query.from);
  const to = dayEnd(query.to);
  if (to <= from) throw new ApiError(400, 'to is before from');
  try {
    const result = await figures(db, { scopeRegionId: region.id, from, to });
    return { region: { code: region.code, name: region.name }, from: query.from, to: query.to, figures: result };
  } catch (error) {
    if (error instanceof StatsQueryError) throw new ApiError(400, error.message);
    throw error;
  }
}

/** GET /api/v1/roster/regions: every region, by code. */
export async function regionRoster(db: Db): Promise<z.infer<typeof regionList>> {
  const regions = await loadRegions(db);
  const list = [...regions.values()].sort((a, b) => a.code.localeCompare(b.code));
  return { regions: list.map((r) => ({ code: r.code, name: r.name, level: r.level, parent: r.parentId === null ? null : (regions.get(r.parentId)?.code ?? null) })) };
}
