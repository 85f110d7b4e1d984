import { describe, expect, test } from 'vitest';
import {
  type AssistanceRules,
  type AssistanceSnapshot,
  assistanceTransition,
  DEFAULT_ASSISTANCE_LIMITS,
  isOverdue,
  noticeWindow,
  reportCase,
  stepDays,
} from '../../../src/assistance/machine.js';
import { WorkCalendar } from '../../../src/pipeline/calendar.js';
import { DEFAULT_OFFICE_HOURS } from '../../../src/pipeline/deadlines.js';

const rules: AssistanceRules = { calendar: WorkCalendar.load(), officeHours: DEFAULT_OFFICE_HOURS, assistance: DEFAULT_ASSISTANCE_LIMITS };

/** An instant written in Beijing time, e.g. at('2026-12-07T10:00'). */
function at(local: string): Date {
  return new Date(`${local}:00+08:00`);
}

const plan = { helper: '县民政局', aid: '临时救助金', amount: '2000 元', deliverBy: '2026-12-18' };

function step(current: AssistanceSnapshot, command: Parameters<typeof assistanceTransition>[1], now: Date): AssistanceSnapshot {
  const result = assistanceTransition(current, command, rules, now);
  if (!result.ok) throw new Error(result.refusal.message);
  return result.next;
}

describe('assistance case transitions', () => {
  test('report → village → township (五公开 fixed, notice starts) → delivery after the notice → follow-up, each step due in working days', () => {
    // Monday 2026-12-07.
    const reported = reportCase(false, rules, at('2026-12-07T10:00'));
    expect(reported.state).toBe('reported');
    expect(reported.dueAt).toEqual(at('2026-12-14T17:30'));

    const verified = step(reported, { type: 'village_approve', note: '情况属实' }, at('2026-12-08T10:00'));
    expect(verified.state).toBe('village_verified');
    expect(verified.dueAt).toEqual(at('2026-12-29T17:30'));

    const notice = step(verified, { type: 'township_approve', note: '', plan }, at('2026-12-09T10:00'));
    expect(notice).toMatchObject({ state: 'notice', helper: '县民政局', aid: '临时救助金', amount: '2000 元', deliverBy: '2026-12-18' });
    expect(notice.noticeFrom).toEqual(at('2026-12-09T10:00'));
    // Seven whole days after the day of approval.
    expect(notice.noticeUntil).toEqual(at('2026-12-17T00:00'));
    expect(notice.dueAt).toEqual(at('2026-12-18T17:30'));

    const early = assistanceTransition(notice, { type: 'deliver', note: '' }, rules, at('2026-12-16T23:59'));
    expect(early).toMatchObject({ ok: false, refusal: { code: 'notice_running' } });

    const delivered = step(notice, { type: 'deliver', note: '已发放' }, at('2026-12-17T09:00'));
    expect(delivered.state).toBe('delivered');
    expect(delivered.deliveredAt).toEqual(at('2026-12-17T09:00'));
    expect(delivered.dueAt).toEqual(at('2026-12-31T17:30'));

    expect(assistanceTransition(delivered, { type: 'follow_up', note: ' ' }, rules, at('2026-12-20T09:00'))).toMatchObject({ ok: false, refusal: { code: 'invalid' } });
    const closed = step(delivered, { type: 'follow_up', note: '已回访，生活有改善' }, at('2026-12-21T09:00'));
    expect(closed).toMatchObject({ state: 'closed', dueAt: null, closedAt: at('2026-12-21T09:00') });
  });

  test('urgent (急事急办) halves the working-day limits, rounding up', () => {
    expect([stepDays(5, true), stepDays(15, true), stepDays(1, true), stepDays(5, false)]).toEqual([3, 8, 1, 5]);
    const reported = reportCase(true, rules, at('2026-12-07T10:00'));
    expect(reported.dueAt).toEqual(at('2026-12-10T17:30'));
    const verified = step(reported, { type: 'village_approve', note: '' }, at('2026-12-07T15:00'));
    expect(verified.dueAt).toEqual(at('2026-12-17T17:30'));
    // The delivery limit is halved too; the notice's minimum is not a limit and stays.
    expect(noticeWindow(true, rules, at('2026-12-07T16:00'))).toEqual({ noticeUntil: at('2026-12-15T00:00'), earliest: '2026-12-15', latest: '2026-12-22' });
    expect(noticeWindow(false, rules, at('2026-12-07T16:00')).latest).toBe('2026-12-29');
  });

  test('refusals: a step out of turn, a rejection without a reason, a plan incomplete or dated outside the window', () => {
    const reported = reportCase(false, rules, at('2026-12-07T10:00'));
    expect(assistanceTransition(reported, { type: 'township_approve', note: '', plan }, rules, at('2026-12-08T10:00'))).toMatchObject({
      ok: false,
      refusal: { code: 'wrong_state' },
    });
    expect(assistanceTransition(reported, { type: 'village_reject', note: '' }, rules, at('2026-12-08T10:00'))).toMatchObject({ ok: false, refusal: { code: 'invalid' } });
    const rejected = step(reported, { type: 'village_reject', note: '收入超过标准' }, at('2026-12-08T10:00'));
    expect(rejected).toMatchObject({ state: 'rejected', dueAt: null, closedAt: at('2026-12-08T10:00') });

    const verified = step(reported, { type: 'village_approve', note: '' }, at('2026-12-08T10:00'));
    const now = at('2026-12-09T10:00');
    for (const bad of [
      { ...plan, helper: ' ' },
      { ...plan, amount: '' },
      { ...plan, deliverBy: '2026-12-16' },
      { ...plan, deliverBy: '2027-02-01' },
      { ...plan, deliverBy: '18/12' },
    ]) {
      expect(assistanceTransition(verified, { type: 'township_approve', note: '', plan: bad }, rules, now)).toMatchObject({ ok: false, refusal: { code: 'invalid' } });
    }
  });

  test('overdue: an open step past its due time; closed and rejected cases never are', () => {
    const reported = reportCase(false, rules, at('2026-12-07T10:00'));
    expect(isOverdue(reported, at('2026-12-14T17:29'))).toBe(false);
    expect(isOverdue(reported, at('2026-12-14T17:31'))).toBe(true);
    expect(isOverdue({ state: 'closed', dueAt: at('2026-12-01T00:00') }, at('2026-12-14T17:31'))).toBe(false);
  });
});
