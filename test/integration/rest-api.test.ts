/**
 * The REST API at /api/v1, on both databases, through the web server as another system
 * reaches it: keys and scopes (401, 403, 404 outside the key's region), keyset pages
 * that cover a region's tickets once each, text scrubbed of residents' names and phone
 * numbers with internal staff notes left out, a key without a region held to the public
 * board, the figures of a region, the region roster, and the OpenAPI document: every
 * route in it, every documented route answering, and the answers fitting its schemas.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { API_ROUTES, type ApiRoute, regionList, statsAnswer, ticketDetail, ticketPage } from '../../src/api/schemas.js';
import type { Db } from '../../src/db/client.js';
import { createApiKey, revokeApiKey } from '../../src/open311/keys.js';
import { publishTicket } from '../../src/pipeline/publication.js';
import { actorFor } from '../../src/pipeline/service.js';
import { loadRegions, subtreeIds } from '../../src/org/regions.js';
import { consoleWorldFor, report, START } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

const PER_MINUTE = 40;

eachDatabase((kind) => {
  describe('REST API /api/v1', () => {
    const world = consoleWorldFor(kind, { OPEN311_REQUESTS_PER_MINUTE: String(PER_MINUTE) });
    let db: Db;
    /** The township QH-01's reading key. */
    let reader: string;
    /** A key of QH-01 that may only post Open311 requests. */
    let poster: string;
    /** A reading key without a region: the public board's tickets only. */
    let boardOnly: string;
    /** A key of QH-01 that writes as its dispatcher. */
    let writer: string;
    const numbers: Record<string, string> = {};
    let residentName: string;

    beforeAll(async () => {
      db = world.db;
      reader = (await createApiKey(db, { name: 'qh-01-platform', regionCode: 'QH-01', scopes: ['read'] }, START)).key;
      poster = (await createApiKey(db, { name: 'qh-01-poster', regionCode: 'QH-01', scopes: ['open311:write'] }, START)).key;
      boardOnly = (await createApiKey(db, { name: 'city-app', scopes: ['read'] }, START)).key;
      writer = (await createApiKey(db, { name: 'qh-01-desk', regionCode: 'QH-01', scopes: ['write'], actsAs: 'dsp-qh-01' }, START)).key;
      residentName = (await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } })).name;
      numbers['light'] = await report(world.app, 'R-QH-01-001-H001', `村口的路灯坏了，${residentName}反映，电话 13912345678`, 'power', {
        contactPhone: '13912345678',
      });
      numbers['water'] = await report(world.app, 'R-QH-01-002-H001', '柳树湾村停水三天了', 'water');
      world.clock.advanceHours(30);
      numbers['road'] = await report(world.app, 'R-QH-01-001-H002', '村道上有个大坑', 'road');
      numbers['foreign'] = await report(world.app, 'R-QH-02-001-H001', '杏花村的路灯也坏了', 'power');
      const dispatcher = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const actor = await actorFor(db, dispatcher.id);
      expect((await world.app.pipeline.execute(numbers['light'], { type: 'note', text: '内部：这户人很难缠 INTERNAL-NOTE' }, actor)).ok).toBe(true);
      expect((await world.app.pipeline.execute(numbers['light'], { type: 'reply', text: `已安排电工明天上门，请${residentName}在家` }, actor)).ok).toBe(true);
    });

    // Each test starts a new rate limit window (the limit reads the app's clock).
    beforeEach(() => world.clock.advanceHours(0.02));

    const call = (path: string, key?: string, init: { method?: string; header?: 'bearer' | 'x-api-key'; body?: unknown } = {}) =>
      fetch(`${world.base}${path}`, {
        method: init.method ?? 'GET',
        headers: key === undefined ? {} : init.header === 'x-api-key' ? { 'x-api-key': key } : { authorization: `Bearer ${key}` },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    const json = async (path: string, key: string | undefined, status = 200): Promise<Record<string, unknown>> => {
      const res = await call(path, key);
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const errorOf = async (path: string, key: string | undefined, status: number) => (await json(path, key, status))['error'] as { status: number; message: string };

    test('no key, an unknown or revoked key is a 401; a key without the scope a 403', async () => {
      const missing = await errorOf('/api/v1/tickets', undefined, 401);
      expect(missing.status).toBe(401);
      expect(missing.message).toMatch(/Bearer/);
      expect((await call('/api/v1/tickets')).headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await errorOf('/api/v1/tickets', 'mq_not-a-real-key', 401)).message).toMatch(/not valid/);
      expect((await errorOf('/api/v1/tickets', poster, 403)).message).toMatch(/scope read/);
      // Both headers are accepted.
      expect((await call('/api/v1/tickets', reader, { header: 'x-api-key' })).status).toBe(200);
      const { key: doomed } = await createApiKey(db, { name: 'doomed', regionCode: 'QH-01', scopes: ['read'] }, START);
      expect((await call('/api/v1/roster/regions', doomed)).status).toBe(200);
      await revokeApiKey(db, 'doomed', world.clock.now());
      expect((await errorOf('/api/v1/roster/regions', doomed, 401)).message).toMatch(/revoked/);
      // Unknown routes and methods answer in JSON too.
      expect((await errorOf('/api/v1/nothing', reader, 404)).message).toMatch(/no such route/);
      const put = await call('/api/v1/tickets', reader, { method: 'PUT' });
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('GET, POST');
      expect((await call('/api/v1/tickets/MQ-2026-000001', reader, { method: 'POST' })).headers.get('allow')).toBe('GET');
    });

    test('a ticket or a region outside the key’s region is a 404, as is a ticket that does not exist', async () => {
      expect((await errorOf(`/api/v1/tickets/${numbers['foreign']}`, reader, 404)).message).toMatch(/within this key's reach/);
      await errorOf('/api/v1/tickets/MQ-1999-000001', reader, 404);
      await errorOf('/api/v1/tickets?region=QH-02', reader, 404);
      await errorOf('/api/v1/stats?region=QH-02&from=2026-11-01&to=2026-11-30', reader, 404);
      await errorOf('/api/v1/stats?region=QH&from=2026-11-01&to=2026-11-30', reader, 404);
      expect((await json(`/api/v1/tickets/${numbers['light']}`, reader))['number']).toBe(numbers['light']);
    });

    test('parameters are validated: a malformed or unknown one is a 400 naming it', async () => {
      expect((await errorOf('/api/v1/tickets?limit=101', reader, 400)).message).toMatch(/limit/);
      expect((await errorOf('/api/v1/tickets?state=lost', reader, 400)).message).toMatch(/state/);
      expect((await errorOf('/api/v1/tickets?from=16.11.2026', reader, 400)).message).toMatch(/from/);
      expect((await errorOf('/api/v1/tickets?to=2026-02-30', reader, 400)).message).toMatch(/to/);
      expect((await errorOf('/api/v1/tickets?after=99999999999', reader, 400)).message).toMatch(/after/);
      expect((await errorOf('/api/v1/stats?from=2026-11-01&to=2026-13-01', reader, 400)).message).toMatch(/not a calendar date/);
      expect((await errorOf('/api/v1/tickets?categroy=power', reader, 400)).message).toMatch(/categroy/);
      expect((await errorOf('/api/v1/stats?from=2026-11-01', reader, 400)).message).toMatch(/to/);
      expect((await errorOf('/api/v1/tickets/not-a-number', reader, 400)).message).toMatch(/number/);
    });

    test('keyset pages: two pages cover the region’s tickets once each, newest first, and filters narrow them', async () => {
      const regions = await loadRegions(db);
      const township = [...regions.values()].find((r) => r.code === 'QH-01')!;
      const expected = (await db.ticket.findMany({ where: { regionId: { in: subtreeIds(regions, township.id) } }, orderBy: { id: 'desc' }, select: { number: true } })).map(
        (t) => t.number,
      );
      expect(expected.length).toBeGreaterThanOrEqual(3);
      const half = Math.ceil(expected.length / 2);
      const first = ticketPage.parse(await json(`/api/v1/tickets?limit=${half}`, reader));
      expect(first.next).not.toBeNull();
      const second = ticketPage.parse(await json(`/api/v1/tickets?limit=${half}&after=${first.next}`, reader));
      expect(second.next).toBeNull();
      const seen = [...first.tickets, ...second.tickets].map((t) => t.number);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expected);
      expect(seen).not.toContain(numbers['foreign']);

      const numbersOf = async (query: string) => ticketPage.parse(await json(`/api/v1/tickets?${query}`, reader)).tickets.map((t) => t.number);
      const power = ticketPage.parse(await json('/api/v1/tickets?category=power&limit=100', reader)).tickets;
      expect(power.map((t) => t.number)).toContain(numbers['light']);
      expect(power.every((t) => t.category === 'power')).toBe(true);
      expect(await numbersOf('category=water&region=QH-01-002')).toEqual([numbers['water']]);
      expect(await numbersOf('region=QH-01-001&from=2026-11-17')).toEqual([numbers['road']]);
      expect(await numbersOf('region=QH-01-001&to=2026-11-16')).toEqual([numbers['light']]);
      expect(await numbersOf('state=done&region=QH-01-001')).toEqual([]);
    });

    test('no resident’s name or phone number in the answers, and internal staff notes stay out', async () => {
      const list = JSON.stringify(await json('/api/v1/tickets?limit=100', reader));
      const detail = await json(`/api/v1/tickets/${numbers['light']}`, reader);
      const text = JSON.stringify(detail);
      for (const answer of [list, text]) {
        expect(answer).not.toContain(residentName);
        expect(answer).not.toContain('13912345678');
        expect(answer).not.toMatch(/1\d{10}/);
      }
      const ticket = ticketDetail.parse(detail);
      expect(ticket.summary).toContain('村口的路灯坏了');
      expect(text).not.toContain('INTERNAL-NOTE');
      // The internal note (seq 3) is left out; the reply to the resident stays.
      expect(ticket.events.map((e) => [e.seq, e.type])).toEqual([
        [1, 'received'],
        [2, 'dispatched'],
        [4, 'replied'],
      ]);
      expect(ticket.events.find((e) => e.type === 'replied')?.text).toMatch(/^已安排电工明天上门，请某某在家$/);
      expect(ticket.events.some((e) => e.type === 'noted')).toBe(false);
      // The handler, a liaison, by a masked name.
      const handler = (await db.ticket.findUniqueOrThrow({ where: { number: numbers['light'] }, select: { assignee: { select: { name: true } } } })).assignee!.name;
      expect(ticket.handler).toBe(`${[...handler][0]}**`);
      expect(list).not.toContain(handler);
    });

    test('a key without a region reads only what the public board publishes, with its public summary', async () => {
      const before = ticketPage.parse(await json('/api/v1/tickets?limit=100', boardOnly));
      expect(before.tickets.map((t) => t.number)).not.toContain(numbers['water']);
      await errorOf(`/api/v1/tickets/${numbers['water']}`, boardOnly, 404);
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number: numbers['water'] } });
      const dispatcher = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      await publishTicket(db, ticket.id, dispatcher.id, `柳树湾村停水，${residentName}反映`, world.clock.now());
      const after = ticketPage.parse(await json('/api/v1/tickets?limit=100', boardOnly));
      expect(after.tickets.map((t) => t.number)).toContain(numbers['water']);
      const shown = ticketDetail.parse(await json(`/api/v1/tickets/${numbers['water']}`, boardOnly));
      expect(shown.summary).toBe('柳树湾村停水，某某反映');
      // Staff's replies and results are not on the board: not here either.
      const light = await db.ticket.findUniqueOrThrow({ where: { number: numbers['light'] } });
      await publishTicket(db, light.id, dispatcher.id, '村口路灯不亮', world.clock.now());
      const lightShown = await json(`/api/v1/tickets/${numbers['light']}`, boardOnly);
      expect(ticketDetail.parse(lightShown).events).toEqual([]);
      expect(JSON.stringify(lightShown)).not.toContain('已安排电工');
      expect((await errorOf('/api/v1/stats?from=2026-11-01&to=2026-11-30', boardOnly, 404)).message).toMatch(/no region/);
    });

    test('stats: the figures of the key’s region or a region inside it', async () => {
      const own = statsAnswer.parse(await json('/api/v1/stats?from=2026-11-01&to=2026-11-30', reader));
      expect(own.region.code).toBe('QH-01');
      expect(own.figures.received).toBeGreaterThanOrEqual(3);
      const village = statsAnswer.parse(await json('/api/v1/stats?region=QH-01-002&from=2026-11-16&to=2026-11-16', reader));
      expect(village.figures.received).toBe(1);
      expect((await errorOf('/api/v1/stats?from=2026-11-30&to=2026-11-01', reader, 400)).message).toMatch(/before/);
    });

    test('the region roster: codes, names, levels and parents', async () => {
      const { regions } = regionList.parse(await json('/api/v1/roster/regions', reader));
      expect(regions.length).toBe(await db.region.count());
      expect(regions.find((r) => r.code === 'QH-01-002')).toMatchObject({ level: 'village', parent: 'QH-01' });
      expect(regions.filter((r) => r.parent === null).map((r) => r.level)).toEqual(['county']);
    });

    test('the OpenAPI document lists every route; every documented route answers with a valid key; the reference page names them all', async () => {
      const document = await json('/api/v1/openapi.json', undefined);
      expect(document['openapi']).toBe('3.1.0');
      type Operation = {
        parameters: { name: string; in: string; required: boolean }[];
        'x-scope'?: string;
        responses: Record<string, unknown>;
        requestBody?: { content: { 'application/json': { schema: unknown; example: unknown } } };
      };
      const paths = document['paths'] as Record<string, Record<string, Operation>>;
      const routes = Object.values(API_ROUTES) as ApiRoute[];
      expect(Object.keys(paths).sort()).toEqual([...new Set(routes.map((r) => r.path))].sort());
      for (const route of routes) expect(Object.keys(paths[route.path]!)).toContain(route.method);
      expect(paths['/api/v1/tickets']!['get']!.parameters.map((p) => p.name)).toEqual(['state', 'category', 'region', 'from', 'to', 'limit', 'after']);
      expect(paths['/api/v1/stats']!['get']!.parameters.filter((p) => p.required).map((p) => p.name)).toEqual(['from', 'to']);
      expect(paths['/api/v1/tickets/{number}']!['get']!.parameters[0]).toMatchObject({ name: 'number', in: 'path', required: true });
      expect(paths['/api/v1/tickets']!['get']!['x-scope']).toBe('read');

      expect(paths['/api/v1/tickets/{number}/actions']!['post']!['x-scope']).toBe('write');

      // Every documented route answers with a valid key and its required parameters filled
      // (a POST with the body the document gives as its example, by a key that writes).
      const sample: Record<string, string> = { number: numbers['light']!, from: '2026-11-01', to: '2026-11-30' };
      const docs = await (await call('/api/v1/docs')).text();
      for (const [path, methods] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => sample[name]!);
          const query = new URLSearchParams(operation.parameters.filter((p) => p.in === 'query' && p.required).map((p): [string, string] => [p.name, sample[p.name]!]));
          const body = operation.requestBody?.content['application/json'].example;
          if (method === 'post') expect(body, `${method} ${path}: an example body`).toBeDefined();
          const key = operation['x-scope'] === 'write' ? writer : reader;
          const res = await call(`${filled}${query.size ? `?${query.toString()}` : ''}`, key, { method: method.toUpperCase(), body });
          const success = Object.keys(operation.responses).filter((status) => status.startsWith('2'));
          expect(success, `${method} ${path}`).toHaveLength(1);
          expect(res.status, `${method} ${path}: ${await res.text()}`).toBe(Number(success[0]));
          expect(docs).toContain(path);
        }
      }
      expect(docs).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
      // A POST's body is described there too: the actions with their fields, the Idempotency-Key header.
      expect(docs).toContain('action dispatch（派单 / 改派 Dispatch / reassign：target*, note）');
      expect(docs).toContain('resident*, village, channel*');
      expect(docs).toContain('Idempotency-Key');
    });

    test('each key has its rate limit: past it, a 429 with retry-after', async () => {
      const { key } = await createApiKey(db, { name: 'busy-app', regionCode: 'QH-01', scopes: ['read'] }, START);
      for (let i = 0; i < PER_MINUTE; i++) expect((await call('/api/v1/roster/regions', key)).status).toBe(200);
      const refused = await call('/api/v1/roster/regions', key);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another key is not held back.
      expect((await call('/api/v1/roster/regions', reader)).status).toBe(200);
    });
  });
});
