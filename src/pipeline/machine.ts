/**
 * The acceptance pipeline as a pure state machine:
 * `transition(ticket, command, actor, now, rules)` → new ticket + events + effects, or a
 * typed refusal. No I/O, no clock of its own: the runner (service.ts) loads, persists and
 * performs the effects.
 */
import type { RegionLevel } from '../org/types.js';
import { levelAbove, levelBelow, STAFF_ROLES } from '../org/types.js';
import { callbackDeadline, deadlineConflict, extendDeadline, intakeDeadlines, resumeDeadline } from './deadlines.js';
import { maskContacts } from '../privacy.js';
import { mapLink } from './place.js';
import type {
  Actor,
  Command,
  CommandType,
  DispatchTarget,
  Effect,
  EventDraft,
  MessageAction,
  PipelineRules,
  Recipient,
  Refusal,
  TicketSnapshot,
  TransitionResult,
} from './model.js';
import { CALLBACK_FAILURES, OPEN_STATES, type Rating, TICKET_STATES, type TicketState, type TimerKind } from './states.js';
import type { TicketEventType } from './event-kinds.js';

/** The states each command may start from. */
export const ALLOWED_FROM: Record<CommandType, readonly TicketState[]> = {
  dispatch: ['received', 'returned', 'escalated', 'reopened', 'dispatched', 'accepted', 'in_progress'],
  accept: ['dispatched', 'reopened'],
  return: ['dispatched', 'accepted', 'reopened'],
  progress: ['accepted', 'in_progress'],
  request_info: ['accepted', 'in_progress'],
  supply_info: ['awaiting_resident'],
  request_extension: ['accepted', 'in_progress'],
  approve_extension: ['extension_requested'],
  deny_extension: ['extension_requested'],
  escalate: ['received', 'dispatched', 'accepted', 'in_progress', 'returned', 'escalated', 'reopened'],
  // Only while it waits for the dispatchers of the level it reached, with no handler on it.
  hand_back: ['escalated', 'returned'],
  resolve: ['accepted', 'in_progress'],
  settle: ['dispatched'],
  rate: ['resolved'],
  close: ['resolved', 'callback'],
  reopen: ['resolved', 'callback', 'closed'],
  // A resident may withdraw anything still open; supervisors may also flag a resolved one.
  withdraw: OPEN_STATES,
  supervise: [...OPEN_STATES, 'resolved'],
  // 催办 is for a matter still being handled: once resolved, the resident rates it instead.
  urge: OPEN_STATES,
  // A duplicate is merged while it is still being handled; a finished one stays as it ended.
  merge: OPEN_STATES,
  // Staff may answer the resident, or note something for colleagues, whatever the state
  // (a merged duplicate is handled, and written on, under the ticket it joined).
  reply: TICKET_STATES.filter((s) => s !== 'merged'),
  note: TICKET_STATES.filter((s) => s !== 'merged'),
  // A correction of the category, while the matter is still being handled or rated.
  recategorise: [...OPEN_STATES, 'resolved'],
  // Timers are checked against the state inside; a stale one is a no-op, not a refusal.
  timer: TICKET_STATES,
};

/** Who may issue each command (checked after the state). */
type Permission = 'assignee' | 'registrar' | 'resident' | 'dispatcher' | 'supervisor' | 'place_staff' | 'grid_leader' | 'system';

const PERMITTED: Record<CommandType, readonly Permission[]> = {
  dispatch: ['dispatcher', 'system'],
  accept: ['assignee'],
  return: ['assignee'],
  progress: ['assignee'],
  request_info: ['assignee'],
  supply_info: ['resident'],
  request_extension: ['assignee'],
  approve_extension: ['dispatcher', 'supervisor'],
  deny_extension: ['dispatcher', 'supervisor'],
  escalate: ['assignee', 'dispatcher'],
  hand_back: ['dispatcher'],
  resolve: ['assignee'],
  // 即办 happens at registration only: a later settle would count a ticket as settled on the spot that was not.
  settle: ['registrar'],
  rate: ['resident', 'dispatcher'],
  close: ['dispatcher'],
  reopen: ['dispatcher', 'supervisor'],
  withdraw: ['resident'],
  urge: ['resident'],
  // 督办 is the leadership's tool, and the township's dispatchers chase their own items too.
  supervise: ['supervisor', 'dispatcher'],
  merge: ['dispatcher', 'supervisor'],
  reply: ['dispatcher', 'supervisor', 'assignee'],
  // A note is for colleagues: staff of any level over the ticket's place may write one, so a
  // township keeps its notes on what it escalated (it still owns the place) while the
  // county handles it; answering the resident stays with the level that handles it. The
  // grid's leader 网长 follows its tickets (DOMAIN.md: sees the grid's queue) and notes what they know.
  note: ['place_staff', 'assignee', 'grid_leader'],
  recategorise: ['dispatcher', 'supervisor'],
  timer: ['system'],
};

/** Commands whose whole point is words to the resident (staff note a ticket with no resident instead). */
const TO_THE_RESIDENT: readonly CommandType[] = ['request_info', 'reply'];

