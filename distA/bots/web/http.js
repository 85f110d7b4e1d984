/**
 * The small HTTP pieces of the web chat: the static page, stored uploads, JSON answers and
 * bounded body reading. Plain `node:http`, no framework: the page is three static files.
 */
import { readFile } from 'node:fs/promises';
import { SECURITY_HEADERS } from '../../src/web/http.js';
import { projectPath } from '../../src/paths.js';
/**
 * The chat page's headers: the site's strict ones, plus what recording and sharing a
 * place need. `media-src` lets the page play voice notes (its own uploads, and a
 * recording as a `blob:` before it is sent); the permissions policy lets this page, and
 * nothing it might embed, ask for the microphone and the location, and for nothing else.
 */
const CHAT_PAGE_HEADERS = {
    ...SECURITY_HEADERS,
    'content-security-policy': "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'permissions-policy': 'microphone=(self), geolocation=(self), camera=(), payment=(), usb=()',
};
/** The page's files, by URL path. Nothing else under public/ is served. */
const PAGE_FILES = {
    '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
    '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
    '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
    '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
    '/icon.svg': { file: 'icon.svg', type: 'image/svg+xml' },
};
const PUBLIC_DIR = `${projectPath('bots', 'web', 'public')}/`;
/** Serves a file of the chat page; false when the path is not one. */
export async function servePage(path, res) {
    const entry = PAGE_FILES[path];
    if (!entry)
        return false;
    const body = await readFile(PUBLIC_DIR + entry.file);
    res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-cache', ...CHAT_PAGE_HEADERS });
    res.end(body);
    return true;
}
/**
 * Answers with a stored file, whole or the one byte range asked for: Safari plays audio
 * only from a server that answers `Range` with 206, and every browser seeks that way.
 * Files are content-addressed (a name never changes its bytes), so they may be cached.
 */
export function sendFile(req, res, bytes, contentType) {
    const headers = {
        'content-type': contentType,
        'cache-control': 'private, max-age=86400, immutable',
        'accept-ranges': 'bytes',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'",
    };
    const range = byteRange(req.headers.range, bytes.length);
    if (range === 'unsatisfiable') {
        res.writeHead(416, { ...headers, 'content-range': `bytes */${bytes.length}` });
        res.end();
        return;
    }
    if (range) {
        const [start, end] = range;
        res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': String(end - start + 1) });
        res.end(bytes.subarray(start, end + 1));
        return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(bytes.length) });
    res.end(bytes);
}
/**
 * The one range of a `Range: bytes=…` header, inclusive; null to send the whole file (no
 * header, another unit, or several ranges, which may be answered whole); 'unsatisfiable'
 * when it starts past the end.
 */
export function byteRange(header, size) {
    const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
    if (!match || (match[1] === '' && match[2] === ''))
        return null;
    if (match[1] === '') {
        // A suffix: the last N bytes.
        const length = Math.min(Number(match[2]), size);
        return length === 0 ? 'unsatisfiable' : [size - length, size - 1];
    }
    const start = Number(match[1]);
    const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (start >= size)
        return 'unsatisfiable';
    if (end < start)
        return null;
    return [start, end];
}
// Body reading, JSON answers and the security headers are shared with the console
// and the public board (src/web/http.ts).
export { readBody, sendJson } from '../../src/web/http.js';
