/**
 * The ledger 台账 of 公开承诺 (public commitments) and 挂牌督办 (supervised items): each
 * item states its goal, measures, deadline and owner (四明确), belongs to a region, may be
 * public, links tickets and a 每月一题 theme, and gathers progress entries month by month.
 * Its status is on track, late (past its deadline and not closed: derived, never stored),
 * done or dropped (each with its reason). A supervisor flags an item 挂牌督办: its owner
 * (a person, or a department's handlers) is told in chat, through the outbox.
 *
 * Every staff action is an audit event (who, when, what) besides the row it writes.
 * Refusals are {@link LedgerRefused}, their message Chinese first, for the form to show.
 */
import { z } from 'zod';
import { type Db, sqlOf, type SqlTx, transaction, type Tx } from '../db/client.js';
import { defineQuery, run } from '../db/sql.js';
import { MAX_TEXT } from '../engine/flow.js';
import { localDateOf } from '../pipeline/calendar.js';
import { enqueuePush } from '../pipeline/outbox.js';
import { RESOLVED_STATES, type TicketState } from '../pipeline/states.js';
import { maskName, normaliseText, rosterNames, scrub } from '../privacy.js';
import { pathOf, type RegionNode, subtreeIds } from '../org/regions.js';
import type { TicketAuditAction } from '../pipeline/event-kinds.js';

/** A ledger action refused; the message says why, Chinese then English. */
export class LedgerRefused extends Error {
  override readonly name = 'LedgerRefused';
}

/** Where an item stands. `late` is derived: past the deadline and neither done nor dropped. */
export type LedgerStatus = 'on_track' | 'late' | 'done' | 'dropped';
export const LEDGER_STATUSES: readonly LedgerStatus[] = ['on_track', 'late', 'done', 'dropped'];

/** How an item is closed. */
export type LedgerClosing = 'done' | 'dropped';

/** An item's status on the day `today` (YYYY-MM-DD, Beijing). */
export function ledgerStatus(item: { status: string; deadline: string }, today: string): LedgerStatus {
  if (item.status === 'done' || item.status === 'dropped') return item.status;
  return today > item.deadline ? 'late' : 'on_track';
}

const GOAL_MAX = 100;
const TEXT_MAX = 500;

function cleaned(text: string): string {
  return normaliseText(text).replace(/\s+/g, ' ').trim();
}

