import { residentName, rosterNames, scrub } from '../privacy.js';
/** Minutes from opening to the first staff reply. */
function firstResponse(c) {
    return c.firstResponseAt === null ? null : Math.round((c.firstResponseAt.getTime() - c.openedAt.getTime()) / 60_000);
}
function quantile(sorted, q) {
    if (!sorted.length)
        return null;
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
}
/** The conversations opened in the period whose region, or whose resident's village, lies in the scope. */
async function conversationsOf(db, query) {
    return db.conversation.findMany({
        where: {
            openedAt: { gte: query.from, lt: query.to },
            OR: [{ regionId: { in: query.regionIds } }, { resident: { household: { regionId: { in: query.regionIds } } } }],
        },
        orderBy: { id: 'asc' },
        include: {
            resident: { select: { code: true, name: true, householdId: true } },
            region: { select: { name: true } },
            ticket: { select: { number: true } },
            messages: { where: { author: 'resident' }, orderBy: { id: 'asc' }, take: 1, select: { text: true } },
        },
    });
}
/** The figures of the period's conversations. */
export async function conversationFigures(db, query) {
    const rows = await conversationsOf(db, query);
    const times = rows.flatMap((c) => {
        const m = firstResponse(c);
        return m === null ? [] : [m];
    });
    times.sort((a, b) => a - b);
    const ended = { resident: 0, staff: 0, idle: 0, ticket: 0 };
    for (const c of rows) {
        const reason = c.closeReason;
        if (c.status === 'closed' && reason && reason in ended)
            ended[reason] += 1;
    }
    return {
        opened: rows.length,
        answered: times.length,
        medianFirstResponseMinutes: quantile(times, 0.5),
        p90FirstResponseMinutes: quantile(times, 0.9),
        ended,
        stillOpen: rows.filter((c) => c.status === 'open').length,
    };
}
const OUTCOMES = {
    resident: '群众结束 ended by the resident',
    staff: '工作人员结束 ended by staff',
    idle: '无消息自动结束 ended idle',
    ticket: '转为诉求 made a ticket',
};
/** The period's conversations, one line each (at most `limit`, oldest first). */
export async function conversationLines(db, query, limit = 200) {
    const rows = await conversationsOf(db, query);
    const names = await rosterNames(db);
    return {
        total: rows.length,
        lines: rows.slice(0, limit).map((c) => ({
            id: c.id,
            openedAt: c.openedAt,
            resident: residentName(c.resident),
            region: c.region.name,
            first: scrub(c.messages[0]?.text ?? '', names, false).slice(0, 40),
            firstResponseMinutes: firstResponse(c),
            outcome: c.status === 'open' ? '进行中 open' : (OUTCOMES[c.closeReason ?? ''] ?? c.closeReason ?? ''),
            ticketNumber: c.ticket?.number ?? null,
        })),
    };
}
