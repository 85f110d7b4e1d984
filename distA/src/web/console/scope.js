import { CONSOLE_ROLES } from '../../org/staff-accounts.js';
/** Roles whose scope is a whole region (and everything inside it). */
export const REGION_ROLES = ['dispatcher', 'supervisor', 'admin'];
/** Every region, by id. Small (a county has a few hundred); read once per request. */
export async function loadRegions(db) {
    const rows = await db.region.findMany({
        select: { id: true, code: true, name: true, level: true, parentId: true, publicBoard: true, boardMode: true, privateCategories: true },
    });
    return new Map(rows.map((r) => [r.id, { ...r, level: r.level }]));
}
/** `rootId` and every region below it. */
export function subtreeIds(regions, rootId) {
    const children = new Map();
    for (const r of regions.values()) {
        if (r.parentId === null)
            continue;
        const list = children.get(r.parentId);
        if (list)
            list.push(r.id);
        else
            children.set(r.parentId, [r.id]);
    }
    const out = [];
    const stack = [rootId];
    while (stack.length) {
        const id = stack.pop();
        if (!regions.has(id))
            continue;
        out.push(id);
        stack.push(...(children.get(id) ?? []));
    }
    return out;
}
/** Region ids from the top down to `regionId`. */
export function pathOf(regions, regionId) {
    const path = [];
    let node = regions.get(regionId);
    while (node && path.length < 8) {
        path.unshift(node.id);
        node = node.parentId === null ? undefined : regions.get(node.parentId);
    }
    return path;
}
const LEVEL_ORDER = { county: 0, township: 1, village: 2 };
/**
 * The scope of `accountId`'s person, or null when the person holds no console role.
 * `regions` may be passed when the caller has it already.
 */
export async function loadScope(db, account, regions) {
    const person = await db.person.findUnique({ where: { id: account.personId }, select: { name: true, roles: true } });
    if (!person)
        return null;
    const roles = person.roles
        .filter((r) => CONSOLE_ROLES.includes(r.role))
        .map((r) => ({ role: r.role, regionId: r.regionId, gridId: r.gridId, departmentId: r.departmentId }));
    if (!roles.length)
        return null;
    const all = regions ?? (await loadRegions(db));
    const tops = [...new Set(roles.filter((r) => REGION_ROLES.includes(r.role)).map((r) => r.regionId))]
        .map((id) => all.get(id))
        .filter((r) => r !== undefined)
        .sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.code.localeCompare(b.code));
    const regionIds = [...new Set(tops.flatMap((t) => subtreeIds(all, t.id)))];
    return {
        accountId: account.id,
        username: account.username,
        personId: account.personId,
        name: person.name,
        roles,
        topRegions: tops,
        regionIds,
        gridIds: [...new Set(roles.flatMap((r) => (r.role === 'grid_leader' && r.gridId != null ? [r.gridId] : [])))],
        departmentIds: [...new Set(roles.flatMap((r) => (r.role === 'department_handler' && r.departmentId != null ? [r.departmentId] : [])))],
        everyRegion: regionIds.length > 0 && regionIds.length === all.size,
        isAdmin: roles.some((r) => r.role === 'admin'),
        isMediator: roles.some((r) => r.role === 'mediator'),
        mediationOnly: roles.every((r) => r.role === 'mediator'),
    };
}
/**
 * The Prisma condition "this ticket is inside the scope".
 *
 * The region part is written `NOT (regionId NOT IN (…))`, which means the same for a
 * column that is never null but keeps SQLite off the regionId index. SQLite has no
 * statistics unless someone runs ANALYZE, so it takes `regionId IN (4 ids)` for a
 * selective condition, while a township holds half the county's tickets: counting its
 * open ones through that index reads 600,000 index entries (2 s at a million tickets)
 * instead of the few thousand open ones through the state index (10 ms). Without the
 * region index, SQLite uses the state index for work views and walks the primary key
 * newest first for history views, both fast. PostgreSQL plans with its own statistics.
 */
export function ticketScopeWhere(scope) {
    if (scope.everyRegion)
        return {};
    const any = [];
    if (scope.regionIds.length)
        any.push({ NOT: { regionId: { notIn: scope.regionIds } } });
    if (scope.gridIds.length)
        any.push({ gridId: { in: scope.gridIds } });
    if (scope.departmentIds.length)
        any.push({ assigneeDepartmentId: { in: scope.departmentIds } });
    // No reach at all matches nothing (id -1 never exists).
    if (!any.length)
        return { id: -1 };
    return any.length === 1 ? any[0] : { OR: any };
}
/** Whether a ticket (its place, grid and department) is inside the scope. */
export function inScope(scope, ticket) {
    return (scope.everyRegion ||
        scope.regionIds.includes(ticket.regionId) ||
        (ticket.gridId !== null && scope.gridIds.includes(ticket.gridId)) ||
        (ticket.assigneeDepartmentId !== null && scope.departmentIds.includes(ticket.assigneeDepartmentId)));
}
