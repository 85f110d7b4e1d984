/**
 * One-time binding codes: staff give a liaison or colleague a code, who sends
 * `绑定 CODE` (or `/bind CODE`) from their chat to link it to their record.
 */
import { randomInt } from 'node:crypto';
/** No 0/O or 1/I: codes are read aloud and typed on phones. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** Creates a code for `personId`, valid for `days` days from `now`. */
export async function createBindingCode(db, personId, now, days) {
    for (;;) {
        const code = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
        const taken = await db.bindingCode.findUnique({ where: { code } });
        if (taken)
            continue;
        await db.bindingCode.create({ data: { code, personId, createdAt: now, expiresAt: new Date(now.getTime() + days * 86_400_000) } });
        return code;
    }
}
