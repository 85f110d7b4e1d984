/**
 * The REST API at `/api/v1` (routes and schemas in ./schemas.ts): JSON for other systems,
 * authenticated by the API keys of src/open311/keys.ts, sent as `Authorization: Bearer
 * KEY` or `X-Api-Key: KEY`. No key, or an unknown or revoked one, is a 401; a key without
 * the route's scope a 403; a ticket or region outside the key's reach a 404. Each key may
 * make OPEN311_REQUESTS_PER_MINUTE requests a minute (the limit every key has), counted
 * in the shared Throttle table; bad keys count against the caller's address. A POST
 * carries a JSON body, validated by the route's schema (a 400 lists zod's issues); the
 * write routes act as the key's console user (./actions.ts). A POST with an
 * Idempotency-Key header is answered once and replayed after (./idempotency.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { logger } from '../log.js';
import { type ApiKeyRecord, authenticateApiKey, hasScope } from '../open311/keys.js';
import type { Open311App } from '../open311/requests.js';
import { limitedAddress, PAGE_HEADERS, readBody, RequestAborted, sendHtml, sendJson } from '../web/http.js';
import { Throttle } from '../web/throttle.js';
import type { Matcher } from '../intake/intake.js';
import { ticketAction } from './actions.js';
import { idempotent, type PostAnswer, requestHash } from './idempotency.js';
import { registerRequest } from './intake.js';
import { docsPage, openApiDocument } from './openapi.js';
import { API_ROUTES, type ApiRoute, type RouteName } from './schemas.js';
import { ApiError } from './errors.js';
import { listTickets, oneTicket, regionRoster, regionStats } from './tickets.js';
import { API_PATH } from './path.js';

const log = logger('rest-api');

/** The rate limit's window. */
const WINDOW_MS = 60_000;

/** The largest JSON body a POST may carry: an action is a few fields of text. */
const MAX_BODY_BYTES = 64 * 1024;

/** What the REST API needs of the running app: the pipeline, and the category matcher 受理登记 uses. */
export interface RestApiApp extends Open311App {
  classifier?: Matcher;
}

export interface RestApiOptions {
  /** The running app, or undefined while it starts. */
  app: () => RestApiApp | undefined;
  trustProxy: boolean;
  requestsPerMinute: number;
}

/** A route's path as a pattern: `{name}` matches one segment. */
function patternOf(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
}

const MATCHERS = (Object.entries(API_ROUTES) as [RouteName, ApiRoute][]).map(([name, route]) => ({ name, route, pattern: patternOf(route.path) }));

/** The key the request carries: the bearer token, else X-Api-Key; undefined when it carries none. */
function presentedKey(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  const header = req.headers['x-api-key'];
  return bearer ?? (typeof header === 'string' && header.trim() ? header.trim() : undefined);
}

/** The query string as an object for a schema (a repeated parameter: its last value). */
function queryObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}

/** The request's body: a 413 when too large. */
async function bodyBytes(req: IncomingMessage): Promise<Buffer> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (!body.ok) throw new ApiError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
  return body.bytes;
}

/** A body as JSON: a 400 when it is not. */
function jsonOf(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ApiError(400, 'the body is not JSON (send Content-Type: application/json)');
  }
}

