/** The 11 messages of one ticket: 8 from the resident (6 report, 2 rate), 3 from the liaison. */
const RESIDENT_REPORT = [
    { kind: 'plain', replies: 1 }, // describe → category guess
    { kind: 'plain', replies: 1 }, // yes → where
    { kind: 'plain', replies: 1 }, // home → photo
    { kind: 'plain', replies: 1 }, // skip → phone
    { kind: 'plain', replies: 1 }, // phone → confirm
    { kind: 'submit' }, // submit → receipt + menu
];
const LIAISON = [{ kind: 'accept' }, { kind: 'plain', replies: 1 }, { kind: 'resolve' }];
const RESIDENT_RATE = [{ kind: 'plain', replies: 1 }, { kind: 'rate' }];
/** The ids behind bound `pairs` (see bindPairs), for writing their rows directly. */
export async function rawPairs(db, pairs) {
    const identity = (channel, chatId) => db.channelIdentity.findUniqueOrThrow({ where: { channel_platformUserId: { channel, platformUserId: chatId } }, include: { person: true } });
    const found = [];
    for (const pair of pairs) {
        const resident = await identity(pair.channel, pair.residentChat);
        const liaison = await identity(pair.channel, pair.liaisonChat);
        const household = await db.household.findUniqueOrThrow({ where: { id: resident.person.householdId ?? -1 }, include: { grids: true } });
        found.push({
            resident: { personId: resident.personId, chatId: pair.residentChat, identityId: resident.id },
            liaison: { personId: liaison.personId, chatId: pair.liaisonChat, identityId: liaison.id },
            householdId: household.id,
            regionId: household.regionId,
            gridId: household.grids[0]?.gridId ?? null,
        });
    }
    return found;
}
/**
 * The statements, written once for both databases: `?` placeholders (numbered `$n` for
 * PostgreSQL by the connection), and RETURNING where the script needs the new id.
 */
