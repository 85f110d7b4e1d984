/**
 * Open311 GeoReport v2 at /open311, on both databases, through the web server as another
 * system would reach it, read by a client written from the specification
 * (test/helpers/open311-client.ts): discovery, services and their definitions, posting a
 * request (a ticket through the pipeline: routed, with its deadline and the handler's
 * ping, the key named on its first event), reading requests back scrubbed, with the
 * public board's rules and a reading key's region, the date range rules, the errors of
 * the specification in XML and JSON, keys revoked, and the rate limit per key.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { createApiKey, revokeApiKey } from '../../src/open311/keys.js';
import { publishTicket } from '../../src/pipeline/publication.js';
import { actorFor } from '../../src/pipeline/service.js';
import { formatLocal } from '../../src/web/format.js';
import { consoleWorldFor, START } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import {
  ATTRIBUTE_FIELDS,
  checkDefinition,
  checkError,
  checkRequest,
  checkService,
  childNames,
  childText,
  CREATED_FIELDS,
  Open311Client,
  readXml,
  REQUEST_FIELDS,
  SERVICE_FIELDS,
  W3C_DATETIME,
} from '../helpers/open311-client.js';

/** Requests a minute per key (and per address without one) in this world. */
const PER_MINUTE = 40;

eachDatabase((kind) => {
  describe('Open311 GeoReport v2', () => {
    const world = consoleWorldFor(kind, { OPEN311_REQUESTS_PER_MINUTE: String(PER_MINUTE) });
    let db: Db;
    let client: Open311Client;
    /** A city app's key: posts requests, no region. */
    let writer: string;
    /** The township QH-01's key: posts and reads within QH-01. */
    let reader: string;
    let villages: Record<string, number>;

    beforeAll(async () => {
      db = world.db;
      client = new Open311Client(`${world.base}/open311`);
      writer = (await createApiKey(db, { name: 'city-app', scopes: ['open311:write'] }, START)).key;
      reader = (await createApiKey(db, { name: 'qh-01-platform', regionCode: 'QH-01', scopes: ['open311:write', 'read'] }, START)).key;
      villages = Object.fromEntries((await db.region.findMany({ select: { code: true, id: true } })).map((r) => [r.code, r.id]));
    });

    // Each test starts a new rate limit window (the limit reads the app's clock).
    beforeEach(() => world.clock.advanceHours(0.02));

    /** Posts a request in JSON; returns the answer's one item, expecting 200. */
    const post = async (fields: Record<string, string>) => {
      const res = await client.post('/v2/requests.json', fields);
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const body = JSON.parse(text) as Record<string, unknown>[];
      expect(body).toHaveLength(1);
      return body[0]!;
    };

    const streetLight = (extra: Record<string, string> = {}) => ({
      api_key: writer,
      service_code: 'power',
      description: '村口路灯坏了一个星期，晚上很黑。联系罗丽敏 13912345678',
      'attribute[village]': 'QH-01-001',
      ...extra,
    });

    test('discovery names the endpoint, the specification and both formats, in JSON and XML', async () => {
      const json = await client.json<Record<string, unknown>>('/discovery.json');
      expect(Object.keys(json)).toEqual(['changeset', 'contact', 'key_service', 'endpoints']);
      expect(json['changeset']).toMatch(W3C_DATETIME);
      expect(json['endpoints']).toEqual([
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url: `${world.base}/open311/v2`,
          changeset: json['changeset'],
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ]);
      const xml = await client.xml('/discovery.xml');
      expect(xml.name).toBe('discovery');
      expect(childNames(xml)).toEqual(['changeset', 'contact', 'key_service', 'endpoints']);
      const endpoint = xml.children[3]!.children[0]!;
      expect(endpoint.name).toBe('endpoint');
      expect(childText(endpoint, 'url')).toBe(`${world.base}/open311/v2`);
      expect(endpoint.children.find((c) => c.name === 'formats')!.children.map((f) => [f.name, f.text])).toEqual([
        ['format', 'text/xml'],
        ['format', 'application/json'],
      ]);
    });

    test('services: one per category, named in Chinese by default and in English when asked, in JSON and XML', async () => {
      const services = await client.json('/v2/services.json');
      const categories = await db.category.findMany({ orderBy: { code: 'asc' } });
      expect(services.map((s) => s['service_code'])).toEqual(categories.map((c) => c.code));
      for (const s of services) checkService(s);
      const power = services.find((s) => s['service_code'] === 'power')!;
      expect(power).toMatchObject({ service_name: '电力照明', metadata: true, type: 'realtime', group: 'power', description: '承诺 3 个工作日内办结。' });
      expect(power['keywords']).toMatch(/路灯/);

      const english = await client.json('/v2/services.json', { locale: 'en' });
      expect(english.find((s) => s['service_code'] === 'power')).toMatchObject({ service_name: 'Power and lighting', description: 'Resolved within 3 working days.' });
      const byHeader = await client.json('/v2/services.json', {}, { 'accept-language': 'fr-FR, en-US;q=0.8, zh;q=0.5' });
      expect(byHeader.find((s) => s['service_code'] === 'power')!['service_name']).toBe('Power and lighting');
      const chineseFirst = await client.json('/v2/services.json', {}, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' });
      expect(chineseFirst.find((s) => s['service_code'] === 'power')!['service_name']).toBe('电力照明');

      const xml = await client.xml('/v2/services.xml');
      expect(xml.name).toBe('services');
      expect(xml.children.map((s) => s.name)).toEqual(categories.map(() => 'service'));
      const powerXml = xml.children.find((s) => childText(s, 'service_code') === 'power')!;
      expect(childNames(powerXml)).toEqual([...SERVICE_FIELDS]);
      expect(childText(powerXml, 'service_name')).toBe('电力照明');
      expect(childText(powerXml, 'metadata')).toBe('true');
    });

    test('a service definition lists its attributes: the villages of the county, a landmark and the kind; an unknown service is 404', async () => {
      const definition = await client.json<Record<string, unknown>>('/v2/services/power.json');
      checkDefinition(definition, 'power');
      const attributes = definition['attributes'] as Record<string, unknown>[];
      expect(attributes.map((a) => [a['code'], a['datatype']])).toEqual([
        ['village', 'singlevaluelist'],
        ['landmark', 'string'],
        ['kind', 'singlevaluelist'],
      ]);
      expect(attributes[0]!['values']).toEqual([
        { key: 'QH-01-001', name: '清水镇 东湖村' },
        { key: 'QH-01-002', name: '清水镇 柳树湾村' },
        { key: 'QH-01-003', name: '清水镇 石桥村' },
        { key: 'QH-02-001', name: '禾丰镇 杏花村' },
        { key: 'QH-02-002', name: '禾丰镇 南坡村' },
      ]);

      const xml = await client.xml('/v2/services/power.xml', { locale: 'en' });
      expect(xml.name).toBe('service_definition');
      expect(childNames(xml)).toEqual(['service_code', 'attributes']);
      const [village, landmark] = xml.children[1]!.children;
      expect(village!.name).toBe('attribute');
      expect(childNames(village!)).toEqual([...ATTRIBUTE_FIELDS, 'values']);
      expect(childText(village!, 'description')).toBe('Village');
      expect(village!.children.at(-1)!.children[0]!.children.map((c) => [c.name, c.text])).toEqual([
        ['key', 'QH-01-001'],
        ['name', '清水镇 东湖村'],
      ]);
      // An empty value is an empty element.
      expect(childText(landmark!, 'datatype_description')).toBe('');

      expect(await checkError(await client.get('/v2/services/nothing.json'), 404, 'json')).toMatch(/no service nothing/);
      expect(await checkError(await client.get('/v2/services/nothing.xml'), 404, 'xml')).toMatch(/no service nothing/);
    });

    test('a posted request is a ticket through the pipeline: routed to the department, with its deadline, timers and the ping; its first event names the key', async () => {
      const created = await post(
        streetLight({ phone: '139 1234 5678', first_name: '丽', last_name: '王', media_url: 'https://example.org/photos/1.jpg', 'attribute[landmark]': '桥头' }),
      );
      expect(Object.keys(created)).toEqual([...CREATED_FIELDS]);
      expect(created['service_request_id']).toMatch(/^MQ-2026-\d{6}$/);
      expect(created['account_id']).toBeNull();
      const ticket = await db.ticket.findUniqueOrThrow({
        where: { number: created['service_request_id'] as string },
        include: { resident: true, events: { orderBy: { seq: 'asc' } } },
      });
      expect(created['service_notice']).toBe(`承诺于 ${formatLocal(ticket.resolveBy)} 前办结。`);
      expect(ticket).toMatchObject({
        categoryCode: 'power',
        regionId: villages['QH-01-001'],
        kind: 'help',
        contactPhone: '13912345678',
        location: '桥头',
        media: '["https://example.org/photos/1.jpg"]',
      });
      // Routed as a chat report from outside the household's village: to the township's power station, dispatched.
      const station = await db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: villages['QH-01']!, kind: 'power' } } });
      expect(ticket.state).toBe('dispatched');
      expect(ticket.assigneeDepartmentId).toBe(station.id);
      expect(ticket.resolveBy!.getTime()).toBeGreaterThan(START.getTime());
      expect(await db.timer.count({ where: { ticketId: ticket.id } })).toBeGreaterThan(0);
      const pings = await db.outboxMessage.findMany({ where: { ticketId: ticket.id }, select: { template: true, recipientId: true } });
      const handlers = await db.person.findMany({ where: { departmentId: station.id }, select: { id: true } });
      expect(pings.some((p) => handlers.some((h) => h.id === p.recipientId))).toBe(true);
      // The answer is the receipt: nothing is pushed to the requester, who has no chat.
      expect(pings.some((p) => p.recipientId === ticket.residentId)).toBe(false);
      expect(ticket.resident).toMatchObject({ name: '王丽', phone: '13912345678', householdId: null });
      expect(ticket.resident.code).toMatch(/^U-open311-/);
      expect(JSON.parse(ticket.events[0]!.data)).toMatchObject({ channel: 'open311', apiKey: 'city-app', photos: ['https://example.org/photos/1.jpg'] });
      expect(ticket.events[0]!.actorId).toBe(ticket.residentId);
      const key = await db.apiKey.findUniqueOrThrow({ where: { name: 'city-app' } });
      expect(key.lastUsedAt).not.toBeNull();
    });

    test('the place: attribute[village], else the village the address names, else the one nearest the coordinates, else the key’s region; else 400', async () => {
      const placed = async (fields: Record<string, string>) => {
        const created = await post({ api_key: writer, service_code: 'road', description: '路面塌了一个坑', ...fields });
        return (await db.ticket.findUniqueOrThrow({ where: { number: created['service_request_id'] as string } })).regionId;
      };
      expect(await placed({ address_id: 'QH-02-002' })).toBe(villages['QH-02-002']);
      expect(await placed({ address_string: '禾丰镇杏花村小学门口' })).toBe(villages['QH-02-001']);
      // Coordinates: a village is where its located requests are.
      await placed({ 'attribute[village]': 'QH-01-003', lat: '27.1000', long: '118.2000' });
      await placed({ 'attribute[village]': 'QH-02-001', lat: '27.3000', long: '118.5000' });
      expect(await placed({ lat: '27.101', long: '118.203' })).toBe(villages['QH-01-003']);
      expect(await placed({ lat: '27.299', long: '118.497', address_string: '大路边' })).toBe(villages['QH-02-001']);
      // The township's key: its own region when nothing else places it.
      expect(await placed({ api_key: reader, address_string: '镇政府对面' })).toBe(villages['QH-01']);

      const nowhere = await client.post('/v2/requests.json', { api_key: writer, service_code: 'road', description: '路面塌了', address_string: '大路边', lat: '10', long: '10' });
      expect(await checkError(nowhere, 400, 'json')).toMatch(/could not be placed in a village/);
      const outside = await client.post('/v2/requests.xml', { api_key: reader, service_code: 'road', description: '路面塌了', 'attribute[village]': 'QH-02-001' });
      expect(await checkError(outside, 400, 'xml')).toMatch(/outside the region of this api_key/);
      // An address naming another township's village is refused too, not filed in the key's township.
      const elsewhere = await client.post('/v2/requests.json', { api_key: reader, service_code: 'road', description: '路面塌了', address_string: '禾丰镇杏花村村口' });
      expect(await checkError(elsewhere, 400, 'json')).toMatch(/the address names 禾丰镇杏花村, outside the region of this api_key/);
      const unknown = await client.post('/v2/requests.json', { api_key: writer, service_code: 'road', description: '路面塌了', 'attribute[village]': 'XX-9' });
      expect(await checkError(unknown, 400, 'json')).toMatch(/no village with the code XX-9/);
    });

    test('a requester is the roster person with that phone within the scope, and a new unrostered person elsewhere', async () => {
      const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
      const home = await post(streetLight({ phone: resident.phone! }));
      const homeTicket = await db.ticket.findUniqueOrThrow({ where: { number: home['service_request_id'] as string } });
      expect(homeTicket.residentId).toBe(resident.id);
      // At home: the household's liaison routes it, as a chat report would; others read the liaison masked.
      expect(homeTicket.householdId).toBe(resident.householdId);
      const liaison = await db.person.findUniqueOrThrow({ where: { id: homeTicket.assigneeId! } });
      expect(await db.personRole.count({ where: { personId: liaison.id, role: 'liaison' } })).toBe(1);
      const read = (await client.json(`/v2/requests/${homeTicket.number}.json`, { api_key: reader }))[0]!;
      expect(read['agency_responsible']).toBe(`网格员 ${liaison.name.slice(0, 1)}${'*'.repeat(liaison.name.length - 1)}`);
      const away = await post({ ...streetLight({ phone: resident.phone! }), 'attribute[village]': 'QH-02-001' });
      const awayTicket = await db.ticket.findUniqueOrThrow({ where: { number: away['service_request_id'] as string }, include: { resident: true } });
      expect(awayTicket.residentId).not.toBe(resident.id);
      expect(awayTicket.resident.code).toMatch(/^U-open311-/);
      // A second request from that phone there is the same requester.
      const again = await post({ ...streetLight({ phone: resident.phone! }), 'attribute[village]': 'QH-02-002' });
      expect((await db.ticket.findUniqueOrThrow({ where: { number: again['service_request_id'] as string } })).residentId).toBe(awayTicket.residentId);
    });

    test('the specification’s own examples: its POST (service_code and place ours), its GET requests and services', async () => {
      // http://wiki.open311.org/GeoReport_v2#POST_Service_Request, with a service and a key of ours.
      const body =
        'api_key=KEY&jurisdiction_id=city.gov&service_code=sanitation&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street' +
        '&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111' +
        '&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fvideo.google.com%2Fvideoplay%3Fdocid%3D7325837297431616069';
      const res = await fetch(`${client.base}/v2/requests.xml`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.replace('KEY', encodeURIComponent(reader)),
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const root = readXml(text);
      expect(root.name).toBe('service_requests');
      expect(root.children.map((r) => [r.name, childNames(r)])).toEqual([['request', [...CREATED_FIELDS]]]);
      const number = childText(root.children[0]!, 'service_request_id')!;
      expect(childText(root.children[0]!, 'account_id')).toBe('');
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number }, include: { resident: true } });
      // Far from every village: the key's township.
      expect(ticket).toMatchObject({ regionId: villages['QH-01'], location: '1234 5th street', contactPhone: '111111111', latitude: 37.76524078, longitude: -122.4212043 });
      expect(ticket.resident.name).toBe('john smith');

      // GET requests with the example's range and status: a range with none is an empty list.
      const empty = await client.xml('/v2/requests.xml', { start_date: '2010-05-24T00:00:00Z', end_date: '2010-06-24T00:00:00Z', status: 'open' });
      expect([empty.name, empty.children]).toEqual(['service_requests', []]);
      expect(await client.json('/v2/requests.json', { start_date: '2010-05-24T00:00:00Z', end_date: '2010-06-24T00:00:00Z', status: 'open' })).toEqual([]);
      expect((await client.xml('/v2/services.xml', { jurisdiction_id: 'city.gov' })).name).toBe('services');
    });

    test('posting errors, as the specification writes them: 403 without a live key, 400 for a bad request, in JSON and XML', async () => {
      const fields = streetLight();
      const keyless = Object.fromEntries(Object.entries(fields).filter(([name]) => name !== 'api_key'));
      expect(await checkError(await client.post('/v2/requests.json', keyless), 403, 'json')).toMatch(/api_key is required/);
      expect(await checkError(await client.post('/v2/requests.xml', keyless), 403, 'xml')).toMatch(/api_key is required/);
      expect(await checkError(await client.post('/v2/requests.json', { ...fields, api_key: 'mq_not-a-key' }), 403, 'json')).toMatch(/not valid/);
      expect(await checkError(await client.post('/v2/requests.xml', { ...fields, api_key: 'guess' }), 403, 'xml')).toMatch(/not valid/);
      const readOnly = (await createApiKey(db, { name: 'dashboard', regionCode: 'QH-01', scopes: ['read'] }, START)).key;
      expect(await checkError(await client.post('/v2/requests.json', { ...fields, api_key: readOnly }), 403, 'json')).toMatch(/may not post/);

      const bad: [Record<string, string>, RegExp][] = [
        [{ service_code: '' }, /service_code is required/],
        [{ service_code: 'teleport' }, /service_code teleport is not a service/],
        [{ description: '  ' }, /description is required/],
        [{ lat: '27.1' }, /lat and long must be given together/],
        [{ lat: 'north', long: '118' }, /lat must be a number/],
        [{ long: '200', lat: '27' }, /long must be a number between -180 and 180/],
        [{ phone: 'call me' }, /phone is not a phone number/],
        [{ media_url: 'javascript:alert(1)' }, /media_url must be an http or https URL/],
        [{ media_url: 'http://169.254.169.254/latest/meta-data/' }, /media_url must be an http or https URL on a public host/],
        [{ media_url: 'http://localhost:3000/console' }, /on a public host/],
        [{ media_url: 'http://[::ffff:10.0.0.1]/a.jpg' }, /on a public host/],
        [{ 'attribute[kind]': 'wish' }, /attribute\[kind\] must be one of/],
        [{ description: '长'.repeat(2001) }, /^description is too long: at most 2000 characters$/],
      ];
      for (const [change, pattern] of bad) {
        expect(await checkError(await client.post('/v2/requests.json', { ...fields, ...change }), 400, 'json'), JSON.stringify(change)).toMatch(pattern);
      }
      const notForm = await fetch(`${client.base}/v2/requests.xml`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
      expect(await checkError(notForm, 400, 'xml')).toMatch(/x-www-form-urlencoded/);
      expect(await checkError(await fetch(`${client.base}/v2/services.json`, { method: 'DELETE' }), 405, 'json')).toMatch(/GET, HEAD/);
      expect(await checkError(await client.get('/v2/requests.csv'), 404, 'xml')).toMatch(/no such endpoint/);
      expect(await checkError(await client.get('/v3/services.json'), 404, 'xml')).toMatch(/no such endpoint/);
    });

    test('a revoked key is refused with 403, on POST and on GET', async () => {
      const { key } = await createApiKey(db, { name: 'old-app', scopes: ['open311:write'] }, START);
      await post({ ...streetLight(), api_key: key });
      await revokeApiKey(db, 'old-app', world.clock.now());
      expect(await checkError(await client.post('/v2/requests.json', { ...streetLight(), api_key: key }), 403, 'json')).toMatch(/not valid/);
      expect(await checkError(await client.get('/v2/requests.xml', { api_key: key }), 403, 'xml')).toMatch(/not valid/);
    });

    test('reading requests: without a key only what the public board shows, scrubbed; a township’s reading key sees its own region’s too', async () => {
      const created = await post(streetLight({ 'attribute[landmark]': '罗丽敏家门口', lat: '27.1', long: '118.2', media_url: 'https://example.org/p.jpg' }));
      const number = created['service_request_id'] as string;
      const foreign = (await post({ ...streetLight(), 'attribute[village]': 'QH-02-002' }))['service_request_id'] as string;
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });

      const anonymous = await client.json('/v2/requests.json');
      expect(anonymous.map((r) => r['service_request_id'])).not.toContain(number);
      expect(await checkError(await client.get(`/v2/requests/${number}.json`), 404, 'json')).toMatch(/no service request/);

      // The township's key: its region's unpublished request, the place as given, exact coordinates — text still scrubbed.
      const township = await client.json('/v2/requests.json', { api_key: reader });
      const mine = township.find((r) => r['service_request_id'] === number)!;
      checkRequest(mine);
      expect(mine).toMatchObject({
        status: 'open',
        status_notes: '已派单',
        service_name: '电力照明',
        service_code: 'power',
        address: '清水镇 东湖村 某某家门口',
        address_id: 'QH-01-001',
        lat: 27.1,
        long: 118.2,
        media_url: 'https://example.org/p.jpg',
      });
      expect(mine['requested_datetime']).toMatch(/\+08:00$/);
      expect(mine['description']).toBe('村口路灯坏了一个星期，晚上很黑。联系某某 ***');
      expect(mine['agency_responsible']).toMatch(/供电|电力|power/i);
      expect(mine['expected_datetime']).toMatch(W3C_DATETIME);
      expect(new Date(mine['expected_datetime'] as string).getTime()).toBe(ticket.resolveBy!.getTime());
      expect(township.map((r) => r['service_request_id'])).not.toContain(foreign);
      // The key that posted it reads it in full too; another key does not see it.
      expect((await client.json(`/v2/requests/${number}.json`, { api_key: writer }))[0]).toEqual(mine);
      const { key: stranger } = await createApiKey(db, { name: 'stranger-app', scopes: ['open311:write'] }, START);
      expect(await checkError(await client.get(`/v2/requests/${number}.json`, { api_key: stranger }), 404, 'json')).toMatch(/no service request/);

      // Published (公示): everyone reads it, as the board shows it: the village, no coordinates (the resident's location is theirs), no media.
      const dispatcher = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      await publishTicket(db, ticket.id, dispatcher.id, '东湖村村口路灯不亮，罗丽敏反映', world.clock.now());
      const shown = (await client.json(`/v2/requests/${number}.json`))[0]!;
      checkRequest(shown);
      expect(shown).toMatchObject({ description: '东湖村村口路灯不亮，某某反映', address: '清水镇 东湖村', lat: null, long: null, media_url: null });
      expect((await client.json('/v2/requests.json')).map((r) => r['service_request_id'])).toContain(number);

      const xml = await client.xml(`/v2/requests/${number}.xml`);
      expect(xml.name).toBe('service_requests');
      const request = xml.children[0]!;
      expect(request.name).toBe('request');
      expect(childNames(request)).toEqual([...REQUEST_FIELDS]);
      expect(childText(request, 'description')).toBe(shown['description']);
      expect(childText(request, 'media_url')).toBe('');
      expect(childText(request, 'lat')).toBe('');
    });

    test('a request’s status follows the pipeline: open while handled, closed once resolved; the key that posted it reads it back', async () => {
      const number = (await post(streetLight()))['service_request_id'] as string;
      const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
      const handler = await db.person.findFirstOrThrow({ where: { departmentId: ticket.assigneeDepartmentId! } });
      const actor = await actorFor(db, handler.id);
      const read = async () => (await client.json(`/v2/requests/${number}.json`, { api_key: writer, locale: 'en' }))[0]!;
      expect(await read()).toMatchObject({ status: 'open', status_notes: 'dispatched' });
      world.clock.advanceHours(1);
      expect((await world.app.pipeline.execute(number, { type: 'accept' }, actor)).ok).toBe(true);
      expect(await read()).toMatchObject({ status: 'open', status_notes: 'accepted' });
      expect((await world.app.pipeline.execute(number, { type: 'resolve', result: '已更换灯泡' }, actor)).ok).toBe(true);
      const resolved = await read();
      expect(resolved).toMatchObject({ status: 'closed', status_notes: 'resolved', service_name: 'Power and lighting' });
      expect(resolved['updated_datetime']).not.toBe(resolved['requested_datetime']);
      const open = await client.json('/v2/requests.json', { api_key: writer, status: 'open' });
      expect(open.map((r) => r['service_request_id'])).not.toContain(number);
      expect(open.every((r) => r['status'] === 'open')).toBe(true);
      const closed = await client.json('/v2/requests.json', { api_key: writer, status: 'closed', service_code: 'power,water' });
      expect(closed.map((r) => r['service_request_id'])).toContain(number);
      expect(closed.every((r) => r['status'] === 'closed' && ['power', 'water'].includes(r['service_code'] as string))).toBe(true);
      // A list of ids overrides every other argument.
      const byId = await client.json('/v2/requests.json', { api_key: writer, service_request_id: `${number},MQ-1999-000001`, status: 'open' });
      expect(byId.map((r) => r['service_request_id'])).toEqual([number]);
    });

    test('dates: by default the last 90 days; a range at most 90 days apart, else 400; a bad date or status is 400', async () => {
      const now = world.clock.now();
      world.clock.set(new Date(now.getTime() - 100 * 86_400_000));
      const old = (await post(streetLight({ api_key: reader })))['service_request_id'] as string;
      world.clock.set(now);
      const ids = async (params: Record<string, string>) => (await client.json('/v2/requests.json', { api_key: reader, ...params })).map((r) => r['service_request_id']);
      expect(await ids({})).not.toContain(old);
      const day = (offset: number) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
      expect(await ids({ start_date: `${day(-101)}T00:00:00+08:00`, end_date: `${day(-20)}T00:00:00Z` })).toContain(old);
      expect(await ids({ start_date: day(-101) })).toContain(old);
      expect(await ids({ end_date: day(-99) })).toContain(old);
      expect(await ids({ end_date: day(-99), start_date: day(-99) })).not.toContain(old);

      expect(await checkError(await client.get('/v2/requests.json', { start_date: day(-120), end_date: day(-29) }), 400, 'json')).toMatch(/at most 90 days apart/);
      expect(await checkError(await client.get('/v2/requests.xml', { start_date: day(-1), end_date: day(-2) }), 400, 'xml')).toMatch(/before start_date/);
      expect(await checkError(await client.get('/v2/requests.json', { start_date: 'last week' }), 400, 'json')).toMatch(/start_date must be an ISO 8601 datetime/);
      expect(await checkError(await client.get('/v2/requests.json', { status: 'pending' }), 400, 'json')).toMatch(/status must be open or closed/);
    });

    test('at most 1,000 requests, newest first', async () => {
      const { key } = await createApiKey(db, { name: 'county-dashboard', regionCode: 'QH', scopes: ['read'] }, START);
      const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-02-002-H001' } });
      const now = world.clock.now().getTime();
      // Written straight into the table, a minute apart, the newest an hour ago: 1,001 of them.
      await db.ticket.createMany({
        data: Array.from({ length: 1001 }, (_, i) => ({
          number: `BULK-${String(i).padStart(4, '0')}`,
          state: 'received',
          kind: 'help',
          categoryCode: 'other',
          handlingClass: 'immediate',
          summary: '批量',
          description: '批量',
          residentId: resident.id,
          regionId: villages['QH-02-002']!,
          handlingRegionId: villages['QH-02']!,
          level: 'township',
          createdAt: new Date(now - 3_600_000 - (1000 - i) * 60_000),
          updatedAt: new Date(now - 3_600_000 - (1000 - i) * 60_000),
        })),
      });
      const listed = await client.json('/v2/requests.json', { api_key: key, service_code: 'other' });
      expect(listed).toHaveLength(1000);
      expect(listed[0]!['service_request_id']).toBe('BULK-1000');
      expect(listed.at(-1)!['service_request_id']).toBe('BULK-0001');
    });

    test('tokens: a posted request’s token resolves to its id; any other is 404', async () => {
      const number = (await post(streetLight()))['service_request_id'] as string;
      expect(await client.json(`/v2/tokens/${number}.json`)).toEqual([{ service_request_id: number, token: number }]);
      const xml = await client.xml(`/v2/tokens/${number}.xml`);
      expect(xml.children.map((r) => [r.name, childNames(r)])).toEqual([['request', ['service_request_id', 'token']]]);
      expect(await checkError(await client.get('/v2/tokens/MQ-1999-000001.json'), 404, 'json')).toMatch(/no token/);
    });

    test(`the rate limit: ${PER_MINUTE} requests a minute per key, then 429 with Retry-After; other keys and a new minute are not held back`, async () => {
      const { key } = await createApiKey(db, { name: 'busy-app', scopes: ['open311:write'] }, START);
      for (let i = 0; i < PER_MINUTE; i++) expect((await client.get('/v2/services.json', { api_key: key })).status).toBe(200);
      const held = await client.get('/v2/services.json', { api_key: key });
      expect(await checkError(held, 429, 'json')).toMatch(/too many requests/);
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await client.post('/v2/requests.json', { ...streetLight(), api_key: key })).status).toBe(429);
      expect((await client.get('/v2/services.json', { api_key: writer })).status).toBe(200);
      world.clock.advanceHours(1 / 60);
      expect((await client.get('/v2/services.json', { api_key: key })).status).toBe(200);
    });

    test('guessing keys counts against the address’s limit: 403 each time, then 429', async () => {
      for (let i = 0; i < PER_MINUTE; i++) await checkError(await client.get('/v2/requests.json', { api_key: `mq_guess${i}` }), 403, 'json');
      const held = await client.post('/v2/requests.xml', { ...streetLight(), api_key: 'mq_guess' });
      expect(await checkError(held, 429, 'xml')).toMatch(/too many requests/);
      // A live key keeps its own limit.
      expect((await client.get('/v2/services.json', { api_key: writer })).status).toBe(200);
    });
  });
});
