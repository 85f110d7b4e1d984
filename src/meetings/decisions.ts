/**
 * A meeting's decisions. Each becomes one of three things, so that nothing decided is
 * only written down:
 * - a ticket, through the pipeline (PipelineService.report, `via: 'meeting'`, registered
 *   by the staff member recording it), routed, timed and handled like any request, but
 *   with no resident to answer (src/pipeline/requester.ts): its residentId is the
 *   recorder, who is told nothing and asked to rate nothing, and it counts in no figure;
 * - a ledger item 台账 (src/ledger/ledger.ts), reviewed month by month there;
 * - an assignment 交办: an owner, a text and a deadline, tracked here until marked done
 *   (late once past its deadline, derived, never stored).
 * The owner of a ledger item or an assignment is told in chat through the outbox.
 * Refusals are {@link MeetingRefused}, Chinese first.
 */
import { z } from 'zod';
import { type Db, transaction } from '../db/client.js';
import { createLedgerItem, LedgerRefused, ledgerOwners, ledgerStatus, ownerPeople } from '../ledger/ledger.js';
import { localDateOf } from '../pipeline/calendar.js';
import { enqueuePush } from '../pipeline/outbox.js';
import { type PipelineService, withRetry } from '../pipeline/service.js';
import { RESOLVED_STATES, STATE_NAMES, type TicketState } from '../pipeline/states.js';
import { normaliseText } from '../privacy.js';
import { LEDGER_STATUS_NAMES } from '../web/console/ledger-page.js';
import type { RegionNode } from '../org/regions.js';
import { refusalText } from '../web/console/actions.js';
import { MEETING_NAMES, type MeetingKind } from './schedule.js';
import type { TicketAuditAction } from '../pipeline/event-kinds.js';
import { writeAssignmentDone } from './assignment-done.js';

/** A meeting action refused; the message says why, Chinese then English. */
export class MeetingRefused extends Error {
  override readonly name = 'MeetingRefused';
}

/** Minutes and decisions are what a meeting said: none before its day (Beijing). */
export function refuseBeforeMeeting(meeting: { heldOn: string }, now: Date): void {
  if (localDateOf(now) < meeting.heldOn) {
    throw new MeetingRefused(
      `会议将于 ${meeting.heldOn} 召开，开会后才能记录纪要和决定。 The meeting is on ${meeting.heldOn}: its minutes and decisions are recorded once it is held.`,
    );
  }
}

export type DecisionKind = 'ticket' | 'ledger' | 'assignment';
export const DECISION_KINDS: readonly DecisionKind[] = ['ticket', 'ledger', 'assignment'];
export const DECISION_NAMES: Readonly<Record<DecisionKind, { zh: string; en: string }>> = {
  ticket: { zh: '转为诉求', en: 'ticket' },
  ledger: { zh: '列入台账', en: 'ledger item' },
  assignment: { zh: '交办事项', en: 'assignment' },
};

/** A decision as the meeting page, the agenda and the minutes show it. */
export interface DecisionView {
  id: number;
  meetingId: number;
  kind: DecisionKind;
  text: string;
  ownerPersonId: number | null;
  /** The owner's name (a person in full, or a department), or null when there is none yet. */
  owner: string | null;
  deadline: string | null;
  /** Where it stands, Chinese first. */
  status: string;
  done: boolean;
  late: boolean;
  /** The ticket's number, or the ledger item's `台账 #ID`. */
  reference: string | null;
  ticketNumber: string | null;
  ledgerItemId: number | null;
}

