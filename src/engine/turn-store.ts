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
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { choicesMerged, choicesNewer, isUniqueViolation, joinedText, oneOf } from '../db/dialect.js';
import { all, defineQuery, first, one, run, type SqlConnection } from '../db/sql.js';
import { adoptWaiting } from '../pipeline/outbox.js';
import { noteReferenceVersion } from '../pipeline/reference.js';
import type { OfferedChoice } from './choices.js';

/** The message id was recorded before: this is a re-delivery. */
export class DuplicateMessage extends Error {
  override readonly name = 'DuplicateMessage';
}

/** A known chat identity and what a turn needs of its person. */
export interface KnownSpeaker {
  identityId: number;
  personId: number;
  /** The identity as stored before this turn: its chat, whether it was reachable, when it was used last. */
  chatId: string;
  reachable: boolean;
  lastUsedAt: Date | null;
  locale: string;
  householdId: number | null;
  householdPhone: string | null;
  roles: string[];
  /** Has a conversation with staff (人工) open: their free text goes there. */
  inConversation: boolean;
  /** Has messages waiting for a reachable chat (pushes written while they had none). */
  hasWaiting: boolean;
}

/** A stored conversation. */
export interface SessionRow {
  flow: string | null;
  step: string | null;
  /** JSON: `{ data, choices }`. */
  data: string;
  lastSeenAt: Date;
}

/** A reply of a turn, written as an outbox row held by the turn until the channel confirms. */
export interface ReplyRow {
  recipientId: number;
  channel: string;
  chatId: string;
  template: string;
  params: string;
  actions: string;
  /** JSON list of media references sent with it. */
  media: string;
  at: Date;
  /**
   * How it goes out: `sent` in the answer to the message it replies to (written as sent,
   * in the turn's own transaction), `held` by the turn until `holdUntil` while the adapter
   * sends it (the scheduler takes it over if no confirmation comes), or `queued` for the
   * scheduler to send.
   */
  delivery: { kind: 'sent'; inboundId: number | null } | { kind: 'held'; holdUntil: Date } | { kind: 'queued' };
}

export interface TurnStore {
  /**
   * Records the message as seen; resolves with its row id.
   * @throws DuplicateMessage when this message id was recorded before.
   */
  recordInbound(tx: Tx | SqlTx, message: { channel: string; messageId: string; chatId: string }, at: Date): Promise<number>;
  /** A known identity's speaker, with the session of `chatId` (the chat the message came from), in one read. */
  speaker(tx: Tx | SqlTx, channel: string, platformUserId: string, chatId: string): Promise<{ speaker: KnownSpeaker; session: SessionRow | null } | null>;
  /** A first contact: a new person with this chat identity. */
  newSpeaker(
    tx: Tx | SqlTx,
    person: { code: string; name: string; locale: string },
    identity: { channel: string; platformUserId: string; chatId: string },
    at: Date,
  ): Promise<KnownSpeaker>;
  /**
   * A known speaker wrote from `chatId`: their identity is reachable and was used now,
   * and messages that had no reachable chat for them come to this one.
   */
  arrived(tx: Tx | SqlTx, speaker: KnownSpeaker, channel: string, chatId: string, at: Date): Promise<void>;
  session(tx: Tx | SqlTx, channel: string, chatId: string): Promise<SessionRow | null>;
  saveSession(tx: Tx | SqlTx, session: { channel: string; chatId: string; personId: number; flow: string | null; step: string | null; data: string }, at: Date): Promise<void>;
  /**
   * Outside any turn: a message (outbox row `outboxId`) offered these choices in the chat;
   * numbers and words now answer them. A push always does; a turn's reply (sent late, after
   * a crash) only when no later message's are recorded (see the engine's SessionState).
   */
  offerChoices(channel: string, chatId: string, personId: number, choices: OfferedChoice[], outboxId: number, reply: boolean, at: Date): Promise<void>;
  addReply(tx: Tx | SqlTx, reply: ReplyRow): Promise<number>;
  /** Outside any turn: the channel confirmed these outbox rows. */
  markSent(ids: number[], at: Date): Promise<void>;
  /** Outside any turn: the replies a message seen before was answered with in its answer (Inbound.repliesInAnswer), oldest first. */
  answeredWith(message: { channel: string; chatId: string; messageId: string }): Promise<AnsweredReply[]>;
}

