/**
 * 人工: conversations between a resident and the staff of their township, beside tickets.
 *
 * A resident asks for a person (人工, 转人工, 找工作人员, or the menu); a conversation opens
 * for the staff of their township (the county's, when no township is known), who are
 * pinged and answer in the console's inbox. One the county holds moves to the township
 * as soon as the resident's is known: a household bound since, or a village their words
 * name (the county still sees it, as it sees everything). The resident writes freely while it is open;
 * every staff reply goes to the resident's chat through the outbox, in order, marked as
 * from staff. It ends when the resident sends 结束, when staff close it (or turn it into
 * a ticket), or after `CONVERSATION_IDLE_HOURS` without a message, with a note to the
 * resident. Every message either way is a row.
 */
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { all, defineQuery, first, one, run } from '../db/sql.js';
import { enqueuePush } from '../pipeline/outbox.js';
import { regionById, villageList } from '../pipeline/reference.js';
import { villageNamed } from '../org/village-names.js';
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

/** A resident's open conversation (the latest, should there be two), with its region's name. */
const openOfResidentQuery = defineQuery('conversation_open_of_resident', (db, p: { residentId: number }) =>
  db
    .selectFrom('Conversation as c')
    .innerJoin('Region as r', 'r.id', 'c.regionId')
    .select(['c.id as id', 'c.regionId as regionId', 'r.name as regionName'])
    .where('c.residentId', '=', p.residentId)
    .where('c.status', '=', 'open')
    .orderBy('c.id', 'desc')
    .limit(1),
);

const latestTicketRegionQuery = defineQuery('conversation_latest_ticket_region', (db, p: { residentId: number }) =>
  db.selectFrom('Ticket').select('regionId').where('residentId', '=', p.residentId).orderBy('id', 'desc').limit(1),
);

/** To another region, only from where it is (two turns of one resident never move it twice). */
const moveQuery = defineQuery('conversation_move', (db, p: { id: number; from: number; to: number }) =>
  db.updateTable('Conversation').set({ regionId: p.to }).where('id', '=', p.id).where('regionId', '=', p.from),
);

const countyQuery = defineQuery('conversation_county', (db) => db.selectFrom('Region').select('id').where('parentId', 'is', null).orderBy('id').limit(1));

const openQuery = defineQuery('conversation_open', (db, p: { residentId: number; regionId: number; channel: string; at: Date }) =>
  db
    .insertInto('Conversation')
    .values({ residentId: p.residentId, regionId: p.regionId, channel: p.channel, status: 'open', openedAt: p.at, lastResidentAt: p.at })
    .returning('id'),
);

const addMessageQuery = defineQuery(
  'conversation_add_message',
  (db, p: { conversationId: number; author: string; authorId: number | null; text: string; media: string; at: Date }) =>
    db.insertInto('ConversationMessage').values({ conversationId: p.conversationId, author: p.author, authorId: p.authorId, text: p.text, media: p.media, at: p.at }),
);

const residentWroteQuery = defineQuery('conversation_resident_wrote', (db, p: { id: number; at: Date }) =>
  db.updateTable('Conversation').set({ lastResidentAt: p.at }).where('id', '=', p.id),
);

/** Staff answered: read now, and the first response stays the first. */
const staffWroteQuery = defineQuery('conversation_staff_wrote', (db, p: { id: number; at: Date }) =>
  db
    .updateTable('Conversation')
    .set((eb) => ({ lastStaffAt: p.at, staffReadAt: p.at, firstResponseAt: eb.fn.coalesce('firstResponseAt', eb.val(p.at)) }))
    .where('id', '=', p.id),
);

const conversationQuery = defineQuery('conversation_by_id', (db, p: { id: number }) => db.selectFrom('Conversation').select(['id', 'status', 'residentId']).where('id', '=', p.id));

/** Closed, by `staffId` when staff closed it (null keeps whoever is recorded). */
const closeQuery = defineQuery('conversation_close', (db, p: { id: number; reason: CloseReason; staffId: number | null; at: Date }) =>
  db
    .updateTable('Conversation')
    .set((eb) => ({ status: 'closed', closedAt: p.at, closeReason: p.reason, closedById: eb.fn.coalesce(eb.val(p.staffId), 'closedById') }))
    .where('id', '=', p.id),
);

