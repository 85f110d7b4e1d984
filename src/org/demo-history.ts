/**
 * A lived history for the demo county: months of villagers' requests played through the
 * real pipeline (`PipelineService.reportIn` / `executeIn`) with a fake clock that moves
 * through the period, and the real scheduler (`Scheduler.fireDueTimers`) firing the
 * deadline timers as the clock passes them. Every ticket, event, timer, statistics fact
 * and push is what the product itself wrote; nothing is inserted behind its back.
 *
 * Who does what is who would: residents of the roster report from their homes (mostly)
 * or elsewhere in their township, in waking hours, more on weekdays, with the seasons'
 * mix of matters; routing dispatches to the paired liaison or the township department;
 * the handler (the liaison, or the department's handler) 签收s — mostly in time, some
 * late — reports progress, asks the resident for information, asks for an extension,
 * returns or escalates; the township's dispatcher re-dispatches returns, decides
 * extensions, merges duplicates and makes callbacks by phone; the level above dispatches
 * what was escalated; supervisors 督办 what lingers; residents rate (mostly satisfied),
 * sometimes dissatisfied (重办), sometimes never (the callback times out), and a few
 * withdraw. Each person acts in their own hours: staff in office hours on working days,
 * liaisons and residents from morning to evening.
 *
 * Deterministic: a fixed seed and a given `now` give the same history. Steps run in time
 * order, many to a transaction; a transaction ends before the next timer that may fall
 * due, so every timer fires at its own time, as the scheduler would fire it.
 */
import type { Database, Tx } from '../db/client.js';
import { transaction } from '../db/client.js';
import { guessKind } from '../engine/classifier-kind.js';
import { loadLabelled } from '../engine/classifier-labelled.js';
import { logger, quietly } from '../log.js';
import { addCalendarDays, localDateOf, localInstant, type WorkCalendar } from '../pipeline/calendar.js';
import { ALLOWED_FROM } from '../pipeline/machine.js';
import type { Actor, Command, PipelineRules, Refusal } from '../pipeline/model.js';
import { Scheduler } from '../pipeline/scheduler.js';
import { actorFor, type Clock, PipelineService } from '../pipeline/service.js';
import { CATEGORY_CODES, type CategoryCode, OPEN_STATES, type Rating, TICKET_STATES, type TicketState } from '../pipeline/states.js';
import { keywordsOf } from '../stats/keywords.js';
import { publishTicket } from '../pipeline/publication.js';
import { rosterNames, scrub } from '../privacy.js';
import type { Ticket } from '../db/generated/sqlite/client.js';
import { seededRandom } from './demo-data.js';
import {
  CATEGORY_SEASONS,
  CATEGORY_WEIGHTS,
  DENIAL_REASONS,
  ESCALATION_REASONS,
  EXTENSION_REASONS,
  EXTRA_REQUESTS,
  GENERAL_PROGRESS,
  INFO_QUESTIONS,
  INFO_SUPPLIED,
  isRequestText,
  LANDMARKS,
  MONTH_VOLUME,
  PROGRESS_NOTES,
  RATING_COMMENTS,
  RESULTS,
  RETURN_REASONS,
  SUPERVISION_NOTES,
  WITHDRAW_REASONS,
} from './demo-texts.js';
import { deliveredAsWritten, outboxMark } from './demo-past.js';

const log = logger('demo-history');

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Requests per household and month: seed 002's county registered 446,000 items in seven
 * months for its 110,000 households (DOMAIN.md), 0.58 a household a month. The demo
 * county's 450 households make ~260 a month at that rate.
 */
export const REQUESTS_PER_HOUSEHOLD_MONTH = 446_000 / 7 / 110_000;

/** The seed of the demo's history. */
export const DEMO_HISTORY_SEED = 20_260_601;

/** Steps per transaction at most (PostgreSQL's interactive transactions have a time limit). */
const MAX_STEPS_PER_TRANSACTION = 400;

export interface DemoHistoryOptions {
  database: Database;
  rules: PipelineRules;
  /** The end of the history: nothing happens after it; timers due later stay armed. */
  now: Date;
  /** Whole months before the current one (of `now`, Beijing time) that the history covers, plus the current month to date. */
  months: number;
  seed?: number;
  ticketPrefix?: string;
  /** Requests per household and month in an ordinary month (default {@link REQUESTS_PER_HOUSEHOLD_MONTH}). */
  requestsPerHouseholdMonth?: number;
}

/** What a history came to. */
export interface DemoHistoryReport {
  from: Date;
  to: Date;
  tickets: number;
  events: number;
  /** Timers the scheduler fired on the way (reminders, overdue notices, callback timeouts). */
  timersFired: number;
  /** Timers still armed at `to` (due later). */
  timersArmed: number;
  /** Pushes written by the history, all marked sent (see {@link playDemoHistory}). */
  pushes: number;
  transactions: number;
  /** Tickets by their state at `to`. */
  states: Record<TicketState, number>;
  /** Commands the pipeline refused (none, unless the simulation is wrong). */
  refusals: { command: string; refusal: Refusal }[];
  ms: number;
}

// ─── Randomness ────────────────────────────────────────────────────────────────

/** The demo county's seeded generator, with the draws the history needs. */
class Random {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('demo history: nothing to pick from');
    return item;
  }

  /** Most draws near `median`, a long tail (how waiting and handling times spread). */
  logNormal(median: number, sigma: number): number {
    const u = Math.max(this.next(), 1e-12);
    const gaussian = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
    return median * Math.exp(sigma * gaussian);
  }

  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = this.next(); p > limit; p *= this.next()) k++;
    return k;
  }

  /** An index of `weights`, each as likely as its weight. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let at = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      at -= weights[i] as number;
      if (at < 0) return i;
    }
    return weights.length - 1;
  }
}

// ─── Hours people act in ──────────────────────────────────────────────────────

/**
 * When someone acts: staff in office hours on working days (8:30–12:00, 14:00–17:30),
 * liaisons (villagers themselves) and residents from morning to evening every day, a
 * police station on duty round the clock.
 */
