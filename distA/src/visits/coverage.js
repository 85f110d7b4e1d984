/**
 * 包户 coverage: which paired households a liaison still has to visit, by the region's
 * rules, and the reminders that tell them so in their chat.
 *
 * Rules (practice-rules.md, "民情日记 and visits"; per region, inherited from the region
 * above, these defaults at the top): every paired household is visited in each calendar
 * month; a 重点 household (Household.keyReason: in difficulty, elderly living alone, in a
 * dispute) at least every `keyEveryDays` days; a liaison visits on at least
 * `daysPerMonth` days a month.
 *
 * Reminders: on the first working day of each week (after the office opens), a liaison
 * with households due hears which; when five working days are left in the month, again,
 * with the visiting days still missing. One per liaison and period (`VisitReminder`),
 * whichever process gets there first; only to liaisons with a chat (a week's reminder
 * kept waiting for a chat bound months later would be noise). A grid leader hears, at the
 * same times, how many households of their grids are due, by liaison (one message per
 * period too: a grid leader is often a liaison as well, and gets both).
 */
import { sqlOf, sqlTransaction } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, run } from '../db/sql.js';
import { logger } from '../log.js';
import { addCalendarDays, localDateOf, localInstant, minutesOfDay } from '../pipeline/calendar.js';
import { DEFAULT_DAY_START_MINUTES } from '../pipeline/deadlines.js';
import { enqueuePush } from '../pipeline/outbox.js';
import { visitingDays } from './month-coverage.js';
const log = logger('visits');
/** The county's rules unless a region says otherwise (practice-rules.md). */
export const VISIT_RULE_DEFAULTS = { keyEveryDays: 7, daysPerMonth: 4 };
/** Working days left in the month (today included) when the month-end reminder goes. */
const MONTH_END_WORKING_DAYS = 5;
/** Households named in one reminder; the rest are counted. */
const NAMED = 10;
const DAY = 86_400_000;
const regionRulesQuery = defineQuery('coverage_region_rules', (db) => db.selectFrom('Region').select(['id', 'parentId', 'visitKeyEveryDays', 'visitDaysPerMonth']).orderBy('id'));
/** Liaisons with paired households, read in batches (see `coverageNow`). */
const liaisonsQuery = defineQuery('coverage_liaisons', (db) => db.selectFrom('Pairing').select('liaisonId').distinct().orderBy('liaisonId'));
/** Each paired household of the liaisons with its last visit (named `visitedAt`: decoded as a date on both databases). */
const pairedQuery = defineQuery('coverage_paired', (db, p, dialect) => db
    .selectFrom('Pairing as pr')
    .innerJoin('Household as h', 'h.id', 'pr.householdId')
    .select((eb) => [
    'pr.liaisonId',
    'h.id',
    'h.address',
    'h.headName',
    'h.keyReason',
    'h.regionId',
    eb
        .selectFrom('Visit as v')
        .select((v) => v.fn.max('v.visitedAt').as('m'))
        .whereRef('v.householdId', '=', 'h.id')
        .as('visitedAt'),
])
    .where(oneOf(dialect, 'pr.liaisonId', p.liaisonIds))
    .orderBy('pr.liaisonId')
    .orderBy('h.address')
    .orderBy('h.id'));
/** Each liaison's visiting days since `since` (counted as the console counts them). */
const visitingDaysQuery = defineQuery('coverage_visiting_days', (db, p, dialect) => db
    .selectFrom('Visit as v')
    .select(['v.liaisonId', visitingDays(dialect, 'v.visitedAt').as('days')])
    .where(oneOf(dialect, 'v.liaisonId', p.liaisonIds))
    .where('v.visitedAt', '>=', p.since)
    .groupBy('v.liaisonId'));
/**
 * Liaisons per batch. On SQLite a query holds the thread that serves messages: a county
 * of 110,000 households read in one pass held it ~1 s (npm run bench:visits); a batch
 * of this many liaisons (~5,000 households) holds it for tens of milliseconds, and
 * messages are served between batches.
 */
const LIAISONS_PER_BATCH = 500;
/** The liaisons among `ids` with a chat to remind them in. */
const reachableQuery = defineQuery('coverage_reachable', (db, p, dialect) => db
    .selectFrom('ChannelIdentity')
    .select('personId')
    .distinct()
    .where(oneOf(dialect, 'personId', p.ids))
    .where('unreachableAt', 'is', null));
