import { describe, expect, test } from 'vitest';
import { DEFAULT_ASSISTANCE_LIMITS } from '../../../src/assistance/machine.js';
import { WorkCalendar } from '../../../src/pipeline/calendar.js';
import { DEFAULT_OFFICE_HOURS } from '../../../src/pipeline/deadlines.js';
import { intake, transition } from '../../../src/pipeline/machine.js';
import type { Actor, Command, CommandType, PipelineRules, TicketSnapshot } from '../../../src/pipeline/model.js';
import { route } from '../../../src/pipeline/routing.js';
import { CALLBACK_FAILURES, TICKET_STATES, type TicketState } from '../../../src/pipeline/states.js';
import { metricsAfter, NO_METRICS } from '../../../src/stats/metrics.js';

const rules: PipelineRules = {
  calendar: WorkCalendar.load(),
  officeHours: DEFAULT_OFFICE_HOURS,
  callbackDays: 3,
  reminderHours: 4,
  assistance: DEFAULT_ASSISTANCE_LIMITS,
};

// Region ids: county 1 → township 2 → village 4; township 3 is a neighbour.
const COUNTY = 1;
const TOWNSHIP = 2;
const OTHER_TOWNSHIP = 3;
const VILLAGE = 4;
/** The household's grid in the village; grid 8 is another one there. */
const GRID = 7;
const OTHER_GRID = 8;

const resident: Actor = { kind: 'person', personId: 1, roles: [{ role: 'resident', regionId: VILLAGE }] };
const otherResident: Actor = { kind: 'person', personId: 2, roles: [{ role: 'resident', regionId: VILLAGE }] };
const liaison: Actor = { kind: 'person', personId: 10, roles: [{ role: 'liaison', regionId: VILLAGE }] };
const otherLiaison: Actor = { kind: 'person', personId: 11, roles: [{ role: 'liaison', regionId: VILLAGE }] };
const dispatcher: Actor = { kind: 'person', personId: 20, roles: [{ role: 'dispatcher', regionId: TOWNSHIP }] };
const foreignDispatcher: Actor = { kind: 'person', personId: 21, roles: [{ role: 'dispatcher', regionId: OTHER_TOWNSHIP }] };
const countyDispatcher: Actor = { kind: 'person', personId: 22, roles: [{ role: 'dispatcher', regionId: COUNTY }] };
const supervisor: Actor = { kind: 'person', personId: 30, roles: [{ role: 'supervisor', regionId: COUNTY }] };
const handler: Actor = {
  kind: 'person',
  personId: 40,
  roles: [{ role: 'department_handler', regionId: TOWNSHIP, departmentId: 5 }],
};
const system: Actor = { kind: 'system' };
const gridLeader: Actor = { kind: 'person', personId: 50, roles: [{ role: 'grid_leader', regionId: VILLAGE, gridId: GRID }] };
const otherGridLeader: Actor = { kind: 'person', personId: 51, roles: [{ role: 'grid_leader', regionId: VILLAGE, gridId: OTHER_GRID }] };

// Monday 2026-11-16 09:00 Beijing time.
const NOW = new Date('2026-11-16T09:00:00+08:00');

function ticket(state: TicketState, overrides: Partial<TicketSnapshot> = {}): TicketSnapshot {
  return {
    number: 'MQ-2026-000001',
    state,
    kind: 'help',
    categoryCode: 'power',
    policy: { handlingClass: 'promised', resolveDays: 3, resolveHours: 24, acceptHours: 2, workingDays: true },
    summary: '村口路灯坏了',
    residentId: 1,
    hasResident: true,
    place: '东湖村 村口大槐树旁边',
    contactPhone: '13912345678',
    media: [],
    latitude: null,
    longitude: null,
    regionPath: [COUNTY, TOWNSHIP, VILLAGE],
    gridId: GRID,
    handlingRegionId: VILLAGE,
    level: 'village',
    assigneeId: 10,
    assigneeDepartmentId: null,
    acceptBy: new Date('2026-11-17T17:30:00+08:00'),
    resolveBy: new Date('2026-11-19T17:30:00+08:00'),
    callbackBy: state === 'resolved' ? new Date('2026-11-24T17:30:00+08:00') : null,
    pausedAt: state === 'awaiting_resident' ? NOW : null,
    resumeState: state === 'awaiting_resident' || state === 'extension_requested' ? 'in_progress' : null,
    extensionDays: state === 'extension_requested' ? 2 : null,
    supervised: false,
    overdue: false,
    returnCount: 0,
    escalationCount: 0,
    reopenCount: 0,
    extensionCount: 0,
    receivedAt: new Date('2026-11-13T16:00:00+08:00'),
    urgeCount: 0,
    urgedAt: null,
    rating: null,
    solved: null,
    acceptedAt: null,
    resolvedAt: null,
    closedAt: null,
    settledOnTheSpot: false,
    ...overrides,
  };
}