type Hours = 'office' | 'village' | 'resident' | 'always';

const HOURS: Record<Hours, { spans: [number, number][]; workingDaysOnly: boolean }> = {
  office: {
    spans: [
      [8 * 60 + 30, 12 * 60],
      [14 * 60, 17 * 60 + 30],
    ],
    workingDaysOnly: true,
  },
  village: { spans: [[7 * 60, 21 * 60 + 30]], workingDaysOnly: false },
  resident: { spans: [[6 * 60 + 30, 22 * 60]], workingDaysOnly: false },
  always: { spans: [[0, 24 * 60]], workingDaysOnly: false },
};

/** The moment `minutes` of `hours` after `from` (0: the first moment of those hours at or after `from`). */
function later(calendar: WorkCalendar, hours: Hours, from: number, minutes: number): number {
  const { spans, workingDaysOnly } = HOURS[hours];
  let left = Math.max(0, minutes) * MINUTE;
  let date = localDateOf(new Date(from));
  for (let i = 0; i < 400; i++, date = addCalendarDays(date, 1)) {
    if (workingDaysOnly && !calendar.isWorkingDay(date)) continue;
    const midnight = localInstant(date, 0).getTime();
    for (const [a, b] of spans) {
      const start = Math.max(from, midnight + a * MINUTE);
      const end = midnight + b * MINUTE;
      if (start >= end) continue;
      // Whole milliseconds, never before `from` (the clock only moves forward).
      if (left <= end - start) return Math.ceil(start + left);
      left -= end - start;
    }
  }
  throw new Error('demo history: no working time within a year');
}

/** The day of the week of a local date, 0 = Sunday. */
function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** Minutes of `hours` in a day, for delays counted in days of those hours. */
function minutesPerDay(hours: Hours): number {
  return HOURS[hours].spans.reduce((sum, [a, b]) => sum + b - a, 0);
}

// ─── The organisation as the history sees it ─────────────────────────────────

interface Resident {
  personId: number;
  villageId: number;
  townshipId: number;
  phone: string | null;
}

interface Organisation {
  residents: Resident[];
  /** Each resident's weight: some people ask far more often than others. */
  activity: number[];
  residentsOf: Map<number, Resident[]>;
  villagesOf: Map<number, number[]>;
  parentOf: Map<number, number | null>;
  /** Where each region with coordinates lies (WGS 84): a village's shared locations fall around it. */
  pointOf: Map<number, { latitude: number; longitude: number }>;
  /** `${regionId}|${kind}` → department id. */
  departmentAt: Map<string, number>;
  /** Department id → the person who handles its requests. */
  handlerOf: Map<number, number>;
  /** Region id → its dispatcher, and its supervisor. */
  dispatcherAt: Map<number, number>;
  supervisorAt: Map<number, number>;
  townships: number[];
  countyId: number;
  categories: Map<string, { departmentKind: string; handlingClass: string; resolveDays: number }>;
  actors: Map<number, Actor>;
  households: number;
}

async function loadOrganisation(database: Database): Promise<Organisation> {
  const { db } = database;
  const regions = await db.region.findMany({ select: { id: true, parentId: true, level: true, latitude: true, longitude: true } });
  const county = regions.find((r) => r.level === 'county');
  if (!county) throw new Error('demo history: no county (seed the demo county first)');
  const people = await db.person.findMany({
    where: { householdId: { not: null } },
    orderBy: { id: 'asc' },
    select: { id: true, household: { select: { regionId: true, phone: true } } },
  });
  const parentOf = new Map(regions.map((r) => [r.id, r.parentId]));
  const residents: Resident[] = people.flatMap((p) =>
    p.household ? [{ personId: p.id, villageId: p.household.regionId, townshipId: parentOf.get(p.household.regionId) ?? p.household.regionId, phone: p.household.phone }] : [],
  );
  if (!residents.length) throw new Error('demo history: no residents with a household (seed the demo county first)');
  const roles = await db.personRole.findMany({ orderBy: { id: 'asc' }, select: { personId: true, role: true, regionId: true, departmentId: true } });
  const departments = await db.department.findMany({ select: { id: true, regionId: true, kind: true } });
  const categories = await db.category.findMany({ select: { code: true, departmentKind: true, handlingClass: true, resolveDays: true } });
  const org: Organisation = {
    residents,
    activity: [],
    residentsOf: new Map(),
    villagesOf: new Map(),
    parentOf,
    pointOf: new Map(regions.flatMap((r) => (r.latitude !== null && r.longitude !== null ? [[r.id, { latitude: r.latitude, longitude: r.longitude }] as const] : []))),
    departmentAt: new Map(departments.map((d) => [`${d.regionId}|${d.kind}`, d.id])),
    handlerOf: new Map(),
    dispatcherAt: new Map(),
    supervisorAt: new Map(),
    townships: regions
      .filter((r) => r.level === 'township')
      .map((r) => r.id)
      .sort((a, b) => a - b),
    countyId: county.id,
    categories: new Map(categories.map((c) => [c.code, c])),
    actors: new Map(),
    households: await db.household.count(),
  };
  for (const r of residents) {
    const list = org.residentsOf.get(r.villageId) ?? [];
    list.push(r);
    org.residentsOf.set(r.villageId, list);
  }
  for (const r of regions) {
    if (r.level !== 'village' || r.parentId === null) continue;
    org.villagesOf.set(
      r.parentId,
      [...(org.villagesOf.get(r.parentId) ?? []), r.id].sort((a, b) => a - b),
    );
  }
  const staff = new Set<number>();
  for (const role of roles) {
    if (role.role === 'department_handler' && role.departmentId !== null && !org.handlerOf.has(role.departmentId)) org.handlerOf.set(role.departmentId, role.personId);
    if (role.role === 'dispatcher' && !org.dispatcherAt.has(role.regionId)) org.dispatcherAt.set(role.regionId, role.personId);
    if (role.role === 'supervisor' && !org.supervisorAt.has(role.regionId)) org.supervisorAt.set(role.regionId, role.personId);
    if (role.role !== 'resident') staff.add(role.personId);
  }
  // Everyone who acts, with their roles as the pipeline reads them (outside any transaction).
  for (const id of [...residents.map((r) => r.personId), ...staff]) org.actors.set(id, await actorFor(db, id));
  return org;
}

