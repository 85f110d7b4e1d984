import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type CalendarData, WorkCalendar, addCalendarDays, localDateOf, localInstant, minutesOfDay } from '../../../src/pipeline/calendar.js';

const cal = WorkCalendar.load();

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function withTempFile<T>(content: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'minqing-cal-'));
  try {
    const path = join(dir, 'holidays.json');
    writeFileSync(path, content);
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('data file', () => {
  test('covers 2024, 2025 and 2026 only', () => {
    expect(cal.covers(2024)).toBe(true);
    expect(cal.covers(2025)).toBe(true);
    expect(cal.covers(2026)).toBe(true);
    expect(cal.covers(2023)).toBe(false);
    expect(cal.covers(2027)).toBe(false);
  });

  test('every make-up workday is a Saturday or Sunday, and every holiday block has the official length', () => {
    const data = JSON.parse(readFileSync(new URL('../../../data/calendar/cn-holidays.json', import.meta.url), 'utf8')) as CalendarData;
    for (const { workdays } of Object.values(data.years)) {
      for (const d of workdays) expect([0, 6], d).toContain(weekday(d));
    }
    // 2024: 1 + 8 + 3 + 5 + 1 + 3 + 7; 2025: 1 + 8 + 3 + 5 + 3 + 8; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7.
    expect(data.years['2024']?.holidays).toHaveLength(28);
    expect(data.years['2025']?.holidays).toHaveLength(28);
    expect(data.years['2026']?.holidays).toHaveLength(33);
    expect(data.years['2024']?.workdays).toHaveLength(8);
    expect(data.years['2025']?.workdays).toHaveLength(5);
    expect(data.years['2026']?.workdays).toHaveLength(6);
  });
});

describe('isWorkingDay', () => {
  test('plain weekends and weekdays', () => {
    expect(cal.isWorkingDay('2026-03-06')).toBe(true); // Fri
    expect(cal.isWorkingDay('2026-03-07')).toBe(false); // Sat
    expect(cal.isWorkingDay('2026-03-08')).toBe(false); // Sun
    expect(cal.isWorkingDay('2026-03-09')).toBe(true); // Mon
  });

  test('2026 National Day: holidays and the 10/10 make-up Saturday', () => {
    expect(cal.isWorkingDay('2026-09-20')).toBe(true); // Sun, make-up
    expect(cal.isWorkingDay('2026-09-30')).toBe(true);
    for (let d = 1; d <= 7; d++) expect(cal.isWorkingDay(`2026-10-0${d}`)).toBe(false);
    expect(cal.isWorkingDay('2026-10-08')).toBe(true);
    expect(cal.isWorkingDay('2026-10-10')).toBe(true); // Sat, make-up
    expect(cal.isWorkingDay('2026-10-11')).toBe(false); // Sun
  });

  test('2025 National Day + Mid-Autumn: eight days off, 9/28 and 10/11 worked', () => {
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sun
    expect(cal.isWorkingDay('2025-10-08')).toBe(false); // Wed, holiday
    expect(cal.isWorkingDay('2025-10-09')).toBe(true);
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // Sat
  });

  test('Spring Festival 2026 with the 2/14 and 2/28 make-up Saturdays', () => {
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    expect(cal.isWorkingDay('2026-02-15')).toBe(false);
    expect(cal.isWorkingDay('2026-02-23')).toBe(false); // Mon, still holiday
    expect(cal.isWorkingDay('2026-02-24')).toBe(true);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true);
    expect(cal.isWorkingDay('2026-03-01')).toBe(false); // ordinary Sunday
  });

  test('2024 arrangement', () => {
    expect(cal.isWorkingDay('2024-02-04')).toBe(true); // Sun
    expect(cal.isWorkingDay('2024-02-16')).toBe(false); // Fri in the Spring Festival block
    expect(cal.isWorkingDay('2024-05-11')).toBe(true); // Sat
    expect(cal.isWorkingDay('2024-06-10')).toBe(false); // Mon, Dragon Boat
    expect(cal.isWorkingDay('2024-09-14')).toBe(true); // Sat
  });

  test('a year not in the file falls back to Monday–Friday', () => {
    expect(cal.covers(2027)).toBe(false);
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // Fri: New Year in reality, but not in the data
    expect(cal.isWorkingDay('2027-01-02')).toBe(false); // Sat
    expect(cal.nextWorkingDay('2027-01-01')).toBe('2027-01-04');
  });

  test('rejects malformed dates', () => {
    expect(() => cal.isWorkingDay('2026-2-3')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow(/2026-02-30/);
  });
});

describe('nextWorkingDay', () => {
  test('is strictly after and skips weekends and holidays', () => {
    expect(cal.nextWorkingDay('2026-03-06')).toBe('2026-03-09');
    expect(cal.nextWorkingDay('2026-03-09')).toBe('2026-03-10');
    expect(cal.nextWorkingDay('2026-09-30')).toBe('2026-10-08');
    expect(cal.nextWorkingDay('2026-10-09')).toBe('2026-10-10');
    expect(cal.nextWorkingDay('2026-10-10')).toBe('2026-10-12');
    expect(cal.nextWorkingDay('2026-02-13')).toBe('2026-02-14');
    expect(cal.nextWorkingDay('2026-02-14')).toBe('2026-02-24');
    expect(cal.nextWorkingDay('2025-12-31')).toBe('2026-01-04'); // 1/1–1/3 off, Sunday 1/4 is a make-up day
  });
});

describe('local time helpers (UTC+8)', () => {
  test('localDateOf uses Beijing time, not UTC', () => {
    expect(localDateOf(new Date('2026-09-30T23:30:00+08:00'))).toBe('2026-09-30');
    expect(localDateOf(new Date('2026-09-30T16:30:00Z'))).toBe('2026-10-01');
    expect(localDateOf(new Date('2026-10-01T00:00:00+08:00'))).toBe('2026-10-01');
  });

  test('localInstant', () => {
    expect(localInstant('2026-10-10', 17 * 60 + 30).getTime()).toBe(new Date('2026-10-10T17:30:00+08:00').getTime());
    expect(localInstant('2026-10-10', 0).toISOString()).toBe('2026-10-09T16:00:00.000Z');
  });

  test('addCalendarDays across months, years and leap days', () => {
    expect(addCalendarDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addCalendarDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addCalendarDays('2026-09-30', 0)).toBe('2026-09-30');
  });

  test('minutesOfDay', () => {
    expect(minutesOfDay(new Date('2026-10-10T17:30:45+08:00'))).toBe(17 * 60 + 30);
    expect(minutesOfDay(new Date('2026-10-10T00:00:00+08:00'))).toBe(0);
    expect(minutesOfDay(new Date('2026-10-09T15:59:00Z'))).toBe(23 * 60 + 59);
  });
});

describe('validation', () => {
  const good = { holidays: ['2026-01-01'], workdays: ['2026-01-04'] };

  test('a bad date is refused naming the year and the value', () => {
    const bad = { years: { '2026': { holidays: ['2026-01-01', '2026-02-30'], workdays: [] } } };
    expect(() => new WorkCalendar(bad)).toThrow(/year 2026.*"2026-02-30"/);
    const malformed = { years: { '2025': { holidays: ['2025-1-1'], workdays: [] } } };
    expect(() => new WorkCalendar(malformed)).toThrow(/year 2025.*"2025-1-1"/);
  });

  test('a date listed under another year is refused', () => {
    const bad = { years: { '2026': { holidays: ['2025-01-01'], workdays: [] } } };
    expect(() => new WorkCalendar(bad)).toThrow(/year 2026.*"2025-01-01" is not in 2026/);
  });

  test('a day both holiday and workday is refused', () => {
    const bad = { years: { '2026': { holidays: ['2026-01-04'], workdays: ['2026-01-04'] } } };
    expect(() => new WorkCalendar(bad)).toThrow(/year 2026.*"2026-01-04" is both/);
  });

  test('wrong shapes, year keys and time zones are refused', () => {
    expect(() => new WorkCalendar({ years: { '2026': { holidays: [] } } } as unknown as CalendarData)).toThrow(/year 2026.*workdays/);
    expect(() => new WorkCalendar({ years: { '26': good } })).toThrow(/four digits/);
    expect(() => new WorkCalendar({ timezone: 'UTC', years: { '2026': good } })).toThrow(/timezone/);
    expect(() => new WorkCalendar(null as unknown as CalendarData)).toThrow(/Invalid holiday calendar/);
  });

  test('a good minimal file is accepted', () => {
    const c = new WorkCalendar({ source: 'test', timezone: 'Asia/Shanghai', years: { '2026': good } });
    expect(c.source).toBe('test');
    expect(c.isWorkingDay('2026-01-01')).toBe(false);
    expect(c.isWorkingDay('2026-01-04')).toBe(true);
  });

  test('load refuses a bad data file with the path, the year and the value', () => {
    const content = JSON.stringify({ years: { '2026': { holidays: ['2026-13-01'], workdays: [] } } });
    withTempFile(content, (path) => {
      expect(() => WorkCalendar.load(path)).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*year 2026.*"2026-13-01"`));
    });
    withTempFile('{ not json', (path) => {
      expect(() => WorkCalendar.load(path)).toThrow(/Cannot read holiday calendar/);
    });
    expect(() => WorkCalendar.load('/nonexistent/cn-holidays.json')).toThrow(/\/nonexistent\/cn-holidays\.json/);
  });
});
