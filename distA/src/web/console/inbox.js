import { maskContacts, residentName } from '../../privacy.js';
/** The conversations a user may see: those of their regions (region-scoped roles only). */
function scopeWhere(scope) {
    return scope.everyRegion ? {} : { regionId: { in: scope.regionIds } };
}
function mediaOf(json) {
    try {
        const value = JSON.parse(json);
        return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
    }
    catch {
        return [];
    }
}
/** The last words of the resident (newest first in `said`), marked when a photo or voice note came after them. */
function previewOf(said) {
    const words = said.find((m) => m.text.trim());
    const later = words ? said.indexOf(words) : said.length;
    return `${later > 0 ? '［照片/语音 media］' : ''}${maskContacts(words?.text ?? '').slice(0, 60)}`;
}
/** Whether the user has an inbox at all (grid leaders and department handlers answer tickets, not conversations). */
export function hasInbox(scope) {
    return scope.regionIds.length > 0;
}
/** The inbox list: open conversations (or `closed` / `all`), those waiting longest first, then newest. */
export async function inboxRows(db, scope, status, take = 200) {
    if (!hasInbox(scope))
        return [];
    const rows = await db.conversation.findMany({
        where: { ...scopeWhere(scope), ...(status === 'all' ? {} : { status }) },
        orderBy: status === 'open' ? { lastResidentAt: 'asc' } : { id: 'desc' },
        take,
        include: {
            resident: { select: { code: true, name: true, householdId: true } },
            region: { select: { name: true } },
            ticket: { select: { number: true } },
            messages: { where: { author: 'resident' }, orderBy: { id: 'desc' }, select: { text: true, at: true } },
        },
    });
    return rows.map((c) => {
        const unread = c.messages.filter((m) => c.staffReadAt === null || m.at > c.staffReadAt).length;
        const waiting = c.status === 'open' && c.messages.length > 0 && (c.lastStaffAt === null || c.lastResidentAt > c.lastStaffAt);
        return {
            id: c.id,
            status: c.status === 'open' ? 'open' : 'closed',
            resident: residentName(c.resident),
            region: c.region.name,
            channel: c.channel,
            openedAt: c.openedAt,
            lastResidentAt: c.lastResidentAt,
            lastStaffAt: c.lastStaffAt,
            unread,
            waitingSince: waiting ? (c.messages.filter((m) => c.lastStaffAt === null || m.at > c.lastStaffAt).at(-1)?.at ?? c.lastResidentAt) : null,
            preview: previewOf(c.messages),
            ticketNumber: c.ticket?.number ?? null,
            closeReason: c.closeReason,
        };
    });
}
/** One conversation, or null when there is none or it lies outside the user's regions. */
export async function loadConversation(db, scope, id) {
    if (!hasInbox(scope))
        return null;
    const c = await db.conversation.findFirst({
        where: { id, ...scopeWhere(scope) },
        include: {
            resident: { select: { id: true, code: true, name: true, householdId: true, household: { select: { regionId: true } } } },
            region: { select: { name: true } },
            ticket: { select: { number: true } },
            messages: { orderBy: { id: 'asc' } },
        },
    });
    if (!c)
        return null;
    const staffIds = [...new Set(c.messages.filter((m) => m.author !== 'resident' && m.authorId !== null).map((m) => m.authorId))];
    const staff = new Map((await db.person.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
    const resident = residentName(c.resident);
    const transcript = c.messages.map((m) => ({
        at: m.at,
        author: m.author === 'staff' ? 'staff' : m.author === 'resident' ? 'resident' : 'system',
        who: m.author === 'resident' ? `群众 ${resident}` : m.author === 'staff' ? (staff.get(m.authorId ?? -1) ?? '工作人员') : '系统 system',
        text: m.author === 'resident' ? maskContacts(m.text) : m.text,
        media: mediaOf(m.media),
    }));
    const residentMessages = c.messages.filter((m) => m.author === 'resident');
    const waiting = c.status === 'open' && residentMessages.length > 0 && (c.lastStaffAt === null || c.lastResidentAt > c.lastStaffAt);
    return {
        id: c.id,
        status: c.status === 'open' ? 'open' : 'closed',
        resident,
        residentId: c.resident.id,
        homeRegionId: c.resident.household?.regionId ?? null,
        region: c.region.name,
        channel: c.channel,
        openedAt: c.openedAt,
        lastResidentAt: c.lastResidentAt,
        lastStaffAt: c.lastStaffAt,
        unread: residentMessages.filter((m) => c.staffReadAt === null || m.at > c.staffReadAt).length,
        waitingSince: waiting ? (residentMessages.find((m) => c.lastStaffAt === null || m.at > c.lastStaffAt)?.at ?? null) : null,
        preview: previewOf([...residentMessages].reverse()),
        ticketNumber: c.ticket?.number ?? null,
        closeReason: c.closeReason,
        transcript,
    };
}
/** The user has read the conversation up to now. */
export async function markRead(db, id, now) {
    await db.conversation.update({ where: { id }, data: { staffReadAt: now } });
}
/** What the resident said, as a ticket's pre-filled description (their words only, in order). */
export function residentWords(view) {
    const said = view.transcript.filter((m) => m.author === 'resident');
    return {
        text: said
            .map((m) => m.text)
            .filter(Boolean)
            .join('\n'),
        media: said.flatMap((m) => m.media).slice(0, 9),
    };
}
