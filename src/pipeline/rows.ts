/**
 * The rows a transition reads and writes (the ticket, its events and timers, the people
 * a notification goes to, the resident's household for routing), behind one interface
 * with two implementations: plain prepared statements on SQLite, on the transaction's
 * own connection (see src/db/sqlite-adapter.ts), and Prisma elsewhere. A Prisma query
 * costs 10–20 times a prepared statement, and a transition is a dozen of them
 * (measured with `npm run bench`).
 *
 * The SQLite side reads and writes rows by the columns' declared types (DATETIME as
 * Prisma's ISO text, BOOLEAN as 0/1), so a column added to Ticket later is carried
 * without a change here.
 */
import { sqliteHandleOf, type Tx } from '../db/client.js';
import type { Ticket } from '../db/generated/sqlite/client.js';
import { type SqliteHandle, type SqlValue, sqliteDate } from '../db/sqlite-adapter.js';
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

/** A scalar column value as a caller gives it. */
type Value = string | number | boolean | Date | null;

export interface PipelineRows {
  /** @throws when there is no such person. */
  intakeResident(personId: number): Promise<IntakeResident>;
  /** The next number of the year's ticket counter. */
  nextCounter(year: number): Promise<number>;
  createTicket(data: Record<string, Value | undefined>): Promise<Ticket>;
  ticketByNumber(number: string): Promise<Ticket | null>;
  /** Sets `data` and moves the version on, if the version is still `version`. */
  updateTicket(id: number, version: number, data: Record<string, Value | undefined>): Promise<boolean>;
  lastEventSeq(ticketId: number): Promise<number>;
  addEvents(rows: EventRow[]): Promise<void>;
  cancelTimers(ticketId: number, kinds: TimerKind[]): Promise<void>;
  setTimer(ticketId: number, kind: TimerKind, dueAt: Date): Promise<void>;
  /** People holding `role` at a region, or a department's handlers. */
  holders(where: { role: string; regionId: number } | { departmentId: number }): Promise<number[]>;
  rolesOf(personId: number): Promise<RoleRow[]>;
  personName(id: number): Promise<string>;
  departmentName(id: number): Promise<string>;
  /** The township of the person's household (the region above its village), if any. */
  householdTownship(personId: number): Promise<number | null>;
}

/** Converts between a table's rows and JS values by the columns' declared types. */
class TableCodec {
  readonly #types = new Map<string, string>();
  readonly #dates: string[] = [];
  readonly #booleans: string[] = [];

  constructor(sql: SqliteHandle, table: string) {
    for (const column of sql.all<{ name: string; type: string }>(`PRAGMA table_info("${table}")`)) {
      const type = column.type.toUpperCase();
      this.#types.set(column.name, type);
      if (type === 'DATETIME') this.#dates.push(column.name);
      else if (type === 'BOOLEAN') this.#booleans.push(column.name);
    }
  }

  /** Converts a row read from the table, in place (each read is a fresh object); only dates and booleans change. */
  decode<T>(row: Record<string, unknown>): T {
    for (const name of this.#dates) {
      const value = row[name];
      if (value !== null && value !== undefined) row[name] = new Date(typeof value === 'string' || typeof value === 'number' ? value : Number(value));
    }
    for (const name of this.#booleans) {
      const value = row[name];
      if (value !== null && value !== undefined) row[name] = value !== 0 && value !== '0' && value !== false;
    }
    return row as T;
  }

  /** Column names and their values (undefined ones left out), ready to bind. */
  encode(data: Record<string, Value | undefined>): { columns: string[]; values: SqlValue[] } {
    const columns: string[] = [];
    const values: SqlValue[] = [];
    for (const name in data) {
      const value = data[name];
      if (value === undefined) continue;
      if (!this.#types.has(name)) throw new Error(`no column ${name}`);
      columns.push(name);
      values.push(value instanceof Date ? sqliteDate(value) : typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    return { columns, values };
  }
}

const codecs = new WeakMap<SqliteHandle, Map<string, TableCodec>>();

function codec(sql: SqliteHandle, table: string): TableCodec {
  // One per connection: its outside and inside handles share the inside one.
  let tables = codecs.get(sql.inside);
  if (!tables) codecs.set(sql.inside, (tables = new Map<string, TableCodec>()));
  let found = tables.get(table);
  if (!found) tables.set(table, (found = new TableCodec(sql, table)));
  return found;
}

const quote = (name: string) => `"${name}"`;

class SqliteRows implements PipelineRows {
  constructor(readonly sql: SqliteHandle) {}

  /** Runs `read` on the connection: at once inside the caller's transaction, else when it is free. */
  #on<T>(work: () => T): Promise<T> {
    return this.sql.outside(work);
  }

  intakeResident(personId: number): Promise<IntakeResident> {
    return this.#on(() => {
      const person = this.sql.get<{ id: number; householdId: number | null; regionId: number | null; liaisonId: number | null }>(
        `SELECT p."id" AS id, p."householdId" AS householdId, h."regionId" AS regionId, pr."liaisonId" AS liaisonId
         FROM "Person" p LEFT JOIN "Household" h ON h."id" = p."householdId" LEFT JOIN "Pairing" pr ON pr."householdId" = h."id" WHERE p."id" = ?`,
        personId,
      );
      if (!person) throw new Error(`no person ${personId}`);
      if (person.householdId === null || person.regionId === null) return { id: person.id, household: null };
      const grids = this.sql.all<{ gridId: number; kind: string }>(
        `SELECT hg."gridId" AS gridId, g."kind" AS kind FROM "HouseholdGrid" hg JOIN "Grid" g ON g."id" = hg."gridId" WHERE hg."householdId" = ? ORDER BY hg."gridId"`,
        person.householdId,
      );
      const leaders = this.sql.all<{ gridId: number; personId: number }>(
        `SELECT "gridId", "personId" FROM "PersonRole" WHERE "role" = 'grid_leader' AND "gridId" IN (SELECT value FROM json_each(?)) ORDER BY "id"`,
        JSON.stringify(grids.map((g) => g.gridId)),
      );
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
    });
  }

