/**
 * What a dispatcher (or supervisor) does to a ticket from the console. Each action is a
 * pipeline command run by PipelineService with the staff member as the actor, so the
 * ticket, its events, its timers and the chat pings to the people concerned commit
 * together, exactly as when the same step is taken from chat.
 */
import type { Db } from '../../db/client.js';
import { renderRefusal } from '../../engine/i18n.js';
import { ALLOWED_FROM, isPermitted } from '../../pipeline/machine.js';
import type { Actor, CallbackOutcome, Command, Refusal, TicketSnapshot } from '../../pipeline/model.js';
import { actorFor, type PipelineService, snapshotOf, TicketNotFoundError } from '../../pipeline/service.js';
import { CALLBACK_FAILURES, type CallbackFailure, RATINGS, type Rating } from '../../pipeline/states.js';
import { type StaffScope } from './scope.js';
import { pathOf, type RegionNode } from '../../org/regions.js';
import { normaliseText } from '../../privacy.js';

/** The actions the console offers, in the order the page lists them. */
export const CONSOLE_ACTIONS = [
  'reply',
  'note',
  'dispatch',
  'approve_extension',
  'deny_extension',
  'escalate',
  'hand_back',
  'supervise',
  'recategorise',
  'merge',
  'rate',
  'close',
  'reopen',
] as const;
export type ConsoleAction = (typeof CONSOLE_ACTIONS)[number];

export function isConsoleAction(name: string): name is ConsoleAction {
  return (CONSOLE_ACTIONS as readonly string[]).includes(name);
}

/** Labels of the actions (buttons and headings). */
export const ACTION_NAMES: Record<ConsoleAction, { zh: string; en: string }> = {
  reply: { zh: '答复群众', en: 'Reply to the resident' },
  note: { zh: '内部备注', en: 'Internal note' },
  recategorise: { zh: '改类', en: 'Change category' },
  dispatch: { zh: '派单 / 改派', en: 'Dispatch / reassign' },
  approve_extension: { zh: '批准延期', en: 'Approve extension' },
  deny_extension: { zh: '不批准延期', en: 'Deny extension' },
  escalate: { zh: '上报', en: 'Escalate' },
  hand_back: { zh: '退回乡镇', en: 'Return to the township' },
  supervise: { zh: '督办', en: 'Supervise' },
  merge: { zh: '合并重复诉求', en: 'Merge duplicate' },
  rate: { zh: '电话回访', en: 'Phone callback' },
  close: { zh: '归档', en: 'Close' },
  reopen: { zh: '重办', en: 'Reopen' },
};

/** A handler one may dispatch to: `p<personId>` or `d<departmentId>`. */
export interface DispatchOption {
  value: string;
  label: string;
  kind: 'person' | 'department';
}

/**
 * The handlers a ticket may go to from the console: the liaisons and grid leaders of its
 * village, and the departments of its township and county that lie inside the user's
 * scope (a township dispatcher picks among the township's departments).
 */
export async function dispatchOptions(db: Db, scope: StaffScope, regions: Map<number, RegionNode>, ticket: { regionId: number }): Promise<DispatchOption[]> {
  const path = pathOf(regions, ticket.regionId);
  const [roles, departments] = await Promise.all([
    db.personRole.findMany({
      where: { role: { in: ['liaison', 'grid_leader'] }, regionId: ticket.regionId },
      select: { role: true, person: { select: { id: true, name: true, code: true } }, grid: { select: { name: true } } },
      orderBy: { personId: 'asc' },
    }),
    db.department.findMany({
      where: { regionId: { in: path.filter((id) => scope.regionIds.includes(id)) } },
      select: { id: true, name: true, region: { select: { name: true, level: true } } },
      orderBy: [{ level: 'asc' }, { code: 'asc' }],
    }),
  ]);
  const people = new Map<number, DispatchOption>();
  for (const r of roles) {
    const existing = people.get(r.person.id);
    const leads = r.role === 'grid_leader' && r.grid ? `网长 ${r.grid.name}` : null;
    if (existing) {
      if (leads) existing.label = `${existing.label}（${leads}）`;
      continue;
    }
    people.set(r.person.id, { value: `p${r.person.id}`, label: `网格员 ${r.person.name} ${r.person.code}${leads ? `（${leads}）` : ''}`, kind: 'person' });
  }
  return [...people.values(), ...departments.map((d) => ({ value: `d${d.id}`, label: `${d.region.name} ${d.name}`, kind: 'department' as const }))];
}

