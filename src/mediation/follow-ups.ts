/**
 * The follow-ups on whether a mediation agreement is kept: a scheduler duty reminding each
 * settled case's mediator, in chat, on the days MEDIATION_FOLLOW_UP_DAYS after settling
 * (30 and 90 by default). Each reminder is claimed with a conditional update, so that it
 * goes once whichever process runs the duty; the mediator records the answer in the console.
 */
import { type Db, sqlOf, sqlTransaction } from '../db/client.js';
import { all, defineQuery, run } from '../db/sql.js';
import { logger } from '../log.js';
import { addCalendarDays, localDateOf } from '../pipeline/calendar.js';
import { dailyTurn, type OfficeHours } from '../pipeline/deadlines.js';
import { enqueuePush } from '../pipeline/outbox.js';
import { maskContacts } from '../privacy.js';
import type { Clock } from '../pipeline/service.js';

const log = logger('mediation');

/** Settled cases with a mediator and a follow-up not yet reminded of. */
const awaitingFollowUpQuery = defineQuery('mediation_awaiting_follow_up', (db) =>
  db
    .selectFrom('MediationCase')
    .select(['id', 'title', 'mediatorId', 'settledAt', 'followUpsReminded'])
    .where('status', '=', 'settled')
    .where('mediatorId', 'is not', null)
    .where('followUpsReminded', '<', 2)
    .orderBy('id'),
);

/** Counts a reminder as sent, unless another process counted it first. (Parameters are names here, not values: `next` is passed, never computed.) */
const claimFollowUpQuery = defineQuery('mediation_claim_follow_up', (db, p: { id: number; reminded: number; next: number }) =>
  db.updateTable('MediationCase').set({ followUpsReminded: p.next }).where('id', '=', p.id).where('followUpsReminded', '=', p.reminded),
);

/** The duty: once a day after the office opens; returns the reminders sent. */
export function mediationFollowUpDuty(options: { db: Db; clock: Clock; officeHours: OfficeHours; followUpDays: readonly [number, number] }): () => Promise<number> {
  const turn = dailyTurn(options.officeHours);
  return async () => {
    const now = options.clock.now();
    const today = turn.dueAt(now);
    if (!today) return 0;
    turn.done(today);
    let sent = 0;
    for (const row of await all(sqlOf(options.db), awaitingFollowUpQuery, {})) {
      const days = options.followUpDays[row.followUpsReminded];
      if (days === undefined || row.settledAt === null || addCalendarDays(localDateOf(row.settledAt), days) > today) continue;
      const claimed = await sqlTransaction(options.db, async (tx) => {
        if (!(await run(tx.sql, claimFollowUpQuery, { id: row.id, reminded: row.followUpsReminded, next: row.followUpsReminded + 1 }))) return false;
        await enqueuePush(tx, [row.mediatorId!], { template: 'mediation.follow_up_due', params: { title: maskContacts(row.title), days } }, now);
        return true;
      });
      if (claimed) sent += 1;
    }
    if (sent) log.info({ reminders: sent }, 'mediation follow-ups reminded');
    return sent;
  };
}
