/**
 * The demo county's SMS (bots/sms, src/sms), after its 受理登记 (demo-intake.ts): the two
 * people registered at the station with a mobile and no chat are reached by SMS, so that
 * the console shows the channel on first start — the caller whose receipt went by SMS, and
 * the resident whose matter was settled on the spot (即办), who had the result and the
 * rating question by SMS and rated it with one reply ("1 讲得很清楚，谢谢": 满意 and a
 * comment). Each SMS is rendered as the channel renders it (src/sms/render.ts) and recorded
 * as sent (SmsMessage); the rating is the pipeline's, in the resident's name. Deterministic:
 * a function of the demo intake and `now`.
 */
import type { Database } from '../db/client.js';
import { offeredChoice } from '../engine/choices.js';
import { render } from '../engine/i18n.js';
import type { MessageAction, PipelineRules } from '../pipeline/model.js';
import { actorFor, PipelineService } from '../pipeline/service.js';
import { renderSms } from '../sms/render.js';
import { mobileOf, recordSms, SMS_CHANNEL } from '../sms/store.js';
import { deliveredAsWritten, outboxMark } from './demo-past.js';

/** The 签名 the demo's SMS are measured with (a real one comes from SMS_SIGN_NAME). */
const DEMO_SIGN = '民情通';
/** The resident's reply to the rating question, and when, before `now`. */
const RATING_REPLY = { rating: 'satisfied', comment: '讲得很清楚，谢谢', minutesAgo: 45 } as const;

/** Gives the demo's walk-ins their SMS; returns how many SMS, 0 when there are some already or no demo intake. */
export async function seedDemoSms(database: Database, options: { now: Date; rules: PipelineRules; ticketPrefix?: string }): Promise<number> {
  const db = database.db;
  if ((await db.smsMessage.count()) > 0) return 0;
  // The station's walk-ins reached on no chat (the demo intake's are the only requests at the station or by phone):
  // the caller new to the roster, and the matter settled on the spot.
  const tickets = await db.ticket.findMany({
    where: { channel: { in: ['station', 'phone'] }, OR: [{ resident: { householdId: null } }, { settledOnTheSpot: true }] },
    orderBy: { id: 'asc' },
    select: { id: true, number: true, settledOnTheSpot: true, residentId: true, resident: { select: { phone: true, household: { select: { phone: true } } } } },
  });
  let sent = 0;
  for (const ticket of tickets) {
    const phone = mobileOf(ticket.resident.phone) ?? mobileOf(ticket.resident.household?.phone ?? null);
    if (!phone || (await db.channelIdentity.findFirst({ where: { personId: ticket.residentId } }))) continue;
    const rows = await db.outboxMessage.findMany({ where: { ticketId: ticket.id, recipientId: ticket.residentId }, orderBy: { id: 'asc' } });
    await db.channelIdentity.create({
      data: { channel: SMS_CHANNEL, platformUserId: phone, chatId: phone, personId: ticket.residentId, createdAt: rows[0]?.createdAt ?? options.now },
    });
    for (const row of rows) {
      const params = JSON.parse(row.params) as Record<string, unknown>;
      const actions = JSON.parse(row.actions) as MessageAction[];
      const sms = renderSms(
        {
          channel: SMS_CHANNEL,
          chatId: phone,
          locale: 'zh',
          text: render('zh', row.template, params),
          choices: actions.map((a) => offeredChoice(a, 'zh')),
          source: { template: row.template, params, ticketNumber: ticket.number },
        },
        DEMO_SIGN,
      );
      const at = row.sentAt ?? row.createdAt;
      await db.outboxMessage.update({ where: { id: row.id }, data: { channel: SMS_CHANNEL, chatId: phone, sentAt: at } });
      await recordSms(db, { phone, template: sms.kind, text: sms.text, segments: sms.segments, providerId: null }, at);
      sent++;
    }
    if (ticket.settledOnTheSpot) {
      const at = new Date(options.now.getTime() - RATING_REPLY.minutesAgo * 60_000);
      const outboxBefore = await outboxMark(db);
      const pipeline = new PipelineService({ db, rules: options.rules, clock: { now: () => at }, ...(options.ticketPrefix ? { ticketPrefix: options.ticketPrefix } : {}) });
      await pipeline.execute(ticket.number, { type: 'rate', rating: RATING_REPLY.rating, comment: RATING_REPLY.comment }, await actorFor(db, ticket.residentId));
      await db.channelIdentity.updateMany({ where: { personId: ticket.residentId, channel: SMS_CHANNEL }, data: { lastUsedAt: at } });
      // As the demo intake's: what the rating pushed to staff counts as delivered when written.
      await deliveredAsWritten(db, outboxBefore);
    }
  }
  return sent;
}