/** The console actions this actor may take on the ticket now (state and permission). */
export function availableActions(snapshot: TicketSnapshot, actor: Actor): ConsoleAction[] {
  return CONSOLE_ACTIONS.filter((a) => ALLOWED_FROM[a].includes(snapshot.state) && isPermitted(snapshot, a, actor));
}

/** The actor and the machine's view of a ticket, for choosing what to offer. */
export async function actionContext(db: Db, personId: number, ticketId: number): Promise<{ actor: Actor; snapshot: TicketSnapshot } | null> {
  const ticket = await db.ticket.findUnique({ where: { id: ticketId } });
  if (!ticket) return null;
  const [actor, snapshot] = await Promise.all([actorFor(db, personId), snapshotOf(db, ticket)]);
  return { actor, snapshot };
}

/** A form that does not make a command: what is wrong, in both languages. */
export class FormProblem extends Error {
  override readonly name = 'FormProblem';
}

/** A field as typed text is kept (normaliseText: full-width ＭＱ－２０２６－… reads as MQ-2026-…). */
function text(form: URLSearchParams, name: string): string {
  return normaliseText(form.get(name) ?? '').trim();
}

function isRating(value: string): value is Rating {
  return (RATINGS as readonly string[]).includes(value);
}

function isCallbackFailure(value: string): value is CallbackFailure {
  return (CALLBACK_FAILURES as readonly string[]).includes(value);
}

/** The resident's answer to a phone callback 电话回访: the rating, whether solved, their words. */
function phoneAnswer(form: URLSearchParams, rating: Rating): { rating: Rating; solved?: boolean; comment?: string } {
  const solved = text(form, 'solved');
  const comment = text(form, 'comment');
  return {
    rating,
    ...(solved === 'yes' ? { solved: true } : solved === 'no' ? { solved: false } : {}),
    ...(comment ? { comment } : {}),
  };
}

/**
 * What the close form says the callback came to (field `callback`): a rating, a reason
 * it failed, or nothing (the pipeline then closes only a ticket rated already).
 */
function callbackOutcome(form: URLSearchParams): CallbackOutcome | undefined {
  const value = text(form, 'callback');
  if (!value) return undefined;
  if (isRating(value)) return { kind: 'answered', ...phoneAnswer(form, value) };
  if (isCallbackFailure(value)) return { kind: 'failed', reason: value };
  throw new FormProblem('请从列表中选择回访结果 choose the callback outcome from the list');
}

/**
 * The command a posted form asks for.
 * @throws FormProblem when a choice is missing or not one offered.
 */
