import { transaction } from '../db/client.js';
import { logger } from '../log.js';
import { lockThrottleRow, Throttle } from './throttle.js';
const log = logger('uploads');
const DAY_MS = 24 * 3_600_000;
/** References are looked for from this long before the oldest upload weighed (clocks of several processes differ a little). */
const MARGIN_MS = 3_600_000;
/** Rows read at a time when looking for references. */
const CHUNK = 2000;
/** Uploads weighed in one sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 500;
/** The settings' defaults (src/config.ts). */
export const DEFAULT_UPLOAD_LIMITS = {
    perUserPerMinute: 10,
    perAddressPerMinute: 30,
    dailyBytes: 50 * 1024 * 1024,
    unreferencedMs: 24 * 3_600_000,
};
/** The limits the settings describe. */
export function uploadLimitsFrom(config) {
    return {
        perUserPerMinute: config.UPLOADS_PER_MINUTE,
        perAddressPerMinute: config.UPLOADS_PER_MINUTE_PER_ADDRESS,
        dailyBytes: config.UPLOAD_DAILY_MB * 1024 * 1024,
        unreferencedMs: config.UPLOAD_UNREFERENCED_HOURS * 3_600_000,
    };
}
/** The stored file names (`<sha256>.<ext>`) a text mentions. */
const UPLOAD_NAME = /[0-9a-f]{64}\.(?:jpg|png|gif|webp|ogg|webm|m4a|mp3|wav|amr|silk|aac)\b/g;
function namesIn(text, into) {
    for (const match of text.matchAll(UPLOAD_NAME))
        into.add(match[0]);
}
/**
 * Reads a table backwards by id, a chunk at a time, until a whole chunk is older than
 * `since` (ids grow with time, give or take the margin).
 */
