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
import { sqlOf } from '../../db/client.js';
import { oneOf } from '../../db/dialect.js';
import { all, defineQuery } from '../../db/sql.js';
import { localDateOf, localInstant } from '../../pipeline/calendar.js';
import { maskName, rosterNames, scrub } from '../../privacy.js';
import { subtreeIds } from './scope.js';
import { addInto, coverageByGridLines, coverageByLiaison, emptyFigures } from '../../visits/month-coverage.js';
import { gridRows } from '../../visits/place-coverage.js';
/** The 签字 states of a visit (src/visits/visits.ts). */
export const CONFIRMATIONS = ['pending', 'confirmed', 'disputed', 'unconfirmed'];
/** Whether the user has a visit log: the roles that see a region (as the inbox). */
export function hasVisitLog(scope) {
    return scope.regionIds.length > 0;
}
/** The instants a month (YYYY-MM, Beijing time) starts and ends. */
export function monthBounds(month) {
    const [year, m] = month.split('-').map(Number);
    const next = m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
    return { from: localInstant(`${month}-01`, 0), to: localInstant(`${next}-01`, 0) };
}
/** The regions a view covers: the scope's, narrowed to the chosen region's subtree. */
function regionIdsOf(scope, filters, regions) {
    if (filters.regionId === undefined)
        return scope.regionIds;
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
const visitPageQuery = defineQuery('console_visit_page', (db, p, dialect) => db
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
    .limit(p.limit));
function mediaOf(json) {
    try {
        const value = JSON.parse(json);
        return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
    }
    catch {
        return [];
    }
}
/** Visit rows per page (and per batch of the CSV export). */
export const VISIT_PAGE_SIZE = 50;
const VISIT_BATCH_SIZE = 500;
/** One page of the visit log of `scope` matching `filters`. */
export async function queryVisits(db, scope, filters, regions, page = {}) {
    const regionIds = hasVisitLog(scope) ? regionIdsOf(scope, filters, regions) : [];
    if (!regionIds.length)
        return { rows: [], next: null };
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
    const rows = found.slice(0, size).map((v) => {
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
            confirmation: CONFIRMATIONS.includes(v.confirmation) ? v.confirmation : 'pending',
            comment: v.comment === null ? null : scrub(v.comment, names),
            rating: v.rating,
        };
    });
    return { rows, next: found.length > size ? (rows.at(-1)?.id ?? null) : null };
}
/** Every visit matching the filters, batch after batch (for the streamed CSV export). */
export async function* visitBatches(db, scope, filters, regions) {
    let after;
    for (;;) {
        const page = await queryVisits(db, scope, filters, regions, { ...(after === undefined ? {} : { after }), size: VISIT_BATCH_SIZE });
        if (page.rows.length)
            yield page.rows;
        if (page.next === null)
            return;
        after = page.next;
    }
}
// ─── Coverage 包户走访覆盖 ────────────────────────────────────────────────────────
const peopleNamesQuery = defineQuery('console_visit_people', (db, p, dialect) => db
    .selectFrom('Person')
    .select(['id', 'name', 'code'])
    .where(oneOf(dialect, 'id', p.ids)));
/**
 * The month's coverage: one line per liaison and village (villages in code order,
 * liaisons by code), each village's total after its liaisons, the scope's total last.
 * The status filter does not apply: coverage counts every visit.
 */
export async function visitCoverage(db, scope, filters, regions) {
    const regionIds = hasVisitLog(scope) ? regionIdsOf(scope, filters, regions) : [];
    if (!regionIds.length)
        return [];
    const sql = sqlOf(db);
    const lines = new Map((await coverageByLiaison(db, { regionIds, ...monthBounds(filters.month), liaisonId: filters.liaisonId ?? 0 })).map((l) => [`${l.regionId}:${l.liaisonId}`, l]));
    const people = new Map((await all(sql, peopleNamesQuery, { ids: [...new Set([...lines.values()].map((l) => l.liaisonId))] })).map((p) => [p.id, p]));
    const code = (regionId) => regions.get(regionId)?.code ?? '';
    const sorted = [...lines.values()]
        .map((l) => {
        const person = people.get(l.liaisonId);
        return { ...l, liaison: person ? `${person.name} ${person.code}` : '', liaisonCode: person?.code ?? '' };
    })
        .sort((a, b) => code(a.regionId).localeCompare(code(b.regionId)) || a.liaisonCode.localeCompare(b.liaisonCode));
    const out = [];
    const total = emptyFigures();
    // Sorted by village, so each village's lines are together: its total follows them.
    for (let i = 0; i < sorted.length;) {
        const regionId = sorted[i].regionId;
        const village = regions.get(regionId)?.name ?? '';
        const sum = emptyFigures();
        for (; i < sorted.length && sorted[i].regionId === regionId; i++) {
            const line = sorted[i];
            out.push({ kind: 'liaison', village, liaison: line.liaison, ...line.figures });
            addInto(sum, line.figures);
        }
        out.push({ kind: 'village', village, liaison: '', ...sum });
        addInto(total, sum);
    }
    out.push({ kind: 'total', village: '', liaison: '', ...total });
    return out;
}
/** The month's coverage by grid (the households' grids), in grid code order. */
export async function visitGridCoverage(db, scope, filters, regions) {
    const regionIds = hasVisitLog(scope) ? regionIdsOf(scope, filters, regions) : [];
    if (!regionIds.length)
        return [];
    const lines = await coverageByGridLines(db, { regionIds, ...monthBounds(filters.month), liaisonId: filters.liaisonId ?? 0, gridId: 0 });
    return (await gridRows(db, lines)).map((row) => ({ grid: row.label, ...row.figures }));
}
function idOf(text) {
    if (text === null || text.trim() === '')
        return undefined;
    return /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : null;
}
/**
 * Reads `month` (YYYY-MM; the current Beijing month by default), `liaison` and `region`
 * (ids), `status` (a 签字 state) and `after`. Bad values are reported and ignored.
 */
export function parseVisitParams(params, now) {
    const problems = [];
    const filters = { month: localDateOf(now).slice(0, 7) };
    const month = params.get('month')?.trim();
    if (month) {
        if (/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
            filters.month = month;
        else
            problems.push(`月份 month: ${month}`);
    }
    for (const [name, key, label] of [
        ['liaison', 'liaisonId', '网格员 liaison'],
        ['region', 'regionId', '地区 region'],
    ]) {
        const id = idOf(params.get(name));
        if (id === null)
            problems.push(`${label}: ${params.get(name) ?? ''}`);
        else if (id !== undefined)
            filters[key] = id;
    }
    const status = params.get('status')?.trim();
    if (status) {
        if (CONFIRMATIONS.includes(status))
            filters.confirmation = status;
        else
            problems.push(`签字 status: ${status}`);
    }
    const after = idOf(params.get('after'));
    return { filters, ...(typeof after === 'number' ? { after } : {}), problems };
}
/** The query string of filters (for links: next page, CSV exports). */
export function visitParams(filters, after) {
    const p = new URLSearchParams({ month: filters.month });
    if (filters.liaisonId !== undefined)
        p.set('liaison', String(filters.liaisonId));
    if (filters.regionId !== undefined)
        p.set('region', String(filters.regionId));
    if (filters.confirmation)
        p.set('status', filters.confirmation);
    if (after !== undefined)
        p.set('after', String(after));
    return p;
}