/** The decisions of `meetingIds`, in the order they were made, as of `now`. */
export async function loadDecisions(db: Db, meetingIds: number[], now: Date): Promise<DecisionView[]> {
  if (!meetingIds.length) return [];
  const rows = await db.meetingDecision.findMany({ where: { meetingId: { in: meetingIds } }, orderBy: { id: 'asc' } });
  const ticketIds = rows.flatMap((r) => (r.ticketId === null ? [] : [r.ticketId]));
  const itemIds = rows.flatMap((r) => (r.ledgerItemId === null ? [] : [r.ledgerItemId]));
  const [tickets, items] = await Promise.all([
    db.ticket.findMany({
      where: { id: { in: ticketIds } },
      select: { id: true, number: true, state: true, overdue: true, resolveBy: true, assignee: { select: { name: true } }, assigneeDepartment: { select: { name: true } } },
    }),
    db.ledgerItem.findMany({ where: { id: { in: itemIds } } }),
  ]);
  const departments = await db.department.findMany({ where: { id: { in: items.flatMap((i) => (i.ownerDepartmentId === null ? [] : [i.ownerDepartmentId])) } } });
  const people = await db.person.findMany({
    where: { id: { in: [...rows.map((r) => r.ownerPersonId), ...items.map((i) => i.ownerPersonId)].filter((id): id is number => id !== null) } },
    select: { id: true, name: true },
  });
  const personName = new Map(people.map((p) => [p.id, p.name]));
  const ticketById = new Map(tickets.map((t) => [t.id, t]));
  const itemById = new Map(items.map((i) => [i.id, i]));
  const today = localDateOf(now);
  return rows.map((r) => {
    const base = { id: r.id, meetingId: r.meetingId, kind: r.kind as DecisionKind, text: r.text, ticketNumber: null, ledgerItemId: null };
    const ticket = r.ticketId === null ? undefined : ticketById.get(r.ticketId);
    if (ticket) {
      const state = STATE_NAMES[ticket.state as TicketState];
      return {
        ...base,
        ownerPersonId: null,
        owner: ticket.assignee?.name ?? ticket.assigneeDepartment?.name ?? null,
        deadline: ticket.resolveBy === null ? null : localDateOf(ticket.resolveBy),
        status: `${state.zh} ${state.en}`,
        done: (RESOLVED_STATES as readonly string[]).includes(ticket.state),
        late: ticket.overdue,
        reference: ticket.number,
        ticketNumber: ticket.number,
      };
    }
    const item = r.ledgerItemId === null ? undefined : itemById.get(r.ledgerItemId);
    if (item) {
      const status = ledgerStatus(item, today);
      const owner = item.ownerPersonId === null ? (departments.find((d) => d.id === item.ownerDepartmentId)?.name ?? null) : (personName.get(item.ownerPersonId) ?? null);
      return {
        ...base,
        ownerPersonId: item.ownerPersonId,
        owner,
        deadline: item.deadline,
        status: `${LEDGER_STATUS_NAMES[status].zh} ${LEDGER_STATUS_NAMES[status].en}`,
        done: status === 'done' || status === 'dropped',
        late: status === 'late',
        reference: `台账 #${item.id}`,
        ledgerItemId: item.id,
      };
    }
    const done = r.doneAt !== null;
    const late = !done && r.deadline !== null && today > r.deadline;
    return {
      ...base,
      ownerPersonId: r.ownerPersonId,
      owner: r.ownerPersonId === null ? null : (personName.get(r.ownerPersonId) ?? null),
      deadline: r.deadline,
      status: done ? '已完成 done' : late ? '逾期 late' : '推进中 on track',
      done,
      late,
      reference: null,
    };
  });
}

