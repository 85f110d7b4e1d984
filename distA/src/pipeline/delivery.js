/**
 * Delivering the outbox rows a worker claimed (src/pipeline/claims.ts): each through
 * its recipient's channel, in its chat's order; a failure backs off and holds back the
 * rest of its chat in the same round; an unreachable chat re-addresses the message.
 */
import { sqlOf, sqlTransaction } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { offeredChoice } from '../engine/choices.js';
import { render } from '../engine/i18n.js';
import { logger } from '../log.js';
import { markDelivered } from './outbox.js';
const log = logger('scheduler');
/** How long a message for a disconnected chat waits before it is looked at again. */
const OFFLINE_RECHECK_MS = 60_000;
const wakeChatQuery = defineQuery('outbox_wake_chat', (db, p) => db
    .updateTable('OutboxMessage')
    .set({ availableAt: p.now })
    .where('channel', '=', p.channel)
    .where('chatId', '=', p.chatId)
    .where('sentAt', 'is', null)
    .where('failedAt', 'is', null)
    .where('availableAt', '>', p.now));
/** Makes a chat's waiting messages due now (its page reconnected). */
export async function wakeChat(database, channel, chatId, now) {
    return run(database.sql, wakeChatQuery, { channel, chatId, now });
}
/** Backoff after `attempts` failures: 5 s, 10 s, 20 s … capped at one hour. */
export function backoffMs(attempts) {
    return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}
/** The claimed outbox rows, with what delivery needs of their recipient and ticket. */
const claimedRowsQuery = defineQuery('outbox_claimed_rows', (db, p, dialect) => db
    .selectFrom('OutboxMessage as m')
    .innerJoin('Person as p', 'p.id', 'm.recipientId')
    .leftJoin('Ticket as t', 't.id', 'm.ticketId')
    .select([
    'm.id as id',
    'm.recipientId as recipientId',
    'm.channel as channel',
    'm.chatId as chatId',
    'm.template as template',
    'm.params as params',
    'm.actions as actions',
    'm.media as media',
    'm.reply as reply',
    'm.attempts as attempts',
    'm.sentAt as sentAt',
    'm.claimedBy as claimedBy',
    'p.locale as locale',
    't.number as ticketNumber',
])
    .where(oneOf(dialect, 'm.id', p.ids)));
/** This worker's claims on `ids` not yet sent are given back, untried. */
const releaseClaimsQuery = defineQuery('outbox_release_claims', (db, p, dialect) => db
    .updateTable('OutboxMessage')
    .set({ claimedBy: null, claimedUntil: null })
    .where(oneOf(dialect, 'id', p.ids))
    .where('claimedBy', '=', p.workerId)
    .where('sentAt', 'is', null));
/** The chat is offline: the row is given back, to be looked at again at `availableAt`, no attempt counted. */
const offlineQuery = defineQuery('outbox_offline', (db, p) => db
    .updateTable('OutboxMessage')
    .set({ claimedBy: null, claimedUntil: null, availableAt: p.availableAt })
    .where('id', '=', p.id)
    .where('claimedBy', '=', p.workerId)
    .where('sentAt', 'is', null));
/** A failed attempt: counted, tried again at `availableAt`, or given up (`failedAt`). */
const attemptFailedQuery = defineQuery('outbox_attempt_failed', (db, p) => db
    .updateTable('OutboxMessage')
    .set({ attempts: p.attempts, lastError: p.lastError, claimedBy: null, claimedUntil: null, availableAt: p.availableAt, failedAt: p.failedAt })
    .where('id', '=', p.id)
    .where('claimedBy', '=', p.workerId)
    .where('sentAt', 'is', null));
