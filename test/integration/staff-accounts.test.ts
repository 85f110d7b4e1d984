/**
 * Console accounts (src/org/staff-accounts.ts) read by username through one reader, on
 * each database: an existing name is refused unless reset, a reset keeps the account and
 * its person, and a name is never moved to another person.
 */
import { expect, test } from 'vitest';
import { DEMO_PASSWORD, saveAccount, staffAccountNamed } from '../../src/org/staff-accounts.js';
import { eachFreshDatabase } from '../helpers/db.js';

const NOW = new Date('2026-11-16T01:00:00Z');

eachFreshDatabase((freshDatabase) => {
  test('an existing username is refused, reset in place, and never handed to another person', async () => {
    const { db } = await freshDatabase({ demo: true });
    const before = await staffAccountNamed(db, 'dsp-qh-01');
    const person = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
    expect(before).toMatchObject({ username: 'dsp-qh-01', personId: person.id, disabledAt: null });
    expect(await staffAccountNamed(db, 'nobody')).toBeUndefined();

    const input = { username: 'dsp-qh-01', personCode: 'DSP-QH-01', password: `${DEMO_PASSWORD}-new` };
    await expect(saveAccount(db, input, NOW)).rejects.toThrow('用户名 dsp-qh-01 已存在');
    await expect(saveAccount(db, { ...input, personCode: 'DSP-QH-02', reset: true }, NOW)).rejects.toThrow('账号 dsp-qh-01 属于另一位人员');
    await expect(saveAccount(db, { ...input, username: 'nobody', reset: true }, NOW)).rejects.toThrow('没有用户名为 nobody 的账号');
    expect(await saveAccount(db, { ...input, reset: true }, NOW)).toEqual({ created: false, username: 'dsp-qh-01' });
    const after = await staffAccountNamed(db, 'dsp-qh-01');
    expect(after).toMatchObject({ id: before?.id, personId: person.id });
    expect(after?.passwordHash).not.toBe(before?.passwordHash);

    expect(await saveAccount(db, { username: 'dsp-qh-01b', personCode: 'DSP-QH-01', password: DEMO_PASSWORD }, NOW)).toEqual({ created: true, username: 'dsp-qh-01b' });
    expect(await staffAccountNamed(db, 'dsp-qh-01b')).toMatchObject({ personId: person.id, disabledAt: null });
  });
});