/** Open conversations with no message either way since `before`. */
const idleQuery = defineQuery('conversation_idle', (db, p: { before: Date; limit: number }) =>
  db
    .selectFrom('Conversation')
    .select('id')
    .where('status', '=', 'open')
    .where('lastResidentAt', '<', p.before)
    .where((eb) => eb.or([eb('lastStaffAt', 'is', null), eb('lastStaffAt', '<', p.before)]))
    .orderBy('id')
    .limit(p.limit),
);

/** The resident's open conversation, if any, and the region whose staff answer it. */
export async function openConversationOf(tx: Tx | SqlTx | Db, residentId: number): Promise<{ id: number; regionId: number } | null> {
  const open = await first(sqlOf(tx), openOfResidentQuery, { residentId });
  return open ? { id: open.id, regionId: open.regionId } : null;
}

/**
 * Where a resident's conversation goes: the township of their household's village; for a
 * resident with no household, the township of their latest request (a visitor who just
 * reported from 东湖村 is 清水镇's); else the county (the top of the region tree).
 */
async function answeringRegion(tx: Tx | SqlTx, residentId: number): Promise<number> {
  const township = await pipelineRows(tx).householdTownship(residentId);
  if (township !== null) return township;
  const sql = sqlOf(tx);
  const latest = await first(sql, latestTicketRegionQuery, { residentId });
  const region = latest ? await regionById(tx, latest.regionId) : null;
  if (region) return region.level === 'village' && region.parentId !== null ? region.parentId : region.id;
  const county = await first(sql, countyQuery, {});
  if (!county) throw new Error('no county in the region tree');
  return county.id;
}

/** The people who answer a region's conversations: its dispatchers, or those of the region above. */
async function answerers(tx: Tx | SqlTx, regionId: number): Promise<number[]> {
  const rows = pipelineRows(tx);
  for (let id: number | null = regionId; id !== null;) {
    const people = await rows.holders({ role: 'dispatcher', regionId: id });
    if (people.length) return [...new Set(people)];
    id = (await regionById(tx, id))?.parentId ?? null;
  }
  return [];
}

/** Opens a conversation for the resident (or returns the one open); the staff who answer are pinged. */
export async function openConversation(tx: Tx | SqlTx, residentId: number, channel: string, now: Date): Promise<OpenConversation> {
  const sql = sqlOf(tx);
  const existing = await first(sql, openOfResidentQuery, { residentId });
  if (existing) return { ...existing, created: false };
  const regionId = await answeringRegion(tx, residentId);
  const region = await regionById(tx, regionId);
  if (!region) throw new Error(`no region ${regionId}`);
  const { id } = await one(sql, openQuery, { residentId, regionId, channel, at: now });
  await run(sql, addMessageQuery, { conversationId: id, author: 'system', authorId: null, text: 'opened', media: '[]', at: now });
  await enqueuePush(tx, await answerers(tx, regionId), { template: 'conversation.opened_staff', params: { id } }, now);
  return { id, regionId, regionName: region.name, created: true };
}

/**
 * The resident wrote in their open conversation. Resolves with the township's name when
 * their words (or a household bound since it opened) moved it there from the county.
 */
export async function residentSays(
  tx: Tx | SqlTx,
  conversation: { id: number; regionId: number },
  residentId: number,
  text: string,
  media: string[],
  now: Date,
): Promise<{ movedTo: string | null }> {
  const sql = sqlOf(tx);
  const words = normaliseText(text).slice(0, MAX_CONVERSATION_TEXT);
  await run(sql, addMessageQuery, { conversationId: conversation.id, author: 'resident', authorId: residentId, text: words, media: JSON.stringify(media.slice(0, 9)), at: now });
  await run(sql, residentWroteQuery, { id: conversation.id, at: now });
  return { movedTo: await placeConversation(tx, conversation, residentId, words, now) };
}

/** The township of the village `text` names, if it names one. */
async function townshipNamed(tx: Tx | SqlTx, text: string): Promise<number | null> {
  if (!text.trim()) return null;
  return villageNamed(text, await villageList(tx))?.townshipId ?? null;
}

