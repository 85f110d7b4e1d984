import { expect, test } from 'vitest';
import { normalizePhone } from '../../../src/org/phone.js';

test('phone numbers as typed: spaces, dashes, +86, and full-width digits from a Chinese keyboard', () => {
  expect(normalizePhone('139 1234 5678')).toBe('13912345678');
  expect(normalizePhone('+86-139-1234-5678')).toBe('13912345678');
  expect(normalizePhone('１３８００１３８０００')).toBe('13800138000');
  expect(normalizePhone('＋８６ １３８００１３８０００')).toBe('13800138000');
  expect(normalizePhone('０５３９－１２３４５６７')).toBe('0539-1234567');
  expect(normalizePhone('1234')).toBeNull();
});
