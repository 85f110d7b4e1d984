/**
 * The values the pure pipeline works on: a ticket snapshot, an actor, a command, and
 * what a transition produces (events to record, effects to perform) or a refusal.
 */
import type { RegionLevel, Role } from '../org/types.js';
import type { AssistanceLimits } from '../assistance/machine.js';
import type { WorkCalendar } from './calendar.js';
import type { DeadlinePolicy, OfficeHours } from './deadlines.js';
import type { CallbackFailure, Rating, RequestKind, TicketState, TimerKind } from './states.js';
import type { TicketEventType } from './event-kinds.js';

/** Everything the state machine needs to know about a ticket. */
export interface TicketSnapshot {
  number: string;
  state: TicketState;
  kind: RequestKind;
  categoryCode: string;
  policy: DeadlinePolicy;
  summary: string;
  residentId: number;
  /**
   * Whether there is a resident to answer (src/pipeline/requester.ts): false for work staff
   * gave themselves (a meeting's decision), whose `residentId` is the staff member who
   * recorded it. Such a ticket pushes nothing to them, and closes at 办结 with no 回访.
   */
  hasResident: boolean;
  /** Where it is, as the handler reads it: the village and what the resident said (东湖村 村口大槐树旁边). */
  place: string | null;
  /** The phone the resident left for the handler (full: only the handler's ping carries it). */
  contactPhone: string | null;
  /** Photos and voice notes sent with the report (references), forwarded with the assignment ping. */
  media: string[];
  /** A location the resident shared (WGS 84), for a map link. */
  latitude: number | null;
  longitude: number | null;
  /** Region ids from the county down to the ticket's own region. */
  regionPath: number[];
  /** The household's grid (its leader 网长 may know the ticket and add notes), if any. */
  gridId: number | null;
  /** The region whose dispatchers own the ticket now; one of regionPath. */
  handlingRegionId: number;
  level: RegionLevel;
  assigneeId: number | null;
  assigneeDepartmentId: number | null;
  acceptBy: Date | null;
  resolveBy: Date | null;
  callbackBy: Date | null;
  pausedAt: Date | null;
  resumeState: TicketState | null;
  /** Days (hours for urgent items) asked for by a pending extension request. */
  extensionDays: number | null;
  supervised: boolean;
  overdue: boolean;
  returnCount: number;
  escalationCount: number;
  reopenCount: number;
  extensionCount: number;
  /** When it was received (受理): urging waits a while after it (see urgeableFrom). */
  receivedAt: Date;
  /** 催办: how many times the resident urged it, and when last. */
  urgeCount: number;
  urgedAt: Date | null;
  rating: Rating | null;
  solved: boolean | null;
  acceptedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /**
   * Registered as 即办: the staff member who registered it settles it in the same step.
   * Only such a ticket may be settled, and only then (the statistics' 即办 class).
   */
  settledOnTheSpot: boolean;
}

/** A role held by an actor, with its scope. */
export interface ActorRole {
  role: Role;
  regionId: number;
  gridId?: number | null;
  departmentId?: number | null;
}

/**
 * Who performs a command: a person with roles, or the system (scheduler, routing). A
 * person acting through a REST API key (src/api/actions.ts) carries its name, which
 * their events record.
 */
export type Actor = { kind: 'person'; personId: number; roles: ActorRole[]; apiKey?: string } | { kind: 'system' };

/** A handler to dispatch to: a person (liaison, grid leader) or a department. */
export type DispatchTarget = { personId: number } | { departmentId: number };

/**
 * What the callback 回访 came to, as staff state it when they close 归档 a ticket nobody
 * rated: the resident's answer on the phone (recorded as a phone rating would be), or
 * why there is none.
 */
export type CallbackOutcome = { kind: 'answered'; rating: Rating; solved?: boolean; comment?: string } | { kind: 'failed'; reason: CallbackFailure };

