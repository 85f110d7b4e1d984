/**
 * src/privacy.ts: the masks staff views use, and the one scrubber against people hiding
 * phone numbers, ID numbers, e-mail addresses and names: a fixed list of the forms seen
 * when the product was tried, and a property test that generates obfuscated ones
 * (seeded: MINQING_PROPERTY_SEED).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { maskContacts, maskName, maskPhone, normaliseText, residentName, scrub } from '../../src/privacy.js';

const SEED = Number(process.env['MINQING_PROPERTY_SEED'] ?? 20261207);
const NAMES = new Set(['罗丽敏', '秦鹏', '苏松琴', '石云']);

/** The digits a reader can still get out of a text: ASCII, full-width and Chinese numerals, nothing else. */
function digitsOf(text: string): string {
  const chinese: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 幺: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
  return [...text.normalize('NFKC')].map((c) => (/[0-9]/.test(c) ? c : (chinese[c] ?? ''))).join('');
}

/** The Han characters of a text, in order (what is left of a name written apart). */
function hanOf(text: string): string {
  return [...text].filter((c) => /\p{Script=Han}/u.test(c)).join('');
}

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

  test('calendar dates stay in every written form, beside a phone too; an impossible date is masked as a number', () => {
    expect(maskContacts('桥在2026-12-01塌了，要求2026-12-21前修好')).toBe('桥在2026-12-01塌了，要求2026-12-21前修好');
    expect(scrub('桥在2026-12-01塌了，要求2026-12-21前修好', new Set())).toBe('桥在2026-12-01塌了，要求2026-12-21前修好');
    for (const date of ['2026/12/1', '2026年12月1日', '2026年 2月28日', '2026.12.01', '2024-02-29', '1999-1-9']) expect(maskContacts(`截至${date}未修`)).toBe(`截至${date}未修`);
    expect(maskContacts('2026-12-01 电话 139-1234-5678')).toBe('2026-12-01 电话 139****5678');
    expect(maskContacts('2026-12-01 13912345678', true)).toBe('2026-12-01 ***');
    // Not a day of the calendar: eight digits like any other number.
    for (const number of ['2026-02-30', '2026-13-01', '2025-02-29']) expect(maskContacts(`号码${number}`)).toBe('号码***');
    // A date glued to more digits is no date.
    expect(maskContacts('2026-12-011234')).not.toContain('2026-12-01');
  });
});

describe('a resident as others read them', () => {
  test('on the roster: the name masked; not on it: anonymous without a name, 未登记 with the name given (never called anonymous)', () => {
    expect(residentName({ code: 'R-QH-01-001-H001', name: '罗丽敏', householdId: 1 })).toBe('罗**');
    expect(residentName({ code: 'U-web-abc', name: '群众', householdId: null })).toBe('匿名群众 anonymous');
    expect(residentName({ code: 'U-open311-1', name: '王五', householdId: null })).toBe('未登记群众 not on the roster（王*）');
  });
});

describe('the forms seen when the product was tried', () => {
  const phone = '13912345678';
  test.each([
    ['full-width digits', '电话１３９１２３４５６７８'],
    ['dots', '电话139.1234.5678'],
    ['spaced dashes', '电话139 - 1234 - 5678'],
    ['underscores', '电话139_1234_5678'],
    ['a prefix', 'tel13912345678'],
    ['Chinese numerals', '电话一三九一二三四五六七八'],
    ['U+2060 between digits', '139\u20601234\u20605678'],
    ['soft hyphens U+00AD', '139\u00AD1234\u00AD5678'],
    ['U+061C', '1\u061C3\u061C9\u061C12345678'],
    ['combining grapheme joiner U+034F', '139\u034F1234\u034F5678'],
    ['U+180E', '139\u180E1234\u180E5678'],
    ['tag characters', '139\u{E0031}1234\u{E0032}5678'],
    ['U+FEFF', '\uFEFF139\uFEFF12345678'],
  ])('a phone number with %s is masked for staff and gone for the public', (_name, text) => {
    expect(digitsOf(maskContacts(text))).not.toContain(phone);
    expect(digitsOf(scrub(text, NAMES))).not.toContain('1234');
  });

  test('names of the roster from any village, spaced out or not; e-mail addresses; household codes; ID numbers', () => {
    expect(scrub('罗 丽 敏说她家漏水', NAMES)).toBe('某某说她家漏水');
    expect(scrub('罗·丽·敏和秦鹏', NAMES)).toBe('某某和某某');
    expect(scrub('邮箱 luo.limin＠qq.com', NAMES)).toBe('邮箱 ***');
    expect(scrub('邮箱 luo.limin @ qq . com', NAMES)).toBe('邮箱 ***');
    expect(scrub('户号 QH-01-001-H001 的', NAMES)).toBe('户号 *** 的');
    expect(scrub('身份证 37072419900307123X 号码', NAMES)).toBe('身份证 *** 号码');
    expect(maskContacts('身份证 37072419900307123X')).toBe('身份证 370****123X');
    // A name after 联系 / 联系人 / 打给, on the roster or not (seen on the public board: 联系王小明***).
    expect(scrub('石桥村小学门口下水道堵塞 联系王小明13912345678', NAMES)).toBe('石桥村小学门口下水道堵塞 联系某某***');
    expect(scrub('联系人：张伟', NAMES)).toBe('联系人：某某');
    expect(scrub('联系王伟帮忙看看', NAMES)).toBe('联系某某帮忙看看');
    expect(scrub('打给李强处理', NAMES)).toBe('打给某某处理');
    expect(scrub('请联系村委会', NAMES)).toBe('请联系村委会');
    // Ticket numbers, dates and short numbers stay.
    expect(scrub('同 MQ-2026-000123，2026年11月20日，3个人', NAMES)).toBe('同 MQ-2026-000123，2026年11月20日，3个人');
  });

  test('text is kept normalised: invisible characters go, full-width digits fold, Chinese punctuation stays', () => {
    expect(normaliseText('\uFEFF路灯\u200B坏了１２天，晚上很黑！')).toBe('路灯坏了12天，晚上很黑！');
    expect(normaliseText('ｈｅｌｌｏ')).toBe('hello');
    // Control characters go (PostgreSQL refuses U+0000 in text); tab and line breaks stay.
    expect(normaliseText('路灯\u0000坏了\u0007\u001b[31m\u0085\t第二行\r\n第三行')).toBe('路灯坏了[31m\t第二行\r\n第三行');
  });
});

