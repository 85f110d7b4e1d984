/**
 * What the SMS channel keeps in the database, written once for SQLite and PostgreSQL:
 *
 * - Who gets SMS: a resident whose ticket messages wait in the outbox with no chat (a
 *   walk-in registered at the station, src/intake/intake.ts), who has a mobile number on the
 *   roster (their own or their household's) and no reachable chat. They get an `sms` chat
 *   identity keyed by that number, and their waiting messages are addressed to it: from
 *   then on the outbox's own order, claims and retries deliver them. Once they bind a chat
 *   and use it, new messages go there (the outbox picks the chat used last).
 * - Batching: the first unsent SMS of a person waits SMS_BATCH_SECONDS after it was queued;
 *   what is queued meanwhile waits behind it (a chat's messages go out in order) and is
 *   claimed with it, and the channel sends them as one SMS (src/pipeline/delivery.ts).
 * - The daily cap: every SMS sent is a row (SmsMessage), counted per number and Beijing day.
 */
import { sqlOf, type Db } from '../db/client.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import type { OutboxHold } from '../pipeline/delivery.js';
import { adoptWaiting } from '../pipeline/outbox.js';
import { hasResidentToAnswerSql } from '../pipeline/requester.js';
import { localDateOf, localInstant } from '../pipeline/calendar.js';
import { withSqlRetry } from '../pipeline/service.js';
import { normalizePhone } from '../org/phone.js';
import { logger } from '../log.js';

const log = logger('sms');

export const SMS_CHANNEL = 'sms';

/** An SMS held by its number's daily cap until the next Beijing day (OutboxMessage.heldFor). */
export const SMS_DAILY_CAP_HOLD: OutboxHold = 'sms_daily_cap';

/** A number SMS reaches: a mainland mobile (a landline gets none). */
export function mobileOf(phone: string | null): string | null {
  const normal = phone === null ? null : normalizePhone(phone);
  return normal && /^1[3-9]\d{9}$/.test(normal) ? normal : null;
}

/**
 * Residents with ticket messages waiting for a chat and no reachable chat: their own
 * phone, and their household's.
 */
const waitingResidentsQuery = defineQuery('sms_waiting_residents', (db) =>
  db
    .selectFrom('OutboxMessage as m')
    .innerJoin('Ticket as t', (join) => join.onRef('t.id', '=', 'm.ticketId').onRef('t.residentId', '=', 'm.recipientId'))
    .innerJoin('Person as p', 'p.id', 'm.recipientId')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .select(['p.id as personId', 'p.phone as phone', 'h.phone as householdPhone'])
    .distinct()
    .where(hasResidentToAnswerSql('t.channel'))
    .where('m.channel', 'is', null)
    .where('m.sentAt', 'is', null)
    .where('m.failedAt', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('ChannelIdentity as c').select('c.id').whereRef('c.personId', '=', 'p.id').where('c.unreachableAt', 'is', null))))
    // A number the provider refused stays refused: they wait for a chat.
    .where((eb) => eb.not(eb.exists(eb.selectFrom('ChannelIdentity as s').select('s.id').whereRef('s.personId', '=', 'p.id').where('s.channel', '=', SMS_CHANNEL))))
    .orderBy('p.id'),
);

const identityByPhoneQuery = defineQuery('sms_identity_by_phone', (db, p: { phone: string }) =>
  db.selectFrom('ChannelIdentity').select(['personId', 'unreachableAt']).where('channel', '=', SMS_CHANNEL).where('platformUserId', '=', p.phone),
);

const newIdentityQuery = defineQuery('sms_new_identity', (db, p: { personId: number; phone: string; at: Date }) =>
  db.insertInto('ChannelIdentity').values({ channel: SMS_CHANNEL, platformUserId: p.phone, chatId: p.phone, personId: p.personId, createdAt: p.at }),
);

/**
 * Gives each resident whose ticket messages wait for a chat, and who has a mobile number,
 * an `sms` identity, and addresses their waiting messages to it. Returns how many residents.
 * `sharedPhones` remembers (per process) the people whose number another person's SMS
 * identity holds, so that each is logged once.
 */
