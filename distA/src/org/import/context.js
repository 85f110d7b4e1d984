/**
 * The state of one import run inside its transaction: the problems found so far, the
 * counts, the codes of bad rows (so that rows pointing at them are bad too), and the
 * rows of each table keyed by natural key, loaded once and kept up to date as the
 * import writes.
 */
import { bulkInsert } from '../../db/bulk-insert.js';
/** Rows per statement for inserts, deletes and findMany ... in. */
export const CHUNK = 1000;
/** Splits a list into chunks of at most `size`. */
export function* chunks(items, size = CHUNK) {
    for (let i = 0; i < items.length; i += size)
        yield items.slice(i, i + size);
}
/**
 * The point a row leaves stored: the row's own when the file has the columns (an empty
 * pair clears it; the schema saw to both or neither), else the stored one.
 */
export function pointOf(row, old) {
    if (row.latitude === undefined && row.longitude === undefined)
        return { latitude: old?.latitude ?? null, longitude: old?.longitude ?? null };
    return { latitude: row.latitude ?? null, longitude: row.longitude ?? null };
}
/** Indexes rows by code. */
function byCode(rows) {
    return new Map(rows.map((r) => [r.code, r]));
}
/**
 * One import's state inside its transaction. Writers look codes up with {@link find},
 * report bad rows with {@link reject}, and keep the maps current as they write.
 */
export class ImportContext {
    tx;
    provider;
    counts;
    onProgress;
    problems = [];
    /** Per kind: code of a bad row → `FILE:LINE`. */
    badCodes = new Map();
    regionMap;
    regionById;
    departmentMap;
    gridMap;
    householdMap;
    personMap;
    /** The `createdAt`/`updatedAt` of the rows this import creates. */
    now = new Date();
    constructor(tx, provider, counts, onProgress) {
        this.tx = tx;
        this.provider = provider;
        this.counts = counts;
        this.onProgress = onProgress;
    }
    /**
     * Inserts new rows with multi-row INSERTs (see {@link bulkInsert}): a few microseconds
     * a row where createMany takes hundreds. The database assigns ids; callers read them
     * back by natural key.
     */
    insert(table, columns, rows) {
        return bulkInsert(this.tx, this.provider, table, columns, rows);
    }
    /** Reports progress (at most every chunk). */
    progress(kind, stage, done, total) {
        this.onProgress?.({ kind, stage, done, total });
    }
    /** Records a bad row: its problems, its count, and its code (if any) as bad. */
    reject(kind, source, problems, code) {
        for (const p of problems)
            this.problems.push({ file: source.file, line: source.line, ...p });
        this.counts[kind].bad++;
        if (code !== undefined)
            this.markBad(kind, code, source);
    }
    /** Remembers that the row of `code` is bad, so references to it fail. */
    markBad(kind, code, source) {
        let map = this.badCodes.get(kind);
        if (!map) {
            map = new Map();
            this.badCodes.set(kind, map);
        }
        if (!map.has(code))
            map.set(code, `${source.file}:${source.line}`);
    }
    /**
     * Looks a code up among the rows of `kind`: a code whose row in this import is bad is
     * unusable even if the database has it, so that bad rows never half-apply.
     */
    find(kind, map, code, noun) {
        const bad = this.badCodes.get(kind)?.get(code);
        if (bad !== undefined)
            return { ok: false, reason: `no ${noun} with code ${code}: its row ${bad} is bad` };
        const rec = map.get(code);
        return rec === undefined ? { ok: false, reason: `no ${noun} with code ${code}` } : { ok: true, rec };
    }
    /** Regions by code (loaded on first use). */
    async regions() {
        if (!this.regionMap) {
            const rows = await this.tx.region.findMany({
                select: { id: true, code: true, name: true, level: true, parentId: true, latitude: true, longitude: true },
            });
            this.regionMap = byCode(rows);
            this.regionById = new Map(rows.map((r) => [r.id, r]));
        }
        return this.regionMap;
    }
    /** Regions by id (loaded with {@link regions}). */
    async regionsById() {
        await this.regions();
        return this.regionById ?? new Map();
    }
    /** Adds or replaces a region in both indexes. */
    async putRegion(rec) {
        (await this.regions()).set(rec.code, rec);
        (await this.regionsById()).set(rec.id, rec);
    }
    async departments() {
        this.departmentMap ??= byCode(await this.tx.department.findMany({
            select: { id: true, code: true, name: true, kind: true, level: true, regionId: true },
        }));
        return this.departmentMap;
    }
    async grids() {
        this.gridMap ??= byCode(await this.tx.grid.findMany({ select: { id: true, code: true, name: true, kind: true, regionId: true } }));
        return this.gridMap;
    }
    async households() {
        this.householdMap ??= byCode(await this.tx.household.findMany({
            select: { id: true, code: true, regionId: true, address: true, headName: true, phone: true, keyReason: true, latitude: true, longitude: true },
        }));
        return this.householdMap;
    }
    async persons() {
        this.personMap ??= byCode(await this.tx.person.findMany({
            select: {
                id: true,
                code: true,
                name: true,
                phone: true,
                locale: true,
                householdId: true,
                departmentId: true,
            },
        }));
        return this.personMap;
    }
}
/** True when the two records agree on every listed field. */
export function sameFields(a, b, fields) {
    return fields.every((f) => a[f] === b[f]);
}
