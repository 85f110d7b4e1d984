import { sqlOf } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, first, one, run } from '../db/sql.js';
const personHouseholdQuery = defineQuery('rows_person_household', (db, p) => db
    .selectFrom('Person as p')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .leftJoin('Pairing as pr', 'pr.householdId', 'h.id')
    .select(['p.id as id', 'p.householdId as householdId', 'h.regionId as regionId', 'pr.liaisonId as liaisonId'])
    .where('p.id', '=', p.personId));
const householdGridsQuery = defineQuery('rows_household_grids', (db, p) => db
    .selectFrom('HouseholdGrid as hg')
    .innerJoin('Grid as g', 'g.id', 'hg.gridId')
    .select(['hg.gridId as gridId', 'g.kind as kind'])
    .where('hg.householdId', '=', p.householdId)
    .orderBy('hg.gridId'));
const gridLeadersQuery = defineQuery('rows_grid_leaders', (db, p, dialect) => db
    .selectFrom('PersonRole')
    .select(['gridId', 'personId'])
    .where('role', '=', 'grid_leader')
    .where(oneOf(dialect, 'gridId', p.gridIds))
    .orderBy('id'));
const nextCounterQuery = defineQuery('rows_next_counter', (db, p) => db
    .insertInto('TicketCounter')
    .values({ year: p.year, last: 1 })
    .onConflict((oc) => oc.column('year').doUpdateSet((eb) => ({ last: eb('TicketCounter.last', '+', 1) })))
    .returning('last'));
const ticketByNumberQuery = defineQuery('rows_ticket_by_number', (db, p) => db.selectFrom('Ticket').selectAll().where('number', '=', p.number));
const lastEventSeqQuery = defineQuery('rows_last_event_seq', (db, p) => db
    .selectFrom('TicketEvent')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('ticketId', '=', p.ticketId));
const addEventQuery = defineQuery('rows_add_event', (db, p) => db.insertInto('TicketEvent').values({
    ticketId: p.ticketId,
    seq: p.seq,
    type: p.type,
    fromState: p.fromState,
    toState: p.toState,
    actorId: p.actorId,
    actorRole: p.actorRole,
    data: p.data,
    at: p.at,
}));
const cancelTimersQuery = defineQuery('rows_cancel_timers', (db, p, dialect) => db
    .deleteFrom('Timer')
    .where('ticketId', '=', p.ticketId)
    .where(oneOf(dialect, 'kind', p.kinds))
    .where('firedAt', 'is', null));
/** A ticket's timers set (or re-armed) in one statement, per number of timers. */
const setTimersQueries = [];
function setTimersQuery(count) {
    return (setTimersQueries[count] ??= defineQuery(`rows_set_timers_${count}`, (db, p) => db
        .insertInto('Timer')
        .values(Array.from({ length: count }, (_, i) => ({ ticketId: p['ticketId'], kind: p[`kind${i}`], dueAt: p[`dueAt${i}`] })))
        .onConflict((oc) => oc.columns(['ticketId', 'kind']).doUpdateSet((eb) => ({ dueAt: eb.ref('excluded.dueAt'), firedAt: null, claimedBy: null, claimedUntil: null })))));
}
const departmentHandlersQuery = defineQuery('rows_department_handlers', (db, p) => db.selectFrom('PersonRole').select('personId').where('role', '=', 'department_handler').where('departmentId', '=', p.departmentId).orderBy('id'));
const roleHoldersQuery = defineQuery('rows_role_holders', (db, p) => db.selectFrom('PersonRole').select('personId').where('role', '=', p.role).where('regionId', '=', p.regionId).orderBy('id'));
const rolesOfQuery = defineQuery('rows_roles_of', (db, p) => db.selectFrom('PersonRole').select(['role', 'regionId', 'gridId', 'departmentId']).where('personId', '=', p.personId).orderBy('id'));
const personNameQuery = defineQuery('rows_person_name', (db, p) => db.selectFrom('Person').select('name').where('id', '=', p.id));
const departmentNameQuery = defineQuery('rows_department_name', (db, p) => db.selectFrom('Department').select('name').where('id', '=', p.id));
const householdTownshipQuery = defineQuery('rows_household_township', (db, p) => db
    .selectFrom('Person as p')
    .innerJoin('Household as h', 'h.id', 'p.householdId')
    .innerJoin('Region as r', 'r.id', 'h.regionId')
    .select('r.parentId as parentId')
    .where('p.id', '=', p.personId));
/**
 * A query per set of columns (a ticket's columns vary with its kind and command): each
 * compiled once, like any other query.
 */
