/** Sends `count` first messages from as many new web chats, `concurrency` at a time. */
export async function createSessions(app, count, concurrency = 200) {
    let next = 0;
    const worker = async () => {
        while (next < count) {
            const i = next++;
            const chat = `visitor-${i}`;
            // Each arrives as its own I/O event (see load.ts).
            await new Promise((resolve) => setImmediate(resolve));
            await app.receive({ channel: 'web', chatId: chat, senderId: chat, messageId: `${chat}-1`, text: i % 2 ? '你好' : '路灯坏了好几天' });
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
}