/** Invisible characters and separators people put between digits. */
const GAPS = ['', '', '', '.', ' - ', '_', ' ', '·', '-', '\u2060', '\u00AD', '\u061C', '\u034F', '\u180E', '\u200B', '\uFEFF', '\u{E0020}'];
const CHINESE = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** A digit string written so as to slip through: per digit ASCII, full-width or a Chinese numeral, gaps between. */
function obfuscated(digits: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(fc.constantFrom('ascii', 'full', 'chinese'), { minLength: digits.length, maxLength: digits.length }),
      fc.array(fc.constantFrom(...GAPS), { minLength: digits.length, maxLength: digits.length }),
      fc.constantFrom('', 'tel', 'Tel:', '电话', '手机号', '+86 ', '86-'),
    )
    .map(([forms, gaps, prefix]) => {
      // One style of digit for the whole number (a mix of three is no one's way of writing).
      const form = forms[0] ?? 'ascii';
      const written = [...digits].map((d, i) => {
        const n = Number(d);
        const char = form === 'full' ? String.fromCharCode(0xff10 + n) : form === 'chinese' ? (CHINESE[n] ?? d) : d;
        return (i ? (gaps[i] ?? '') : '') + char;
      });
      return prefix + written.join('');
    });
}

const mobile = fc.tuple(fc.constantFrom('3', '5', '7', '8', '9'), fc.stringMatching(/^\d{9}$/)).map(([second, rest]) => `1${second}${rest}`);
const idNumber = fc.stringMatching(/^[1-6]\d{16}$/);
const email = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9._]{2,9}$/),
    fc.stringMatching(/^[a-z]{2,8}$/),
    fc.constantFrom('com', 'cn', 'net'),
    fc.constantFrom('@', '＠', ' @ ', '＠ '),
    fc.boolean(),
  )
  .map(([local, domain, tld, at, wide]) => {
    const raw = `${local}${at}${domain}.${tld}`;
    return { local, written: wide ? [...raw].map((c) => (/[a-z0-9]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('') : raw };
  });
const spacedName = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom('', ' ', '·', '\u200B', ' \u2060')).map(([name, gap]) => ({ name, written: [...name].join(gap) }));
/** Words around them, with no digit and no roster name. */
const around = fc.constantFrom('', '我家', '村口的路灯坏了，', '请联系', '邻居说', '（', '：', 'call me ');

describe('obfuscated personal data never survives the scrubber (property)', () => {
  test('phones and ID numbers: staff see at most three and four digits, the public none', () => {
    const written = fc.oneof(mobile, idNumber).chain((number) => obfuscated(number).map((text) => ({ number, text })));
    fc.assert(
      fc.property(written, around, around, ({ number, text }, before, after) => {
        const message = `${before}${text}${after}`;
        expect(digitsOf(maskContacts(message))).not.toContain(number.slice(3, 10));
        expect(digitsOf(scrub(message, NAMES))).not.toContain(number.slice(3, 7));
      }),
      { numRuns: 1000, seed: SEED },
    );
  });

  test('e-mail addresses and roster names', () => {
    fc.assert(
      fc.property(email, spacedName, around, (mail, person, before) => {
        const out = scrub(`${before}${mail.written}，${person.written}反映`, NAMES).normalize('NFKC').toLowerCase();
        expect(out).not.toContain(mail.local);
        expect(hanOf(out)).not.toContain(person.name);
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});
