/**
 * Forgetting settled webhook deliveries (WebhookDelivery) after WEBHOOK_DELIVERY_RETENTION_DAYS,
 * a duty the app hands the scheduler's retention (src/pipeline/retention.ts): the delivery log keeps that
 * long a record of what each subscriber was sent. A delivery not yet settled is never
 * deleted, however old: it is still to be sent, and the ones after it wait behind it.
 */
import { defineQuery, run } from '../db/sql.js';
import { FORGET_BATCH, FORGET_BATCHES_PER_TICK, type RetentionDuty } from '../pipeline/retention.js';

/** Up to `limit` deliveries settled (delivered, or skipped) before `before`, oldest first. */
const forgetSettledQuery = defineQuery('webhook_forget_settled', (db, p: { before: Date; limit: number }) =>
  db
    .deleteFrom('WebhookDelivery')
    .where('id', 'in', (eb) => eb.selectFrom('WebhookDelivery').select('id').where('deliveredAt', 'is not', null).where('deliveredAt', '<', p.before).orderBy('id').limit(p.limit)),
);

/**
 * The scheduler's duty for the delivery log: deliveries settled more than `retentionMs`
 * ago go, FORGET_BATCH at a time (a batch short of it: none are left).
 */
export function webhookDeliveryRetention(retentionMs: number): RetentionDuty {
  return {
    name: 'webhookDeliveries',
    async forget(sql, now) {
      const before = new Date(now.getTime() - retentionMs);
      let deleted = 0;
      for (let batch = 0; batch < FORGET_BATCHES_PER_TICK; batch++) {
        const gone = await run(sql, forgetSettledQuery, { before, limit: FORGET_BATCH });
        deleted += gone;
        if (gone < FORGET_BATCH) return { deleted, done: true };
      }
      return { deleted, done: false };
    },
  };
}
