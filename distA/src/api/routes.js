import { z } from 'zod';
import { logger } from '../log.js';
import { authenticateApiKey, hasScope } from '../open311/keys.js';
import { clientIp, PAGE_HEADERS, RequestAborted, sendHtml, sendJson } from '../web/http.js';
import { Throttle } from '../web/throttle.js';
import { docsPage, openApiDocument } from './openapi.js';
import { API_ROUTES } from './schemas.js';
import { ApiError, listTickets, oneTicket, regionRoster, regionStats } from './tickets.js';
const log = logger('rest-api');
/** Where the API lives. */
export const API_PATH = '/api/v1';
/** The rate limit's window. */
const WINDOW_MS = 60_000;
/** A route's path as a pattern: `{name}` matches one segment. */
function patternOf(path) {
    return new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
}
const MATCHERS = Object.entries(API_ROUTES).map(([name, route]) => ({ name, route, pattern: patternOf(route.path) }));
/** The key the request carries: the bearer token, else X-Api-Key; undefined when it carries none. */
function presentedKey(req) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const header = req.headers['x-api-key'];
    return bearer ?? (typeof header === 'string' && header.trim() ? header.trim() : undefined);
}
/** The query string as an object for a schema (a repeated parameter: its last value). */
function queryObject(url) {
    return Object.fromEntries(url.searchParams);
}
function parsed(schema, value, what) {
    const result = schema.safeParse(value);
    if (!result.success)
        throw new ApiError(400, `${what}: ${z.prettifyError(result.error)}`);
    return result.data;
}
/** The REST API as one handler of the web server: false for paths not under /api/v1. */
export function createRestApi(options) {
    const running = () => {
        const app = options.app();
        if (!app)
            throw new Error('the REST API was asked for the app before it started');
        return app;
    };
    const throttle = new Throttle(() => running().database.db, { now: () => running().pipeline.clock.now() }, WINDOW_MS);
    let document;
    const limit = async (name) => {
        const reservation = await throttle.reserve([{ key: name, max: options.requestsPerMinute }]);
        if (!reservation.ok) {
            const seconds = String(reservation.retryAfterSeconds);
            throw new ApiError(429, `too many requests: try again in ${seconds} s`, { 'retry-after': seconds });
        }
    };
    /** The live key of the request holding `scope`, its use counted. */
    const authorised = async (app, req, scope) => {
        const given = presentedKey(req);
        const challenge = { 'www-authenticate': 'Bearer realm="minqing"' };
        if (given === undefined)
            throw new ApiError(401, 'an API key is required: Authorization: Bearer KEY or X-Api-Key: KEY', challenge);
        const key = await authenticateApiKey(app.database.db, given, app.pipeline.clock.now());
        if (!key) {
            // Guessing keys is held back like anything else, by the caller's address.
            await limit(`api:ip:${clientIp(req, options.trustProxy)}`);
            throw new ApiError(401, 'the API key is not valid (unknown or revoked)', challenge);
        }
        if (!hasScope(key, scope))
            throw new ApiError(403, `this key lacks the scope ${scope}`);
        await limit(`api:key:${key.id}`);
        return key;
    };
    const answer = async (req, res, url, app) => {
        const found = MATCHERS.map((m) => ({ ...m, match: m.pattern.exec(url.pathname) })).filter((m) => m.match !== null);
        if (!found.length)
            throw new ApiError(404, `no such route: ${url.pathname} (see ${API_PATH}/docs)`);
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
        switch (hit.name) {
            case 'openapi':
                document ??= JSON.stringify(openApiDocument());
                res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
                res.end(document);
                return;
            case 'docs':
                return sendHtml(res, 200, docsPage());
            case 'tickets':
                return sendJson(res, 200, await listTickets(db, key, parsed(API_ROUTES.tickets.query, query, 'query')));
            case 'ticket': {
                parsed(API_ROUTES.ticket.query, query, 'query');
                const { number } = parsed(API_ROUTES.ticket.pathParams, decodedParams(pathParams), 'path');
                return sendJson(res, 200, await oneTicket(db, key, number.toUpperCase()));
            }
            case 'stats':
                return sendJson(res, 200, await regionStats(db, key, parsed(API_ROUTES.stats.query, query, 'query')));
            case 'regions':
                parsed(API_ROUTES.regions.query, query, 'query');
                return sendJson(res, 200, await regionRoster(db));
        }
    };
    return async (req, res, url) => {
        if (url.pathname !== API_PATH && !url.pathname.startsWith(`${API_PATH}/`))
            return false;
        req.resume();
        try {
            const app = options.app();
            if (!app)
                throw new ApiError(503, 'Minqing is starting; try again in a moment', { 'retry-after': '5' });
            await answer(req, res, url, app);
        }
        catch (error) {
            if (error instanceof RequestAborted)
                throw error;
            const known = error instanceof ApiError ? error : new ApiError(500, 'the request failed; the problem was logged');
            if (known !== error)
                log.error({ err: error, path: url.pathname }, 'REST API request failed');
            if (res.headersSent)
                res.destroy();
            else
                sendJson(res, known.status, { error: { status: known.status, message: known.message } }, { ...PAGE_HEADERS, ...known.headers });
        }
        return true;
    };
}
function decodedParams(params) {
    try {
        return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeURIComponent(v)]));
    }
    catch {
        throw new ApiError(400, 'the path is not valid URL encoding');
    }
}