export async function addressWaitingBySms(db: Db, now: Date, sharedPhones: Set<number>): Promise<number> {
  const waiting = await all(sqlOf(db), waitingResidentsQuery, {});
  let addressed = 0;
  for (const resident of waiting) {
    const phone = mobileOf(resident.phone) ?? mobileOf(resident.householdPhone);
    if (!phone || sharedPhones.has(resident.personId)) continue;
    const done = await withSqlRetry(db, async (tx) => {
      if (await first(sqlOf(tx), identityByPhoneQuery, { phone })) return false;
      await run(sqlOf(tx), newIdentityQuery, { personId: resident.personId, phone, at: now });
      await adoptWaiting(tx, resident.personId, { channel: SMS_CHANNEL, chatId: phone }, now);
      return true;
    });
    if (done) addressed++;
    else {
      // A household's shared phone already reaches another member: one number, one chat.
      sharedPhones.add(resident.personId);
      log.warn({ personId: resident.personId }, 'this phone already receives SMS for another person; their messages keep waiting for a chat');
    }
  }
  return addressed;
}

/** The unsent SMS, each chat's in order. */
const unsentSmsQuery = defineQuery('sms_unsent', (db) =>
  db
    .selectFrom('OutboxMessage')
    .select(['id', 'chatId', 'createdAt', 'availableAt', 'attempts'])
    .where('channel', '=', SMS_CHANNEL)
    .where('sentAt', 'is', null)
    .where('failedAt', 'is', null)
    .orderBy('chatId')
    .orderBy('id'),
);

const delayQuery = defineQuery('sms_delay_first', (db, p: { id: number; until: Date }) =>
  db.updateTable('OutboxMessage').set({ availableAt: p.until }).where('id', '=', p.id).where('sentAt', 'is', null).where('claimedBy', 'is', null).where('attempts', '=', 0),
);

/**
 * Holds each person's first unsent SMS until `windowMs` after it was queued, so that what
 * follows within the window goes with it. A message queued between this and the round's
 * claim may go out alone: the window is a saving, not a promise.
 */
export async function holdForBatching(db: Db, now: Date, windowMs: number): Promise<void> {
  if (windowMs <= 0) return;
  const rows = await all(sqlOf(db), unsentSmsQuery, {});
  let chat: string | null = null;
  for (const row of rows) {
    if (row.chatId === chat) continue;
    chat = row.chatId;
    const until = new Date(row.createdAt.getTime() + windowMs);
    if (row.attempts === 0 && row.availableAt < until && until > now) await run(sqlOf(db), delayQuery, { id: row.id, until });
  }
}

const sentSinceQuery = defineQuery('sms_sent_since', (db, p: { phone: string; since: Date }) =>
  db
    .selectFrom('SmsMessage')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('phone', '=', p.phone)
    .where('sentAt', '>=', p.since),
);

/** The start of `now`'s Beijing day, and of the next. */
export function beijingDay(now: Date): { start: Date; next: Date } {
  const start = localInstant(localDateOf(now), 0);
  return { start, next: new Date(start.getTime() + 86_400_000) };
}

/** The outbox error of an SMS held until tomorrow, for the log and the row (the state itself is its heldFor). */
export function dailyCapError(sent: number, cap: number): string {
  return `SMS daily cap reached: ${sent} of ${cap} sent to this number today; held until tomorrow`;
}

/** Whether an unsent outbox row waits, at `now`, for the next Beijing day because its number's daily cap was reached. */
export function heldByDailyCap(row: { sentAt: Date | null; failedAt: Date | null; heldFor: string | null; availableAt: Date }, now: Date): boolean {
  return row.sentAt === null && row.failedAt === null && row.availableAt > now && row.heldFor === SMS_DAILY_CAP_HOLD;
}

/** How many SMS went to `phone` today (Beijing day). */
export async function sentToday(db: Db, phone: string, now: Date): Promise<number> {
  const row = await first(sqlOf(db), sentSinceQuery, { phone, since: beijingDay(now).start });
  return Number(row?.count ?? 0);
}

const recordQuery = defineQuery('sms_record', (db, p: { phone: string; template: string; text: string; segments: number; providerId: string | null; at: Date }) =>
  db.insertInto('SmsMessage').values({ phone: p.phone, template: p.template, text: p.text, segments: p.segments, providerId: p.providerId, sentAt: p.at }),
);

/** Records an SMS the provider took. */
export async function recordSms(db: Db, sms: { phone: string; template: string; text: string; segments: number; providerId: string | null }, at: Date): Promise<void> {
  await run(sqlOf(db), recordQuery, { ...sms, at });
}

/** The person an SMS identity of `phone` belongs to, if any (a number we never wrote to has none). */
export async function personOfPhone(db: Db, phone: string): Promise<number | null> {
  return (await first(sqlOf(db), identityByPhoneQuery, { phone }))?.personId ?? null;
}
