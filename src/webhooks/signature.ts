/**
 * The signature of a webhook delivery, as Stripe and Svix make theirs: an HMAC-SHA256,
 * keyed with the subscriber's secret, of `TIMESTAMP.BODY`, sent as
 * `X-Minqing-Signature: t=TIMESTAMP,v1=HEX`. The timestamp (Unix seconds, also in
 * `X-Minqing-Timestamp`) is signed with the body, so a receiver that refuses old
 * timestamps refuses a replayed delivery too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The hex HMAC-SHA256 of `timestamp.body` under `secret`. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The X-Minqing-Signature header for `body` sent at `timestamp`. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

/**
 * Whether `header` signs `body` with `secret`, at most `toleranceSeconds` from `now`: what a
 * receiver does (the README shows the same in a few lines).
 */
export function verifySignature(secret: string, header: string, body: string, now: Date, toleranceSeconds = 300): boolean {
  const parts = new Map(header.split(',').map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)] as const));
  const timestamp = Number(parts.get('t'));
  const given = Buffer.from(parts.get('v1') ?? '', 'hex');
  if (!Number.isInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureOf(secret, timestamp, body), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
