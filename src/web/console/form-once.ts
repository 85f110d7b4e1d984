/**
 * Each console form is acted on once. Its page writes a one-time value into it (`_once`,
 * beside the session's CSRF token: layout.ts `csrfField`); the first post of that value
 * claims it (ConsoleFormPost), and a second post of the same form — a double click, the
 * browser's back and resubmit, a retry after a slow answer — is refused instead of
 * dispatching twice, sending the resident the same reply twice or registering the same
 * walk-in as two tickets. Claimed values are forgotten after a day, a duty of the
 * scheduler's retention.
 */
import { randomBytes } from 'node:crypto';
import { type Db, sqlOf } from '../../db/client.js';
import { defineQuery, run } from '../../db/sql.js';
import type { RetentionDuty } from '../../pipeline/retention.js';

/** How long a claimed form is remembered: longer than any page stays open and is posted. */
const REMEMBERED_MS = 24 * 3_600_000;

/** A new one-time value for a form being written. */
export function formOnce(): string {
  return randomBytes(12).toString('base64url');
}

const claimQuery = defineQuery('console_form_claim', (db, p: { nonce: string; at: Date }) =>
  db
    .insertInto('ConsoleFormPost')
    .values({ nonce: p.nonce, at: p.at })
    .onConflict((oc) => oc.column('nonce').doNothing()),
);

const forgetQuery = defineQuery('console_form_forget', (db, p: { before: Date }) => db.deleteFrom('ConsoleFormPost').where('at', '<', p.before));

/** Whether this post is the first of the form whose one-time value is `nonce` (and claims it). */
export async function firstPostOf(db: Db, nonce: string, now: Date): Promise<boolean> {
  return (await run(sqlOf(db), claimQuery, { nonce, at: now })) === 1;
}

/** The retention's duty: forms claimed more than a day ago, in one statement (a day's posts at most). */
export const consoleFormRetention: RetentionDuty = {
  name: 'consoleForms',
  async forget(sql, now) {
    return { deleted: await run(sql, forgetQuery, { before: new Date(now.getTime() - REMEMBERED_MS) }), done: true };
  },
};