/**
 * The location a resident shared with the `n`-th report that names a place in a village:
 * one in three, a few hundred metres from the village's point (none for a village without
 * one). Drawn from `n`, not the PRNG, so the rest of the history stays as it was.
 */
function sharedLocation(org: Organisation, villageId: number, n: number): { latitude: number; longitude: number } | undefined {
  const village = org.pointOf.get(villageId);
  if (!village || n % 3 !== 0) return undefined;
  // The golden angle spreads successive points around the village; 200–600 m out.
  const angle = n * 2.399963;
  const radius = 0.002 + (0.004 * ((n * 7919) % 101)) / 100;
  const round = (v: number) => Math.round(v * 1_000_000) / 1_000_000;
  return {
    latitude: round(village.latitude + radius * Math.sin(angle)),
    longitude: round(village.longitude + (radius * Math.cos(angle)) / Math.cos((village.latitude * Math.PI) / 180)),
  };
}

/** The dispatcher over a region: its own, or the nearest above (a village has none; its township has). */
function dispatcherOver(org: Organisation, regionId: number): number {
  for (let id: number | null | undefined = regionId; id !== null && id !== undefined; id = org.parentOf.get(id)) {
    const found = org.dispatcherAt.get(id);
    if (found !== undefined) return found;
  }
  throw new Error(`demo history: no dispatcher over region ${regionId}`);
}

// ─── Requests ─────────────────────────────────────────────────────────────────

/** The request texts of each category: the labelled messages (Chinese ones) and the written ones, with their months. */
export function demoRequestTexts(): Map<CategoryCode, { text: string; months: readonly number[] | null }[]> {
  const texts = new Map<CategoryCode, { text: string; months: readonly number[] | null }[]>(CATEGORY_CODES.map((c) => [c, []]));
  for (const message of loadLabelled()) {
    if (isRequestText(message.text) && !/[A-Za-z]{3}/.test(message.text)) texts.get(message.category)?.push({ text: message.text, months: null });
  }
  for (const code of CATEGORY_CODES) {
    for (const extra of EXTRA_REQUESTS[code]) {
      texts.get(code)?.push(typeof extra === 'string' ? { text: extra, months: null } : { text: extra.text, months: extra.months });
    }
  }
  return texts;
}

/** How likely a request is at each hour of the day (Beijing time): working hours mostly. */
const HOUR_WEIGHTS = [0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 1, 3, 6, 8, 8, 7, 4, 4, 6, 7, 7, 6, 4, 4, 4, 2.5, 1.2, 0.5];

/** Another department a dispatcher sends a wrongly dispatched request to. */
const OTHER_KIND: Readonly<Record<string, string>> = {
  transport: 'housing',
  water: 'sanitation',
  power: 'transport',
  sanitation: 'water',
  police: 'mediation',
  mediation: 'police',
  civil_affairs: 'health',
  health: 'civil_affairs',
  education: 'office',
  housing: 'office',
  agriculture: 'mediation',
  labour: 'civil_affairs',
  office: 'civil_affairs',
};

/** Categories whose handler a liaison takes up to the township more often (it needs money or a department's authority). */
const ESCALATE_FROM_VILLAGE: Readonly<Partial<Record<CategoryCode, number>>> = {
  road: 0.09,
  water: 0.07,
  power: 0.08,
  housing: 0.12,
  welfare: 0.06,
  dispute: 0.06,
  employment: 0.05,
  agriculture: 0.04,
};

/** Categories whose deadline tends to need an extension (works, mediation, reviews). */
const LONG_MATTERS: ReadonlySet<string> = new Set(['road', 'housing', 'dispute', 'agriculture', 'welfare', 'employment', 'water']);

/** Categories whose matter neighbours report too (a street light, a burst pipe): duplicates. */
const SHARED_MATTERS: ReadonlySet<string> = new Set(['road', 'water', 'power', 'sanitation', 'safety']);

/** What will become of one request, drawn when it is received; its steps follow from it. */
interface Case {
  number: string;
  resident: Resident;
  category: CategoryCode;
  /** A duplicate report: the dispatcher merges it into this ticket. */
  duplicateOf: string | null;
  withdrawEarly: boolean;
  /** The first handler sends it back 退单. */
  returns: boolean;
  /** The handler takes it up a level 上报. */
  escalates: boolean;
  asksInfo: boolean;
  /** When asked, the resident supplies it (else withdraws). */
  supplies: boolean;
  asksExtension: boolean;
  extensionApproved: boolean;
  /** The handler is away for a while before 签收. */
  slowAccept: boolean;
  progressLeft: number;
  /** Where in the time to the deadline the handler resolves (0..1), unless late. */
  pace: number;
  late: boolean;
  /** Rounds of handling: 0 the first, +1 at each reopen 重办. */
  round: number;
  returned: boolean;
  /** A department (not a liaison) sent it back: the dispatcher tries another department. */
  returnedByDepartment: boolean;
  escalated: boolean;
  infoAsked: boolean;
  extensionAsked: boolean;
  /** The dispatcher (or the level above) sent it to the handler it has now. */
  redispatched: boolean;
}

/** One thing someone does at a moment; `run` returns the earliest moment a timer it may have armed can fall due. */
interface Step {
  at: number;
  seq: number;
  run: (tx: Tx) => Promise<number>;
}

/** A binary heap of steps by time, then by the order they were planned in. */
class Agenda {
  readonly #items: Step[] = [];
  #seq = 0;

  get size(): number {
    return this.#items.length;
  }

  peek(): Step | undefined {
    return this.#items[0];
  }

