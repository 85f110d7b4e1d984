import { residentName, rosterNames, scrub } from '../privacy.js';
import { OPEN_STATES, STATE_NAMES } from '../pipeline/states.js';
import { eventData, inChunks } from './event-data.js';
/** Events that end an overdue spell: the matter is done, or an approved extension gives a new deadline. */
const ENDS_OVERDUE = ['resolved', 'closed', 'withdrawn', 'merged', 'extension_approved'];
const TICKET_DETAILS = {
    category: { select: { nameZh: true } },
    region: { select: { name: true } },
    resident: { select: { code: true, name: true, householdId: true } },
    assignee: { select: { name: true, department: { select: { name: true } } } },
    assigneeDepartment: { select: { name: true } },
    handlingRegion: { select: { name: true } },
};
/** Scrubbed (see src/privacy.ts: names of the roster, contacts, house numbers) and shortened to 40 characters. */
export function maskSummary(summary, names) {
    const masked = scrub(summary, names, false);
    const chars = [...masked.replace(/\s+/g, ' ').trim()];
    return chars.length > 40 ? `${chars.slice(0, 39).join('')}…` : chars.join('');
}
function loadTickets(db, ids) {
    return inChunks(ids, (chunk) => db.ticket.findMany({ where: { id: { in: chunk } }, include: TICKET_DETAILS }));
}
function itemOf(ticket, names) {
    const state = ticket.state;
    const department = ticket.assignee?.department?.name ?? ticket.assigneeDepartment?.name;
    const owner = ticket.assignee
        ? `${ticket.assignee.name}${department ? `（${department}）` : ''}`
        : (department ?? `${ticket.handlingRegion.name}群众工作室（待派单 to dispatch）`);
    const stateName = STATE_NAMES[state] ?? { zh: ticket.state, en: ticket.state };
    return {
        number: ticket.number,
        category: ticket.category.nameZh,
        place: ticket.region.name,
        resident: residentName(ticket.resident),
        summary: maskSummary(ticket.summary, names),
        owner,
        state: `${stateName.zh} ${stateName.en}`,
        open: OPEN_STATES.includes(state),
    };
}
/** How many items of each list a report prints; the console's queue has them all. */
export const ITEM_LIMIT = 100;
/**
 * Requests that were overdue at some moment of [from, to): their handling deadline passed
 * before `to` and the spell had not ended before `from`. Latest spell per request, from
 * the audit trail; a request flagged overdue now whose trail lacks the event (imported
 * data) counts from its deadline. The longest-late first, at most `limit`.
 */
export async function overdueItems(db, window, limit = ITEM_LIMIT) {
    const inRegion = { regionId: { in: window.regionIds }, mergedIntoId: null };
    const candidates = await db.ticketEvent.findMany({
        where: { type: 'overdue', at: { lt: window.to }, ticket: inRegion },
        select: { ticketId: true, at: true, data: true },
        orderBy: [{ ticketId: 'asc' }, { seq: 'asc' }],
    });
    // Only the handling deadline makes a request overdue 超期; a late 签收 counts in the response rate.
    const spells = candidates.filter((e) => eventData(e.data)['kind'] === 'resolve_overdue');
    const ticketIds = [...new Set(spells.map((e) => e.ticketId))];
    const ends = new Map();
    const endEvents = await inChunks(ticketIds, (chunk) => db.ticketEvent.findMany({
        where: { ticketId: { in: chunk }, type: { in: ENDS_OVERDUE } },
        select: { ticketId: true, at: true },
        orderBy: [{ ticketId: 'asc' }, { seq: 'asc' }],
    }));
    for (const e of endEvents)
        ends.set(e.ticketId, [...(ends.get(e.ticketId) ?? []), e.at]);
    const chosen = new Map();
    for (const spell of spells) {
        const end = ends.get(spell.ticketId)?.find((at) => at >= spell.at) ?? null;
        if (end !== null && end < window.from)
            continue;
        chosen.set(spell.ticketId, { since: spell.at, end });
    }
    const flagged = await db.ticket.findMany({
        where: { ...inRegion, overdue: true, state: { in: [...OPEN_STATES] }, createdAt: { lt: window.to } },
        select: { id: true, resolveBy: true, createdAt: true },
    });
    for (const t of flagged)
        if (!chosen.has(t.id))
            chosen.set(t.id, { since: t.resolveBy ?? t.createdAt, end: null });
    const late = (spell) => Math.max(0, ((spell.end ?? window.now).getTime() - spell.since.getTime()) / 60_000);
    const first = [...chosen].sort((a, b) => late(b[1]) - late(a[1]) || a[0] - b[0]).slice(0, limit);
    const tickets = await loadTickets(db, first.map(([id]) => id));
    const names = await rosterNames(db);
    const items = tickets
        .map((ticket) => {
        const spell = chosen.get(ticket.id) ?? { since: window.now, end: null };
        return { ...itemOf(ticket, names), overdueSince: spell.since, lateMinutes: late(spell), stillOverdue: spell.end === null && ticket.overdue };
    })
        .sort((a, b) => b.lateMinutes - a.lateMinutes || a.number.localeCompare(b.number));
    return { items, total: chosen.size };
}
/** Requests reopened 重办 during [from, to), most recent first (one line per request), at most `limit`. */
export async function reopenedItems(db, window, limit = ITEM_LIMIT) {
    const events = await db.ticketEvent.findMany({
        where: { type: 'reopened', at: { gte: window.from, lt: window.to }, ticket: { regionId: { in: window.regionIds }, mergedIntoId: null } },
        select: { ticketId: true, at: true, data: true },
        orderBy: [{ at: 'desc' }, { ticketId: 'asc' }],
    });
    const latest = new Map();
    const names = await rosterNames(db);
    for (const event of events) {
        if (latest.has(event.ticketId))
            continue;
        const reason = eventData(event.data)['reason'];
        latest.set(event.ticketId, {
            at: event.at,
            reason: reason === 'dissatisfied' || typeof reason !== 'string' ? '群众不满意 resident dissatisfied' : maskSummary(reason, names),
        });
    }
    // The map keeps the events' order: most recent first.
    const tickets = await loadTickets(db, [...latest.keys()].slice(0, limit));
    const items = tickets
        .map((ticket) => {
        const reopen = latest.get(ticket.id) ?? { at: window.from, reason: '' };
        return { ...itemOf(ticket, names), reopenedAt: reopen.at, reason: reopen.reason, reopenCount: ticket.reopenCount };
    })
        .sort((a, b) => b.reopenedAt.getTime() - a.reopenedAt.getTime() || a.number.localeCompare(b.number));
    return { items, total: latest.size };
}