/** Whether `date` is a real calendar day written YYYY-MM-DD. */
function isDay(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

const TEXT_MAX = 200;
/** A ticket's summary is at most this long (as the console's intake); the whole text is its description. */
const SUMMARY_MAX = 60;

/** What the decision form sends. */
export const decisionInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ticket'),
    text: z.string(),
    categoryCode: z.string().min(1, '请选择诉求类别。 Choose the request’s category.'),
  }),
  z.object({
    kind: z.literal('ledger'),
    text: z.string(),
    owner: z.string().regex(/^(person|department):\d{1,9}$/, '请选择责任人或责任部门。 Choose the owner, a person or a department.'),
    deadline: z.string().refine(isDay, '完成时限应为 YYYY-MM-DD 格式的日期。 The deadline must be a date, YYYY-MM-DD.'),
  }),
  z.object({
    kind: z.literal('assignment'),
    text: z.string(),
    owner: z.string().regex(/^person:\d{1,9}$/, '请选择责任人。 Choose the person responsible.'),
    deadline: z.string().refine(isDay, '完成时限应为 YYYY-MM-DD 格式的日期。 The deadline must be a date, YYYY-MM-DD.'),
  }),
]);
export type DecisionInput = z.input<typeof decisionInputSchema>;

/** The meeting a decision is made at. */
export interface DecisionMeeting {
  id: number;
  regionId: number;
  kind: MeetingKind;
  heldOn: string;
}

/** What recording a decision needs: the database, the regions, the pipeline (for tickets). */
export interface DecisionContext {
  db: Db;
  regions: Map<number, RegionNode>;
  pipeline: PipelineService;
  actorId: number;
  now: Date;
}

function cleaned(text: string): string {
  return normaliseText(text).replace(/\s+/g, ' ').trim();
}

/** The meeting's name as its owners read it: 2026-11-20 红星村村务议政会. */
export function meetingTitle(meeting: { kind: MeetingKind; heldOn: string }, regionName: string): string {
  return `${meeting.heldOn} ${regionName}${MEETING_NAMES[meeting.kind].zh}`;
}

/**
 * The title of the meeting whose decision ticket `ticketId` is (2026-11-20 红星村村务议政会),
 * for where the ticket's resident would be named; null when no decision names it.
 */
export async function decidingMeetingTitle(db: Db, ticketId: number): Promise<string | null> {
  const decision = await db.meetingDecision.findFirst({ where: { ticketId }, select: { meetingId: true } });
  const meeting = decision && (await db.meeting.findUnique({ where: { id: decision.meetingId }, select: { kind: true, heldOn: true, regionId: true } }));
  if (!meeting) return null;
  const region = await db.region.findUnique({ where: { id: meeting.regionId }, select: { name: true } });
  return meetingTitle({ kind: meeting.kind as MeetingKind, heldOn: meeting.heldOn }, region?.name ?? '');
}

