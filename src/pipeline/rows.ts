/**
 * The rows a transition reads and writes (the ticket, its events and timers, the people
 * a notification goes to, the resident's household for routing), written once for both
 * databases on the storage layer (src/db/sql.ts): prepared statements on the
 * transaction's own connection. A transition is a dozen of them.
 */
import type { Insertable, Updateable } from 'kysely';
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import type { Ticket } from '../db/generated/sqlite/client.js';
import type { DB } from '../db/generated/kysely/types.js';
import { all, defineQuery, first, one, type Query, run, type SqlConnection } from '../db/sql.js';
import type { TimerKind } from './states.js';

/** A resident as routing needs them: their household, its liaison, its grids and their leaders. */
export interface IntakeResident {
  id: number;
  household: {
    id: number;
    regionId: number;
    pairing: { liaisonId: number } | null;
    grids: { gridId: number; grid: { kind: string; roles: { personId: number }[] } }[];
  } | null;
}

/** A TicketEvent row to write. */
export interface EventRow {
  ticketId: number;
  seq: number;
  type: string;
  fromState: string | null;
  toState: string;
  actorId: number | null;
  actorRole: string;
  data: string;
  at: Date;
}

/** A role row as the pipeline reads it. */
export interface RoleRow {
  role: string;
  regionId: number;
  gridId: number | null;
  departmentId: number | null;
}

/** A new ticket's columns (those left out, or undefined, take their defaults). */
export type TicketColumns = Insertable<DB['Ticket']>;
/** Columns of a ticket to change (undefined ones are left as they are). */
export type TicketChanges = Updateable<DB['Ticket']>;

export interface PipelineRows {
  /** @throws when there is no such person. */
  intakeResident(personId: number): Promise<IntakeResident>;
  /** The next number of the year's ticket counter (see LayerRows.nextCounter). */
  nextCounter(year: number): Promise<number>;
  createTicket(data: TicketColumns): Promise<Ticket>;
  ticketByNumber(number: string): Promise<Ticket | null>;
  /**
   * A ticket a transition is about to change, with the `seq` of its last event (0 if none),
   * read in one statement: its events follow on from there. Another transition cannot
   * take the same numbers meanwhile: the update's version check refuses the later one.
   */
  ticketToChange(number: string): Promise<{ ticket: Ticket; lastEventSeq: number } | null>;
  /** Sets `data` and moves the version on, if the version is still `version`. */
  updateTicket(id: number, version: number, data: TicketChanges): Promise<boolean>;
  /** Writes a transition's events in one statement. */
  addEvents(rows: EventRow[]): Promise<void>;
  cancelTimers(ticketId: number, kinds: TimerKind[]): Promise<void>;
  /** Sets (or re-arms) the ticket's timers of these kinds, in one statement; a kind given twice keeps its last time. */
  setTimers(ticketId: number, timers: { kind: TimerKind; dueAt: Date }[]): Promise<void>;
  /** People holding `role` at a region, or a department's handlers. */
  holders(where: { role: string; regionId: number } | { departmentId: number }): Promise<number[]>;
  rolesOf(personId: number): Promise<RoleRow[]>;
  personName(id: number): Promise<string>;
  departmentName(id: number): Promise<string>;
  /** The township of the person's household (the region above its village), if any. */
  householdTownship(personId: number): Promise<number | null>;
}

/**
 * A resident, their household, its pairing and its grids with their leaders, in one
 * statement (a row per grid and leader; on PostgreSQL each statement is a round trip).
 */
const intakeResidentQuery = defineQuery('rows_intake_resident', (db, p: { personId: number }) =>
  db
    .selectFrom('Person as p')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .leftJoin('Pairing as pr', 'pr.householdId', 'h.id')
    .leftJoin('HouseholdGrid as hg', 'hg.householdId', 'h.id')
    .leftJoin('Grid as g', 'g.id', 'hg.gridId')
    .leftJoin('PersonRole as r', (join) => join.onRef('r.gridId', '=', 'hg.gridId').on('r.role', '=', 'grid_leader'))
    .select([
      'p.id as id',
      'p.householdId as householdId',
      'h.regionId as regionId',
      'pr.liaisonId as liaisonId',
      'hg.gridId as gridId',
      'g.kind as kind',
      'r.personId as leaderId',
    ])
    .where('p.id', '=', p.personId)
    .orderBy('hg.gridId')
    .orderBy('r.id'),
);

