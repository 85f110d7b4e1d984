/**
 * A test client that plays a conversation turn by turn against the real engine and a
 * real database: send text or tap a choice, read the replies; collect pushes the
 * scheduler delivers to this chat.
 */
import type { Database } from '../../src/db/client.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Inbound, Outbound } from '../../src/engine/types.js';
import type { Channel } from '../../src/org/types.js';
import { type OutboxDelivery, Scheduler } from '../../src/pipeline/scheduler.js';
import type { Clock, PipelineService } from '../../src/pipeline/service.js';

let counter = 0;

export class TestChat {
  /** Replies of the last turn. */
  replies: Outbound[] = [];

  constructor(
    readonly engine: Engine,
    readonly channel: Channel,
    readonly userId: string,
  ) {}

  /** Sends one message; `messageId` may be fixed to simulate a re-delivery. */
  async deliver(message: Partial<Inbound>, messageId = `${this.userId}-${++counter}`): Promise<Outbound[]> {
    const result = await this.engine.handle({ channel: this.channel, chatId: this.userId, senderId: this.userId, messageId, ...message });
    this.replies = result.replies;
    await this.engine.markSent(result.replies.flatMap((r) => (r.outboxId === undefined ? [] : [r.outboxId])));
    return result.replies;
  }

  send(text: string): Promise<Outbound[]> {
    return this.deliver({ text });
  }

  /** Taps the choice whose label contains `label` in the last replies. */
  tap(label: string): Promise<Outbound[]> {
    const choice = this.replies.flatMap((r) => r.choices).find((c) => c.label.includes(label));
    if (!choice) throw new Error(`no choice "${label}" in: ${JSON.stringify(this.replies.map((r) => [r.text, r.choices.map((c) => c.label)]))}`);
    return this.deliver({ action: choice.payload });
  }

  /**
   * Delivers the pushes waiting for this chat as the app does (their choices are what
   * "1" or 是的 answers now) and makes them the last replies, so `tap` taps their buttons.
   */
  async receive(database: Database, pipeline: PipelineService, clock: Clock): Promise<OutboxDelivery[]> {
    const got = await collectPushes(database, pipeline, clock, [{ channel: this.channel, chatId: this.userId }]);
    for (const m of got) await this.engine.noteOffered(m.channel, m.chatId, m.recipientId, m.id, m.actions, m.reply);
    this.replies = got.map((m) => ({ channel: this.channel, chatId: this.userId, text: m.text, choices: m.actions, locale: m.locale, outboxId: m.id }));
    return got;
  }

  /** The texts of the last replies, joined. */
  text(): string {
    return this.replies.map((r) => r.text).join('\n');
  }
}

/** Delivers the pushes waiting for the given chats and returns them, per chat. */
export async function collectPushes(database: Database, pipeline: PipelineService, clock: Clock, chats: { channel: Channel; chatId: string }[]): Promise<OutboxDelivery[]> {
  const got: OutboxDelivery[] = [];
  const scheduler = new Scheduler({
    database,
    pipeline,
    clock,
    outboxTargets: chats,
    deliver: (m) => {
      got.push(m);
      return Promise.resolve({ status: 'sent' });
    },
  });
  await scheduler.deliverOutbox();
  return got;
}
