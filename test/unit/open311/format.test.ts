/**
 * The pieces of Open311's two formats and its parameters: XML escaping (and what XML
 * cannot carry), datetimes written in Beijing time and read in any ISO 8601 offset, and
 * the language of an answer from `locale` or Accept-Language.
 */
import { describe, expect, test } from 'vitest';
import { isoBeijing, parseDatetime, toXml } from '../../../src/open311/format.js';
import { localeOf } from '../../../src/open311/services.js';

describe('toXml', () => {
  test('lists take the specification’s item names; null is an empty element; text is escaped', () => {
    expect(toXml('service_requests', [{ service_request_id: 'MQ-2026-000001', service_notice: null, account_id: null }])).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request><service_request_id>MQ-2026-000001</service_request_id><service_notice/><account_id/></request></service_requests>',
    );
    expect(toXml('errors', [{ code: 400, description: `a < b & "c" 'd' > e` }])).toContain(
      '<error><code>400</code><description>a &lt; b &amp; &quot;c&quot; &apos;d&apos; &gt; e</description></error>',
    );
    expect(toXml('x', { formats: ['text/xml'], values: [{ key: 1, name: '东湖村' }], metadata: true })).toContain(
      '<x><formats><format>text/xml</format></formats><values><value><key>1</key><name>东湖村</name></value></values><metadata>true</metadata></x>',
    );
  });

  test('characters XML 1.0 cannot carry are dropped, tabs and line breaks kept', () => {
    expect(toXml('d', 'a\u0000b\u0008c\u001Fd\uFFFEe\tf\ng')).toContain('<d>abcde\tf\ng</d>');
  });
});

describe('datetimes', () => {
  test('written in Beijing time with its offset', () => {
    expect(isoBeijing(new Date('2026-11-16T01:02:03.456Z'))).toBe('2026-11-16T09:02:03+08:00');
    expect(isoBeijing(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01T00:30:00+08:00');
  });

  test('read in any offset; without one in Beijing time; a bare date is its midnight there', () => {
    expect(parseDatetime('2010-05-24T00:00:00Z')?.toISOString()).toBe('2010-05-24T00:00:00.000Z');
    expect(parseDatetime('2026-11-01T08:00:00+08:00')?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseDatetime('2026-11-01T08:00:00-0500')?.toISOString()).toBe('2026-11-01T13:00:00.000Z');
    expect(parseDatetime('2026-11-01T08:00')?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseDatetime('2026-11-01')?.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(parseDatetime('2026-11-01 08:00:00.5Z')?.toISOString()).toBe('2026-11-01T08:00:00.500Z');
    for (const bad of ['yesterday', '2026-13-01', '2026-11-31T00:00:00Z', '2026/11/01', '1700000000', '']) expect(parseDatetime(bad), bad).toBeNull();
  });
});

describe('localeOf', () => {
  test('the locale parameter first, then Accept-Language by weight, else Chinese', () => {
    expect(localeOf('en', 'zh')).toBe('en');
    expect(localeOf('en-US', undefined)).toBe('en');
    expect(localeOf('fr', 'en')).toBe('zh');
    expect(localeOf(null, 'en-GB,en;q=0.9')).toBe('en');
    expect(localeOf(null, 'fr, zh-CN;q=0.4, en;q=0.7')).toBe('en');
    expect(localeOf(null, 'zh-TW, en')).toBe('zh');
    expect(localeOf(null, 'en;q=0, fr')).toBe('zh');
    expect(localeOf(null, undefined)).toBe('zh');
  });
});
