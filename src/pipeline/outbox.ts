/**
 * Writing pushes into the outbox: each goes to the chat its recipient used last; a
 * recipient with no chat yet gets it when they first bind one.
 */
import type { Tx } from '../db/client.js';
import type { MessageAction, MessageParams } from './model.js';

export interface Push {
  template: string;
  params: MessageParams;
  actions?: MessageAction[];
  /** Photos forwarded with it (channel handles). */
  media?: string[];
  ticketId?: number | null;
}

/** Queues `push` for every person in `recipients`, in the caller's transaction. */
export async function enqueuePush(tx: Tx, recipients: number[], push: Push, now: Date): Promise<void> {
  if (!recipients.length) return;
  const identities = await tx.channelIdentity.findMany({
    where: { personId: { in: recipients }, unreachableAt: null },
    orderBy: { lastUsedAt: 'desc' },
  });
  const target = (personId: number) => identities.find((i) => i.personId === personId);
  await tx.outboxMessage.createMany({
    data: recipients.map((recipientId) => ({
      recipientId,
      channel: target(recipientId)?.channel ?? null,
      chatId: target(recipientId)?.chatId ?? null,
      ticketId: push.ticketId ?? null,
      template: push.template,
      params: JSON.stringify(push.params),
      actions: JSON.stringify(push.actions ?? []),
      media: JSON.stringify(push.media ?? []),
      createdAt: now,
      availableAt: now,
    })),
  });
}