const nextCounterQuery = defineQuery('rows_next_counter', (db, p: { year: number }) =>
  db
    .insertInto('TicketCounter')
    .values({ year: p.year, last: 1 })
    .onConflict((oc) => oc.column('year').doUpdateSet((eb) => ({ last: eb('TicketCounter.last', '+', 1) })))
    .returning('last'),
);

const ticketByNumberQuery = defineQuery('rows_ticket_by_number', (db, p: { number: string }) => db.selectFrom('Ticket').selectAll().where('number', '=', p.number));

const ticketToChangeQuery = defineQuery('rows_ticket_to_change', (db, p: { number: string }) =>
  db
    .selectFrom('Ticket as t')
    .selectAll('t')
    .select((eb) =>
      eb
        .selectFrom('TicketEvent as e')
        .select((e) => e.fn.max('e.seq').as('seq'))
        .whereRef('e.ticketId', '=', 't.id')
        .as('lastEventSeq'),
    )
    .where('t.number', '=', p.number),
);

/** A transition's events written in one statement, per number of events. */
const addEventsQueries: Query<Record<string, unknown>, unknown>[] = [];

function addEventsQuery(count: number): Query<Record<string, unknown>, unknown> {
  const column = <K extends keyof EventRow>(p: Record<string, unknown>, name: K, i: number) => p[`${name}${i}`] as EventRow[K];
  return (addEventsQueries[count] ??= defineQuery(`rows_add_events_${count}`, (db, p: Record<string, unknown>) =>
    db.insertInto('TicketEvent').values(
      Array.from({ length: count }, (_, i) => ({
        ticketId: column(p, 'ticketId', i),
        seq: column(p, 'seq', i),
        type: column(p, 'type', i),
        fromState: column(p, 'fromState', i),
        toState: column(p, 'toState', i),
        actorId: column(p, 'actorId', i),
        actorRole: column(p, 'actorRole', i),
        data: column(p, 'data', i),
        at: column(p, 'at', i),
      })),
    ),
  ));
}

const cancelTimersQuery = defineQuery('rows_cancel_timers', (db, p: { ticketId: number; kinds: TimerKind[] }, dialect) =>
  db
    .deleteFrom('Timer')
    .where('ticketId', '=', p.ticketId)
    .where(oneOf(dialect, 'kind', p.kinds))
    .where('firedAt', 'is', null),
);

/** A ticket's timers set (or re-armed) in one statement, per number of timers. */
const setTimersQueries: Query<Record<string, unknown>, unknown>[] = [];

function setTimersQuery(count: number): Query<Record<string, unknown>, unknown> {
  return (setTimersQueries[count] ??= defineQuery(`rows_set_timers_${count}`, (db, p: Record<string, unknown>) =>
    db
      .insertInto('Timer')
      .values(Array.from({ length: count }, (_, i) => ({ ticketId: p['ticketId'] as number, kind: p[`kind${i}`] as string, dueAt: p[`dueAt${i}`] as Date })))
      .onConflict((oc) => oc.columns(['ticketId', 'kind']).doUpdateSet((eb) => ({ dueAt: eb.ref('excluded.dueAt'), firedAt: null, claimedBy: null, claimedUntil: null }))),
  ));
}

const departmentHandlersQuery = defineQuery('rows_department_handlers', (db, p: { departmentId: number }) =>
  db.selectFrom('PersonRole').select('personId').where('role', '=', 'department_handler').where('departmentId', '=', p.departmentId).orderBy('id'),
);

const roleHoldersQuery = defineQuery('rows_role_holders', (db, p: { role: string; regionId: number }) =>
  db.selectFrom('PersonRole').select('personId').where('role', '=', p.role).where('regionId', '=', p.regionId).orderBy('id'),
);

