/**
 * The runner around the pure machine: loads a ticket, applies a command, and commits in
 * ONE transaction the ticket, its TicketEvent rows, its timers and its outbox messages.
 */
import { type Db, sqlOf, type SqlTx, sqlTransaction, transaction, type Tx } from '../db/client.js';
import { isUniqueViolation } from '../db/dialect.js';
import { isTransientConflict } from '../db/postgres-connection.js';
import { defineQuery, first } from '../db/sql.js';
import { isSqliteBusy } from '../db/sqlite-adapter.js';
import type { Ticket } from '../db/generated/sqlite/client.js';
import { logger } from '../log.js';
import type { RegionLevel, Role } from '../org/types.js';
import { localDateOf } from './calendar.js';
import type { DeadlinePolicy, HandlingClass } from './deadlines.js';
import { intake, mayKnow, type RouteDecision, transition } from './machine.js';
import type { Actor, Command, DispatchTarget, Effect, EventDraft, MessageParams, PipelineRules, Recipient, Refusal, TicketSnapshot, TransitionResult } from './model.js';
import { enqueueWebhooks } from '../webhooks/outbox.js';
import { enqueuePush } from './outbox.js';
import { categoryByCode, departmentOf, regionById } from './reference.js';
import { type PipelineRows, pipelineRows } from './rows.js';
import { maskName, normaliseText, rosterNames, scrub } from '../privacy.js';
import { placeOf } from './place.js';
import { hasResidentToAnswer } from './requester.js';
import { route } from './routing.js';
import { keywordsOf } from '../stats/keywords.js';
import { metricsAfter } from '../stats/metrics.js';
import type { Rating, RequestKind, TicketState, TimerKind } from './states.js';
import { MAX_MEDIA } from '../engine/media.js';

const log = logger('pipeline');

/** A source of time; tests pass a fake one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A new request as a resident reports it. */
export interface ReportInput {
  residentId: number;
  categoryCode: string;
  kind: RequestKind;
  summary: string;
  description?: string;
  /** The village (or township) where the matter is; defaults to the household's village. */
  regionId?: number;
  location?: string;
  contactPhone?: string;
  /** Photos and voice notes sent with the request (references), kept on the ticket and the intake event. */
  photos?: string[];
  /** A location the resident shared (WGS 84). */
  latitude?: number;
  longitude?: number;
  /** The channel it came through, kept on the intake event. */
  via?: string;
  /** The resident got the receipt in the conversation already: no separate receipt message. */
  acknowledged?: boolean;
  /** Who registered it for the resident (a liaison on a visit, staff at the station), kept on the intake event. */
  registeredBy?: number;
  /** The name of the API key it came with (Open311), kept on the intake event. */
  apiKey?: string;
  /**
   * 即办: `registeredBy` settled it on the spot with this result. Routing is skipped: the
   * ticket is theirs, accepted and resolved in the same transaction (a `settle`), and the
   * resident hears the result with the rating request instead of a receipt.
   */
  settled?: { result: string };
  /** 急事急办: staff marked it urgent, so it is counted in clock hours (the category's urgent handling). */
  urgent?: boolean;
}

export type PipelineOutcome = { ok: true; ticket: Ticket } | { ok: false; refusal: Refusal };

/** The ticket could not be found, or changed under us too often. */
export class TicketNotFoundError extends Error {
  override readonly name = 'TicketNotFoundError';
}

/** Another writer changed the ticket between our read and our write. */
class ConcurrentUpdate extends Error {
  override readonly name = 'ConcurrentUpdate';
}

const MAX_ATTEMPTS = 5;

export interface PipelineOptions {
  db: Db;
  rules: PipelineRules;
  clock?: Clock;
  /** Readable number prefix, e.g. "MQ" → MQ-2026-000123. */
  ticketPrefix?: string;
}

/** Region ids from the top (county) down to `regionId`. */
async function regionPath(tx: Tx | SqlTx | Db, regionId: number): Promise<number[]> {
  const path: number[] = [];
  let id: number | null = regionId;
  while (id !== null && path.length < 8) {
    path.unshift(id);
    const region: { parentId: number | null } | null = await regionById(tx, id);
    id = region?.parentId ?? null;
  }
  return path;
}

function policyOf(category: { handlingClass: string; resolveDays: number; resolveHours: number; acceptHours: number; workingDays: boolean }): DeadlinePolicy {
  return {
    handlingClass: category.handlingClass as HandlingClass,
    resolveDays: category.resolveDays,
    resolveHours: category.resolveHours,
    acceptHours: category.acceptHours,
    workingDays: category.workingDays,
  };
}

