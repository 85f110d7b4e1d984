/**
 * The rows every turn reads and writes whatever the flow: the dedupe row, the speaker's
 * identity and person, the session, the replies and their "sent" marks.
 *
 * Two implementations of one small interface. On SQLite the turn's bookkeeping runs as
 * plain prepared statements on Prisma's own connection, inside the turn's transaction
 * (see src/db/sqlite-adapter.ts): a Prisma query costs 10–20 times a prepared statement,
 * and these rows are most of the queries of a turn (measured with `npm run bench`). On
 * PostgreSQL the same rows go through Prisma.
 *
 * A push offering choices (`offerChoices`) may be delivered by another process while a
 * turn of the same chat runs: it changes only the session's choices, in one statement.
 */
import { type Db, sqliteHandleOf, type Tx } from '../db/client.js';
import { isSqliteUniqueViolation, type SqliteHandle, sqliteDate } from '../db/sqlite-adapter.js';
import { adoptWaiting } from '../pipeline/outbox.js';
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
  recordInbound(tx: Tx, message: { channel: string; messageId: string; chatId: string }, at: Date): Promise<number>;
  speaker(tx: Tx, channel: string, platformUserId: string): Promise<KnownSpeaker | null>;
  /** A first contact: a new person with this chat identity. */
  newSpeaker(tx: Tx, person: { code: string; name: string; locale: string }, identity: { channel: string; platformUserId: string; chatId: string }, at: Date): Promise<KnownSpeaker>;
  /**
   * A known speaker wrote from `chatId`: their identity is reachable and was used now,
   * and messages that had no reachable chat for them come to this one.
   */
  arrived(tx: Tx, speaker: KnownSpeaker, channel: string, chatId: string, at: Date): Promise<void>;
  session(tx: Tx, channel: string, chatId: string): Promise<SessionRow | null>;
  saveSession(tx: Tx, session: { channel: string; chatId: string; personId: number; flow: string | null; step: string | null; data: string }, at: Date): Promise<void>;
  /**
   * Outside any turn: a message (outbox row `outboxId`) offered these choices in the chat;
   * numbers and words now answer them. A push always does; a turn's reply (sent late, after
   * a crash) only when no later message's are recorded (see the engine's SessionState).
   */
  offerChoices(channel: string, chatId: string, personId: number, choices: OfferedChoice[], outboxId: number, reply: boolean, at: Date): Promise<void>;
  addReply(tx: Tx, reply: ReplyRow): Promise<number>;
  /** Outside any turn: the channel confirmed these outbox rows. */
  markSent(ids: number[], at: Date): Promise<void>;
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

/** Plain statements on SQLite (see the file comment). */
class SqliteTurnStore implements TurnStore {
  constructor(readonly sql: SqliteHandle) {}

  recordInbound(_tx: Tx, message: { channel: string; messageId: string; chatId: string }, at: Date): Promise<number> {
    try {
      const { lastInsertRowid } = this.sql.run(
        `INSERT INTO "InboundMessage" ("channel", "messageId", "chatId", "receivedAt") VALUES (?, ?, ?, ?)`,
        message.channel,
        message.messageId,
        message.chatId,
        sqliteDate(at),
      );
      return Promise.resolve(lastInsertRowid);
    } catch (error) {
      if (isSqliteUniqueViolation(error)) throw new DuplicateMessage(message.messageId, { cause: error });
      throw error;
    }
  }

  speaker(_tx: Tx, channel: string, platformUserId: string): Promise<KnownSpeaker | null> {
    const row = this.sql.get<Omit<KnownSpeaker, 'roles' | 'reachable' | 'lastUsedAt' | 'inConversation'> & { reachable: number; lastUsedAt: string | null; inConversation: number }>(
      `SELECT i."id" AS identityId, i."personId" AS personId, i."chatId" AS chatId, i."unreachableAt" IS NULL AS reachable, i."lastUsedAt" AS lastUsedAt,
         p."locale" AS locale, p."householdId" AS householdId, h."phone" AS householdPhone,
         EXISTS (SELECT 1 FROM "Conversation" c WHERE c."residentId" = p."id" AND c."status" = 'open') AS inConversation
       FROM "ChannelIdentity" i JOIN "Person" p ON p."id" = i."personId" LEFT JOIN "Household" h ON h."id" = p."householdId"
       WHERE i."channel" = ? AND i."platformUserId" = ?`,
      channel,
      platformUserId,
    );
    if (!row) return Promise.resolve(null);
    const roles = this.sql.all<{ role: string }>(`SELECT "role" FROM "PersonRole" WHERE "personId" = ? ORDER BY "id"`, row.personId);
    return Promise.resolve({
      ...row,
      reachable: row.reachable === 1,
      lastUsedAt: row.lastUsedAt === null ? null : new Date(row.lastUsedAt),
      roles: [...new Set(roles.map((r) => r.role))],
      inConversation: row.inConversation === 1,
    });
  }