/** Records a decision of `meeting` as a ticket, a ledger item or an assignment; returns its id. */
export async function addDecision(ctx: DecisionContext, meeting: DecisionMeeting, input: DecisionInput): Promise<number> {
  if (!(DECISION_KINDS as readonly string[]).includes(input.kind)) throw new MeetingRefused('请选择决定的办理方式。 Choose what the decision becomes.');
  const parsed = decisionInputSchema.safeParse(input);
  if (!parsed.success) throw new MeetingRefused(parsed.error.issues[0]?.message ?? '表单有误。 The form is not right.');
  const decision = parsed.data;
  refuseBeforeMeeting(meeting, ctx.now);
  if (decision.kind !== 'ticket' && decision.deadline < localDateOf(ctx.now)) {
    throw new MeetingRefused('完成时限不能早于今天。 The deadline cannot be in the past.');
  }
  const text = cleaned(decision.text);
  if (!text) throw new MeetingRefused('请填写决定内容。 Write the decision.');
  const max = decision.kind === 'ledger' ? 100 : TEXT_MAX;
  if ([...text].length > max) throw new MeetingRefused(`决定内容不能超过 ${max} 个字。 The decision may have at most ${max} characters.`);
  const region = ctx.regions.get(meeting.regionId);
  const title = meetingTitle(meeting, region?.name ?? '');
  const row = { meetingId: meeting.id, kind: decision.kind, text, createdById: ctx.actorId, createdAt: ctx.now };

  if (decision.kind === 'ticket') {
    if (region?.level === 'county') throw new MeetingRefused('县级调度会的决定请列入台账或交办。 A county meeting’s decision becomes a ledger item or an assignment.');
    // The ticket and its decision row commit together: the ticket's page names its meeting
    // from that row, and a ticket with no decision would be nobody's request.
    return withRetry(ctx.db, async (tx) => {
      const outcome = await ctx.pipeline.reportIn(tx, {
        residentId: ctx.actorId,
        categoryCode: decision.categoryCode,
        kind: 'help',
        summary: [...text].slice(0, SUMMARY_MAX).join(''),
        description: `${title}：${text}`,
        regionId: meeting.regionId,
        via: 'meeting',
        registeredBy: ctx.actorId,
      });
      if (!outcome.ok) throw new MeetingRefused(refusalText(outcome.refusal));
      const created = await tx.meetingDecision.create({ data: { ...row, ticketId: outcome.ticket.id } });
      await tx.auditEvent.create({
        data: {
          action: 'meeting_decision' satisfies TicketAuditAction,
          actorId: ctx.actorId,
          ticketId: outcome.ticket.id,
          at: ctx.now,
          data: JSON.stringify({ meetingId: meeting.id, decisionId: created.id, kind: 'ticket' }),
        },
      });
      return created.id;
    });
  }

  let ledgerItemId: number | null = null;
  let recipients: number[];
  if (decision.kind === 'ledger') {
    try {
      ledgerItemId = await createLedgerItem(
        ctx.db,
        ctx.regions,
        { regionId: meeting.regionId, goal: text, measures: `按${title}的决定办理。`, deadline: decision.deadline, owner: decision.owner, isPublic: false, themeId: null },
        ctx.actorId,
        ctx.now,
      );
    } catch (error) {
      if (error instanceof LedgerRefused) throw new MeetingRefused(error.message);
      throw error;
    }
    const item = await ctx.db.ledgerItem.findUniqueOrThrow({ where: { id: ledgerItemId } });
    recipients = await ownerPeople(ctx.db, item);
  } else {
    const personId = Number(decision.owner.slice('person:'.length));
    const eligible = await ledgerOwners(ctx.db, ctx.regions, meeting.regionId);
    if (!eligible.people.some((p) => p.id === personId)) throw new MeetingRefused('所选责任人不属于该地区。 The person chosen does not belong to the region.');
    recipients = [personId];
  }
  const deadline = decision.deadline;
  return transaction(ctx.db, async (tx) => {
    const created = await tx.meetingDecision.create({
      data: { ...row, ledgerItemId, ownerPersonId: decision.kind === 'assignment' ? recipients[0]! : null, deadline: decision.kind === 'assignment' ? deadline : null },
    });
    await tx.auditEvent.create({
      data: {
        action: 'meeting_decision',
        actorId: ctx.actorId,
        at: ctx.now,
        data: JSON.stringify({ meetingId: meeting.id, decisionId: created.id, kind: decision.kind, ledgerItemId }),
      },
    });
    await enqueuePush(
      tx,
      recipients,
      decision.kind === 'assignment'
        ? { template: 'meeting.assigned', params: { meeting: title, text, deadline }, actions: [{ label: 'meeting.mark_done', payload: `assignment:${created.id}` }] }
        : { template: 'meeting.ledger_assigned', params: { meeting: title, id: ledgerItemId ?? 0, text, deadline } },
      ctx.now,
    );
    return created.id;
  });
}

/** Marks an open assignment done from the console (its owner in chat: src/meetings/chat.ts). Refused when not an open assignment. */
export async function markAssignmentDone(db: Db, decisionId: number, actorId: number, now: Date): Promise<void> {
  await transaction(db, async (tx) => {
    if (!(await writeAssignmentDone(tx, decisionId, actorId, now, { decisionId }))) {
      throw new MeetingRefused('该交办事项不存在或已完成。 The assignment does not exist or is done already.');
    }
  });
}