  nextCounter(year: number): Promise<number> {
    return this.#on(
      () =>
        this.sql.get<{ last: number }>(
          `INSERT INTO "TicketCounter" ("year", "last") VALUES (?, 1) ON CONFLICT ("year") DO UPDATE SET "last" = "TicketCounter"."last" + 1 RETURNING "last"`,
          year,
        )?.last ?? 1,
    );
  }

  createTicket(data: Record<string, Value | undefined>): Promise<Ticket> {
    return this.#on(() => {
      const tickets = codec(this.sql, 'Ticket');
      const { columns, values } = tickets.encode(data);
      const row = this.sql.get<Record<string, unknown>>(
        `INSERT INTO "Ticket" (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING *`,
        ...values,
      );
      if (!row) throw new Error('ticket not written');
      return tickets.decode<Ticket>(row);
    });
  }

  ticketByNumber(number: string): Promise<Ticket | null> {
    return this.#on(() => {
      const row = this.sql.get<Record<string, unknown>>(`SELECT * FROM "Ticket" WHERE "number" = ?`, number);
      return row ? codec(this.sql, 'Ticket').decode<Ticket>(row) : null;
    });
  }

  updateTicket(id: number, version: number, data: Record<string, Value | undefined>): Promise<boolean> {
    return this.#on(() => {
      const { columns, values } = codec(this.sql, 'Ticket').encode(data);
      const set = [...columns.map((c) => `${quote(c)} = ?`), '"version" = "version" + 1'].join(', ');
      return this.sql.run(`UPDATE "Ticket" SET ${set} WHERE "id" = ? AND "version" = ?`, ...values, id, version).changes === 1;
    });
  }

  lastEventSeq(ticketId: number): Promise<number> {
    return this.#on(() => this.sql.get<{ seq: number | null }>(`SELECT MAX("seq") AS seq FROM "TicketEvent" WHERE "ticketId" = ?`, ticketId)?.seq ?? 0);
  }

  addEvents(rows: EventRow[]): Promise<void> {
    return this.#on(() => {
      for (const e of rows) {
        this.sql.run(
          `INSERT INTO "TicketEvent" ("ticketId", "seq", "type", "fromState", "toState", "actorId", "actorRole", "data", "at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          e.ticketId,
          e.seq,
          e.type,
          e.fromState,
          e.toState,
          e.actorId,
          e.actorRole,
          e.data,
          sqliteDate(e.at),
        );
      }
    });
  }

  cancelTimers(ticketId: number, kinds: TimerKind[]): Promise<void> {
    return this.#on(() => {
      this.sql.run(
        `DELETE FROM "Timer" WHERE "ticketId" = ? AND "kind" IN (SELECT value FROM json_each(?)) AND "firedAt" IS NULL`,
        ticketId,
        JSON.stringify(kinds),
      );
    });
  }

  setTimer(ticketId: number, kind: TimerKind, dueAt: Date): Promise<void> {
    return this.#on(() => {
      this.sql.run(
        `INSERT INTO "Timer" ("ticketId", "kind", "dueAt") VALUES (?, ?, ?)
         ON CONFLICT ("ticketId", "kind") DO UPDATE SET "dueAt" = excluded."dueAt", "firedAt" = NULL, "claimedBy" = NULL, "claimedUntil" = NULL`,
        ticketId,
        kind,
        sqliteDate(dueAt),
      );
    });
  }

  holders(where: { role: string; regionId: number } | { departmentId: number }): Promise<number[]> {
    return this.#on(() =>
      ('departmentId' in where
        ? this.sql.all<{ personId: number }>(`SELECT "personId" FROM "PersonRole" WHERE "role" = 'department_handler' AND "departmentId" = ? ORDER BY "id"`, where.departmentId)
        : this.sql.all<{ personId: number }>(`SELECT "personId" FROM "PersonRole" WHERE "role" = ? AND "regionId" = ? ORDER BY "id"`, where.role, where.regionId)
      ).map((r) => r.personId),
    );
  }

  rolesOf(personId: number): Promise<RoleRow[]> {
    return this.#on(() => this.sql.all<RoleRow>(`SELECT "role", "regionId", "gridId", "departmentId" FROM "PersonRole" WHERE "personId" = ? ORDER BY "id"`, personId));
  }

  personName(id: number): Promise<string> {
    return this.#on(() => {
      const row = this.sql.get<{ name: string }>(`SELECT "name" FROM "Person" WHERE "id" = ?`, id);
      if (!row) throw new Error(`no person ${id}`);
      return row.name;
    });
  }

  householdTownship(personId: number): Promise<number | null> {
    return this.#on(
      () =>
        this.sql.get<{ parentId: number | null }>(
          `SELECT r."parentId" AS parentId FROM "Person" p JOIN "Household" h ON h."id" = p."householdId" JOIN "Region" r ON r."id" = h."regionId" WHERE p."id" = ?`,
          personId,
        )?.parentId ?? null,
    );
  }

  departmentName(id: number): Promise<string> {
    return this.#on(() => {
      const row = this.sql.get<{ name: string }>(`SELECT "name" FROM "Department" WHERE "id" = ?`, id);
      if (!row) throw new Error(`no department ${id}`);
      return row.name;
    });
  }
}

class PrismaRows implements PipelineRows {
  constructor(readonly tx: Tx) {}

  intakeResident(personId: number): Promise<IntakeResident> {
    return this.tx.person.findUniqueOrThrow({
      where: { id: personId },
      include: {
        household: {
          include: {
            pairing: true,
            grids: { include: { grid: { include: { roles: { where: { role: 'grid_leader' } } } } } },
          },
        },
      },
    });
  }

  async nextCounter(year: number): Promise<number> {
    const counter = await this.tx.ticketCounter.upsert({ where: { year }, create: { year, last: 1 }, update: { last: { increment: 1 } } });
    return counter.last;
  }

  createTicket(data: Record<string, Value | undefined>): Promise<Ticket> {
    return this.tx.ticket.create({ data: data as Parameters<Tx['ticket']['create']>[0]['data'] });
  }

  ticketByNumber(number: string): Promise<Ticket | null> {
    return this.tx.ticket.findUnique({ where: { number } });
  }

  async updateTicket(id: number, version: number, data: Record<string, Value | undefined>): Promise<boolean> {
    const updated = await this.tx.ticket.updateMany({ where: { id, version }, data: { ...data, version: { increment: 1 } } });
    return updated.count === 1;
  }

  async lastEventSeq(ticketId: number): Promise<number> {
    const last = await this.tx.ticketEvent.findFirst({ where: { ticketId }, orderBy: { seq: 'desc' }, select: { seq: true } });
    return last?.seq ?? 0;
  }

  async addEvents(rows: EventRow[]): Promise<void> {
    await this.tx.ticketEvent.createMany({ data: rows });
  }

  async cancelTimers(ticketId: number, kinds: TimerKind[]): Promise<void> {
    await this.tx.timer.deleteMany({ where: { ticketId, kind: { in: kinds }, firedAt: null } });
  }

  async setTimer(ticketId: number, kind: TimerKind, dueAt: Date): Promise<void> {
    await this.tx.timer.upsert({
      where: { ticketId_kind: { ticketId, kind } },
      create: { ticketId, kind, dueAt },
      update: { dueAt, firedAt: null, claimedBy: null, claimedUntil: null },
    });
  }

  async holders(where: { role: string; regionId: number } | { departmentId: number }): Promise<number[]> {
    const filter = 'departmentId' in where ? { role: 'department_handler', departmentId: where.departmentId } : where;
    return (await this.tx.personRole.findMany({ where: filter, select: { personId: true }, orderBy: { id: 'asc' } })).map((r) => r.personId);
  }

  rolesOf(personId: number): Promise<RoleRow[]> {
    return this.tx.personRole.findMany({ where: { personId }, orderBy: { id: 'asc' }, select: { role: true, regionId: true, gridId: true, departmentId: true } });
  }

  async personName(id: number): Promise<string> {
    return (await this.tx.person.findUniqueOrThrow({ where: { id }, select: { name: true } })).name;
  }

  async departmentName(id: number): Promise<string> {
    return (await this.tx.department.findUniqueOrThrow({ where: { id }, select: { name: true } })).name;
  }

  async householdTownship(personId: number): Promise<number | null> {
    const person = await this.tx.person.findUniqueOrThrow({ where: { id: personId }, include: { household: { include: { region: true } } } });
    return person.household?.region.parentId ?? null;
  }
}

/**
 * The rows of `tx`: plain statements when it is a SQLite client (inside a light
 * transaction, see src/db/client.ts `transaction`, they run in it; elsewhere each waits
 * for the connection like any Prisma query), Prisma otherwise.
 */
export function pipelineRows(tx: Tx): PipelineRows {
  const sql = sqliteHandleOf(tx as Parameters<typeof sqliteHandleOf>[0]);
  return sql ? new SqliteRows(sql) : new PrismaRows(tx);
}
