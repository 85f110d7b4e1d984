/**
 * The small HTTP pieces of the web chat: the static page, JSON answers and bounded body
 * reading. Plain `node:http`, no framework: the page is three static files.
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../../src/web/http.js';
import { projectPath } from '../../src/paths.js';

/** The page's files, by URL path. Nothing else under public/ is served. */
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/icon.svg': { file: 'icon.svg', type: 'image/svg+xml' },
};

const PUBLIC_DIR = `${projectPath('bots', 'web', 'public')}/`;

/** Serves a file of the chat page; false when the path is not one. */
export async function servePage(path: string, res: ServerResponse): Promise<boolean> {
  const entry = PAGE_FILES[path];
  if (!entry) return false;
  const body = await readFile(PUBLIC_DIR + entry.file);
  res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
  res.end(body);
  return true;
}

// Body reading, JSON answers and the security headers are shared with the console
// and the public board (src/web/http.ts).
export { type Body, readBody, sendJson } from '../../src/web/http.js';
