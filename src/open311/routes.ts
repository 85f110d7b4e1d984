/**
 * Open311 GeoReport v2 at `/open311` (http://wiki.open311.org/GeoReport_v2):
 * - `GET /open311/discovery.{xml,json}`: where the endpoint is and what it speaks;
 * - `GET /open311/v2/services.{fmt}` and `/open311/v2/services/{code}.{fmt}`;
 * - `POST /open311/v2/requests.{fmt}` (form-urlencoded, `api_key` required: 403 without);
 * - `GET /open311/v2/requests.{fmt}`, `/open311/v2/requests/{id}.{fmt}`, `/open311/v2/tokens/{token}.{fmt}`.
 * Every answer is XML or JSON by the path's extension, errors included. Each key (or,
 * without one, each address) may make OPEN311_REQUESTS_PER_MINUTE requests a minute.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { limitedAddress, isHttps, readForm, RequestAborted } from '../web/http.js';
import { Throttle } from '../web/throttle.js';
import { logger } from '../log.js';
import { type Format, FORMATS, isoBeijing, Open311Error, sendOpen311, sendOpen311Error, type Value } from './format.js';
import { type ApiKeyRecord, authenticateApiKey, hasScope } from './keys.js';
import { listRequests, type Open311App, oneRequest, postRequest, resolveToken } from './requests.js';
import { localeOf, serviceDefinition, serviceRows, servicesList, villageChoices } from './services.js';
import { OPEN311_PATH } from './path.js';

const log = logger('open311');

/** When this interface last changed (discovery's changeset). */
const CHANGESET = new Date('2026-12-07T00:00:00+08:00');

/** The rate limit's window. */
const WINDOW_MS = 60_000;

export interface Open311Options {
  /** The running app, or undefined while it starts. */
  app: () => Open311App | undefined;
  trustProxy: boolean;
  requestsPerMinute: number;
}

/** One request's route: which endpoint, its format, and the id in the path if any. */
interface Route {
  endpoint: 'discovery' | 'services' | 'service' | 'requests' | 'request' | 'token';
  format: Format;
  id?: string;
}

const ROUTES: readonly [RegExp, Route['endpoint']][] = [
  [/^\/open311\/discovery\.(\w+)$/, 'discovery'],
  [/^\/open311\/v2\/services\.(\w+)$/, 'services'],
  [/^\/open311\/v2\/services\/([^/]+)\.(\w+)$/, 'service'],
  [/^\/open311\/v2\/requests\.(\w+)$/, 'requests'],
  [/^\/open311\/v2\/requests\/([^/]+)\.(\w+)$/, 'request'],
  [/^\/open311\/v2\/tokens\/([^/]+)\.(\w+)$/, 'token'],
];

/** The route of `path`, or null; a path of ours with another extension answers in XML, the required format. */
function routeOf(path: string): Route | { notFound: true } {
  for (const [pattern, endpoint] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    const [id, ext] = match.length === 3 ? [match[1], match[2]] : [undefined, match[1]];
    if (!(FORMATS as readonly string[]).includes(ext ?? '')) break;
    let decoded: string | undefined;
    try {
      decoded = id === undefined ? undefined : decodeURIComponent(id);
    } catch {
      break;
    }
    return { endpoint, format: ext as Format, ...(decoded === undefined ? {} : { id: decoded }) };
  }
  return { notFound: true };
}

