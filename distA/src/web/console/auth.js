/**
 * Console access: argon2id password hashes, sessions kept as rows (the cookie holds a
 * random token, the database only its SHA-256), idle expiry and a CSRF token per
 * session. The limit on failed logins is the database's (src/web/throttle.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import { hashPassword, MAX_PASSWORD_LENGTH } from '../../org/staff-accounts.js';
/**
 * A hash no password matches, checked when the username is unknown so that a wrong
 * username takes as long as a wrong password (no account discovery by timing).
 */
let decoy;
/** Whether `password` matches `hash`; a malformed hash never matches. */
export async function verifyPassword(hash, password) {
    if (password.length > MAX_PASSWORD_LENGTH)
        return false;
    const against = hash ?? (await (decoy ??= hashPassword(randomBytes(16).toString('hex'))));
    try {
        return (await argon2.verify(against, password)) && hash !== null;
    }
    catch {
        return false;
    }
}
/** A random token for a cookie or a form (URL-safe). */
export function randomToken() {
    return randomBytes(32).toString('base64url');
}
function sha256(text) {
    return createHash('sha256').update(text).digest('hex');
}
/** Compares two secrets in constant time. */
export function sameSecret(a, b) {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}
/** Sessions in the database, with sliding idle expiry. */
export class SessionStore {
    db;
    clock;
    idleMinutes;
    constructor(db, clock, idleMinutes) {
        this.db = db;
        this.clock = clock;
        this.idleMinutes = idleMinutes;
    }
    expiry(now) {
        return new Date(now.getTime() + this.idleMinutes * 60_000);
    }
    /** Opens a session for the account; returns the cookie token (stored only as a hash). */
    async create(accountId) {
        const now = this.clock.now();
        const token = randomToken();
        const db = this.db();
        // Expired sessions are swept here, where a row is written anyway.
        await db.consoleSession.deleteMany({ where: { expiresAt: { lt: now } } });
        await db.consoleSession.create({
            data: { id: sha256(token), accountId, csrfToken: randomToken(), createdAt: now, lastSeenAt: now, expiresAt: this.expiry(now) },
        });
        await db.staffAccount.update({ where: { id: accountId }, data: { lastLoginAt: now } });
        return token;
    }
    /**
     * The session of a cookie token, or null (unknown, expired, or its account disabled).
     * Activity moves the idle expiry on (written at most once a minute).
     */
    async read(token) {
        if (!token || token.length > 100)
            return null;
        const now = this.clock.now();
        const db = this.db();
        const id = sha256(token);
        const row = await db.consoleSession.findUnique({ where: { id }, include: { account: true } });
        if (!row)
            return null;
        if (row.expiresAt <= now || row.account.disabledAt !== null) {
            await db.consoleSession.deleteMany({ where: { id } });
            return null;
        }
        if (now.getTime() - row.lastSeenAt.getTime() >= 60_000) {
            await db.consoleSession.update({ where: { id }, data: { lastSeenAt: now, expiresAt: this.expiry(now) } });
        }
        const { account } = row;
        return { id, accountId: row.accountId, csrfToken: row.csrfToken, account: { id: account.id, username: account.username, personId: account.personId } };
    }
    /** Ends the session of a cookie token. */
    async destroy(token) {
        if (!token)
            return;
        await this.db().consoleSession.deleteMany({ where: { id: sha256(token) } });
    }
}
