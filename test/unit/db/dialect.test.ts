/**
 * The dialect module's pure parts: how values are bound and read back on each database,
 * LIKE patterns from typed text, and the VALUES placeholders. (What its SQL fragments
 * compute is checked on both real databases in test/integration/dialect.test.ts.)
 */
import { describe, expect, test } from 'vitest';
import { containsPattern, encodeValue, sqliteDate, sqliteDecoder, valuesPlaceholders } from '../../../src/db/dialect.js';
import { Lock } from '../../../src/db/lock.js';

describe('values bound', () => {
  const instant = new Date('2026-12-08T01:02:03.045Z');

  test('a date: ISO text with its offset on SQLite (as Prisma stores it), UTC wall time on PostgreSQL', () => {
    expect(encodeValue('sqlite', instant)).toBe('2026-12-08T01:02:03.045+00:00');
    expect(encodeValue('postgres', instant)).toBe('2026-12-08 01:02:03.045');
    // The last instant is remembered (a turn writes one clock reading many times), never another's text.
    expect(sqliteDate(new Date(instant.getTime() + 1))).toBe('2026-12-08T01:02:03.046+00:00');
    expect(sqliteDate(instant)).toBe('2026-12-08T01:02:03.045+00:00');
  });

  test('booleans, lists and undefined', () => {
    expect(encodeValue('sqlite', true)).toBe(1);
    expect(encodeValue('sqlite', false)).toBe(0);
    expect(encodeValue('postgres', true)).toBe(true);
    expect(encodeValue('sqlite', [1, 2])).toBe('[1,2]');
    expect(encodeValue('postgres', [1, 2])).toEqual([1, 2]);
    expect(encodeValue('sqlite', undefined)).toBeNull();
    expect(encodeValue('postgres', 'x')).toBe('x');
  });

  test('a SQLite row read back: DateTime and Boolean columns by name, nulls kept, the rest as they are', () => {
    const decode = sqliteDecoder(['createdAt', 'sentAt', 'publicBoard', 'summary']);
    const row: Record<string, unknown> = { createdAt: '2026-12-08T01:02:03.045+00:00', sentAt: null, publicBoard: 1, summary: 'createdAt' };
    decode(row);
    expect(row).toEqual({ createdAt: new Date('2026-12-08T01:02:03.045Z'), sentAt: null, publicBoard: true, summary: 'createdAt' });
  });
});

describe('typed text as a LIKE pattern', () => {
  test('%, _ and \\ are escaped: they find themselves, not everything', () => {
    expect(containsPattern('路灯')).toBe('%路灯%');
    expect(containsPattern('100%')).toBe('%100\\%%');
    expect(containsPattern('a_b')).toBe('%a\\_b%');
    expect(containsPattern('c:\\x')).toBe('%c:\\\\x%');
  });
});

describe('VALUES placeholders', () => {
  test('positional per dialect, numbered across the rows on PostgreSQL', () => {
    expect(valuesPlaceholders('sqlite', 2, 3)).toBe('(?,?,?),(?,?,?)');
    expect(valuesPlaceholders('postgres', 2, 3)).toBe('($1,$2,$3),($4,$5,$6)');
    expect(valuesPlaceholders('postgres', 1, 1)).toBe('($1)');
  });
});

describe('Lock', () => {
  test('first come, first served; `waiting` counts those behind the holder', async () => {
    const lock = new Lock();
    const order: number[] = [];
    const first = await lock.acquire();
    const rest = [1, 2, 3].map((n) =>
      lock.acquire().then((release) => {
        order.push(n);
        release();
      }),
    );
    expect(lock.waiting).toBe(3);
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    await Promise.all(rest);
    expect(order).toEqual([1, 2, 3]);
    expect(lock.waiting).toBe(0);
  });
});
