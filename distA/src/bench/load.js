/**
 * A channel that acknowledges every message at once and keeps nothing, except that a
 * simulated person may wait for a pushed message offering a given button (the liaison
 * for the assignment ping, the resident for the rating request).
 */
export class InstantAdapter {
    channel;
    sent = 0;
    /** Buttons of pushes nobody waited for yet, per chat. */
    #offered = new Map();
    #waiting = new Map();
    constructor(channel = 'web') {
        this.channel = channel;
    }
    start() {
        return Promise.resolve();
    }
    stop() {
        for (const wake of this.#waiting.values())
            wake();
        this.#waiting.clear();
        return Promise.resolve();
    }
    send(message) {
        this.sent++;
        for (const choice of message.choices) {
            // Only the buttons the script waits for are kept (menus would pile up otherwise).
            if (!/^(accept|rate):/.test(choice.payload))
                continue;
            const key = `${message.chatId} ${choice.payload}`;
            const wake = this.#waiting.get(key);
            if (wake) {
                this.#waiting.delete(key);
                wake();
            }
            else {
                let set = this.#offered.get(message.chatId);
                if (!set)
                    this.#offered.set(message.chatId, (set = new Set()));
                set.add(choice.payload);
            }
        }
        return Promise.resolve({ status: 'sent' });
    }
    /** Resolves once `chatId` has been sent a message offering `payload`. */
    offered(chatId, payload) {
        const set = this.#offered.get(chatId);
        if (set?.delete(payload)) {
            if (!set.size)
                this.#offered.delete(chatId);
            return Promise.resolve();
        }
        return new Promise((resolve) => this.#waiting.set(`${chatId} ${payload}`, resolve));
    }
}
/** Report texts the matcher places with confidence (so the category is offered as a guess). */
export const REPORT_TEXTS = [
    '村口的路灯坏了好几天，晚上很黑',
    '家门口的自来水管爆了，水一直流',
    '我家那边的电线杆歪了，电线垂得很低',
    '停水三天了，吃水都成问题',
    '路灯不亮了，老人晚上出门不方便',
];
/**
 * Gives up to `count` demo households' residents (from the `offset`-th household by
 * code) and their paired liaisons a chat, as a bound household would have, and returns
 * the pairs. The demo pairs liaisons with blocks of 10 consecutive households, so an
 * offset that is a multiple of 10 keeps each liaison's households in one share. `tag`
 * keeps chat ids of separate runs apart.
 */
export async function bindPairs(db, count, options = {}) {
    const { tag = 'b', offset = 0, channel = 'web' } = options;
    const households = await db.household.findMany({
        where: { pairing: { isNot: null }, members: { some: {} } },
        orderBy: { code: 'asc' },
        skip: offset,
        take: count,
        include: { pairing: true, members: { select: { id: true }, orderBy: { id: 'asc' }, take: 1 } },
    });
    const liaisonChats = new Map();
    const pairs = [];
    for (const household of households) {
        const resident = household.members[0];
        const liaisonId = household.pairing?.liaisonId;
        if (!resident || liaisonId === undefined)
            continue;
        const residentChat = `${tag}-r-${resident.id}`;
        let liaisonChat = liaisonChats.get(liaisonId);
        if (!liaisonChat) {
            liaisonChat = `${tag}-l-${liaisonId}`;
            liaisonChats.set(liaisonId, liaisonChat);
            await db.channelIdentity.upsert({
                where: { channel_platformUserId: { channel, platformUserId: liaisonChat } },
                create: { channel, platformUserId: liaisonChat, chatId: liaisonChat, personId: liaisonId, lastUsedAt: new Date() },
                update: {},
            });
        }
        await db.channelIdentity.upsert({
            where: { channel_platformUserId: { channel, platformUserId: residentChat } },
            create: { channel, platformUserId: residentChat, chatId: residentChat, personId: resident.id, lastUsedAt: new Date() },
            update: {},
        });
        pairs.push({ channel, residentChat, liaisonChat });
    }
    return pairs;
}
/** Something went off script: the reply was not the one a person would act on. */
export class DialogueError extends Error {
    name = 'DialogueError';
}
/** The run is over: unwinds a simulated person mid-dialogue. */
class Stopped extends Error {
    name = 'Stopped';
}
/** Per-message latencies (ms) and counts of one run. */
export class Recorder {
    latencies = [];
    errors = 0;
    tickets = 0;
    /** Only messages answered while recording count (warm-up and wind-down do not). */
    recording = true;
    note(ms) {
        if (this.recording)
            this.latencies.push(ms);
    }
}
let sequence = 0;
/** Sends one message from `chat` and checks the replies are what the script expects. */
async function say(stage, chat, message, expect) {
    if (stage.stopped())
        throw new Stopped();
    await stage.gate();
    if (stage.stopped())
        throw new Stopped();
    // A message arrives as an I/O event: yield to the event loop first. (On SQLite a turn
    // never waits for real I/O, so a closed loop of awaits would starve every timer.)
    await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    const replies = await stage.receive({ channel: chat.channel, chatId: chat.id, senderId: chat.id, messageId: `${chat.id}-${++sequence}-${process.pid}`, ...message });
    stage.recorder.note(performance.now() - started);
    if (process.env['BENCH_SLOW'] && performance.now() - started > 1000)
        console.error('slow', chat.id, JSON.stringify(message), Math.round(performance.now() - started));
    const text = replies.map((r) => r.text).join('\n');
    const payloads = replies.flatMap((r) => r.choices.map((c) => c.payload));
    const ok = expect instanceof RegExp ? expect.test(text) : payloads.includes(expect.choice);
    if (!ok)
        throw new DialogueError(`${chat.id} sent ${JSON.stringify(message)}, expected ${expect instanceof RegExp ? String(expect) : expect.choice}, got: ${text.slice(0, 200)}`);
    return { text, payloads };
}
/** Waits for a push, giving up when the run stops. */
async function waitPush(stage, chat, payload) {
    let timer;
    const poll = new Promise((resolve) => {
        const check = () => (stage.stopped() ? resolve() : (timer = setTimeout(check, 50)));
        check();
    });
    await Promise.race([stage.offered(chat.id, payload), poll]);
    clearTimeout(timer);
    if (stage.stopped())
        throw new Stopped();
}
/** One liaison: takes assigned tickets one at a time, accepts and resolves each. */
class Liaison {
    chat;
    stage;
    #chain = Promise.resolve();
    constructor(chat, stage) {
        this.chat = chat;
        this.stage = stage;
    }
    /** Handles `number` after the tickets before it; resolves when it is resolved. */
    handle(number) {
        const run = async () => {
            const { stage, chat } = this;
            // The liaison acts on the assignment ping, as a person would.
            await waitPush(stage, chat, `accept:${number}`);
            await say(stage, chat, { action: `accept:${number}` }, new RegExp(`(已签收|Accepted) ${number}`));
            await say(stage, chat, { action: `handle:${number}:resolve` }, new RegExp(`办理结果|result for ${number}`));
            await say(stage, chat, { text: '已更换线路和灯泡，恢复正常' }, new RegExp(`(已办结|Resolved) ${number}`));
        };
        const next = this.#chain.then(run);
        this.#chain = next.catch(() => undefined);
        return next;
    }
}
const TICKET = /MQ-\d{4}-\d{6}/;
/** One resident's round: report, wait for the liaison, rate when asked. Returns the ticket number. */
async function residentRound(stage, chat, liaison, round) {
    const text = REPORT_TEXTS[round % REPORT_TEXTS.length] ?? REPORT_TEXTS[0];
    await say(stage, chat, { text }, { choice: 'yes' });
    await say(stage, chat, { action: 'yes' }, { choice: 'home' });
    await say(stage, chat, { action: 'home' }, { choice: 'skip' });
    // The registered phone when the household has one on file, else none.
    const phone = await say(stage, chat, { action: 'skip' }, { choice: 'skip' });
    await say(stage, chat, { action: phone.payloads.includes('registered') ? 'registered' : 'skip' }, { choice: 'submit' });
    const done = await say(stage, chat, { action: 'submit' }, TICKET);
    const number = TICKET.exec(done.text)?.[0];
    if (!number)
        throw new DialogueError(`${chat.id}: no ticket number in ${done.text}`);
    stage.recorder.tickets++;
    await liaison.handle(number);
    // The resident rates from the rating request pushed to them.
    await waitPush(stage, chat, `rate:${number}:satisfied`);
    await say(stage, chat, { action: `rate:${number}:satisfied` }, { choice: 'skip' });
    await say(stage, chat, { text: '修得很及时，谢谢' }, /感谢您的评价|Thank you for your rating/);
    return number;
}
/** Runs every resident (and their liaisons) until stopped or done. */
export async function runLoad(options) {
    const stage = {
        receive: options.receive,
        recorder: options.recorder,
        gate: options.gate ?? (() => Promise.resolve()),
        stopped: options.stop,
        offered: options.offered,
    };
    const liaisons = new Map();
    const liaisonOf = (chat) => {
        let l = liaisons.get(chat.id);
        if (!l)
            liaisons.set(chat.id, (l = new Liaison(chat, stage)));
        return l;
    };
    await Promise.all(options.pairs.map(async (pair) => {
        const liaison = liaisonOf({ channel: pair.channel, id: pair.liaisonChat });
        const chat = { channel: pair.channel, id: pair.residentChat };
        for (let round = 0; !stage.stopped() && round < (options.rounds ?? Infinity); round++) {
            try {
                await residentRound(stage, chat, liaison, round);
            }
            catch (error) {
                if (error instanceof Stopped)
                    return;
                // Off script, or a turn that failed (e.g. no database connection in time): counted, and the round starts over.
                options.recorder.errors++;
                if (options.recorder.errors <= 3)
                    console.error(error instanceof Error ? `${error.name}: ${error.message.split('\n').slice(0, 3).join(' ')}` : error);
                // Start over cleanly: cancel whatever flow the resident is in.
                await options.receive({ channel: pair.channel, chatId: pair.residentChat, senderId: pair.residentChat, messageId: `${pair.residentChat}-x${++sequence}`, text: '取消' });
            }
        }
    }));
}
/**
 * Hands out send slots at `rate` per second from now on (open loop): a message waits for
 * its slot, so the offered load does not depend on how fast replies come.
 */
export class Pacer {
    rate;
    #waiting = [];
    #released = 0;
    #backlog = 0;
    #timer;
    #start = performance.now();
    constructor(rate) {
        this.rate = rate;
        const tick = () => {
            const due = Math.floor(((performance.now() - this.#start) / 1000) * rate);
            while (this.#released < due) {
                this.#released++;
                const next = this.#waiting.shift();
                if (next)
                    next();
                else
                    this.#backlog++;
            }
            this.#timer = setTimeout(tick, 1);
        };
        this.#timer = setTimeout(tick, 1);
    }
    /** Slots nobody was ready to use when they fell due (the load could not keep up). */
    get missed() {
        return this.#backlog;
    }
    gate = () => new Promise((resolve) => this.#waiting.push(resolve));
    stop() {
        clearTimeout(this.#timer);
        for (const waiting of this.#waiting.splice(0))
            waiting();
    }
}
/** The value below which `p` of the sorted samples fall. */
export function percentile(sorted, p) {
    if (!sorted.length)
        return NaN;
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[index] ?? NaN;
}
/** p50 / p95 / p99 / max of latencies in ms. */
export function summarise(latencies) {
    const sorted = [...latencies].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}