/**
 * A conversation the county holds goes to the resident's township once it is known: the
 * household's (bound since the conversation opened), else the one of the village `text`
 * names. Its staff are pinged; the county keeps seeing it. One a township holds stays
 * there: naming another village in passing does not take it from the staff answering.
 * Resolves with the township's name when it moved, else null.
 */
export async function placeConversation(tx: Tx | SqlTx, conversation: { id: number; regionId: number }, residentId: number, text: string, now: Date): Promise<string | null> {
  const at = await regionById(tx, conversation.regionId);
  if (!at || at.parentId !== null) return null;
  const township = (await pipelineRows(tx).householdTownship(residentId)) ?? (await townshipNamed(tx, text));
  const region = township === null ? null : await regionById(tx, township);
  if (!region || region.id === at.id) return null;
  const sql = sqlOf(tx);
  if ((await run(sql, moveQuery, { id: conversation.id, from: at.id, to: region.id })) !== 1) return null;
  await run(sql, addMessageQuery, { conversationId: conversation.id, author: 'system', authorId: null, text: `moved:${region.name}`, media: '[]', at: now });
  await enqueuePush(tx, await answerers(tx, region.id), { template: 'conversation.moved_staff', params: { id: conversation.id, from: at.name } }, now);
  return region.name;
}

/** A reason a staff action on a conversation was refused, in both languages. */
export class ConversationRefused extends Error {
  override readonly name = 'ConversationRefused';
}

async function openOne(tx: Tx | SqlTx, conversationId: number) {
  const c = await first(sqlOf(tx), conversationQuery, { id: conversationId });
  if (!c) throw new ConversationRefused('没有这个会话 there is no such conversation');
  if (c.status !== 'open') throw new ConversationRefused('会话已结束 the conversation has ended');
  return c;
}

/** A staff reply: kept, and sent to the resident's chat, marked as from staff. */
export async function staffReplies(tx: Tx | SqlTx, conversationId: number, staffId: number, text: string, now: Date): Promise<void> {
  const words = normaliseText(text).trim().slice(0, MAX_CONVERSATION_TEXT);
  if (!words) throw new ConversationRefused('回复不能为空 the reply is empty');
  const c = await openOne(tx, conversationId);
  const sql = sqlOf(tx);
  await run(sql, addMessageQuery, { conversationId, author: 'staff', authorId: staffId, text: words, media: '[]', at: now });
  await run(sql, staffWroteQuery, { id: conversationId, at: now });
  await enqueuePush(tx, [c.residentId], { template: 'conversation.staff_reply', params: { text: words } }, now);
}

/** Ends an open conversation; the resident is told unless they ended it themselves. */
export async function closeConversation(
  tx: Tx | SqlTx,
  conversationId: number,
  reason: CloseReason,
  now: Date,
  staffId?: number,
  ticket?: { number: string; resolveBy: Date | null },
): Promise<void> {
  const c = await openOne(tx, conversationId);
  const sql = sqlOf(tx);
  await run(sql, closeQuery, { id: conversationId, reason, staffId: staffId ?? null, at: now });
  await run(sql, addMessageQuery, { conversationId, author: 'system', authorId: staffId ?? null, text: `closed:${reason}`, media: '[]', at: now });
  if (reason === 'resident') return;
  const template = reason === 'idle' ? 'conversation.closed_idle' : reason === 'ticket' ? 'conversation.closed_ticket' : 'conversation.closed_staff';
  await enqueuePush(tx, [c.residentId], { template, params: { number: ticket?.number ?? null, resolveBy: ticket?.resolveBy?.toISOString() ?? null } }, now);
}

/** Closes the conversations quiet for `idleMs` (a scheduler duty); resolves with how many. */
export async function closeIdleConversations(db: Db, now: Date, idleMs: number, transaction: <T>(work: (tx: SqlTx) => Promise<T>) => Promise<T>): Promise<number> {
  const before = new Date(now.getTime() - idleMs);
  const idle = await all(sqlOf(db), idleQuery, { before, limit: 100 });
  for (const { id } of idle) {
    await transaction(async (tx) => {
      const c = await first(sqlOf(tx), conversationQuery, { id });
      if (c?.status === 'open') await closeConversation(tx, id, 'idle', now);
    });
  }
  return idle.length;
}