/** One representative command per type, with the actor allowed to issue it (and what the ticket must be for it). */
const SAMPLES: Record<Exclude<CommandType, 'timer'>, { command: Command; actor: Actor; ticket?: Partial<TicketSnapshot> }> = {
  dispatch: { command: { type: 'dispatch', target: { personId: 11 } }, actor: dispatcher },
  accept: { command: { type: 'accept' }, actor: liaison },
  return: { command: { type: 'return', reason: '不属于本网格' }, actor: liaison },
  progress: { command: { type: 'progress', note: '已联系供电所' }, actor: liaison },
  request_info: { command: { type: 'request_info', question: '请拍一张路灯的照片' }, actor: liaison },
  supply_info: { command: { type: 'supply_info', text: '照片已发' }, actor: resident },
  request_extension: { command: { type: 'request_extension', days: 2, reason: '等配件' }, actor: liaison },
  approve_extension: { command: { type: 'approve_extension' }, actor: dispatcher },
  deny_extension: { command: { type: 'deny_extension', reason: '请按时办结' }, actor: dispatcher },
  escalate: { command: { type: 'escalate', reason: '需要镇里协调' }, actor: dispatcher },
  hand_back: {
    command: { type: 'hand_back', reason: '属镇级事权，请镇里派单' },
    actor: countyDispatcher,
    ticket: { handlingRegionId: COUNTY, level: 'county', assigneeId: null },
  },
  resolve: { command: { type: 'resolve', result: '路灯已修好' }, actor: liaison },
  settle: { command: { type: 'settle', result: '当场答复了办理流程' }, actor: liaison, ticket: { settledOnTheSpot: true } },
  rate: { command: { type: 'rate', rating: 'satisfied' }, actor: resident },
  close: { command: { type: 'close', callback: { kind: 'failed', reason: 'unreachable' } }, actor: dispatcher },
  reopen: { command: { type: 'reopen', reason: '复查发现仍不亮' }, actor: supervisor },
  withdraw: { command: { type: 'withdraw' }, actor: resident },
  urge: { command: { type: 'urge' }, actor: resident },
  supervise: { command: { type: 'supervise', note: '请加快办理' }, actor: supervisor },
  merge: { command: { type: 'merge', into: 'MQ-2026-000002' }, actor: dispatcher },
  reply: { command: { type: 'reply', text: '已安排电工明天上午上门' }, actor: dispatcher },
  note: { command: { type: 'note', text: '这户上次也反映过' }, actor: dispatcher },
  recategorise: { command: { type: 'recategorise', categoryCode: 'road' }, actor: dispatcher },
};

const OPEN: TicketState[] = ['received', 'dispatched', 'accepted', 'in_progress', 'awaiting_resident', 'extension_requested', 'returned', 'escalated', 'reopened'];

/** The legal transitions, written out independently of the machine's own table. */
const LEGAL: Record<Exclude<CommandType, 'timer'>, Partial<Record<TicketState, TicketState>>> = {
  dispatch: {
    received: 'dispatched',
    returned: 'dispatched',
    escalated: 'dispatched',
    reopened: 'dispatched',
    dispatched: 'dispatched',
    accepted: 'dispatched',
    in_progress: 'dispatched',
  },
  accept: { dispatched: 'accepted', reopened: 'accepted' },
  return: { dispatched: 'returned', accepted: 'returned', reopened: 'returned' },
  progress: { accepted: 'in_progress', in_progress: 'in_progress' },
  request_info: { accepted: 'awaiting_resident', in_progress: 'awaiting_resident' },
  supply_info: { awaiting_resident: 'in_progress' },
  request_extension: { accepted: 'extension_requested', in_progress: 'extension_requested' },
  approve_extension: { extension_requested: 'in_progress' },
  deny_extension: { extension_requested: 'in_progress' },
  escalate: {
    received: 'escalated',
    dispatched: 'escalated',
    accepted: 'escalated',
    in_progress: 'escalated',
    returned: 'escalated',
    escalated: 'escalated',
    reopened: 'escalated',
  },
  hand_back: { escalated: 'returned', returned: 'returned' },
  resolve: { accepted: 'resolved', in_progress: 'resolved' },
  settle: { dispatched: 'resolved' },
  rate: { resolved: 'closed' },
  close: { resolved: 'closed', callback: 'closed' },
  reopen: { resolved: 'reopened', callback: 'reopened', closed: 'reopened' },
  withdraw: Object.fromEntries(OPEN.map((s) => [s, 'withdrawn'])),
  urge: Object.fromEntries(OPEN.map((s) => [s, s])),
  supervise: Object.fromEntries([...OPEN, 'resolved'].map((s) => [s, s])),
  merge: Object.fromEntries(OPEN.map((s) => [s, 'merged'])),
  reply: Object.fromEntries(TICKET_STATES.filter((s) => s !== 'merged').map((s) => [s, s])),
  note: Object.fromEntries(TICKET_STATES.filter((s) => s !== 'merged').map((s) => [s, s])),
  recategorise: Object.fromEntries([...OPEN, 'resolved'].map((s) => [s, s])),
};

describe('every command from every state', () => {
  for (const [type, { command, actor, ticket: overrides }] of Object.entries(SAMPLES)) {
    for (const state of TICKET_STATES) {
      const expected = LEGAL[type as keyof typeof LEGAL][state];
      test(`${type} from ${state} → ${expected ?? 'refused'}`, () => {
        const result = transition(ticket(state, overrides), command, actor, NOW, rules);
        if (expected) {
          expect(result.ok, JSON.stringify(!result.ok && result.refusal)).toBe(true);
          if (!result.ok) return;
          expect(result.ticket.state).toBe(expected);
          expect(result.events.length).toBeGreaterThan(0);
          expect(result.events[0]?.fromState).toBe(state);
          expect(result.events.at(-1)?.toState).toBe(expected);
        } else {
          expect(result).toEqual({ ok: false, refusal: { code: 'wrong_state', command: type, state } });
        }
      });
    }
  }
});