/** A reply as it was written for the answer to a message. */
export interface AnsweredReply {
  id: number;
  template: string;
  params: string;
  actions: string;
  media: string;
  locale: string;
}

/** The outbox columns that say how a reply goes out (see ReplyRow.delivery). */
function deliveryColumns(reply: ReplyRow) {
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
function needsTouch(speaker: KnownSpeaker, chatId: string, at: Date): boolean {
  return !speaker.reachable || speaker.chatId !== chatId || speaker.lastUsedAt === null || at.getTime() - speaker.lastUsedAt.getTime() >= LAST_USED_STEP_MS;
}

const recordInboundQuery = defineQuery('turn_record_inbound', (db, p: { channel: string; messageId: string; chatId: string; at: Date }) =>
  db.insertInto('InboundMessage').values({ channel: p.channel, messageId: p.messageId, chatId: p.chatId, receivedAt: p.at }).returning('id'),
);

/**
 * The speaker in one query: identity, person, household phone, roles, an open
 * conversation, and the session of the chat they write from (on PostgreSQL every
 * statement of a turn is a round trip).
 */
const speakerQuery = defineQuery('turn_speaker', (db, p: { channel: string; platformUserId: string; chatId: string }, dialect) =>
  db
    .selectFrom('ChannelIdentity as i')
    .innerJoin('Person as p', 'p.id', 'i.personId')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .leftJoin('ChatSession as s', (join) => join.onRef('s.channel', '=', 'i.channel').on('s.chatId', '=', p.chatId))
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
      // Messages waiting for a reachable chat (see `arrived`), by the partial index on them.
      eb
        .exists(
          eb
            .selectFrom('OutboxMessage as w')
            .select('w.id')
            .whereRef('w.recipientId', '=', 'p.id')
            .where('w.channel', 'is', null)
            .where('w.sentAt', 'is', null)
            .where('w.failedAt', 'is', null),
        )
        .as('hasWaiting'),
      eb.selectFrom('ReferenceVersion as v').select('v.version').where('v.id', '=', 1).as('referenceVersion'),
      's.flow as sessionFlow',
      's.step as sessionStep',
      's.data as sessionData',
      // Named as the column, so that SQLite's rows decode it as a date.
      's.lastSeenAt as lastSeenAt',
    ])
    .where('i.channel', '=', p.channel)
    .where('i.platformUserId', '=', p.platformUserId),
);

const newPersonQuery = defineQuery('turn_new_person', (db, p: { code: string; name: string; locale: string; at: Date }) =>
  db.insertInto('Person').values({ code: p.code, name: p.name, locale: p.locale, createdAt: p.at, updatedAt: p.at }).returning('id'),
);

const newIdentityQuery = defineQuery('turn_new_identity', (db, p: { channel: string; platformUserId: string; personId: number; chatId: string; at: Date }) =>
  db
    .insertInto('ChannelIdentity')
    .values({ channel: p.channel, platformUserId: p.platformUserId, personId: p.personId, chatId: p.chatId, lastUsedAt: p.at, createdAt: p.at })
    .returning('id'),
);

const touchIdentityQuery = defineQuery('turn_touch_identity', (db, p: { id: number; chatId: string; at: Date }) =>
  db.updateTable('ChannelIdentity').set({ lastUsedAt: p.at, chatId: p.chatId, unreachableAt: null }).where('id', '=', p.id),
);

const sessionQuery = defineQuery('turn_session', (db, p: { channel: string; chatId: string }) =>
  db.selectFrom('ChatSession').select(['flow', 'step', 'data', 'lastSeenAt']).where('channel', '=', p.channel).where('chatId', '=', p.chatId),
);

/** The chat session of (`channel`, `chatId`), if any: for a turn, and for the web chat's question whether a user is still around. */
export async function chatSession(client: Db | Tx | SqlTx, channel: string, chatId: string): Promise<SessionRow | null> {
  return (await first(sqlOf(client), sessionQuery, { channel, chatId })) ?? null;
}