const markUnreachableQuery = defineQuery('identity_mark_unreachable', (db, p) => db.updateTable('ChannelIdentity').set({ unreachableAt: p.at }).where('personId', '=', p.personId).where('channel', '=', p.channel).where('chatId', '=', p.chatId));
/** The person's reachable chat used most recently, other than `channel`/`chatId`. */
const otherChatQuery = defineQuery('identity_other_chat', (db, p) => db
    .selectFrom('ChannelIdentity')
    .select(['channel', 'chatId'])
    .where('personId', '=', p.personId)
    .where('unreachableAt', 'is', null)
    .where((eb) => eb.not(eb.and([eb('channel', '=', p.channel), eb('chatId', '=', p.chatId)])))
    .orderBy('lastUsedAt', (order) => order.desc().nullsLast())
    .orderBy('id')
    .limit(1));
/** The message goes to another chat (or none: it waits), due now, its attempt counted. */
const rerouteQuery = defineQuery('outbox_reroute', (db, p) => db
    .updateTable('OutboxMessage')
    .set((eb) => ({
    channel: p.channel,
    chatId: p.chatId,
    lastError: p.lastError,
    attempts: eb('attempts', '+', 1),
    claimedBy: null,
    claimedUntil: null,
    availableAt: p.at,
}))
    .where('id', '=', p.id)
    .where('claimedBy', '=', p.workerId)
    .where('sentAt', 'is', null));
/** The unclaimed messages waiting for a blocked chat follow the rerouted one. */
const followRerouteQuery = defineQuery('outbox_follow_reroute', (db, p) => db
    .updateTable('OutboxMessage')
    .set({ channel: p.toChannel, chatId: p.toChatId })
    .where('recipientId', '=', p.recipientId)
    .where('channel', '=', p.channel)
    .where('chatId', '=', p.chatId)
    .where('sentAt', 'is', null)
    .where('failedAt', 'is', null)
    .where('claimedBy', 'is', null));
