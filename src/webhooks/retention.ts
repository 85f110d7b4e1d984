/**
 * Forgetting settled webhook deliveries (WebhookDelivery) after WEBHOOK_DELIVERY_RETENTION_DAYS,
 * for the scheduler's retention (src/pipeline/retention.ts): the delivery log keeps that
 * long a record of what each subscriber was sent. A delivery not yet settled is never
 * deleted, however old: it is still to be sent, and the ones after it wait behind it.
 */
import { defineQuery, run, type SqlConnection } from '../db/sql.js';

/** Up to `limit` deliveries settled (delivered, or skipped) before `before`, oldest first. */
const forgetSettledQuery = defineQuery('webhook_forget_settled', (db, p: { before: Date; limit: number }) =>
  db
    .deleteFrom('WebhookDelivery')
    .where('id', 'in', (eb) => eb.selectFrom('WebhookDelivery').select('id').where('deliveredAt', 'is not', null).where('deliveredAt', '<', p.before).orderBy('id').limit(p.limit)),
);

/** Deletes up to `limit` deliveries settled before `before`; returns how many (fewer than `limit`: none are left). */
export function forgetSettledDeliveries(sql: SqlConnection, before: Date, limit: number): Promise<number> {
  return run(sql, forgetSettledQuery, { before, limit });
}
