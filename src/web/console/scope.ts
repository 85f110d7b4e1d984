/**
 * What a console user may see. An account's scope is the staff roles of its person:
 * dispatchers, supervisors and admins see every ticket whose place lies inside their
 * region (a township dispatcher that township, a county supervisor the whole county);
 * a grid leader the tickets of the grid; a department handler the tickets assigned to
 * the department; a mediator only the mediation cases they mediate (src/web/console/mediation.ts).
 * Anything else does not exist for them (404, never 403).
 */
import type { Db } from '../../db/client.js';
import type { Prisma } from '../../db/generated/sqlite/client.js';
import { loadRegions, type RegionNode, subtreeIds } from '../../org/regions.js';
import { CONSOLE_ROLES } from '../../org/staff-accounts.js';
import type { RegionLevel, Role } from '../../org/types.js';
import type { ActorRole } from '../../pipeline/model.js';

/** Roles whose scope is a whole region (and everything inside it). */
export const REGION_ROLES: readonly Role[] = ['dispatcher', 'supervisor', 'admin'];

/** The logged-in user's reach. */
export interface StaffScope {
  accountId: number;
  username: string;
  personId: number;
  /** The person's name (staff see each other's names in full). */
  name: string;
  /** The console roles of the person. */
  roles: ActorRole[];
  /** The regions of the region-scoped roles (their tops), county before township. */
  topRegions: RegionNode[];
  /** Every region inside the region-scoped roles, the tops included. */
  regionIds: number[];
  /** Grids led (grid_leader). */
  gridIds: number[];
  /** Departments served (department_handler). */
  departmentIds: number[];
  /** Whether the scope's regions are every region there is (no region condition needed). */
  everyRegion: boolean;
  /** Holds the admin role (may switch the public board). */
  isAdmin: boolean;
  /** Holds the mediator role (mediates cases: theirs are in the mediation section whatever the regions). */
  isMediator: boolean;
  /** Holds no console role but mediator: the console is their own mediation cases, every other page 404. */
  mediationOnly: boolean;
}

const LEVEL_ORDER: Record<RegionLevel, number> = { county: 0, township: 1, village: 2 };

/**
 * The scope of `accountId`'s person, or null when the person holds no console role.
 * `regions` may be passed when the caller has it already.
 */
export async function loadScope(db: Db, account: { id: number; username: string; personId: number }, regions?: Map<number, RegionNode>): Promise<StaffScope | null> {
  const person = await db.person.findUnique({ where: { id: account.personId }, select: { name: true, roles: true } });
  if (!person) return null;
  const roles: ActorRole[] = person.roles
    .filter((r) => (CONSOLE_ROLES as readonly string[]).includes(r.role))
    .map((r) => ({ role: r.role as Role, regionId: r.regionId, gridId: r.gridId, departmentId: r.departmentId }));
  if (!roles.length) return null;
  const all = regions ?? (await loadRegions(db));
  const tops = [...new Set(roles.filter((r) => REGION_ROLES.includes(r.role)).map((r) => r.regionId))]
    .map((id) => all.get(id))
    .filter((r): r is RegionNode => r !== undefined)
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
export function ticketScopeWhere(scope: StaffScope): Prisma.TicketWhereInput {
  if (scope.everyRegion) return {};
  const any: Prisma.TicketWhereInput[] = [];
  if (scope.regionIds.length) any.push({ NOT: { regionId: { notIn: scope.regionIds } } });
  if (scope.gridIds.length) any.push({ gridId: { in: scope.gridIds } });
  if (scope.departmentIds.length) any.push({ assigneeDepartmentId: { in: scope.departmentIds } });
  // No reach at all matches nothing (id -1 never exists).
  if (!any.length) return { id: -1 };
  return any.length === 1 ? any[0]! : { OR: any };
}

/** Whether a ticket (its place, grid and department) is inside the scope. */
export function inScope(scope: StaffScope, ticket: { regionId: number; gridId: number | null; assigneeDepartmentId: number | null }): boolean {
  return (
    scope.everyRegion ||
    scope.regionIds.includes(ticket.regionId) ||
    (ticket.gridId !== null && scope.gridIds.includes(ticket.gridId)) ||
    (ticket.assigneeDepartmentId !== null && scope.departmentIds.includes(ticket.assigneeDepartmentId))
  );
}
