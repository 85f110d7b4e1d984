/**
 * The rows every turn reads and writes whatever the flow: the dedupe row, the speaker's
 * identity and person, the session, the replies and their "sent" marks.
 *
 * Written once for both databases on the storage layer (src/db/sql.ts): on SQLite they
 * run as prepared statements on the turn's own connection, on PostgreSQL as named
 * prepared statements. These rows are most of the queries of a turn.
 *
 * A push offering choices (`offerChoices`) may be delivered by another process while a
 * turn of the same chat runs: it changes only the session's choices, in one statement.
 */
import { sqlOf } from '../db/client.js';
import { choicesMerged, choicesNewer, isUniqueViolation, joinedText, oneOf, transactionsOverlap } from '../db/dialect.js';
import { all, defineQuery, first, one, run } from '../db/sql.js';
import { adoptWaiting } from '../pipeline/outbox.js';
/** The message id was recorded before: this is a re-delivery. */
export class DuplicateMessage extends Error {
    name = 'DuplicateMessage';
}
/** The outbox columns that say how a reply goes out (see ReplyRow.delivery). */
function deliveryColumns(reply) {
    const { delivery } = reply;
    return {
        attempts: delivery.kind === 'sent' ? 1 : 0,
        sentAt: delivery.kind === 'sent' ? reply.at : null,
        inboundId: delivery.kind === 'sent' ? delivery.inboundId : null,
        claimedBy: delivery.kind === 'held' ? 'turn' : null,
        claimedUntil: delivery.kind === 'held' ? delivery.holdUntil : null,
    };
}
/** How stale an identity's `lastUsedAt` may get before a message from it rewrites it. */
const LAST_USED_STEP_MS = 60_000;
/** Whether a message from `chatId` now changes the speaker's identity row. */
function needsTouch(speaker, chatId, at) {
    return !speaker.reachable || speaker.chatId !== chatId || speaker.lastUsedAt === null || at.getTime() - speaker.lastUsedAt.getTime() >= LAST_USED_STEP_MS;
}
const recordInboundQuery = defineQuery('turn_record_inbound', (db, p) => db.insertInto('InboundMessage').values({ channel: p.channel, messageId: p.messageId, chatId: p.chatId, receivedAt: p.at }).returning('id'));
/** The speaker in one query: identity, person, household phone, roles, and an open conversation. */
const speakerQuery = defineQuery('turn_speaker', (db, p, dialect) => db
    .selectFrom('ChannelIdentity as i')
    .innerJoin('Person as p', 'p.id', 'i.personId')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .select((eb) => [
    'i.id as identityId',
    'i.personId as personId',
    'i.chatId as chatId',
    'i.unreachableAt as unreachableAt',
    'i.lastUsedAt as lastUsedAt',
    'p.locale as locale',
    'p.householdId as householdId',
    'h.phone as householdPhone',
    eb
        .selectFrom('PersonRole as r')
        .select(joinedText(dialect, 'r.role', 'r.id').as('roles'))
        .whereRef('r.personId', '=', 'p.id')
        .as('roles'),
    eb.exists(eb.selectFrom('Conversation as c').select('c.id').whereRef('c.residentId', '=', 'p.id').where('c.status', '=', 'open')).as('inConversation'),
])
    .where('i.channel', '=', p.channel)
    .where('i.platformUserId', '=', p.platformUserId));
const newPersonQuery = defineQuery('turn_new_person', (db, p) => db.insertInto('Person').values({ code: p.code, name: p.name, locale: p.locale, createdAt: p.at, updatedAt: p.at }).returning('id'));
const newIdentityQuery = defineQuery('turn_new_identity', (db, p) => db
    .insertInto('ChannelIdentity')
    .values({ channel: p.channel, platformUserId: p.platformUserId, personId: p.personId, chatId: p.chatId, lastUsedAt: p.at, createdAt: p.at })
    .returning('id'));
