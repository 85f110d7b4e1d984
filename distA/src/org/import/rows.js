/**
 * The zod schemas of roster rows, one per kind. Cells arrive trimmed, with empty cells
 * absent (undefined). A failed check becomes one problem per column, with a short reason
 * in English and, where it helps, the Chinese term.
 */
import { z } from 'zod';
import { HANDLING_CLASSES } from '../../pipeline/deadlines.js';
import { CATEGORY_CODES } from '../../pipeline/states.js';
import { normalizePhone } from '../phone.js';
import { GRID_KINDS, LOCALES, REGION_LEVELS, ROLES } from '../types.js';
import { OPTIONAL_COLUMNS } from './kinds.js';
const REQUIRED = 'required 必填';
const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** A natural key: letters, digits, `-`, `_`, `.`; no spaces, `;`, `@` or `|` (they separate lists and keys). */
const code = z.string({ error: REQUIRED }).max(64, 'a code has at most 64 characters').regex(CODE_RE, 'a code has only letters, digits and - _ . 编码只能含字母、数字和 - _ .');
const text = (max) => z.string({ error: REQUIRED }).max(max, `at most ${max} characters`);
/** An error message for a closed set: "required" when the cell is empty. */
const orRequired = (message) => (issue) => (issue.input === undefined ? REQUIRED : message);
const oneOf = (values) => z.enum(values, { error: orRequired(`expected ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`) });
/** Department kinds are lower-case words, e.g. water, civil_affairs. */
const departmentKind = z
    .string({ error: REQUIRED })
    .max(40, 'at most 40 characters')
    .regex(/^[a-z][a-z0-9_]*$/, 'a department kind is a lower-case word, e.g. water or civil_affairs');
const phone = z
    .string()
    .transform((raw, ctx) => {
    const normal = normalizePhone(raw);
    if (normal !== null)
        return normal;
    ctx.addIssue({ code: 'custom', message: 'not a mainland phone number 不是有效的手机号或座机号' });
    return z.NEVER;
})
    .optional();
