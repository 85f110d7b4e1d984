/**
 * The small HTTP pieces of the web chat: the static page, JSON answers and bounded body
 * reading. Plain `node:http`, no framework: the page is three static files.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/** The page's files, by URL path. Nothing else under public/ is served. */
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/icon.svg': { file: 'icon.svg', type: 'image/svg+xml' },
};

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** Everything is same-origin: no inline script, no third-party host. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Serves a file of the chat page; false when the path is not one. */
export async function servePage(path: string, res: ServerResponse): Promise<boolean> {
  const entry = PAGE_FILES[path];
  if (!entry) return false;
  const body = await readFile(PUBLIC_DIR + entry.file);
  res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
  res.end(body);
  return true;
}

/** Answers with JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(text);
}

/** A body read in full, or the note that it was too large. */
export type Body = { ok: true; bytes: Buffer } | { ok: false; tooLarge: true };

/**
 * Reads a request body of at most `limit` bytes. A larger one is read to its end and
 * dropped (so the client gets the answer rather than a reset), unless it goes on past
 * four times the limit, when the connection is cut.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (over) {
        chunks.length = 0;
        if (size > 4 * limit) {
          req.destroy();
          resolve({ ok: false, tooLarge: true });
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? { ok: false, tooLarge: true } : { ok: true, bytes: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}
