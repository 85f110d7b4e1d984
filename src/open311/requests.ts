/**
 * Service requests of Open311: posting one (a ticket through the same pipeline as a chat
 * report: routing, deadlines and pings) and reading them back, scrubbed as the public
 * board shows them.
 *
 * Who sees what: without a key, the tickets the public board shows with their text
 * (src/web/public-board.ts), the village as the address and coordinates rounded to about
 * 100 m. A key also sees the requests it posted itself, and a key with the `read` scope
 * and a region every ticket of its region: those with the place as given, exact
 * coordinates and the media link — their text still scrubbed (no names, phones, IDs,
 * house numbers).
 */
import type { Db, SqlTx } from '../db/client.js';
import { sqlOf } from '../db/client.js';
import type { Prisma } from '../db/generated/sqlite/client.js';
import { all, defineQuery, one } from '../db/sql.js';
import { normalizePhone } from '../org/phone.js';
import { personByPhone } from '../intake/intake.js';
import type { Locale } from '../org/types.js';
import { type PipelineService, withSqlRetry } from '../pipeline/service.js';
import { MAX_NOTE_LENGTH } from '../pipeline/machine.js';
import { renderRefusal } from '../engine/i18n.js';
import { OPEN_STATES, REQUEST_KINDS, type RequestKind, STATE_NAMES, type TicketState } from '../pipeline/states.js';
import { maskName, rosterNames, scrub } from '../privacy.js';
import { loadRegions, type RegionNode, subtreeIds } from '../org/regions.js';
import { formatLocal } from '../web/format.js';
import { BOARD_STATES, publishedIds, shownWhere } from '../web/public-board.js';
import { randomUUID } from 'node:crypto';
import { type ApiKeyRecord, hasScope } from './keys.js';
import { isoBeijing, Open311Error, parseDatetime, type Value } from './format.js';
import { serviceName, villageChoices, type VillageChoice } from './services.js';
import { looksPublicUrl } from '../web/public-url.js';

/** The channel a ticket posted here is recorded under (its intake event, the statistics). */
export const OPEN311_CHANNEL = 'open311';

/** The widest date range of one GET requests, and its default span. */
const MAX_RANGE_DAYS = 90;
/** The most requests one GET requests returns. */
const MAX_REQUESTS = 1000;
/** How far a point may lie from a village's located requests and still be placed there. */
const NEAREST_VILLAGE_KM = 10;

// ─── Posting a request ─────────────────────────────────────────────────────────

/** What posting needs of the app. */
export interface Open311App {
  database: { db: Db };
  pipeline: PipelineService;
}

/** A number parameter, or undefined when absent; a malformed one is a 400. */
function coordinate(form: URLSearchParams, name: 'lat' | 'long', limit: number): number | undefined {
  const text = form.get(name)?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!/^-?\d+(\.\d+)?$/.test(text) || Math.abs(value) > limit) throw new Open311Error(400, `${name} must be a number between -${limit} and ${limit}`);
  return value;
}

function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 12742 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The village nearest to a point: regions keep no coordinates, so a village is where its
 * located requests are (their mean point); none within NEAREST_VILLAGE_KM is none.
 */
async function nearestVillage(db: Db, point: { latitude: number; longitude: number }, among: readonly VillageChoice[]): Promise<VillageChoice | undefined> {
  const ids = among.map((v) => v.id);
  const centres = await db.ticket.groupBy({
    by: ['regionId'],
    where: { regionId: { in: ids }, latitude: { not: null }, longitude: { not: null } },
    _avg: { latitude: true, longitude: true },
  });
  let best: { village: VillageChoice; km: number } | undefined;
  for (const c of centres) {
    const { latitude, longitude } = c._avg;
    const village = among.find((v) => v.id === c.regionId);
    if (latitude === null || longitude === null || !village) continue;
    const km = distanceKm(point, { latitude, longitude });
    if (km <= NEAREST_VILLAGE_KM && (!best || km < best.km)) best = { village, km };
  }
  return best?.village;
}

/** The villages whose name the address names; with two of one name, the one whose township it names too. */
function villagesNamed(address: string, villages: readonly VillageChoice[]): VillageChoice[] {
  const named = villages.filter((v) => address.includes(v.name));
  const withTownship = named.filter((v) => v.township && address.includes(v.township));
  return withTownship.length ? withTownship : named;
}

