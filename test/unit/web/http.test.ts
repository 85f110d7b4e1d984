/** The address request limits count (src/web/http.ts): one per IPv4 address, one per IPv6 /64. */
import { expect, test } from 'vitest';
import { addressForLimits } from '../../../src/web/http.js';

test('an IPv6 address counts by its /64 (a subscriber line rotating through its own addresses is one); IPv4, mapped or not, by itself', () => {
  const line = ['2001:db8:0:1::1', '2001:db8:0:1:ffff:ffff:ffff:fffe', '2001:0db8:0000:0001:1234:5678:9abc:def0', '2001:db8:0:1::10%eth0'];
  expect(new Set(line.map(addressForLimits))).toEqual(new Set(['2001:db8:0:1::/64']));
  expect(addressForLimits('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
  expect(addressForLimits('::1')).toBe('0:0:0:0::/64');
  expect(addressForLimits('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
  expect(addressForLimits('2001:db8::ffff:1.2.3.4')).toBe('2001:db8:0:0::/64');
  expect(addressForLimits('::ffff:203.0.113.7')).toBe('203.0.113.7');
  expect(addressForLimits('203.0.113.7')).toBe('203.0.113.7');
  expect(addressForLimits('unknown')).toBe('unknown');
});