export const STATEMENTS = {
    inbound: 'INSERT INTO "InboundMessage" ("channel","messageId","chatId","receivedAt") VALUES (\'web\',?,?,?)',
    identity: 'UPDATE "ChannelIdentity" SET "lastUsedAt" = ?, "chatId" = ?, "unreachableAt" = NULL WHERE "id" = ?',
    session: `INSERT INTO "ChatSession" ("channel","chatId","personId","flow","step","data","lastSeenAt","createdAt") VALUES ('web',?,?,?,?,?,?,?)
    ON CONFLICT ("channel","chatId") DO UPDATE SET "personId" = excluded."personId", "flow" = excluded."flow", "step" = excluded."step", "data" = excluded."data", "lastSeenAt" = excluded."lastSeenAt"`,
    reply: `INSERT INTO "OutboxMessage" ("recipientId","channel","chatId","template","params","actions","media","createdAt","availableAt","attempts","claimedBy","claimedUntil")
    VALUES (?,'web',?,?,?,?,'[]',?,?,0,'turn',?) RETURNING "id"`,
    push: `INSERT INTO "OutboxMessage" ("recipientId","channel","chatId","ticketId","template","params","actions","media","createdAt","availableAt","attempts")
    VALUES (?,'web',?,?,?,?,?,'[]',?,?,0) RETURNING "id"`,
    sent: 'UPDATE "OutboxMessage" SET "sentAt" = ?, "claimedBy" = NULL, "claimedUntil" = NULL, "attempts" = "attempts" + 1 WHERE "id" = ?',
    counter: 'INSERT INTO "TicketCounter" ("year","last") VALUES (?,1) ON CONFLICT ("year") DO UPDATE SET "last" = "TicketCounter"."last" + 1 RETURNING "last"',
    ticket: `INSERT INTO "Ticket" ("number","state","kind","categoryCode","handlingClass","summary","description","residentId","householdId","regionId","gridId",
      "handlingRegionId","level","assigneeId","acceptBy","resolveBy","createdAt","updatedAt")
    VALUES (?,'dispatched','help','power','promised',?,?,?,?,?,?,?,'village',?,?,?,?,?) RETURNING "id"`,
    update: 'UPDATE "Ticket" SET "state" = ?, "updatedAt" = ?, "version" = "version" + 1 WHERE "id" = ?',
    event: 'INSERT INTO "TicketEvent" ("ticketId","seq","type","fromState","toState","actorId","actorRole","data","at") VALUES (?,?,?,?,?,?,?,?,?)',
    timer: `INSERT INTO "Timer" ("ticketId","kind","dueAt") VALUES (?,?,?)
    ON CONFLICT ("ticketId","kind") DO UPDATE SET "dueAt" = excluded."dueAt", "firedAt" = NULL, "claimedBy" = NULL, "claimedUntil" = NULL`,
    cancel: 'DELETE FROM "Timer" WHERE "ticketId" = ? AND "kind" IN (?, ?) AND "firedAt" IS NULL',
};
/** Milliseconds as ISO text (with the offset, as Prisma stores DateTime columns on SQLite). */
function iso(ms) {
    return new Date(ms).toISOString().replace('Z', '+00:00');
}
const TEXT = '村口的路灯坏了好几天，晚上很黑';
const PARAMS = JSON.stringify({ number: 'MQ-2026-000000', summary: TEXT, resolveBy: iso(Date.now()) });
const ACTIONS = JSON.stringify([
    { label: 'action.accept', payload: 'accept:MQ-2026-000000' },
    { label: 'action.return', payload: 'return:MQ-2026-000000' },
]);
const SESSION_DATA = JSON.stringify({ data: { description: TEXT, categoryCode: 'power', kind: 'help', confidence: 0.9 }, choices: ['yes', 'pick'] });
/** What the connections of one ceiling run share: the open tickets, the identities' last use, unique message ids. */
export class CeilingRun {
    #tickets = new Map();
    #touched = new Map();
    #run = `${process.pid}-${Date.now()}`;
    #serial = 0;
    /**
     * Writes whole tickets' worth of messages for every pair of `pairs` in turn, on
     * `connection`, until `stop()` (asked after each ticket); returns the inbound messages
     * written.
     */
    async write(connection, pairs, stop) {
        let messages = 0;
        for (;;) {
            for (const pair of pairs) {
                for (const [from, steps] of [
                    [pair.resident, RESIDENT_REPORT],
                    [pair.liaison, LIAISON],
                    [pair.resident, RESIDENT_RATE],
                ]) {
                    for (const step of steps) {
                        const now = Date.now();
                        let written = { replies: [], pushes: [] };
                        await connection.transaction(async () => {
                            written = await this.#message(connection, pair, from, step, now);
                        });
                        // The channel confirms the replies (one statement, as markSent does);
                        // the scheduler delivers each push and marks it on its own.
                        await this.#markSent(connection, written.replies, now);
                        for (const id of written.pushes)
                            await this.#markSent(connection, [id], now);
                        messages++;
                    }
                }
                if (stop())
                    return messages;
            }
        }
    }
    async #markSent(connection, ids, now) {
        if (!ids.length)
            return;
        await connection.transaction(async () => {
            for (const id of ids)
                await connection.run('sent', [iso(now), id]);
        });
    }
    /** One inbound message: the per-message rows plus what `step` adds. */
    async #message(c, pair, from, step, now) {
        const at = iso(now);
        await c.run('inbound', [`raw-${this.#run}-${++this.#serial}`, from.chatId, at]);
        // As the engine: the identity's last use is rewritten once it is a minute old.
        if (now - (this.#touched.get(from.identityId) ?? -Infinity) >= 60_000) {
            await c.run('identity', [at, from.chatId, from.identityId]);
            this.#touched.set(from.identityId, now);
        }
        const replies = [];
        const reply = async () => replies.push(Number(await c.run('reply', [from.personId, from.chatId, 'report.category_guess', PARAMS, '[]', at, at, iso(now + 60_000)])));
        const pushes = [];
        const push = async (to, ticketId, template, withActions) => pushes.push(Number(await c.run('push', [to.personId, to.chatId, ticketId, template, PARAMS, withActions ? ACTIONS : '[]', at, at])));
        const event = (ticket, type, fromState, toState, actor) => c.run('event', [ticket.id, ++ticket.seq, type, fromState, toState, actor.personId, 'resident', '{"via":"pairing"}', at]);
        const ticket = this.#tickets.get(pair);
        switch (step.kind) {
            case 'plain':
                for (let i = 0; i < step.replies; i++)
                    await reply();
                break;
            case 'submit': {
                const last = await c.run('counter', [2026]);
                const number = `MQ-2026-${String(last).padStart(6, '0')}`;
                const id = Number(await c.run('ticket', [
                    number,
                    TEXT,
                    TEXT,
                    from.personId,
                    pair.householdId,
                    pair.regionId,
                    pair.gridId,
                    pair.regionId,
                    pair.liaison.personId,
                    iso(now + 86_400_000),
                    iso(now + 3 * 86_400_000),
                    at,
                    at,
                ]));
                const created = { id, seq: 0 };
                this.#tickets.set(pair, created);
                await event(created, 'received', null, 'received', from);
                await event(created, 'dispatched', 'received', 'dispatched', from);
                for (const kind of ['accept_reminder', 'accept_overdue', 'resolve_reminder', 'resolve_overdue'])
                    await c.run('timer', [id, kind, iso(now + 86_400_000)]);
                await push(pair.liaison, id, 'ticket.assigned', true);
                await reply();
                await reply();
                break;
            }
            case 'accept': {
                if (!ticket)
                    break;
                await c.run('update', ['accepted', at, ticket.id]);
                await event(ticket, 'accepted', 'dispatched', 'accepted', from);
                await c.run('cancel', [ticket.id, 'accept_reminder', 'accept_overdue']);
                await push(pair.resident, ticket.id, 'ticket.accepted_resident', false);
                await reply();
                await reply();
                break;
            }
            case 'resolve': {
                if (!ticket)
                    break;
                await c.run('update', ['resolved', at, ticket.id]);
                await event(ticket, 'resolved', 'accepted', 'resolved', from);
                await c.run('cancel', [ticket.id, 'resolve_reminder', 'resolve_overdue']);
                await c.run('timer', [ticket.id, 'callback_timeout', iso(now + 3 * 86_400_000)]);
                await push(pair.resident, ticket.id, 'ticket.resolved_resident', true);
                await reply();
                await reply();
                break;
            }
            case 'rate': {
                if (!ticket)
                    break;
                await c.run('update', ['closed', at, ticket.id]);
                await event(ticket, 'callback', 'resolved', 'callback', from);
                await event(ticket, 'closed', 'callback', 'closed', from);
                await c.run('cancel', [ticket.id, 'callback_timeout', 'callback_timeout']);
                await reply();
                await reply();
                break;
            }
        }
        await c.run('session', [from.chatId, from.personId, 'report', 'category', SESSION_DATA, at, at]);
        return { replies, pushes };
    }
}
/**
 * Runs `connections` (each with its share of `pairs`) for `warmupSeconds`, then measures
 * them for `seconds`.
 */
export async function measureCeiling(connections, pairs, warmupSeconds, seconds) {
    const run = new CeilingRun();
    // Whole liaisons per connection, as the engine's processes share the people: no row is written by two connections.
    const liaisons = [...new Set(pairs.map((p) => p.liaison.personId))];
    const shares = connections.map((_, i) => pairs.filter((p) => liaisons.indexOf(p.liaison.personId) % connections.length === i));
    const window = async (length) => {
        const cpuFrom = process.cpuUsage();
        const from = performance.now();
        const end = from + length * 1000;
        const counts = await Promise.all(connections.map((c, i) => run.write(c, shares[i] ?? [], () => performance.now() >= end)));
        const ms = performance.now() - from;
        const used = process.cpuUsage(cpuFrom);
        const messages = counts.reduce((sum, n) => sum + n, 0);
        return { perSecond: messages / (ms / 1000), messages, seconds: ms / 1000, cpu: (used.user + used.system) / 1000 / ms };
    };
    await window(warmupSeconds);
    return window(seconds);
}
