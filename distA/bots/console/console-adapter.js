/**
 * The console channel: a chat in a terminal, for development and for staff at a desk.
 * Each terminal is one chat; pushes for that chat appear in it, whichever process made
 * them, because every console process delivers the outbox rows of its own chat.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
/** Turns one typed line into an Inbound (pure, so it is tested on its own). */
export function parseLine(line, chatId, messageId = randomUUID()) {
    const base = { channel: 'console', chatId, senderId: chatId, messageId };
    const photo = /^\/photo\s+(\S+)$/.exec(line.trim());
    if (photo?.[1])
        return { ...base, media: [{ kind: 'photo', ref: photo[1] }] };
    const place = /^\/(?:loc|location)\s+(.+)$/.exec(line.trim());
    if (place?.[1])
        return { ...base, location: { label: place[1] } };
    return { ...base, text: line };
}
/** How a message looks in a terminal: its text, its photos (📷) and voice notes (🎤) by reference, then numbered choices. */
export function formatOutbound(message) {
    const photos = (message.media ?? []).map((m) => `  ${m.kind === 'voice' ? '🎤' : '📷'} ${m.ref.startsWith('data:') ? m.ref.slice(0, 40) + '…' : m.ref}`);
    const choices = message.choices.map((c, i) => `  ${i + 1}. ${c.label}`);
    return ['🤖 ' + message.text.replace(/\n/g, '\n   '), ...photos, ...choices].join('\n');
}
export class ConsoleAdapter {
    channel = 'console';
    targets;
    #chatId;
    #input;
    #output;
    #readline;
    #chain = Promise.resolve();
    constructor(options) {
        this.#chatId = options.chatId;
        this.#input = options.input ?? process.stdin;
        this.#output = options.output ?? process.stdout;
        this.targets = [{ channel: 'console', chatId: options.chatId }];
    }
    start(handle) {
        const rl = createInterface({ input: this.#input, terminal: false });
        this.#readline = rl;
        // One line at a time, in order: the next waits until the previous turn is answered.
        rl.on('line', (line) => {
            this.#chain = this.#chain
                .then(() => handle(parseLine(line, this.#chatId)))
                .catch((error) => {
                this.#output.write(`⚠️ ${error instanceof Error ? error.message : String(error)}\n`);
            });
        });
        return Promise.resolve();
    }
    /** Resolves when every line typed so far has been answered. */
    drain() {
        return this.#chain;
    }
    stop() {
        this.#readline?.close();
        return Promise.resolve();
    }
    send(message) {
        if (message.chatId !== this.#chatId)
            return Promise.resolve({ status: 'offline' });
        this.#output.write(`${formatOutbound(message)}\n`);
        return Promise.resolve({ status: 'sent' });
    }
}
