/**
 * 每月一题, the month's theme: a recurring problem (often one of ./proposals.ts) that staff
 * of a township or the county adopt for a month — a title, the 2–3 concrete problems, the
 * owner departments — then work: tasks with an owner department and a deadline, marked
 * done with a note (late once the deadline has passed undone), and the tickets it answers
 * linked to it. Its progress (tasks done, linked tickets resolved) is shown to staff, on
 * the public board and in the monthly report.
 *
 * Every staff action is an audit event (who, when, what) besides the row it writes.
 * Refusals are {@link ThemeRefused}, their message Chinese first, for the form to show.
 */
import type { Db } from '../db/client.js';
import { localDateOf } from '../pipeline/calendar.js';
import { RESOLVED_STATES, type TicketState } from '../pipeline/states.js';
import { normaliseText, rosterNames, scrub } from '../privacy.js';
import { pathOf, type RegionNode, subtreeIds } from '../org/regions.js';
import type { TicketAuditAction } from '../pipeline/event-kinds.js';

/** A theme action refused; the message says why, Chinese then English. */
export class ThemeRefused extends Error {
  override readonly name = 'ThemeRefused';
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const TITLE_MAX = 40;
const PROBLEM_MAX = 100;
const TEXT_MAX = 200;

/** What staff fill in to adopt a theme. */
export interface ThemeInput {
  regionId: number;
  month: string;
  title: string;
  problems: string[];
  departmentIds: number[];
  /** The proposal's key (`word:路灯`), or '' for a theme written by hand. */
  source: string;
}

export interface TaskInput {
  text: string;
  departmentId: number;
  /** YYYY-MM-DD. */
  deadline: string;
}

/** Where a task stands: done, late (past its deadline, not done), or open. */
export type TaskStatus = 'done' | 'late' | 'open';

export interface ThemeTaskView {
  id: number;
  text: string;
  departmentId: number;
  department: string;
  deadline: string;
  status: TaskStatus;
  doneAt: Date | null;
  doneBy: string | null;
  doneNote: string | null;
}

export interface ThemeTicketView {
  id: number;
  number: string;
  summary: string;
  state: TicketState;
  regionId: number;
  resolved: boolean;
}

/** A theme's progress: tasks done of all (and late), linked tickets resolved of all. */
export interface ThemeProgress {
  tasksDone: number;
  tasksLate: number;
  tasks: number;
  ticketsResolved: number;
  tickets: number;
}

export interface ThemeView {
  id: number;
  regionId: number;
  region: string;
  month: string;
  title: string;
  problems: string[];
  departments: { id: number; name: string }[];
  source: string;
  adoptedBy: string;
  adoptedAt: Date;
  tasks: ThemeTaskView[];
  tickets: ThemeTicketView[];
  progress: ThemeProgress;
}

function cleaned(text: string | null | undefined): string {
  return normaliseText(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

function jsonList<T>(text: string, keep: (v: unknown) => v is T): T[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter(keep) : [];
  } catch {
    return [];
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Whether `date` is a real calendar day written YYYY-MM-DD. */
function isDay(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

/** The departments that may own a theme of `regionId`: those of the region, the regions below it and the regions above it. */
export async function themeDepartments(db: Db, regions: Map<number, RegionNode>, regionId: number): Promise<{ id: number; name: string }[]> {
  const ids = [...new Set([...subtreeIds(regions, regionId), ...pathOf(regions, regionId)])];
  return db.department.findMany({ where: { regionId: { in: ids } }, select: { id: true, name: true }, orderBy: { code: 'asc' } });
}

/** A task's status on the day `today` (YYYY-MM-DD, Beijing). */
export function taskStatus(task: { doneAt: Date | null; deadline: string }, today: string): TaskStatus {
  if (task.doneAt !== null) return 'done';
  return today > task.deadline ? 'late' : 'open';
}

/**
 * Adopts a theme. Refused (with the reason) when the month is not YYYY-MM, the title is
 * empty or longer than 40 characters, there are not 2–3 problems, no owner department
 * or one that does not belong to the region.
 */
export async function adoptTheme(db: Db, regions: Map<number, RegionNode>, input: ThemeInput, actorId: number, now: Date): Promise<number> {
  const title = cleaned(input.title);
  const problems = input.problems.map(cleaned).filter(Boolean);
  if (!MONTH.test(input.month)) throw new ThemeRefused(`月份格式应为 YYYY-MM。 The month must look like YYYY-MM.`);
  if (!regions.has(input.regionId)) throw new ThemeRefused('请选择地区。 Choose a region.');
  if (!title) throw new ThemeRefused('请填写主题名称。 Write the theme’s title.');
  if ([...title].length > TITLE_MAX) throw new ThemeRefused(`主题名称不能超过 ${TITLE_MAX} 个字。 The title may have at most ${TITLE_MAX} characters.`);
  if (problems.length < 2 || problems.length > 3) throw new ThemeRefused('请写明 2 至 3 个具体问题。 Name 2 to 3 concrete problems.');
  if (problems.some((p) => [...p].length > PROBLEM_MAX)) throw new ThemeRefused(`每个问题不能超过 ${PROBLEM_MAX} 个字。 Each problem may have at most ${PROBLEM_MAX} characters.`);
  const departmentIds = [...new Set(input.departmentIds)];
  if (!departmentIds.length) throw new ThemeRefused('请至少选择一个牵头部门。 Choose at least one owner department.');
  const eligible = new Set((await themeDepartments(db, regions, input.regionId)).map((d) => d.id));
  if (departmentIds.some((id) => !eligible.has(id))) throw new ThemeRefused('所选部门不属于该地区。 A department chosen does not belong to the region.');
  const same = await db.theme.findFirst({ where: { regionId: input.regionId, month: input.month, title }, select: { id: true } });
  if (same) throw new ThemeRefused(`该地区 ${input.month} 已有同名主题。 The region has a theme of that title for ${input.month} already.`);
  const source = input.source.startsWith('category:') || input.source.startsWith('word:') ? input.source.slice(0, 80) : '';
  return db.$transaction(async (tx) => {
    const theme = await tx.theme.create({
      data: {
        regionId: input.regionId,
        month: input.month,
        title,
        problems: JSON.stringify(problems),
        departmentIds: JSON.stringify(departmentIds),
        source,
        adoptedById: actorId,
        adoptedAt: now,
      },
    });
    await tx.auditEvent.create({ data: { action: 'theme_adopted', actorId, at: now, data: JSON.stringify({ themeId: theme.id, title, month: input.month, source }) } });
    return theme.id;
  });
}

/** Adds a task. Refused for an empty or too long text, a department not among the theme's owners, or a deadline that is no date. */
export async function addThemeTask(db: Db, themeId: number, input: TaskInput, actorId: number, now: Date): Promise<number> {
  const theme = await db.theme.findUnique({ where: { id: themeId }, select: { departmentIds: true } });
  if (!theme) throw new ThemeRefused('没有这个主题。 There is no such theme.');
  const text = cleaned(input.text);
  if (!text) throw new ThemeRefused('请填写任务内容。 Write what the task is.');
  if ([...text].length > TEXT_MAX) throw new ThemeRefused(`任务内容不能超过 ${TEXT_MAX} 个字。 A task may have at most ${TEXT_MAX} characters.`);
  if (!jsonList(theme.departmentIds, isId).includes(input.departmentId)) throw new ThemeRefused('请从牵头部门中选择责任部门。 Choose the task’s department among the owners.');
  if (!isDay(input.deadline)) throw new ThemeRefused('截止日期应为 YYYY-MM-DD 格式的日期。 The deadline must be a date, YYYY-MM-DD.');
  return db.$transaction(async (tx) => {
    const task = await tx.themeTask.create({ data: { themeId, text, departmentId: input.departmentId, deadline: input.deadline, createdById: actorId, createdAt: now } });
    await tx.auditEvent.create({ data: { action: 'theme_task_added', actorId, at: now, data: JSON.stringify({ themeId, taskId: task.id, deadline: input.deadline }) } });
    return task.id;
  });
}

/** Marks a task done with a note of what was done. Refused without a note, or when it is done already. */
export async function completeThemeTask(db: Db, themeId: number, taskId: number, note: string, actorId: number, now: Date): Promise<void> {
  const text = cleaned(note);
  if (!text) throw new ThemeRefused('请填写完成情况。 Write what was done.');
  if ([...text].length > TEXT_MAX) throw new ThemeRefused(`完成情况不能超过 ${TEXT_MAX} 个字。 The note may have at most ${TEXT_MAX} characters.`);
  await db.$transaction(async (tx) => {
    // Only a task still open changes: a second click (or a second staff member) is told so.
    const { count } = await tx.themeTask.updateMany({ where: { id: taskId, themeId, doneAt: null }, data: { doneAt: now, doneById: actorId, doneNote: text } });
    if (count === 0) throw new ThemeRefused('该任务不存在或已完成。 The task does not exist or is done already.');
    await tx.auditEvent.create({ data: { action: 'theme_task_done', actorId, at: now, data: JSON.stringify({ themeId, taskId }) } });
  });
}

/**
 * Links the ticket `ticketId` to a theme. Refused when the ticket is not placed inside
 * the theme's region or is linked already. The caller checks that the user may see it.
 */
export async function linkThemeTicket(
  db: Db,
  regions: Map<number, RegionNode>,
  themeId: number,
  ticket: { id: number; number: string; regionId: number },
  actorId: number,
  now: Date,
): Promise<void> {
  const theme = await db.theme.findUnique({ where: { id: themeId }, select: { regionId: true } });
  if (!theme) throw new ThemeRefused('没有这个主题。 There is no such theme.');
  if (!subtreeIds(regions, theme.regionId).includes(ticket.regionId)) {
    throw new ThemeRefused(`诉求 ${ticket.number} 不在该主题的地区内。 Request ${ticket.number} is not in the theme’s region.`);
  }
  const linked = await db.themeTicket.findUnique({ where: { themeId_ticketId: { themeId, ticketId: ticket.id } } });
  if (linked) throw new ThemeRefused(`诉求 ${ticket.number} 已关联到该主题。 Request ${ticket.number} is linked already.`);
  await db.$transaction(async (tx) => {
    await tx.themeTicket.create({ data: { themeId, ticketId: ticket.id, linkedById: actorId, linkedAt: now } });
    await tx.auditEvent.create({ data: { action: 'theme_ticket_linked' satisfies TicketAuditAction, actorId, ticketId: ticket.id, at: now, data: JSON.stringify({ themeId }) } });
  });
}

const RESOLVED = new Set<string>(RESOLVED_STATES);

/**
 * The themes whose ids are given, each with its tasks (status as of `now`), linked
 * tickets and progress; in the order of `ids`.
 */
export async function loadThemes(db: Db, regions: Map<number, RegionNode>, ids: number[], now: Date): Promise<ThemeView[]> {
  if (!ids.length) return [];
  const [themes, tasks, links] = await Promise.all([
    db.theme.findMany({ where: { id: { in: ids } } }),
    db.themeTask.findMany({ where: { themeId: { in: ids } }, orderBy: [{ deadline: 'asc' }, { id: 'asc' }] }),
    db.themeTicket.findMany({ where: { themeId: { in: ids } }, orderBy: { linkedAt: 'asc' } }),
  ]);
  const departmentIds = new Set([...themes.flatMap((t) => jsonList(t.departmentIds, isId)), ...tasks.map((t) => t.departmentId)]);
  const personIds = new Set([...themes.map((t) => t.adoptedById), ...tasks.flatMap((t) => (t.doneById === null ? [] : [t.doneById]))]);
  const [departments, people, tickets] = await Promise.all([
    db.department.findMany({ where: { id: { in: [...departmentIds] } }, select: { id: true, name: true } }),
    db.person.findMany({ where: { id: { in: [...personIds] } }, select: { id: true, name: true } }),
    db.ticket.findMany({ where: { id: { in: [...new Set(links.map((l) => l.ticketId))] } }, select: { id: true, number: true, summary: true, state: true, regionId: true } }),
  ]);
  const departmentName = new Map(departments.map((d) => [d.id, d.name]));
  const personName = new Map(people.map((p) => [p.id, p.name]));
  const ticketById = new Map(tickets.map((t) => [t.id, t]));
  const today = localDateOf(now);
  const byId = new Map(
    themes.map((theme) => {
      const ownTasks: ThemeTaskView[] = tasks
        .filter((t) => t.themeId === theme.id)
        .map((t) => ({
          id: t.id,
          text: t.text,
          departmentId: t.departmentId,
          department: departmentName.get(t.departmentId) ?? '',
          deadline: t.deadline,
          status: taskStatus(t, today),
          doneAt: t.doneAt,
          doneBy: t.doneById === null ? null : (personName.get(t.doneById) ?? null),
          doneNote: t.doneNote,
        }));
      const ownTickets: ThemeTicketView[] = links
        .filter((l) => l.themeId === theme.id)
        .flatMap((l) => {
          const t = ticketById.get(l.ticketId);
          return t ? [{ id: t.id, number: t.number, summary: t.summary, state: t.state as TicketState, regionId: t.regionId, resolved: RESOLVED.has(t.state) }] : [];
        });
      const view: ThemeView = {
        id: theme.id,
        regionId: theme.regionId,
        region: regions.get(theme.regionId)?.name ?? '',
        month: theme.month,
        title: theme.title,
        problems: jsonList(theme.problems, isString),
        departments: jsonList(theme.departmentIds, isId).map((id) => ({ id, name: departmentName.get(id) ?? '' })),
        source: theme.source,
        adoptedBy: personName.get(theme.adoptedById) ?? '',
        adoptedAt: theme.adoptedAt,
        tasks: ownTasks,
        tickets: ownTickets,
        progress: {
          tasksDone: ownTasks.filter((t) => t.status === 'done').length,
          tasksLate: ownTasks.filter((t) => t.status === 'late').length,
          tasks: ownTasks.length,
          ticketsResolved: ownTickets.filter((t) => t.resolved).length,
          tickets: ownTickets.length,
        },
      };
      return [theme.id, view] as const;
    }),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The ids of the themes adopted for any of `regionIds`, of `month` when given; newest month first, then by id. */
export async function themeIds(db: Db, regionIds: number[], month?: string, limit = 100): Promise<number[]> {
  const rows = await db.theme.findMany({
    where: { regionId: { in: regionIds }, ...(month === undefined ? {} : { month }) },
    select: { id: true },
    orderBy: [{ month: 'desc' }, { id: 'asc' }],
    take: limit,
  });
  return rows.map((r) => r.id);
}

/** The themes a ticket is linked to. */
export async function themesOfTicket(db: Db, ticketId: number): Promise<number[]> {
  return (await db.themeTicket.findMany({ where: { ticketId }, select: { themeId: true }, orderBy: { themeId: 'asc' } })).map((l) => l.themeId);
}

/**
 * Themes as they may be shown beyond the people working them (lists, the public board,
 * the monthly report): every text through the one scrubber — titles, problems, tasks,
 * notes and the linked requests' summaries.
 */
export async function scrubThemes(db: Db, themes: ThemeView[]): Promise<ThemeView[]> {
  const names = await rosterNames(db);
  return themes.map((t) => ({
    ...t,
    title: scrub(t.title, names),
    problems: t.problems.map((p) => scrub(p, names)),
    tasks: t.tasks.map((task) => ({ ...task, text: scrub(task.text, names), doneNote: task.doneNote === null ? null : scrub(task.doneNote, names) })),
    tickets: t.tickets.map((ticket) => ({ ...ticket, summary: scrub(ticket.summary, names) })),
  }));
}

/** The themes of `month` adopted for the region, a region above it or one below it (the monthly report's). */
export async function themesAround(db: Db, regions: Map<number, RegionNode>, regionId: number, month: string, now: Date): Promise<ThemeView[]> {
  const ids = await themeIds(db, [...new Set([...pathOf(regions, regionId), ...subtreeIds(regions, regionId)])], month);
  return scrubThemes(db, await loadThemes(db, regions, ids, now));
}
