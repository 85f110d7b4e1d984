import { all, defineQuery, run } from '../db/sql.js';
import { logger } from '../log.js';
const log = logger('scheduler');
/** How often received message ids past their retention are forgotten. */
const FORGET_EVERY_MS = 3_600_000;
/** Rows read and deleted per statement, and statements per tick, when forgetting. */
const FORGET_BATCH = 5_000;
const FORGET_BATCHES_PER_TICK = 4;
/** The oldest received message ids, oldest first. */
const oldestInboundQuery = defineQuery('retention_oldest_inbound', (db, p) => db.selectFrom('InboundMessage').select(['id', 'receivedAt']).orderBy('id').limit(p.limit));
const forgetInboundQuery = defineQuery('retention_forget_inbound', (db, p) => db.deleteFrom('InboundMessage').where('id', '<=', p.lastId).where('receivedAt', '<', p.before));
export class InboundRetention {
    #database;
    #clock;
    #inboundRetentionMs;
    /** When old message ids were last forgotten to the end (epoch ms). */
    #forgotAt = -Infinity;
    constructor(database, clock, retentionMs) {
        this.#database = database;
        this.#clock = clock;
        this.#inboundRetentionMs = retentionMs;
    }
    /**
     * Deletes the dedupe rows (`InboundMessage`) of messages received before the retention
     * period, so the table does not grow with every message ever received. Chat platforms
     * re-deliver an unacknowledged message within hours (Telegram keeps updates 24 h), so
     * an id older than that is never seen again. Runs once an hour; a backlog (a first run
     * on an old database) goes FORGET_BATCHES_PER_TICK batches per tick, so a tick stays
     * short. Returns the rows deleted.
     */
    async forget() {
        const now = this.#clock.now().getTime();
        if (now - this.#forgotAt < FORGET_EVERY_MS)
            return 0;
        const cutoff = new Date(now - this.#inboundRetentionMs);
        const { sql } = this.#database;
        let deleted = 0;
        for (let batch = 0; batch < FORGET_BATCHES_PER_TICK; batch++) {
            // Ids grow with receipt, so the old rows come first: the batch's old prefix goes
            // (the receivedAt condition again in the delete guards against a clock set back).
            const rows = await all(sql, oldestInboundQuery, { limit: FORGET_BATCH });
            const kept = rows.findIndex((r) => r.receivedAt >= cutoff);
            const last = rows[(kept < 0 ? rows.length : kept) - 1];
            if (last)
                deleted += await run(sql, forgetInboundQuery, { lastId: last.id, before: cutoff });
            if (kept >= 0 || rows.length < FORGET_BATCH) {
                this.#forgotAt = now;
                break;
            }
        }
        if (deleted)
            log.info({ deleted, before: cutoff.toISOString() }, 'forgot the ids of old received messages');
        return deleted;
    }
}
