/**
 * The HTTP servers Minqing runs (the web server of the chat, the console and the board;
 * the Telegram webhook's), made with limits that hold against slow and broken clients:
 * - the headers must arrive within `headersTimeoutMs`, the whole request (headers and
 *   body) within `requestTimeoutMs`, and an idle keep-alive connection closes after
 *   `keepAliveTimeoutMs` (Node checks these every second here, not every 30 s);
 * - at most `maxConnections` connections in all and `maxConnectionsPerAddress` from one
 *   address (websockets included): one address cannot take every file descriptor, and
 *   a connection over its address's share is answered 503 and closed at once;
 * - at most 100 header lines.
 * A request cut off by a timeout, or given up by its client, is logged once, at debug,
 * without a stack (`noteAborted`): an attack of slow clients must not become a flood of
 * log lines.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.js';
import { logger } from '../log.js';

const log = logger('http');

/** The limits of one server. */
export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** 0: no cap per address (behind a reverse proxy every connection comes from the proxy). */
  maxConnectionsPerAddress: number;
}

/** The settings' defaults (src/config.ts), for servers made without settings (tests). */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 2000,
  maxConnectionsPerAddress: 50,
};

/** The limits the settings describe. Behind a trusted proxy the cap per address is the proxy's to keep. */
export function httpLimitsFrom(
  config: Pick<
    Config,
    | 'HTTP_HEADERS_TIMEOUT_SECONDS'
    | 'HTTP_REQUEST_TIMEOUT_SECONDS'
    | 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS'
    | 'HTTP_MAX_CONNECTIONS'
    | 'HTTP_MAX_CONNECTIONS_PER_ADDRESS'
    | 'TRUST_PROXY'
  >,
): HttpLimits {
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    maxConnectionsPerAddress: config.TRUST_PROXY ? 0 : config.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
  };
}

/** Sockets whose request was already logged as cut off or given up. */
const noted = new WeakSet<Duplex>();

/**
 * Logs, once per connection, at debug and without a stack, that its request ended
 * early: cut off by a timeout, or given up by the client (which then never reads an
 * answer, so there is nothing else to do).
 */
export function noteAborted(socket: Duplex, message: string, fields: Record<string, unknown> = {}): void {
  if (noted.has(socket)) return;
  noted.add(socket);
  log.debug(fields, message);
}

const STATUS_OF: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
};

/** What a person whose browser sent such a request reads (a blank page said nothing; no HTML: the request was not understood). */
const SAYS: Readonly<Record<string, string>> = {
  '408 Request Timeout': '请求超时，请刷新页面重试。\nThe request took too long; reload the page.\n',
  '431 Request Header Fields Too Large':
    '请求头过大（常见原因：本站 Cookie 过多），请清除本站 Cookie 后重试。\nRequest headers too large (often too many cookies for this site): clear them and retry.\n',
  '400 Bad Request': '无法识别的请求。\nBad request.\n',
};

/** The client went away: a reset, a broken pipe, or the end of its stream in the middle of a request. */
const GONE = new Set(['ECONNRESET', 'EPIPE', 'HPE_INVALID_EOF_STATE']);

const OVER_SHARE = 'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** An HTTP server with `limits` (see above) answering with `listener`. */
export function createLimitedServer(listener: (req: IncomingMessage, res: ServerResponse) => void, limits: HttpLimits = DEFAULT_HTTP_LIMITS): Server {
  // The response of each connection's current request, to know whether one was begun.
  const responses = new WeakMap<Duplex, ServerResponse>();
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node looks for requests past those timeouts (its default, 30 s, let a
      // false Content-Length hold a connection for 300 + 30 s).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
    },
    (req, res) => {
      responses.set(req.socket, res);
      listener(req, res);
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = 100;
  server.maxConnections = limits.maxConnections;

  const perAddress = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    if (limits.maxConnectionsPerAddress <= 0) return;
    const address = socket.remoteAddress ?? 'unknown';
    const open = perAddress.get(address) ?? 0;
    if (open >= limits.maxConnectionsPerAddress) {
      socket.on('error', () => undefined);
      socket.write(OVER_SHARE, () => socket.destroy());
      return;
    }
    perAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });

  // A request cut off by a timeout, malformed, or lost with its connection.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const code = error.code ?? 'unknown';
    const status = STATUS_OF[code] ?? (GONE.has(code) ? undefined : '400 Bad Request');
    noteAborted(socket, code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request timed out' : status ? 'bad request' : 'request aborted by the client', { code });
    // As Node does without a listener: an answer if none was begun, then the connection goes.
    if (status && socket.writable && !responses.get(socket)?.headersSent) {
      const body = Buffer.from(SAYS[status] ?? '', 'utf8');
      socket.write(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body);
    }
    socket.destroy();
  });

  server.on('drop', () => log.debug('connection refused: HTTP_MAX_CONNECTIONS reached'));
  return server;
}