const touchIdentityQuery = defineQuery('turn_touch_identity', (db, p) => db.updateTable('ChannelIdentity').set({ lastUsedAt: p.at, chatId: p.chatId, unreachableAt: null }).where('id', '=', p.id));
const sessionQuery = defineQuery('turn_session', (db, p) => db.selectFrom('ChatSession').select(['flow', 'step', 'data', 'lastSeenAt']).where('channel', '=', p.channel).where('chatId', '=', p.chatId));
const saveSessionQuery = defineQuery('turn_save_session', (db, p) => db
    .insertInto('ChatSession')
    .values({ channel: p.channel, chatId: p.chatId, personId: p.personId, flow: p.flow, step: p.step, data: p.data, lastSeenAt: p.at, createdAt: p.at })
    .onConflict((oc) => oc.columns(['channel', 'chatId']).doUpdateSet((eb) => ({
    personId: eb.ref('excluded.personId'),
    flow: eb.ref('excluded.flow'),
    step: eb.ref('excluded.step'),
    data: eb.ref('excluded.data'),
    lastSeenAt: eb.ref('excluded.lastSeenAt'),
}))));
/**
 * `data` holds `{ data: {}, choices | pushed, choicesFrom }`; only those choices reach the
 * stored session: a late reply's as its `choices`, and only when newer than the stored
 * ones; a push's as `pushed`, always (see SessionState.pushed).
 */
function offerChoicesQuery(field) {
    return defineQuery(`turn_offer_${field}`, (db, p, dialect) => db
        .insertInto('ChatSession')
        .values({ channel: p.channel, chatId: p.chatId, personId: p.personId, data: p.data, lastSeenAt: p.at, createdAt: p.at })
        .onConflict((oc) => {
        const update = oc.columns(['channel', 'chatId']).doUpdateSet({ data: choicesMerged(dialect, field) });
        return field === 'choices' ? update.where(choicesNewer(dialect)) : update;
    }));
}
const offerReplyChoicesQuery = offerChoicesQuery('choices');
const offerPushChoicesQuery = offerChoicesQuery('pushed');
const addReplyQuery = defineQuery('turn_add_reply', (db, p) => db
    .insertInto('OutboxMessage')
    .values({
    recipientId: p.recipientId,
    channel: p.channel,
    chatId: p.chatId,
    template: p.template,
    params: p.params,
    actions: p.actions,
    media: p.media,
    reply: true,
    createdAt: p.at,
    availableAt: p.at,
    attempts: p.attempts,
    claimedBy: p.claimedBy,
    claimedUntil: p.claimedUntil,
    sentAt: p.sentAt,
    inboundId: p.inboundId,
})
    .returning('id'));