/** Whether `date` is a real calendar day written YYYY-MM-DD. */
function isDay(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

const text = (max: number, empty: string, long: string) =>
  z
    .string()
    .transform(cleaned)
    .pipe(
      z
        .string()
        .min(1, empty)
        .refine((s) => [...s].length <= max, long),
    );

/** What staff fill in for an item; validated here, each message Chinese first. */
export const ledgerInputSchema = z.object({
  regionId: z.number().int().positive('请选择地区。 Choose a region.'),
  goal: text(GOAL_MAX, '请填写目标。 Write the goal.', `目标不能超过 ${GOAL_MAX} 个字。 The goal may have at most ${GOAL_MAX} characters.`),
  measures: text(TEXT_MAX, '请填写措施。 Write the measures.', `措施不能超过 ${TEXT_MAX} 个字。 The measures may have at most ${TEXT_MAX} characters.`),
  deadline: z.string().trim().refine(isDay, '完成时限应为 YYYY-MM-DD 格式的日期。 The deadline must be a date, YYYY-MM-DD.'),
  /** `person:ID` or `department:ID`. */
  owner: z.string().regex(/^(person|department):\d{1,9}$/, '请选择责任人或责任部门。 Choose the owner, a person or a department.'),
  isPublic: z.boolean(),
  themeId: z.number().int().positive().nullable(),
});
export type LedgerInput = z.input<typeof ledgerInputSchema>;

/** The first problem of `input`, or its cleaned values. */
function parsed(input: LedgerInput): z.output<typeof ledgerInputSchema> {
  const result = ledgerInputSchema.safeParse(input);
  if (!result.success) throw new LedgerRefused(result.error.issues[0]?.message ?? '表单有误。 The form is not right.');
  return result.data;
}

/** The roles whose holders may own an item in person (a department's items are its handlers'). */
export const LEDGER_OWNER_ROLES = ['liaison', 'grid_leader', 'dispatcher', 'department_handler', 'supervisor'] as const;

/** Who may own an item of a region: its staff (and those above it) in person, or a department of it, above or below it. */
export async function ledgerOwners(
  db: Db,
  regions: Map<number, RegionNode>,
  regionId: number,
): Promise<{ people: { id: number; name: string }[]; departments: { id: number; name: string }[] }> {
  const ids = [...new Set([...subtreeIds(regions, regionId), ...pathOf(regions, regionId)])];
  const [people, departments] = await Promise.all([
    db.person.findMany({
      where: { roles: { some: { regionId: { in: ids }, role: { in: [...LEDGER_OWNER_ROLES] } } } },
      select: { id: true, name: true },
      orderBy: { id: 'asc' },
    }),
    db.department.findMany({ where: { regionId: { in: ids } }, select: { id: true, name: true }, orderBy: { code: 'asc' } }),
  ]);
  return { people, departments };
}

/** The owner columns of `owner`, after checking it may own an item of the region. */
async function ownerColumns(
  db: Db,
  regions: Map<number, RegionNode>,
  regionId: number,
  owner: string,
): Promise<{ ownerPersonId: number | null; ownerDepartmentId: number | null }> {
  const [kind, id] = owner.split(':') as ['person' | 'department', string];
  const eligible = await ledgerOwners(db, regions, regionId);
  const list = kind === 'person' ? eligible.people : eligible.departments;
  if (!list.some((o) => o.id === Number(id))) throw new LedgerRefused('所选责任人或部门不属于该地区。 The owner chosen does not belong to the region.');
  return kind === 'person' ? { ownerPersonId: Number(id), ownerDepartmentId: null } : { ownerPersonId: null, ownerDepartmentId: Number(id) };
}

async function checkedTheme(db: Db, regions: Map<number, RegionNode>, regionId: number, themeId: number | null): Promise<void> {
  if (themeId === null) return;
  const theme = await db.theme.findUnique({ where: { id: themeId }, select: { regionId: true } });
  const around = new Set([...subtreeIds(regions, regionId), ...pathOf(regions, regionId)]);
  if (!theme || !around.has(theme.regionId)) throw new LedgerRefused('所选主题不属于该地区。 The theme chosen does not belong to the region.');
}

/** Creates an item. Refused (with the reason) for a field missing or wrong, or an owner or theme not of the region. */
export async function createLedgerItem(db: Db, regions: Map<number, RegionNode>, input: LedgerInput, actorId: number, now: Date): Promise<number> {
  const item = parsed(input);
  if (!regions.has(item.regionId)) throw new LedgerRefused('请选择地区。 Choose a region.');
  const owner = await ownerColumns(db, regions, item.regionId, item.owner);
  await checkedTheme(db, regions, item.regionId, item.themeId);
  return transaction(db, async (tx) => {
    const row = await tx.ledgerItem.create({
      data: {
        regionId: item.regionId,
        goal: item.goal,
        measures: item.measures,
        deadline: item.deadline,
        ...owner,
        isPublic: item.isPublic,
        themeId: item.themeId,
        createdById: actorId,
        createdAt: now,
        updatedAt: now,
      },
    });
    await tx.auditEvent.create({ data: { action: 'ledger_created', actorId, at: now, data: JSON.stringify({ itemId: row.id, goal: item.goal, deadline: item.deadline }) } });
    return row.id;
  });
}

/** Changes an open item's goal, measures, deadline, owner, publicity or theme (its region stays). */
export async function updateLedgerItem(db: Db, regions: Map<number, RegionNode>, itemId: number, input: LedgerInput, actorId: number, now: Date): Promise<void> {
  const current = await db.ledgerItem.findUnique({ where: { id: itemId } });
  if (!current) throw new LedgerRefused('没有这个台账事项。 There is no such ledger item.');
  if (current.status !== 'open') throw new LedgerRefused('该事项已办结或已撤销，不能修改。 The item is closed and cannot be changed.');
  const item = parsed({ ...input, regionId: current.regionId });
  const owner = await ownerColumns(db, regions, current.regionId, item.owner);
  await checkedTheme(db, regions, current.regionId, item.themeId);
  const changed: string[] = (['goal', 'measures', 'deadline', 'isPublic', 'themeId'] as const).filter((k) => current[k] !== item[k]);
  if (current.ownerPersonId !== owner.ownerPersonId || current.ownerDepartmentId !== owner.ownerDepartmentId) changed.push('owner');
  await transaction(db, async (tx) => {
    await tx.ledgerItem.update({
      where: { id: itemId },
      data: { goal: item.goal, measures: item.measures, deadline: item.deadline, ...owner, isPublic: item.isPublic, themeId: item.themeId, updatedAt: now },
    });
    await tx.auditEvent.create({ data: { action: 'ledger_updated', actorId, at: now, data: JSON.stringify({ itemId, changed }) } });
  });
}

const addProgressQuery = defineQuery('ledger_add_progress', (db, p: { itemId: number; text: string; byId: number; at: Date }) =>
  db.insertInto('LedgerProgress').values({ itemId: p.itemId, text: p.text, byId: p.byId, at: p.at }),
);

const touchQuery = defineQuery('ledger_touch', (db, p: { itemId: number; at: Date }) => db.updateTable('LedgerItem').set({ updatedAt: p.at }).where('id', '=', p.itemId));

const progressAuditQuery = defineQuery('ledger_progress_audit', (db, p: { actorId: number; data: string; at: Date }) =>
  db.insertInto('AuditEvent').values({ action: 'ledger_progress', actorId: p.actorId, data: p.data, at: p.at }),
);

/**
 * Writes a checked progress entry in the caller's transaction: the entry, the item
 * touched, the audit (with `audit` as its data). The one writer of progress, for the
 * console and for chat (src/ledger/chat.ts), which runs inside a turn.
 */
export async function writeLedgerProgress(tx: Tx | SqlTx, entry: { itemId: number; text: string; byId: number; at: Date }, audit: object): Promise<void> {
  const sql = sqlOf(tx);
  await run(sql, addProgressQuery, entry);
  await run(sql, touchQuery, { itemId: entry.itemId, at: entry.at });
  await run(sql, progressAuditQuery, { actorId: entry.byId, data: JSON.stringify(audit), at: entry.at });
}

/** Adds a progress entry from the console (chat checks its own, src/ledger/chat.ts). Refused when empty, too long, or the item is closed. */
export async function addLedgerProgress(db: Db, itemId: number, entry: string, actorId: number, now: Date): Promise<void> {
  const body = cleaned(entry);
  if (!body) throw new LedgerRefused('请填写进展。 Write the progress.');
  // One limit for the console and chat, where a message may be this long.
  if (body.length > MAX_TEXT) throw new LedgerRefused(`进展不能超过 ${MAX_TEXT} 个字。 Progress may have at most ${MAX_TEXT} characters.`);
  await transaction(db, async (tx) => {
    const item = await tx.ledgerItem.findUnique({ where: { id: itemId }, select: { status: true } });
    if (!item) throw new LedgerRefused('没有这个台账事项。 There is no such ledger item.');
    if (item.status !== 'open') throw new LedgerRefused('该事项已办结或已撤销。 The item is closed.');
    await writeLedgerProgress(tx, { itemId, text: body, byId: actorId, at: now }, { itemId });
  });
}

/** Closes an open item as done or dropped, with the reason. */
export async function closeLedgerItem(db: Db, itemId: number, closing: LedgerClosing, reason: string, actorId: number, now: Date): Promise<void> {
  const why = cleaned(reason);
  if (!why) throw new LedgerRefused(closing === 'done' ? '请填写完成情况。 Write what was done.' : '请填写撤销原因。 Write why it is dropped.');
  if ([...why].length > TEXT_MAX) throw new LedgerRefused(`说明不能超过 ${TEXT_MAX} 个字。 The reason may have at most ${TEXT_MAX} characters.`);
  await transaction(db, async (tx) => {
    // Only an open item closes: a second click (or a second staff member) is told so.
    const { count } = await tx.ledgerItem.updateMany({
      where: { id: itemId, status: 'open' },
      data: { status: closing, closedReason: why, closedAt: now, closedById: actorId, updatedAt: now },
    });
    if (count === 0) throw new LedgerRefused('该事项不存在或已办结。 The item does not exist or is closed already.');
    await tx.auditEvent.create({ data: { action: `ledger_${closing}`, actorId, at: now, data: JSON.stringify({ itemId }) } });
  });
}

/** The people who answer for an item: its owner, or its department's handlers. */
export async function ownerPeople(db: Db, item: { ownerPersonId: number | null; ownerDepartmentId: number | null }): Promise<number[]> {
  if (item.ownerPersonId !== null) return [item.ownerPersonId];
  if (item.ownerDepartmentId === null) return [];
  const rows = await db.personRole.findMany({ where: { role: 'department_handler', departmentId: item.ownerDepartmentId }, select: { personId: true }, distinct: ['personId'] });
  return rows.map((r) => r.personId);
}

/** 挂牌督办: a supervisor flags an open item; its owner is told in chat (through the outbox, in the same transaction). */
export async function flagLedgerItem(db: Db, itemId: number, note: string, actorId: number, now: Date): Promise<void> {
  const why = cleaned(note);
  if ([...why].length > TEXT_MAX) throw new LedgerRefused(`督办要求不能超过 ${TEXT_MAX} 个字。 The note may have at most ${TEXT_MAX} characters.`);
  const item = await db.ledgerItem.findUnique({ where: { id: itemId } });
  if (!item || item.status !== 'open') throw new LedgerRefused('该事项不存在或已办结。 The item does not exist or is closed already.');
  if (item.flaggedAt !== null) throw new LedgerRefused('该事项已挂牌督办。 The item is flagged already.');
  const owners = await ownerPeople(db, item);
  await transaction(db, async (tx) => {
    await tx.ledgerItem.update({ where: { id: itemId }, data: { flaggedAt: now, flaggedById: actorId, flagNote: why || null, updatedAt: now } });
    await tx.auditEvent.create({ data: { action: 'ledger_flagged', actorId, at: now, data: JSON.stringify({ itemId, owners }) } });
    await enqueuePush(
      tx,
      owners,
      {
        template: 'ledger.flagged',
        params: { id: itemId, goal: item.goal, deadline: item.deadline, note: why || '—' },
        actions: [{ label: 'ledger.report_progress', payload: `ledger:${itemId}` }],
      },
      now,
    );
  });
}

/** Links a ticket placed inside the item's region. The caller checks that the user may see it. */
export async function linkLedgerTicket(
  db: Db,
  regions: Map<number, RegionNode>,
  itemId: number,
  ticket: { id: number; number: string; regionId: number },
  actorId: number,
  now: Date,
): Promise<void> {
  const item = await db.ledgerItem.findUnique({ where: { id: itemId }, select: { regionId: true } });
  if (!item) throw new LedgerRefused('没有这个台账事项。 There is no such ledger item.');
  if (!subtreeIds(regions, item.regionId).includes(ticket.regionId)) {
    throw new LedgerRefused(`诉求 ${ticket.number} 不在该事项的地区内。 Request ${ticket.number} is not in the item’s region.`);
  }
  const linked = await db.ledgerTicket.findUnique({ where: { itemId_ticketId: { itemId, ticketId: ticket.id } } });
  if (linked) throw new LedgerRefused(`诉求 ${ticket.number} 已关联。 Request ${ticket.number} is linked already.`);
  await transaction(db, async (tx) => {
    await tx.ledgerTicket.create({ data: { itemId, ticketId: ticket.id, linkedById: actorId, linkedAt: now } });
    await tx.auditEvent.create({ data: { action: 'ledger_ticket_linked' satisfies TicketAuditAction, actorId, ticketId: ticket.id, at: now, data: JSON.stringify({ itemId }) } });
  });
}

export interface LedgerProgressView {
  text: string;
  by: string;
  at: Date;
}

export interface LedgerTicketView {
  number: string;
  summary: string;
  state: TicketState;
  resolved: boolean;
}

export interface LedgerItemView {
  id: number;
  regionId: number;
  region: string;
  goal: string;
  measures: string;
  deadline: string;
  /** `person:ID` or `department:ID`. */
  owner: string;
  ownerName: string;
  isPublic: boolean;
  status: LedgerStatus;
  closedReason: string | null;
  closedAt: Date | null;
  flagged: { at: Date; by: string; note: string | null } | null;
  theme: { id: number; title: string; month: string } | null;
  tickets: LedgerTicketView[];
  progress: LedgerProgressView[];
  createdBy: string;
  createdAt: Date;
}

const RESOLVED = new Set<string>(RESOLVED_STATES);

/** The items whose ids are given, each with its owner, links, progress (newest first) and status as of `now`; in the order of `ids`. */
export async function loadLedgerItems(db: Db, regions: Map<number, RegionNode>, ids: number[], now: Date): Promise<LedgerItemView[]> {
  if (!ids.length) return [];
  const [items, entries, links] = await Promise.all([
    db.ledgerItem.findMany({ where: { id: { in: ids } } }),
    db.ledgerProgress.findMany({ where: { itemId: { in: ids } }, orderBy: [{ at: 'desc' }, { id: 'desc' }] }),
    db.ledgerTicket.findMany({ where: { itemId: { in: ids } }, orderBy: { linkedAt: 'asc' } }),
  ]);
  const personIds = new Set<number>([...entries.map((e) => e.byId)]);
  for (const i of items) for (const id of [i.ownerPersonId, i.flaggedById, i.createdById]) if (id !== null) personIds.add(id);
  const [people, departments, tickets, themes] = await Promise.all([
    db.person.findMany({ where: { id: { in: [...personIds] } }, select: { id: true, name: true } }),
    db.department.findMany({ where: { id: { in: items.flatMap((i) => (i.ownerDepartmentId === null ? [] : [i.ownerDepartmentId])) } }, select: { id: true, name: true } }),
    db.ticket.findMany({ where: { id: { in: [...new Set(links.map((l) => l.ticketId))] } }, select: { id: true, number: true, summary: true, state: true } }),
    db.theme.findMany({ where: { id: { in: items.flatMap((i) => (i.themeId === null ? [] : [i.themeId])) } }, select: { id: true, title: true, month: true } }),
  ]);
  const personName = new Map(people.map((p) => [p.id, p.name]));
  const departmentName = new Map(departments.map((d) => [d.id, d.name]));
  const ticketById = new Map(tickets.map((t) => [t.id, t]));
  const themeById = new Map(themes.map((t) => [t.id, t]));
  const today = localDateOf(now);
  const byId = new Map(
    items.map((i) => {
      const view: LedgerItemView = {
        id: i.id,
        regionId: i.regionId,
        region: regions.get(i.regionId)?.name ?? '',
        goal: i.goal,
        measures: i.measures,
        deadline: i.deadline,
        owner: i.ownerPersonId === null ? `department:${i.ownerDepartmentId}` : `person:${i.ownerPersonId}`,
        ownerName: i.ownerPersonId === null ? (departmentName.get(i.ownerDepartmentId ?? 0) ?? '') : (personName.get(i.ownerPersonId) ?? ''),
        isPublic: i.isPublic,
        status: ledgerStatus(i, today),
        closedReason: i.closedReason,
        closedAt: i.closedAt,
        flagged: i.flaggedAt === null ? null : { at: i.flaggedAt, by: personName.get(i.flaggedById ?? 0) ?? '', note: i.flagNote },
        theme: i.themeId === null ? null : (themeById.get(i.themeId) ?? null),
        tickets: links
          .filter((l) => l.itemId === i.id)
          .flatMap((l) => {
            const t = ticketById.get(l.ticketId);
            return t ? [{ number: t.number, summary: t.summary, state: t.state as TicketState, resolved: RESOLVED.has(t.state) }] : [];
          }),
        progress: entries.filter((e) => e.itemId === i.id).map((e) => ({ text: e.text, by: personName.get(e.byId) ?? '', at: e.at })),
        createdBy: personName.get(i.createdById) ?? '',
        createdAt: i.createdAt,
      };
      return [i.id, view] as const;
    }),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The ids of the items of any of `regionIds`, the earliest deadline first; only public ones when asked. */
export async function ledgerItemIds(db: Db, regionIds: number[], options: { publicOnly?: boolean; limit?: number } = {}): Promise<number[]> {
  const rows = await db.ledgerItem.findMany({
    where: { regionId: { in: regionIds }, ...(options.publicOnly ? { isPublic: true } : {}) },
    select: { id: true },
    orderBy: [{ deadline: 'asc' }, { id: 'asc' }],
    take: options.limit ?? 500,
  });
  return rows.map((r) => r.id);
}

/**
 * Items as they may be shown beyond the people working them (the public board, the
 * monthly report): every text through the one scrubber, a person owner's name masked,
 * and who wrote what left out.
 */
export async function scrubLedgerItems(db: Db, items: LedgerItemView[]): Promise<LedgerItemView[]> {
  const names = await rosterNames(db);
  return items.map((i) => ({
    ...i,
    goal: scrub(i.goal, names),
    measures: scrub(i.measures, names),
    ownerName: i.owner.startsWith('person:') ? maskName(i.ownerName) : i.ownerName,
    closedReason: i.closedReason === null ? null : scrub(i.closedReason, names),
    flagged: i.flagged === null ? null : { ...i.flagged, by: '', note: i.flagged.note === null ? null : scrub(i.flagged.note, names) },
    tickets: i.tickets.map((t) => ({ ...t, summary: scrub(t.summary, names) })),
    progress: i.progress.map((p) => ({ ...p, text: scrub(p.text, names), by: '' })),
    createdBy: '',
  }));
}