/** The snapshot the machine works on, from a stored ticket (the console asks it which actions to offer). */
export async function snapshotOf(tx: Tx | SqlTx | Db, ticket: Ticket): Promise<TicketSnapshot> {
  const category = await categoryByCode(tx, ticket.categoryCode);
  if (!category) throw new Error(`no category ${ticket.categoryCode}`);
  return {
    number: ticket.number,
    state: ticket.state as TicketState,
    kind: ticket.kind as RequestKind,
    categoryCode: ticket.categoryCode,
    policy: { ...policyOf(category), handlingClass: ticket.handlingClass as HandlingClass },
    summary: ticket.summary,
    residentId: ticket.residentId,
    hasResident: hasResidentToAnswer(ticket.channel),
    place: placeOf((await regionById(tx, ticket.regionId))?.name ?? null, ticket.location),
    contactPhone: ticket.contactPhone,
    media: mediaList(ticket.media),
    latitude: ticket.latitude,
    longitude: ticket.longitude,
    regionPath: await regionPath(tx, ticket.regionId),
    gridId: ticket.gridId,
    handlingRegionId: ticket.handlingRegionId,
    level: ticket.level as RegionLevel,
    assigneeId: ticket.assigneeId,
    assigneeDepartmentId: ticket.assigneeDepartmentId,
    acceptBy: ticket.acceptBy,
    resolveBy: ticket.resolveBy,
    callbackBy: ticket.callbackBy,
    pausedAt: ticket.pausedAt,
    resumeState: ticket.resumeState as TicketState | null,
    extensionDays: ticket.extensionDays,
    supervised: ticket.supervised,
    overdue: ticket.overdue,
    returnCount: ticket.returnCount,
    escalationCount: ticket.escalationCount,
    reopenCount: ticket.reopenCount,
    extensionCount: ticket.extensionCount,
    receivedAt: ticket.createdAt,
    urgeCount: ticket.urgeCount,
    urgedAt: ticket.urgedAt,
    rating: ticket.rating as Rating | null,
    solved: ticket.solved,
    acceptedAt: ticket.acceptedAt,
    resolvedAt: ticket.resolvedAt,
    closedAt: ticket.closedAt,
    settledOnTheSpot: ticket.settledOnTheSpot,
  };
}

/** A shared location, kept only when it is a point on the earth. */
function validCoordinates(latitude: number | undefined, longitude: number | undefined): { latitude: number | null; longitude: number | null } {
  const ok = latitude !== undefined && longitude !== undefined && Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
  return ok ? { latitude, longitude } : { latitude: null, longitude: null };
}

/** A ticket's `media` column: a JSON list of references. */
function mediaList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** The mutable columns of a snapshot, as stored. */
function columnsOf(s: TicketSnapshot) {
  return {
    state: s.state,
    categoryCode: s.categoryCode,
    handlingRegionId: s.handlingRegionId,
    level: s.level,
    assigneeId: s.assigneeId,
    assigneeDepartmentId: s.assigneeDepartmentId,
    acceptBy: s.acceptBy,
    resolveBy: s.resolveBy,
    callbackBy: s.callbackBy,
    pausedAt: s.pausedAt,
    resumeState: s.resumeState,
    extensionDays: s.extensionDays,
    supervised: s.supervised,
    overdue: s.overdue,
    returnCount: s.returnCount,
    escalationCount: s.escalationCount,
    reopenCount: s.reopenCount,
    extensionCount: s.extensionCount,
    urgeCount: s.urgeCount,
    urgedAt: s.urgedAt,
    rating: s.rating,
    solved: s.solved,
    acceptedAt: s.acceptedAt,
    resolvedAt: s.resolvedAt,
    closedAt: s.closedAt,
  };
}

/**
 * People who receive a notification. Role recipients are looked up at the region, then
 * up the ticket's region path until someone holds the role (a village has no
 * dispatcher; its township has).
 */
async function recipientsOf(rows: PipelineRows, to: Recipient, path: number[]): Promise<number[]> {
  if ('personId' in to) return [to.personId];
  if ('departmentId' in to) return rows.holders({ departmentId: to.departmentId });
  const start = path.indexOf(to.regionId);
  const chain = start >= 0 ? path.slice(0, start + 1).reverse() : [to.regionId];
  for (const regionId of chain) {
    const people = await rows.holders({ role: to.role, regionId });
    if (people.length) return [...new Set(people)];
  }
  return [];
}

