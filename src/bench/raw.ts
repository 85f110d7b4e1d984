/**
 * The raw ceiling of the throughput benchmark: the rows the engine writes for the same
 * dialogue (see load.ts), written with plain better-sqlite3 prepared statements, one
 * transaction per inbound message, no reads, no ORM, no dialogue logic. Nothing can go
 * faster on this machine with this schema and these settings; the engine's figure is
 * read as a share of it.
 *
 * Per inbound message: the dedupe row, the identity's last use (once a minute), the
 * session upsert, one or two reply rows (written held, then marked sent as the channel
 * confirms). Per ticket in addition: the counter, the ticket, its events, its timers and
 * its pushes (each push marked sent in its own transaction, as the scheduler does).
 */
import Database from 'better-sqlite3';
import { BACKSTOP_PAGES, startCheckpointer } from '../db/checkpointer.js';

/** What one inbound message of the dialogue writes besides the per-message rows. */
type Step =
  | { kind: 'plain'; replies: 1 | 2 }
  | { kind: 'submit' }
  | { kind: 'accept' }
  | { kind: 'resolve' }
  | { kind: 'rate' };

/** The 11 messages of one ticket: 8 from the resident (6 report, 2 rate), 3 from the liaison. */
const RESIDENT_REPORT: Step[] = [
  { kind: 'plain', replies: 1 }, // describe → category guess
  { kind: 'plain', replies: 1 }, // yes → where
  { kind: 'plain', replies: 1 }, // home → photo
  { kind: 'plain', replies: 1 }, // skip → phone
  { kind: 'plain', replies: 1 }, // phone → confirm
  { kind: 'submit' }, // submit → receipt + menu
];
const LIAISON: Step[] = [{ kind: 'accept' }, { kind: 'plain', replies: 1 }, { kind: 'resolve' }];
const RESIDENT_RATE: Step[] = [{ kind: 'plain', replies: 1 }, { kind: 'rate' }];

export interface RawPerson {
  personId: number;
  chatId: string;
  identityId: number;
}

export interface RawPair {
  resident: RawPerson;
  liaison: RawPerson;
  householdId: number;
  regionId: number;
  gridId: number | null;
}

/** Milliseconds as the ISO text Prisma stores for DateTime columns on SQLite. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/**
 * Writes `rounds` tickets' worth of messages for every pair into the SQLite file at
 * `path` (migrated, demo county loaded, identities of `pairs` present) and returns the
 * inbound messages written and the time taken.
 */
