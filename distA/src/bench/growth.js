/**
 * A grown database for the benchmark's growth phase: a history of `conversations`
 * residents who each wrote in from their own chat and whose request ran its whole course
 * (received to closed), as the engine would have left it: the person, their chat
 * identity and session, the ticket, its events, the inbound messages' dedupe rows and
 * the replies and pushes sent. Written straight into the file with plain prepared
 * statements in large transactions (minutes through the engine become seconds), all of
 * it dated within the dedupe rows' retention, so the scheduler deletes nothing while
 * the grown file is measured.
 */
import Database from 'better-sqlite3';
/** Inbound messages and outbox rows per grown ticket, as in the benchmark's dialogue (11 in; replies and pushes out). */
const INBOUND_PER_TICKET = 11;
const OUTBOX_PER_TICKET = 17;
/** Conversations per transaction. */
const BATCH = 2_000;
/** The history spans the last days, within the dedupe rows' 30 days of retention. */
const SPAN_MS = 20 * 86_400_000;
/** A grown ticket's events: 10, so 1,000,000 for 100,000 conversations. */
const EVENT_TYPES = ['received', 'dispatched', 'accepted', 'note', 'note', 'resolved', 'callback', 'closed', 'note', 'note'];
const TEMPLATES = ['report.category_guess', 'report.where', 'report.photo', 'report.phone', 'report.confirm', 'ticket.received', 'menu.main', 'ticket.accepted_resident'];
const TEXT = '村口的路灯坏了好几天，晚上很黑';
const PARAMS = JSON.stringify({ number: 'MQ-2025-000000', summary: TEXT, resolveBy: '2026-01-01T00:00:00.000+00:00' });
/**
 * Writes `conversations` residents' histories (see the file comment) into the SQLite
 * file at `path`, which holds the demo county (its households, regions, liaisons and
 * categories), with no app serving it meanwhile.
 */
export function growDatabase(path, conversations) {
    const db = new Database(path);
    try {
        db.pragma('journal_mode = WAL');
        // Setup, not the measured work: nothing here has to survive a crash.
        db.pragma('synchronous = OFF');
        const households = db
            .prepare(`SELECT h."id" AS householdId, h."regionId" AS regionId, p."liaisonId" AS liaisonId FROM "Household" h JOIN "Pairing" p ON p."householdId" = h."id" ORDER BY h."id"`)
            .all();
        if (!households.length)
            throw new Error('growDatabase: no paired households (load the demo county first)');
        const s = {
            person: db.prepare('INSERT INTO "Person" ("code","name","locale","householdId","createdAt","updatedAt") VALUES (?,?,\'zh\',?,?,?)'),
            identity: db.prepare('INSERT INTO "ChannelIdentity" ("channel","platformUserId","personId","chatId","lastUsedAt","createdAt") VALUES (\'web\',?,?,?,?,?)'),
            session: db.prepare('INSERT INTO "ChatSession" ("channel","chatId","personId","data","lastSeenAt","createdAt") VALUES (\'web\',?,?,\'{}\',?,?)'),
            ticket: db.prepare(`INSERT INTO "Ticket" ("number","state","kind","categoryCode","handlingClass","summary","description","residentId","householdId","regionId",
           "handlingRegionId","level","assigneeId","acceptBy","resolveBy","rating","solved","acceptedAt","resolvedAt","closedAt","createdAt","updatedAt","version")
         VALUES (?,'closed','help','power','promised',?,?,?,?,?,?,'village',?,?,?,'satisfied',1,?,?,?,?,?,6)`),
            event: db.prepare('INSERT INTO "TicketEvent" ("ticketId","seq","type","fromState","toState","actorId","actorRole","data","at") VALUES (?,?,?,?,?,?,\'resident\',\'{}\',?)'),
            inbound: db.prepare('INSERT INTO "InboundMessage" ("channel","messageId","chatId","receivedAt") VALUES (\'web\',?,?,?)'),
            outbox: db.prepare(`INSERT INTO "OutboxMessage" ("recipientId","channel","chatId","ticketId","template","params","actions","media","reply","createdAt","availableAt","attempts","sentAt")
         VALUES (?,'web',?,?,?,?,'[]','[]',?,?,?,1,?)`),
        };
        const iso = (ms) => new Date(ms).toISOString().replace('Z', '+00:00');
        const started = Date.now() - SPAN_MS;
        const write = db.transaction((from, to) => {
            for (let i = from; i < to; i++) {
                const home = households[i % households.length];
                const t0 = started + Math.floor((i / conversations) * (SPAN_MS - 86_400_000));
                const at = (minutes) => iso(t0 + minutes * 60_000);
                const chat = `grown-${i}`;
                const personId = Number(s.person.run(chat, `居民${i}`, home.householdId, at(0), at(0)).lastInsertRowid);
                s.identity.run(chat, personId, chat, at(600), at(0));
                s.session.run(chat, personId, at(600), at(0));
                const ticketId = Number(s.ticket.run(`MQ-2025-${String(i + 1).padStart(6, '0')}`, TEXT, TEXT, personId, home.householdId, home.regionId, home.regionId, home.liaisonId, at(1440), at(4320), at(30), at(300), at(600), at(5), at(600)).lastInsertRowid);
                let state = null;
                EVENT_TYPES.forEach((type, k) => {
                    const next = type === 'note' ? (state ?? 'received') : type;
                    s.event.run(ticketId, k + 1, type, state, next, personId, at(5 + k * 60));
                    state = next;
                });
                for (let k = 0; k < INBOUND_PER_TICKET; k++)
                    s.inbound.run(`${chat}-${k}`, chat, at(k * 50));
                for (let k = 0; k < OUTBOX_PER_TICKET; k++) {
                    s.outbox.run(personId, chat, k % 3 ? null : ticketId, TEMPLATES[k % TEMPLATES.length], PARAMS, k % 3 ? 1 : 0, at(k * 30), at(k * 30), at(k * 30 + 1));
                }
            }
        });
        for (let from = 0; from < conversations; from += BATCH)
            write(from, Math.min(conversations, from + BATCH));
        db.pragma('wal_checkpoint(TRUNCATE)');
        return {
            conversations,
            tickets: conversations,
            events: conversations * EVENT_TYPES.length,
            inbound: conversations * INBOUND_PER_TICKET,
            outbox: conversations * OUTBOX_PER_TICKET,
        };
    }
    finally {
        db.close();
    }
}