/** The longest free text the pipeline keeps (reasons, notes, results). */
export const MAX_NOTE_LENGTH = 2000;
/** The longest extension one request may ask for, in days (or hours for urgent items). */
export const MAX_EXTENSION = 30;
/** 催办 at most once in this long per ticket: a second urge the same day adds nothing the handler does not know. */
export const URGE_INTERVAL_MS = 24 * 3_600_000;
/** The longest a resident waits after 受理 before 催办 is taken (see urgeableFrom). */
export const URGE_MIN_AGE_MS = 2 * 3_600_000;

/**
 * When a ticket may first be urged: half its accept window after 受理, and at most
 * URGE_MIN_AGE_MS after it. Urged a minute after filing, the handler and the dispatcher
 * would be pinged before anyone could have acted; an urgent matter (an accept window of
 * an hour or two) may be urged sooner than a promised one.
 */
export function urgeableFrom(t: Pick<TicketSnapshot, 'receivedAt' | 'acceptBy'>): Date {
  const half = t.acceptBy ? (t.acceptBy.getTime() - t.receivedAt.getTime()) / 2 : URGE_MIN_AGE_MS;
  return new Date(t.receivedAt.getTime() + Math.max(0, Math.min(half, URGE_MIN_AGE_MS)));
}

function refuse(refusal: Refusal): TransitionResult {
  return { ok: false, refusal };
}

/** Where a region sits in the ticket's path; -1 when outside it. */
function depthOf(ticket: TicketSnapshot, regionId: number): number {
  return ticket.regionPath.indexOf(regionId);
}

/** Whether the actor holds one of `roles` at a region that contains the ticket's handling region. */
function isStaffFor(ticket: TicketSnapshot, actor: Actor, roles: readonly string[]): boolean {
  if (actor.kind !== 'person') return false;
  const handlingDepth = depthOf(ticket, ticket.handlingRegionId);
  return actor.roles.some((r) => {
    if (!roles.includes(r.role)) return false;
    const depth = depthOf(ticket, r.regionId);
    return depth >= 0 && depth <= handlingDepth;
  });
}

/** Whether the actor holds a staff role (dispatcher, supervisor, admin) at a region that contains the ticket's place, whatever level handles it. */
function isPlaceStaff(ticket: TicketSnapshot, actor: Actor): boolean {
  return actor.kind === 'person' && actor.roles.some((r) => STAFF_ROLES.includes(r.role) && depthOf(ticket, r.regionId) >= 0);
}

/** Whether the actor is the ticket's handler: the assigned person, or staff of the assigned department. */
export function isAssignee(ticket: TicketSnapshot, actor: Actor): boolean {
  if (actor.kind !== 'person') return false;
  if (ticket.assigneeId !== null && ticket.assigneeId === actor.personId) return true;
  return ticket.assigneeDepartmentId !== null && actor.roles.some((r) => r.role === 'department_handler' && r.departmentId === ticket.assigneeDepartmentId);
}

/** Whether `actor` is the resident the ticket answers (a ticket with no resident has none). */
function isResident(ticket: TicketSnapshot, actor: Actor): boolean {
  return ticket.hasResident && actor.kind === 'person' && actor.personId === ticket.residentId;
}

/** Whether the actor leads the grid `gridId` (网长). */
function leadsGrid(actor: Actor, gridId: number | null): boolean {
  return actor.kind === 'person' && gridId !== null && actor.roles.some((r) => r.role === 'grid_leader' && r.gridId === gridId);
}

/**
 * Whether `actor` may know that `ticket` exists: its resident, its handler, staff of a
 * region that contains it, the leader of its grid (`gridId`), or the system. Anyone else
 * is answered as if there were no such ticket, so numbers cannot be probed.
 */
export function mayKnow(ticket: TicketSnapshot, gridId: number | null, actor: Actor): boolean {
  if (actor.kind === 'system') return true;
  if (isResident(ticket, actor) || isAssignee(ticket, actor)) return true;
  return isPlaceStaff(ticket, actor) || leadsGrid(actor, gridId);
}

/** Whether `actor` may issue `command` on `ticket` (state aside). */
export function isPermitted(ticket: TicketSnapshot, command: CommandType, actor: Actor): boolean {
  // 补充材料 asks the resident and 答复群众 answers them: a ticket with no resident to answer has nobody to address.
  if (TO_THE_RESIDENT.includes(command) && !ticket.hasResident) return false;
  return PERMITTED[command].some((p) => {
    switch (p) {
      case 'system':
        return actor.kind === 'system';
      case 'assignee':
        return isAssignee(ticket, actor);
      case 'registrar':
        // Registered as 即办, and not reopened since (a reopened ticket goes back to being handled).
        return ticket.settledOnTheSpot && ticket.reopenCount === 0 && isAssignee(ticket, actor);
      case 'resident':
        return isResident(ticket, actor);
      case 'dispatcher':
        return isStaffFor(ticket, actor, ['dispatcher', 'admin']);
      case 'place_staff':
        return isPlaceStaff(ticket, actor);
      case 'grid_leader':
        return leadsGrid(actor, ticket.gridId);
      case 'supervisor':
        // Supervisors oversee their whole region, whatever level handles the ticket now.
        return actor.kind === 'person' && actor.roles.some((r) => (r.role === 'supervisor' || r.role === 'admin') && depthOf(ticket, r.regionId) >= 0);
    }
    return false;
  });
}