const saveSessionQuery = defineQuery(
  'turn_save_session',
  (db, p: { channel: string; chatId: string; personId: number; flow: string | null; step: string | null; data: string; at: Date }) =>
    db
      .insertInto('ChatSession')
      .values({ channel: p.channel, chatId: p.chatId, personId: p.personId, flow: p.flow, step: p.step, data: p.data, lastSeenAt: p.at, createdAt: p.at })
      .onConflict((oc) =>
        oc.columns(['channel', 'chatId']).doUpdateSet((eb) => ({
          personId: eb.ref('excluded.personId'),
          flow: eb.ref('excluded.flow'),
          step: eb.ref('excluded.step'),
          data: eb.ref('excluded.data'),
          lastSeenAt: eb.ref('excluded.lastSeenAt'),
        })),
      ),
);

/**
 * `data` holds `{ data: {}, choices | pushed, choicesFrom }`; only those choices reach the
 * stored session: a late reply's as its `choices`, and only when newer than the stored
 * ones; a push's as `pushed`, always (see SessionState.pushed).
 */
function offerChoicesQuery(field: 'choices' | 'pushed') {
  return defineQuery(`turn_offer_${field}`, (db, p: { channel: string; chatId: string; personId: number; data: string; at: Date }, dialect) =>
    db
      .insertInto('ChatSession')
      .values({ channel: p.channel, chatId: p.chatId, personId: p.personId, data: p.data, lastSeenAt: p.at, createdAt: p.at })
      .onConflict((oc) => {
        const update = oc.columns(['channel', 'chatId']).doUpdateSet({ data: choicesMerged(dialect, field) });
        return field === 'choices' ? update.where(choicesNewer(dialect)) : update;
      }),
  );
}
const offerReplyChoicesQuery = offerChoicesQuery('choices');
const offerPushChoicesQuery = offerChoicesQuery('pushed');

const addReplyQuery = defineQuery(
  'turn_add_reply',
  (db, p: Omit<ReplyRow, 'delivery'> & { attempts: number; sentAt: Date | null; inboundId: number | null; claimedBy: string | null; claimedUntil: Date | null }) =>
    db
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
      .returning('id'),
);