/**
 * Where a posted request is: attribute[village] (or address_id, a village's code), else
 * the one village the address names, else the village nearest the coordinates, else the
 * key's region. A key with a region posts only within it: a village code or an address
 * naming a village outside it is a 400.
 */
async function placeOf(db: Db, form: URLSearchParams, key: ApiKeyRecord, point: { latitude: number; longitude: number } | undefined): Promise<number> {
  const regions = await loadRegions(db);
  const allowed = key.regionId === null ? null : new Set(subtreeIds(regions, key.regionId));
  const everyVillage = await villageChoices(db);
  const villages = everyVillage.filter((v) => allowed === null || allowed.has(v.id));
  const code = form.get('attribute[village]')?.trim() || form.get('address_id')?.trim();
  if (code) {
    const village = villages.find((v) => v.code === code);
    if (village) return village.id;
    const known = [...regions.values()].some((r) => r.code === code && r.level === 'village');
    throw new Open311Error(
      400,
      known ? `the village ${code} is outside the region of this api_key` : `no village with the code ${code} (see the service definition's village values)`,
    );
  }
  const address = form.get('address_string')?.trim();
  if (address) {
    const named = villagesNamed(address, villages);
    if (named.length === 1) return named[0]!.id;
    // An address naming a village only elsewhere is not filed in the key's own region as if it named none.
    const elsewhere = named.length ? [] : villagesNamed(address, everyVillage);
    if (elsewhere.length) {
      const names = elsewhere.map((v) => `${v.township}${v.name}`).join(', ');
      throw new Open311Error(400, `the address names ${names}, outside the region of this api_key`);
    }
  }
  if (point) {
    const near = await nearestVillage(db, point, villages);
    if (near) return near.id;
  }
  const own = key.regionId === null ? undefined : regions.get(key.regionId);
  if (own && own.level !== 'county') return own.id;
  throw new Open311Error(
    400,
    'the request could not be placed in a village: give attribute[village] (a code from the service definition), an address_string naming the village, or lat and long near it',
  );
}

/** A requester's name from first_name and last_name: surname first for Chinese names. */
function requesterName(form: URLSearchParams): string {
  const firstName = form.get('first_name')?.trim() ?? '';
  const lastName = form.get('last_name')?.trim() ?? '';
  const han = /^\p{Script=Han}*$/u;
  const name = han.test(firstName) && han.test(lastName) ? `${lastName}${firstName}` : `${firstName} ${lastName}`.trim();
  return name.slice(0, 40) || '群众';
}

const newPersonQuery = defineQuery('open311_new_person', (db, p: { code: string; name: string; phone: string | null; at: Date }) =>
  db.insertInto('Person').values({ code: p.code, name: p.name, phone: p.phone, locale: 'zh', createdAt: p.at, updatedAt: p.at }).returning('id'),
);

async function requesterIn(tx: SqlTx, form: URLSearchParams, phone: string | null, regionIds: number[], now: Date): Promise<number> {
  // The person this phone already belongs to (a household member, a 受理登记 walk-in, an earlier requester), else someone new.
  const known = phone ? await personByPhone(tx, phone, regionIds) : null;
  if (known !== null) return known;
  const created = await one(sqlOf(tx), newPersonQuery, { code: `U-${OPEN311_CHANNEL}-${randomUUID().slice(0, 12)}`, name: requesterName(form), phone, at: now });
  return created.id;
}

/**
 * A requester's phone: a mainland number as the roster writes it (so it can match a
 * roster person), or another number kept as digits (a client abroad, the specification's
 * own examples); null for what is no phone number.
 */
function contactPhone(text: string): string | null {
  return normalizePhone(text) ?? (/^\+?[\d\s().-]{5,24}$/.test(text) ? text.replace(/[^\d+]/g, '') : null);
}

/** What the deadline of a ticket promises, in words. */
function noticeOf(ticket: { resolveBy: Date | null; acceptBy: Date | null }, locale: Locale): string | null {
  if (ticket.resolveBy) return locale === 'en' ? `To be resolved by ${formatLocal(ticket.resolveBy)} (Beijing time).` : `承诺于 ${formatLocal(ticket.resolveBy)} 前办结。`;
  if (ticket.acceptBy) return locale === 'en' ? `To be taken up by ${formatLocal(ticket.acceptBy)} (Beijing time).` : `将于 ${formatLocal(ticket.acceptBy)} 前签收办理。`;
  return null;
}