const rolesOfQuery = defineQuery('rows_roles_of', (db, p: { personId: number }) =>
  db.selectFrom('PersonRole').select(['role', 'regionId', 'gridId', 'departmentId']).where('personId', '=', p.personId).orderBy('id'),
);

const personNameQuery = defineQuery('rows_person_name', (db, p: { id: number }) => db.selectFrom('Person').select('name').where('id', '=', p.id));

const departmentNameQuery = defineQuery('rows_department_name', (db, p: { id: number }) => db.selectFrom('Department').select('name').where('id', '=', p.id));

const householdTownshipQuery = defineQuery('rows_household_township', (db, p: { personId: number }) =>
  db
    .selectFrom('Person as p')
    .innerJoin('Household as h', 'h.id', 'p.householdId')
    .innerJoin('Region as r', 'r.id', 'h.regionId')
    .select('r.parentId as parentId')
    .where('p.id', '=', p.personId),
);

/**
 * A query per set of columns (a ticket's columns vary with its kind and command): each
 * compiled once, like any other query.
 */
function byColumns<P>(build: (columns: string[], name: string) => Query<P, unknown>): (columns: string[]) => Query<P, unknown> {
  const queries = new Map<string, Query<P, unknown>>();
  return (columns) => {
    const key = columns.join(',');
    let query = queries.get(key);
    if (!query) queries.set(key, (query = build(columns, String(queries.size + 1))));
    return query;
  };
}

const createTicketQuery = byColumns<Record<string, unknown>>((columns, name) =>
  defineQuery(`rows_create_ticket_${name}`, (db, p: Record<string, unknown>) =>
    db
      .insertInto('Ticket')
      .values(Object.fromEntries(columns.map((c) => [c, p[c]])) as TicketColumns)
      .returningAll(),
  ),
);

const updateTicketQuery = byColumns<Record<string, unknown>>((columns, name) =>
  defineQuery(`rows_update_ticket_${name}`, (db, p: Record<string, unknown>) =>
    db
      .updateTable('Ticket')
      .set((eb) => ({ ...(Object.fromEntries(columns.map((c) => [c, p[c]])) as TicketChanges), version: eb('version', '+', 1) }))
      .where('id', '=', p['$id'] as number)
      .where('version', '=', p['$version'] as number),
  ),
);

/** The names of the defined values of `data`, in its order. */
function definedColumns(data: Record<string, unknown>): string[] {
  return Object.keys(data).filter((name) => data[name] !== undefined);
}

/** The one implementation, on the connection of the transaction (or client) it was made for. */
class LayerRows implements PipelineRows {
  readonly #sql: SqlConnection;

  constructor(sql: SqlConnection) {
    this.#sql = sql;
  }

