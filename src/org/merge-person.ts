/**
 * A chat's first contact becomes an anonymous person (`U-<channel>-…`, no household, no
 * role). When that chat is later bound to a person of the roster — a one-time code, or a
 * household claim the liaison confirms — everything the anonymous person had becomes the
 * rostered person's, in the caller's transaction: their requests (so 我的诉求 lists them
 * and their pushes go to the chat), the history's actor, sessions, chat identities,
 * messages sent and waiting, and 人工 conversations. The anonymous person then goes.
 */
import type { Tx } from '../db/client.js';

/** Whether a person is a chat's anonymous first contact (nothing on the roster). */
export async function isAnonymous(tx: Tx, personId: number): Promise<boolean> {
  const person = await tx.person.findUnique({
    where: { id: personId },
    select: { code: true, householdId: true, departmentId: true, _count: { select: { roles: true, accounts: true, pairings: true } } },
  });
  if (!person) return false;
  const { roles, accounts, pairings } = person._count;
  return person.code.startsWith('U-') && person.householdId === null && person.departmentId === null && roles + accounts + pairings === 0;
}

/**
 * Moves what `fromId` had to `toId`. The caller says `fromId` is anonymous (see
 * {@link isAnonymous}); a rostered person is never merged away.
 */
export async function mergeAnonymous(tx: Tx, fromId: number, toId: number): Promise<void> {
  if (fromId === toId) return;
  await tx.ticket.updateMany({ where: { residentId: fromId }, data: { residentId: toId } });
  await tx.ticketEvent.updateMany({ where: { actorId: fromId }, data: { actorId: toId } });
  await tx.outboxMessage.updateMany({ where: { recipientId: fromId }, data: { recipientId: toId } });
  await tx.chatSession.updateMany({ where: { personId: fromId }, data: { personId: toId } });
  await tx.channelIdentity.updateMany({ where: { personId: fromId }, data: { personId: toId } });
  await tx.conversation.updateMany({ where: { residentId: fromId }, data: { residentId: toId } });
  await tx.conversationMessage.updateMany({ where: { author: 'resident', authorId: fromId }, data: { authorId: toId } });
  await tx.householdClaim.updateMany({ where: { claimantId: fromId }, data: { claimantId: toId } });
  await tx.person.delete({ where: { id: fromId } });
}
