/**
 * The shared attempt limits (src/web/throttle.ts) on each database, through their own
 * queries: attempts are reserved up to the limit and refused past it, released ones are
 * forgotten (one attempt, or the whole key), the upload lock makes a missing row, and the
 * sweep deletes only rows whose attempts have all left the window.
 */
import { expect, test } from 'vitest';
import { transaction } from '../../src/db/client.js';
import { lockThrottleRow, sweepThrottle, Throttle } from '../../src/web/throttle.js';
import { eachFreshDatabase } from '../helpers/db.js';

const WINDOW_MS = 60_000;
const START = new Date('2026-05-06T07:08:09.000Z');

eachFreshDatabase((freshDatabase) => {
  test('reserves attempts up to the limit, refuses the next, and forgets what is released', async () => {
    const { db } = await freshDatabase();
    let now = START;
    const throttle = new Throttle(() => db, { now: () => now }, WINDOW_MS);
    const limits = [
      { key: 'login:user:wang', max: 2 },
      { key: 'login:ip:203.0.113.9', max: 5 },
    ];
    const first = await throttle.reserve(limits);
    expect(first).toEqual({ ok: true, at: START.getTime(), keys: ['login:ip:203.0.113.9', 'login:user:wang'] });
    now = new Date(START.getTime() + 1000);
    const second = await throttle.reserve(limits);
    expect(second.ok).toBe(true);
    now = new Date(START.getTime() + 2000);
    // The user's key is full until the first attempt leaves the window, 58 s from now.
    expect(await throttle.reserve(limits)).toEqual({ ok: false, retryAfterSeconds: 58 });
    // The refused attempt was recorded under no key.
    expect(JSON.parse((await db.throttle.findUniqueOrThrow({ where: { key: 'login:ip:203.0.113.9' } })).hits)).toEqual([START.getTime(), START.getTime() + 1000]);

    // Released: the second attempt forgotten under the IP, the user's key cleared.
    if (!second.ok) throw new Error('the second attempt was refused');
    await throttle.release(second, ['login:user:wang']);
    expect(await db.throttle.findUnique({ where: { key: 'login:user:wang' } })).toBeNull();
    const ip = await db.throttle.findUniqueOrThrow({ where: { key: 'login:ip:203.0.113.9' } });
    expect(JSON.parse(ip.hits)).toEqual([START.getTime()]);
    expect(ip.expiresAt?.getTime()).toBe(START.getTime() + 1000 + WINDOW_MS);
    expect((await throttle.reserve(limits)).ok).toBe(true);
  });

  test('the upload lock makes an empty row; the sweep deletes rows past their window and rows without one', async () => {
    const { db } = await freshDatabase();
    const throttle = new Throttle(() => db, { now: () => START }, WINDOW_MS);
    expect((await throttle.reserve([{ key: 'kept', max: 3 }])).ok).toBe(true);
    expect(await transaction(db, (tx) => lockThrottleRow(tx, 'upload:user:li'))).toEqual([]);
    await db.throttle.update({ where: { key: 'upload:user:li' }, data: { hits: JSON.stringify([START.getTime()]) } });
    expect(await transaction(db, (tx) => lockThrottleRow(tx, 'upload:user:li'))).toEqual([START.getTime()]);
    await db.throttle.create({ data: { key: 'expired', hits: '[]', expiresAt: new Date(START.getTime() - 1) } });

    expect(await sweepThrottle(db, START)).toBe(2);
    expect((await db.throttle.findMany({ orderBy: { key: 'asc' } })).map((row) => row.key)).toEqual(['kept']);
    expect(await sweepThrottle(db, new Date(START.getTime() + WINDOW_MS + 1))).toBe(1);
    expect(await db.throttle.count()).toBe(0);
  });
});