// Most turns answer with one message: a key lookup costs a third of a list join (SQLite).
const markOneSentQuery = defineQuery('turn_mark_one_sent', (db, p: { id: number; at: Date }) =>
  db
    .updateTable('OutboxMessage')
    .set((eb) => ({ sentAt: p.at, claimedBy: null, claimedUntil: null, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', p.id)
    .where('sentAt', 'is', null),
);

const answeredWithQuery = defineQuery('turn_answered_with', (db, p: { channel: string; chatId: string; messageId: string }) =>
  db
    .selectFrom('InboundMessage as i')
    .innerJoin('OutboxMessage as m', 'm.inboundId', 'i.id')
    .innerJoin('Person as r', 'r.id', 'm.recipientId')
    .select(['m.id as id', 'm.template as template', 'm.params as params', 'm.actions as actions', 'm.media as media', 'r.locale as locale'])
    .where('i.channel', '=', p.channel)
    .where('i.chatId', '=', p.chatId)
    .where('i.messageId', '=', p.messageId)
    .orderBy('m.id'),
);

const markSentQuery = defineQuery('turn_mark_sent', (db, p: { ids: number[]; at: Date }, dialect) =>
  db
    .updateTable('OutboxMessage')
    .set((eb) => ({ sentAt: p.at, claimedBy: null, claimedUntil: null, attempts: eb('attempts', '+', 1) }))
    .where(oneOf(dialect, 'id', p.ids))
    .where('sentAt', 'is', null),
);

/** The one store, on the storage layer: `tx`'s connection inside a turn, the database's outside. */
class LayerTurnStore implements TurnStore {
  /** The database's own connection, for what runs outside any turn. */
  readonly #outside: SqlConnection;

  constructor(db: Db) {
    this.#outside = sqlOf(db);
  }

  async recordInbound(tx: Tx | SqlTx, message: { channel: string; messageId: string; chatId: string }, at: Date): Promise<number> {
    try {
      return (await one(sqlOf(tx), recordInboundQuery, { ...message, at })).id;
    } catch (error) {
      // The unique key makes a re-delivered message fail here, before anything else.
      if (isUniqueViolation(error)) throw new DuplicateMessage(message.messageId, { cause: error });
      throw error;
    }
  }

  async speaker(tx: Tx | SqlTx, channel: string, platformUserId: string, chatId: string): Promise<{ speaker: KnownSpeaker; session: SessionRow | null } | null> {
    const row = await first(sqlOf(tx), speakerQuery, { channel, platformUserId, chatId });
    if (!row) return null;
    const { unreachableAt, roles, inConversation, hasWaiting, referenceVersion, sessionFlow, sessionStep, sessionData, lastSeenAt, ...rest } = row;
    // The turn's reference reads (categories, regions) need not ask for the version again.
    if (referenceVersion !== null) noteReferenceVersion(sqlOf(tx), referenceVersion);
    return {
      speaker: {
        ...rest,
        reachable: unreachableAt === null,
        hasWaiting: Boolean(hasWaiting),
        roles: roles === null ? [] : [...new Set(roles.split(','))],
        inConversation: Boolean(inConversation),
      },
      session: sessionData === null || lastSeenAt === null ? null : { flow: sessionFlow, step: sessionStep, data: sessionData, lastSeenAt },
    };
  }

  async newSpeaker(
    tx: Tx | SqlTx,
    person: { code: string; name: string; locale: string },
    identity: { channel: string; platformUserId: string; chatId: string },
    at: Date,
  ): Promise<KnownSpeaker> {
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
      hasWaiting: false,
    };
  }

  /**
   * Writes only what changed. `lastUsedAt` moves when it is a minute old (it orders a
   * person's chats for pushes, to the minute): a conversation's every message need not
   * rewrite the identity. Waiting messages (no recipient chat) exist only while the person
   * has no reachable chat: every write that makes one reachable adopts them (a claim,
   * a binding, this), and a push finds a reachable chat if there is one. So a turn adopts
   * them when the identity was unreachable, or when the speaker's read found some: where
   * transactions overlap (PostgreSQL), a push may have read the identity unreachable while
   * an earlier turn was making it reachable, and its message waits for the next turn.
   */
  async arrived(tx: Tx | SqlTx, speaker: KnownSpeaker, channel: string, chatId: string, at: Date): Promise<void> {
    const sql = sqlOf(tx);
    if (needsTouch(speaker, chatId, at)) await run(sql, touchIdentityQuery, { id: speaker.identityId, chatId, at });
    if (!speaker.reachable || speaker.hasWaiting) await adoptWaiting(tx, speaker.personId, { channel, chatId }, at);
  }

  async session(tx: Tx | SqlTx, channel: string, chatId: string): Promise<SessionRow | null> {
    return chatSession(tx, channel, chatId);
  }

  async saveSession(
    tx: Tx | SqlTx,
    session: { channel: string; chatId: string; personId: number; flow: string | null; step: string | null; data: string },
    at: Date,
  ): Promise<void> {
    await run(sqlOf(tx), saveSessionQuery, { ...session, at });
  }

  async offerChoices(channel: string, chatId: string, personId: number, choices: OfferedChoice[], outboxId: number, reply: boolean, at: Date): Promise<void> {
    // One statement that touches only the choices: a turn of this chat committing in
    // another process meanwhile keeps its flow data. `choicesFrom` never goes back.
    const data = JSON.stringify({ data: {}, [reply ? 'choices' : 'pushed']: choices, choicesFrom: outboxId });
    await run(this.#outside, reply ? offerReplyChoicesQuery : offerPushChoicesQuery, { channel, chatId, personId, data, at });
  }

  async addReply(tx: Tx | SqlTx, reply: ReplyRow): Promise<number> {
    // Named one by one: an object rest and spread per reply cost more than its insert.
    const { recipientId, channel, chatId, template, params, actions, media, at } = reply;
    const { attempts, sentAt, inboundId, claimedBy, claimedUntil } = deliveryColumns(reply);
    const row = { recipientId, channel, chatId, template, params, actions, media, at, attempts, sentAt, inboundId, claimedBy, claimedUntil };
    return (await one(sqlOf(tx), addReplyQuery, row)).id;
  }

  async markSent(ids: number[], at: Date): Promise<void> {
    if (ids.length === 1) await run(this.#outside, markOneSentQuery, { id: ids[0]!, at });
    else await run(this.#outside, markSentQuery, { ids, at });
  }

  answeredWith(message: { channel: string; chatId: string; messageId: string }): Promise<AnsweredReply[]> {
    return all(this.#outside, answeredWithQuery, message);
  }
}

/** The turn store of `db` (a client `openDatabase` made). */
export function turnStoreFor(db: Db): TurnStore {
  return new LayerTurnStore(db);
}