/** A `;`-separated list of codes (blank items ignored, duplicates dropped). */
const codeList = z
    .string()
    .optional()
    .transform((raw, ctx) => {
    const items = [
        ...new Set((raw ?? '')
            .split(/[;；]/)
            .map((s) => s.trim())
            .filter(Boolean)),
    ];
    for (const item of items) {
        if (!CODE_RE.test(item))
            ctx.addIssue({ code: 'custom', message: `"${item}" is not a code` });
    }
    return items;
});
const wholeNumber = (min, max) => z
    .string({ error: REQUIRED })
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`));
/**
 * A coordinate cell in WGS 84 degrees, at most `max` either side of 0: an empty cell
 * clears it (null); absent (the file has no such column) keeps it (undefined).
 */
const degrees = (max, example) => z
    .string()
    .optional()
    .transform((raw, ctx) => {
    if (raw === undefined)
        return undefined;
    if (raw === '')
        return null;
    const value = Number(raw);
    if (/^[-+]?\d{1,3}(\.\d+)?$/.test(raw) && Math.abs(value) <= max)
        return value;
    ctx.addIssue({ code: 'custom', message: `expected degrees from -${max} to ${max} (WGS 84, e.g. ${example}) 坐标应为度数` });
    return z.NEVER;
});
/** The optional coordinate columns of regions and households. */
const coordinates = { latitude: degrees(90, '30.0123'), longitude: degrees(180, '120.0456') };
/** A point has both coordinates or neither: one alone is a typo, not half a place. */
function bothOrNeither(row, ctx) {
    const has = (v) => v !== undefined && v !== null;
    if (has(row.latitude) === has(row.longitude))
        return;
    const missing = has(row.latitude) ? 'longitude' : 'latitude';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'give both latitude and longitude, or neither 经纬度须同时填写' });
}
/** `role@scope;role@scope...`: see roleScopeKind for what the scope names. */
const roleList = z
    .string()
    .optional()
    .transform((raw, ctx) => {
    const specs = new Map();
    for (const item of (raw ?? '').split(/[;；]/).map((s) => s.trim())) {
        if (!item)
            continue;
        const at = item.indexOf('@');
        const roleText = (at < 0 ? item : item.slice(0, at)).trim();
        const scope = at < 0 ? undefined : item.slice(at + 1).trim() || undefined;
        if (!ROLES.includes(roleText)) {
            ctx.addIssue({ code: 'custom', message: `unknown role "${roleText}" (expected one of ${ROLES.join(', ')})` });
            continue;
        }
        const role = roleText;
        if (scope === undefined && role !== 'resident') {
            ctx.addIssue({ code: 'custom', message: `${role} needs a scope, e.g. ${role}@CODE` });
            continue;
        }
        if (scope !== undefined && !CODE_RE.test(scope)) {
            ctx.addIssue({ code: 'custom', message: `"${scope}" in ${item} is not a code` });
            continue;
        }
        specs.set(`${role}@${scope ?? ''}`, { role, scope });
    }
    return [...specs.values()];
});
/** The row schemas; the keys are the CSV columns. */
export const ROW_SCHEMAS = {
    categories: z.object({
        code: oneOf(CATEGORY_CODES),
        name_zh: text(50),
        name_en: text(100),
        department_kind: departmentKind,
        handling_class: oneOf(HANDLING_CLASSES),
        resolve_days: wholeNumber(0, 365),
        resolve_hours: wholeNumber(1, 24 * 30),
        accept_hours: wholeNumber(1, 24 * 7),
        working_days: z.enum(['true', 'false'], { error: orRequired('expected true or false') }).transform((v) => v === 'true'),
    }),
    regions: z
        .object({
        code,
        name: text(100),
        level: oneOf(REGION_LEVELS),
        parent_code: code.optional(),
        ...coordinates,
    })
        .superRefine(bothOrNeither),
    departments: z.object({
        code,
        name: text(100),
        kind: departmentKind,
        region_code: code,
    }),
    grids: z.object({
        code,
        name: text(100),
        kind: oneOf(GRID_KINDS),
        region_code: code,
    }),
    households: z
        .object({
        code,
        village_code: code,
        address: text(200),
        head_name: text(50),
        phone,
        grid_codes: codeList,
        /** '' clears it; absent (the file has no such column) keeps it. */
        key_reason: z.string().max(50, 'at most 50 characters').optional(),
        ...coordinates,
    })
        .superRefine(bothOrNeither),
    people: z.object({
        code,
        name: text(50),
        phone,
        locale: oneOf(LOCALES).default('zh'),
        household_code: code.optional(),
        department_code: code.optional(),
        roles: roleList,
    }),
    pairings: z.object({
        liaison_code: code,
        household_code: code,
    }),
};
/**
 * Checks one record against the schema of its kind. Cells are trimmed; empty ones count
 * as absent.
 */
export function checkRow(kind, columns, cells) {
    if (cells.length !== columns.length) {
        return {
            ok: false,
            problems: [{ column: null, reason: `expected ${columns.length} cells, found ${cells.length}` }],
        };
    }
    const input = {};
    const optional = OPTIONAL_COLUMNS[kind] ?? [];
    columns.forEach((column, i) => {
        const cell = cells[i]?.trim() ?? '';
        // An optional column's empty cell clears the field (''); a column the file lacks keeps it (undefined).
        input[column] = cell === '' && !optional.includes(column) ? undefined : cell;
    });
    const result = ROW_SCHEMAS[kind].safeParse(input);
    if (result.success)
        return { ok: true, row: result.data };
    const seen = new Set();
    const problems = [];
    for (const issue of result.error.issues) {
        const column = issue.path[0] === undefined ? null : String(issue.path[0]);
        const key = `${column}\u0000${issue.message}`;
        if (seen.has(key))
            continue;
        seen.add(key);
        problems.push({ column, reason: issue.message });
    }
    return { ok: false, problems };
}
