/**
 * The kinds of roster file, their columns, and the order they are written in.
 * A file's kind is recognised from its header row: the exact set of columns, in any order.
 */
/** Roster kinds in dependency order: each may reference the kinds before it. */
export const ROSTER_KINDS = ['categories', 'regions', 'departments', 'grids', 'households', 'people', 'pairings'];
/** The columns of each kind, in the order the demo files write them. */
export const ROSTER_COLUMNS = {
    categories: ['code', 'name_zh', 'name_en', 'department_kind', 'handling_class', 'resolve_days', 'resolve_hours', 'accept_hours', 'working_days'],
    regions: ['code', 'name', 'level', 'parent_code'],
    departments: ['code', 'name', 'kind', 'region_code'],
    grids: ['code', 'name', 'kind', 'region_code'],
    households: ['code', 'village_code', 'address', 'head_name', 'phone', 'grid_codes'],
    people: ['code', 'name', 'phone', 'locale', 'household_code', 'department_code', 'roles'],
    pairings: ['liaison_code', 'household_code'],
};
/**
 * Columns a file of a kind may have besides its own: an older file without them still
 * imports (an empty cell or a missing column leaves the field empty).
 */
export const OPTIONAL_COLUMNS = {
    // Where a region (a village's point; a township's or the county's centre) or a household
    // lies, in WGS 84 degrees, for the maps (src/web/map.ts).
    regions: ['latitude', 'longitude'],
    // 重点户: why the household is visited weekly (困难 / 独居老人 / 纠纷…), see src/visits/coverage.ts.
    households: ['key_reason', 'latitude', 'longitude'],
};
/**
 * Departments and grids share a column set; they are told apart by the `kind` values
 * (see {@link refineSharedHeader}). This is the one pair of kinds with identical headers.
 */
const SHARED_HEADER = ['departments', 'grids'];
function sameSet(a, b) {
    if (a.length !== b.length)
        return false;
    const set = new Set(a);
    return set.size === a.length && b.every((c) => set.has(c));
}
/**
 * Recognises the kind of a file from its header cells (trimmed, compared in lower case).
 * The departments/grids ambiguity is settled by {@link refineSharedHeader}.
 */
export function matchHeader(header) {
    const cols = header.map((c) => c.toLowerCase());
    const matches = ROSTER_KINDS.filter((kind) => sameSet(cols.filter((c) => !(OPTIONAL_COLUMNS[kind] ?? []).includes(c)), ROSTER_COLUMNS[kind]));
    const first = matches[0];
    if (first)
        return { kind: first };
    if (cols.length === 0 || cols.every((c) => c === ''))
        return { kind: null, reason: 'empty file: no header row' };
    // Name the closest kind, so that a typo in one column gives a useful message.
    let best = null;
    let bestShared = 0;
    for (const kind of ROSTER_KINDS) {
        const shared = ROSTER_COLUMNS[kind].filter((c) => cols.includes(c)).length;
        if (shared > bestShared) {
            best = kind;
            bestShared = shared;
        }
    }
    const all = ROSTER_KINDS.map((k) => `${k} (${ROSTER_COLUMNS[k].join(',')})`).join('; ');
    if (best && bestShared * 2 >= ROSTER_COLUMNS[best].length) {
        const expected = ROSTER_COLUMNS[best];
        const missing = expected.filter((c) => !cols.includes(c));
        const extra = cols.filter((c) => !expected.includes(c));
        const repeated = cols.filter((c, i) => cols.indexOf(c) !== i);
        const parts = [
            missing.length ? `missing ${missing.join(', ')}` : '',
            extra.length ? `unexpected ${extra.map((c) => c || '(blank)').join(', ')}` : '',
            repeated.length ? `repeated ${repeated.join(', ')}` : '',
        ].filter(Boolean);
        return { kind: null, reason: `unknown header 表头无法识别: looks like ${best} but ${parts.join('; ')}` };
    }
    return { kind: null, reason: `unknown header 表头无法识别: expected the columns of one of ${all}` };
}
/**
 * Departments and grids have the same columns (`code,name,kind,region_code`). The file
 * name settles it when it says which (`grids.csv`, `网格.csv`, `departments.csv`,
 * `部门.csv`); otherwise the values do: a file whose kind cells are mostly
 * geographic/thematic is a grids file, any other a departments file.
 */
export function refineSharedHeader(kind, fileName, kindCells) {
    if (!SHARED_HEADER.includes(kind))
        return kind;
    const base = fileName.replace(/^.*[\\/]/, '').toLowerCase();
    const saysGrid = /grid|网格/.test(base);
    const saysDepartment = /dep(t|art)|部门|单位/.test(base);
    if (saysGrid !== saysDepartment)
        return saysGrid ? 'grids' : 'departments';
    const values = kindCells.map((v) => v.trim()).filter((v) => v !== '');
    const gridLike = values.filter((v) => v === 'geographic' || v === 'thematic').length;
    return values.length > 0 && gridLike * 2 > values.length ? 'grids' : 'departments';
}
