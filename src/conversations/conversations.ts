/**
 * 人工: conversations between a resident and the staff of their township, beside tickets.
 *
 * A resident asks for a person (人工, 转人工, 找工作人员, or the menu); a conversation opens
 * for the staff of their township (the county's, when no township is known), who are
 * pinged and answer in the console's inbox. The resident writes freely while it is open;
 * every staff reply goes to the resident's chat through the outbox, in order, marked as
 * from staff. It ends when the resident sends 结束, when staff close it (or turn it into
 * a ticket), or after `CONVERSATION_IDLE_HOURS` without a message, with a note to the
 * resident. Every message either way is a row.
 */
import type { Db, Tx } from '../db/client.js';
import { enqueuePush } from '../pipeline/outbox.js';
import { regionById } from '../pipeline/reference.js';
import { pipelineRows } from '../pipeline/rows.js';
import { normaliseText } from '../privacy.js';

/** Who ended a conversation. */
export type CloseReason = 'resident' | 'staff' | 'idle' | 'ticket';

/** An open conversation as the engine needs it. */
export interface OpenConversation {
  id: number;
  regionId: number;
  regionName: string;
  /** True when this call opened it (false: it was open already). */
  created: boolean;
}

/** The longest message kept in a conversation. */
export const MAX_CONVERSATION_TEXT = 2000;

/** The resident's open conversation, if any. */
export async function openConversationOf(tx: Tx | Db, residentId: number): Promise<{ id: number } | null> {
  return tx.conversation.findFirst({ where: { residentId, status: 'open' }, select: { id: true }, orderBy: { id: 'desc' } });
}

/**
 * Where a resident's conversation goes: the township of their household's village; for a
 * resident with no household, the township of their latest request (a visitor who just
 * reported from 东湖村 is 清水镇's); else the county (the top of the region tree).
 */
async function answeringRegion(tx: Tx, residentId: number): Promise<number> {
  const township = await pipelineRows(tx).householdTownship(residentId);
  if (township !== null) return township;
  const latest = await tx.ticket.findFirst({ where: { residentId }, orderBy: { id: 'desc' }, select: { regionId: true } });
  const region = latest ? await regionById(tx, latest.regionId) : null;
  if (region) return region.level === 'village' && region.parentId !== null ? region.parentId : region.id;
  const county = await tx.region.findFirst({ where: { parentId: null }, orderBy: { id: 'asc' }, select: { id: true } });
  if (!county) throw new Error('no county in the region tree');
  return county.id;
}

/** The people who answer a region's conversations: its dispatchers, or those of the region above. */
async function answerers(tx: Tx, regionId: number): Promise<number[]> {
  const rows = pipelineRows(tx);
  for (let id: number | null = regionId; id !== null; ) {
    const people = await rows.holders({ role: 'dispatcher', regionId: id });
    if (people.length) return [...new Set(people)];
    id = (await regionById(tx, id))?.parentId ?? null;
  }
  return [];
}

/** Opens a conversation for the resident (or returns the one open); the staff who answer are pinged. */
export async function openConversation(tx: Tx, residentId: number, channel: string, now: Date): Promise<OpenConversation> {
  const existing = await tx.conversation.findFirst({ where: { residentId, status: 'open' }, include: { region: { select: { name: true } } } });
  if (existing) return { id: existing.id, regionId: existing.regionId, regionName: existing.region.name, created: false };
  const regionId = await answeringRegion(tx, residentId);
  const created = await tx.conversation.create({
    data: { residentId, regionId, channel, openedAt: now, lastResidentAt: now },
    include: { region: { select: { name: true } } },
  });
  await tx.conversationMessage.create({ data: { conversationId: created.id, author: 'system', text: 'opened', at: now } });
  await enqueuePush(tx, await answerers(tx, regionId), { template: 'conversation.opened_staff', params: { id: created.id } }, now);
  return { id: created.id, regionId, regionName: created.region.name, created: true };
}

/** The resident wrote in their open conversation. */
export async function residentSays(tx: Tx, conversationId: number, residentId: number, text: string, media: string[], now: Date): Promise<void> {
  await tx.conversationMessage.create({
    data: { conversationId, author: 'resident', authorId: residentId, text: normaliseText(text).slice(0, MAX_CONVERSATION_TEXT), media: JSON.stringify(media.slice(0, 9)), at: now },
  });
  await tx.conversation.update({ where: { id: conversationId }, data: { lastResidentAt: now } });
}

/** A reason a staff action on a conversation was refused, in both languages. */
export class ConversationRefused extends Error {
  override readonly name = 'ConversationRefused';
}

async function openOne(tx: Tx, conversationId: number) {
  const c = await tx.conversation.findUnique({ where: { id: conversationId } });
  if (!c) throw new ConversationRefused('没有这个会话 there is no such conversation');
  if (c.status !== 'open') throw new ConversationRefused('会话已结束 the conversation has ended');
  return c;
}

/** A staff reply: kept, and sent to the resident's chat, marked as from staff. */
export async function staffReplies(tx: Tx, conversationId: number, staffId: number, text: string, now: Date): Promise<void> {
  const words = normaliseText(text).trim().slice(0, MAX_CONVERSATION_TEXT);
  if (!words) throw new ConversationRefused('回复不能为空 the reply is empty');
  const c = await openOne(tx, conversationId);
  await tx.conversationMessage.create({ data: { conversationId, author: 'staff', authorId: staffId, text: words, at: now } });
  await tx.conversation.update({
    where: { id: conversationId },
    data: { lastStaffAt: now, staffReadAt: now, ...(c.firstResponseAt === null ? { firstResponseAt: now } : {}) },
  });
  await enqueuePush(tx, [c.residentId], { template: 'conversation.staff_reply', params: { text: words } }, now);
}

/** Ends an open conversation; the resident is told unless they ended it themselves. */
export async function closeConversation(
  tx: Tx,
  conversationId: number,
  reason: CloseReason,
  now: Date,
  staffId?: number,
  ticket?: { number: string; resolveBy: Date | null },
): Promise<void> {
  const c = await openOne(tx, conversationId);
  await tx.conversation.update({
    where: { id: conversationId },
    data: { status: 'closed', closedAt: now, closeReason: reason, ...(staffId === undefined ? {} : { closedById: staffId }) },
  });
  await tx.conversationMessage.create({ data: { conversationId, author: 'system', authorId: staffId ?? null, text: `closed:${reason}`, at: now } });
  if (reason === 'resident') return;
  const template = reason === 'idle' ? 'conversation.closed_idle' : reason === 'ticket' ? 'conversation.closed_ticket' : 'conversation.closed_staff';
  await enqueuePush(tx, [c.residentId], { template, params: { number: ticket?.number ?? null, resolveBy: ticket?.resolveBy?.toISOString() ?? null } }, now);
}

/** Closes the conversations quiet for `idleMs` (a scheduler duty); resolves with how many. */
export async function closeIdleConversations(db: Db, now: Date, idleMs: number, transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>): Promise<number> {
  const before = new Date(now.getTime() - idleMs);
  const idle = await db.conversation.findMany({
    where: { status: 'open', lastResidentAt: { lt: before }, OR: [{ lastStaffAt: null }, { lastStaffAt: { lt: before } }] },
    select: { id: true },
    take: 100,
  });
  for (const { id } of idle) {
    await transaction(async (tx) => {
      const c = await tx.conversation.findUnique({ where: { id } });
      if (c?.status === 'open') await closeConversation(tx, id, 'idle', now);
    });
  }
  return idle.length;
}
