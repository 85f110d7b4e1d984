/**
 * Writing the organisation: categories, regions, departments, grids. Each writer checks
 * the references of its rows, then inserts the new rows in chunks (multi-row INSERTs,
 * ids read back by code) and updates only the rows whose values changed.
 */
import { DEPARTMENT_LEVELS, levelAbove, REGION_LEVELS } from '../types.js';
import { chunks, pointOf, sameFields } from './context.js';
/** Upserts categories by code. */
export async function writeCategories(ctx, rows) {
    const counts = ctx.counts.categories;
    const existing = new Map((await ctx.tx.category.findMany()).map((c) => [c.code, c]));
    const fields = ['nameZh', 'nameEn', 'departmentKind', 'handlingClass', 'resolveDays', 'resolveHours', 'acceptHours', 'workingDays'];
    const creates = [];
    for (const { row } of rows) {
        const data = {
            code: row.code,
            nameZh: row.name_zh,
            nameEn: row.name_en,
            departmentKind: row.department_kind,
            handlingClass: row.handling_class,
            resolveDays: row.resolve_days,
            resolveHours: row.resolve_hours,
            acceptHours: row.accept_hours,
            workingDays: row.working_days,
        };
        const old = existing.get(row.code);
        if (!old) {
            creates.push(data);
        }
        else if (sameFields(old, { ...old, ...data }, fields)) {
            counts.unchanged++;
        }
        else {
            await ctx.tx.category.update({ where: { code: row.code }, data });
            counts.updated++;
        }
    }
    const updatedAt = ctx.now;
    for (const chunk of chunks(creates)) {
        await ctx.insert('Category', [...fields, 'code', 'updatedAt'], chunk.map((c) => ({ ...c, updatedAt })));
        counts.created += chunk.length;
    }
    ctx.progress('categories', 'write', rows.length, rows.length);
}
/**
 * Upserts regions by code, level by level (counties, townships, villages), so that a
 * parent in the same import is written before its children.
 */
