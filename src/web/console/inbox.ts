/**
 * The inbox 会话 of the console: the 人工 conversations of the user's regions. Staff see
 * the open ones first with their unread counts and how long the resident has waited,
 * read a transcript both ways (photos and voice notes included), reply (through the
 * outbox, to whatever chat the resident uses), turn a conversation into a ticket (the
 * resident's words pre-filled, the category proposed by the matcher), attach it to a
 * ticket, or close it. Only dispatchers, supervisors and admins have an inbox: a
 * conversation outside their regions does not exist for them (404).
 *
 * Privacy as on the ticket page: the resident masked (罗**, or 匿名群众), phones in their
 * words masked; staff by name.
 */
import type { Db } from '../../db/client.js';
import { maskContacts, residentName } from '../../privacy.js';
import type { Prisma } from '../../db/generated/sqlite/client.js';
import { type RegionNode, subtreeIds } from '../../org/regions.js';
import type { StaffScope } from './scope.js';

/** One line of the inbox list. */
export interface InboxRow {
  id: number;
  status: 'open' | 'closed';
  resident: string;
  region: string;
  channel: string;
  openedAt: Date;
  lastResidentAt: Date;
  lastStaffAt: Date | null;
  /** Resident messages staff have not read yet. */
  unread: number;
  /** Since when the resident has waited for an answer (their last word after staff's last), or null. */
  waitingSince: Date | null;
  /** The last thing the resident said (masked), for the list. */
  preview: string;
  ticketNumber: string | null;
  closeReason: string | null;
  /** Placed at one of the user's own regions (their desk), not a region below it. */
  own: boolean;
}

/** One message of a transcript. */
export interface TranscriptEntry {
  at: Date;
  author: 'resident' | 'staff' | 'system';
  /** The staff member's name, the masked resident, or the system. */
  who: string;
  text: string;
  media: string[];
}

/** A whole conversation as its page shows it. */
export interface ConversationView extends Omit<InboxRow, 'own'> {
  residentId: number;
  /** The resident's household village, where a ticket made from it goes by default. */
  homeRegionId: number | null;
  transcript: TranscriptEntry[];
}

/** The conversations a user may see: those of their regions (region-scoped roles only). */
function scopeWhere(scope: StaffScope) {
  return scope.everyRegion ? {} : { regionId: { in: scope.regionIds } };
}

