/**
 * One-time binding codes: staff give a liaison or colleague a code, who sends
 * `绑定 CODE` (or `/bind CODE`) from their chat to link it to their record.
 */
import { randomInt } from 'node:crypto';
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { defineQuery, first } from '../db/sql.js';

/** No 0/O or 1/I: codes are read aloud and typed on phones. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

const bindingCodeQuery = defineQuery('binding_code', (db, p: { code: string }) =>
  db.selectFrom('BindingCode').select(['code', 'personId', 'expiresAt', 'usedAt']).where('code', '=', p.code),
);

/** The binding code `code`, if there is one (used or not): for binding in chat, and for a new code not to repeat one. */
export function bindingCode(client: Db | Tx | SqlTx, code: string): Promise<{ code: string; personId: number; expiresAt: Date; usedAt: Date | null } | undefined> {
  return first(sqlOf(client), bindingCodeQuery, { code });
}

/** Creates a code for `personId`, valid for `days` days from `now`. */
export async function createBindingCode(db: Db, personId: number, now: Date, days: number): Promise<string> {
  for (;;) {
    const code = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    if (await bindingCode(db, code)) continue;
    await db.bindingCode.create({ data: { code, personId, createdAt: now, expiresAt: new Date(now.getTime() + days * 86_400_000) } });
    return code;
  }
}
