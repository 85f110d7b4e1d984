/**
 * Stored conversations for the memory figure, made the way real ones are: first-time
 * visitors who write once (each becomes a person with a chat identity and a session).
 * Half greet and are shown the menu; half start a report and stop at the category
 * question, so their session holds a half-finished flow.
 */
import type { App } from '../app.js';

/** Sends `count` first messages from as many new web chats, `concurrency` at a time. */
export async function createSessions(app: App, count: number, concurrency = 200): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const chat = `visitor-${i}`;
      // Each arrives as its own I/O event (see load.ts).
      await new Promise<void>((resolve) => setImmediate(resolve));
      await app.receive({ channel: 'web', chatId: chat, senderId: chat, messageId: `${chat}-1`, text: i % 2 ? '你好' : '路灯坏了好几天' });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