  newSpeaker(
    _tx: Tx,
    person: { code: string; name: string; locale: string },
    identity: { channel: string; platformUserId: string; chatId: string },
    at: Date,
  ): Promise<KnownSpeaker> {
    const when = sqliteDate(at);
    const personId = this.sql.run(
      `INSERT INTO "Person" ("code", "name", "locale", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?)`,
      person.code,
      person.name,
      person.locale,
      when,
      when,
    ).lastInsertRowid;
    const identityId = this.sql.run(
      `INSERT INTO "ChannelIdentity" ("channel", "platformUserId", "personId", "chatId", "lastUsedAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`,
      identity.channel,
      identity.platformUserId,
      personId,
      identity.chatId,
      when,
      when,
    ).lastInsertRowid;
    return Promise.resolve({
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
    });
  }

  /**
   * Writes only what changed. `lastUsedAt` moves when it is a minute old (it orders a
   * person's chats for pushes, to the minute): a conversation's every message need not
   * rewrite the identity. Waiting messages (no recipient chat) exist only while the person
   * has no reachable chat: every write that makes one reachable adopts them (a claim,
   * a binding, this), and a push finds a reachable chat if there is one. So they are
   * looked for only when this identity was unreachable. SQLite runs one transaction at a
   * time, so no push can have read the identity unreachable meanwhile.
   */
  async arrived(tx: Tx, speaker: KnownSpeaker, channel: string, chatId: string, at: Date): Promise<void> {
    if (needsTouch(speaker, chatId, at)) {
      this.sql.run(`UPDATE "ChannelIdentity" SET "lastUsedAt" = ?, "chatId" = ?, "unreachableAt" = NULL WHERE "id" = ?`, sqliteDate(at), chatId, speaker.identityId);
    }
    // Rare (the identity had been blocked): through Prisma, as everywhere else.
    if (!speaker.reachable) await adoptWaiting(tx, speaker.personId, { channel, chatId }, at);
  }

