/**
 * A scheduler duty: once a working day, after the office opens, the owners of the open
 * ledger items due within three working days, or late, are reminded in chat — each item
 * once a week (its `remindedWeek`, claimed in the same transaction as the push, so that
 * two processes never both send it).
 */
import { sqlOf, sqlTransaction } from '../db/client.js';
import { all, defineQuery, run } from '../db/sql.js';
import { logger } from '../log.js';
import { addCalendarDays, localDateOf, minutesOfDay } from '../pipeline/calendar.js';
import { DEFAULT_DAY_START_MINUTES } from '../pipeline/deadlines.js';
import { enqueuePush } from '../pipeline/outbox.js';
const log = logger('ledger');
/** Items due within this many working days are reminded of (practice-rules: three). */
const DUE_WITHIN_WORKING_DAYS = 3;
const dueQuery = defineQuery('ledger_due', (db, p) => db
    .selectFrom('LedgerItem')
    .select(['id', 'goal', 'deadline', 'ownerPersonId', 'ownerDepartmentId'])
    .where('status', '=', 'open')
    .where('deadline', '<=', p.horizon)
    .where((eb) => eb.or([eb('remindedWeek', 'is', null), eb('remindedWeek', '<>', p.week)]))
    .orderBy('id'));
const handlersQuery = defineQuery('ledger_department_handlers', (db, p) => db.selectFrom('PersonRole').select('personId').distinct().where('role', '=', 'department_handler').where('departmentId', '=', p.departmentId).orderBy('personId'));
const claimQuery = defineQuery('ledger_claim_reminder', (db, p) => db
    .updateTable('LedgerItem')
    .set({ remindedWeek: p.week })
    .where('id', '=', p.id)
    .where((eb) => eb.or([eb('remindedWeek', 'is', null), eb('remindedWeek', '<>', p.week)])));
/** The Monday of `date`'s week. */
function weekOf(date) {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return addCalendarDays(date, -((weekday + 6) % 7));
}
/** The working day `n` working days after `date`. */
function workingDaysAfter(calendar, date, n) {
    let day = date;
    for (let i = 0; i < n; i++)
        day = calendar.nextWorkingDay(day);
    return day;
}
/** The duty; each run resolves with the reminders queued. */
export function ledgerReminders(options) {
    let doneFor;
    return async () => {
        const now = options.clock.now();
        const today = localDateOf(now);
        if (doneFor === today || !options.calendar.isWorkingDay(today) || minutesOfDay(now) < (options.officeHours.dayStartMinutes ?? DEFAULT_DAY_START_MINUTES))
            return 0;
        const week = weekOf(today);
        const sql = sqlOf(options.db);
        const items = await all(sql, dueQuery, { horizon: workingDaysAfter(options.calendar, today, DUE_WITHIN_WORKING_DAYS), week });
        let sent = 0;
        for (const item of items) {
            const owners = item.ownerPersonId !== null
                ? [item.ownerPersonId]
                : item.ownerDepartmentId !== null
                    ? (await all(sql, handlersQuery, { departmentId: item.ownerDepartmentId })).map((r) => r.personId)
                    : [];
            const late = today > item.deadline;
            const claimed = await sqlTransaction(options.db, async (tx) => {
                if (!(await run(tx.sql, claimQuery, { id: item.id, week })))
                    return false;
                await enqueuePush(tx, owners, {
                    template: late ? 'ledger.reminder_late' : 'ledger.reminder_due',
                    params: { id: item.id, goal: item.goal, deadline: item.deadline },
                    actions: [{ label: 'ledger.report_progress', payload: `ledger:${item.id}` }],
                }, now);
                return true;
            });
            if (claimed)
                sent += owners.length;
        }
        log.info({ items: items.length, sent }, 'ledger reminders');
        doneFor = today;
        return sent;
    };
}