describe('authorisation', () => {
  const cases: [string, TicketState, Command, Actor, Partial<TicketSnapshot>?][] = [
    ['a liaison not assigned cannot accept', 'dispatched', { type: 'accept' }, otherLiaison],
    ['a liaison not assigned cannot resolve', 'in_progress', { type: 'resolve', result: '好了' }, otherLiaison],
    ['another resident cannot withdraw', 'dispatched', { type: 'withdraw' }, otherResident],
    ['another resident cannot rate', 'resolved', { type: 'rate', rating: 'satisfied' }, otherResident],
    ['the resident cannot accept', 'dispatched', { type: 'accept' }, resident],
    ['the liaison cannot rate', 'resolved', { type: 'rate', rating: 'satisfied' }, liaison],
    ['a dispatcher of another township cannot dispatch', 'received', SAMPLES.dispatch.command, foreignDispatcher],
    ['a liaison cannot dispatch', 'received', SAMPLES.dispatch.command, liaison],
    ['a dispatcher of another township cannot supervise', 'in_progress', SAMPLES.supervise.command, foreignDispatcher],
    ['the liaison cannot supervise', 'in_progress', SAMPLES.supervise.command, liaison],
    ['a dispatcher of another township cannot merge', 'in_progress', SAMPLES.merge.command, foreignDispatcher],
    ['the handler cannot merge', 'in_progress', SAMPLES.merge.command, liaison],
    ['the resident cannot merge', 'received', SAMPLES.merge.command, resident],
    ['the system cannot resolve', 'in_progress', { type: 'resolve', result: '好了' }, system],
    ['a person cannot fire a timer', 'dispatched', { type: 'timer', kind: 'accept_overdue' }, dispatcher],
    ['the liaison cannot approve its own extension', 'extension_requested', { type: 'approve_extension' }, liaison],
    // 即办 happens at registration only, by whom it was registered to.
    ['the assignee cannot settle a ticket that was not registered as 即办', 'dispatched', SAMPLES.settle.command, liaison],
    ['the assignee cannot settle a 即办 ticket once it was reopened', 'dispatched', SAMPLES.settle.command, liaison, { settledOnTheSpot: true, reopenCount: 1 }],
    ['another liaison cannot settle a 即办 ticket', 'dispatched', SAMPLES.settle.command, otherLiaison, { settledOnTheSpot: true }],
  ];
  for (const [name, state, command, actor, overrides] of cases) {
    test(name, () => {
      expect(transition(ticket(state, overrides), command, actor, NOW, rules)).toEqual({
        ok: false,
        refusal: { code: 'not_allowed', command: command.type },
      });
    });
  }

  test('a township dispatcher cannot dispatch once the ticket sits at the county', () => {
    const atCounty = ticket('escalated', { handlingRegionId: COUNTY, level: 'county', assigneeId: null });
    expect(transition(atCounty, SAMPLES.dispatch.command, dispatcher, NOW, rules).ok).toBe(false);
    expect(transition(atCounty, SAMPLES.dispatch.command, countyDispatcher, NOW, rules).ok).toBe(true);
  });

  test('at the county, the township keeps its notes but not the handling: no reply, dispatch, return or close', () => {
    const atCounty = ticket('escalated', { handlingRegionId: COUNTY, level: 'county', assigneeId: null });
    const note = transition(atCounty, SAMPLES.note.command, dispatcher, NOW, rules);
    expect(note.ok && note.events).toEqual([{ type: 'noted', fromState: 'escalated', toState: 'escalated', data: { text: '这户上次也反映过' } }]);
    for (const command of [SAMPLES.reply.command, SAMPLES.dispatch.command, SAMPLES.hand_back.command, SAMPLES.supervise.command]) {
      expect(transition(atCounty, command, dispatcher, NOW, rules)).toEqual({ ok: false, refusal: { code: 'not_allowed', command: command.type } });
    }
    // Another township's staff may not even note it; the county's may do everything.
    expect(transition(atCounty, SAMPLES.note.command, foreignDispatcher, NOW, rules)).toEqual({ ok: false, refusal: { code: 'not_allowed', command: 'note' } });
    for (const command of [SAMPLES.reply.command, SAMPLES.note.command, SAMPLES.dispatch.command, SAMPLES.hand_back.command]) {
      expect(transition(atCounty, command, countyDispatcher, NOW, rules).ok).toBe(true);
    }
  });

  test('staff of the assigned department act as the handler', () => {
    const toDept = ticket('dispatched', { assigneeId: null, assigneeDepartmentId: 5, handlingRegionId: TOWNSHIP, level: 'township' });
    const accepted = transition(toDept, { type: 'accept' }, handler, NOW, rules);
    expect(accepted.ok && accepted.ticket.state).toBe('accepted');
    const other = ticket('dispatched', { assigneeId: null, assigneeDepartmentId: 6 });
    expect(transition(other, { type: 'accept' }, handler, NOW, rules).ok).toBe(false);
  });
});

describe('input checks', () => {
  test.each([
    ['return', 'dispatched', { type: 'return', reason: '   ' }, liaison, 'reason'],
    ['resolve', 'in_progress', { type: 'resolve', result: '' }, liaison, 'result'],
    ['escalate', 'in_progress', { type: 'escalate', reason: '' }, liaison, 'reason'],
    ['extension days', 'in_progress', { type: 'request_extension', days: 0, reason: 'x' }, liaison, 'days'],
    ['extension days too many', 'in_progress', { type: 'request_extension', days: 400, reason: 'x' }, liaison, 'days'],
    ['long note', 'in_progress', { type: 'progress', note: '长'.repeat(5000) }, liaison, 'note'],
    ['merge without a target', 'in_progress', { type: 'merge', into: ' ' }, dispatcher, 'into'],
    ['merge into itself', 'in_progress', { type: 'merge', into: 'MQ-2026-000001' }, dispatcher, 'into'],
  ] as const)('%s is refused as invalid', (_name, state, command, actor, field) => {
    const result = transition(ticket(state), command, actor, NOW, rules);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal).toMatchObject({ code: 'invalid', field });
  });
});