function byColumns(build) {
    const queries = new Map();
    return (columns) => {
        const key = columns.join(',');
        let query = queries.get(key);
        if (!query)
            queries.set(key, (query = build(columns, String(queries.size + 1))));
        return query;
    };
}
const createTicketQuery = byColumns((columns, name) => defineQuery(`rows_create_ticket_${name}`, (db, p) => db
    .insertInto('Ticket')
    .values(Object.fromEntries(columns.map((c) => [c, p[c]])))
    .returningAll()));
const updateTicketQuery = byColumns((columns, name) => defineQuery(`rows_update_ticket_${name}`, (db, p) => db
    .updateTable('Ticket')
    .set((eb) => ({ ...Object.fromEntries(columns.map((c) => [c, p[c]])), version: eb('version', '+', 1) }))
    .where('id', '=', p['$id'])
    .where('version', '=', p['$version'])));
/** The names of the defined values of `data`, in its order. */
function definedColumns(data) {
    return Object.keys(data).filter((name) => data[name] !== undefined);
}
/** The one implementation, on the connection of the transaction (or client) it was made for. */
class LayerRows {
    #sql;
    constructor(sql) {
        this.#sql = sql;
    }
    async intakeResident(personId) {
        const person = await first(this.#sql, personHouseholdQuery, { personId });
        if (!person)
            throw new Error(`no person ${personId}`);
        if (person.householdId === null || person.regionId === null)
            return { id: person.id, household: null };
        const grids = await all(this.#sql, householdGridsQuery, { householdId: person.householdId });
        const leaders = grids.length ? await all(this.#sql, gridLeadersQuery, { gridIds: grids.map((g) => g.gridId) }) : [];
        return {
            id: person.id,
            household: {
                id: person.householdId,
                regionId: person.regionId,
                pairing: person.liaisonId === null ? null : { liaisonId: person.liaisonId },
                grids: grids.map((g) => ({
                    gridId: g.gridId,
                    grid: { kind: g.kind, roles: leaders.filter((l) => l.gridId === g.gridId).map((l) => ({ personId: l.personId })) },
                })),
            },
        };
    }
    /**
     * Where transactions overlap, the counter moves in a statement of its own, committed
     * at once: taken in the caller's transaction, its row stayed locked to that
     * transaction's end and serialised every report across processes. A report that then
     * rolls back leaves a gap in the numbers, as a sequence would.
     */
    async nextCounter(year) {
        return (await one(this.#sql.standalone ?? this.#sql, nextCounterQuery, { year })).last;
    }
    async createTicket(data) {
        const values = data;
        return (await one(this.#sql, createTicketQuery(definedColumns(values)), values));
    }
    async ticketByNumber(number) {
        return (await first(this.#sql, ticketByNumberQuery, { number })) ?? null;
    }
    async updateTicket(id, version, data) {
        const values = data;
        return (await run(this.#sql, updateTicketQuery(definedColumns(values)), { ...values, $id: id, $version: version })) === 1;
    }
    async lastEventSeq(ticketId) {
        return (await first(this.#sql, lastEventSeqQuery, { ticketId }))?.seq ?? 0;
    }
    async addEvents(rows) {
        for (const row of rows)
            await run(this.#sql, addEventQuery, row);
    }
    async cancelTimers(ticketId, kinds) {
        await run(this.#sql, cancelTimersQuery, { ticketId, kinds });
    }
    async setTimers(ticketId, timers) {
        // One row per kind: an upsert may not touch a row twice.
        const byKind = [...new Map(timers.map((t) => [t.kind, t.dueAt]))];
        if (!byKind.length)
            return;
        const params = { ticketId };
        byKind.forEach(([kind, dueAt], i) => {
            params[`kind${i}`] = kind;
            params[`dueAt${i}`] = dueAt;
        });
        await run(this.#sql, setTimersQuery(byKind.length), params);
    }
    async holders(where) {
        const rows = 'departmentId' in where ? await all(this.#sql, departmentHandlersQuery, where) : await all(this.#sql, roleHoldersQuery, where);
        return rows.map((r) => r.personId);
    }
    rolesOf(personId) {
        return all(this.#sql, rolesOfQuery, { personId });
    }
    async personName(id) {
        const row = await first(this.#sql, personNameQuery, { id });
        if (!row)
            throw new Error(`no person ${id}`);
        return row.name;
    }
    async departmentName(id) {
        const row = await first(this.#sql, departmentNameQuery, { id });
        if (!row)
            throw new Error(`no department ${id}`);
        return row.name;
    }
    async householdTownship(personId) {
        return (await first(this.#sql, householdTownshipQuery, { personId }))?.parentId ?? null;
    }
}
/**
 * The rows of `client`: a transaction's (its statements run in it) or a database
 * client's (each statement waits for the connection, like any query outside one).
 */
export function pipelineRows(client) {
    return new LayerRows(sqlOf(client));
}