/**
 * POST requests: creates the ticket and answers its number with what is promised.
 * @throws Open311Error (400) for a request the specification or the pipeline refuses.
 */
export async function postRequest(app: Open311App, form: URLSearchParams, key: ApiKeyRecord, locale: Locale): Promise<Value> {
  const db = app.database.db;
  const code = form.get('service_code')?.trim();
  if (!code) throw new Open311Error(400, 'service_code is required');
  const category = await db.category.findUnique({ where: { code }, select: { code: true } });
  if (!category) throw new Open311Error(400, `service_code ${code} is not a service (see services)`);
  const latitude = coordinate(form, 'lat', 90);
  const longitude = coordinate(form, 'long', 180);
  if ((latitude === undefined) !== (longitude === undefined)) throw new Open311Error(400, 'lat and long must be given together');
  const point = latitude === undefined || longitude === undefined ? undefined : { latitude, longitude };
  const description = form.get('description')?.trim();
  if (!description) throw new Open311Error(400, 'description is required: what is the matter?');
  if (description.length > MAX_NOTE_LENGTH) throw new Open311Error(400, `description is too long: at most ${MAX_NOTE_LENGTH} characters`);
  const kindText = form.get('attribute[kind]')?.trim() || 'help';
  if (!(REQUEST_KINDS as readonly string[]).includes(kindText)) throw new Open311Error(400, `attribute[kind] must be one of ${REQUEST_KINDS.join(', ')}`);
  const phoneText = form.get('phone')?.trim();
  const phone = phoneText ? contactPhone(phoneText) : null;
  if (phoneText && !phone) throw new Open311Error(400, 'phone is not a phone number');
  const mediaUrl = form.get('media_url')?.trim();
  // Forwarded to handlers, a link may be fetched by this server: never one to its own network (src/web/public-url.ts).
  if (mediaUrl && (!/^https?:\/\/[^\s]{1,2000}$/i.test(mediaUrl) || !looksPublicUrl(mediaUrl)))
    throw new Open311Error(400, 'media_url must be an http or https URL on a public host');
  const regionId = await placeOf(db, form, key, point);
  const regions = await loadRegions(db);
  // A person is matched by phone only within the key's region, or the request's township.
  const township = regions.get(regionId)?.parentId ?? regionId;
  const scopeIds = subtreeIds(regions, key.regionId ?? township);
  const location = [form.get('address_string')?.trim(), form.get('attribute[landmark]')?.trim()].filter(Boolean).join(' ');
  const now = app.pipeline.clock.now();
  const outcome = await withSqlRetry(db, async (tx) =>
    app.pipeline.reportIn(tx, {
      residentId: await requesterIn(tx, form, phone, scopeIds, now),
      categoryCode: category.code,
      kind: kindText as RequestKind,
      summary: description,
      description,
      regionId,
      ...(location ? { location } : {}),
      ...(phone ? { contactPhone: phone } : {}),
      photos: mediaUrl ? [mediaUrl] : [],
      ...(point ?? {}),
      via: OPEN311_CHANNEL,
      // The answer to this POST is the receipt.
      acknowledged: true,
      apiKey: key.name,
    }),
  );
  if (!outcome.ok) {
    throw new Open311Error(400, `the request was refused: ${renderRefusal('en', outcome.refusal)}`);
  }
  return [{ service_request_id: outcome.ticket.number, service_notice: noticeOf(outcome.ticket, locale), account_id: null }];
}

// ─── Reading requests ──────────────────────────────────────────────────────────

/**
 * How the intake event of a request posted with `key` names it (its data is JSON written
 * without spaces). Looked for with LIKE: key names hold no wildcard and no capital
 * (src/open311/keys.ts), so the pattern matches that key alone.
 */
function postedMark(key: ApiKeyRecord): string {
  return `"apiKey":${JSON.stringify(key.name)}`;
}

/** The tickets the public board shows with their text, every board of the county together. */
export function publicBoardWhere(regions: Map<number, RegionNode>): Prisma.TicketWhereInput {
  const roots = [...regions.values()].filter((r) => r.parentId === null);
  const published = roots.flatMap((r) => publishedIds(regions, r));
  return { AND: [shownWhere(regions, published), { state: { in: [...BOARD_STATES] } }] };
}

