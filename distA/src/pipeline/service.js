/**
 * The runner around the pure machine: loads a ticket, applies a command, and commits in
 * ONE transaction the ticket, its TicketEvent rows, its timers and its outbox messages.
 */
import { sqlOf, sqlTransaction, transaction } from '../db/client.js';
import { isUniqueViolation } from '../db/dialect.js';
import { isTransientConflict } from '../db/postgres-connection.js';
import { defineQuery, first } from '../db/sql.js';
import { isSqliteBusy } from '../db/sqlite-adapter.js';
import { logger } from '../log.js';
import { localDateOf } from './calendar.js';
import { intake, mayKnow, transition } from './machine.js';
import { enqueuePush } from './outbox.js';
import { categoryByCode, departmentOf, regionById } from './reference.js';
import { pipelineRows } from './rows.js';
import { normaliseText } from '../privacy.js';
import { placeOf } from './place.js';
import { route } from './routing.js';
import { keywordsOf } from '../stats/keywords.js';
import { metricsAfter } from '../stats/metrics.js';
const log = logger('pipeline');
export const systemClock = { now: () => new Date() };
/** The ticket could not be found, or changed under us too often. */
export class TicketNotFoundError extends Error {
    name = 'TicketNotFoundError';
}
/** Another writer changed the ticket between our read and our write. */
class ConcurrentUpdate extends Error {
    name = 'ConcurrentUpdate';
}
const MAX_ATTEMPTS = 5;
/** Region ids from the top (county) down to `regionId`. */
async function regionPath(tx, regionId) {
    const path = [];
    let id = regionId;
    while (id !== null && path.length < 8) {
        path.unshift(id);
        const region = await regionById(tx, id);
        id = region?.parentId ?? null;
    }
    return path;
}
function policyOf(category) {
    return {
        handlingClass: category.handlingClass,
        resolveDays: category.resolveDays,
        resolveHours: category.resolveHours,
        acceptHours: category.acceptHours,
        workingDays: category.workingDays,
    };
}
/** The snapshot the machine works on, from a stored ticket (the console asks it which actions to offer). */
export async function snapshotOf(tx, ticket) {
    const category = await categoryByCode(tx, ticket.categoryCode);
    if (!category)
        throw new Error(`no category ${ticket.categoryCode}`);
    return {
        number: ticket.number,
        state: ticket.state,
        kind: ticket.kind,
        categoryCode: ticket.categoryCode,
        policy: { ...policyOf(category), handlingClass: ticket.handlingClass },
        summary: ticket.summary,
        residentId: ticket.residentId,
        place: placeOf((await regionById(tx, ticket.regionId))?.name ?? null, ticket.location),
        contactPhone: ticket.contactPhone,
        media: mediaList(ticket.media),
        latitude: ticket.latitude,
        longitude: ticket.longitude,
        regionPath: await regionPath(tx, ticket.regionId),
        handlingRegionId: ticket.handlingRegionId,
        level: ticket.level,
        assigneeId: ticket.assigneeId,
        assigneeDepartmentId: ticket.assigneeDepartmentId,
        acceptBy: ticket.acceptBy,
        resolveBy: ticket.resolveBy,
        callbackBy: ticket.callbackBy,
        pausedAt: ticket.pausedAt,
        resumeState: ticket.resumeState,
        extensionDays: ticket.extensionDays,
        supervised: ticket.supervised,
        overdue: ticket.overdue,
        returnCount: ticket.returnCount,
        escalationCount: ticket.escalationCount,
        reopenCount: ticket.reopenCount,
        extensionCount: ticket.extensionCount,
        rating: ticket.rating,
        solved: ticket.solved,
        acceptedAt: ticket.acceptedAt,
        resolvedAt: ticket.resolvedAt,
        closedAt: ticket.closedAt,
    };
}
/** A shared location, kept only when it is a point on the earth. */
function validCoordinates(latitude, longitude) {
    const ok = latitude !== undefined && longitude !== undefined && Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
    return ok ? { latitude, longitude } : { latitude: null, longitude: null };
}
/** A ticket's `media` column: a JSON list of references. */
function mediaList(json) {
    try {
        const value = JSON.parse(json);
        return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
    }
    catch {
        return [];
    }
}
/** The mutable columns of a snapshot, as stored. */
function columnsOf(s) {
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
async function recipientsOf(rows, to, path) {
    if ('personId' in to)
        return [to.personId];
    if ('departmentId' in to)
        return rows.holders({ departmentId: to.departmentId });
    const start = path.indexOf(to.regionId);
    const chain = start >= 0 ? path.slice(0, start + 1).reverse() : [to.regionId];
    for (const regionId of chain) {
        const people = await rows.holders({ role: to.role, regionId });
        if (people.length)
            return [...new Set(people)];
    }
    return [];
}
/** Writes events, timers and outbox rows for a transition of `ticketId`. */
async function record(tx, ticketId, path, events, effects, actor, now) {
    const rows = pipelineRows(tx);
    if (events.length) {
        const base = await rows.lastEventSeq(ticketId);
        const actorId = actor.kind === 'person' ? actor.personId : null;
        const actorRole = actor.kind === 'person' ? (actor.roles[0]?.role ?? 'resident') : 'system';
        await rows.addEvents(events.map((e, i) => ({
            ticketId,
            seq: base + i + 1,
            type: e.type,
            fromState: e.fromState,
            toState: e.toState,
            actorId: e.by === 'system' ? null : actorId,
            actorRole: e.by === 'system' ? 'system' : actorRole,
            data: JSON.stringify(e.data),
            at: now,
        })));
    }
    // The timers a transition sets are written in one statement (after a cancel, in order).
    let timers = [];
    const setTimers = async () => {
        if (timers.length)
            await rows.setTimers(ticketId, timers);
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
                if (!people.length)
                    log.warn({ ticketId, template: effect.template }, 'no recipient for a notification');
                await enqueuePush(tx, people, { ticketId, template: effect.template, params: effect.params, actions: effect.actions ?? [], media: effect.media ?? [] }, now);
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
async function mergeTarget(tx, number, actor) {
    const notFound = { ok: false, refusal: { code: 'invalid', field: 'into', reason: 'not_found' } };
    const target = await pipelineRows(tx).ticketByNumber(number);
    if (!target || actor.kind !== 'person')
        return notFound;
    const path = await regionPath(tx, target.regionId);
    const staff = actor.roles.some((r) => (r.role === 'dispatcher' || r.role === 'supervisor' || r.role === 'admin') && path.includes(r.regionId));
    if (!staff)
        return notFound;
    if (target.state === 'withdrawn' || target.state === 'merged') {
        return { ok: false, refusal: { code: 'invalid', field: 'into', reason: 'target_closed' } };
    }
    return { ok: true, id: target.id };
}
const personExistsQuery = defineQuery('service_person_exists', (db, p) => db.selectFrom('Person').select('id').where('id', '=', p.id));
const departmentExistsQuery = defineQuery('service_department_exists', (db, p) => db.selectFrom('Department').select('id').where('id', '=', p.id));
/** Whether a dispatch target names a person or a department that exists. */
async function handlerExists(tx, target) {
    const found = 'personId' in target ? await first(sqlOf(tx), personExistsQuery, { id: target.personId }) : await first(sqlOf(tx), departmentExistsQuery, { id: target.departmentId });
    return found !== undefined;
}
/** The person's roles as an actor of the pipeline. */
export async function actorFor(db, personId) {
    const roles = await pipelineRows(db).rolesOf(personId);
    return {
        kind: 'person',
        personId,
        roles: roles.map((r) => ({
            role: r.role,
            regionId: r.regionId,
            gridId: r.gridId,
            departmentId: r.departmentId,
        })),
    };
}
/** A command with its free-text fields normalised (src/privacy.ts), whoever typed them. */
function normaliseCommand(command) {
    const out = { ...command };
    for (const [key, value] of Object.entries(out))
        if (typeof value === 'string' && key !== 'type')
            out[key] = normaliseText(value);
    if (command.type === 'close' && command.callback?.kind === 'answered' && command.callback.comment !== undefined) {
        out['callback'] = { ...command.callback, comment: normaliseText(command.callback.comment) };
    }
    return out;
}
/** Runs `transaction()` until it commits, again when a concurrent writer got there first. */
async function retrying(transaction) {
    for (let attempt = 1;; attempt++) {
        try {
            return await transaction();
        }
        catch (error) {
            const retriable = error instanceof ConcurrentUpdate ||
                // Another process kept SQLite's write lock past the busy timeout: nothing was done.
                isSqliteBusy(error) ||
                // Unique violation (e.g. two first tickets of a year), a serialisation failure or a
                // deadlock, from PostgreSQL itself or reported through Prisma (P2034).
                isUniqueViolation(error) ||
                isTransientConflict(error) ||
                (typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2034');
            if (!retriable || attempt >= MAX_ATTEMPTS)
                throw error;
        }
    }
}
/** Runs `work` in a Prisma transaction (`transaction`), again when a concurrent writer got there first. */
export function withRetry(db, work) {
    return retrying(() => transaction(db, work));
}
/** Runs `work` in a storage layer transaction (`sqlTransaction`), again when a concurrent writer got there first. */
export function withSqlRetry(db, work) {
    return retrying(() => sqlTransaction(db, work));
}
/** The acceptance pipeline over the database. */
export class PipelineService {
    db;
    rules;
    clock;
    ticketPrefix;
    constructor(options) {
        this.db = options.db;
        this.rules = options.rules;
        this.clock = options.clock ?? systemClock;
        this.ticketPrefix = options.ticketPrefix ?? 'MQ';
    }
    /** The next readable number of the year (Beijing time), e.g. MQ-2026-000123. */
    async nextNumber(tx, now) {
        const year = Number(localDateOf(now).slice(0, 4));
        const last = await pipelineRows(tx).nextCounter(year);
        return `${this.ticketPrefix}-${year}-${String(last).padStart(6, '0')}`;
    }
    /**
     * 受理: registers a resident's request, routes it and dispatches it when a handler is
     * found. Returns the stored ticket, or a refusal (e.g. an empty summary).
     */
    async report(input) {
        return withSqlRetry(this.db, (tx) => this.reportIn(tx, input));
    }
    /** `report` inside a transaction the caller holds (the dialogue engine's turn). */
    async reportIn(tx, input) {
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
        if (!category)
            return { ok: false, refusal: { code: 'invalid', field: 'category', reason: 'unknown' } };
        const regionId = input.regionId ?? resident.household?.regionId;
        if (regionId === undefined)
            return { ok: false, refusal: { code: 'invalid', field: 'region', reason: 'required' } };
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
        if (input.settled && settler === undefined)
            return { ok: false, refusal: { code: 'invalid', field: 'registeredBy', reason: 'required' } };
        if (input.settled && !input.settled.result.trim())
            return { ok: false, refusal: { code: 'invalid', field: 'result', reason: 'required' } };
        // A matter settled on the spot is 即办件, one marked urgent is urgent, whatever its category's usual class.
        const handlingClass = settler !== undefined ? 'immediate' : input.urgent ? 'urgent' : category.handlingClass;
        const policy = { ...policyOf(category), handlingClass };
        const routed = route({
            villageRegionId: region.level === 'village' ? region.id : null,
            townshipRegionId: townshipId,
            pairedLiaisonId: atHome ? (household.pairing?.liaisonId ?? null) : null,
            gridLeaderIds: grids.flatMap((g) => g.grid.roles.map((r) => r.personId)),
            departmentId: department?.id ?? null,
        });
        const decision = settler === undefined ? routed : { target: { personId: settler }, handlingRegionId: townshipId, level: 'township', via: 'on_the_spot' };
        // Segmented before the ticket counter is taken: jieba's first load must not hold the write lock.
        const keywords = await keywordsOf(input.summary, input.description ?? '');
        const number = await this.nextNumber(tx, now);
        const location = input.location?.trim() || null;
        const media = (input.photos ?? []).slice(0, 9);
        const coordinates = validCoordinates(input.latitude, input.longitude);
        const result = intake({
            number,
            kind: input.kind,
            categoryCode: category.code,
            policy,
            summary: input.summary,
            residentId: resident.id,
            regionPath: path,
            place: placeOf(region.name, location),
            contactPhone: input.contactPhone ?? null,
            media,
            ...coordinates,
        }, decision, now, this.rules);
        if (!result.ok)
            return result;
        if (input.acknowledged || settler !== undefined) {
            result.effects = result.effects.filter((e) => !(e.type === 'notify' && e.template === 'ticket.received_resident'));
        }
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
        const gridId = grids.find((g) => g.grid.kind === 'geographic')?.gridId ?? grids[0]?.gridId ?? null;
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
            settledOnTheSpot: settler !== undefined,
            ...columnsOf(result.ticket),
        });
        await record(tx, ticket.id, path, result.events, result.effects, { kind: 'person', personId: resident.id, roles: [{ role: 'resident', regionId }] }, now);
        log.info({ ticket: number, via: decision.via }, 'ticket received');
        if (settler !== undefined && input.settled)
            return this.executeIn(tx, number, { type: 'settle', result: input.settled.result }, await actorFor(tx, settler));
        return { ok: true, ticket };
    }
    /**
     * Applies `command` by `actor` to the ticket with `number`, committing the ticket, its
     * events, timers and outbox messages together; a refusal changes nothing.
     * @throws TicketNotFoundError when there is no such ticket, or the actor may not know of it.
     */
    async execute(number, command, actor) {
        return withSqlRetry(this.db, (tx) => this.executeIn(tx, number, command, actor));
    }
    /** `execute` inside a transaction the caller holds (the scheduler marks its timer in it). */
    async executeIn(tx, number, given, actor) {
        const now = this.clock.now();
        const command = normaliseCommand(given);
        const rows = pipelineRows(tx);
        const stored = await rows.ticketByNumber(number);
        if (!stored)
            throw new TicketNotFoundError(`no ticket ${number}`);
        const snapshot = await snapshotOf(tx, stored);
        // "Not yours" and "no such ticket" are one answer.
        if (!mayKnow(snapshot, stored.gridId, actor))
            throw new TicketNotFoundError(`no ticket ${number}`);
        const result = transition(snapshot, command, actor, now, this.rules);
        if (!result.ok)
            return result;
        if (!result.events.length)
            return { ok: true, ticket: stored };
        let mergedIntoId;
        if (command.type === 'merge') {
            const target = await mergeTarget(tx, command.into.trim(), actor);
            if (!target.ok)
                return target;
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
        if (!(await rows.updateTicket(stored.id, stored.version, changes)))
            throw new ConcurrentUpdate(number);
        await record(tx, stored.id, snapshot.regionPath, result.events, result.effects, actor, now);
        log.debug({ ticket: number, command: command.type, to: result.ticket.state }, 'transition');
        // The row as written, without reading it back (a transition is a few statements; this was one).
        const ticket = { ...stored };
        for (const name in changes) {
            const value = changes[name];
            if (value !== undefined)
                ticket[name] = value;
        }
        ticket['version'] = stored.version + 1;
        return { ok: true, ticket: ticket };
    }
}
