/**
 * The closed sets of the organisation model. The database stores them as strings
 * (see prisma/schema.prisma); these lists are the one place that names them.
 */

/** County 县 → township 镇/街道 → village 村/社区. */
export const REGION_LEVELS = ['county', 'township', 'village'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

/** The level above a region level, or null at the top. */
export function levelAbove(level: RegionLevel): RegionLevel | null {
  return level === 'village' ? 'township' : level === 'township' ? 'county' : null;
}

/** The level below a region level, or null at the bottom. */
export function levelBelow(level: RegionLevel): RegionLevel | null {
  return level === 'county' ? 'township' : level === 'township' ? 'village' : null;
}

/** Geographic grids are drawn by residence; thematic ones by trade, age group, interest. */
export const GRID_KINDS = ['geographic', 'thematic'] as const;

/**
 * Roles and what scopes them: a region for most, a grid for the grid leader, a
 * department for the department handler.
 */
export const ROLES = ['resident', 'liaison', 'grid_leader', 'dispatcher', 'department_handler', 'supervisor', 'admin', 'mediator'] as const;
export type Role = (typeof ROLES)[number];

/** Staff roles act from the console within their region. */
export const STAFF_ROLES: readonly Role[] = ['dispatcher', 'supervisor', 'admin'];

/** What the scope code of a role in a roster names. */
export function roleScopeKind(role: Role): 'region' | 'grid' | 'department' {
  return role === 'grid_leader' ? 'grid' : role === 'department_handler' ? 'department' : 'region';
}

/** Departments sit at a township or at the county. */
export const DEPARTMENT_LEVELS: readonly RegionLevel[] = ['township', 'county'];

export const LOCALES = ['zh', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Chat channels; one person may have an identity on several. */
export const CHANNELS = ['console', 'web', 'telegram', 'wechat', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];