/**
 * The tickets the caller may read: the public board's; with a key, those it posted; with
 * a reading key, its region's. `inFull` tells which of them are the key's to read in full.
 */
function visibleWhere(regions: Map<number, RegionNode>, key: ApiKeyRecord | null): { where: Prisma.TicketWhereInput; inFull: (t: TicketRow) => boolean } {
  const board = publicBoardWhere(regions);
  if (!key) return { where: board, inFull: () => false };
  const own = new Set(key.regionId !== null && hasScope(key, 'read') ? subtreeIds(regions, key.regionId) : []);
  const mark = postedMark(key);
  const posted: Prisma.TicketWhereInput = { events: { some: { seq: 1, data: { contains: mark } } } };
  return {
    where: { OR: [board, posted, ...(own.size ? [{ regionId: { in: [...own] } }] : [])] },
    inFull: (t) => own.has(t.regionId) || t.events.some((e) => e.data.includes(mark)),
  };
}

const ticketSelect = {
  id: true,
  number: true,
  state: true,
  categoryCode: true,
  summary: true,
  publicSummary: true,
  regionId: true,
  location: true,
  latitude: true,
  longitude: true,
  media: true,
  acceptBy: true,
  resolveBy: true,
  createdAt: true,
  updatedAt: true,
  category: { select: { nameZh: true, nameEn: true } },
  assignee: { select: { name: true, roles: { select: { role: true } } } },
  assigneeDepartment: { select: { name: true } },
  // The intake event: which key posted it, if one did.
  events: { where: { seq: 1 }, select: { data: true } },
} satisfies Prisma.TicketSelect;

type TicketRow = Prisma.TicketGetPayload<{ select: typeof ticketSelect }>;

/** Who handles the ticket, as the public may read it: the department, or the person's role and masked name. */
function agencyOf(t: TicketRow, locale: Locale): string | null {
  if (t.assigneeDepartment) return t.assigneeDepartment.name;
  if (!t.assignee) return null;
  const roles = t.assignee.roles.map((r) => r.role);
  const role = roles.includes('liaison') ? { zh: '网格员', en: 'liaison' } : roles.includes('grid_leader') ? { zh: '网长', en: 'grid leader' } : { zh: '工作人员', en: 'staff' };
  return `${locale === 'en' ? role.en : role.zh} ${maskName(t.assignee.name)}`;
}