  #session(channel: string, chatId: string): SessionRow | null {
    const row = this.sql.get<Omit<SessionRow, 'lastSeenAt'> & { lastSeenAt: string }>(
      `SELECT "flow", "step", "data", "lastSeenAt" FROM "ChatSession" WHERE "channel" = ? AND "chatId" = ?`,
      channel,
      chatId,
    );
    return row ? { ...row, lastSeenAt: new Date(row.lastSeenAt) } : null;
  }

  session(_tx: Tx, channel: string, chatId: string): Promise<SessionRow | null> {
    return Promise.resolve(this.#session(channel, chatId));
  }

  saveSession(_tx: Tx, session: { channel: string; chatId: string; personId: number; flow: string | null; step: string | null; data: string }, at: Date): Promise<void> {
    this.sql.run(
      `INSERT INTO "ChatSession" ("channel", "chatId", "personId", "flow", "step", "data", "lastSeenAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("channel", "chatId") DO UPDATE SET "personId" = excluded."personId", "flow" = excluded."flow", "step" = excluded."step",
         "data" = excluded."data", "lastSeenAt" = excluded."lastSeenAt"`,
      session.channel,
      session.chatId,
      session.personId,
      session.flow,
      session.step,
      session.data,
      sqliteDate(at),
      sqliteDate(at),
    );
    return Promise.resolve();
  }

  offerChoices(channel: string, chatId: string, personId: number, choices: OfferedChoice[], outboxId: number, reply: boolean, at: Date): Promise<void> {
    // One statement that touches only the choices: a turn of this chat committing in
    // another process meanwhile keeps its flow data. `choicesFrom` never goes back.
    return this.sql
      .write(
        `INSERT INTO "ChatSession" ("channel", "chatId", "personId", "data", "lastSeenAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT ("channel", "chatId") DO UPDATE SET "data" =
           json_set(CASE WHEN json_valid("ChatSession"."data") THEN "ChatSession"."data" ELSE '{}' END,
             '$.choices', json(excluded."data" -> '$.choices'),
             '$.choicesFrom', max(coalesce(CASE WHEN json_valid("ChatSession"."data") THEN "ChatSession"."data" ->> '$.choicesFrom' END, 0), excluded."data" ->> '$.choicesFrom'))
         WHERE ? = 0 OR NOT json_valid("ChatSession"."data") OR coalesce("ChatSession"."data" ->> '$.choicesFrom', 0) < excluded."data" ->> '$.choicesFrom'`,
        channel,
        chatId,
        personId,
        JSON.stringify({ data: {}, choices, choicesFrom: outboxId }),
        sqliteDate(at),
        sqliteDate(at),
        reply ? 1 : 0,
      )
      .then(() => undefined);
  }

  addReply(_tx: Tx, reply: ReplyRow): Promise<number> {
    const row = deliveryColumns(reply);
    const { lastInsertRowid } = this.sql.run(
      `INSERT INTO "OutboxMessage" ("recipientId", "channel", "chatId", "template", "params", "actions", "media", "reply", "createdAt", "availableAt", "attempts", "claimedBy", "claimedUntil", "sentAt", "inboundId")
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
      reply.recipientId,
      reply.channel,
      reply.chatId,
      reply.template,
      reply.params,
      reply.actions,
      reply.media,
      sqliteDate(reply.at),
      sqliteDate(reply.at),
      row.attempts,
      row.claimedBy,
      row.claimedUntil ? sqliteDate(row.claimedUntil) : null,
      row.sentAt ? sqliteDate(row.sentAt) : null,
      row.inboundId,
    );
    return Promise.resolve(lastInsertRowid);
  }

  markSent(ids: number[], at: Date): Promise<void> {
    const set = `UPDATE "OutboxMessage" SET "sentAt" = ?, "claimedBy" = NULL, "claimedUntil" = NULL, "attempts" = "attempts" + 1`;
    // Most turns answer with one message: a key lookup costs a third of a json_each join.
    const done =
      ids.length === 1
        ? this.sql.write(`${set} WHERE "id" = ? AND "sentAt" IS NULL`, sqliteDate(at), ids[0]!)
        : this.sql.write(`${set} WHERE "id" IN (SELECT value FROM json_each(?)) AND "sentAt" IS NULL`, sqliteDate(at), JSON.stringify(ids));
    return done.then(() => undefined);
  }
}

/** The same through Prisma, on PostgreSQL. */
class PostgresTurnStore implements TurnStore {
  constructor(readonly db: Db) {}

  async recordInbound(tx: Tx, message: { channel: string; messageId: string; chatId: string }, at: Date): Promise<number> {
    try {
      const row = await tx.inboundMessage.create({
        data: { channel: message.channel, messageId: message.messageId, chatId: message.chatId, receivedAt: at },
        select: { id: true },
      });
      return row.id;
    } catch (error) {
      // The unique key makes a re-delivered message fail here, before anything else.
      if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2002') {
        throw new DuplicateMessage(message.messageId, { cause: error });
      }
      throw error;
    }
  }

  async speaker(tx: Tx, channel: string, platformUserId: string): Promise<KnownSpeaker | null> {
    const identity = await tx.channelIdentity.findUnique({
      where: { channel_platformUserId: { channel, platformUserId } },
      include: {
        person: {
          include: {
            roles: { orderBy: { id: 'asc' } },
            household: { select: { phone: true } },
            conversations: { where: { status: 'open' }, select: { id: true }, take: 1 },
          },
        },
      },
    });
    if (!identity) return null;
    const { person } = identity;
    return {
      identityId: identity.id,
      personId: person.id,
      chatId: identity.chatId,
      reachable: identity.unreachableAt === null,
      lastUsedAt: identity.lastUsedAt,
      locale: person.locale,
      householdId: person.householdId,
      householdPhone: person.household?.phone ?? null,
      roles: [...new Set(person.roles.map((r) => r.role))],
      inConversation: person.conversations.length > 0,
    };
  }

  async newSpeaker(
    tx: Tx,
    person: { code: string; name: string; locale: string },
    identity: { channel: string; platformUserId: string; chatId: string },
    at: Date,
  ): Promise<KnownSpeaker> {
    const created = await tx.person.create({ data: person });
    const row = await tx.channelIdentity.create({ data: { ...identity, personId: created.id, lastUsedAt: at } });
    return {
      identityId: row.id,
      personId: created.id,
      chatId: row.chatId,
      reachable: true,
      lastUsedAt: at,
      locale: created.locale,
      householdId: null,
      householdPhone: null,
      roles: [],
      inConversation: false,
    };
  }

  /**
   * As on SQLite, but waiting messages are always looked for: a push committing
   * alongside may have read this identity as unreachable before this turn made it
   * reachable (transactions here run side by side).
   */
  async arrived(tx: Tx, speaker: KnownSpeaker, channel: string, chatId: string, at: Date): Promise<void> {
    if (needsTouch(speaker, chatId, at)) {
      await tx.channelIdentity.update({ where: { id: speaker.identityId }, data: { lastUsedAt: at, chatId, unreachableAt: null } });
    }
    await adoptWaiting(tx, speaker.personId, { channel, chatId }, at);
  }

  session(tx: Tx, channel: string, chatId: string): Promise<SessionRow | null> {
    return tx.chatSession.findUnique({ where: { channel_chatId: { channel, chatId } }, select: { flow: true, step: true, data: true, lastSeenAt: true } });
  }

  async saveSession(tx: Tx, session: { channel: string; chatId: string; personId: number; flow: string | null; step: string | null; data: string }, at: Date): Promise<void> {
    const { channel, chatId, ...rest } = session;
    await tx.chatSession.upsert({
      where: { channel_chatId: { channel, chatId } },
      create: { ...session, lastSeenAt: at, createdAt: at },
      update: { ...rest, lastSeenAt: at },
    });
  }

  async offerChoices(channel: string, chatId: string, personId: number, choices: OfferedChoice[], outboxId: number, reply: boolean, at: Date): Promise<void> {
    // One statement that touches only the choices. Read-then-write would race with a
    // turn of this chat committing in another process (its flow data would be lost).
    await this.db.$executeRawUnsafe(
      `INSERT INTO "ChatSession" ("channel", "chatId", "personId", "data", "lastSeenAt", "createdAt") VALUES ($1, $2, $3, $4, CAST($5 AS timestamp(3)), CAST($5 AS timestamp(3)))
       ON CONFLICT ("channel", "chatId") DO UPDATE SET "data" = ("ChatSession"."data"::jsonb
         || jsonb_build_object('choices', (EXCLUDED."data"::jsonb) -> 'choices',
              'choicesFrom', GREATEST(coalesce(("ChatSession"."data"::jsonb ->> 'choicesFrom')::bigint, 0), (EXCLUDED."data"::jsonb ->> 'choicesFrom')::bigint)))::text
       WHERE NOT $6 OR coalesce(("ChatSession"."data"::jsonb ->> 'choicesFrom')::bigint, 0) < (EXCLUDED."data"::jsonb ->> 'choicesFrom')::bigint`,
      channel,
      chatId,
      personId,
      JSON.stringify({ data: {}, choices, choicesFrom: outboxId }),
      // timestamp(3) holds UTC wall-clock time, as Prisma writes it.
      at.toISOString().replace('T', ' ').replace('Z', ''),
      reply,
    );
  }

  async addReply(tx: Tx, reply: ReplyRow): Promise<number> {
    const row = await tx.outboxMessage.create({
      data: {
        recipientId: reply.recipientId,
        channel: reply.channel,
        chatId: reply.chatId,
        template: reply.template,
        params: reply.params,
        actions: reply.actions,
        media: reply.media,
        reply: true,
        createdAt: reply.at,
        availableAt: reply.at,
        ...deliveryColumns(reply),
      },
      select: { id: true },
    });
    return row.id;
  }

  async markSent(ids: number[], at: Date): Promise<void> {
    await this.db.outboxMessage.updateMany({
      where: { id: { in: ids }, sentAt: null },
      data: { sentAt: at, claimedBy: null, claimedUntil: null, attempts: { increment: 1 } },
    });
  }
}

/**
 * The store for `db`: plain statements on SQLite, Prisma on PostgreSQL. (A SQLite client
 * is recognised by the handle `openDatabase` registered for it.)
 */
export function turnStoreFor(db: Db): TurnStore {
  const sql = sqliteHandleOf(db);
  return sql ? new SqliteTurnStore(sql) : new PostgresTurnStore(db);
}