/** `params` with the text of each of `fields` through the one scrubber (the resident's words, for someone else). */
async function scrubbed(tx: Tx | SqlTx, params: MessageParams, fields: readonly string[]): Promise<MessageParams> {
  const names = await rosterNames(tx);
  const out = { ...params };
  for (const field of fields) {
    const value = out[field];
    if (typeof value === 'string') out[field] = scrub(value, names);
  }
  return out;
}

/** Writes events (numbered on from `lastEventSeq`), timers and outbox rows for a transition of `ticketId`. */
async function record(tx: Tx | SqlTx, ticketId: number, lastEventSeq: number, path: number[], events: EventDraft[], effects: Effect[], actor: Actor, now: Date): Promise<void> {
  const rows = pipelineRows(tx);
  if (events.length) {
    const actorId = actor.kind === 'person' ? actor.personId : null;
    const actorRole = actor.kind === 'person' ? (actor.roles[0]?.role ?? 'resident') : 'system';
    const viaKey = actor.kind === 'person' && actor.apiKey !== undefined ? { apiKey: actor.apiKey } : {};
    const written = events.map((e, i) => ({
      ticketId,
      seq: lastEventSeq + i + 1,
      type: e.type,
      fromState: e.fromState,
      toState: e.toState,
      actorId: e.by === 'system' ? null : actorId,
      actorRole: e.by === 'system' ? 'system' : actorRole,
      data: JSON.stringify(e.by === 'system' ? e.data : { ...e.data, ...viaKey }),
      at: now,
    }));
    await rows.addEvents(written);
    await enqueueWebhooks(tx, path, written, now);
  }
  // The timers a transition sets are written in one statement (after a cancel, in order).
  let timers: { kind: TimerKind; dueAt: Date }[] = [];
  const setTimers = async () => {
    if (timers.length) await rows.setTimers(ticketId, timers);
    timers = [];
  };
  for (const effect of effects) {
    switch (effect.type) {
      case 'cancel_timers':
        await setTimers();
        await rows.cancelTimers(ticketId, effect.kinds);
        break;
      case 'set_timer':
        timers.push({ kind: effect.kind, dueAt: effect.dueAt });
        break;
      case 'notify': {
        const people = await recipientsOf(rows, effect.to, path);
        if (!people.length) log.warn({ ticketId, template: effect.template }, 'no recipient for a notification');
        const params = effect.scrub?.length ? await scrubbed(tx, effect.params, effect.scrub) : effect.params;
        await enqueuePush(tx, people, { ticketId, template: effect.template, params, actions: effect.actions ?? [], media: effect.media ?? [] }, now);
        break;
      }
    }
  }
  await setTimers();
}

/**
 * The ticket a duplicate is merged into: it must exist, lie where the actor is staff (a
 * ticket elsewhere reads as not found, so a merge cannot probe other regions), and still
 * stand on its own (not withdrawn, not merged itself).
 */
async function mergeTarget(tx: Tx | SqlTx, number: string, actor: Actor): Promise<{ ok: true; id: number } | { ok: false; refusal: Refusal }> {
  const notFound = { ok: false as const, refusal: { code: 'invalid' as const, field: 'into', reason: 'not_found' } };
  const target = await pipelineRows(tx).ticketByNumber(number);
  if (!target || actor.kind !== 'person') return notFound;
  const path = await regionPath(tx, target.regionId);
  const staff = actor.roles.some((r) => (r.role === 'dispatcher' || r.role === 'supervisor' || r.role === 'admin') && path.includes(r.regionId));
  if (!staff) return notFound;
  if (target.state === 'withdrawn' || target.state === 'merged') {
    return { ok: false, refusal: { code: 'invalid', field: 'into', reason: 'target_closed' } };
  }
  return { ok: true, id: target.id };
}

const personExistsQuery = defineQuery('service_person_exists', (db, p: { id: number }) => db.selectFrom('Person').select('id').where('id', '=', p.id));

const departmentExistsQuery = defineQuery('service_department_exists', (db, p: { id: number }) => db.selectFrom('Department').select('id').where('id', '=', p.id));

/** Whether a dispatch target names a person or a department that exists. */
async function handlerExists(tx: Tx | SqlTx, target: DispatchTarget): Promise<boolean> {
  const found =
    'personId' in target ? await first(sqlOf(tx), personExistsQuery, { id: target.personId }) : await first(sqlOf(tx), departmentExistsQuery, { id: target.departmentId });
  return found !== undefined;
}