/** A ticket's first media reference, when it is a link others can follow. */
function mediaUrlOf(media: string): string | null {
  try {
    const list: unknown = JSON.parse(media);
    const url = Array.isArray(list) ? list.find((m): m is string => typeof m === 'string' && /^https?:\/\//i.test(m)) : undefined;
    return url ?? null;
  } catch {
    return null;
  }
}

/** One ticket as the specification writes a service request. */
function requestValue(t: TicketRow, regions: Map<number, RegionNode>, names: ReadonlySet<string>, full: boolean, locale: Locale): Value {
  const village = regions.get(t.regionId);
  const township = village?.parentId === null || village === undefined ? undefined : regions.get(village.parentId);
  const place = [township?.name, village?.name].filter(Boolean).join(' ');
  const state = STATE_NAMES[t.state as TicketState] as { zh: string; en: string } | undefined;
  return {
    service_request_id: t.number,
    status: (OPEN_STATES as readonly string[]).includes(t.state) ? 'open' : 'closed',
    status_notes: state ? state[locale] : t.state,
    service_name: serviceName(t.category, locale),
    service_code: t.categoryCode,
    description: scrub(full ? t.summary : (t.publicSummary ?? t.summary), names),
    agency_responsible: agencyOf(t, locale),
    service_notice: noticeOf(t, locale),
    requested_datetime: isoBeijing(t.createdAt),
    updated_datetime: isoBeijing(t.updatedAt),
    expected_datetime: t.resolveBy ? isoBeijing(t.resolveBy) : null,
    address: full && t.location ? `${place} ${scrub(t.location, names)}` : place,
    address_id: village?.code ?? null,
    zipcode: null,
    // Where a resident shared their location is personal data: the board never shows it, so neither does a reader without the ticket's region.
    lat: full ? t.latitude : null,
    long: full ? t.longitude : null,
    media_url: full ? mediaUrlOf(t.media) : null,
  };
}

/** Splits a comma list parameter. */
function listParam(params: URLSearchParams, name: string): string[] {
  return (params.get(name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The filters of GET requests (the date range checked: at most 90 days). */
function filtersOf(params: URLSearchParams, now: Date): Prisma.TicketWhereInput {
  const ids = listParam(params, 'service_request_id');
  // The specification: a list of ids overrides every other argument.
  if (ids.length) return { number: { in: ids.slice(0, MAX_REQUESTS) } };
  const and: Prisma.TicketWhereInput[] = [];
  const codes = listParam(params, 'service_code');
  if (codes.length) and.push({ categoryCode: { in: codes } });
  const statuses = listParam(params, 'status');
  for (const s of statuses) if (s !== 'open' && s !== 'closed') throw new Open311Error(400, 'status must be open or closed');
  if (statuses.length === 1) and.push(statuses[0] === 'open' ? { state: { in: [...OPEN_STATES] } } : { state: { notIn: [...OPEN_STATES] } });
  const dateParam = (name: string): Date | undefined => {
    const text = params.get(name);
    if (text === null || text === '') return undefined;
    const date = parseDatetime(text);
    if (!date) throw new Open311Error(400, `${name} must be an ISO 8601 datetime, e.g. 2026-11-01T00:00:00+08:00`);
    return date;
  };
  const span = MAX_RANGE_DAYS * 86_400_000;
  let start = dateParam('start_date');
  let end = dateParam('end_date');
  if (start && end) {
    if (end < start) throw new Open311Error(400, 'end_date is before start_date');
    if (end.getTime() - start.getTime() > span) throw new Open311Error(400, `start_date and end_date may be at most ${MAX_RANGE_DAYS} days apart`);
  } else if (start) {
    end = new Date(start.getTime() + span);
  } else {
    end ??= now;
    start = new Date(end.getTime() - span);
  }
  and.push({ createdAt: { gte: start, lte: end } });
  return { AND: and };
}

/** GET requests: the caller's visible requests that match, newest first, at most 1,000. */
export async function listRequests(db: Db, params: URLSearchParams, key: ApiKeyRecord | null, now: Date, locale: Locale): Promise<Value> {
  const filters = filtersOf(params, now);
  return findRequests(db, filters, key, locale);
}

/** GET requests/{id}: the one request, or a 404 (one answer for "none" and "not yours"). */
export async function oneRequest(db: Db, number: string, key: ApiKeyRecord | null, locale: Locale): Promise<Value> {
  const found = await findRequests(db, { number }, key, locale);
  if (!Array.isArray(found) || !found.length) throw new Open311Error(404, `no service request ${number}`);
  return found;
}

async function findRequests(db: Db, filters: Prisma.TicketWhereInput, key: ApiKeyRecord | null, locale: Locale): Promise<Value[]> {
  const regions = await loadRegions(db);
  const visible = visibleWhere(regions, key);
  const [rows, names] = await Promise.all([
    db.ticket.findMany({ where: { AND: [visible.where, filters] }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: MAX_REQUESTS, select: ticketSelect }),
    rosterNames(db),
  ]);
  return rows.map((t) => requestValue(t, regions, names, visible.inFull(t), locale));
}

const channelQuery = defineQuery('open311_ticket_channel', (db, p: { number: string }) =>
  db.selectFrom('Ticket as t').innerJoin('TicketEvent as e', 'e.ticketId', 't.id').select(['t.number', 'e.data']).where('t.number', '=', p.number).where('e.seq', '=', 1),
);

/**
 * GET tokens/{token}: requests are numbered when posted, so a token is the number of a
 * request posted here; it resolves to itself.
 */
export async function resolveToken(db: Db, token: string): Promise<Value> {
  const rows = await all(sqlOf(db), channelQuery, { number: token });
  const posted = rows.find((r) => {
    try {
      return (JSON.parse(r.data) as { channel?: unknown }).channel === OPEN311_CHANNEL;
    } catch {
      return false;
    }
  });
  if (!posted) throw new Open311Error(404, `no token ${token}`);
  return [{ service_request_id: posted.number, token }];
}