// Most turns answer with one message: a key lookup costs a third of a list join (SQLite).
const markOneSentQuery = defineQuery('turn_mark_one_sent', (db, p) => db
    .updateTable('OutboxMessage')
    .set((eb) => ({ sentAt: p.at, claimedBy: null, claimedUntil: null, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', p.id)
    .where('sentAt', 'is', null));
const answeredWithQuery = defineQuery('turn_answered_with', (db, p) => db
    .selectFrom('InboundMessage as i')
    .innerJoin('OutboxMessage as m', 'm.inboundId', 'i.id')
    .innerJoin('Person as r', 'r.id', 'm.recipientId')
    .select(['m.id as id', 'm.template as template', 'm.params as params', 'm.actions as actions', 'm.media as media', 'r.locale as locale'])
    .where('i.channel', '=', p.channel)
    .where('i.chatId', '=', p.chatId)
    .where('i.messageId', '=', p.messageId)
    .orderBy('m.id'));
const markSentQuery = defineQuery('turn_mark_sent', (db, p, dialect) => db
    .updateTable('OutboxMessage')
    .set((eb) => ({ sentAt: p.at, claimedBy: null, claimedUntil: null, attempts: eb('attempts', '+', 1) }))
    .where(oneOf(dialect, 'id', p.ids))
    .where('sentAt', 'is', null));
/** The one store, on the storage layer: `tx`'s connection inside a turn, the database's outside. */
class LayerTurnStore {
    /** The database's own connection, for what runs outside any turn. */
    #outside;
    constructor(db) {
        this.#outside = sqlOf(db);
    }
    async recordInbound(tx, message, at) {
        try {
            return (await one(sqlOf(tx), recordInboundQuery, { ...message, at })).id;
        }
        catch (error) {
            // The unique key makes a re-delivered message fail here, before anything else.
            if (isUniqueViolation(error))
                throw new DuplicateMessage(message.messageId, { cause: error });
            throw error;
        }
    }
    async speaker(tx, channel, platformUserId) {
        const row = await first(sqlOf(tx), speakerQuery, { channel, platformUserId });
        if (!row)
            return null;
        const { unreachableAt, roles, inConversation, ...rest } = row;
        return {
            ...rest,
            reachable: unreachableAt === null,
            roles: roles === null ? [] : [...new Set(roles.split(','))],
            inConversation: Boolean(inConversation),
        };
    }
    async newSpeaker(tx, person, identity, at) {
        const sql = sqlOf(tx);
        const personId = (await one(sql, newPersonQuery, { ...person, at })).id;
        const identityId = (await one(sql, newIdentityQuery, { ...identity, personId, at })).id;
        return {
            identityId,
            personId,
            chatId: identity.chatId,
            reachable: true,
            lastUsedAt: at,
            locale: person.locale,
            householdId: null,
            householdPhone: null,
            roles: [],
            inConversation: false,
        };
    }
    /**
     * Writes only what changed. `lastUsedAt` moves when it is a minute old (it orders a
     * person's chats for pushes, to the minute): a conversation's every message need not
     * rewrite the identity. Waiting messages (no recipient chat) exist only while the person
     * has no reachable chat: every write that makes one reachable adopts them (a claim,
     * a binding, this), and a push finds a reachable chat if there is one. Where one
     * transaction runs at a time (SQLite) no push can have read the identity unreachable
     * meanwhile, so they are looked for only when it was; where transactions overlap, always.
     */
    async arrived(tx, speaker, channel, chatId, at) {
        const sql = sqlOf(tx);
        if (needsTouch(speaker, chatId, at))
            await run(sql, touchIdentityQuery, { id: speaker.identityId, chatId, at });
        if (!speaker.reachable || transactionsOverlap(sql.dialect))
            await adoptWaiting(tx, speaker.personId, { channel, chatId }, at);
    }
    async session(tx, channel, chatId) {
        return (await first(sqlOf(tx), sessionQuery, { channel, chatId })) ?? null;
    }
    async saveSession(tx, session, at) {
        await run(sqlOf(tx), saveSessionQuery, { ...session, at });
    }
    async offerChoices(channel, chatId, personId, choices, outboxId, reply, at) {
        // One statement that touches only the choices: a turn of this chat committing in
        // another process meanwhile keeps its flow data. `choicesFrom` never goes back.
        const data = JSON.stringify({ data: {}, [reply ? 'choices' : 'pushed']: choices, choicesFrom: outboxId });
        await run(this.#outside, reply ? offerReplyChoicesQuery : offerPushChoicesQuery, { channel, chatId, personId, data, at });
    }
    async addReply(tx, reply) {
        // Named one by one: an object rest and spread per reply cost more than its insert.
        const { recipientId, channel, chatId, template, params, actions, media, at } = reply;
        const { attempts, sentAt, inboundId, claimedBy, claimedUntil } = deliveryColumns(reply);
        const row = { recipientId, channel, chatId, template, params, actions, media, at, attempts, sentAt, inboundId, claimedBy, claimedUntil };
        return (await one(sqlOf(tx), addReplyQuery, row)).id;
    }
    async markSent(ids, at) {
        if (ids.length === 1)
            await run(this.#outside, markOneSentQuery, { id: ids[0], at });
        else
            await run(this.#outside, markSentQuery, { ids, at });
    }
    answeredWith(message) {
        return all(this.#outside, answeredWithQuery, message);
    }
}
/** The turn store of `db` (a client `openDatabase` made). */
export function turnStoreFor(db) {
    return new LayerTurnStore(db);
}