const claimReminderQuery = defineQuery('coverage_claim_reminder', (db, p) => db
    .insertInto('VisitReminder')
    .values({ personId: p.personId, period: p.period, sentAt: p.at })
    .onConflict((oc) => oc.columns(['personId', 'period']).doNothing()));
/** Each grid leader with the households of their grid and the liaisons' names. */
const gridLeadersQuery = defineQuery('coverage_grid_leaders', (db) => db
    .selectFrom('PersonRole as r')
    .innerJoin('HouseholdGrid as hg', 'hg.gridId', 'r.gridId')
    .innerJoin('Pairing as pr', 'pr.householdId', 'hg.householdId')
    .innerJoin('Person as l', 'l.id', 'pr.liaisonId')
    .select(['r.personId as leaderId', 'hg.householdId', 'l.name as liaison'])
    .where('r.role', '=', 'grid_leader')
    .orderBy('r.personId')
    .orderBy('hg.householdId'));
/** Each region's rules, resolved up its tree. */
function rulesByRegion(rows) {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const resolved = new Map();
    const resolve = (id, depth = 0) => {
        if (id === null || depth > 10)
            return VISIT_RULE_DEFAULTS;
        const done = resolved.get(id);
        if (done)
            return done;
        const row = byId.get(id);
        const above = resolve(row?.parentId ?? null, depth + 1);
        const rules = { keyEveryDays: row?.visitKeyEveryDays ?? above.keyEveryDays, daysPerMonth: row?.visitDaysPerMonth ?? above.daysPerMonth };
        resolved.set(id, rules);
        return rules;
    };
    return (regionId) => resolve(regionId);
}
/** The first instant of the Beijing month of `now`. */
function monthStart(now) {
    return localInstant(`${localDateOf(now).slice(0, 7)}-01`, 0);
}
/** Every liaison's households due at `now` and visiting days this month. */
export async function coverageNow(db, now, liaisonsPerBatch = LIAISONS_PER_BATCH) {
    const sql = sqlOf(db);
    const rulesOf = rulesByRegion(await all(sql, regionRulesQuery, {}));
    const since = monthStart(now);
    const liaisons = (await all(sql, liaisonsQuery, {})).map((r) => r.liaisonId);
    const byLiaison = new Map();
    for (let start = 0; start < liaisons.length; start += liaisonsPerBatch) {
        if (start > 0)
            await new Promise((resolve) => setImmediate(resolve));
        const liaisonIds = liaisons.slice(start, start + liaisonsPerBatch);
        addBatch(byLiaison, await all(sql, pairedQuery, { liaisonIds }), await all(sql, visitingDaysQuery, { since, liaisonIds }), rulesOf, since, now);
    }
    // 重点 households first, then the longest unvisited.
    for (const entry of byLiaison.values())
        entry.due.sort((a, b) => (a.why === b.why ? (a.lastVisitedAt?.getTime() ?? 0) - (b.lastVisitedAt?.getTime() ?? 0) : a.why === 'key' ? -1 : 1));
    return [...byLiaison.values()];
}
/** Adds one batch of liaisons' households and this month's visiting days to `byLiaison`. */
function addBatch(byLiaison, paired, visitingDaysOf, rulesOf, since, now) {
    // PostgreSQL answers counts as bigint text.
    const days = new Map(visitingDaysOf.map((row) => [row.liaisonId, Number(row.days)]));
    for (const h of paired) {
        const rules = rulesOf(h.regionId);
        let entry = byLiaison.get(h.liaisonId);
        if (!entry) {
            entry = { liaisonId: h.liaisonId, due: [], visitingDays: days.get(h.liaisonId) ?? 0, requiredDays: 0 };
            byLiaison.set(h.liaisonId, entry);
        }
        entry.requiredDays = Math.max(entry.requiredDays, rules.daysPerMonth);
        const last = h.visitedAt;
        const keyDue = h.keyReason !== null && (last === null || now.getTime() - last.getTime() >= rules.keyEveryDays * DAY);
        const monthDue = last === null || last < since;
        if (keyDue || monthDue)
            entry.due.push({ id: h.id, address: h.address, headName: h.headName, keyReason: h.keyReason, lastVisitedAt: last, why: keyDue ? 'key' : 'month' });
    }
}
/** The reminder period `today` opens, if any: the week's first working day, or five working days before the month ends. */
export function reminderPeriods(calendar, today) {
    if (!calendar.isWorkingDay(today))
        return [];
    const periods = [];
    // The first working day of its week (Monday-based): no working day before it since Monday.
    const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
    const monday = addCalendarDays(today, -weekday);
    let earlier = false;
    for (let d = monday; d < today; d = addCalendarDays(d, 1))
        if (calendar.isWorkingDay(d))
            earlier = true;
    if (!earlier)
        periods.push(`week:${monday}`);
    let left = 0;
    for (let d = today; d.slice(0, 7) === today.slice(0, 7); d = addCalendarDays(d, 1))
        if (calendar.isWorkingDay(d))
            left++;
    if (left === MONTH_END_WORKING_DAYS)
        periods.push(`month-end:${today.slice(0, 7)}`);
    return periods;
}
/** The reminder's words for a liaison, or null when nothing is due. */
function reminderOf(entry, monthEnd) {
    const shortDays = Math.max(0, entry.requiredDays - entry.visitingDays);
    if (!entry.due.length && !(monthEnd && shortDays > 0))
        return null;
    const named = entry.due.slice(0, NAMED).map((h) => `${h.address} ${h.headName}${h.why === 'key' ? `（重点：${h.keyReason ?? ''}）` : ''}`);
    return {
        template: 'visit.reminder',
        params: {
            count: entry.due.length,
            keys: entry.due.filter((h) => h.why === 'key').length,
            households: named.join('、') + (entry.due.length > NAMED ? ` 等` : ''),
            days: entry.visitingDays,
            required: entry.requiredDays,
        },
    };
}
/** A grid leader's overview: the households of their grids still due, by liaison, or null when none is. */
function overviewOf(rows, due) {
    const byLiaison = new Map();
    for (const row of rows)
        if (due.has(row.householdId))
            byLiaison.set(row.liaison, (byLiaison.get(row.liaison) ?? 0) + 1);
    if (!byLiaison.size)
        return null;
    const count = [...byLiaison.values()].reduce((a, b) => a + b, 0);
    const liaisons = [...byLiaison].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${n} 户`);
    return { template: 'visit.reminder_leader', params: { count, liaisons: liaisons.join('、') } };
}
/**
 * A scheduler duty: once a working day, after the office opens, sends the reminders of
 * the periods that day opens. Cheap on every other tick (a date comparison).
 */
export function visitReminders(options) {
    let doneFor;
    return async () => {
        const now = options.clock.now();
        const today = localDateOf(now);
        if (doneFor === today || minutesOfDay(now) < (options.officeHours.dayStartMinutes ?? DEFAULT_DAY_START_MINUTES))
            return 0;
        const periods = reminderPeriods(options.calendar, today);
        let sent = 0;
        if (periods.length) {
            const sql = sqlOf(options.db);
            const entries = await coverageNow(options.db, now);
            const due = new Set(entries.flatMap((e) => e.due.map((h) => h.id)));
            const leaders = new Map();
            for (const row of await all(sql, gridLeadersQuery, {})) {
                let rows = leaders.get(row.leaderId);
                if (!rows)
                    leaders.set(row.leaderId, (rows = []));
                rows.push(row);
            }
            const messages = periods.flatMap((period) => [
                ...entries.map((entry) => ({ personId: entry.liaisonId, period, push: reminderOf(entry, period.startsWith('month-end:')) })),
                // Its own period key: a grid leader who is a liaison too gets both.
                ...[...leaders].map(([leaderId, rows]) => ({ personId: leaderId, period: `grid-${period}`, push: overviewOf(rows, due) })),
            ]);
            // A reminder is for this week: one that a person without a chat would read only when they bind one is noise, not sent.
            const reachable = new Set((await all(sql, reachableQuery, { ids: [...new Set(messages.map((m) => m.personId))] })).map((r) => r.personId));
            for (const { personId, period, push } of messages) {
                if (!push || !reachable.has(personId))
                    continue;
                const claimed = await sqlTransaction(options.db, async (tx) => {
                    if (!(await run(tx.sql, claimReminderQuery, { personId, period, at: now })))
                        return false;
                    await enqueuePush(tx, [personId], push, now);
                    return true;
                });
                if (claimed)
                    sent++;
            }
            log.info({ periods, sent }, 'visit reminders');
        }
        doneFor = today;
        return sent;
    };
}
