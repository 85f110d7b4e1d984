import { describe, expect, test } from 'vitest';
import { maskName, maskPhone, maskContacts } from '../../src/privacy.js';

describe('privacy masks', () => {
  test('names and phones', () => {
    expect(maskName('罗丽敏')).toBe('罗**');
    expect(maskPhone('13912345678')).toBe('139****5678');
  });

  test('phone and ID numbers inside a text are masked; ticket numbers, dates and short numbers are not', () => {
    expect(maskContacts('【派单】MQ-2026-000001：路灯坏了，我电话13912345678。')).toBe('【派单】MQ-2026-000001：路灯坏了，我电话139****5678。');
    expect(maskContacts('电话 139-1234-5678 或 139 1234 5678')).toBe('电话 139****5678 或 139****5678');
    expect(maskContacts('call +86 139 1234 5678')).toBe('call +139****5678');
    expect(maskContacts('身份证110101199003071234')).toBe('身份证110****1234');
    expect(maskContacts('2026年11月20日，3号楼，邮编 262400')).toBe('2026年11月20日，3号楼，邮编 262400');
  });
});