async function scanBack(chunk, time, text, since, into) {
    let before;
    for (;;) {
        const rows = await chunk(before);
        for (const row of rows)
            namesIn(text(row), into);
        const last = rows.at(-1);
        if (!last || rows.length < CHUNK || rows.every((row) => time(row) < since))
            return;
        before = last.id;
    }
}
/** The upload names referred to by rows written (or, for sessions, last used) since `since`. */
async function referencedUploads(db, since) {
    const names = new Set();
    const before = (id) => (id === undefined ? {} : { id: { lt: id } });
    for (const t of await db.ticket.findMany({ where: { createdAt: { gte: since } }, select: { media: true } }))
        namesIn(t.media, names);
    await scanBack((id) => db.ticketEvent.findMany({ where: before(id), orderBy: { id: 'desc' }, take: CHUNK, select: { id: true, at: true, data: true } }), (row) => row.at, (row) => row.data, since, names);
    await scanBack((id) => db.outboxMessage.findMany({ where: before(id), orderBy: { id: 'desc' }, take: CHUNK, select: { id: true, createdAt: true, media: true } }), (row) => row.createdAt, (row) => row.media, since, names);
    await scanBack((id) => db.conversationMessage.findMany({ where: before(id), orderBy: { id: 'desc' }, take: CHUNK, select: { id: true, at: true, media: true } }), (row) => row.at, (row) => row.media, since, names);
    for (const s of await db.chatSession.findMany({ where: { lastSeenAt: { gte: since } }, select: { data: true } }))
        namesIn(s.data, names);
    for (const h of await db.heldMessage.findMany({ select: { inbound: true } }))
        namesIn(h.inbound, names);
    return names;
}
/** The web chat's uploads: rates, quota, ledger and sweep. */
export class UploadLedger {
    db;
    clock;
    limits;
    #rates;
    constructor(db, clock, limits) {
        this.db = db;
        this.clock = clock;
        this.limits = limits;
        this.#rates = new Throttle(db, clock, 60_000);
    }
    /** Bytes `user` stored over the last 24 hours, and when the oldest of those leaves the day. */
    async #used(db, user, now) {
        const where = { chatId: user, createdAt: { gt: new Date(now.getTime() - DAY_MS) } };
        const sum = await db.upload.aggregate({ where, _sum: { bytes: true }, _min: { createdAt: true } });
        const oldest = sum._min.createdAt;
        return { bytes: sum._sum.bytes ?? 0, frees: oldest ? new Date(oldest.getTime() + DAY_MS) : null };
    }
    #quotaRefusal(frees, now) {
        return { ok: false, reason: 'quota', retryAfterSeconds: Math.max(1, Math.ceil(((frees?.getTime() ?? now.getTime() + DAY_MS) - now.getTime()) / 1000)) };
    }
    /**
     * Before the bytes are read: a place within the user's and the address's rate (the
     * attempt counts, whatever becomes of it), and room in the user's day for the size
     * the request announces.
     */
    async admit(user, address, declaredBytes) {
        const rate = await this.#rates.reserve([
            { key: `upload:user:${user}`, max: this.limits.perUserPerMinute },
            ...(address === undefined ? [] : [{ key: `upload:ip:${address}`, max: this.limits.perAddressPerMinute }]),
        ]);
        if (!rate.ok)
            return { ok: false, reason: 'rate', retryAfterSeconds: rate.retryAfterSeconds };
        if (declaredBytes > 0) {
            const now = this.clock.now();
            const used = await this.#used(this.db(), user, now);
            if (used.bytes + declaredBytes > this.limits.dailyBytes)
                return this.#quotaRefusal(used.frees, now);
        }
        return { ok: true };
    }
    /**
     * A checked file about to be stored: room in the user's day for its real size, then
     * its row, under the user's lock (uploads of one user sent together cannot overrun the
     * quota between them). `created`: the file is not there yet (this upload writes it).
     */
    async record(user, name, bytes, created) {
        const now = this.clock.now();
        return transaction(this.db(), async (tx) => {
            await lockThrottleRow(tx, `upload:user:${user}`);
            const used = await this.#used(tx, user, now);
            if (used.bytes + bytes > this.limits.dailyBytes)
                return this.#quotaRefusal(used.frees, now);
            await tx.upload.create({ data: { name, chatId: user, bytes, created, createdAt: now } });
            return { ok: true };
        });
    }
    /**
     * Deletes the files of uploads nothing referred to within `unreferencedMs` (through
     * `remove`, the store's), marks the referenced ones kept, and forgets rows that no
     * longer count towards a day.
     */
    async sweep(remove) {
        const now = this.clock.now();
        const db = this.db();
        const cutoff = new Date(now.getTime() - this.limits.unreferencedMs);
        await db.upload.deleteMany({ where: { state: { in: ['kept', 'removed'] }, createdAt: { lt: new Date(now.getTime() - DAY_MS) } } });
        const due = await db.upload.findMany({ where: { state: 'new', createdAt: { lt: cutoff } }, orderBy: { id: 'asc' }, take: SWEEP_BATCH });
        const first = due[0];
        if (!first)
            return { removed: 0, kept: 0 };
        const names = [...new Set(due.map((row) => row.name))];
        const rows = await db.upload.findMany({ where: { name: { in: names } }, orderBy: { id: 'asc' } });
        const referenced = await referencedUploads(db, new Date(first.createdAt.getTime() - MARGIN_MS));
        const report = { removed: 0, kept: 0 };
        for (const name of names) {
            const all = rows.filter((row) => row.name === name);
            const waiting = all.filter((row) => row.state === 'new');
            if (referenced.has(name) || all[0]?.created !== true) {
                await db.upload.updateMany({ where: { id: { in: waiting.map((row) => row.id) } }, data: { state: 'kept' } });
                report.kept += waiting.length;
            }
            else if (all.some((row) => row.state === 'kept')) {
                // Found referenced before: the file stays (its reference may be older than this scan reached).
                await db.upload.updateMany({ where: { id: { in: waiting.map((row) => row.id) } }, data: { state: 'kept' } });
                report.kept += waiting.length;
            }
            else if (waiting.every((row) => row.createdAt < cutoff)) {
                await remove(name);
                await db.upload.updateMany({ where: { id: { in: waiting.map((row) => row.id) } }, data: { state: 'removed' } });
                report.removed++;
            }
            // Else a later upload of the same file is still within its time: weighed again next sweep.
        }
        if (report.removed || report.kept)
            log.info(report, 'unreferenced uploads swept');
        return report;
    }
}