describe('behaviour', () => {
  test('accept records the time and tells the resident', () => {
    const r = transition(ticket('dispatched'), { type: 'accept' }, liaison, NOW, rules);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.ticket.acceptedAt).toEqual(NOW);
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'notify', to: { personId: 1 }, template: 'ticket.accepted_resident' }));
    expect(r.effects).toContainEqual({ type: 'cancel_timers', kinds: ['accept_reminder', 'accept_overdue'] });
  });

  test('return 退单 goes back to the dispatchers with the reason and clears the handler', () => {
    const r = transition(ticket('accepted'), SAMPLES.return.command, liaison, NOW, rules);
    if (!r.ok) throw new Error('refused');
    expect(r.ticket.assigneeId).toBeNull();
    expect(r.ticket.returnCount).toBe(1);
    expect(r.events[0]).toMatchObject({ type: 'returned', data: { reason: '不属于本网格', by: 10 } });
    expect(r.effects).toContainEqual(expect.objectContaining({ to: { role: 'dispatcher', regionId: VILLAGE }, template: 'ticket.returned_dispatcher' }));
  });

  test("the grid's leader 网长 may add an internal note, and nothing else; another grid's leader may not even note", () => {
    const t = ticket('in_progress');
    const noted = transition(t, { type: 'note', text: '这户老人独居，白天不在家' }, gridLeader, NOW, rules);
    if (!noted.ok) throw new Error('refused');
    expect(noted.events).toEqual([expect.objectContaining({ type: 'noted', data: { text: '这户老人独居，白天不在家' } })]);
    expect(noted.effects).toEqual([]);
    expect(transition(t, { type: 'note', text: '备注' }, otherGridLeader, NOW, rules)).toEqual({ ok: false, refusal: { code: 'not_allowed', command: 'note' } });
    expect(transition(ticket('in_progress', { gridId: null }), { type: 'note', text: '备注' }, gridLeader, NOW, rules)).toMatchObject({ ok: false });
    for (const command of [SAMPLES.reply.command, SAMPLES.supervise.command, SAMPLES.escalate.command]) {
      expect(transition(t, command, gridLeader, NOW, rules), command.type).toMatchObject({ ok: false, refusal: { code: 'not_allowed' } });
    }
  });

  test('escalation 上报 climbs village → township → county, then refuses', () => {
    let t = ticket('in_progress');
    const r1 = transition(t, { type: 'escalate', reason: '超出村级权限' }, liaison, NOW, rules);
    if (!r1.ok) throw new Error('refused');
    expect(r1.ticket).toMatchObject({ state: 'escalated', handlingRegionId: TOWNSHIP, level: 'township', assigneeId: null, escalationCount: 1 });
    t = r1.ticket;
    const r2 = transition(t, { type: 'escalate', reason: '需县级协调' }, dispatcher, NOW, rules);
    if (!r2.ok) throw new Error('refused');
    expect(r2.ticket).toMatchObject({ handlingRegionId: COUNTY, level: 'county', escalationCount: 2 });
    const r3 = transition(r2.ticket, { type: 'escalate', reason: '再上报' }, countyDispatcher, NOW, rules);
    expect(r3).toEqual({ ok: false, refusal: { code: 'no_level_above' } });
  });

  test('退回乡镇: the county hands an escalated ticket back to the township’s dispatchers with its reason; a township cannot hand down', () => {
    const atCounty = ticket('escalated', { handlingRegionId: COUNTY, level: 'county', assigneeId: null, escalationCount: 2 });
    const r = transition(atCounty, SAMPLES.hand_back.command, countyDispatcher, NOW, rules);
    if (!r.ok) throw new Error('refused');
    expect(r.ticket).toMatchObject({ state: 'returned', handlingRegionId: TOWNSHIP, level: 'township', escalationCount: 2, returnCount: 0, resolveBy: atCounty.resolveBy });
    expect(r.events).toEqual([
      {
        type: 'handed_back',
        fromState: 'escalated',
        toState: 'returned',
        data: { reason: '属镇级事权，请镇里派单', from: { regionId: COUNTY, level: 'county' }, to: { regionId: TOWNSHIP, level: 'township' } },
      },
    ]);
    const notices = r.effects.flatMap((e) => (e.type === 'notify' ? [{ to: e.to, template: e.template, reason: e.params['reason'], level: e.params['level'] }] : []));
    expect(notices).toEqual([
      { to: { role: 'dispatcher', regionId: TOWNSHIP }, template: 'ticket.handed_back_dispatcher', reason: '属镇级事权，请镇里派单', level: 'county' },
      // The county's reason is for staff: the resident hears where it went.
      { to: { personId: 1 }, template: 'ticket.handed_back_resident', reason: undefined, level: 'township' },
    ]);
    // The township now dispatches it again, as after a 退单.
    const again = transition(r.ticket, SAMPLES.dispatch.command, dispatcher, NOW, rules);
    expect(again.ok && again.ticket).toMatchObject({ state: 'dispatched', assigneeId: 11 });
    // At the township there is no dispatchers' level below to hand it to.
    const atTownship = ticket('escalated', { handlingRegionId: TOWNSHIP, level: 'township', assigneeId: null });
    expect(transition(atTownship, SAMPLES.hand_back.command, dispatcher, NOW, rules)).toEqual({ ok: false, refusal: { code: 'no_level_below' } });
    expect(transition(atCounty, { type: 'hand_back', reason: ' ' }, countyDispatcher, NOW, rules)).toEqual({
      ok: false,
      refusal: { code: 'invalid', field: 'reason', reason: 'required' },
    });
  });

  test("dispatch after escalation keeps the handling deadline promised to the resident; only the new handler's accept window is fresh", () => {
    // Escalated on Monday with its deadline Thursday 17:30; the township dispatches it on Tuesday.
    const promised = new Date('2026-11-19T17:30:00+08:00');
    const t = ticket('escalated', { handlingRegionId: TOWNSHIP, level: 'township', assigneeId: null, resolveBy: promised });
    const tuesday = new Date('2026-11-17T10:00:00+08:00');
    const r = transition(t, { type: 'dispatch', target: { departmentId: 5 } }, dispatcher, tuesday, rules);
    if (!r.ok) throw new Error('refused');
    // Not Friday (Tuesday + 3 working days): the deadline moves only by a pause or an approved 延期, both told to the resident.
    expect(r.ticket.resolveBy).toEqual(promised);
    // The new handler's window to accept starts at the dispatch (the next office day's end for this category).
    expect(r.ticket.acceptBy).toEqual(new Date('2026-11-18T17:30:00+08:00'));
    const ping = r.effects.find((e) => e.type === 'notify' && e.template === 'ticket.assigned');
    expect(ping).toMatchObject({ to: { departmentId: 5 }, params: { resolveBy: promised.toISOString() } });
    expect(r.effects).toContainEqual({ type: 'set_timer', kind: 'resolve_overdue', dueAt: promised });
  });

  test('awaiting the resident pauses the clock; the answer moves the deadline by the days lost', () => {
    const paused = transition(ticket('in_progress'), SAMPLES.request_info.command, liaison, NOW, rules);
    if (!paused.ok) throw new Error('refused');
    expect(paused.ticket.pausedAt).toEqual(NOW);
    // The resident answers the next Monday: five working days were lost.
    const later = new Date('2026-11-23T10:00:00+08:00');
    const resumed = transition(paused.ticket, SAMPLES.supply_info.command, resident, later, rules);
    if (!resumed.ok) throw new Error('refused');
    expect(resumed.ticket.state).toBe('in_progress');
    expect(resumed.ticket.pausedAt).toBeNull();
    expect(resumed.ticket.resolveBy).toEqual(new Date('2026-11-26T17:30:00+08:00'));
  });

  test('an approved extension 延期 moves the deadline by the days asked for', () => {
    const asked = transition(ticket('in_progress'), SAMPLES.request_extension.command, liaison, NOW, rules);
    if (!asked.ok) throw new Error('refused');
    const approved = transition(asked.ticket, { type: 'approve_extension' }, dispatcher, NOW, rules);
    if (!approved.ok) throw new Error('refused');
    // Thursday 19 Nov + 2 working days → Monday 23 Nov.
    expect(approved.ticket.resolveBy).toEqual(new Date('2026-11-23T17:30:00+08:00'));
    expect(approved.ticket).toMatchObject({ state: 'in_progress', extensionCount: 1, extensionDays: null });
    const denied = transition(asked.ticket, SAMPLES.deny_extension.command, dispatcher, NOW, rules);
    expect(denied.ok && denied.ticket.resolveBy).toEqual(new Date('2026-11-19T17:30:00+08:00'));
  });

  test('resolve asks the resident to rate and sets the callback deadline', () => {
    const r = transition(ticket('in_progress'), SAMPLES.resolve.command, liaison, NOW, rules);
    if (!r.ok) throw new Error('refused');
    expect(r.ticket.callbackBy).toEqual(new Date('2026-11-19T17:30:00+08:00'));
    const ask = r.effects.find((e) => e.type === 'notify' && e.template === 'ticket.resolved_resident');
    expect(ask).toMatchObject({ to: { personId: 1 }, actions: [{ payload: 'rate:MQ-2026-000001:satisfied' }, {}, {}] });
    expect(r.effects).toContainEqual({ type: 'set_timer', kind: 'callback_timeout', dueAt: r.ticket.callbackBy });
  });

  test('不满意 reopens with a fresh clock; 满意 closes', () => {
    const unhappy = transition(ticket('resolved'), { type: 'rate', rating: 'dissatisfied', comment: '还是不亮' }, resident, NOW, rules);
    if (!unhappy.ok) throw new Error('refused');
    expect(unhappy.events.map((e) => e.type)).toEqual(['callback', 'reopened']);
    expect(unhappy.ticket).toMatchObject({ state: 'reopened', reopenCount: 1, rating: null, assigneeId: 10 });
    const happy = transition(ticket('resolved'), { type: 'rate', rating: 'basically_satisfied' }, resident, NOW, rules);
    if (!happy.ok) throw new Error('refused');
    expect(happy.events.map((e) => [e.type, e.toState])).toEqual([
      ['callback', 'callback'],
      ['closed', 'closed'],
    ]);
    expect(happy.ticket).toMatchObject({ rating: 'basically_satisfied', solved: true, closedAt: NOW });
  });

  test('督办 by the township dispatcher flags the ticket and pings its handler', () => {
    const r = transition(ticket('in_progress'), { type: 'supervise', note: '明天前给群众答复' }, dispatcher, NOW, rules);
    if (!r.ok) throw new Error('refused');
    expect(r.ticket).toMatchObject({ supervised: true, state: 'in_progress' });
    expect(r.events).toEqual([{ type: 'supervised', fromState: 'in_progress', toState: 'in_progress', data: { note: '明天前给群众答复' } }]);
    const ping = r.effects.find((e) => e.type === 'notify' && e.template === 'ticket.supervised_handler');
    expect(ping).toMatchObject({ to: { personId: 10 }, params: { note: '明天前给群众答复' } });
  });

  test('催办 by the resident is recorded and counted, pings the handler and the dispatcher; a second within 24 hours is refused with the first time', () => {
    const r = transition(ticket('in_progress'), { type: 'urge' }, resident, NOW, rules);
    if (!r.ok) throw new Error('refused');
    expect(r.ticket).toMatchObject({ state: 'in_progress', urgeCount: 1, urgedAt: NOW });
    expect(r.events).toEqual([{ type: 'urged', fromState: 'in_progress', toState: 'in_progress', data: { count: 1 } }]);
    const pings = r.effects.flatMap((e) => (e.type === 'notify' ? [{ to: e.to, template: e.template }] : []));
    expect(pings).toEqual([
      { to: { personId: 10 }, template: 'ticket.urged_handler' },
      { to: { role: 'dispatcher', regionId: VILLAGE }, template: 'ticket.urged_dispatcher' },
    ]);
    const hour = 3_600_000;
    const again = transition(r.ticket, { type: 'urge' }, resident, new Date(NOW.getTime() + 23 * hour), rules);
    expect(again).toEqual({ ok: false, refusal: { code: 'recently_urged', at: NOW } });
    const nextDay = transition(r.ticket, { type: 'urge' }, resident, new Date(NOW.getTime() + 24 * hour), rules);
    if (!nextDay.ok) throw new Error('refused');
    expect(nextDay.ticket.urgeCount).toBe(2);
    // Not yet dispatched: only the dispatcher hears of it. Staff do not urge (they 督办).
    const waiting = transition(ticket('received', { assigneeId: null }), { type: 'urge' }, resident, NOW, rules);
    if (!waiting.ok) throw new Error('refused');
    expect(waiting.effects.flatMap((e) => (e.type === 'notify' ? [e.template] : []))).toEqual(['ticket.urged_dispatcher']);
    expect(transition(ticket('in_progress'), { type: 'urge' }, dispatcher, NOW, rules)).toMatchObject({ ok: false, refusal: { code: 'not_allowed' } });
  });

  test('催办 a minute after 受理 is refused with the time it may be (half the accept window, two hours at most), nothing recorded or pinged', () => {
    const minute = 60_000;
    const fresh = ticket('dispatched', { receivedAt: NOW });
    expect(transition(fresh, { type: 'urge' }, resident, new Date(NOW.getTime() + minute), rules)).toEqual({
      ok: false,
      refusal: { code: 'too_early_to_urge', from: new Date(NOW.getTime() + 120 * minute) },
    });
    expect(transition(fresh, { type: 'urge' }, resident, new Date(NOW.getTime() + 119 * minute), rules).ok).toBe(false);
    expect(transition(fresh, { type: 'urge' }, resident, new Date(NOW.getTime() + 120 * minute), rules)).toMatchObject({ ok: true, ticket: { urgeCount: 1 } });
    // An urgent matter, to be accepted within the hour: urged after half of it.
    const urgent = ticket('dispatched', { receivedAt: NOW, acceptBy: new Date(NOW.getTime() + 60 * minute) });
    expect(transition(urgent, { type: 'urge' }, resident, new Date(NOW.getTime() + 29 * minute), rules)).toMatchObject({
      ok: false,
      refusal: { code: 'too_early_to_urge', from: new Date(NOW.getTime() + 30 * minute) },
    });
    expect(transition(urgent, { type: 'urge' }, resident, new Date(NOW.getTime() + 30 * minute), rules).ok).toBe(true);
  });

  test('合并 ends a duplicate: all timers go, the resident learns the other number, the handler stops', () => {
    const r = transition(ticket('accepted'), { type: 'merge', into: ' MQ-2026-000002 ', note: '同一盏路灯' }, dispatcher, NOW, rules);
    if (!r.ok) throw new Error('refused');
    expect(r.ticket).toMatchObject({ state: 'merged', closedAt: NOW });
    expect(r.events).toEqual([{ type: 'merged', fromState: 'accepted', toState: 'merged', data: { into: 'MQ-2026-000002', note: '同一盏路灯' } }]);
    expect(r.effects).toContainEqual({
      type: 'cancel_timers',
      kinds: ['accept_reminder', 'accept_overdue', 'resolve_reminder', 'resolve_overdue', 'callback_timeout'],
    });
    const told = r.effects.find((e) => e.type === 'notify' && e.template === 'ticket.merged_resident');
    expect(told).toMatchObject({ to: { personId: 1 }, params: { into: 'MQ-2026-000002', number: 'MQ-2026-000001' } });
    expect(r.effects).toContainEqual(expect.objectContaining({ to: { personId: 10 }, template: 'ticket.merged_handler' }));
    // Nothing happens to a merged ticket any more, not even a reopen.
    for (const [type, { command, actor, ticket: overrides }] of Object.entries(SAMPLES)) {
      expect(transition({ ...r.ticket, ...overrides }, command, actor, NOW, rules), type).toMatchObject({ ok: false, refusal: { code: 'wrong_state' } });
    }
    // Without a handler (still waiting for dispatch) only the resident hears of it.
    const waiting = transition(ticket('received', { assigneeId: null }), SAMPLES.merge.command, dispatcher, NOW, rules);
    if (!waiting.ok) throw new Error('refused');
    expect(waiting.effects.filter((e) => e.type === 'notify').map((e) => e.type === 'notify' && e.template)).toEqual(['ticket.merged_resident']);
  });

  test('timers: reminders, overdue supervision, callback timeout, stale timers', () => {
    const remind = transition(ticket('dispatched'), { type: 'timer', kind: 'accept_reminder' }, system, NOW, rules);
    expect(remind.ok && remind.effects).toContainEqual(expect.objectContaining({ to: { personId: 10 }, template: 'ticket.accept_reminder' }));

    const overdue = transition(ticket('in_progress'), { type: 'timer', kind: 'resolve_overdue' }, system, NOW, rules);
    if (!overdue.ok) throw new Error('refused');
    expect(overdue.ticket).toMatchObject({ overdue: true, supervised: true, state: 'in_progress' });
    expect(overdue.effects).toContainEqual(expect.objectContaining({ to: { role: 'supervisor', regionId: VILLAGE } }));

    const timeout = transition(ticket('resolved'), { type: 'timer', kind: 'callback_timeout' }, system, NOW, rules);
    if (!timeout.ok) throw new Error('refused');
    expect(timeout.events.map((e) => e.type)).toEqual(['callback_timeout', 'closed']);
    expect(timeout.ticket.state).toBe('closed');

    // An accept reminder after the ticket was accepted does nothing.
    const stale = transition(ticket('accepted'), { type: 'timer', kind: 'accept_reminder' }, system, NOW, rules);
    expect(stale).toMatchObject({ ok: true, events: [], effects: [] });
  });
});