/**
 * Who handles a ticket as a resident reads it (the `handler` message's parameters): the
 * liaison by role and masked name, a department by its name, else the township's office,
 * whose dispatchers place it.
 */
export async function handlerParams(
  tx: Db | Tx | SqlTx,
  t: { assigneeId: number | null; assigneeDepartmentId: number | null },
): Promise<{ handlerRole: string | null; handlerName: string | null }> {
  const rows = pipelineRows(tx);
  if (t.assigneeId !== null) return { handlerRole: 'liaison', handlerName: maskName(await rows.personName(t.assigneeId)) };
  if (t.assigneeDepartmentId !== null) return { handlerRole: null, handlerName: await rows.departmentName(t.assigneeDepartmentId) };
  return { handlerRole: 'dispatchers', handlerName: null };
}

/** The person's roles as an actor of the pipeline. */
export async function actorFor(db: Db | Tx | SqlTx, personId: number): Promise<Actor> {
  const roles = await pipelineRows(db).rolesOf(personId);
  return {
    kind: 'person',
    personId,
    roles: roles.map((r) => ({
      role: r.role as Role,
      regionId: r.regionId,
      gridId: r.gridId,
      departmentId: r.departmentId,
    })),
  };
}

/** A command with its free-text fields normalised (src/privacy.ts), whoever typed them. */
function normaliseCommand(command: Command): Command {
  const out: Record<string, unknown> = { ...command };
  for (const [key, value] of Object.entries(out)) if (typeof value === 'string' && key !== 'type') out[key] = normaliseText(value);
  if (command.type === 'close' && command.callback?.kind === 'answered' && command.callback.comment !== undefined) {
    out['callback'] = { ...command.callback, comment: normaliseText(command.callback.comment) };
  }
  return out as Command;
}

