const MS_PER_DAY = 86_400_000;
const OFFSET_MS = 8 * 3_600_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A statistics query refused (a bad period, range or scope): the message names the problem. */
export class StatsQueryError extends RangeError {
    name = 'StatsQueryError';
}
/** Days since 1970-01-01 of the local (UTC+8) date of an instant given in ms. */
export function localDayNumber(ms) {
    return Math.floor((ms + OFFSET_MS) / MS_PER_DAY);
}
/** The local date of a day number. */
export function dayNumberDate(day) {
    return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}
/** The day number of a local date. */
export function dateDayNumber(date) {
    const m = LOCAL_DATE.exec(date);
    if (!m)
        throw new StatsQueryError(`not a date (YYYY-MM-DD): ${date}`);
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (dayNumberDate(ms / MS_PER_DAY) !== date)
        throw new StatsQueryError(`no such date: ${date}`);
    return ms / MS_PER_DAY;
}
/** The day number a bucket containing `day` starts on (Monday for weeks, the 1st for months). */
export function bucketStartDay(bucket, day) {
    switch (bucket) {
        case 'day':
            return day;
        case 'week':
            // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
            return day - ((((day + 3) % 7) + 7) % 7);
        case 'month':
            return dateDayNumber(`${dayNumberDate(day).slice(0, 8)}01`);
    }
}
/** The day number the bucket after the one starting on `start` starts on. */
export function nextBucketStartDay(bucket, start) {
    switch (bucket) {
        case 'day':
            return start + 1;
        case 'week':
            return start + 7;
        case 'month': {
            const date = dayNumberDate(start);
            const year = Number(date.slice(0, 4));
            const month = Number(date.slice(5, 7));
            return Date.UTC(month === 12 ? year + 1 : year, month === 12 ? 0 : month, 1) / MS_PER_DAY;
        }
    }
}
/** The instant a local day number starts (00:00 Beijing time). */
export function dayStart(day) {
    return new Date(day * MS_PER_DAY - OFFSET_MS);
}
/**
 * The range of a period around `anchor`: the local day, the week (Monday to Sunday) or
 * the calendar month that contains it; `custom` returns the range given, checked.
 * @throws StatsQueryError for a custom period without a range, or an empty one.
 */
export function periodRange(period, anchor, custom) {
    if (period === 'custom') {
        if (!custom)
            throw new StatsQueryError('a custom period needs from and to');
        return checkedRange(custom.from, custom.to);
    }
    if (Number.isNaN(anchor.getTime()))
        throw new StatsQueryError('invalid anchor date');
    const start = bucketStartDay(period, localDayNumber(anchor.getTime()));
    return { from: dayStart(start), to: dayStart(nextBucketStartDay(period, start)) };
}
/**
 * The range of whole local days from `first` to `last`, both included (what a date
 * picker gives): [first 00:00, the day after last 00:00) Beijing time.
 * @throws StatsQueryError for a malformed date or `last` before `first`.
 */
export function dayRange(first, last) {
    return checkedRange(dayStart(dateDayNumber(first)), dayStart(dateDayNumber(last) + 1));
}
function checkedRange(from, to) {
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
        throw new StatsQueryError('invalid date in the range');
    if (to.getTime() <= from.getTime())
        throw new StatsQueryError('the range ends before it starts');
    return { from, to };
}
