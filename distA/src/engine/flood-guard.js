/**
 * The flood limit of the dialogue engine: a sender who writes more than `perMinute`
 * messages within a minute gets one polite note, then silence until a minute has passed
 * since the note.
 *
 * It remembers the senders of the last minute, and a busy minute has many (100,000
 * first-time visitors in the memory benchmark). So it is kept small: senders by channel
 * then by their id (the id string the message brought, no joined key per sender), and a
 * sender's times as one number, the usual case, until a second message comes; at most
 * `perMinute` times are kept (the newest decide), not every message of a flood. About
 * 70 bytes a sender instead of 320.
 */
const WINDOW_MS = 60_000;
/** Counts messages per sender over a sliding minute; see the module comment. */
export class FloodGuard {
    perMinute;
    /** Channel → sender → times of their messages. */
    #times = new Map();
    /** Channel → sender → when they were last warned. */
    #warned = new Map();
    #sweptAt = 0;
    /** @param perMinute messages a sender may write within a minute (more are flooding). */
    constructor(perMinute) {
        this.perMinute = perMinute;
    }
    /** Whether this message (at `now`, in ms) floods; notes it either way. */
    check(channel, senderId, now) {
        this.#sweep(now);
        const senders = inner(this.#times, channel);
        const earlier = senders.get(senderId);
        const recent = earlier === undefined ? [] : (typeof earlier === 'number' ? [earlier] : earlier).filter((t) => now - t < WINDOW_MS);
        recent.push(now);
        const count = recent.length;
        // Only the newest `perMinute` times can decide a later message: one more with all of
        // them within its minute floods, however many came before them.
        const kept = recent.length > this.perMinute ? recent.slice(recent.length - this.perMinute) : recent;
        if (kept.length === 0)
            senders.delete(senderId);
        else
            senders.set(senderId, kept.length === 1 ? (kept[0] ?? now) : kept);
        if (count <= this.perMinute)
            return 'ok';
        const warned = inner(this.#warned, channel);
        if (now - (warned.get(senderId) ?? 0) < WINDOW_MS)
            return 'drop';
        warned.set(senderId, now);
        return 'warn';
    }
    /** Whether a message from this sender at `now` would be over the limit (nothing is noted). */
    over(channel, senderId, now) {
        const times = this.#times.get(channel)?.get(senderId);
        if (times === undefined)
            return this.perMinute < 1;
        const recent = (typeof times === 'number' ? [times] : times).filter((t) => now - t < WINDOW_MS);
        return recent.length + 1 > this.perMinute;
    }
    /** Senders remembered now (for tests and memory checks). */
    get size() {
        let count = 0;
        for (const senders of this.#times.values())
            count += senders.size;
        return count;
    }
    /** Forgets senders quiet for a minute, once a minute: memory stays flat however many write. */
    #sweep(now) {
        if (now - this.#sweptAt < WINDOW_MS)
            return;
        this.#sweptAt = now;
        for (const [channel, senders] of this.#times) {
            for (const [sender, times] of senders) {
                const quiet = typeof times === 'number' ? now - times >= WINDOW_MS : !times.some((t) => now - t < WINDOW_MS);
                if (quiet)
                    senders.delete(sender);
            }
            if (senders.size === 0)
                this.#times.delete(channel);
        }
        for (const [channel, senders] of this.#warned) {
            for (const [sender, at] of senders)
                if (now - at >= WINDOW_MS)
                    senders.delete(sender);
            if (senders.size === 0)
                this.#warned.delete(channel);
        }
    }
}
function inner(outer, key) {
    let map = outer.get(key);
    if (!map) {
        map = new Map();
        outer.set(key, map);
    }
    return map;
}