/** What somebody asks the pipeline to do with a ticket. */
export type Command =
  | { type: 'dispatch'; target: DispatchTarget; note?: string }
  | { type: 'accept' }
  | { type: 'return'; reason: string }
  | { type: 'progress'; note: string; photos?: string[] }
  | { type: 'request_info'; question: string }
  | { type: 'supply_info'; text: string; photos?: string[] }
  | { type: 'request_extension'; days: number; reason: string }
  | { type: 'approve_extension'; days?: number; note?: string }
  | { type: 'deny_extension'; reason: string }
  | { type: 'escalate'; reason: string }
  /** 退回: the level an escalation reached sends it back down to the township's dispatchers, with the reason. */
  | { type: 'hand_back'; reason: string }
  | { type: 'resolve'; result: string; photos?: string[] }
  /** 即办: the handler who registered the request settles it on the spot (签收 and 办结 in one step). */
  | { type: 'settle'; result: string }
  | { type: 'rate'; rating: Rating; solved?: boolean; comment?: string; via?: 'chat' | 'phone' }
  /** 归档. Without a rating on the ticket, `callback` must say what the callback came to. */
  | { type: 'close'; note?: string; callback?: CallbackOutcome }
  | { type: 'reopen'; reason: string }
  | { type: 'withdraw'; reason?: string }
  | { type: 'supervise'; note: string }
  /** 催办: the resident urges a ticket that is taking long (at most once in URGE_INTERVAL_MS). */
  | { type: 'urge' }
  /** 合并: a duplicate joins the ticket numbered `into`; the resident is told that number. */
  | { type: 'merge'; into: string; note?: string }
  /** 答复群众: staff text meant for the resident (shown in their chat and history). */
  | { type: 'reply'; text: string }
  /** 内部备注: staff text for staff only (never shown to the resident). */
  | { type: 'note'; text: string }
  /** 改类: the request belongs to another category (a correction the matcher learns from). */
  | { type: 'recategorise'; categoryCode: string; note?: string }
  | { type: 'timer'; kind: TimerKind };

export type CommandType = Command['type'];

/** Who receives a notification: a person, a department's staff, or everyone with a role at a region. */
export type Recipient = { personId: number } | { departmentId: number } | { role: 'dispatcher' | 'supervisor'; regionId: number };

/** A choice offered with a message (a button, or a numbered reply). */
export interface MessageAction {
  /** Catalogue key of the label, or the label itself when `literal`. */
  label: string;
  literal?: boolean;
  /** What the engine receives when it is chosen, e.g. "accept:MQ-2026-000001". */
  payload: string;
  /** Yes, no, skip, 催办 or a rating, when the label alone does not say (see CHOICE_MEANINGS in src/engine/choices.ts). */
  means?: 'yes' | 'no' | 'skip' | 'urge' | 'satisfied' | 'basically_satisfied' | 'dissatisfied';
}

/** Scalar values a message template can use. */
export type MessageParams = Record<string, string | number | null>;

/** Something to do after the transition commits. Effects are data; the runner performs them. */
export type Effect =
  | {
      type: 'notify';
      to: Recipient;
      template: string;
      params: MessageParams;
      actions?: MessageAction[];
      media?: string[];
      /** Params holding the resident's words for someone else: scrubbed (src/privacy.ts, with the roster's names) when queued. */
      scrub?: string[];
    }
  | { type: 'set_timer'; kind: TimerKind; dueAt: Date }
  | { type: 'cancel_timers'; kinds: TimerKind[] };

/** A row for the TicketEvent audit trail. */
export interface EventDraft {
  type: TicketEventType;
  fromState: TicketState | null;
  toState: TicketState;
  data: Record<string, unknown>;
  /** The system took this step, whoever issued the command: the routing's dispatch at intake. */
  by?: 'system';
}

/** Why a command was refused. The message catalogue has a text for each code. */
export type Refusal =
  | { code: 'wrong_state'; command: CommandType; state: TicketState }
  | { code: 'not_allowed'; command: CommandType }
  | { code: 'invalid'; field: string; reason: string }
  | { code: 'no_level_above' }
  /** 退回 from a level with no dispatchers' level below it (a township hands down by dispatching). */
  | { code: 'no_level_below' }
  /** 归档 before 回访: nobody rated the ticket and the close does not say what the callback came to. */
  | { code: 'callback_required' }
  /** 催办 again within a day: the earlier urge (at `at`) stands, nothing new is recorded. */
  | { code: 'recently_urged'; at: Date }
  /** 催办 before anyone could have acted on it (see urgeableFrom): not recorded, and from when it may be. */
  | { code: 'too_early_to_urge'; from: Date };

export type TransitionResult = { ok: true; ticket: TicketSnapshot; events: EventDraft[]; effects: Effect[] } | { ok: false; refusal: Refusal };

/** The rules the machine applies that are not part of a ticket. */
export interface PipelineRules {
  calendar: WorkCalendar;
  officeHours: OfficeHours;
  /** Working days the resident has to answer the callback before it closes by itself. */
  callbackDays: number;
  /** Hours before a deadline when the handler is reminded (0: no reminder). */
  reminderHours: number;
  /** 帮扶: the steps' limits of assistance cases (src/assistance/machine.ts). */
  assistance: AssistanceLimits;
}