/** Delivers what one worker claimed. */
export class Deliverer {
    workerId;
    #database;
    #deliver;
    #clock;
    #leaseMs;
    #maxAttempts;
    constructor(options) {
        this.#database = options.database;
        this.#deliver = options.deliver;
        this.#clock = options.clock;
        this.workerId = options.workerId;
        this.#leaseMs = options.leaseMs;
        this.#maxAttempts = options.maxAttempts;
    }
    /** Delivers the outbox rows `ids` this worker claimed at `now`; returns how many were sent. */
    async deliverClaimed(ids, now) {
        if (!ids.length)
            return 0;
        const { db, sql } = this.#database;
        // The claimed rows in one read; they are ours until the lease ends (checked below).
        const claimed = new Map((await all(sql, claimedRowsQuery, { ids })).map((r) => [r.id, r]));
        /** Rows given back in this round (their chat's earlier message failed). */
        const held = new Set();
        let sent = 0;
        const marks = [];
        const markFailures = [];
        for (const [index, id] of ids.entries()) {
            if (held.has(id))
                continue;
            // Past half the lease (slow channels), the rest waits for the next round: once the
            // lease ends another process may claim them, and none may go out twice.
            if (this.#clock.now().getTime() - now.getTime() > this.#leaseMs / 2) {
                await run(sql, releaseClaimsQuery, { ids: ids.slice(index), workerId: this.workerId });
                break;
            }
            const row = claimed.get(id);
            if (!row || row.sentAt || row.claimedBy !== this.workerId || !row.channel || !row.chatId)
                continue;
            const locale = row.locale === 'en' ? 'en' : 'zh';
            const params = inLocale(JSON.parse(row.params), locale);
            const actions = JSON.parse(row.actions);
            const message = {
                id: row.id,
                recipientId: row.recipientId,
                channel: row.channel,
                chatId: row.chatId,
                locale,
                ticketNumber: row.ticketNumber,
                template: row.template,
                text: render(locale, row.template, params),
                actions: actions.map((a) => offeredChoice(a, locale)),
                media: JSON.parse(row.media),
                reply: row.reply,
            };
            let result;
            try {
                result = await this.#deliver(message);
            }
            catch (error) {
                result = { status: 'retry', error: error instanceof Error ? error.message : String(error) };
            }
            const after = this.#clock.now();
            // Only the claim holder settles the row (every statement below checks the claim), so a lease taken over is never sent twice.
            if (result.status !== 'sent') {
                // The chat's later rows in this batch wait behind this one, untried (no attempt used).
                const behind = ids.slice(index + 1).filter((later) => claimed.get(later)?.channel === row.channel && claimed.get(later)?.chatId === row.chatId);
                for (const later of behind)
                    held.add(later);
                if (behind.length)
                    await run(sql, releaseClaimsQuery, { ids: behind, workerId: this.workerId });
            }
            if (result.status === 'sent') {
                // Not awaited one by one: on SQLite the mark waits for its group's commit (see
                // SqliteHandle.transaction), and the next message of the batch need not.
                marks.push(markDelivered(db, id, this.workerId, after).then(() => void sent++, (error) => void markFailures.push(error)));
                continue;
            }
            if (result.status === 'offline') {
                await run(sql, offlineQuery, { id, workerId: this.workerId, availableAt: new Date(after.getTime() + OFFLINE_RECHECK_MS) });
                continue;
            }
            if (result.status === 'unreachable') {
                await this.#reroute(row.id, row.recipientId, row.channel, row.chatId, result.error, after);
                continue;
            }
            const attempts = row.attempts + 1;
            const giveUp = attempts >= this.#maxAttempts;
            const wait = result.status === 'retry' && result.retryAfterMs !== undefined ? result.retryAfterMs : backoffMs(attempts);
            await run(sql, attemptFailedQuery, {
                id,
                workerId: this.workerId,
                attempts,
                lastError: result.error.slice(0, 500),
                availableAt: new Date(after.getTime() + wait),
                failedAt: giveUp ? after : null,
            });
            log.warn({ outboxId: id, attempts, status: result.status, giveUp }, 'delivery failed');
        }
        await Promise.all(marks);
        // A row whose mark failed stays claimed until its lease ends, then goes out again.
        if (markFailures.length)
            throw markFailures[0];
        return sent;
    }
    /**
     * The platform says the person cannot be reached on this chat (they blocked the bot):
     * the identity is marked unreachable (staff see it), and the message moves to the
     * person's other chat used most recently; with none, it waits, unaddressed, until the
     * person writes again from any chat. It is never retried against the blocked chat.
     */
    async #reroute(id, recipientId, channel, chatId, error, now) {
        const { db } = this.#database;
        const fallback = await sqlTransaction(db, async (tx) => {
            const sql = sqlOf(tx);
            await run(sql, markUnreachableQuery, { personId: recipientId, channel, chatId, at: now });
            const other = await first(sql, otherChatQuery, { personId: recipientId, channel, chatId });
            const to = { channel: other?.channel ?? null, chatId: other?.chatId ?? null };
            await run(sql, rerouteQuery, { id, workerId: this.workerId, ...to, lastError: error.slice(0, 500), at: now });
            // Other messages waiting for the same blocked chat follow the same way.
            await run(sql, followRerouteQuery, { recipientId, channel, chatId, toChannel: to.channel, toChatId: to.chatId });
            return to.channel;
        });
        log.warn({ outboxId: id, channel, fallback }, 'recipient unreachable on this chat; message re-addressed');
    }
}
/**
 * A push's params for a reader of `locale`: a param `name@en` (staff's own words in
 * English, e.g. a survey's English title) stands for `name` to an English reader, when
 * it was given; the catalogues' placeholders stay the same in both languages.
 */
function inLocale(params, locale) {
    if (locale !== 'en')
        return params;
    for (const key of Object.keys(params)) {
        const english = params[key];
        if (key.endsWith('@en') && typeof english === 'string' && english)
            params[key.slice(0, -'@en'.length)] = english;
    }
    return params;
}
