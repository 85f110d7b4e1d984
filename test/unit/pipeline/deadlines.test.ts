import { describe, expect, test } from 'vitest';
import { WorkCalendar } from '../../../src/pipeline/calendar.js';
import {
  DEFAULT_OFFICE_HOURS,
  type DeadlinePolicy,
  addOfficeDays,
  callbackDeadline,
  dailyTurn,
  deadlineConflict,
  endOfOfficeDay,
  extendDeadline,
  intakeDeadlines,
  loadedWhenDue,
  officeDaysBetween,
  resumeDeadline,
} from '../../../src/pipeline/deadlines.js';

const cal = WorkCalendar.load();
const H = DEFAULT_OFFICE_HOURS;

/** An instant written in Beijing time, e.g. at('2026-09-30T10:00'). */
function at(local: string): Date {
  return new Date(`${local}:00+08:00`);
}

/** Formats an instant in Beijing time so failures read like the expectations. */
function bj(d: Date): string {
  return `${new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

const promised: DeadlinePolicy = { handlingClass: 'promised', resolveDays: 5, resolveHours: 24, acceptHours: 2, workingDays: true };
const immediate: DeadlinePolicy = { handlingClass: 'immediate', resolveDays: 0, resolveHours: 24, acceptHours: 2, workingDays: true };
const urgent: DeadlinePolicy = { handlingClass: 'urgent', resolveDays: 0, resolveHours: 48, acceptHours: 2, workingDays: true };

describe('DEFAULT_OFFICE_HOURS', () => {
  test('is 17:30', () => {
    expect(H.dayEndMinutes).toBe(17 * 60 + 30);
  });
});

describe('addOfficeDays', () => {
  test('Friday 15:00 + 3 working days → Wednesday 17:30', () => {
    expect(bj(addOfficeDays(cal, at('2026-03-06T15:00'), 3, true, H))).toBe('2026-03-11T17:30:00+08:00');
  });

  test('plain weekend: a Saturday report + 1 → Monday; the report day never counts', () => {
    expect(bj(addOfficeDays(cal, at('2026-03-07T11:00'), 1, true, H))).toBe('2026-03-09T17:30:00+08:00');
    expect(bj(addOfficeDays(cal, at('2026-03-06T20:00'), 1, true, H))).toBe('2026-03-09T17:30:00+08:00');
  });

  test('n = 0 is the end of the office day', () => {
    expect(bj(addOfficeDays(cal, at('2026-03-06T15:00'), 0, true, H))).toBe('2026-03-06T17:30:00+08:00');
    expect(bj(addOfficeDays(cal, at('2026-03-06T18:00'), 0, true, H))).toBe('2026-03-09T17:30:00+08:00');
  });

  test('2026 National Day: Wed 9/30 10:00 + 3 → Sat 10/10 17:30 (make-up workday)', () => {
    expect(bj(addOfficeDays(cal, at('2026-09-30T10:00'), 3, true, H))).toBe('2026-10-10T17:30:00+08:00');
    expect(bj(addOfficeDays(cal, at('2026-09-30T10:00'), 4, true, H))).toBe('2026-10-12T17:30:00+08:00');
  });

  test('2025 National Day + Mid-Autumn: Tue 9/30 + 3 → Sat 10/11; Fri 9/26 + 1 → Sun 9/28', () => {
    expect(bj(addOfficeDays(cal, at('2025-09-30T10:00'), 3, true, H))).toBe('2025-10-11T17:30:00+08:00');
    expect(bj(addOfficeDays(cal, at('2025-09-26T15:00'), 1, true, H))).toBe('2025-09-28T17:30:00+08:00');
  });

  test('Spring Festival 2026: make-up Saturdays 2/14 and 2/28', () => {
    const fri = at('2026-02-13T10:00');
    expect(bj(addOfficeDays(cal, fri, 1, true, H))).toBe('2026-02-14T17:30:00+08:00');
    expect(bj(addOfficeDays(cal, fri, 2, true, H))).toBe('2026-02-24T17:30:00+08:00');
    expect(bj(addOfficeDays(cal, fri, 5, true, H))).toBe('2026-02-27T17:30:00+08:00');
    expect(bj(addOfficeDays(cal, fri, 6, true, H))).toBe('2026-02-28T17:30:00+08:00');
    expect(bj(addOfficeDays(cal, fri, 7, true, H))).toBe('2026-03-02T17:30:00+08:00');
  });

  test('calendar days ignore weekends and holidays', () => {
    expect(bj(addOfficeDays(cal, at('2026-09-30T10:00'), 3, false, H))).toBe('2026-10-03T17:30:00+08:00');
  });

  test('a year not in the file counts Monday–Friday', () => {
    expect(cal.covers(2027)).toBe(false);
    // Fri 2027-10-01 is National Day in reality, but there is no data for 2027 yet.
    expect(bj(addOfficeDays(cal, at('2027-09-30T10:00'), 3, true, H))).toBe('2027-10-05T17:30:00+08:00');
  });

  test('uses the office hours given', () => {
    expect(bj(addOfficeDays(cal, at('2026-03-06T15:00'), 1, true, { dayEndMinutes: 18 * 60 }))).toBe('2026-03-09T18:00:00+08:00');
  });

  test('rejects bad arguments', () => {
    expect(() => addOfficeDays(cal, at('2026-03-06T15:00'), -1, true, H)).toThrow(RangeError);
    expect(() => addOfficeDays(cal, at('2026-03-06T15:00'), 1.5, true, H)).toThrow(RangeError);
    expect(() => addOfficeDays(cal, new Date(Number.NaN), 1, true, H)).toThrow(RangeError);
    expect(() => addOfficeDays(cal, at('2026-03-06T15:00'), 1, true, { dayEndMinutes: 24 * 60 })).toThrow(RangeError);
  });
});

describe('endOfOfficeDay', () => {
  test('same day before closing, next working day at or after closing', () => {
    expect(bj(endOfOfficeDay(cal, at('2026-03-05T08:00'), true, H))).toBe('2026-03-05T17:30:00+08:00');
    expect(bj(endOfOfficeDay(cal, at('2026-03-05T17:29'), true, H))).toBe('2026-03-05T17:30:00+08:00');
    expect(bj(endOfOfficeDay(cal, at('2026-03-05T17:30'), true, H))).toBe('2026-03-06T17:30:00+08:00');
    expect(bj(endOfOfficeDay(cal, at('2026-03-06T23:59'), true, H))).toBe('2026-03-09T17:30:00+08:00');
  });

  test('on a holiday → end of the next working day (a make-up Saturday counts)', () => {
    expect(bj(endOfOfficeDay(cal, at('2026-10-03T10:00'), true, H))).toBe('2026-10-08T17:30:00+08:00');
    expect(bj(endOfOfficeDay(cal, at('2026-10-09T18:00'), true, H))).toBe('2026-10-10T17:30:00+08:00');
    expect(bj(endOfOfficeDay(cal, at('2026-10-10T09:00'), true, H))).toBe('2026-10-10T17:30:00+08:00');
  });

  test('calendar days: any day is an office day', () => {
    expect(bj(endOfOfficeDay(cal, at('2026-10-03T10:00'), false, H))).toBe('2026-10-03T17:30:00+08:00');
    expect(bj(endOfOfficeDay(cal, at('2026-10-03T18:00'), false, H))).toBe('2026-10-04T17:30:00+08:00');
  });
});

describe('officeDaysBetween', () => {
  test('counts days in (from, to]', () => {
    expect(officeDaysBetween(cal, at('2026-03-05T08:00'), at('2026-03-05T17:00'), true)).toBe(0);
    expect(officeDaysBetween(cal, at('2026-03-06T10:00'), at('2026-03-05T10:00'), true)).toBe(0);
    expect(officeDaysBetween(cal, at('2026-03-06T10:00'), at('2026-03-08T10:00'), true)).toBe(0);
    expect(officeDaysBetween(cal, at('2026-03-06T10:00'), at('2026-03-09T09:00'), true)).toBe(1);
    expect(officeDaysBetween(cal, at('2026-09-29T11:00'), at('2026-10-09T09:00'), true)).toBe(3);
    expect(officeDaysBetween(cal, at('2026-09-29T11:00'), at('2026-10-09T09:00'), false)).toBe(10);
  });

  test('uses Beijing dates, not UTC dates', () => {
    // 23:00 Beijing on Thursday is 15:00 UTC on Thursday; 07:00 Beijing on Friday is 23:00 UTC on Thursday.
    expect(officeDaysBetween(cal, at('2026-03-05T23:00'), at('2026-03-06T07:00'), true)).toBe(1);
  });
});

describe('intakeDeadlines', () => {
  test('promised: accept by the next working day, resolve within resolveDays working days', () => {
    const d = intakeDeadlines(cal, promised, at('2026-09-30T10:00'), H);
    expect(bj(d.acceptBy)).toBe('2026-10-08T17:30:00+08:00');
    expect(bj(d.resolveBy)).toBe('2026-10-13T17:30:00+08:00');
  });

  test('promised with calendar days', () => {
    const d = intakeDeadlines(cal, { ...promised, resolveDays: 3, workingDays: false }, at('2026-09-30T10:00'), H);
    expect(bj(d.acceptBy)).toBe('2026-10-01T17:30:00+08:00');
    expect(bj(d.resolveBy)).toBe('2026-10-03T17:30:00+08:00');
  });

  test('immediate during office hours: same day; acceptance within acceptHours, capped at the end of the day', () => {
    const morning = intakeDeadlines(cal, immediate, at('2026-03-05T10:00'), H);
    expect(bj(morning.resolveBy)).toBe('2026-03-05T17:30:00+08:00');
    expect(bj(morning.acceptBy)).toBe('2026-03-05T12:00:00+08:00');
    const late = intakeDeadlines(cal, immediate, at('2026-03-05T16:30'), H);
    expect(bj(late.acceptBy)).toBe('2026-03-05T17:30:00+08:00');
  });

  test('immediate after 17:30 → end of the next working day', () => {
    const d = intakeDeadlines(cal, immediate, at('2026-03-06T18:00'), H);
    expect(bj(d.resolveBy)).toBe('2026-03-09T17:30:00+08:00');
    expect(bj(d.acceptBy)).toBe('2026-03-06T20:00:00+08:00');
  });

  test('immediate on a holiday → end of the next working day', () => {
    expect(bj(intakeDeadlines(cal, immediate, at('2026-10-03T10:00'), H).resolveBy)).toBe('2026-10-08T17:30:00+08:00');
    expect(bj(intakeDeadlines(cal, immediate, at('2026-02-20T10:00'), H).resolveBy)).toBe('2026-02-24T17:30:00+08:00');
  });

  test('urgent counts clock hours across a holiday', () => {
    const d = intakeDeadlines(cal, urgent, at('2026-09-30T20:00'), H);
    expect(bj(d.acceptBy)).toBe('2026-09-30T22:00:00+08:00');
    expect(bj(d.resolveBy)).toBe('2026-10-02T20:00:00+08:00');
  });
});

describe('extendDeadline', () => {
  test('working days, keeping the end of the office day, across National Day', () => {
    expect(bj(extendDeadline(cal, promised, at('2026-09-30T17:30'), 3, H))).toBe('2026-10-10T17:30:00+08:00');
    expect(bj(extendDeadline(cal, immediate, at('2026-03-06T17:30'), 1, H))).toBe('2026-03-09T17:30:00+08:00');
  });

  test('calendar days', () => {
    expect(bj(extendDeadline(cal, { ...promised, workingDays: false }, at('2026-09-30T17:30'), 3, H))).toBe('2026-10-03T17:30:00+08:00');
  });

  test('zero leaves the deadline alone', () => {
    expect(bj(extendDeadline(cal, promised, at('2026-09-30T17:30'), 0, H))).toBe('2026-09-30T17:30:00+08:00');
  });

  test('urgent: clock hours', () => {
    expect(bj(extendDeadline(cal, urgent, at('2026-10-02T20:00'), 12, H))).toBe('2026-10-03T08:00:00+08:00');
  });
});

describe('resumeDeadline', () => {
  test('pause across a weekend: one working day lost', () => {
    // Paused Friday, resumed Monday morning: Monday is the only working day in (Fri, Mon].
    const r = resumeDeadline(cal, promised, at('2026-03-11T17:30'), at('2026-03-06T10:00'), at('2026-03-09T09:00'), H);
    expect(bj(r)).toBe('2026-03-12T17:30:00+08:00');
  });

  test('pause within a day or over a weekend only does not move the deadline', () => {
    const resolveBy = at('2026-03-11T17:30');
    expect(bj(resumeDeadline(cal, promised, resolveBy, at('2026-03-05T09:00'), at('2026-03-05T16:00'), H))).toBe('2026-03-11T17:30:00+08:00');
    expect(bj(resumeDeadline(cal, promised, resolveBy, at('2026-03-06T10:00'), at('2026-03-08T10:00'), H))).toBe('2026-03-11T17:30:00+08:00');
  });

  test('pause across a holiday counts only working days, and the shifted deadline skips holidays', () => {
    // Received Mon 9/28 10:00, 5 working days → 9/29, 9/30, 10/8, 10/9, 10/10 (Sat, make-up).
    const { resolveBy } = intakeDeadlines(cal, promised, at('2026-09-28T10:00'), H);
    expect(bj(resolveBy)).toBe('2026-10-10T17:30:00+08:00');
    // Paused 9/29, resumed 10/9: 9/30, 10/8 and 10/9 were lost.
    const r = resumeDeadline(cal, promised, resolveBy, at('2026-09-29T11:00'), at('2026-10-09T09:00'), H);
    expect(bj(r)).toBe('2026-10-14T17:30:00+08:00');
  });

  test('keeps the time of day of resolveBy', () => {
    const r = resumeDeadline(cal, promised, at('2026-03-11T12:15'), at('2026-03-06T10:00'), at('2026-03-09T09:00'), H);
    expect(bj(r)).toBe('2026-03-12T12:15:00+08:00');
  });

  test('calendar days', () => {
    const policy = { ...promised, workingDays: false };
    const r = resumeDeadline(cal, policy, at('2026-10-03T17:30'), at('2026-09-30T11:00'), at('2026-10-02T09:00'), H);
    expect(bj(r)).toBe('2026-10-05T17:30:00+08:00');
  });

  test('urgent: shifted by the paused milliseconds', () => {
    const r = resumeDeadline(cal, urgent, at('2026-10-02T20:00'), at('2026-10-01T08:00'), at('2026-10-01T11:30'), H);
    expect(bj(r)).toBe('2026-10-02T23:30:00+08:00');
  });

  test('resumedAt before pausedAt leaves the deadline alone', () => {
    const r = resumeDeadline(cal, promised, at('2026-03-11T17:30'), at('2026-03-09T09:00'), at('2026-03-06T10:00'), H);
    expect(bj(r)).toBe('2026-03-11T17:30:00+08:00');
  });
});

describe('callbackDeadline', () => {
  test('end of the n-th working day after resolution', () => {
    expect(bj(callbackDeadline(cal, at('2026-09-30T16:00'), 3, H))).toBe('2026-10-10T17:30:00+08:00');
    expect(bj(callbackDeadline(cal, at('2026-03-06T16:00'), 2, H))).toBe('2026-03-10T17:30:00+08:00');
  });
});

describe('dailyTurn: once a day, after the office opens', () => {
  test('not before 8:30; once that day; again the next day', () => {
    const turn = dailyTurn(H);
    expect(turn.dueAt(at('2026-12-07T08:29'))).toBeNull();
    expect(turn.dueAt(at('2026-12-07T08:30'))).toBe('2026-12-07');
    // Not marked done (the run failed): the next tick tries again.
    expect(turn.dueAt(at('2026-12-07T09:00'))).toBe('2026-12-07');
    turn.done('2026-12-07');
    expect(turn.dueAt(at('2026-12-07T23:59'))).toBeNull();
    expect(turn.dueAt(at('2026-12-08T08:30'))).toBe('2026-12-08');
  });

  test("with a calendar, only on working days; the day is Beijing's", () => {
    const turn = dailyTurn({ ...H, dayStartMinutes: 9 * 60 }, cal);
    expect(turn.dueAt(at('2026-12-05T10:00'))).toBeNull(); // a Saturday
    expect(turn.dueAt(at('2026-12-07T08:45'))).toBeNull(); // opens at 9:00 here
    expect(turn.dueAt(new Date('2026-12-07T01:00:00Z'))).toBe('2026-12-07'); // 9:00 in Beijing
    expect(dailyTurn(H).dueAt(at('2026-12-05T10:00'))).toBe('2026-12-05');
  });
});

describe('loadedWhenDue: a daily duty imported on its first due turn', () => {
  test('not loaded before the office opens; loaded once, then the duty alone decides every tick', async () => {
    let now = at('2026-12-05T08:00'); // a Saturday, before the office opens
    let loads = 0;
    const runs: Date[] = [];
    const duty = loadedWhenDue({ clock: { now: () => now }, officeHours: H }, () => {
      loads += 1;
      return Promise.resolve((options) => () => Promise.resolve(runs.push(options.clock.now())));
    });
    expect(await duty()).toBeUndefined();
    expect(loads).toBe(0);
    // Due on any day the office has opened, a Saturday too: the duty's own calendar, if it has one, is its to check.
    now = at('2026-12-05T08:30');
    await duty();
    now = at('2026-12-05T09:00');
    await duty();
    expect(loads).toBe(1);
    expect(runs).toEqual([at('2026-12-05T08:30'), at('2026-12-05T09:00')]);
    // Loaded, the duty runs before opening time too: it is the duty's own turn that says no then.
    now = at('2026-12-06T07:00');
    await duty();
    expect(runs).toHaveLength(3);
  });

  test('a failed import is tried again on the next tick', async () => {
    let attempts = 0;
    const duty = loadedWhenDue({ clock: { now: () => at('2026-12-07T10:00') }, officeHours: H }, () => {
      attempts += 1;
      if (attempts === 1) return Promise.reject(new Error('not yet'));
      return Promise.resolve(() => () => Promise.resolve('ran'));
    });
    await expect(duty()).rejects.toThrow('not yet');
    expect(await duty()).toBe('ran');
  });
});

describe('deadlineConflict', () => {
  const now = new Date('2026-11-16T09:00:00+08:00');
  const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000);
  test('passed, before the 签收 deadline, or nothing to say', () => {
    expect(deadlineConflict(at(-1), at(24), now)).toBe('resolve_passed');
    expect(deadlineConflict(now, null, now)).toBe('resolve_passed');
    expect(deadlineConflict(at(2), at(24), now)).toBe('resolve_before_accept');
    expect(deadlineConflict(at(48), at(24), now)).toBeNull();
    expect(deadlineConflict(at(2), null, now)).toBeNull();
    // Paused (no deadline running): nothing.
    expect(deadlineConflict(null, at(24), now)).toBeNull();
  });
});
