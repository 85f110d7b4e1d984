/**
 * The closed sets of the organisation model. The database stores them as strings
 * (see prisma/schema.prisma); these lists are the one place that names them.
 */
/** County 县 → township 镇/街道 → village 村/社区. */
export const REGION_LEVELS = ['county', 'township', 'village'];
/** The level above a region level, or null at the top. */
export function levelAbove(level) {
    return level === 'village' ? 'township' : level === 'township' ? 'county' : null;
}
/** Geographic grids are drawn by residence; thematic ones by trade, age group, interest. */
export const GRID_KINDS = ['geographic', 'thematic'];
/**
 * Roles and what scopes them: a region for most, a grid for the grid leader, a
 * department for the department handler.
 */
export const ROLES = ['resident', 'liaison', 'grid_leader', 'dispatcher', 'department_handler', 'supervisor', 'admin', 'mediator'];
/** Staff roles act from the console within their region. */
export const STAFF_ROLES = ['dispatcher', 'supervisor', 'admin'];
/** What the scope code of a role in a roster names. */
export function roleScopeKind(role) {
    return role === 'grid_leader' ? 'grid' : role === 'department_handler' ? 'department' : 'region';
}
/** Departments sit at a township or at the county. */
export const DEPARTMENT_LEVELS = ['township', 'county'];
export const LOCALES = ['zh', 'en'];
/** Chat channels; one person may have an identity on several. */
export const CHANNELS = ['console', 'web', 'telegram', 'wechat'];