function parsed<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, `${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** The REST API as one handler of the web server: false for paths not under /api/v1. */
export function createRestApi(options: RestApiOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const running = (): RestApiApp => {
    const app = options.app();
    if (!app) throw new Error('the REST API was asked for the app before it started');
    return app;
  };
  const throttle = new Throttle(() => running().database.db, { now: () => running().pipeline.clock.now() }, WINDOW_MS);
  let document: string | undefined;

  const limit = async (name: string): Promise<void> => {
    const reservation = await throttle.reserve([{ key: name, max: options.requestsPerMinute }]);
    if (!reservation.ok) {
      const seconds = String(reservation.retryAfterSeconds);
      throw new ApiError(429, `too many requests: try again in ${seconds} s`, { 'retry-after': seconds });
    }
  };

  /** The live key of the request holding `scope`, its use counted. */
  const authorised = async (app: Open311App, req: IncomingMessage, scope: NonNullable<ApiRoute['scope']>): Promise<ApiKeyRecord> => {
    const given = presentedKey(req);
    const challenge = { 'www-authenticate': 'Bearer realm="minqing"' };
    if (given === undefined) throw new ApiError(401, 'an API key is required: Authorization: Bearer KEY or X-Api-Key: KEY', challenge);
    const key = await authenticateApiKey(app.database.db, given, app.pipeline.clock.now());
    if (!key) {
      // Guessing keys is held back like anything else, by the caller's address.
      await limit(`api:ip:${limitedAddress(req, options.trustProxy)}`);
      throw new ApiError(401, 'the API key is not valid (unknown or revoked)', challenge);
    }
    if (!hasScope(key, scope)) throw new ApiError(403, `this key lacks the scope ${scope}`);
    await limit(`api:key:${key.id}`);
    return key;
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, url: URL, app: RestApiApp): Promise<void> => {
    const found = MATCHERS.map((m) => ({ ...m, match: m.pattern.exec(url.pathname) })).filter((m) => m.match !== null);
    if (!found.length) throw new ApiError(404, `no such route: ${url.pathname} (see ${API_PATH}/docs)`);
    const method = req.method === 'HEAD' ? 'get' : (req.method ?? '').toLowerCase();
    const hit = found.find((m) => m.route.method === method);
    if (!hit) {
      const allow = [...new Set(found.map((m) => m.route.method.toUpperCase()))].join(', ');
      throw new ApiError(405, `method not allowed; use ${allow}`, { allow });
    }
    const db = app.database.db;
    const key = hit.route.scope === null ? null : await authorised(app, req, hit.route.scope);
    const query = queryObject(url);
    const pathParams = hit.match?.groups ?? {};
    if (hit.route.method === 'post') {
      const bytes = await bodyBytes(req);
      const header = req.headers['idempotency-key'];
      const handle = async (): Promise<PostAnswer> => {
        const body = jsonOf(bytes);
        switch (hit.name) {
          case 'register':
            parsed(API_ROUTES.register.query, query, 'query');
            return { status: 201, value: await registerRequest(app, app.classifier, key!, parsed(API_ROUTES.register.body, body, 'body')) };
          case 'action': {
            parsed(API_ROUTES.action.query, query, 'query');
            const { number } = parsed(API_ROUTES.action.pathParams, decodedParams(pathParams), 'path');
            return { status: 200, value: await ticketAction(app, key!, number.toUpperCase(), parsed(API_ROUTES.action.body, body, 'body')) };
          }
          default:
            throw new Error(`${hit.name} is no POST route`);
        }
      };
      const hash = requestHash('POST', url.pathname + url.search, bytes);
      const answered = await idempotent(db, key!.id, typeof header === 'string' ? header : undefined, hash, app.pipeline.clock.now(), handle);
      return sendJson(res, answered.status, answered.value, answered.replayed ? { 'idempotent-replayed': 'true' } : {});
    }
    switch (hit.name) {
      case 'openapi':
        document ??= JSON.stringify(openApiDocument());
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
        res.end(document);
        return;
      case 'docs':
        return sendHtml(res, 200, docsPage());
      case 'tickets':
        return sendJson(res, 200, await listTickets(db, key!, parsed(API_ROUTES.tickets.query, query, 'query')));
      case 'ticket': {
        parsed(API_ROUTES.ticket.query, query, 'query');
        const { number } = parsed(API_ROUTES.ticket.pathParams, decodedParams(pathParams), 'path');
        return sendJson(res, 200, await oneTicket(db, key!, number.toUpperCase()));
      }
      case 'stats':
        return sendJson(res, 200, await regionStats(db, key!, parsed(API_ROUTES.stats.query, query, 'query')));
      case 'regions':
        parsed(API_ROUTES.regions.query, query, 'query');
        return sendJson(res, 200, await regionRoster(db));
    }
  };

  return async (req, res, url) => {
    if (url.pathname !== API_PATH && !url.pathname.startsWith(`${API_PATH}/`)) return false;
    // A POST's body is read by its route, once the key is known to hold the scope.
    if (req.method !== 'POST') req.resume();
    try {
      const app = options.app();
      if (!app) throw new ApiError(503, 'Minqing is starting; try again in a moment', { 'retry-after': '5' });
      await answer(req, res, url, app);
    } catch (error) {
      if (error instanceof RequestAborted) throw error;
      const known = error instanceof ApiError ? error : new ApiError(500, 'the request failed; the problem was logged');
      if (known !== error) log.error({ err: error, path: url.pathname }, 'REST API request failed');
      // A body left unread is drained, so that the client gets the answer rather than a reset.
      req.resume();
      if (res.headersSent) res.destroy();
      else sendJson(res, known.status, { error: { status: known.status, message: known.message } }, { ...PAGE_HEADERS, ...known.headers });
    }
    return true;
  };
}

function decodedParams(params: Record<string, string>): Record<string, string> {
  try {
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeURIComponent(v)]));
  } catch {
    throw new ApiError(400, 'the path is not valid URL encoding');
  }
}
