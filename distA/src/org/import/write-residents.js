/**
 * Writing households (with their grid sets), people (with their role sets) and
 * pairings 包户. Sets are replaced per row: a re-imported household has exactly the grids
 * its row lists, a re-imported person exactly the roles.
 */
import { roleScopeKind } from '../types.js';
import { chunks, pointOf, sameFields } from './context.js';
/** The ids the database gave the rows just inserted, by code. */
async function idsByCode(model, chunk) {
    const found = await model.findMany({
        where: { code: { in: chunk.map((c) => c.data.code) } },
        select: { id: true, code: true },
    });
    return new Map(found.map((r) => [r.code, r.id]));
}
/** Upserts households by code and replaces each one's grid set (多网交互). */
export async function writeHouseholds(ctx, rows) {
    const counts = ctx.counts.households;
    const regions = await ctx.regions();
    const grids = await ctx.grids();
    const households = await ctx.households();
    const gridSets = new Map();
    for (const link of await ctx.tx.householdGrid.findMany({ select: { householdId: true, gridId: true } })) {
        let set = gridSets.get(link.householdId);
        if (!set)
            gridSets.set(link.householdId, (set = new Set()));
        set.add(link.gridId);
    }
    const creates = [];
    const regridded = [];
    let checked = 0;
    for (const source of rows) {
        const { row } = source;
        const problems = [];
        const village = ctx.find('regions', regions, row.village_code, 'village');
        if (!village.ok) {
            problems.push({ column: 'village_code', reason: village.reason });
        }
        else if (village.rec.level !== 'village') {
            problems.push({ column: 'village_code', reason: `${row.village_code} is a ${village.rec.level}, not a village` });
        }
        const gridIds = [];
        for (const gridCode of row.grid_codes) {
            const grid = ctx.find('grids', grids, gridCode, 'grid');
            if (!grid.ok) {
                problems.push({ column: 'grid_codes', reason: grid.reason });
            }
            else if (village.ok) {
                const inVillage = grid.rec.regionId === village.rec.id;
                const inTownship = grid.rec.kind === 'thematic' && grid.rec.regionId === village.rec.parentId;
                if (inVillage || inTownship)
                    gridIds.push(grid.rec.id);
                else
                    problems.push({ column: 'grid_codes', reason: `grid ${gridCode} is not in ${row.village_code} or its township` });
            }
        }
        if (++checked % 5000 === 0)
            ctx.progress('households', 'check', checked, rows.length);
        if (problems.length > 0 || !village.ok) {
            ctx.reject('households', source, problems, row.code);
            continue;
        }
        const old = households.get(row.code);
        const data = {
            code: row.code,
            regionId: village.rec.id,
            address: row.address,
            headName: row.head_name,
            phone: row.phone ?? null,
            keyReason: row.key_reason === undefined ? (old?.keyReason ?? null) : row.key_reason || null,
            ...pointOf(row, old),
        };
        if (!old) {
            creates.push({ data, gridIds });
            continue;
        }
        const sameData = sameFields(old, { ...old, ...data }, ['regionId', 'address', 'headName', 'phone', 'keyReason', 'latitude', 'longitude']);
        const oldGrids = gridSets.get(old.id) ?? new Set();
        const sameGrids = oldGrids.size === gridIds.length && gridIds.every((id) => oldGrids.has(id));
        if (sameData && sameGrids) {
            counts.unchanged++;
            continue;
        }
        if (!sameData) {
            await ctx.tx.household.update({ where: { id: old.id }, data });
            households.set(row.code, { ...old, ...data });
        }
        if (!sameGrids)
            regridded.push({ householdId: old.id, gridIds });
        counts.updated++;
    }
    const links = [];
    let done = 0;
    for (const chunk of chunks(creates)) {
        await ctx.insert('Household', ['code', 'regionId', 'address', 'headName', 'phone', 'keyReason', 'latitude', 'longitude', 'createdAt', 'updatedAt'], chunk.map((c) => ({ ...c.data, createdAt: ctx.now, updatedAt: ctx.now })));
        const idOf = await idsByCode(ctx.tx.household, chunk);
        for (const c of chunk) {
            const householdId = idOf.get(c.data.code);
            if (householdId === undefined)
                continue;
            households.set(c.data.code, { id: householdId, ...c.data });
            for (const gridId of c.gridIds)
                links.push({ householdId, gridId });
        }
        counts.created += idOf.size;
        done += idOf.size;
        ctx.progress('households', 'write', done, rows.length);
    }
    for (const chunk of chunks(regridded)) {
        await ctx.tx.householdGrid.deleteMany({ where: { householdId: { in: chunk.map((r) => r.householdId) } } });
        for (const r of chunk)
            for (const gridId of r.gridIds)
                links.push({ householdId: r.householdId, gridId });
    }
    await ctx.insert('HouseholdGrid', ['householdId', 'gridId'], links);
    ctx.progress('households', 'write', rows.length, rows.length);
}
function sameRole(a, b) {
    return a.role === b.role && a.regionId === b.regionId && a.gridId === b.gridId && a.departmentId === b.departmentId;
}
/** Upserts people by code and replaces each one's role set. */
export async function writePeople(ctx, rows) {
    const counts = ctx.counts.people;
    const regions = await ctx.regions();
    const regionsById = await ctx.regionsById();
    const grids = await ctx.grids();
    const departments = await ctx.departments();
    const households = await ctx.households();
    const persons = await ctx.persons();
    const rolesOf = new Map();
    for (const r of await ctx.tx.personRole.findMany({
        select: { id: true, personId: true, scopeKey: true, role: true, regionId: true, gridId: true, departmentId: true },
    })) {
        let map = rolesOf.get(r.personId);
        if (!map) {
            map = new Map();
            rolesOf.set(r.personId, map);
        }
        map.set(r.scopeKey, r);
    }
    const creates = [];
    const roleCreates = [];
    const roleDeletes = [];
    let checked = 0;
    for (const source of rows) {
        const { row } = source;
        const problems = [];
        let household;
        if (row.household_code !== undefined) {
            const found = ctx.find('households', households, row.household_code, 'household');
            if (found.ok)
                household = found.rec;
            else
                problems.push({ column: 'household_code', reason: found.reason });
        }
        let departmentId = null;
        if (row.department_code !== undefined) {
            const found = ctx.find('departments', departments, row.department_code, 'department');
            if (found.ok)
                departmentId = found.rec.id;
            else
                problems.push({ column: 'department_code', reason: found.reason });
        }
        const roles = [];
        for (const spec of row.roles) {
            const kind = roleScopeKind(spec.role);
            let scope = spec.scope;
            if (scope === undefined) {
                // Only `resident` may omit its scope: it is the household's village.
                if (household)
                    scope = regionsById.get(household.regionId)?.code;
                if (scope === undefined) {
                    if (row.household_code === undefined) {
                        problems.push({ column: 'roles', reason: 'resident without @scope needs a household_code' });
                    }
                    continue;
                }
            }
            const scopeKey = `${row.code}|${spec.role}|${scope}`;
            const label = `${spec.role}@${scope}`;
            if (kind === 'grid') {
                const grid = ctx.find('grids', grids, scope, 'grid');
                if (grid.ok)
                    roles.push({ scopeKey, role: spec.role, regionId: grid.rec.regionId, gridId: grid.rec.id, departmentId: null });
                else
                    problems.push({ column: 'roles', reason: `${label}: ${grid.reason}` });
            }
            else if (kind === 'department') {
                const dept = ctx.find('departments', departments, scope, 'department');
                if (dept.ok)
                    roles.push({ scopeKey, role: spec.role, regionId: dept.rec.regionId, gridId: null, departmentId: dept.rec.id });
                else
                    problems.push({ column: 'roles', reason: `${label}: ${dept.reason}` });
            }
            else {
                const region = ctx.find('regions', regions, scope, 'region');
                if (!region.ok)
                    problems.push({ column: 'roles', reason: `${label}: ${region.reason}` });
                else if (spec.role === 'resident' && region.rec.level !== 'village') {
                    problems.push({ column: 'roles', reason: `${label}: a resident belongs to a village; ${scope} is a ${region.rec.level}` });
                }
                else
                    roles.push({ scopeKey, role: spec.role, regionId: region.rec.id, gridId: null, departmentId: null });
            }
        }
        if (++checked % 5000 === 0)
            ctx.progress('people', 'check', checked, rows.length);
        if (problems.length > 0) {
            ctx.reject('people', source, problems, row.code);
            continue;
        }
        const data = {
            code: row.code,
            name: row.name,
            phone: row.phone ?? null,
            locale: row.locale,
            householdId: household?.id ?? null,
            departmentId,
        };
        const old = persons.get(row.code);
        if (!old) {
            creates.push({ data, roles });
            continue;
        }
        const sameData = sameFields(old, { ...old, ...data }, ['name', 'phone', 'locale', 'householdId', 'departmentId']);
        const oldRoles = rolesOf.get(old.id) ?? new Map();
        const wanted = new Set(roles.map((r) => r.scopeKey));
        let sameRoles = true;
        for (const [key, r] of oldRoles) {
            if (!wanted.has(key)) {
                roleDeletes.push(r.id);
                sameRoles = false;
            }
        }
        for (const r of roles) {
            const before = oldRoles.get(r.scopeKey);
            if (!before) {
                roleCreates.push({ ...r, personId: old.id });
                sameRoles = false;
            }
            else if (!sameRole(before, r)) {
                await ctx.tx.personRole.update({
                    where: { id: before.id },
                    data: { role: r.role, regionId: r.regionId, gridId: r.gridId, departmentId: r.departmentId },
                });
                sameRoles = false;
            }
        }
        if (sameData && sameRoles) {
            counts.unchanged++;
            continue;
        }
        if (!sameData) {
            await ctx.tx.person.update({ where: { id: old.id }, data });
            persons.set(row.code, { ...old, ...data });
        }
        counts.updated++;
    }
    let done = 0;
    for (const chunk of chunks(creates)) {
        await ctx.insert('Person', ['code', 'name', 'phone', 'locale', 'householdId', 'departmentId', 'createdAt', 'updatedAt'], chunk.map((c) => ({ ...c.data, createdAt: ctx.now, updatedAt: ctx.now })));
        const idOf = await idsByCode(ctx.tx.person, chunk);
        for (const c of chunk) {
            const personId = idOf.get(c.data.code);
            if (personId === undefined)
                continue;
            persons.set(c.data.code, { id: personId, ...c.data });
            for (const r of c.roles)
                roleCreates.push({ ...r, personId });
        }
        counts.created += idOf.size;
        done += idOf.size;
        ctx.progress('people', 'write', done, rows.length);
    }
    for (const chunk of chunks(roleDeletes))
        await ctx.tx.personRole.deleteMany({ where: { id: { in: chunk } } });
    await ctx.insert('PersonRole', ['personId', 'scopeKey', 'role', 'regionId', 'gridId', 'departmentId'], roleCreates);
    ctx.progress('people', 'write', rows.length, rows.length);
}
/** Upserts pairings 包户: one liaison per household, so a re-import moves a household. */
export async function writePairings(ctx, rows) {
    const counts = ctx.counts.pairings;
    const persons = await ctx.persons();
    const households = await ctx.households();
    const liaisons = new Set((await ctx.tx.personRole.findMany({
        where: { role: { in: ['liaison', 'grid_leader'] } },
        select: { personId: true },
        distinct: ['personId'],
    })).map((r) => r.personId));
    const current = new Map((await ctx.tx.pairing.findMany({ select: { householdId: true, liaisonId: true } })).map((p) => [p.householdId, p.liaisonId]));
    const creates = [];
    /** liaisonId → households moving to them. */
    const moves = new Map();
    for (const source of rows) {
        const { row } = source;
        const problems = [];
        const liaison = ctx.find('people', persons, row.liaison_code, 'person');
        if (!liaison.ok)
            problems.push({ column: 'liaison_code', reason: liaison.reason });
        else if (!liaisons.has(liaison.rec.id)) {
            problems.push({
                column: 'liaison_code',
                reason: `${row.liaison_code} holds no liaison or grid_leader role 不是网格员或网长`,
            });
        }
        const household = ctx.find('households', households, row.household_code, 'household');
        if (!household.ok)
            problems.push({ column: 'household_code', reason: household.reason });
        if (problems.length > 0 || !liaison.ok || !household.ok) {
            ctx.reject('pairings', source, problems);
            continue;
        }
        const householdId = household.rec.id;
        const liaisonId = liaison.rec.id;
        const before = current.get(householdId);
        if (before === undefined) {
            creates.push({ householdId, liaisonId });
        }
        else if (before === liaisonId) {
            counts.unchanged++;
        }
        else {
            let list = moves.get(liaisonId);
            if (!list)
                moves.set(liaisonId, (list = []));
            list.push(householdId);
            counts.updated++;
        }
    }
    let done = 0;
    for (const chunk of chunks(creates)) {
        await ctx.insert('Pairing', ['householdId', 'liaisonId', 'updatedAt'], chunk.map((c) => ({ ...c, updatedAt: ctx.now })));
        counts.created += chunk.length;
        done += chunk.length;
        ctx.progress('pairings', 'write', done, rows.length);
    }
    for (const [liaisonId, householdIds] of moves) {
        for (const chunk of chunks(householdIds)) {
            await ctx.tx.pairing.updateMany({ where: { householdId: { in: chunk } }, data: { liaisonId } });
        }
    }
    ctx.progress('pairings', 'write', rows.length, rows.length);
}