describe('归档 after 回访: a staff close says what the callback came to', () => {
  const resolved = () => ticket('resolved', { resolvedAt: NOW });
  const later = new Date('2026-11-18T10:00:00+08:00');

  test.each(['resolved', 'callback'] as const)('without a rating or a callback outcome a close from %s is refused, changing nothing', (state) => {
    const before = ticket(state);
    for (const command of [{ type: 'close' }, { type: 'close', note: '群众未评价' }] as const) {
      expect(transition(before, command, dispatcher, later, rules)).toEqual({ ok: false, refusal: { code: 'callback_required' } });
    }
    expect(before.state).toBe(state);
  });

  test.each([
    ['satisfied', undefined, true],
    ['basically_satisfied', false, false],
  ] as const)('the resident answered %s on the phone: recorded as a phone callback, and the ticket is archived', (rating, solved, expectSolved) => {
    const command = { type: 'close', note: '电话回访', callback: { kind: 'answered', rating, ...(solved === undefined ? {} : { solved }), comment: ' 路灯亮了 ' } } as const;
    const r = transition(resolved(), command, dispatcher, later, rules);
    if (!r.ok) throw new Error(JSON.stringify(r.refusal));
    expect(r.events).toEqual([
      { type: 'callback', fromState: 'resolved', toState: 'callback', data: { rating, solved: expectSolved, comment: '路灯亮了', via: 'phone', note: '电话回访' } },
      { type: 'closed', fromState: 'callback', toState: 'closed', data: { reason: 'rated' } },
    ]);
    expect(r.ticket).toMatchObject({ state: 'closed', rating, solved: expectSolved, closedAt: later });
    expect(r.effects).toContainEqual({ type: 'cancel_timers', kinds: ['callback_timeout'] });
    const told = r.effects.find((e) => e.type === 'notify' && e.template === 'ticket.closed_resident');
    expect(told).toMatchObject({ to: { personId: 1 }, params: { rating } });
    // The statistics take it as the callback answer it is.
    expect(metricsAfter(NO_METRICS, NOW, r.events, later)).toEqual({ callbackRating: rating, callbackSolved: expectSolved });
  });

  test('the resident answered 不满意 on the phone: it reopens 重办, as a dissatisfied chat rating does', () => {
    const r = transition(resolved(), { type: 'close', callback: { kind: 'answered', rating: 'dissatisfied', comment: '还是不亮' } }, dispatcher, later, rules);
    if (!r.ok) throw new Error(JSON.stringify(r.refusal));
    expect(r.events.map((e) => [e.type, e.toState])).toEqual([
      ['callback', 'callback'],
      ['reopened', 'reopened'],
    ]);
    expect(r.events[0]?.data).toMatchObject({ rating: 'dissatisfied', solved: false, via: 'phone' });
    expect(r.ticket).toMatchObject({ state: 'reopened', reopenCount: 1, rating: null, solved: null, closedAt: null, resolvedAt: null });
    // The resident's words go to the handler with the 重办, marked for the scrubber; not back to the resident.
    const toHandler = r.effects.find((e) => e.type === 'notify' && e.template === 'ticket.reopened_handler');
    expect(toHandler).toMatchObject({ to: { personId: 10 }, params: { reason: 'dissatisfied', comment: '还是不亮' }, scrub: ['comment'] });
    const toResident = r.effects.find((e) => e.type === 'notify' && e.template === 'ticket.reopened_resident');
    expect(JSON.stringify(toResident)).not.toContain('还是不亮');
    expect(r.effects.some((e) => e.type === 'notify' && e.template.startsWith('ticket.closed'))).toBe(false);
    expect(metricsAfter(NO_METRICS, NOW, r.events, later)).toEqual({ callbackRating: 'dissatisfied', callbackSolved: false });
  });

  test.each(CALLBACK_FAILURES)('the callback failed (%s): it ends as a callback timeout does, archived with no rating', (reason) => {
    const r = transition(resolved(), { type: 'close', note: ' 三次电话未接通 ', callback: { kind: 'failed', reason } }, dispatcher, later, rules);
    if (!r.ok) throw new Error(JSON.stringify(r.refusal));
    expect(r.events).toEqual([
      {
        type: 'callback_timeout',
        fromState: 'resolved',
        toState: 'callback',
        data: { callbackBy: '2026-11-24T09:30:00.000Z', declaredBy: 'staff', reason, note: '三次电话未接通' },
      },
      { type: 'closed', fromState: 'callback', toState: 'closed', data: { reason: 'callback_timeout' } },
    ]);
    expect(r.ticket).toMatchObject({ state: 'closed', rating: null, solved: null, closedAt: later });
    expect(r.effects).toContainEqual({ type: 'cancel_timers', kinds: ['callback_timeout'] });
    const told = r.effects.filter((e) => e.type === 'notify');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ to: { personId: 1 }, template: 'ticket.closed_unrated_resident', params: { callback: reason, number: 'MQ-2026-000001' } });
    // Like the scheduler's timeout: no answer, so no resolution or satisfaction figure moves.
    expect(metricsAfter(NO_METRICS, NOW, r.events, later)).toEqual({});
    const timedOut = transition(resolved(), { type: 'timer', kind: 'callback_timeout' }, system, later, rules);
    if (!timedOut.ok) throw new Error('refused');
    expect(r.events.map((e) => [e.type, e.fromState, e.toState])).toEqual(timedOut.events.map((e) => [e.type, e.fromState, e.toState]));
  });

  test('a callback outcome that is not one of the list, or a comment far too long, is refused as invalid', () => {
    const bogus = { type: 'close', callback: { kind: 'failed', reason: 'bored' } } as unknown as Command;
    expect(transition(resolved(), bogus, dispatcher, later, rules)).toEqual({ ok: false, refusal: { code: 'invalid', field: 'callback', reason: 'out_of_range' } });
    const long: Command = { type: 'close', callback: { kind: 'answered', rating: 'satisfied', comment: '长'.repeat(5000) } };
    expect(transition(resolved(), long, dispatcher, later, rules)).toMatchObject({ ok: false, refusal: { code: 'invalid', field: 'comment' } });
  });

  test('only staff close: the resident and the handler may not, whatever outcome they state', () => {
    const command: Command = { type: 'close', callback: { kind: 'answered', rating: 'satisfied' } };
    for (const actor of [resident, liaison, foreignDispatcher]) {
      expect(transition(resolved(), command, actor, later, rules)).toEqual({ ok: false, refusal: { code: 'not_allowed', command: 'close' } });
    }
  });

  test('a ticket rated already is archived as before, with no outcome to state', () => {
    const rated = ticket('callback', { rating: 'satisfied', solved: true });
    const r = transition(rated, { type: 'close', note: '已评价' }, dispatcher, later, rules);
    if (!r.ok) throw new Error(JSON.stringify(r.refusal));
    expect(r.events).toEqual([{ type: 'closed', fromState: 'callback', toState: 'closed', data: { reason: 'staff', note: '已评价' } }]);
    expect(r.ticket).toMatchObject({ state: 'closed', rating: 'satisfied', closedAt: later });
  });
});