export async function rawCeiling(path: string, pairs: RawPair[], rounds: number): Promise<{ messages: number; ms: number }> {
  const db = new Database(path);
  // The engine's settings (src/db/client.ts), checkpoints on a worker thread included.
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${process.env['SQLITE_SYNCHRONOUS'] === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const checkpointer = startCheckpointer(path, () => db.pragma('wal_autocheckpoint = 1000'));
  try {
    const s = {
      inbound: db.prepare('INSERT INTO "InboundMessage" ("channel","messageId","chatId","receivedAt") VALUES (?,?,?,?)'),
      identity: db.prepare('UPDATE "ChannelIdentity" SET "lastUsedAt" = ?, "chatId" = ?, "unreachableAt" = NULL WHERE "id" = ?'),
      session: db.prepare(
        `INSERT INTO "ChatSession" ("channel","chatId","personId","flow","step","data","lastSeenAt","createdAt") VALUES ('web',?,?,?,?,?,?,?)
         ON CONFLICT ("channel","chatId") DO UPDATE SET "personId" = excluded."personId", "flow" = excluded."flow", "step" = excluded."step", "data" = excluded."data", "lastSeenAt" = excluded."lastSeenAt"`,
      ),
      reply: db.prepare(
        `INSERT INTO "OutboxMessage" ("recipientId","channel","chatId","template","params","actions","media","createdAt","availableAt","attempts","claimedBy","claimedUntil")
         VALUES (?,'web',?,?,?,?,'[]',?,?,0,'turn',?)`,
      ),
      push: db.prepare(
        `INSERT INTO "OutboxMessage" ("recipientId","channel","chatId","ticketId","template","params","actions","media","createdAt","availableAt","attempts")
         VALUES (?,'web',?,?,?,?,?,'[]',?,?,0)`,
      ),
      sent: db.prepare('UPDATE "OutboxMessage" SET "sentAt" = ?, "claimedBy" = NULL, "claimedUntil" = NULL, "attempts" = "attempts" + 1 WHERE "id" = ?'),
      counter: db.prepare(
        'INSERT INTO "TicketCounter" ("year","last") VALUES (?,1) ON CONFLICT ("year") DO UPDATE SET "last" = "last" + 1 RETURNING "last"',
      ),
      ticket: db.prepare(
        `INSERT INTO "Ticket" ("number","state","kind","categoryCode","handlingClass","summary","description","residentId","householdId","regionId","gridId",
           "handlingRegionId","level","assigneeId","acceptBy","resolveBy","createdAt","updatedAt")
         VALUES (?,'dispatched','help','power','promised',?,?,?,?,?,?,?,'village',?,?,?,?,?)`,
      ),
      update: db.prepare('UPDATE "Ticket" SET "state" = ?, "updatedAt" = ?, "version" = "version" + 1 WHERE "id" = ?'),
      event: db.prepare(
        'INSERT INTO "TicketEvent" ("ticketId","seq","type","fromState","toState","actorId","actorRole","data","at") VALUES (?,?,?,?,?,?,?,?,?)',
      ),
      timer: db.prepare(
        `INSERT INTO "Timer" ("ticketId","kind","dueAt") VALUES (?,?,?)
         ON CONFLICT ("ticketId","kind") DO UPDATE SET "dueAt" = excluded."dueAt", "firedAt" = NULL, "claimedBy" = NULL, "claimedUntil" = NULL`,
      ),
      cancel: db.prepare('DELETE FROM "Timer" WHERE "ticketId" = ? AND "kind" IN (?, ?) AND "firedAt" IS NULL'),
    };
    const text = '村口的路灯坏了好几天，晚上很黑';
    const params = JSON.stringify({ number: 'MQ-2026-000000', summary: text, resolveBy: iso(Date.now()) });
    const actions = JSON.stringify([{ label: 'action.accept', payload: 'accept:MQ-2026-000000' }, { label: 'action.return', payload: 'return:MQ-2026-000000' }]);
    const sessionData = JSON.stringify({ data: { description: text, categoryCode: 'power', kind: 'help', confidence: 0.9 }, choices: ['yes', 'pick'] });
    let serial = 0;
    const run = `${process.pid}-${Date.now()}`;
    let messages = 0;
    const tickets = new Map<RawPair, { id: number; seq: number }>();
    const touched = new Map<number, number>();

    /** One inbound message: the per-message rows plus what `step` adds, in one transaction. */
    const message = db.transaction((pair: RawPair, from: RawPerson, step: Step, now: number) => {
      const at = iso(now);
      s.inbound.run('web', `raw-${run}-${++serial}`, from.chatId, at);
      // As the engine: the identity's last use is rewritten once it is a minute old.
      if (now - (touched.get(from.identityId) ?? -Infinity) >= 60_000) {
        s.identity.run(at, from.chatId, from.identityId);
        touched.set(from.identityId, now);
      }
      const replies: number[] = [];
      const reply = () =>
        replies.push(Number(s.reply.run(from.personId, from.chatId, 'report.category_guess', params, '[]', at, at, iso(now + 60_000)).lastInsertRowid));
      const pushes: number[] = [];
      const push = (to: RawPerson, ticketId: number, template: string, withActions: boolean) =>
        pushes.push(Number(s.push.run(to.personId, to.chatId, ticketId, template, params, withActions ? actions : '[]', at, at).lastInsertRowid));
      const event = (ticket: { id: number; seq: number }, type: string, fromState: string | null, toState: string, actor: RawPerson) =>
        s.event.run(ticket.id, ++ticket.seq, type, fromState, toState, actor.personId, 'resident', '{"via":"pairing"}', at);
      switch (step.kind) {
        case 'plain':
          for (let i = 0; i < step.replies; i++) reply();
          break;
        case 'submit': {
          const { last } = s.counter.get(2026) as { last: number | bigint };
          const number = `MQ-2026-${String(last).padStart(6, '0')}`;
          const id = Number(
            s.ticket.run(number, text, text, from.personId, pair.householdId, pair.regionId, pair.gridId, pair.regionId, pair.liaison.personId, iso(now + 86_400_000), iso(now + 3 * 86_400_000), at, at)
              .lastInsertRowid,
          );
          const ticket = { id, seq: 0 };
          tickets.set(pair, ticket);
          event(ticket, 'received', null, 'received', from);
          event(ticket, 'dispatched', 'received', 'dispatched', from);
          for (const kind of ['accept_reminder', 'accept_overdue', 'resolve_reminder', 'resolve_overdue']) s.timer.run(id, kind, iso(now + 86_400_000));
          push(pair.liaison, id, 'ticket.assigned', true);
          reply();
          reply();
          break;
        }
        case 'accept': {
          const ticket = tickets.get(pair);
          if (!ticket) break;
          s.update.run('accepted', at, ticket.id);
          event(ticket, 'accepted', 'dispatched', 'accepted', from);
          s.cancel.run(ticket.id, 'accept_reminder', 'accept_overdue');
          push(pair.resident, ticket.id, 'ticket.accepted_resident', false);
          reply();
          reply();
          break;
        }
        case 'resolve': {
          const ticket = tickets.get(pair);
          if (!ticket) break;
          s.update.run('resolved', at, ticket.id);
          event(ticket, 'resolved', 'accepted', 'resolved', from);
          s.cancel.run(ticket.id, 'resolve_reminder', 'resolve_overdue');
          s.timer.run(ticket.id, 'callback_timeout', iso(now + 3 * 86_400_000));
          push(pair.resident, ticket.id, 'ticket.resolved_resident', true);
          reply();
          reply();
          break;
        }
        case 'rate': {
          const ticket = tickets.get(pair);
          if (!ticket) break;
          s.update.run('closed', at, ticket.id);
          event(ticket, 'callback', 'resolved', 'callback', from);
          event(ticket, 'closed', 'callback', 'closed', from);
          s.cancel.run(ticket.id, 'callback_timeout', 'callback_timeout');
          reply();
          reply();
          break;
        }
      }
      s.session.run(from.chatId, from.personId, 'report', 'category', sessionData, at, at);
      return { replies, pushes };
    });
    const markSent = db.transaction((ids: number[], now: number) => {
      for (const id of ids) s.sent.run(iso(now), id);
    });

    const started = performance.now();
    for (let round = 0; round < rounds; round++) {
      for (const pair of pairs) {
        for (const [from, steps] of [
          [pair.resident, RESIDENT_REPORT],
          [pair.liaison, LIAISON],
          [pair.resident, RESIDENT_RATE],
        ] as const) {
          for (const step of steps) {
            const now = Date.now();
            const { replies, pushes } = message(pair, from, step, now);
            // The channel confirms the replies (one statement, as markSent does);
            // the scheduler delivers each push and marks it on its own.
            markSent(replies, now);
            for (const id of pushes) markSent([id], now);
            messages++;
          }
        }
      }
    }
    return { messages, ms: performance.now() - started };
  } finally {
    db.close();
    await checkpointer.stop();
  }
}