/** The base URL the client reached us at. */
function baseUrl(req: IncomingMessage, trustProxy: boolean): string {
  return `${isHttps(req, trustProxy) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}

function discovery(base: string): Value {
  return {
    changeset: isoBeijing(CHANGESET),
    contact: '民情 Minqing：请联系县群众工作室 contact the county service office',
    key_service: '由县级管理员用 npm run apikey -- create 发放 keys are issued by the county administrator (npm run apikey -- create)',
    endpoints: [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: `${base}${OPEN311_PATH}/v2`,
        changeset: isoBeijing(CHANGESET),
        type: 'production',
        formats: ['text/xml', 'application/json'],
      },
    ],
  };
}

/** The Open311 interface as one handler of the web server: false for paths not under /open311. */
export function createOpen311(options: Open311Options): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  // Asked only once the app runs (requests before answer 503).
  const running = (): Open311App => {
    const app = options.app();
    if (!app) throw new Error('Open311 was asked for the app before it started');
    return app;
  };
  const throttle = new Throttle(() => running().database.db, { now: () => running().pipeline.clock.now() }, WINDOW_MS);

  /** Counts the request against its key's (or address's) limit: 429 past it. */
  const limit = async (req: IncomingMessage, key: ApiKeyRecord | null): Promise<void> => {
    const name = key ? `open311:key:${key.id}` : `open311:ip:${limitedAddress(req, options.trustProxy)}`;
    const reservation = await throttle.reserve([{ key: name, max: options.requestsPerMinute }]);
    if (!reservation.ok) {
      const seconds = String(reservation.retryAfterSeconds);
      throw new Open311Error(429, `too many requests: try again in ${seconds} s`, { 'retry-after': seconds });
    }
  };

  /**
   * The key the request names, or null when it names none. A key that is not live is a
   * 403, counted against the address's limit: guessing keys is held back like anything else.
   */
  const keyOf = async (app: Open311App, req: IncomingMessage, given: string | null | undefined): Promise<ApiKeyRecord | null> => {
    if (given === null || given === undefined || given === '') return null;
    const key = await authenticateApiKey(app.database.db, given.trim(), app.pipeline.clock.now());
    if (key) return key;
    await limit(req, null);
    throw new Open311Error(403, 'api_key is not valid (unknown or revoked)');
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, url: URL, route: Route, app: Open311App): Promise<void> => {
    const db = app.database.db;
    const params = url.searchParams;
    const locale = localeOf(params.get('locale'), req.headers['accept-language']);
    const send = (root: string, value: Value) => sendOpen311(res, 200, route.format, root, value);
    if (route.endpoint === 'requests' && req.method === 'POST') {
      const form = await readForm(req);
      if (!form) throw new Open311Error(400, 'the body must be an application/x-www-form-urlencoded form (at most 64 KB)');
      const key = await keyOf(app, req, form.get('api_key') ?? params.get('api_key'));
      if (!key) throw new Open311Error(403, 'api_key is required to post a service request');
      if (!hasScope(key, 'open311:write')) throw new Open311Error(403, 'this api_key may not post service requests (scope open311:write)');
      await limit(req, key);
      const created = await postRequest(app, form, key, locale);
      log.info({ key: key.name }, 'open311 request posted');
      return send('service_requests', created);
    }
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const allow = route.endpoint === 'requests' ? 'GET, HEAD, POST' : 'GET, HEAD';
      throw new Open311Error(405, `method not allowed; use ${allow}`, { allow });
    }
    const key = await keyOf(app, req, params.get('api_key'));
    await limit(req, key);
    const now = app.pipeline.clock.now();
    switch (route.endpoint) {
      case 'discovery':
        return send('discovery', discovery(baseUrl(req, options.trustProxy)));
      case 'services':
        return send('services', servicesList(await serviceRows(db), locale));
      case 'service': {
        const row = (await serviceRows(db)).find((s) => s.code === route.id);
        if (!row) throw new Open311Error(404, `no service ${route.id}`);
        return send('service_definition', serviceDefinition(row, await villageChoices(db), locale));
      }
      case 'requests':
        return send('service_requests', await listRequests(db, params, key, now, locale));
      case 'request':
        return send('service_requests', await oneRequest(db, route.id ?? '', key, locale));
      case 'token':
        return send('service_requests', await resolveToken(db, route.id ?? ''));
    }
  };

  return async (req, res, url) => {
    if (url.pathname !== OPEN311_PATH && !url.pathname.startsWith(`${OPEN311_PATH}/`)) return false;
    const route = routeOf(url.pathname);
    const format: Format = 'format' in route ? route.format : 'xml';
    try {
      if ('notFound' in route) throw new Open311Error(404, `no such endpoint: ${url.pathname}`);
      const app = options.app();
      if (!app) throw new Open311Error(503, 'Minqing is starting; try again in a moment', { 'retry-after': '5' });
      await answer(req, res, url, route, app);
    } catch (error) {
      if (error instanceof RequestAborted) throw error;
      if (!(error instanceof Open311Error)) throw error;
      req.resume();
      sendOpen311Error(res, format, error);
    }
    return true;
  };
}