/** A short text field must be present and not too long. */
function checkText(field: string, value: string | undefined, required: boolean): Refusal | null {
  const text = value?.trim() ?? '';
  if (required && !text) return { code: 'invalid', field, reason: 'required' };
  if (text.length > MAX_NOTE_LENGTH) return { code: 'invalid', field, reason: 'too_long' };
  return null;
}

function validate(command: Command): Refusal | null {
  switch (command.type) {
    case 'return':
    case 'deny_extension':
    case 'escalate':
    case 'hand_back':
    case 'reopen':
      return checkText('reason', command.reason, true);
    case 'progress':
      return checkText('note', command.note, !command.photos?.length);
    case 'supervise':
      return checkText('note', command.note, true);
    case 'request_info':
      return checkText('question', command.question, true);
    case 'supply_info':
      return checkText('text', command.text, !command.photos?.length);
    case 'resolve':
    case 'settle':
      return checkText('result', command.result, true);
    case 'request_extension':
      if (!Number.isInteger(command.days) || command.days < 1 || command.days > MAX_EXTENSION) {
        return { code: 'invalid', field: 'days', reason: 'out_of_range' };
      }
      return checkText('reason', command.reason, true);
    case 'approve_extension':
      if (command.days !== undefined && (!Number.isInteger(command.days) || command.days < 1 || command.days > MAX_EXTENSION)) {
        return { code: 'invalid', field: 'days', reason: 'out_of_range' };
      }
      return checkText('note', command.note, false);
    case 'rate':
      return checkText('comment', command.comment, false);
    case 'withdraw':
      return checkText('reason', command.reason, false);
    case 'close': {
      const callback = command.callback;
      // The type says which reasons there are; a form or a replayed payload may still say another.
      if (callback?.kind === 'failed' && !(CALLBACK_FAILURES as readonly string[]).includes(callback.reason)) {
        return { code: 'invalid', field: 'callback', reason: 'out_of_range' };
      }
      return checkText('note', command.note, false) ?? (callback?.kind === 'answered' ? checkText('comment', callback.comment, false) : null);
    }
    case 'dispatch':
      return checkText('note', command.note, false);
    case 'merge':
      return checkText('into', command.into, true) ?? checkText('note', command.note, false);
    case 'reply':
    case 'note':
      return checkText('text', command.text, true);
    case 'recategorise':
      return checkText('category', command.categoryCode, true) ?? checkText('note', command.note, false);
    case 'accept':
    case 'urge':
    case 'timer':
      return null;
  }
}

/** Builds the result of one transition step by step. */
class Step {
  readonly events: EventDraft[] = [];
  readonly effects: Effect[] = [];
  ticket: TicketSnapshot;

  constructor(
    ticket: TicketSnapshot,
    readonly now: Date,
    readonly rules: PipelineRules,
  ) {
    this.ticket = { ...ticket };
  }

  /** Records an event and moves the ticket to `to`. */
  move(type: TicketEventType, to: TicketState, data: Record<string, unknown> = {}): void {
    this.events.push({ type, fromState: this.ticket.state, toState: to, data });
    this.ticket.state = to;
  }

  notify(to: Recipient, template: string, params: Record<string, string | number | null> = {}, actions?: MessageAction[]): void {
    // The resident's own words go back to them as written; anyone else gets them with
    // phone and ID numbers masked (the handler's ping carries the contact phone on its own).
    const toResident = this.ticket.hasResident && 'personId' in to && to.personId === this.ticket.residentId;
    const base = { number: this.ticket.number, summary: toResident ? this.ticket.summary : maskContacts(this.ticket.summary) };
    this.effects.push({ type: 'notify', to, template, params: { ...base, ...params }, ...(actions ? { actions } : {}) });
  }

  /**
   * Marks params of the notification just added as the resident's words: the runner
   * scrubs them with the roster's names (src/privacy.ts scrub), which this pure step cannot read.
   */
  scrubbing(...fields: string[]): void {
    const last = this.effects.at(-1);
    if (last?.type === 'notify') last.scrub = fields;
  }

  /** Forwards photos (channel handles) with the notification just added. */
  withMedia(photos: string[] | undefined): void {
    const last = this.effects.at(-1);
    if (last?.type === 'notify' && photos?.length) last.media = photos;
  }

  /** Tells the resident; a ticket with no resident to answer tells nobody (not the staff member on its `residentId`). */
  notifyResident(template: string, params: Record<string, string | number | null> = {}, actions?: MessageAction[]): void {
    if (!this.ticket.hasResident) return;
    this.notify({ personId: this.ticket.residentId }, template, params, actions);
  }

  /** The handler: the assigned person, or the staff of the assigned department. */
  notifyHandler(template: string, params: Record<string, string | number | null> = {}, actions?: MessageAction[]): void {
    const t = this.ticket;
    if (t.assigneeId !== null) this.notify({ personId: t.assigneeId }, template, params, actions);
    else if (t.assigneeDepartmentId !== null) this.notify({ departmentId: t.assigneeDepartmentId }, template, params, actions);
  }

