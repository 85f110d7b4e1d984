/**
 * What the dialect's SQL fragments compute, on SQLite and (when the suite has one) on
 * PostgreSQL, against households whose instant is chosen across Beijing midnight: the local
 * day, the epoch milliseconds, and a LIKE of typed text with its wildcards escaped.
 */
import { expect, test } from 'vitest';
import { sqlOf } from '../../src/db/client.js';
import { beijingDay, containsPattern, epochMs, likeEscaped, oneOf } from '../../src/db/dialect.js';
import { all, defineQuery } from '../../src/db/sql.js';
import { eachFreshDatabase } from '../helpers/db.js';

const dayAndMs = defineQuery('test_dialect_day_ms', (db, p: { id: number }, dialect) =>
  db
    .selectFrom('Household')
    .select([beijingDay(dialect, 'createdAt').as('day'), epochMs(dialect, 'createdAt').as('ms')])
    .where('id', '=', p.id),
);
const summariesLike = defineQuery('test_dialect_like', (db, p: { pattern: string; ids: number[] }, dialect) =>
  db
    .selectFrom('Household')
    .select('id')
    .where(likeEscaped('address', p.pattern))
    .where(oneOf(dialect, 'id', p.ids))
    .orderBy('id'),
);

/** The day as text: SQLite gives it so; node-postgres gives a DATE as a Date at local midnight. */
function dayText(value: unknown): string {
  if (!(value instanceof Date)) return String(value).slice(0, 10);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${value.getFullYear()}-${two(value.getMonth() + 1)}-${two(value.getDate())}`;
}

eachFreshDatabase((freshDatabase) => {
  test('a Beijing day, epoch milliseconds and an escaped LIKE, as the code reads them', async () => {
    const { db } = await freshDatabase({ demo: true });
    const households = await db.household.findMany({ take: 3, orderBy: { id: 'asc' }, select: { id: true } });
    const [a, b, c] = households.map((h) => h.id) as [number, number, number];
    // 23:30 UTC is 07:30 the next day in Beijing; 15:59:59.999 UTC is still the same day there.
    await db.household.update({ where: { id: a }, data: { createdAt: new Date('2026-11-30T23:30:00.123Z'), address: '东湖村100%号' } });
    await db.household.update({ where: { id: b }, data: { createdAt: new Date('2026-12-01T15:59:59.999Z'), address: '东湖村100号' } });
    await db.household.update({ where: { id: c }, data: { address: 'a_b 巷' } });
    const sql = sqlOf(db);
    const [first] = await all(sql, dayAndMs, { id: a });
    const [second] = await all(sql, dayAndMs, { id: b });
    expect(dayText(first?.day)).toBe('2026-12-01');
    expect(Number(first?.ms)).toBe(Date.parse('2026-11-30T23:30:00.123Z'));
    expect(dayText(second?.day)).toBe('2026-12-01');
    expect(Number(second?.ms)).toBe(Date.parse('2026-12-01T15:59:59.999Z'));
    // % and _ typed find themselves only; unescaped they would match the others too.
    const like = async (typed: string) => (await all(sql, summariesLike, { pattern: containsPattern(typed), ids: [a, b, c] })).map((r) => r.id);
    expect(await like('100%')).toEqual([a]);
    expect(await like('a_b')).toEqual([c]);
    expect(await like('_')).toEqual([c]);
    expect(await like('东湖村100')).toEqual([a, b]);
  });
});