  add(at: number, run: Step['run']): void {
    const items = this.#items;
    items.push({ at, seq: this.#seq++, run });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as Step, items[parent] as Step)) break;
      [items[i], items[parent]] = [items[parent] as Step, items[i] as Step];
      i = parent;
    }
  }

  pop(): Step | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || !items.length) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && before(items[l] as Step, items[m] as Step)) m = l;
      if (r < items.length && before(items[r] as Step, items[m] as Step)) m = r;
      if (m === i) break;
      [items[i], items[m]] = [items[m] as Step, items[i] as Step];
      i = m;
    }
    return top;
  }
}

function before(a: Step, b: Step): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** A clock the history sets. */
class HistoryClock implements Clock {
  #now = 0;
  now(): Date {
    return new Date(this.#now);
  }
  get ms(): number {
    return this.#now;
  }
  set(ms: number): void {
    if (ms < this.#now) throw new Error('demo history: the clock went back');
    this.#now = ms;
  }
}

/** The first day (Beijing time) of the month `months` before the month of `now`. */
export function historyStart(now: Date, months: number): Date {
  const [year, month] = localDateOf(now).split('-').map(Number) as [number, number];
  const index = year * 12 + (month - 1) - months;
  const first = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
  return localInstant(first, 0);
}

/**
 * Plays the history from the first day of the month `options.months` before the month of
 * `options.now` up to `options.now` into a database that holds the demo county (or any
 * roster with households, categories, departments and dispatchers) and no tickets yet.
 *
 * The pushes the history writes (assignment pings, progress, rating requests, overdue
 * notices…) are marked sent at the moment they were written, in one statement at the
 * end: nobody in the demo has a chat yet, so they would otherwise wait in the outbox and
 * reach whoever binds a chat first — months of old pings for a liaison, old rating
 * requests for a resident. No chat received them. Timers due after `now` stay armed: the
 * open tickets go on falling due in real time, as real ones would.
 */
export async function playDemoHistory(options: DemoHistoryOptions): Promise<DemoHistoryReport> {
  const started = performance.now();
  const { database, rules } = options;
  const { db } = database;
  const calendar = rules.calendar;
  const end = options.now.getTime();
  const from = historyStart(options.now, options.months);
  const random = new Random(options.seed ?? DEMO_HISTORY_SEED);
  const org = await loadOrganisation(database);
  const texts = demoRequestTexts();
  const clock = new HistoryClock();
  clock.set(from.getTime());
  const pipeline = new PipelineService({ db, rules, clock, ticketPrefix: options.ticketPrefix ?? 'MQ' });
  const scheduler = new Scheduler({ database, pipeline, clock, workerId: 'demo-history' });
  const agenda = new Agenda();
  const refusals: DemoHistoryReport['refusals'] = [];
  const cases = new Map<string, Case>();
  const outboxBefore = await outboxMark(db);
  // The segmenter's dictionary loads on first use: not while a transaction holds the database.
  await keywordsOf('村口的路灯坏了');
  const names = await rosterNames(db);
  for (const _ of org.residents) org.activity.push(random.logNormal(1, 0.8));

  const actor = (personId: number): Actor => {
    const found = org.actors.get(personId);
    if (!found) throw new Error(`demo history: no actor ${personId}`);
    return found;
  };

  /** Runs a command; a refusal is recorded (the history's own plan went wrong) and stops that request. */
  const run = async (tx: Tx, number: string, command: Command, by: Actor): Promise<Ticket | null> => {
    const outcome = await pipeline.executeIn(tx, number, command, by);
    if (outcome.ok) return outcome.ticket;
    refusals.push({ command: `${number} ${command.type}`, refusal: outcome.refusal });
    log.warn({ ticket: number, command: command.type, refusal: outcome.refusal }, 'demo history: a step was refused');
    return null;
  };

  // ─── Who handles a ticket now, and when they act ───

  const handlerOf = (t: Ticket): { personId: number; hours: Hours; department: boolean } => {
    const urgent = t.handlingClass === 'urgent';
    if (t.assigneeId !== null) return { personId: t.assigneeId, hours: 'village', department: false };
    const person = t.assigneeDepartmentId === null ? undefined : org.handlerOf.get(t.assigneeDepartmentId);
    if (person === undefined) throw new Error(`demo history: ${t.number} has no handler`);
    return { personId: person, hours: urgent ? 'always' : 'office', department: true };
  };

  /** Minutes until someone in `hours` gets to it: a log-normal spread around `median` minutes of those hours. */
  const delay = (hours: Hours, at: number, median: number, sigma: number): number => later(calendar, hours, at, random.logNormal(median, sigma));

  /**
   * The earliest moment a timer of `t` may fall due after a step (the machine arms an
   * overdue timer at each deadline, even a past one, and a reminder before it when that is
   * still ahead): the transaction must end before it, so the scheduler fires it on time.
   */
  const nextTimer = (t: Ticket): number => {
    const now = clock.ms;
    const remind = rules.reminderHours * HOUR;
    let earliest = Infinity;
    const consider = (deadline: Date | null) => {
      if (!deadline) return;
      const ms = deadline.getTime();
      if (remind > 0 && ms - remind > now) earliest = Math.min(earliest, ms - remind);
      earliest = Math.min(earliest, Math.max(ms, now));
    };
    const state = t.state as TicketState;
    if (state === 'dispatched' || state === 'reopened') consider(t.acceptBy);
    if (OPEN_STATES.includes(state)) consider(t.resolveBy);
    if (state === 'resolved') consider(t.callbackBy);
    return earliest;
  };

  /** Plans the next step of a request from the state the pipeline left it in. */
  const plan = (c: Case, t: Ticket): void => {
    const now = clock.ms;
    const state = t.state as TicketState;
    switch (state) {
      case 'dispatched': {
        if (c.duplicateOf !== null) {
          const into = c.duplicateOf;
          agenda.add(delay('office', now, 150, 0.8), async (tx) =>
            after(c, await run(tx, c.number, { type: 'merge', into, note: '重复反映，合并办理' }, actor(dispatcherOver(org, t.regionId)))),
          );
          return;
        }
        if (c.withdrawEarly) {
          agenda.add(delay('resident', now, 120, 1), async (tx) =>
            after(c, await run(tx, c.number, { type: 'withdraw', reason: random.pick(WITHDRAW_REASONS) }, actor(c.resident.personId))),
          );
          return;
        }
        const handler = handlerOf(t);
        if (c.returns && !c.returned) {
          c.returned = true;
          c.returnedByDepartment = handler.department;
          agenda.add(delay(handler.hours, now, 90, 1), async (tx) =>
            after(c, await run(tx, c.number, { type: 'return', reason: random.pick(RETURN_REASONS) }, actor(handler.personId))),
          );
          return;
        }
        const median = handler.department ? 75 : 40;
        let at = delay(handler.hours, now, median, 1.1);
        if (c.slowAccept && c.round === 0 && !c.redispatched) at = later(calendar, handler.hours, at, random.logNormal(1.6, 0.4) * minutesPerDay(handler.hours));
        agenda.add(at, async (tx) => after(c, await run(tx, c.number, { type: 'accept' }, actor(handler.personId))));
        return;
      }
      case 'reopened': {
        const handler = handlerOf(t);
        // Redone after a dissatisfied rating: the handler takes it up again within hours, or,
        // disagreeing with the rating, only after a day or two.
        const days = random.chance(0.2) ? random.logNormal(1.5, 0.4) : random.logNormal(0.2, 1);
        const at = later(calendar, handler.hours, now, days * minutesPerDay(handler.hours));
        agenda.add(at, async (tx) => after(c, await run(tx, c.number, { type: 'accept' }, actor(handler.personId))));
        return;
      }
      case 'accepted':
      case 'in_progress':
        planHandling(c, t);
        return;
      case 'awaiting_resident': {
        const resident = actor(c.resident.personId);
        if (c.supplies) {
          // Papers take a while: a certificate from the village, a photo of the household register.
          agenda.add(delay('resident', now, 1.5 * minutesPerDay('resident'), 0.8), async (tx) =>
            after(c, await run(tx, c.number, { type: 'supply_info', text: random.pick(INFO_SUPPLIED) }, resident)),
          );
        } else {
          agenda.add(delay('resident', now, 3 * minutesPerDay('resident'), 0.5), async (tx) =>
            after(c, await run(tx, c.number, { type: 'withdraw', reason: random.pick(WITHDRAW_REASONS) }, resident)),
          );
        }
        return;
      }
      case 'extension_requested': {
        const dispatcher = actor(dispatcherOver(org, t.handlingRegionId));
        const decide: Command = c.extensionApproved ? { type: 'approve_extension', note: '同意延期' } : { type: 'deny_extension', reason: random.pick(DENIAL_REASONS) };
        agenda.add(delay('office', now, minutesPerDay('office'), 0.8), async (tx) => after(c, await run(tx, c.number, decide, dispatcher)));
        return;
      }
      case 'returned': {
        // The dispatcher finds the right handler: the township's department for what a
        // liaison sent back, another department for what a department sent back.
        const region = t.level === 'village' ? (org.parentOf.get(t.handlingRegionId) ?? t.handlingRegionId) : t.handlingRegionId;
        const kind = org.categories.get(c.category)?.departmentKind ?? 'office';
        const target = org.departmentAt.get(`${region}|${c.returnedByDepartment ? (OTHER_KIND[kind] ?? 'office') : kind}`) ?? org.departmentAt.get(`${region}|office`);
        if (target === undefined) throw new Error(`demo history: no department at region ${region}`);
        // Most are re-dispatched within hours; one in five needs the departments to agree
        // who is responsible, settled at the township's weekly review (Monday).
        const at = random.chance(0.2) ? meeting(now, 10 * 60 + 20, (d) => weekdayOf(d) === 1) : delay('office', now, 210, 0.8);
        dispatchTo(c, t, target, at, '请按职责办理');
        return;
      }
      case 'received': {
        // Routing found nobody (not in the demo county): the township's dispatcher sends it to the department.
        const kind = org.categories.get(c.category)?.departmentKind ?? 'office';
        const target = org.departmentAt.get(`${t.handlingRegionId}|${kind}`) ?? org.departmentAt.get(`${t.handlingRegionId}|office`);
        if (target === undefined) throw new Error(`demo history: no department at region ${t.handlingRegionId}`);
        dispatchTo(c, t, target, delay('office', now, 60, 0.8), null);
        return;
      }
      case 'escalated': {
        const kind = org.categories.get(c.category)?.departmentKind ?? 'office';
        const target = org.departmentAt.get(`${t.handlingRegionId}|${kind}`) ?? org.departmentAt.get(`${t.handlingRegionId}|office`);
        if (target === undefined) throw new Error(`demo history: no department at region ${t.handlingRegionId}`);
        // The level above takes it up at its own pace (DOMAIN.md, "Escalation rhythm"): the
        // county at its weekly dispatch (Wednesday); the township within a day or two, or,
        // for one in four (money, a project), at its monthly analysis meeting (the 25th).
        const at =
          t.level === 'county'
            ? meeting(now, 9 * 60 + 30, (d) => weekdayOf(d) === 3)
            : random.chance(0.25)
              ? meeting(now, 15 * 60 + 30, isAnalysisMeetingDay)
              : delay('office', now, 1.2 * minutesPerDay('office'), 0.8);
        dispatchTo(c, t, target, at, '上级交办');
        return;
      }
      case 'resolved':
        planCallback(c, t);
        return;
      case 'callback':
      case 'closed':
      case 'withdrawn':
      case 'merged':
        return;
    }
  };

  /** The first `minutes` past midnight of a working day that `matches`, after `from`. */
  const meeting = (from: number, minutes: number, matches: (date: string) => boolean): number => {
    let date = localDateOf(new Date(from));
    for (let i = 0; i < 62; i++, date = addCalendarDays(date, 1)) {
      const at = localInstant(date, minutes).getTime();
      if (at > from && calendar.isWorkingDay(date) && matches(date)) return at;
    }
    throw new Error('demo history: no meeting day within two months');
  };
  /** The township's analysis meeting 民情分析会: the first working day on or after the 25th. */
  const isAnalysisMeetingDay = (date: string): boolean => {
    const day = Number(date.slice(8, 10));
    if (day < 25 || !calendar.isWorkingDay(date)) return false;
    for (let d = 25; d < day; d++) if (calendar.isWorkingDay(`${date.slice(0, 8)}${String(d).padStart(2, '0')}`)) return false;
    return true;
  };

  /** The dispatcher over the ticket's handling region sends it to a department at `at`. */
  const dispatchTo = (c: Case, t: Ticket, departmentId: number, at: number, note: string | null): void => {
    const dispatcher = actor(dispatcherOver(org, t.handlingRegionId));
    agenda.add(at, async (tx) => {
      c.redispatched = true;
      return after(c, await run(tx, c.number, { type: 'dispatch', target: { departmentId }, ...(note ? { note } : {}) }, dispatcher));
    });
  };

  /** The handler works on it: escalates, asks for information or time, reports progress, resolves. */
  const planHandling = (c: Case, t: Ticket): void => {
    const now = clock.ms;
    const handler = handlerOf(t);
    const by = actor(handler.personId);
    const deadline = t.resolveBy?.getTime() ?? now + 3 * DAY;
    const start = Math.min(now, t.acceptedAt?.getTime() ?? now);
    // Late by hours for an urgent matter, by part of a day for a same-day one, by a day or so otherwise.
    const lateBy = t.handlingClass === 'urgent' ? random.logNormal(240, 0.8) : random.logNormal(t.handlingClass === 'immediate' ? 0.4 : 0.8, 0.7) * minutesPerDay(handler.hours);
    let resolveAt = c.late ? later(calendar, handler.hours, Math.max(deadline, now), lateBy) : later(calendar, handler.hours, start + c.pace * Math.max(0, deadline - start), 0);
    if (resolveAt <= now) resolveAt = delay(handler.hours, now, 60, 0.8);
    const between = (share: number) => later(calendar, handler.hours, now + share * (resolveAt - now), 0);
    if (c.escalates && !c.escalated && c.round === 0 && t.level !== 'county') {
      c.escalated = true;
      agenda.add(delay(handler.hours, now, 150, 0.8), async (tx) => after(c, await run(tx, c.number, { type: 'escalate', reason: random.pick(ESCALATION_REASONS) }, by)));
      return;
    }
    if (c.asksInfo && !c.infoAsked) {
      c.infoAsked = true;
      agenda.add(between(0.2), async (tx) => after(c, await run(tx, c.number, { type: 'request_info', question: random.pick(INFO_QUESTIONS) }, by)));
      return;
    }
    if (c.asksExtension && !c.extensionAsked) {
      c.extensionAsked = true;
      const category = org.categories.get(c.category);
      const days = t.handlingClass === 'urgent' ? 12 : Math.min(10, Math.max(2, Math.round((category?.resolveDays ?? 4) / 2)));
      const at = Math.max(now, Math.min(later(calendar, handler.hours, now + 0.7 * Math.max(0, deadline - now), 0), deadline - HOUR));
      agenda.add(at, async (tx) => {
        const ticket = await run(tx, c.number, { type: 'request_extension', days, reason: random.pick(EXTENSION_REASONS) }, by);
        // Given more time, most handlers make the new deadline; refused, some miss the old one.
        c.late = c.extensionApproved ? random.chance(0.05) : random.chance(0.35);
        return after(c, ticket);
      });
      return;
    }
    if (c.progressLeft > 0) {
      const at = between(1 / (c.progressLeft + 1));
      c.progressLeft--;
      if (at < resolveAt) {
        const notes = PROGRESS_NOTES[c.category] ?? GENERAL_PROGRESS;
        agenda.add(at, async (tx) => after(c, await run(tx, c.number, { type: 'progress', note: random.pick(random.chance(0.7) ? notes : GENERAL_PROGRESS) }, by)));
        return;
      }
    }
    agenda.add(resolveAt, async (tx) => after(c, await run(tx, c.number, { type: 'resolve', result: random.pick(RESULTS[c.category] ?? RESULTS.other ?? ['已办结']) }, by)));
  };

  /** 回访: the resident rates in the chat, or the dispatcher calls, or nobody answers and the callback times out. */
  const planCallback = (c: Case, t: Ticket): void => {
    const now = clock.ms;
    const callbackBy = t.callbackBy?.getTime() ?? now + 3 * DAY;
    const resident = actor(c.resident.personId);
    const dispatcherId = dispatcherOver(org, t.handlingRegionId);
    const dispatcher = actor(dispatcherId);
    // 公示: the township's staff publish most resolved requests (not disputes), with the scrubbed summary.
    if (c.round === 0 && c.category !== 'dispute' && random.chance(0.7)) {
      agenda.add(delay('office', now, 600, 0.8), async (tx) => {
        await publishTicket(tx, t.id, dispatcherId, scrub(t.summary, names), new Date(clock.ms));
        return Infinity;
      });
    }
    const ratingOf = (round: number): Rating => {
      const weights = round === 0 ? [0.74, 0.19, 0.07] : [0.47, 0.31, 0.22];
      return (['satisfied', 'basically_satisfied', 'dissatisfied'] as const)[random.weighted(weights)] ?? 'satisfied';
    };
    const commentOf = (rating: Rating) => (random.chance(0.35) ? random.pick(RATING_COMMENTS[rating]) : undefined);
    const roll = random.next();
    if (c.round >= 2) {
      // Twice redone and still not satisfied: the callback ends without an answer.
      if (roll < 0.7) {
        const at = delay('office', now, 300, 0.6);
        if (at < callbackBy - 10 * MINUTE) {
          agenda.add(at, async (tx) => after(c, await run(tx, c.number, { type: 'close', note: '电话回访', callback: { kind: 'failed', reason: 'declined' } }, dispatcher)));
        }
      }
      return;
    }
    const inChat = c.round === 0 ? 0.8 : 0.6;
    const byPhone = inChat + (c.round === 0 ? 0.08 : 0.2);
    const failedCall = byPhone + (c.round === 0 ? 0.02 : 0);
    if (roll < inChat) {
      const at = delay('resident', now, 240, 1.3);
      if (at >= callbackBy) return;
      const rating = ratingOf(c.round);
      const solved = rating === 'dissatisfied' ? false : rating === 'basically_satisfied' ? !random.chance(0.15) : true;
      const comment = commentOf(rating);
      agenda.add(at, async (tx) => after(c, await run(tx, c.number, { type: 'rate', rating, solved, ...(comment ? { comment } : {}), via: 'chat' }, resident)));
    } else if (roll < failedCall) {
      const at = delay('office', now, 360, 0.6);
      if (at >= callbackBy - 10 * MINUTE) return;
      const answered = roll < byPhone;
      const rating = ratingOf(c.round);
      const command: Command = answered
        ? { type: 'close', note: '电话回访', callback: { kind: 'answered', rating, solved: rating !== 'dissatisfied' } }
        : { type: 'close', note: '电话回访', callback: { kind: 'failed', reason: random.chance(0.7) ? 'unreachable' : 'declined' } };
      agenda.add(at, async (tx) => after(c, await run(tx, c.number, command, dispatcher)));
    }
    // Otherwise nobody answers: the scheduler's callback timeout closes it.
  };

  /** After a step: the next one is planned; returns the earliest timer the ticket may now have armed. */
  const after = (c: Case, t: Ticket | null): number => {
    if (!t) return Infinity;
    if (t.state === 'reopened') {
      c.round++;
      c.late = random.chance(0.1);
      c.pace = 0.1 + 0.6 * random.next() ** 2;
      c.progressLeft = random.chance(0.6) ? 1 : 0;
    }
    plan(c, t);
    return nextTimer(t);
  };

  // ─── Arrivals: who reports what, when and where ───

  const monthOf = (ms: number) => Number(localDateOf(new Date(ms)).slice(5, 7));
  const pickCategory = (month: number): CategoryCode => {
    const weights = CATEGORY_CODES.map((code) => CATEGORY_WEIGHTS[code] * (CATEGORY_SEASONS[code][month] ?? 1));
    return CATEGORY_CODES[random.weighted(weights)] ?? 'other';
  };
  const pickText = (category: CategoryCode, month: number): string => {
    const pool = (texts.get(category) ?? []).filter((t) => t.months === null || t.months.includes(month));
    // A seasonal text is twice as likely in its season as an evergreen one.
    return pool[random.weighted(pool.map((t) => (t.months === null ? 1 : 2)))]?.text ?? '其他诉求';
  };

  let placedReports = 0;
  const report = async (tx: Tx, resident: Resident, category: CategoryCode, text: string, duplicateOf: string | null): Promise<number> => {
    const month = monthOf(clock.ms);
    // Where: at home mostly; a place in the home village with a landmark; another village of the township.
    const roll = random.next();
    const elsewhere = duplicateOf === null && roll < 0.12 ? (org.villagesOf.get(resident.townshipId) ?? []).filter((v) => v !== resident.villageId) : [];
    const regionId = elsewhere.length ? random.pick(elsewhere) : roll < 0.3 ? resident.villageId : undefined;
    const location = regionId === undefined ? undefined : random.chance(0.85) ? random.pick(LANDMARKS) : undefined;
    const shared = location && regionId !== undefined ? sharedLocation(org, regionId, ++placedReports) : undefined;
    const summary = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    const outcome = await pipeline.reportIn(tx, {
      residentId: resident.personId,
      categoryCode: category,
      kind: guessKind(text.normalize('NFKC').toLowerCase(), category),
      summary,
      description: text,
      ...(regionId === undefined ? {} : { regionId }),
      ...(location ? { location } : {}),
      ...(shared ?? {}),
      ...(resident.phone && random.chance(0.6) ? { contactPhone: resident.phone } : {}),
      photos: [],
      via: random.chance(0.7) ? 'wechat' : 'web',
      // The chat flow's receipt is its own reply, as when the engine reports.
      acknowledged: true,
    });
    if (!outcome.ok) {
      refusals.push({ command: 'report', refusal: outcome.refusal });
      return Infinity;
    }
    const t = outcome.ticket;
    const handlingClass = t.handlingClass;
    const long = LONG_MATTERS.has(category) && handlingClass === 'promised';
    const viaLiaison = t.assigneeId !== null;
    const c: Case = {
      number: t.number,
      resident,
      category,
      duplicateOf,
      withdrawEarly: duplicateOf === null && random.chance(0.012),
      returns: random.chance(viaLiaison ? 0.04 : 0.07),
      escalates: random.chance(viaLiaison ? (ESCALATE_FROM_VILLAGE[category] ?? 0.03) : 0.03),
      asksInfo: random.chance(['welfare', 'housing', 'employment', 'agriculture'].includes(category) ? 0.14 : 0.05),
      supplies: random.chance(0.88),
      asksExtension: random.chance(long ? 0.12 : handlingClass === 'promised' ? 0.03 : 0),
      extensionApproved: random.chance(0.8),
      slowAccept: random.chance(viaLiaison ? 0.03 : 0.05),
      progressLeft: handlingClass === 'promised' ? random.weighted([0.35, 0.45, 0.15, 0.05]) : random.chance(0.2) ? 1 : 0,
      pace: 0.05 + 0.8 * random.next() ** 2,
      late: random.chance(viaLiaison ? 0.08 : 0.12),
      round: 0,
      returned: false,
      returnedByDepartment: false,
      escalated: false,
      infoAsked: false,
      extensionAsked: false,
      redispatched: false,
    };
    cases.set(c.number, c);
    // A neighbour reports the same street light or burst pipe a little later: staff merge it.
    const standsAlone = !c.withdrawEarly && (!c.asksInfo || c.supplies);
    if (duplicateOf === null && standsAlone && SHARED_MATTERS.has(category) && random.chance(0.05)) {
      const neighbours = (org.residentsOf.get(resident.villageId) ?? []).filter((r) => r.personId !== resident.personId);
      if (neighbours.length && (regionId === undefined || regionId === resident.villageId)) {
        const neighbour = random.pick(neighbours);
        const again = random.chance(0.5) ? text : pickText(category, month);
        agenda.add(later(calendar, 'resident', clock.ms, random.logNormal(180, 1)), (inner) => report(inner, neighbour, category, again, c.number));
      }
    }
    return after(c, t);
  };

  const perDay = ((options.requestsPerHouseholdMonth ?? REQUESTS_PER_HOUSEHOLD_MONTH) * org.households * 12) / 365.25;
  for (let day = localDateOf(from); localInstant(day, 0).getTime() <= end; day = addCalendarDays(day, 1)) {
    const month = Number(day.slice(5, 7));
    const working = calendar.isWorkingDay(day);
    const count = random.poisson(perDay * (MONTH_VOLUME[month] ?? 1) * (working ? 1.1 : 0.75));
    for (let i = 0; i < count; i++) {
      const at = localInstant(day, random.weighted(HOUR_WEIGHTS) * 60 + Math.floor(random.next() * 60)).getTime() + Math.floor(random.next() * MINUTE);
      if (at < from.getTime() || at > end) continue;
      const resident = org.residents[random.weighted(org.activity)] as Resident;
      const category = pickCategory(month);
      const text = pickText(category, month);
      agenda.add(at, (tx) => report(tx, resident, category, text, null));
    }
  }

  // ─── 督办: the townships' weekly review (Monday), the analysis meeting on the 25th, the county's monthly one ───

  const review = async (tx: Tx, regionId: number, by: number, olderThanDays: number, share: number): Promise<number> => {
    const regionIds = [regionId, ...(org.villagesOf.get(regionId) ?? [])];
    const lingering = await tx.ticket.findMany({
      where: {
        state: { in: [...OPEN_STATES] },
        supervised: false,
        createdAt: { lt: new Date(clock.ms - olderThanDays * DAY) },
        ...(regionId === org.countyId ? {} : { regionId: { in: regionIds } }),
        // A township's dispatcher flags what the township handles, not what went up to the county.
        ...(org.dispatcherAt.get(regionId) === by ? { level: { not: 'county' } } : {}),
      },
      orderBy: { id: 'asc' },
      select: { number: true, state: true },
    });
    let earliest = Infinity;
    for (const t of lingering) {
      if (!random.chance(share) || !ALLOWED_FROM.supervise.includes(t.state as TicketState)) continue;
      const supervised = await run(tx, t.number, { type: 'supervise', note: random.pick(SUPERVISION_NOTES) }, actor(by));
      if (supervised) earliest = Math.min(earliest, nextTimer(supervised));
    }
    return earliest;
  };
  for (let day = localDateOf(from); localInstant(day, 0).getTime() <= end; day = addCalendarDays(day, 1)) {
    if (!calendar.isWorkingDay(day)) continue;
    const weekday = weekdayOf(day);
    for (const township of org.townships) {
      const supervisor = org.supervisorAt.get(township);
      const dispatcher = org.dispatcherAt.get(township);
      if (weekday === 1 && supervisor !== undefined)
        agenda.add(localInstant(day, 10 * 60 + 30 * org.townships.indexOf(township)).getTime(), (tx) => review(tx, township, supervisor, 7, 0.5));
      if (isAnalysisMeetingDay(day) && dispatcher !== undefined) agenda.add(localInstant(day, 15 * 60).getTime(), (tx) => review(tx, township, dispatcher, 10, 0.8));
    }
    const countySupervisor = org.supervisorAt.get(org.countyId);
    if (Number(day.slice(8, 10)) <= 7 && weekday === 3 && countySupervisor !== undefined) {
      agenda.add(localInstant(day, 9 * 60 + 45).getTime(), (tx) => review(tx, org.countyId, countySupervisor, 20, 0.6));
    }
  }

  // ─── The run: steps in time order, timers fired at their moments ───

  const earliestTimer = async (): Promise<number | null> => {
    const due = await db.timer.findFirst({ where: { firedAt: null }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], select: { dueAt: true } });
    return due ? due.dueAt.getTime() : null;
  };
  let timersFired = 0;
  let transactions = 0;
  await quietly(async () => {
    let timerAt = await earliestTimer();
    for (;;) {
      const nextAt = agenda.peek()?.at ?? Infinity;
      if (timerAt !== null && timerAt <= Math.min(nextAt, end)) {
        clock.set(Math.max(clock.ms, timerAt));
        const fired = await scheduler.fireDueTimers();
        timersFired += fired;
        const following = await earliestTimer();
        if (fired === 0 && following !== null && following <= clock.ms) throw new Error('demo history: a due timer did not fire');
        timerAt = following;
        continue;
      }
      if (nextAt > end) break;
      await transaction(db, async (tx) => {
        let limit = timerAt ?? Infinity;
        for (let n = 0; n < MAX_STEPS_PER_TRANSACTION; n++) {
          const step = agenda.peek();
          if (!step || step.at >= limit || step.at > end) break;
          agenda.pop();
          clock.set(step.at);
          limit = Math.min(limit, await step.run(tx));
        }
      });
      transactions++;
      timerAt = await earliestTimer();
    }
    clock.set(Math.max(clock.ms, end));
  });

  // Pushes: marked sent as written (see the function's comment), so none waits for a chat.
  const pushes = await deliveredAsWritten(db, outboxBefore);
  const byState = await db.ticket.groupBy({ by: ['state'], _count: { _all: true } });
  const states = Object.fromEntries(TICKET_STATES.map((s) => [s, 0])) as Record<TicketState, number>;
  for (const row of byState) states[row.state as TicketState] = row._count._all;
  const result: DemoHistoryReport = {
    from,
    to: options.now,
    tickets: cases.size,
    events: await db.ticketEvent.count(),
    timersFired,
    timersArmed: await db.timer.count({ where: { firedAt: null } }),
    pushes,
    transactions,
    states,
    refusals,
    ms: Math.round(performance.now() - started),
  };
  return result;
}