describe('intake 受理 and routing 分流', () => {
  const draft = {
    number: 'MQ-2026-000009',
    kind: 'help' as const,
    categoryCode: 'power',
    policy: { handlingClass: 'promised' as const, resolveDays: 3, resolveHours: 24, acceptHours: 2, workingDays: true },
    summary: '村口路灯坏了',
    residentId: 1,
    hasResident: true,
    regionPath: [COUNTY, TOWNSHIP, VILLAGE],
    gridId: GRID,
    place: '东湖村 村口大槐树旁边',
    contactPhone: '13912345678',
    media: ['/uploads/aaaa.jpg'],
    latitude: 36.7,
    longitude: 118.6,
  };
  const facts = { villageRegionId: VILLAGE, townshipRegionId: TOWNSHIP, pairedLiaisonId: 10, gridLeaderIds: [12], departmentId: 5 };

  test('routing: paired liaison, else grid leader, else department, else the dispatchers', () => {
    expect(route(facts)).toEqual({ target: { personId: 10 }, handlingRegionId: VILLAGE, level: 'village', via: 'pairing' });
    expect(route({ ...facts, pairedLiaisonId: null })).toEqual({
      target: { personId: 12 },
      handlingRegionId: VILLAGE,
      level: 'village',
      via: 'grid_leader',
    });
    expect(route({ ...facts, pairedLiaisonId: null, gridLeaderIds: [] })).toEqual({
      target: { departmentId: 5 },
      handlingRegionId: TOWNSHIP,
      level: 'township',
      via: 'department',
    });
    expect(route({ ...facts, pairedLiaisonId: null, gridLeaderIds: [], departmentId: null })).toEqual({
      target: null,
      handlingRegionId: TOWNSHIP,
      level: 'township',
      via: 'none',
    });
  });

  test('a routed request is received and dispatched at once, with deadlines and timers', () => {
    const r = intake(draft, route(facts), NOW, rules);
    if (!r.ok) throw new Error('refused');
    expect(r.events.map((e) => [e.type, e.fromState, e.toState])).toEqual([
      ['received', null, 'received'],
      ['dispatched', 'received', 'dispatched'],
    ]);
    // The resident's report is theirs; the dispatch is the routing's, recorded as the system's.
    expect(r.events.map((e) => e.by)).toEqual([undefined, 'system']);
    expect(r.ticket).toMatchObject({
      state: 'dispatched',
      assigneeId: 10,
      acceptBy: new Date('2026-11-17T17:30:00+08:00'),
      resolveBy: new Date('2026-11-19T17:30:00+08:00'),
    });
    const ping = r.effects.find((e) => e.type === 'notify' && e.template === 'ticket.assigned');
    expect(ping).toMatchObject({ to: { personId: 10 }, actions: [{ payload: 'accept:MQ-2026-000009' }, { payload: 'return:MQ-2026-000009' }] });
    expect(r.effects).toContainEqual(expect.objectContaining({ to: { personId: 1 }, template: 'ticket.received_resident' }));
    expect(r.effects).toContainEqual({ type: 'set_timer', kind: 'accept_overdue', dueAt: new Date('2026-11-17T17:30:00+08:00') });
    expect(r.effects).toContainEqual({ type: 'set_timer', kind: 'resolve_reminder', dueAt: new Date('2026-11-19T13:30:00+08:00') });
  });

  test('an unrouted request waits for the dispatchers', () => {
    const r = intake(draft, route({ ...facts, pairedLiaisonId: null, gridLeaderIds: [], departmentId: null }), NOW, rules);
    if (!r.ok) throw new Error('refused');
    expect(r.ticket.state).toBe('received');
    expect(r.effects).toContainEqual(expect.objectContaining({ to: { role: 'dispatcher', regionId: TOWNSHIP }, template: 'ticket.received_dispatcher' }));
  });

  test('an empty summary is refused', () => {
    expect(intake({ ...draft, summary: '  ' }, route(facts), NOW, rules)).toEqual({
      ok: false,
      refusal: { code: 'invalid', field: 'summary', reason: 'required' },
    });
  });
});

