import { describe, expect, it } from 'vitest';
import { ledgerInputSchema, ledgerStatus } from '../../../src/ledger/ledger.js';

describe('ledger status', () => {
  it('is on track up to and including the deadline, late the day after', () => {
    expect(ledgerStatus({ status: 'open', deadline: '2026-12-07' }, '2026-12-06')).toBe('on_track');
    expect(ledgerStatus({ status: 'open', deadline: '2026-12-07' }, '2026-12-07')).toBe('on_track');
    expect(ledgerStatus({ status: 'open', deadline: '2026-12-07' }, '2026-12-08')).toBe('late');
  });

  it('is done or dropped once closed, whatever the deadline', () => {
    expect(ledgerStatus({ status: 'done', deadline: '2026-01-01' }, '2026-12-08')).toBe('done');
    expect(ledgerStatus({ status: 'dropped', deadline: '2026-01-01' }, '2026-12-08')).toBe('dropped');
  });
});

describe('ledger input', () => {
  const valid = { regionId: 1, goal: ' 修好 路灯 ', measures: '排查、更换', deadline: '2026-12-31', owner: 'department:3', isPublic: true, themeId: null };

  it('cleans the texts of a valid item', () => {
    expect(ledgerInputSchema.parse(valid).goal).toBe('修好 路灯');
  });

  it.each([
    [{ goal: '   ' }, '请填写目标'],
    [{ measures: '' }, '请填写措施'],
    [{ deadline: '2026-02-30' }, '完成时限应为'],
    [{ owner: 'nobody' }, '请选择责任人'],
    [{ goal: '长'.repeat(101) }, '目标不能超过 100 个字'],
  ])('refuses %o in Chinese first', (change, message) => {
    const result = ledgerInputSchema.safeParse({ ...valid, ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });
});
