/**
 * The small HTTP pieces every page of the web server shares (the web chat in bots/web,
 * the staff console and the public board here): bounded body reading, JSON, HTML and
 * redirect answers with the same strict security headers, cookies and form bodies.
 * Plain `node:http`, no framework.
 */
import { isIPv6 } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Everything is same-origin: no inline script or style, no third-party host, forms post
 * only here, and no other site may frame the pages.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Answers with JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(text);
}

/**
 * The headers of the console's and the board's pages. Their forms post back here, and a
 * browser sends a real Origin with a same-origin POST only when the referrer policy lets
 * it (under `no-referrer` it sends `Origin: null`): hence `same-origin`, which still
 * tells other sites nothing.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = { ...SECURITY_HEADERS, 'referrer-policy': 'same-origin' };

/** Answers with an HTML page (never cached: pages carry personal data and CSRF tokens). */
export function sendHtml(res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...PAGE_HEADERS, ...headers });
  res.end(body);
}

/**
 * 303 See Other: after a form post, the browser loads `location` with GET. Anything
 * but printable ASCII in `location` is percent-encoded (UTF-8): a header cannot carry it
 * (Node throws ERR_INVALID_CHAR for Chinese; a line break would end the header).
 */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { location: encodeLocation(location), 'cache-control': 'no-store', ...PAGE_HEADERS, ...headers });
  res.end();
}

/** `location` with every character outside printable ASCII percent-encoded. */
export function encodeLocation(location: string): string {
  return location.replace(/[^\x21-\x7e]/gu, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      // A lone surrogate has no UTF-8: the replacement character's.
      return '%EF%BF%BD';
    }
  });
}

/** A body read in full, or the note that it was too large (with its first `limit` bytes, when they were asked for). */
export type Body = { ok: true; bytes: Buffer } | { ok: false; tooLarge: true; prefix: Buffer };

/**
 * The request ended before its body did: the client gave up, or the server cut it off
 * (HTTP_REQUEST_TIMEOUT_SECONDS). Nobody is left to answer; handlers let it through and
 * the server's catch notes it once, at debug (`noteAborted` in ./server.ts).
 */
export class RequestAborted extends Error {
  override readonly name = 'RequestAborted';
  constructor() {
    super('the request ended before its body');
  }
}

/**
 * Reads a request body of at most `limit` bytes. A larger one is read to its end and
 * dropped (so the client gets the answer rather than a reset), unless it goes on past
 * four times the limit, when the connection is cut. With `keepPrefix`, the first `limit`
 * bytes of a larger one are kept (a form whose files come last keeps its fields).
 * @throws RequestAborted when the request ends before its body.
 */
export function readBody(req: IncomingMessage, limit: number, options: { keepPrefix?: boolean } = {}): Promise<Body> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > limit && !options.keepPrefix;
    const tooLarge = (): Body => ({ ok: false, tooLarge: true, prefix: Buffer.concat(chunks) });
    req.on('data', (chunk: Buffer) => {
      const before = size;
      size += chunk.length;
      if (size > limit) over = true;
      if (over) {
        if (!options.keepPrefix) chunks.length = 0;
        else if (before < limit) chunks.push(chunk.subarray(0, limit - before));
        if (size > 4 * limit) {
          req.destroy();
          resolve(tooLarge());
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? tooLarge() : { ok: true, bytes: Buffer.concat(chunks) }));
    // After 'end' (or a resolve above) these change nothing.
    req.on('error', () => reject(new RequestAborted()));
    req.on('close', () => reject(new RequestAborted()));
  });
}

/** The cookies of a request, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A malformed value is simply not a cookie of ours.
    }
  }
  return cookies;
}

export interface CookieOptions {
  path: string;
  /** Seconds; 0 deletes the cookie. Omitted: a session cookie (gone when the browser closes). */
  maxAge?: number;
  secure: boolean;
}

/** A Set-Cookie value: always HttpOnly and SameSite=Strict (no other site can send it). */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The most fields a form may post, and the longest body. */
const MAX_FORM_FIELDS = 200;
export const MAX_FORM_BYTES = 64 * 1024;

// eslint-disable-next-line no-control-regex -- control characters are what is removed here
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * A form's names and values without control characters but tab and line breaks (a
 * textarea's CRLF). No field of ours means one, and PostgreSQL refuses U+0000 in text:
 * removed here, where every form comes in, no field can carry one to a write.
 */
export function withoutControlCharacters(form: URLSearchParams): URLSearchParams {
  const clean = new URLSearchParams();
  for (const [name, value] of form) clean.append(name.replace(CONTROL_CHARACTERS, ''), value.replace(CONTROL_CHARACTERS, ''));
  return clean;
}

/**
 * A url-encoded form body (or null when it is not one, or too large), without control
 * characters (`withoutControlCharacters`). `asSent` keeps them: the login refuses a `next`
 * with one whole (a cleaned one would be another place) and compares the password as typed.
 */
export async function readForm(req: IncomingMessage, options: { asSent?: boolean } = {}): Promise<URLSearchParams | null> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return null;
  }
  const body = await readBody(req, MAX_FORM_BYTES);
  if (!body.ok) return null;
  const form = new URLSearchParams(body.bytes.toString('utf8'));
  if ([...form.keys()].length > MAX_FORM_FIELDS) return null;
  return options.asSent ? form : withoutControlCharacters(form);
}

/** Whether the request came over TLS, directly or (when the proxy is trusted) through it. */
export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ('encrypted' in req.socket && req.socket.encrypted === true) return true;
  return (
    trustProxy &&
    String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      ?.trim() === 'https'
  );
}

/** The client's address: the socket's, or the proxy's first X-Forwarded-For entry when trusted. */
function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')[0]
      ?.trim();
    if (forwarded) return forwarded;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The client's address as the request limits count it (login, the REST API, Open311): an
 * IPv4 address as it is (also when written IPv4-mapped, ::ffff:1.2.3.4); an IPv6 address
 * by its /64 network, since one subscriber line is handed a whole /64 and could rotate
 * through its addresses, each starting afresh (OWASP's and fail2ban's advice).
 */
export function limitedAddress(req: IncomingMessage, trustProxy: boolean): string {
  return addressForLimits(clientIp(req, trustProxy));
}

/** See `limitedAddress`; anything not an IP address is kept as it is. */
export function addressForLimits(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIPv6(address.split('%')[0] ?? '')) return `${ipv6Network64(address.split('%')[0] ?? '')}::/64`;
  return address;
}

/** The first four groups of an IPv6 address, '::' expanded, in their short hex form (2001:db8:0:1). */
function ipv6Network64(address: string): string {
  const [head = '', tail] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  // An IPv4 address written at the end stands for two groups.
  const tailWidth = tailGroups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailWidth).fill('0'), ...tailGroups];
  return groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':');
}

/**
 * Whether a state-changing request may come from one of this site's own pages: browsers
 * send Origin with every POST, so another site's (or an opaque `null` one) is refused
 * even before the CSRF token is looked at. Scripts that send no Origin still need the
 * token.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const source = req.headers.origin ?? req.headers.referer;
  if (source === undefined) return true;
  if (source === 'null') return false;
  try {
    return new URL(source).host === req.headers.host;
  } catch {
    return false;
  }
}
