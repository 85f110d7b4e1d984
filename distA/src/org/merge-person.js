/**
 * A chat's first contact becomes an anonymous person (`U-<channel>-…`, no household, no
 * role). When that chat is later bound to a person of the roster — a one-time code, or a
 * household claim the liaison confirms — everything the anonymous person had becomes the
 * rostered person's, in the caller's transaction: their requests (so 我的诉求 lists them
 * and their pushes go to the chat), the history's actor, sessions, chat identities,
 * messages sent and waiting, and 人工 conversations. The anonymous person then goes.
 */
import { sql } from 'kysely';
import { sqlOf } from '../db/client.js';
import { defineQuery, first, run } from '../db/sql.js';
/** A person the roster knows nothing of: an anonymous code, no household or department, no role, account or pairing. */
const anonymousQuery = defineQuery('person_is_anonymous', (db, p) => db
    .selectFrom('Person as p')
    .select('p.id')
    .where('p.id', '=', p.id)
    // Not LIKE: SQLite's is case-blind.
    .where((eb) => eb.fn('substr', ['p.code', sql.lit(1), sql.lit(2)]), '=', 'U-')
    .where('p.householdId', 'is', null)
    .where('p.departmentId', 'is', null)
    .where((eb) => eb.not(eb.or([
    eb.exists(eb.selectFrom('PersonRole as r').select('r.id').whereRef('r.personId', '=', 'p.id')),
    eb.exists(eb.selectFrom('StaffAccount as a').select('a.id').whereRef('a.personId', '=', 'p.id')),
    eb.exists(eb.selectFrom('Pairing as g').select('g.householdId').whereRef('g.liaisonId', '=', 'p.id')),
]))));
/** Whether a person is a chat's anonymous first contact (nothing on the roster). */
export async function isAnonymous(tx, personId) {
    return (await first(sqlOf(tx), anonymousQuery, { id: personId })) !== undefined;
}
/** Every row that names the anonymous person, in the order they are moved. */
const moves = [
    defineQuery('merge_tickets', (db, p) => db.updateTable('Ticket').set({ residentId: p.toId }).where('residentId', '=', p.fromId)),
    defineQuery('merge_ticket_events', (db, p) => db.updateTable('TicketEvent').set({ actorId: p.toId }).where('actorId', '=', p.fromId)),
    defineQuery('merge_outbox', (db, p) => db.updateTable('OutboxMessage').set({ recipientId: p.toId }).where('recipientId', '=', p.fromId)),
    defineQuery('merge_sessions', (db, p) => db.updateTable('ChatSession').set({ personId: p.toId }).where('personId', '=', p.fromId)),
    defineQuery('merge_identities', (db, p) => db.updateTable('ChannelIdentity').set({ personId: p.toId }).where('personId', '=', p.fromId)),
    defineQuery('merge_conversations', (db, p) => db.updateTable('Conversation').set({ residentId: p.toId }).where('residentId', '=', p.fromId)),
    defineQuery('merge_conversation_messages', (db, p) => db.updateTable('ConversationMessage').set({ authorId: p.toId }).where('author', '=', 'resident').where('authorId', '=', p.fromId)),
    defineQuery('merge_household_claims', (db, p) => db.updateTable('HouseholdClaim').set({ claimantId: p.toId }).where('claimantId', '=', p.fromId)),
];
const deletePersonQuery = defineQuery('merge_delete_person', (db, p) => db.deleteFrom('Person').where('id', '=', p.id));
/**
 * Moves what `fromId` had to `toId`. The caller says `fromId` is anonymous (see
 * {@link isAnonymous}); a rostered person is never merged away.
 */
export async function mergeAnonymous(tx, fromId, toId) {
    if (fromId === toId)
        return;
    const connection = sqlOf(tx);
    for (const move of moves)
        await run(connection, move, { fromId, toId });
    await run(connection, deletePersonQuery, { id: fromId });
}