  hasHandler(): boolean {
    return this.ticket.assigneeId !== null || this.ticket.assigneeDepartmentId !== null;
  }

  notifyDispatchers(template: string, params: Record<string, string | number | null> = {}): void {
    this.notify({ role: 'dispatcher', regionId: this.ticket.handlingRegionId }, template, params);
  }

  notifySupervisors(template: string, params: Record<string, string | number | null> = {}): void {
    this.notify({ role: 'supervisor', regionId: this.ticket.handlingRegionId }, template, params);
  }

  setTimer(kind: TimerKind, dueAt: Date | null): void {
    if (dueAt) this.effects.push({ type: 'set_timer', kind, dueAt });
  }

  cancelTimers(...kinds: TimerKind[]): void {
    this.effects.push({ type: 'cancel_timers', kinds });
  }

  /** Reminder shortly before a deadline, when that moment is still ahead. */
  remindBefore(kind: 'accept_reminder' | 'resolve_reminder', deadline: Date | null): void {
    if (!deadline || this.rules.reminderHours <= 0) return;
    const at = new Date(deadline.getTime() - this.rules.reminderHours * 3_600_000);
    if (at > this.now) this.setTimer(kind, at);
  }

  /** Starts the handling clock afresh (reopen: the resident is told the new deadline). */
  startClock(): void {
    const { acceptBy, resolveBy } = intakeDeadlines(this.rules.calendar, this.ticket.policy, this.now, this.rules.officeHours);
    this.ticket.acceptBy = acceptBy;
    this.ticket.resolveBy = resolveBy;
    this.ticket.overdue = false;
    this.cancelTimers('accept_reminder', 'accept_overdue', 'resolve_reminder', 'resolve_overdue', 'callback_timeout');
    this.armTimers();
  }

  /** Timers for the deadlines the ticket has now. */
  armTimers(): void {
    const t = this.ticket;
    if (t.state === 'dispatched' || t.state === 'reopened') {
      this.remindBefore('accept_reminder', t.acceptBy);
      this.setTimer('accept_overdue', t.acceptBy);
    }
    this.remindBefore('resolve_reminder', t.resolveBy);
    this.setTimer('resolve_overdue', t.resolveBy);
  }

  result(): TransitionResult {
    return { ok: true, ticket: this.ticket, events: this.events, effects: this.effects };
  }
}

/** The buttons of an assignment ping. */
function assignmentActions(number: string): MessageAction[] {
  return [
    { label: 'action.accept', payload: `accept:${number}` },
    { label: 'action.return', payload: `return:${number}` },
  ];
}