/** Runs `transaction()` until it commits, again when a concurrent writer got there first. */
async function retrying<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      const retriable =
        error instanceof ConcurrentUpdate ||
        // Another process kept SQLite's write lock past the busy timeout: nothing was done.
        isSqliteBusy(error) ||
        // Unique violation (e.g. two first tickets of a year), a serialisation failure or a
        // deadlock, from PostgreSQL itself or reported through Prisma (P2034).
        isUniqueViolation(error) ||
        isTransientConflict(error) ||
        (typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2034');
      if (!retriable || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** Runs `work` in a Prisma transaction (`transaction`), again when a concurrent writer got there first. */
export function withRetry<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return retrying(() => transaction(db, work));
}

/** Runs `work` in a storage layer transaction (`sqlTransaction`), again when a concurrent writer got there first. */
export function withSqlRetry<T>(db: Db, work: (tx: SqlTx) => Promise<T>): Promise<T> {
  return retrying(() => sqlTransaction(db, work));
}

/** The acceptance pipeline over the database. */
export class PipelineService {
  readonly db: Db;
  readonly rules: PipelineRules;
  readonly clock: Clock;
  readonly ticketPrefix: string;

  constructor(options: PipelineOptions) {
    this.db = options.db;
    this.rules = options.rules;
    this.clock = options.clock ?? systemClock;
    this.ticketPrefix = options.ticketPrefix ?? 'MQ';
  }

  /** The next readable number of the year (Beijing time), e.g. MQ-2026-000123. */
  private async nextNumber(tx: Tx | SqlTx, now: Date): Promise<string> {
    const year = Number(localDateOf(now).slice(0, 4));
    const last = await pipelineRows(tx).nextCounter(year);
    return `${this.ticketPrefix}-${year}-${String(last).padStart(6, '0')}`;
  }

  /**
   * 受理: registers a resident's request, routes it and dispatches it when a handler is
   * found. Returns the stored ticket, or a refusal (e.g. an empty summary).
   */
  async report(input: ReportInput): Promise<PipelineOutcome> {
    return withSqlRetry(this.db, (tx) => this.reportIn(tx, input));
  }

  /** `report` inside a transaction the caller holds (the dialogue engine's turn). */
  async reportIn(tx: Tx | SqlTx, input: ReportInput): Promise<PipelineOutcome> {
    const now = this.clock.now();
    const rows = pipelineRows(tx);
    // Text is kept normalised (src/privacy.ts), however it arrived: chat, console, an API.
    input = {
      ...input,
      summary: normaliseText(input.summary),
      ...(input.description === undefined ? {} : { description: normaliseText(input.description) }),
      ...(input.location === undefined ? {} : { location: normaliseText(input.location) }),
    };
    // A phone typed with invisible or control characters keeps its visible part; nothing visible, none.
    if (input.contactPhone !== undefined) {
      const { contactPhone, ...rest } = input;
      const phone = normaliseText(contactPhone).trim();
      input = phone ? { ...rest, contactPhone: phone } : rest;
    }
    const resident = await rows.intakeResident(input.residentId);
    const category = await categoryByCode(tx, input.categoryCode);
    if (!category) return { ok: false, refusal: { code: 'invalid', field: 'category', reason: 'unknown' } };
    const regionId = input.regionId ?? resident.household?.regionId;
    if (regionId === undefined) return { ok: false, refusal: { code: 'invalid', field: 'region', reason: 'required' } };
    const region = await regionById(tx, regionId);
    if (!region || region.level === 'county') {
      return { ok: false, refusal: { code: 'invalid', field: 'region', reason: 'out_of_range' } };
    }
    const path = await regionPath(tx, regionId);
    const townshipId = region.level === 'township' ? region.id : (region.parentId ?? region.id);
    const household = resident.household;
    // The household's own liaison and grids count only for a matter in its own village.
    const atHome = household !== null && household.regionId === regionId;
    const grids = atHome ? [...household.grids].sort((a, b) => (a.grid.kind === b.grid.kind ? 0 : a.grid.kind === 'geographic' ? -1 : 1)) : [];
    const department = await departmentOf(tx, townshipId, category.departmentKind);
    const settler = input.settled ? input.registeredBy : undefined;
    if (input.settled && settler === undefined) return { ok: false, refusal: { code: 'invalid', field: 'registeredBy', reason: 'required' } };
    if (input.settled && !input.settled.result.trim()) return { ok: false, refusal: { code: 'invalid', field: 'result', reason: 'required' } };
    // A matter settled on the spot is 即办件, one marked urgent is urgent, whatever its category's usual class.
    const handlingClass: HandlingClass = settler !== undefined ? 'immediate' : input.urgent ? 'urgent' : (category.handlingClass as HandlingClass);
    const policy: DeadlinePolicy = { ...policyOf(category), handlingClass };
    const routed = route({
      villageRegionId: region.level === 'village' ? region.id : null,
      townshipRegionId: townshipId,
      pairedLiaisonId: atHome ? (household.pairing?.liaisonId ?? null) : null,
      gridLeaderIds: grids.flatMap((g) => g.grid.roles.map((r) => r.personId)),
      departmentId: department?.id ?? null,
    });
    const decision: RouteDecision = settler === undefined ? routed : { target: { personId: settler }, handlingRegionId: townshipId, level: 'township', via: 'on_the_spot' };
    // Segmented before the ticket counter is taken: jieba's first load must not hold the write lock.
    const keywords = await keywordsOf(input.summary, input.description ?? '');
    const number = await this.nextNumber(tx, now);
    const location = input.location?.trim() || null;
    const media = (input.photos ?? []).slice(0, MAX_MEDIA);
    const coordinates = validCoordinates(input.latitude, input.longitude);
    const gridId = grids.find((g) => g.grid.kind === 'geographic')?.gridId ?? grids[0]?.gridId ?? null;
    const result = intake(
      {
        number,
        kind: input.kind,
        categoryCode: category.code,
        policy,
        summary: input.summary,
        residentId: resident.id,
        hasResident: hasResidentToAnswer(input.via ?? null),
        regionPath: path,
        gridId,
        place: placeOf(region.name, location),
        contactPhone: input.contactPhone ?? null,
        media,
        ...coordinates,
      },
      decision,
      now,
      this.rules,
    );
    if (!result.ok) return result;
    if (input.acknowledged || settler !== undefined) {
      result.effects = result.effects.filter((e) => !(e.type === 'notify' && e.template === 'ticket.received_resident'));
    }
    // The receipt names who handles it, as the chat's answer to a report does.
    const receipt = result.effects.find((e) => e.type === 'notify' && e.template === 'ticket.received_resident');
    if (receipt?.type === 'notify') Object.assign(receipt.params, await handlerParams(tx, result.ticket));
    if (settler !== undefined) {
      // Whoever settles it on the spot needs no ping about their own ticket.
      result.effects = result.effects.filter((e) => !(e.type === 'notify' && 'personId' in e.to && e.to.personId === settler));
    }
    const received = result.events[0];
    if (received) {
      Object.assign(received.data, {
        photos: media,
        channel: input.via ?? null,
        ...(input.registeredBy === undefined ? {} : { registeredBy: input.registeredBy }),
        ...(input.apiKey === undefined ? {} : { apiKey: input.apiKey }),
      });
    }
    const ticket = await rows.createTicket({
      number,
      kind: input.kind,
      handlingClass: policy.handlingClass,
      summary: result.ticket.summary,
      description: input.description?.trim() ?? '',
      keywords,
      location,
      contactPhone: input.contactPhone ?? null,
      media: JSON.stringify(media),
      ...coordinates,
      residentId: resident.id,
      householdId: atHome ? household.id : null,
      regionId,
      gridId,
      createdAt: now,
      updatedAt: now,
      channel: input.via ?? null,
      settledOnTheSpot: result.ticket.settledOnTheSpot,
      ...columnsOf(result.ticket),
    });
    // Its author: the resident; for work staff gave themselves, the staff member in their own role (no resident's request to show).
    const author: Actor = result.ticket.hasResident ? { kind: 'person', personId: resident.id, roles: [{ role: 'resident', regionId }] } : await actorFor(tx, resident.id);
    await record(tx, ticket.id, 0, path, result.events, result.effects, author, now);
    log.info({ ticket: number, via: decision.via }, 'ticket received');
    if (settler !== undefined && input.settled) return this.executeIn(tx, number, { type: 'settle', result: input.settled.result }, await actorFor(tx, settler));
    return { ok: true, ticket };
  }

  /**
   * Applies `command` by `actor` to the ticket with `number`, committing the ticket, its
   * events, timers and outbox messages together; a refusal changes nothing.
   * @throws TicketNotFoundError when there is no such ticket, or the actor may not know of it.
   */
  async execute(number: string, command: Command, actor: Actor): Promise<PipelineOutcome> {
    return withSqlRetry(this.db, (tx) => this.executeIn(tx, number, command, actor));
  }

  /** `execute` inside a transaction the caller holds (the scheduler marks its timer in it). */
  async executeIn(tx: Tx | SqlTx, number: string, given: Command, actor: Actor): Promise<PipelineOutcome> {
    const now = this.clock.now();
    const command = normaliseCommand(given);
    const rows = pipelineRows(tx);
    const found = await rows.ticketToChange(number);
    if (!found) throw new TicketNotFoundError(`no ticket ${number}`);
    const { ticket: stored, lastEventSeq } = found;
    const snapshot = await snapshotOf(tx, stored);
    // "Not yours" and "no such ticket" are one answer.
    if (!mayKnow(snapshot, stored.gridId, actor)) throw new TicketNotFoundError(`no ticket ${number}`);
    const result: TransitionResult = transition(snapshot, command, actor, now, this.rules);
    if (!result.ok) return result;
    if (!result.events.length) return { ok: true, ticket: stored };
    let mergedIntoId: number | undefined;
    if (command.type === 'merge') {
      const target = await mergeTarget(tx, command.into.trim(), actor);
      if (!target.ok) return target;
      mergedIntoId = target.id;
    }
    // The machine takes a dispatch target on trust; a forged one must be refused, not
    // fail on the foreign key.
    if (command.type === 'dispatch' && !(await handlerExists(tx, command.target))) {
      return { ok: false, refusal: { code: 'invalid', field: 'target', reason: 'out_of_range' } };
    }
    const changes = {
      ...columnsOf(result.ticket),
      // The statistics facts (first 签收/办结, latest callback answer) from this step's events.
      ...metricsAfter(stored, stored.createdAt, result.events, now),
      ...(mergedIntoId === undefined ? {} : { mergedIntoId }),
      updatedAt: now,
    };
    if (!(await rows.updateTicket(stored.id, stored.version, changes))) throw new ConcurrentUpdate(number);
    await record(tx, stored.id, lastEventSeq, snapshot.regionPath, result.events, result.effects, actor, now);
    log.debug({ ticket: number, command: command.type, to: result.ticket.state }, 'transition');
    // The row as written, without reading it back (a transition is a few statements; this was one).
    const ticket: Record<string, unknown> = { ...stored };
    for (const name in changes) {
      const value = changes[name as keyof typeof changes];
      if (value !== undefined) ticket[name] = value;
    }
    ticket['version'] = stored.version + 1;
    return { ok: true, ticket: ticket as unknown as Ticket };
  }
}
