import { OPEN_STATES } from '../pipeline/states.js';
import { eventData, inChunks } from './event-data.js';
function targetPerson(data) {
    const target = data['target'];
    if (target === null || typeof target !== 'object')
        return null;
    const personId = target['personId'];
    return typeof personId === 'number' ? personId : null;
}
function rateOf(numerator, denominator) {
    return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}
/** The workload of every liaison whose role lies in the window's regions. */
export async function liaisonWorkload(db, window) {
    const roles = await db.personRole.findMany({
        where: { role: 'liaison', regionId: { in: window.regionIds } },
        select: { personId: true, person: { select: { name: true } }, region: { select: { name: true } } },
        orderBy: { personId: 'asc' },
    });
    const liaisons = new Map();
    for (const role of roles)
        if (!liaisons.has(role.personId))
            liaisons.set(role.personId, { name: role.person.name, place: role.region.name });
    const inRegion = { regionId: { in: window.regionIds }, mergedIntoId: null };
    const inMonth = { gte: window.from, lt: window.to };
    const assigned = new Map();
    const dispatches = await db.ticketEvent.findMany({
        where: { type: { in: ['dispatched', 'reassigned'] }, at: inMonth, ticket: inRegion },
        select: { ticketId: true, data: true },
    });
    for (const event of dispatches) {
        const personId = targetPerson(eventData(event.data));
        if (personId !== null)
            assigned.set(personId, (assigned.get(personId) ?? new Set()).add(event.ticketId));
    }
    const resolved = new Map();
    const resolutions = await db.ticketEvent.findMany({
        where: { type: 'resolved', at: inMonth, ticket: inRegion, actorId: { not: null } },
        select: { ticketId: true, actorId: true },
    });
    for (const event of resolutions) {
        if (event.actorId !== null)
            resolved.set(event.actorId, (resolved.get(event.actorId) ?? new Set()).add(event.ticketId));
    }
    // A rating belongs to whoever gave the result rated: the last 办结 before the callback.
    const ratings = new Map();
    const callbacks = await db.ticketEvent.findMany({
        where: { type: 'callback', at: inMonth, ticket: inRegion },
        select: { ticketId: true, seq: true, data: true },
    });
    if (callbacks.length > 0) {
        const results = new Map();
        const resolvedEvents = await inChunks([...new Set(callbacks.map((c) => c.ticketId))], (chunk) => db.ticketEvent.findMany({
            where: { type: 'resolved', ticketId: { in: chunk } },
            select: { ticketId: true, seq: true, actorId: true },
            orderBy: { seq: 'desc' },
        }));
        for (const r of resolvedEvents)
            results.set(r.ticketId, [...(results.get(r.ticketId) ?? []), r]);
        for (const callback of callbacks) {
            const rating = eventData(callback.data)['rating'];
            if (typeof rating !== 'string')
                continue;
            const resolver = results.get(callback.ticketId)?.find((r) => r.seq < callback.seq)?.actorId;
            if (resolver === undefined || resolver === null)
                continue;
            const tally = ratings.get(resolver) ?? { good: 0, rated: 0 };
            tally.rated += 1;
            if (rating === 'satisfied' || rating === 'basically_satisfied')
                tally.good += 1;
            ratings.set(resolver, tally);
        }
    }
    const holding = await inChunks([...liaisons.keys()], (chunk) => db.ticket.groupBy({
        by: ['assigneeId', 'overdue'],
        where: { assigneeId: { in: chunk }, state: { in: [...OPEN_STATES] }, mergedIntoId: null },
        _count: { _all: true },
    }));
    const open = new Map();
    for (const group of holding) {
        if (group.assigneeId === null)
            continue;
        const entry = open.get(group.assigneeId) ?? { open: 0, overdue: 0 };
        entry.open += group._count._all;
        if (group.overdue)
            entry.overdue += group._count._all;
        open.set(group.assigneeId, entry);
    }
    const rows = [];
    let idle = 0;
    for (const [personId, liaison] of liaisons) {
        const tally = ratings.get(personId) ?? { good: 0, rated: 0 };
        const row = {
            personId,
            name: liaison.name,
            place: liaison.place,
            assigned: assigned.get(personId)?.size ?? 0,
            resolved: resolved.get(personId)?.size ?? 0,
            open: open.get(personId)?.open ?? 0,
            overdue: open.get(personId)?.overdue ?? 0,
            satisfaction: rateOf(tally.good, tally.rated),
        };
        if (row.assigned + row.resolved + row.open + tally.rated === 0)
            idle += 1;
        else
            rows.push(row);
    }
    rows.sort((a, b) => b.assigned - a.assigned || b.open - a.open || a.name.localeCompare(b.name, 'zh'));
    return { rows, idle };
}