/** The buttons of a rating request. */
export function ratingActions(number: string): MessageAction[] {
  return [
    { label: 'rating.satisfied', payload: `rate:${number}:satisfied` },
    { label: 'rating.basically_satisfied', payload: `rate:${number}:basically_satisfied` },
    { label: 'rating.dissatisfied', payload: `rate:${number}:dissatisfied` },
  ];
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/**
 * The 签收 deadline a dispatch made at `now` gives: a fresh window to accept (the handling deadline stays, see
 * apply's dispatch). The console warns with it before a dispatch whose deadline is passed or earlier.
 */
export function dispatchAcceptBy(t: Pick<TicketSnapshot, 'policy'>, rules: PipelineRules, now: Date): Date {
  return intakeDeadlines(rules.calendar, t.policy, now, rules.officeHours).acceptBy;
}

/** Points the ticket at a new handler and pings them. */
function assign(step: Step, target: DispatchTarget, eventType: 'dispatched' | 'reassigned', data: Record<string, unknown>): void {
  const t = step.ticket;
  const previous = t.assigneeId;
  if ('personId' in target) {
    t.assigneeId = target.personId;
    t.assigneeDepartmentId = null;
  } else {
    t.assigneeId = null;
    t.assigneeDepartmentId = target.departmentId;
  }
  step.move(eventType, 'dispatched', { ...data, target });
  if (previous !== null && previous !== t.assigneeId) step.notify({ personId: previous }, 'ticket.reassigned_away');
  // The handler learns where to go and whom to call: the place, a map link, the photos,
  // the resident's phone in full (they must call back) and the dispatcher's note.
  const note = typeof data['note'] === 'string' ? data['note'] : null;
  // A deadline already passed or earlier than the window to accept (a re-dispatch after 退单) is said in the ping.
  const warning = deadlineConflict(t.resolveBy, t.acceptBy, step.now);
  step.notifyHandler(
    'ticket.assigned',
    { acceptBy: iso(t.acceptBy), resolveBy: iso(t.resolveBy), ...caseFacts(t), note, ...(warning ? { warning } : {}) },
    assignmentActions(t.number),
  );
  step.withMedia(t.media);
}

/** What a handler needs to act: the category, the place and its map link, the resident's phone. */
function caseFacts(t: TicketSnapshot): Record<string, string | null> {
  return { category: t.categoryCode, place: t.place, map: mapLink(t.latitude, t.longitude), phone: t.contactPhone };
}

function handleTimer(step: Step, kind: TimerKind): void {
  const t = step.ticket;
  const awaitingAccept = t.state === 'dispatched' || t.state === 'reopened';
  const handling = ['accepted', 'in_progress', 'extension_requested'].includes(t.state) || awaitingAccept;
  switch (kind) {
    case 'accept_reminder':
      if (!awaitingAccept) return;
      step.move('reminder', t.state, { kind });
      step.notifyHandler('ticket.accept_reminder', { acceptBy: iso(t.acceptBy) }, assignmentActions(t.number));
      return;
    case 'accept_overdue':
      if (!awaitingAccept) return;
      step.move('overdue', t.state, { kind });
      step.notifyHandler('ticket.accept_overdue', { acceptBy: iso(t.acceptBy) }, assignmentActions(t.number));
      step.notifySupervisors('ticket.overdue_supervisor', { deadline: iso(t.acceptBy), what: 'accept' });
      return;
    case 'resolve_reminder':
      if (!handling) return;
      step.move('reminder', t.state, { kind });
      step.notifyHandler('ticket.resolve_reminder', { resolveBy: iso(t.resolveBy) });
      return;
    case 'resolve_overdue':
      if (!handling && t.state !== 'received' && t.state !== 'returned' && t.state !== 'escalated') return;
      t.overdue = true;
      t.supervised = true;
      step.move('overdue', t.state, { kind });
      step.notifyHandler('ticket.resolve_overdue', { resolveBy: iso(t.resolveBy) });
      step.notifySupervisors('ticket.overdue_supervisor', { deadline: iso(t.resolveBy), what: 'resolve' });
      return;
    case 'callback_timeout':
      if (t.state !== 'resolved') return;
      step.move('callback_timeout', 'callback', { callbackBy: iso(t.callbackBy) });
      t.closedAt = step.now;
      step.move('closed', 'closed', { reason: 'callback_timeout' });
      return;
  }
}

/**
 * 办结: the result goes to the resident with the rating request, and the callback clock
 * starts. A ticket with no resident to answer has nobody to call back: it is archived 归档
 * in the same step, unrated, as a callback that ended without an answer is.
 */
function resolve(step: Step, result: string, photos: string[], data: Record<string, unknown>): void {
  const t = step.ticket;
  const now = step.now;
  t.resolvedAt = now;
  step.move('resolved', 'resolved', { result: result.trim(), photos, onTime: t.resolveBy === null || now <= t.resolveBy, ...data });
  step.cancelTimers('accept_reminder', 'accept_overdue', 'resolve_reminder', 'resolve_overdue');
  if (!t.hasResident) {
    t.closedAt = now;
    step.move('closed', 'closed', { reason: 'no_resident' });
    return;
  }
  t.callbackBy = callbackDeadline(step.rules.calendar, now, step.rules.callbackDays, step.rules.officeHours);
  step.setTimer('callback_timeout', t.callbackBy);
  step.notifyResident('ticket.resolved_resident', { result: result.trim(), callbackBy: iso(t.callbackBy) }, ratingActions(t.number));
  step.withMedia(photos);
}

function apply(step: Step, command: Command, actor: Actor): Refusal | null {
  const t = step.ticket;
  const now = step.now;
  const rules = step.rules;
  switch (command.type) {
    case 'dispatch': {
      const first = t.state === 'received' || t.state === 'returned' || t.state === 'escalated';
      // The new handler gets a fresh window to accept. The handling deadline stays: it was
      // promised to the resident at intake (承诺件), and neither a return nor an escalation
      // tells them of a new one. It moves only by a pause for the resident or an approved
      // 延期 (both recorded and told); the new handler asks for one if they need more time.
      t.acceptBy = dispatchAcceptBy(t, rules, now);
      assign(step, command.target, first ? 'dispatched' : 'reassigned', { note: command.note?.trim() || null });
      step.cancelTimers('accept_reminder', 'accept_overdue', 'resolve_reminder', 'resolve_overdue');
      step.armTimers();
      return null;
    }
    case 'accept':
      t.acceptedAt = now;
      step.move('accepted', 'accepted', { late: t.acceptBy !== null && now > t.acceptBy });
      step.cancelTimers('accept_reminder', 'accept_overdue');
      step.notifyResident('ticket.accepted_resident', { resolveBy: iso(t.resolveBy) });
      return null;
    case 'return': {
      const by = t.assigneeId;
      t.returnCount += 1;
      t.assigneeId = null;
      t.assigneeDepartmentId = null;
      step.move('returned', 'returned', { reason: command.reason.trim(), by });
      step.cancelTimers('accept_reminder', 'accept_overdue');
      step.notifyDispatchers('ticket.returned_dispatcher', { reason: command.reason.trim() });
      return null;
    }
    case 'progress':
      step.move('progress', 'in_progress', { note: command.note.trim(), photos: command.photos ?? [] });
      step.notifyResident('ticket.progress_resident', { note: command.note.trim(), photos: (command.photos ?? []).length });
      step.withMedia(command.photos);
      return null;
    case 'request_info':
      t.pausedAt = now;
      t.resumeState = 'in_progress';
      step.move('info_requested', 'awaiting_resident', { question: command.question.trim() });
      step.cancelTimers('resolve_reminder', 'resolve_overdue');
      step.notifyResident('ticket.info_requested_resident', { question: command.question.trim() }, [{ label: 'action.supply_info', payload: `supply:${t.number}` }]);
      return null;
    case 'supply_info': {
      const pausedAt = t.pausedAt ?? now;
      if (t.resolveBy) t.resolveBy = resumeDeadline(rules.calendar, t.policy, t.resolveBy, pausedAt, now, rules.officeHours);
      const to = t.resumeState ?? 'in_progress';
      t.pausedAt = null;
      t.resumeState = null;
      step.move('info_supplied', to, { text: command.text.trim(), photos: command.photos ?? [], pausedMs: now.getTime() - pausedAt.getTime() });
      step.armTimers();
      step.notifyHandler('ticket.info_supplied_handler', { text: command.text.trim(), resolveBy: iso(t.resolveBy) });
      step.withMedia(command.photos);
      return null;
    }
    case 'request_extension':
      t.resumeState = t.state;
      t.extensionDays = command.days;
      step.move('extension_requested', 'extension_requested', { days: command.days, reason: command.reason.trim() });
      step.notifyDispatchers('ticket.extension_requested_dispatcher', { days: command.days, reason: command.reason.trim() });
      return null;
    case 'approve_extension': {
      const days = command.days ?? t.extensionDays ?? 0;
      if (!days) return { code: 'invalid', field: 'days', reason: 'required' };
      const before = t.resolveBy;
      if (t.resolveBy) t.resolveBy = extendDeadline(rules.calendar, t.policy, t.resolveBy, days, rules.officeHours);
      t.extensionCount += 1;
      t.extensionDays = null;
      t.overdue = false;
      const to = t.resumeState ?? 'in_progress';
      t.resumeState = null;
      step.move('extension_approved', to, { days, from: iso(before), to: iso(t.resolveBy), note: command.note ?? null });
      step.cancelTimers('resolve_reminder', 'resolve_overdue');
      step.armTimers();
      step.notifyHandler('ticket.extension_approved_handler', { resolveBy: iso(t.resolveBy) });
      step.notifyResident('ticket.extension_approved_resident', { resolveBy: iso(t.resolveBy) });
      return null;
    }
    case 'deny_extension': {
      const to = t.resumeState ?? 'in_progress';
      t.resumeState = null;
      t.extensionDays = null;
      step.move('extension_denied', to, { reason: command.reason.trim() });
      step.notifyHandler('ticket.extension_denied_handler', { reason: command.reason.trim(), resolveBy: iso(t.resolveBy) });
      return null;
    }
    case 'escalate': {
      const depth = depthOf(t, t.handlingRegionId);
      const upId = depth > 0 ? t.regionPath[depth - 1] : undefined;
      const upLevel = levelAbove(t.level);
      if (upId === undefined || upLevel === null) return { code: 'no_level_above' };
      const from = { regionId: t.handlingRegionId, level: t.level };
      const previous = t.assigneeId;
      t.handlingRegionId = upId;
      t.level = upLevel;
      t.assigneeId = null;
      t.assigneeDepartmentId = null;
      t.escalationCount += 1;
      step.move('escalated', 'escalated', { reason: command.reason.trim(), from, to: { regionId: upId, level: upLevel } });
      step.cancelTimers('accept_reminder', 'accept_overdue');
      step.notifyDispatchers('ticket.escalated_dispatcher', { reason: command.reason.trim(), level: upLevel });
      step.notifyResident('ticket.escalated_resident', { level: upLevel });
      if (previous !== null && actor.kind === 'person' && actor.personId !== previous) {
        step.notify({ personId: previous }, 'ticket.reassigned_away');
      }
      return null;
    }
    case 'hand_back': {
      const depth = depthOf(t, t.handlingRegionId);
      const downId = t.regionPath[depth + 1];
      const downLevel = levelBelow(t.level);
      // A village has no dispatchers: below the township, handing down is dispatching to a liaison.
      if (downId === undefined || downLevel === null || downLevel === 'village') return { code: 'no_level_below' };
      const from = { regionId: t.handlingRegionId, level: t.level };
      t.handlingRegionId = downId;
      t.level = downLevel;
      // Waiting for the township's dispatchers again, as after a 退单; the resident's clock runs on.
      step.move('handed_back', 'returned', { reason: command.reason.trim(), from, to: { regionId: downId, level: downLevel } });
      step.cancelTimers('accept_reminder', 'accept_overdue');
      step.notifyDispatchers('ticket.handed_back_dispatcher', { reason: command.reason.trim(), level: from.level });
      step.notifyResident('ticket.handed_back_resident', { level: downLevel });
      return null;
    }
    case 'resolve':
      resolve(step, command.result, command.photos ?? [], {});
      return null;
    case 'settle':
      // Accepted and resolved at the same instant; the resident hears only the result.
      t.acceptedAt = now;
      step.move('accepted', 'accepted', { late: false, onTheSpot: true });
      resolve(step, command.result, [], { onTheSpot: true });
      return null;
    case 'rate':
      answerCallback(step, { rating: command.rating, solved: command.solved, comment: command.comment, via: command.via ?? 'chat', note: null });
      return null;
    case 'close': {
      const note = command.note?.trim() || null;
      if (t.rating !== null) {
        // Rated already: the callback is done, only the archiving is left.
        t.closedAt = now;
        step.move('closed', 'closed', { reason: 'staff', note });
        step.cancelTimers('callback_timeout');
        step.notifyResident('ticket.closed_resident', { rating: t.rating });
        return null;
      }
      // 回访 before 归档: whoever closes says what the callback came to.
      const callback = command.callback;
      if (!callback) return { code: 'callback_required' };
      if (callback.kind === 'answered') {
        answerCallback(step, { rating: callback.rating, solved: callback.solved, comment: callback.comment, via: 'phone', note });
      } else {
        // Ends as the scheduler's callback timeout does, so that every figure treats both
        // alike: no rating, counted in no resolution or satisfaction rate.
        step.move('callback_timeout', 'callback', { callbackBy: iso(t.callbackBy), declaredBy: 'staff', reason: callback.reason, note });
        step.cancelTimers('callback_timeout');
        t.closedAt = now;
        step.move('closed', 'closed', { reason: 'callback_timeout' });
        step.notifyResident('ticket.closed_unrated_resident', { callback: callback.reason });
      }
      return null;
    }
    case 'reopen':
      reopen(step, command.reason.trim());
      return null;
    case 'withdraw':
      t.closedAt = now;
      step.move('withdrawn', 'withdrawn', { reason: command.reason?.trim() ?? null });
      step.cancelTimers('accept_reminder', 'accept_overdue', 'resolve_reminder', 'resolve_overdue', 'callback_timeout');
      step.notifyHandler('ticket.withdrawn_handler');
      step.notifyResident('ticket.withdrawn_resident');
      return null;
    case 'supervise':
      t.supervised = true;
      step.move('supervised', t.state, { note: command.note.trim() });
      if (step.hasHandler()) step.notifyHandler('ticket.supervised_handler', { note: command.note.trim() });
      else step.notifyDispatchers('ticket.supervised_handler', { note: command.note.trim() });
      return null;
    case 'urge': {
      const from = urgeableFrom(t);
      if (now < from) return { code: 'too_early_to_urge', from };
      if (t.urgedAt !== null && now.getTime() - t.urgedAt.getTime() < URGE_INTERVAL_MS) return { code: 'recently_urged', at: t.urgedAt };
      t.urgeCount += 1;
      t.urgedAt = now;
      step.move('urged', t.state, { count: t.urgeCount });
      // The handler (once there is one) and the dispatcher who placed it both hear of it, as in 12345 practice.
      const params = { count: t.urgeCount, state: t.state, resolveBy: iso(t.resolveBy) };
      if (step.hasHandler()) step.notifyHandler('ticket.urged_handler', params);
      step.notifyDispatchers('ticket.urged_dispatcher', params);
      return null;
    }
    case 'merge': {
      const into = command.into.trim();
      if (into === t.number) return { code: 'invalid', field: 'into', reason: 'same_ticket' };
      t.closedAt = now;
      step.move('merged', 'merged', { into, note: command.note?.trim() || null });
      step.cancelTimers('accept_reminder', 'accept_overdue', 'resolve_reminder', 'resolve_overdue', 'callback_timeout');
      if (step.hasHandler()) step.notifyHandler('ticket.merged_handler', { into });
      step.notifyResident('ticket.merged_resident', { into });
      return null;
    }
    case 'reply':
      step.move('replied', t.state, { text: command.text.trim() });
      step.notifyResident('ticket.reply_resident', { text: command.text.trim() });
      return null;
    case 'note':
      step.move('noted', t.state, { text: command.text.trim() });
      return null;
    case 'recategorise': {
      const to = command.categoryCode.trim();
      if (to === t.categoryCode) return { code: 'invalid', field: 'category', reason: 'unchanged' };
      step.move('recategorised', t.state, { from: t.categoryCode, to, note: command.note?.trim() || null });
      t.categoryCode = to;
      return null;
    }
    case 'timer':
      handleTimer(step, command.kind);
      return null;
  }
}

/** A callback answer 回访, from the resident in chat or taken by staff on the phone. */
interface CallbackAnswer {
  rating: Rating;
  solved: boolean | undefined;
  comment: string | undefined;
  via: 'chat' | 'phone';
  /** Staff's own note on the call (not the resident's words); kept only when given. */
  note: string | null;
}

/** Records a callback answer: 满意 and 基本满意 archive the ticket, 不满意 reopens it 重办. */
function answerCallback(step: Step, answer: CallbackAnswer): void {
  const t = step.ticket;
  const solved = answer.solved ?? answer.rating !== 'dissatisfied';
  t.rating = answer.rating;
  t.solved = solved;
  step.move('callback', 'callback', {
    rating: answer.rating,
    solved,
    comment: answer.comment?.trim() ?? null,
    via: answer.via,
    ...(answer.note ? { note: answer.note } : {}),
  });
  step.cancelTimers('callback_timeout');
  if (answer.rating === 'dissatisfied') {
    // What the resident said is what is to be redone: the handler reads it in the 重办 ping.
    reopen(step, 'dissatisfied', answer.comment?.trim() || null);
  } else {
    t.closedAt = step.now;
    step.move('closed', 'closed', { reason: 'rated' });
    // A resident who rated in chat is thanked there, in the same breath (a second "thank
    // you" pushed after it was one too many); one rated on the phone hears it this way.
    if (answer.via !== 'chat') step.notifyResident('ticket.closed_resident', { rating: answer.rating });
  }
}

/** 重办: back to the last handler (or the dispatchers) with a fresh clock; `comment`, the dissatisfied resident's words. */
function reopen(step: Step, reason: string, comment: string | null = null): void {
  const t = step.ticket;
  t.reopenCount += 1;
  t.resolvedAt = null;
  t.closedAt = null;
  t.callbackBy = null;
  t.rating = null;
  t.solved = null;
  step.move('reopened', 'reopened', { reason });
  step.startClock();
  if (step.hasHandler()) {
    step.notifyHandler('ticket.reopened_handler', { reason, comment, acceptBy: iso(t.acceptBy), resolveBy: iso(t.resolveBy), ...caseFacts(t) }, assignmentActions(t.number));
  } else {
    step.notifyDispatchers('ticket.reopened_handler', { reason, comment, acceptBy: iso(t.acceptBy), resolveBy: iso(t.resolveBy) });
  }
  step.scrubbing('comment');
  step.notifyResident('ticket.reopened_resident', { resolveBy: iso(t.resolveBy) });
}

/**
 * Applies `command` by `actor` to `ticket` at `now`.
 * Refuses, changing nothing, when the actor may not issue the command, the state does
 * not allow it, or its input is invalid (checked in that order).
 */
export function transition(ticket: TicketSnapshot, command: Command, actor: Actor, now: Date, rules: PipelineRules): TransitionResult {
  // Permission before state: someone who may not act is not told what state the ticket is in.
  if (!isPermitted(ticket, command.type, actor)) return refuse({ code: 'not_allowed', command: command.type });
  if (!ALLOWED_FROM[command.type].includes(ticket.state)) {
    return refuse({ code: 'wrong_state', command: command.type, state: ticket.state });
  }
  const invalid = validate(command);
  if (invalid) return refuse(invalid);
  const step = new Step(ticket, now, rules);
  const refusal = apply(step, command, actor);
  return refusal ? refuse(refusal) : step.result();
}

/** A new request as the resident gave it, before routing. */
export interface IntakeDraft {
  number: string;
  kind: TicketSnapshot['kind'];
  categoryCode: string;
  policy: TicketSnapshot['policy'];
  summary: string;
  residentId: number;
  hasResident: boolean;
  regionPath: number[];
  gridId: number | null;
  place: string | null;
  contactPhone: string | null;
  media: string[];
  latitude: number | null;
  longitude: number | null;
}

/** Where routing sent a new request (see routing.ts). */
export interface RouteDecision {
  target: DispatchTarget | null;
  handlingRegionId: number;
  level: RegionLevel;
  /** on_the_spot: staff registering it settle it themselves (即办); routing is skipped. */
  via: 'pairing' | 'grid_leader' | 'department' | 'none' | 'on_the_spot';
}

/**
 * 受理: registers a new request and, when routing found a handler, dispatches it (派单)
 * in the same step. Without a handler it waits, received, for the dispatchers.
 */
export function intake(draft: IntakeDraft, route: RouteDecision, now: Date, rules: PipelineRules): TransitionResult {
  const summary = checkText('summary', draft.summary, true);
  if (summary) return refuse(summary);
  const ticket: TicketSnapshot = {
    ...draft,
    summary: draft.summary.trim(),
    state: 'received',
    handlingRegionId: route.handlingRegionId,
    level: route.level,
    assigneeId: null,
    assigneeDepartmentId: null,
    acceptBy: null,
    resolveBy: null,
    callbackBy: null,
    pausedAt: null,
    resumeState: null,
    extensionDays: null,
    supervised: false,
    overdue: false,
    returnCount: 0,
    escalationCount: 0,
    reopenCount: 0,
    extensionCount: 0,
    receivedAt: now,
    urgeCount: 0,
    urgedAt: null,
    rating: null,
    solved: null,
    acceptedAt: null,
    resolvedAt: null,
    closedAt: null,
    settledOnTheSpot: route.via === 'on_the_spot',
  };
  const step = new Step(ticket, now, rules);
  step.events.push({ type: 'received', fromState: null, toState: 'received', data: { via: route.via } });
  const { acceptBy, resolveBy } = intakeDeadlines(rules.calendar, ticket.policy, now, rules.officeHours);
  step.ticket.acceptBy = acceptBy;
  step.ticket.resolveBy = resolveBy;
  if (route.target) {
    assign(step, route.target, 'dispatched', { via: route.via });
    // The resident reported; routing, not the resident, dispatched.
    const dispatched = step.events.at(-1);
    if (dispatched) dispatched.by = 'system';
  } else {
    step.notifyDispatchers('ticket.received_dispatcher');
  }
  step.armTimers();
  step.notifyResident('ticket.received_resident', { resolveBy: iso(step.ticket.resolveBy) });
  return step.result();
}
