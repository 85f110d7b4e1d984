/**
 * An Open311 GeoReport v2 client written from the specification
 * (http://wiki.open311.org/GeoReport_v2), not from the server: it asks in XML or JSON,
 * reads XML with a small reader of its own, and checks each answer's shape against the
 * specification's field lists — the names, their order in XML, and what each may hold.
 * No Open311 client could be installed here (none on the npm registry; the Python ones
 * are not in the local package index), so this is the outside view the tests take.
 */
import { expect } from 'vitest';

/** An element read from XML: its name, its children, its text. */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Reads an XML document (elements and text only: what the specification's answers hold). */
export function readXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>'), 'the XML declaration with its encoding').toBe(true);
  const stack: XmlElement[] = [{ name: '#document', children: [], text: '' }];
  const token = /<\/([\w:.-]+)>|<([\w:.-]+)(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let read = 0;
  while ((match = token.exec(body))) {
    read += match[0].length;
    const [, close, open, selfClosing, text] = match;
    const top = stack.at(-1)!;
    if (close) {
      expect(top.name, 'well-formed XML').toBe(close);
      stack.pop();
    } else if (open) {
      const element = { name: open, children: [], text: '' };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    } else if (text) {
      top.text += text.replace(/&(\w+);/g, (_, name: string) => ENTITIES[name] ?? `&${name};`);
    }
  }
  expect(read, 'the whole document read').toBe(body.length);
  expect(stack.length, 'every element closed').toBe(1);
  const [root] = stack[0]!.children;
  return root!;
}

/** The child elements' names in order. */
export function childNames(element: XmlElement): string[] {
  return element.children.map((c) => c.name);
}

/** The text of the child named `name` ('' when it is empty, undefined when absent). */
export function childText(element: XmlElement, name: string): string | undefined {
  return element.children.find((c) => c.name === name)?.text;
}

/** The fields of a service in services (in the specification's order). */
export const SERVICE_FIELDS = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'] as const;
/** The fields of an attribute of a service definition. */
export const ATTRIBUTE_FIELDS = ['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description'] as const;
/** The fields of the answer to POST requests. */
export const CREATED_FIELDS = ['service_request_id', 'service_notice', 'account_id'] as const;
/** The fields of a service request in GET requests. */
export const REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
] as const;

/** ISO 8601 with an offset, as the specification asks of every datetime. */
export const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

const nullableString = (v: unknown) => v === null || typeof v === 'string';

/** Checks a JSON service (GET services). */
export function checkService(service: Record<string, unknown>): void {
  expect(Object.keys(service)).toEqual([...SERVICE_FIELDS]);
  expect(typeof service['service_code']).toBe('string');
  expect(typeof service['service_name']).toBe('string');
  expect(typeof service['metadata']).toBe('boolean');
  expect(['realtime', 'batch', 'blackbox']).toContain(service['type']);
  expect(nullableString(service['keywords']) && nullableString(service['group']) && nullableString(service['description'])).toBe(true);
}

/** Checks a JSON service definition (GET services/{code}). */
export function checkDefinition(definition: Record<string, unknown>, code: string): void {
  expect(Object.keys(definition)).toEqual(['service_code', 'attributes']);
  expect(definition['service_code']).toBe(code);
  const attributes = definition['attributes'] as Record<string, unknown>[];
  expect(Array.isArray(attributes)).toBe(true);
  for (const a of attributes) {
    expect(Object.keys(a).slice(0, ATTRIBUTE_FIELDS.length)).toEqual([...ATTRIBUTE_FIELDS]);
    expect(typeof a['variable']).toBe('boolean');
    expect(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']).toContain(a['datatype']);
    expect(typeof a['required']).toBe('boolean');
    expect(Number.isInteger(a['order'])).toBe(true);
    if (String(a['datatype']).endsWith('valuelist')) {
      const values = a['values'] as Record<string, unknown>[];
      expect(values.length).toBeGreaterThan(0);
      for (const v of values) expect(Object.keys(v)).toEqual(['key', 'name']);
    } else {
      expect(a['values']).toBeUndefined();
    }
  }
  expect(attributes.map((a) => a['order'])).toEqual(attributes.map((_, i) => i + 1));
}

/** Checks a JSON service request (GET requests). */
export function checkRequest(request: Record<string, unknown>): void {
  expect(Object.keys(request)).toEqual([...REQUEST_FIELDS]);
  expect(typeof request['service_request_id']).toBe('string');
  expect(['open', 'closed']).toContain(request['status']);
  for (const name of ['requested_datetime', 'updated_datetime']) expect(request[name]).toMatch(W3C_DATETIME);
  if (request['expected_datetime'] !== null) expect(request['expected_datetime']).toMatch(W3C_DATETIME);
  for (const name of ['lat', 'long']) expect(request[name] === null || typeof request[name] === 'number').toBe(true);
  for (const name of ['status_notes', 'service_name', 'description', 'agency_responsible', 'service_notice', 'address', 'address_id', 'media_url']) {
    expect(nullableString(request[name]), name).toBe(true);
  }
}

/** Checks an error answer in either format: the status, and the specification's error shape with that code. */
export async function checkError(res: Response, status: number, format: 'json' | 'xml'): Promise<string> {
  expect(res.status).toBe(status);
  const text = await res.text();
  if (format === 'json') {
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const errors = JSON.parse(text) as Record<string, unknown>[];
    expect(errors).toHaveLength(1);
    expect(Object.keys(errors[0]!)).toEqual(['code', 'description']);
    expect(errors[0]!['code']).toBe(status);
    expect(typeof errors[0]!['description']).toBe('string');
    return errors[0]!['description'] as string;
  }
  expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
  const root = readXml(text);
  expect(root.name).toBe('errors');
  expect(childNames(root)).toEqual(['error']);
  const [error] = root.children;
  expect(childNames(error!)).toEqual(['code', 'description']);
  expect(childText(error!, 'code')).toBe(String(status));
  return childText(error!, 'description') ?? '';
}

/** The client: GETs and POSTs against an endpoint's base URL (…/open311). */
export class Open311Client {
  constructor(readonly base: string) {}

  get(path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
    const query = new URLSearchParams(params).toString();
    return fetch(`${this.base}${path}${query ? `?${query}` : ''}`, { headers });
  }

  post(path: string, fields: Record<string, string>): Promise<Response> {
    return fetch(`${this.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  }

  /** GET in JSON, expecting 200. */
  async json<T = Record<string, unknown>[]>(path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.get(path, params, headers);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json; charset=utf-8/);
    return JSON.parse(text) as T;
  }

  /** GET in XML, expecting 200: the root element. */
  async xml(path: string, params: Record<string, string> = {}): Promise<XmlElement> {
    const res = await this.get(path, params);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml; charset=utf-8/);
    return readXml(text);
  }
}