  async intakeResident(personId: number): Promise<IntakeResident> {
    const rows = await all(this.#sql, intakeResidentQuery, { personId });
    const person = rows[0];
    if (!person) throw new Error(`no person ${personId}`);
    if (person.householdId === null || person.regionId === null) return { id: person.id, household: null };
    const grids = new Map<number, { gridId: number; grid: { kind: string; roles: { personId: number }[] } }>();
    for (const row of rows) {
      if (row.gridId === null || row.kind === null) continue;
      let grid = grids.get(row.gridId);
      if (!grid) grids.set(row.gridId, (grid = { gridId: row.gridId, grid: { kind: row.kind, roles: [] } }));
      if (row.leaderId !== null) grid.grid.roles.push({ personId: row.leaderId });
    }
    return {
      id: person.id,
      household: {
        id: person.householdId,
        regionId: person.regionId,
        pairing: person.liaisonId === null ? null : { liaisonId: person.liaisonId },
        grids: [...grids.values()],
      },
    };
  }

  /**
   * Where transactions overlap, the counter moves in a statement of its own, committed
   * at once: taken in the caller's transaction, its row stayed locked to that
   * transaction's end and serialised every report across processes. A report that then
   * rolls back leaves a gap in the numbers, as a sequence would.
   */
  async nextCounter(year: number): Promise<number> {
    return (await one(this.#sql.standalone ?? this.#sql, nextCounterQuery, { year })).last;
  }

  async createTicket(data: TicketColumns): Promise<Ticket> {
    const values = data as Record<string, unknown>;
    return (await one(this.#sql, createTicketQuery(definedColumns(values)), values)) as Ticket;
  }

  async ticketByNumber(number: string): Promise<Ticket | null> {
    return (await first(this.#sql, ticketByNumberQuery, { number })) ?? null;
  }

  async updateTicket(id: number, version: number, data: TicketChanges): Promise<boolean> {
    const values = data as Record<string, unknown>;
    return (await run(this.#sql, updateTicketQuery(definedColumns(values)), { ...values, $id: id, $version: version })) === 1;
  }

  async ticketToChange(number: string): Promise<{ ticket: Ticket; lastEventSeq: number } | null> {
    const row = await first(this.#sql, ticketToChangeQuery, { number });
    if (!row) return null;
    const { lastEventSeq, ...ticket } = row;
    return { ticket, lastEventSeq: lastEventSeq ?? 0 };
  }

  async addEvents(rows: EventRow[]): Promise<void> {
    if (!rows.length) return;
    const params: Record<string, unknown> = {};
    rows.forEach((row, i) => {
      for (const [name, value] of Object.entries(row)) params[`${name}${i}`] = value;
    });
    await run(this.#sql, addEventsQuery(rows.length), params);
  }

  async cancelTimers(ticketId: number, kinds: TimerKind[]): Promise<void> {
    await run(this.#sql, cancelTimersQuery, { ticketId, kinds });
  }

  async setTimers(ticketId: number, timers: { kind: TimerKind; dueAt: Date }[]): Promise<void> {
    // One row per kind: an upsert may not touch a row twice.
    const byKind = [...new Map(timers.map((t) => [t.kind, t.dueAt]))];
    if (!byKind.length) return;
    const params: Record<string, unknown> = { ticketId };
    byKind.forEach(([kind, dueAt], i) => {
      params[`kind${i}`] = kind;
      params[`dueAt${i}`] = dueAt;
    });
    await run(this.#sql, setTimersQuery(byKind.length), params);
  }

  async holders(where: { role: string; regionId: number } | { departmentId: number }): Promise<number[]> {
    const rows = 'departmentId' in where ? await all(this.#sql, departmentHandlersQuery, where) : await all(this.#sql, roleHoldersQuery, where);
    return rows.map((r) => r.personId);
  }

  rolesOf(personId: number): Promise<RoleRow[]> {
    return all(this.#sql, rolesOfQuery, { personId });
  }

  async personName(id: number): Promise<string> {
    const row = await first(this.#sql, personNameQuery, { id });
    if (!row) throw new Error(`no person ${id}`);
    return row.name;
  }

  async departmentName(id: number): Promise<string> {
    const row = await first(this.#sql, departmentNameQuery, { id });
    if (!row) throw new Error(`no department ${id}`);
    return row.name;
  }

  async householdTownship(personId: number): Promise<number | null> {
    return (await first(this.#sql, householdTownshipQuery, { personId }))?.parentId ?? null;
  }
}

/**
 * The rows of `client`: a transaction's (its statements run in it) or a database
 * client's (each statement waits for the connection, like any query outside one).
 */
export function pipelineRows(client: Tx | SqlTx | Db): PipelineRows {
  return new LayerRows(sqlOf(client));
}

/** A ticket's history as its readers show it (chat's ticket view, the API's ticket). */
export interface HistoryEvent {
  seq: number;
  type: string;
  toState: string;
  actorRole: string;
  at: Date;
  data: string;
}

const historyQuery = defineQuery('ticket_history', (db, p: { ticketId: number }) =>
  db.selectFrom('TicketEvent').select(['seq', 'type', 'toState', 'actorRole', 'at', 'data']).where('ticketId', '=', p.ticketId).orderBy('seq'),
);

/** The events of ticket `ticketId`, in order; in the caller's transaction when given one. */
export function ticketHistory(client: Tx | SqlTx | Db, ticketId: number): Promise<HistoryEvent[]> {
  return all(sqlOf(client), historyQuery, { ticketId });
}
