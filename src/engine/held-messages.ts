/**
 * Messages held back while their sender was over the flood limit. Nothing a villager
 * sends is lost: such a message is not recorded as seen (a re-delivery would still be
 * processed) but kept whole here, and the engine processes it once the sender's minute
 * allows (Engine.releaseHeld, run by the scheduler's rounds). A cold path: Prisma only.
 */
import type { Db, Tx } from '../db/client.js';
import type { Inbound } from './types.js';

/** Whether `error` is a unique-key violation (the message is held already). */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2002';
}

/**
 * Holds `inbound` until `releaseAt`. Returns false when it was held already (a
 * re-delivery of a held message), in which case only its release time moves.
 */
export async function holdMessage(tx: Tx, inbound: Inbound, releaseAt: Date, now: Date): Promise<boolean> {
  const key = { channel: inbound.channel, chatId: inbound.chatId, messageId: inbound.messageId };
  const existing = await tx.heldMessage.findUnique({ where: { channel_chatId_messageId: key }, select: { id: true } });
  if (existing) {
    await tx.heldMessage.update({ where: { id: existing.id }, data: { releaseAt } });
    return false;
  }
  try {
    await tx.heldMessage.create({ data: { ...key, inbound: JSON.stringify(inbound), heldAt: now, releaseAt } });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Whether this message is held already (a platform re-delivering it). */
export async function isHeld(tx: Tx, inbound: Inbound): Promise<boolean> {
  const key = { channel: inbound.channel, chatId: inbound.chatId, messageId: inbound.messageId };
  return (await tx.heldMessage.count({ where: key })) > 0;
}

/** Held messages whose time has come, oldest first. */
export async function dueHeld(db: Db, now: Date, limit: number): Promise<{ id: number; inbound: Inbound }[]> {
  const rows = await db.heldMessage.findMany({ where: { releaseAt: { lte: now } }, orderBy: { id: 'asc' }, take: limit, select: { id: true, inbound: true } });
  return rows.map((r) => ({ id: r.id, inbound: JSON.parse(r.inbound) as Inbound }));
}

/** The held copy of a message goes: processed now (in the turn's transaction), or seen before. */
export async function forgetHeld(tx: Tx | Db, inbound: Inbound): Promise<void> {
  await tx.heldMessage.deleteMany({ where: { channel: inbound.channel, chatId: inbound.chatId, messageId: inbound.messageId } });
}
