/**
 * The contract of the message-path rows beyond the turn store, on SQLite and (when
 * MINQING_TEST_POSTGRES_URL is set) PostgreSQL: held messages, 人工 conversations and the
 * merge of an anonymous first contact, written once on the storage layer; what they
 * write reads back through Prisma as the console reads it.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type SqlTx, sqlTransaction, transaction } from '../../src/db/client.js';
import { closeConversation, closeIdleConversations, openConversation, openConversationOf, residentSays, staffReplies } from '../../src/conversations/conversations.js';
import { dueHeld, forgetHeld, holdMessage, isHeld } from '../../src/engine/held-messages.js';
import type { Inbound } from '../../src/engine/types.js';
import { isAnonymous, mergeAnonymous } from '../../src/org/merge-person.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';

const at = new Date('2026-03-04T05:06:07.089Z');
const later = new Date('2026-03-04T05:16:07.089Z');

eachDatabase((kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await kind.fresh();
  });
  afterEach(async () => {
    await database.dispose();
  });

  test('held messages: held once, their release moved by a re-delivery, due in order, forgotten', async () => {
    const { db } = database;
    const inbound = (messageId: string) => ({ channel: 'web', chatId: 'c1', senderId: 'u1', messageId, text: `m${messageId}` }) as Inbound;
    expect(await transaction(db, (tx) => holdMessage(tx, inbound('1'), later, at))).toBe(true);
    expect(await transaction(db, (tx) => holdMessage(tx, inbound('2'), at, at))).toBe(true);
    expect(await transaction(db, (tx) => isHeld(tx, inbound('1')))).toBe(true);
    expect(await transaction(db, (tx) => isHeld(tx, inbound('3')))).toBe(false);
    expect((await dueHeld(db, at, 10)).map((h) => h.inbound.messageId)).toEqual(['2']);
    // A re-delivery of message 1 moves its release to now: both are due, oldest first.
    expect(await transaction(db, (tx) => holdMessage(tx, inbound('1'), at, at))).toBe(false);
    const due = await dueHeld(db, at, 10);
    expect(due.map((h) => h.inbound)).toEqual([inbound('1'), inbound('2')]);
    expect(await dueHeld(db, at, 1)).toHaveLength(1);
    await forgetHeld(db, inbound('1'));
    expect((await db.heldMessage.findMany()).map((h) => h.messageId)).toEqual(['2']);
    expect((await db.heldMessage.findFirstOrThrow()).releaseAt).toEqual(at);
  });

  test('conversations: opened once at the county, both sides write, staff close it; an idle one closes', async () => {
    const { db } = database;
    const county = await db.region.create({ data: { code: 'C', name: '县', level: 'county' } });
    const resident = await db.person.create({ data: { code: 'R1', name: '居民' } });
    const staff = await db.person.create({ data: { code: 'S1', name: '干部' } });
    const opened = await transaction(db, (tx) => openConversation(tx, resident.id, 'web', at));
    expect(opened).toMatchObject({ regionId: county.id, regionName: '县', created: true });
    expect(await transaction(db, (tx) => openConversation(tx, resident.id, 'web', later))).toEqual({ ...opened, created: false });
    expect(await openConversationOf(db, resident.id)).toEqual({ id: opened.id, regionId: county.id });

    await transaction(db, (tx) => residentSays(tx, opened, resident.id, '路灯坏了', ['photo-1'], later));
    await transaction(db, (tx) => staffReplies(tx, opened.id, staff.id, '马上来', later));
    await transaction(db, (tx) => staffReplies(tx, opened.id, staff.id, '到了', new Date(later.getTime() + 60_000)));
    let row = await db.conversation.findUniqueOrThrow({ where: { id: opened.id } });
    expect(row).toMatchObject({ lastResidentAt: later, firstResponseAt: later, staffReadAt: new Date(later.getTime() + 60_000), status: 'open' });

    await transaction(db, (tx) => closeConversation(tx, opened.id, 'staff', later, staff.id));
    row = await db.conversation.findUniqueOrThrow({ where: { id: opened.id } });
    expect(row).toMatchObject({ status: 'closed', closedAt: later, closeReason: 'staff', closedById: staff.id });
    expect(await openConversationOf(db, resident.id)).toBeNull();
    const messages = await db.conversationMessage.findMany({ where: { conversationId: opened.id }, orderBy: { id: 'asc' } });
    expect(messages.map((m) => [m.author, m.authorId, m.text, m.media])).toEqual([
      ['system', null, 'opened', '[]'],
      ['resident', resident.id, '路灯坏了', '["photo-1"]'],
      ['staff', staff.id, '马上来', '[]'],
      ['staff', staff.id, '到了', '[]'],
      ['system', staff.id, 'closed:staff', '[]'],
    ]);
    // The resident has no chat yet: the staff replies and the note wait for one.
    expect(await db.outboxMessage.count({ where: { recipientId: resident.id, channel: null } })).toBe(3);

    const quiet = await transaction(db, (tx) => openConversation(tx, resident.id, 'web', at));
    const close = <T>(work: (tx: SqlTx) => Promise<T>) => sqlTransaction(db, work);
    expect(await closeIdleConversations(db, new Date(at.getTime() + 3_600_000), 7_200_000, close)).toBe(0);
    expect(await closeIdleConversations(db, new Date(at.getTime() + 3_600_000), 1_800_000, close)).toBe(1);
    expect(await db.conversation.findUniqueOrThrow({ where: { id: quiet.id } })).toMatchObject({ status: 'closed', closeReason: 'idle', closedById: null });
  });

  test('an anonymous first contact is merged into a rostered person; a rostered one is not anonymous', async () => {
    const { db } = database;
    const region = await db.region.create({ data: { code: 'V1', name: '一村', level: 'village' } });
    const anonymous = await db.person.create({ data: { code: 'U-web-1', name: '群众' } });
    const rostered = await db.person.create({ data: { code: 'P1', name: '张三' } });
    const liaison = await db.person.create({ data: { code: 'U-web-2', name: '联络员' } });
    await db.personRole.create({ data: { personId: liaison.id, role: 'liaison', regionId: region.id, scopeKey: 'l' } });
    const lower = await db.person.create({ data: { code: 'u-web-3', name: '小写' } });
    expect(await transaction(db, (tx) => isAnonymous(tx, anonymous.id))).toBe(true);
    expect(await transaction(db, (tx) => isAnonymous(tx, rostered.id))).toBe(false);
    expect(await transaction(db, (tx) => isAnonymous(tx, liaison.id))).toBe(false);
    expect(await transaction(db, (tx) => isAnonymous(tx, lower.id))).toBe(false);
    expect(await transaction(db, (tx) => isAnonymous(tx, 9_999))).toBe(false);

    await db.channelIdentity.create({ data: { channel: 'web', platformUserId: 'w1', personId: anonymous.id, chatId: 'c1', createdAt: at } });
    await db.chatSession.create({ data: { channel: 'web', chatId: 'c1', personId: anonymous.id, data: '{}', lastSeenAt: at, createdAt: at } });
    const conversation = await transaction(db, (tx) => openConversation(tx, anonymous.id, 'web', at));
    await transaction(db, (tx) => residentSays(tx, conversation, anonymous.id, '你好', [], at));
    await transaction(db, (tx) => mergeAnonymous(tx, anonymous.id, rostered.id));
    expect(await db.person.findUnique({ where: { id: anonymous.id } })).toBeNull();
    expect((await db.channelIdentity.findFirstOrThrow()).personId).toBe(rostered.id);
    expect((await db.chatSession.findFirstOrThrow()).personId).toBe(rostered.id);
    expect((await db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).residentId).toBe(rostered.id);
    expect((await db.conversationMessage.findFirstOrThrow({ where: { author: 'resident' } })).authorId).toBe(rostered.id);
  });
});