function mediaOf(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** The last words of the resident (newest first in `said`), marked when a photo or voice note came after them. */
function previewOf(said: { text: string }[]): string {
  const words = said.find((m) => m.text.trim());
  const later = words ? said.indexOf(words) : said.length;
  return `${later > 0 ? '［照片/语音 media］' : ''}${maskContacts(words?.text ?? '').slice(0, 60)}`;
}

/** Whether the user has an inbox at all (grid leaders and department handlers answer tickets, not conversations). */
export function hasInbox(scope: StaffScope): boolean {
  return scope.regionIds.length > 0;
}

/** What the inbox list shows: a status, and optionally a region of the user's (its subtree). */
export interface InboxFilters {
  status: 'open' | 'closed' | 'all';
  /** A region of the scope (checked by parseRegionParam): the conversations placed in it or below it. */
  regionId?: number;
}

/**
 * The inbox list: open conversations (or `closed` / `all`), those waiting longest first, then newest. Those of
 * the user's own desk come first: a conversation is placed at the resident's township, else the county, so a
 * county dispatcher's own are the county's (no township known), before the townships' that their staff answer.
 */
export async function inboxRows(db: Db, scope: StaffScope, filters: InboxFilters, regions: Map<number, RegionNode>, take = 200): Promise<InboxRow[]> {
  if (!hasInbox(scope)) return [];
  const own = scope.topRegions.map((r) => r.id);
  const within = filters.regionId === undefined ? scopeWhere(scope) : { regionId: { in: subtreeIds(regions, filters.regionId) } };
  const base = { AND: [within, filters.status === 'all' ? {} : { status: filters.status }] };
  const orderBy = filters.status === 'open' ? { lastResidentAt: 'asc' as const } : { id: 'desc' as const };
  const mine = await inboxQuery(db, { AND: [base, { regionId: { in: own } }] }, orderBy, take);
  const others = mine.length < take ? await inboxQuery(db, { AND: [base, { regionId: { notIn: own } }] }, orderBy, take - mine.length) : [];
  return [...mine, ...others].map((c) => toInboxRow(c, own));
}

function inboxQuery(db: Db, where: Prisma.ConversationWhereInput, orderBy: Prisma.ConversationOrderByWithRelationInput, take: number) {
  return db.conversation.findMany({
    where,
    orderBy,
    take,
    include: {
      resident: { select: { code: true, name: true, householdId: true } },
      region: { select: { name: true } },
      ticket: { select: { number: true } },
      messages: { where: { author: 'resident' }, orderBy: { id: 'desc' }, select: { text: true, at: true } },
    },
  });
}

function toInboxRow(c: Awaited<ReturnType<typeof inboxQuery>>[number], own: readonly number[]): InboxRow {
  const unread = c.messages.filter((m) => c.staffReadAt === null || m.at > c.staffReadAt).length;
  const waiting = c.status === 'open' && c.messages.length > 0 && (c.lastStaffAt === null || c.lastResidentAt > c.lastStaffAt);
  return {
    id: c.id,
    status: c.status === 'open' ? 'open' : 'closed',
    resident: residentName(c.resident),
    region: c.region.name,
    channel: c.channel,
    openedAt: c.openedAt,
    lastResidentAt: c.lastResidentAt,
    lastStaffAt: c.lastStaffAt,
    unread,
    waitingSince: waiting ? (c.messages.filter((m) => c.lastStaffAt === null || m.at > c.lastStaffAt).at(-1)?.at ?? c.lastResidentAt) : null,
    preview: previewOf(c.messages),
    ticketNumber: c.ticket?.number ?? null,
    closeReason: c.closeReason,
    own: own.includes(c.regionId),
  };
}

/** One conversation, or null when there is none or it lies outside the user's regions. */
export async function loadConversation(db: Db, scope: StaffScope, id: number): Promise<ConversationView | null> {
  if (!hasInbox(scope)) return null;
  const c = await db.conversation.findFirst({
    where: { id, ...scopeWhere(scope) },
    include: {
      resident: { select: { id: true, code: true, name: true, householdId: true, household: { select: { regionId: true } } } },
      region: { select: { name: true } },
      ticket: { select: { number: true } },
      messages: { orderBy: { id: 'asc' } },
    },
  });
  if (!c) return null;
  const staffIds = [...new Set(c.messages.filter((m) => m.author !== 'resident' && m.authorId !== null).map((m) => m.authorId!))];
  const staff = new Map((await db.person.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
  const resident = residentName(c.resident);
  const transcript: TranscriptEntry[] = c.messages.map((m) => ({
    at: m.at,
    author: m.author === 'staff' ? 'staff' : m.author === 'resident' ? 'resident' : 'system',
    who: m.author === 'resident' ? `群众 ${resident}` : m.author === 'staff' ? (staff.get(m.authorId ?? -1) ?? '工作人员') : '系统 system',
    text: m.author === 'resident' ? maskContacts(m.text) : m.text,
    media: mediaOf(m.media),
  }));
  const residentMessages = c.messages.filter((m) => m.author === 'resident');
  const waiting = c.status === 'open' && residentMessages.length > 0 && (c.lastStaffAt === null || c.lastResidentAt > c.lastStaffAt);
  return {
    id: c.id,
    status: c.status === 'open' ? 'open' : 'closed',
    resident,
    residentId: c.resident.id,
    homeRegionId: c.resident.household?.regionId ?? null,
    region: c.region.name,
    channel: c.channel,
    openedAt: c.openedAt,
    lastResidentAt: c.lastResidentAt,
    lastStaffAt: c.lastStaffAt,
    unread: residentMessages.filter((m) => c.staffReadAt === null || m.at > c.staffReadAt).length,
    waitingSince: waiting ? (residentMessages.find((m) => c.lastStaffAt === null || m.at > c.lastStaffAt)?.at ?? null) : null,
    preview: previewOf([...residentMessages].reverse()),
    ticketNumber: c.ticket?.number ?? null,
    closeReason: c.closeReason,
    transcript,
  };
}

/** The user has read the conversation up to now. */
export async function markRead(db: Db, id: number, now: Date): Promise<void> {
  await db.conversation.update({ where: { id }, data: { staffReadAt: now } });
}

/** What the resident said, as a ticket's pre-filled description (their words only, in order). */
export function residentWords(view: ConversationView): { text: string; media: string[] } {
  const said = view.transcript.filter((m) => m.author === 'resident');
  return {
    text: said
      .map((m) => m.text)
      .filter(Boolean)
      .join('\n'),
    media: said.flatMap((m) => m.media).slice(0, 9),
  };
}
