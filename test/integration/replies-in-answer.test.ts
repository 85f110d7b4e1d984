/**
 * Replies the channel's answer carries (the web page's socket, the webhook's HTTP answer)
 * are written as sent by the turn itself (issue 16 §5). Seen before: after `kill -9` under
 * load, web replies that had gone out in their HTTP answers were sent again when the page
 * reconnected, because the "sent" mark was a second write the crash lost. Here the crash
 * is the turn's answer with no mark after it; then the clock passes every hold and the
 * scheduler runs, as after a restart.
 */
import { afterEach, expect, test } from 'vitest';
import { CategoryClassifier } from '../../src/engine/classifier.js';
import { Engine } from '../../src/engine/engine.js';
import type { Inbound } from '../../src/engine/types.js';
import { PipelineService } from '../../src/pipeline/service.js';
import { collectPushes } from '../helpers/chat-client.js';
import { eachDatabase, type TestDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

const classifier = CategoryClassifier.load();

eachDatabase((kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
  });

  test('a web reply is sent once: never again after a crash, and a resent message gets the same answer', async () => {
    database = await kind.fresh({ demo: true });
    const clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
    const pipeline = new PipelineService({ db: database.db, rules, clock });
    const engine = new Engine({ db: database.db, pipeline, classifier, clock });
    const page = { channel: 'web', chatId: 'page-1', senderId: 'page-1', repliesInAnswer: true } as const;
    const message = (messageId: string, fields: Partial<Inbound>): Inbound => ({ ...page, messageId, ...fields });

    const first = await engine.handle(message('m-1', { text: '村口的路灯坏了好几天' }));
    expect(first.replies.map((r) => r.text)).toEqual(['看起来是“电力照明”方面的问题，对吗？']);
    const second = await engine.handle(message('m-2', { action: 'yes' }));
    const answered = [...first.replies, ...second.replies].map((r) => r.outboxId);
    // The process dies here, its answers out; restarted past every hold, the scheduler runs.
    const rows = await database.db.outboxMessage.findMany({ where: { chatId: 'page-1' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.id)).toEqual(answered);
    expect(rows.every((r) => r.sentAt !== null && r.claimedBy === null)).toBe(true);
    clock.advanceHours(2);
    expect(await collectPushes(database, pipeline, clock, [{ channel: 'web', chatId: 'page-1' }])).toEqual([]);

    // The page never got the second answer: it resends the message (same id) and is
    // answered with the same replies, the dialogue not moved a step further.
    const stepBefore = (await database.db.chatSession.findFirstOrThrow({ where: { chatId: 'page-1' } })).step;
    const again = await engine.handle(message('m-2', { action: 'yes' }));
    expect(again.duplicate).toBe(true);
    expect(again.replies).toEqual(second.replies);
    expect(await database.db.outboxMessage.count({ where: { chatId: 'page-1' } })).toBe(rows.length);
    expect((await database.db.chatSession.findFirstOrThrow({ where: { chatId: 'page-1' } })).step).toBe(stepBefore);

    // Other channels keep the hold: the adapter confirms, or the scheduler sends it later.
    const telegram = await engine.handle({ channel: 'telegram', chatId: 't-1', senderId: 't-1', messageId: 't-m-1', text: '帮助' });
    const held = await database.db.outboxMessage.findUniqueOrThrow({ where: { id: telegram.replies[0]!.outboxId! } });
    expect(held).toMatchObject({ sentAt: null, claimedBy: 'turn', inboundId: null });
    expect((await engine.handle({ channel: 'telegram', chatId: 't-1', senderId: 't-1', messageId: 't-m-1', text: '帮助' })).replies).toEqual([]);
  });
});