export async function writeRegions(ctx, rows) {
    const counts = ctx.counts.regions;
    const regions = await ctx.regions();
    const finalLevels = new Map(rows.map((s) => [s.row.code, s.row.level]));
    let done = 0;
    for (const level of REGION_LEVELS) {
        const creates = [];
        for (const source of rows) {
            const { row } = source;
            if (row.level !== level)
                continue;
            const problems = [];
            let parentId = null;
            const above = levelAbove(level);
            if (above === null) {
                if (row.parent_code !== undefined) {
                    problems.push({ column: 'parent_code', reason: 'a county has no parent region 县没有上级' });
                }
            }
            else if (row.parent_code === undefined) {
                problems.push({ column: 'parent_code', reason: `required: the ${above} of this ${level} 必填` });
            }
            else {
                const found = ctx.find('regions', regions, row.parent_code, above);
                if (!found.ok) {
                    problems.push({ column: 'parent_code', reason: found.reason });
                }
                else {
                    const parentLevel = finalLevels.get(found.rec.code) ?? found.rec.level;
                    if (parentLevel !== above) {
                        problems.push({ column: 'parent_code', reason: `${row.parent_code} is a ${parentLevel}, not a ${above}` });
                    }
                    else {
                        parentId = found.rec.id;
                    }
                }
            }
            if (problems.length > 0) {
                ctx.reject('regions', source, problems, row.code);
                continue;
            }
            const old = regions.get(row.code);
            const data = { code: row.code, name: row.name, level, parentId, ...pointOf(row, old) };
            if (!old) {
                creates.push(data);
            }
            else if (sameFields(old, { ...old, ...data }, ['name', 'level', 'parentId', 'latitude', 'longitude'])) {
                counts.unchanged++;
            }
            else {
                await ctx.tx.region.update({ where: { id: old.id }, data: { name: row.name, level, parentId, latitude: data.latitude, longitude: data.longitude } });
                await ctx.putRegion({ ...old, ...data });
                counts.updated++;
            }
        }
        for (const chunk of chunks(creates)) {
            await ctx.insert('Region', ['code', 'name', 'level', 'parentId', 'latitude', 'longitude', 'createdAt', 'updatedAt'], chunk.map((c) => ({ ...c, createdAt: ctx.now, updatedAt: ctx.now })));
            const created = await ctx.tx.region.findMany({
                where: { code: { in: chunk.map((c) => c.code) } },
                select: { id: true, code: true, name: true, level: true, parentId: true, latitude: true, longitude: true },
            });
            for (const rec of created)
                await ctx.putRegion(rec);
            counts.created += created.length;
            done += created.length;
            ctx.progress('regions', 'write', done, rows.length);
        }
    }
    ctx.progress('regions', 'write', rows.length, rows.length);
}
/** Upserts departments by code; a region has at most one department of each kind. */
export async function writeDepartments(ctx, rows) {
    const counts = ctx.counts.departments;
    const regions = await ctx.regions();
    const departments = await ctx.departments();
    /** `regionId|kind` → code of the department holding it. */
    const holders = new Map();
    for (const d of departments.values())
        holders.set(`${d.regionId}|${d.kind}`, d.code);
    const creates = [];
    for (const source of rows) {
        const { row } = source;
        const problems = [];
        const found = ctx.find('regions', regions, row.region_code, 'township or county');
        let region;
        if (!found.ok) {
            problems.push({ column: 'region_code', reason: found.reason });
        }
        else if (!DEPARTMENT_LEVELS.some((level) => level === found.rec.level)) {
            problems.push({
                column: 'region_code',
                reason: `${row.region_code} is a ${found.rec.level}; departments sit at a township or the county`,
            });
        }
        else {
            region = found.rec;
            const holder = holders.get(`${region.id}|${row.kind}`);
            if (holder !== undefined && holder !== row.code) {
                problems.push({ column: 'kind', reason: `${row.region_code} already has a ${row.kind} department: ${holder}` });
            }
        }
        if (problems.length > 0 || !region) {
            ctx.reject('departments', source, problems, row.code);
            continue;
        }
        const data = { code: row.code, name: row.name, kind: row.kind, level: region.level, regionId: region.id };
        const old = departments.get(row.code);
        if (!old) {
            creates.push(data);
            holders.set(`${region.id}|${row.kind}`, row.code);
        }
        else if (sameFields(old, { ...old, ...data }, ['name', 'kind', 'level', 'regionId'])) {
            counts.unchanged++;
        }
        else {
            await ctx.tx.department.update({ where: { id: old.id }, data });
            holders.delete(`${old.regionId}|${old.kind}`);
            holders.set(`${region.id}|${row.kind}`, row.code);
            departments.set(row.code, { ...old, ...data });
            counts.updated++;
        }
    }
    for (const chunk of chunks(creates)) {
        await ctx.insert('Department', ['code', 'name', 'kind', 'level', 'regionId', 'createdAt', 'updatedAt'], chunk.map((c) => ({ ...c, createdAt: ctx.now, updatedAt: ctx.now })));
        const created = await ctx.tx.department.findMany({
            where: { code: { in: chunk.map((c) => c.code) } },
            select: { id: true, code: true, name: true, kind: true, level: true, regionId: true },
        });
        for (const rec of created)
            departments.set(rec.code, rec);
        counts.created += created.length;
    }
    ctx.progress('departments', 'write', rows.length, rows.length);
}
/** Upserts grids by code: geographic ones in a village, thematic ones in a village or township. */
export async function writeGrids(ctx, rows) {
    const counts = ctx.counts.grids;
    const regions = await ctx.regions();
    const grids = await ctx.grids();
    const creates = [];
    for (const source of rows) {
        const { row } = source;
        const problems = [];
        const allowed = row.kind === 'geographic' ? ['village'] : ['village', 'township'];
        const found = ctx.find('regions', regions, row.region_code, allowed.join(' or '));
        if (!found.ok) {
            problems.push({ column: 'region_code', reason: found.reason });
        }
        else if (!allowed.includes(found.rec.level)) {
            problems.push({
                column: 'region_code',
                reason: `${row.region_code} is a ${found.rec.level}; a ${row.kind} grid belongs to a ${allowed.join(' or ')}`,
            });
        }
        if (problems.length > 0 || !found.ok) {
            ctx.reject('grids', source, problems, row.code);
            continue;
        }
        const data = { code: row.code, name: row.name, kind: row.kind, regionId: found.rec.id };
        const old = grids.get(row.code);
        if (!old) {
            creates.push(data);
        }
        else if (sameFields(old, { ...old, ...data }, ['name', 'kind', 'regionId'])) {
            counts.unchanged++;
        }
        else {
            await ctx.tx.grid.update({ where: { id: old.id }, data });
            grids.set(row.code, { ...old, ...data });
            counts.updated++;
        }
    }
    let done = 0;
    for (const chunk of chunks(creates)) {
        await ctx.insert('Grid', ['code', 'name', 'kind', 'regionId', 'createdAt', 'updatedAt'], chunk.map((c) => ({ ...c, createdAt: ctx.now, updatedAt: ctx.now })));
        const created = await ctx.tx.grid.findMany({
            where: { code: { in: chunk.map((c) => c.code) } },
            select: { id: true, code: true, name: true, kind: true, regionId: true },
        });
        for (const rec of created)
            grids.set(rec.code, rec);
        counts.created += created.length;
        done += created.length;
        ctx.progress('grids', 'write', done, rows.length);
    }
    ctx.progress('grids', 'write', rows.length, rows.length);
}