export function commandOf(action: ConsoleAction, form: URLSearchParams, options: DispatchOption[], categories: readonly string[] = []): Command {
  switch (action) {
    case 'reply':
      return { type: 'reply', text: text(form, 'text') };
    case 'note':
      return { type: 'note', text: text(form, 'text') };
    case 'recategorise': {
      const code = text(form, 'category');
      if (!categories.includes(code)) throw new FormProblem('请从列表中选择类别 choose a category from the list');
      const note = text(form, 'note');
      return { type: 'recategorise', categoryCode: code, ...(note ? { note } : {}) };
    }
    case 'dispatch': {
      const value = text(form, 'target');
      const option = options.find((o) => o.value === value);
      if (!option) throw new FormProblem('请选择经办人或部门 choose a handler from the list');
      const id = Number(value.slice(1));
      const note = text(form, 'note');
      return { type: 'dispatch', target: option.kind === 'person' ? { personId: id } : { departmentId: id }, ...(note ? { note } : {}) };
    }
    case 'approve_extension': {
      const daysText = text(form, 'days');
      const note = text(form, 'note');
      if (daysText && !/^\d{1,3}$/.test(daysText)) throw new FormProblem('延期天数应为 1 到 30 的整数 the days must be a whole number from 1 to 30');
      return { type: 'approve_extension', ...(daysText ? { days: Number(daysText) } : {}), ...(note ? { note } : {}) };
    }
    case 'deny_extension':
      return { type: 'deny_extension', reason: text(form, 'reason') };
    case 'escalate':
      return { type: 'escalate', reason: text(form, 'reason') };
    case 'hand_back':
      return { type: 'hand_back', reason: text(form, 'reason') };
    case 'supervise':
      return { type: 'supervise', note: text(form, 'note') };
    case 'merge': {
      const note = text(form, 'note');
      // A number, not prose: full-width punctuation (－) folds too.
      return { type: 'merge', into: text(form, 'into').normalize('NFKC').toUpperCase(), ...(note ? { note } : {}) };
    }
    case 'rate': {
      const rating = text(form, 'rating');
      if (!isRating(rating)) throw new FormProblem("请选择群众的评价 choose the resident's rating");
      return { type: 'rate', via: 'phone', ...phoneAnswer(form, rating) };
    }
    case 'close': {
      const note = text(form, 'note');
      const callback = callbackOutcome(form);
      return { type: 'close', ...(note ? { note } : {}), ...(callback ? { callback } : {}) };
    }
    case 'reopen':
      return { type: 'reopen', reason: text(form, 'reason') };
  }
}

/** Names of the fields a refusal may point at. */
const FIELD_NAMES: Record<string, { zh: string; en: string }> = {
  reason: { zh: '原因', en: 'reason' },
  note: { zh: '备注', en: 'note' },
  into: { zh: '合并到的诉求编号', en: 'the number to merge into' },
  days: { zh: '延期天数', en: 'days' },
  comment: { zh: '留言', en: 'comment' },
  callback: { zh: '回访结果', en: 'callback outcome' },
  text: { zh: '内容', en: 'text' },
  category: { zh: '类别', en: 'category' },
};

/** A refusal of the pipeline as the console shows it: Chinese, then English. */
export function refusalText(refusal: Refusal): string {
  const named = (locale: 'zh' | 'en'): Refusal => (refusal.code === 'invalid' ? { ...refusal, field: FIELD_NAMES[refusal.field]?.[locale] ?? refusal.field } : refusal);
  return `${renderRefusal('zh', named('zh'))} ${renderRefusal('en', named('en'))}`;
}

/** What became of an action: the ticket's state after it, or why it was refused (in words, and by code). */
export type ActionOutcome = { ok: true; state: string } | { ok: false; message: string; code: Refusal['code'] | 'not_found' };

/**
 * Runs a console action through the pipeline as the staff member; through a REST API key
 * (`apiKey`, its name), which the events then name.
 */
export async function runAction(pipeline: PipelineService, number: string, command: Command, personId: number, apiKey?: string): Promise<ActionOutcome> {
  const person = await actorFor(pipeline.db, personId);
  const actor: Actor = apiKey !== undefined && person.kind === 'person' ? { ...person, apiKey } : person;
  try {
    const outcome = await pipeline.execute(number, command, actor);
    return outcome.ok ? { ok: true, state: outcome.ticket.state } : { ok: false, message: refusalText(outcome.refusal), code: outcome.refusal.code };
  } catch (error) {
    if (error instanceof TicketNotFoundError) return { ok: false, message: '没有找到这件诉求 there is no such request', code: 'not_found' };
    throw error;
  }
}

/**
 * Why a merge may not go into the ticket it names, or null when it may: the ticket to
 * merge into must be one the user reaches too (`reaches`: the console's scope, narrowed
 * further for an API key).
 */
export async function mergeTargetProblem(
  db: Db,
  command: Extract<Command, { type: 'merge' }>,
  reaches: (ticket: { regionId: number; gridId: number | null; assigneeDepartmentId: number | null }) => boolean,
): Promise<string | null> {
  const target = await db.ticket.findUnique({ where: { number: command.into }, select: { regionId: true, gridId: true, assigneeDepartmentId: true } });
  if (target && reaches(target)) return null;
  return `“合并到的诉求编号”填写有误：没有找到这件诉求。 "the number to merge into" is not right: there is no such request (${command.into}).`;
}