describe('a ticket with no resident to answer (a meeting’s decision, 交办)', () => {
  // residentId 1 is the staff member who recorded the decision, not a resident waiting for an answer.
  const toPersonOne = (effects: { type: string; to?: unknown }[]) => effects.filter((e) => e.type === 'notify' && JSON.stringify(e.to) === '{"personId":1}');

  test('intake, 签收, progress and a note push nothing to whoever stands on residentId', () => {
    const received = intake(
      { ...(ticket('received') as unknown as Parameters<typeof intake>[0]), hasResident: false },
      { target: { personId: 10 }, handlingRegionId: VILLAGE, level: 'village', via: 'pairing' },
      NOW,
      rules,
    );
    if (!received.ok) throw new Error('refused');
    expect(received.ticket.hasResident).toBe(false);
    expect(toPersonOne(received.effects)).toEqual([]);
    expect(received.effects).toContainEqual(expect.objectContaining({ to: { personId: 10 }, template: 'ticket.assigned' }));
    for (const [state, command] of [
      ['dispatched', SAMPLES.accept.command],
      ['accepted', SAMPLES.progress.command],
      ['in_progress', { type: 'note', text: '已安排' }],
    ] as const) {
      const r = transition(ticket(state, { hasResident: false }), command, command.type === 'note' ? dispatcher : liaison, NOW, rules);
      if (!r.ok) throw new Error(`refused ${command.type}`);
      expect(toPersonOne(r.effects)).toEqual([]);
    }
  });

  test('办结 archives it in the same step: no rating request, no callback deadline, no callback timer', () => {
    const r = transition(ticket('in_progress', { hasResident: false }), SAMPLES.resolve.command, liaison, NOW, rules);
    if (!r.ok) throw new Error('refused');
    expect(r.events.map((e) => [e.type, e.toState, e.data['reason'] ?? null])).toEqual([
      ['resolved', 'resolved', null],
      ['closed', 'closed', 'no_resident'],
    ]);
    expect(r.ticket).toMatchObject({ state: 'closed', resolvedAt: NOW, closedAt: NOW, callbackBy: null, rating: null });
    expect(r.effects.filter((e) => e.type === 'notify')).toEqual([]);
    expect(r.effects.filter((e) => e.type === 'set_timer')).toEqual([]);
  });

  test('nobody is asked for information or answered, and whoever stands on residentId has no resident’s rights', () => {
    expect(transition(ticket('in_progress', { hasResident: false }), { type: 'reply', text: '已安排' }, dispatcher, NOW, rules)).toMatchObject({
      ok: false,
      refusal: { code: 'not_allowed' },
    });
    expect(transition(ticket('in_progress', { hasResident: false }), SAMPLES.request_info.command, liaison, NOW, rules)).toMatchObject({
      ok: false,
      refusal: { code: 'not_allowed' },
    });
    expect(transition(ticket('in_progress', { hasResident: false }), { type: 'withdraw' }, resident, NOW, rules)).toMatchObject({ ok: false, refusal: { code: 'not_allowed' } });
  });
});
