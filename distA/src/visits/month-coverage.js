/**
 * A month's 包户 coverage, counted in the database per liaison and village: paired
 * households and how many of them their liaison visited, visiting days, visits, 签字 and
 * ratings. The console's visit log (src/web/console/visits.ts) and the monthly report
 * (src/report/monthly.ts) show these figures; the definitions are printed with them.
 */
import { sql } from 'kysely';
import { sqlOf } from '../db/client.js';
import { beijingDay, oneOf } from '../db/dialect.js';
import { all, defineQuery } from '../db/sql.js';
import { rankingChart } from '../stats/charts.js';
/**
 * Visiting days 走访天数: the distinct Beijing dates of the visits counted. The one
 * definition, counted in the database (a county's month is some 100,000 visits, not
 * shipped to JS for it): the console, the monthly report and the reminders use it.
 */
export function visitingDays(dialect, visitedAt) {
    return sql `count(distinct ${beijingDay(dialect, visitedAt)})`;
}
/** Per liaison and village (and grid): paired households, and how many of them the liaison visited in the month. */
const pairedQuery = defineQuery('visit_month_paired', (db, p, dialect) => db
    .selectFrom('Pairing as pr')
    .innerJoin('Household as h', 'h.id', 'pr.householdId')
    .leftJoin('HouseholdGrid as hg', (join) => join.onRef('hg.householdId', '=', 'h.id').on((eb) => eb(eb.val(p.byGrid), '=', eb.lit(1))))
    .select((eb) => [
    'pr.liaisonId',
    'h.regionId',
    'hg.gridId',
    eb.fn.countAll().as('paired'),
    eb.fn
        .sum(eb
        .case()
        .when(eb.exists(eb
        .selectFrom('Visit as v')
        .select('v.id')
        .whereRef('v.householdId', '=', 'h.id')
        .whereRef('v.liaisonId', '=', 'pr.liaisonId')
        .where('v.visitedAt', '>=', p.from)
        .where('v.visitedAt', '<', p.to)))
        .then(eb.lit(1))
        .else(eb.lit(0))
        .end())
        .as('visited'),
])
    .where(oneOf(dialect, 'h.regionId', p.regionIds))
    .where((eb) => eb.or([eb(eb.val(p.liaisonId), '=', eb.lit(0)), eb('pr.liaisonId', '=', p.liaisonId)]))
    .where((eb) => eb.or([eb(eb.val(p.gridId), '=', eb.lit(0)), eb('hg.gridId', '=', p.gridId)]))
    .groupBy(['pr.liaisonId', 'h.regionId', 'hg.gridId']));
/**
 * The month's visits of the regions per liaison and village, counted as the coverage
 * counts them (in the database: a county's month is some 100,000 visits).
 */
const monthVisitsQuery = defineQuery('visit_month_counts', (db, p, dialect) => db
    .selectFrom('Visit as v')
    .leftJoin('HouseholdGrid as hg', (join) => join.onRef('hg.householdId', '=', 'v.householdId').on((eb) => eb(eb.val(p.byGrid), '=', eb.lit(1))))
    .select((eb) => {
    const count = (when) => eb.fn.sum(eb.case().when(when).then(eb.lit(1)).else(eb.lit(0)).end());
    return [
        'v.liaisonId',
        'v.regionId',
        'hg.gridId',
        eb.fn.countAll().as('visits'),
        visitingDays(dialect, 'v.visitedAt').as('days'),
        count(eb('v.confirmation', '<>', 'unconfirmed')).as('askable'),
        count(eb('v.confirmation', 'in', ['confirmed', 'disputed'])).as('signed'),
        eb.fn.count('v.rating').as('ratings'),
        eb.fn.coalesce(eb.fn.sum('v.rating'), eb.lit(0)).as('ratingSum'),
    ];
})
    .where(oneOf(dialect, 'v.regionId', p.regionIds))
    .where('v.visitedAt', '>=', p.from)
    .where('v.visitedAt', '<', p.to)
    .where((eb) => eb.or([eb(eb.val(p.liaisonId), '=', eb.lit(0)), eb('v.liaisonId', '=', p.liaisonId)]))
    .where((eb) => eb.or([eb(eb.val(p.gridId), '=', eb.lit(0)), eb('hg.gridId', '=', p.gridId)]))
    .groupBy(['v.liaisonId', 'v.regionId', 'hg.gridId']));
export function emptyFigures() {
    return { paired: 0, visited: 0, days: 0, visits: 0, askable: 0, signed: 0, ratings: 0, ratingSum: 0 };
}
export function addInto(total, part) {
    for (const key of Object.keys(total))
        total[key] += part[key];
}
/** A share as a percentage with one decimal, or null when nothing could count (0/0). */
export function percent(part, whole) {
    return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}
/** The average rating with one decimal, or null when no visit was rated. */
export function averageRating(f) {
    return f.ratings > 0 ? Math.round((f.ratingSum / f.ratings) * 10) / 10 : null;
}
/**
 * Per liaison and village in `regionIds`: paired households, and how many of them the
 * liaison visited in [from, to) — the 走访覆盖率 alone (the ranking needs no more).
 */
export async function visitedOfPaired(db, params) {
    // PostgreSQL answers counts and sums as bigint text.
    return (await all(sqlOf(db), pairedQuery, { ...params, byGrid: 0, gridId: 0 })).map((r) => ({
        liaisonId: r.liaisonId,
        regionId: r.regionId,
        paired: Number(r.paired),
        visited: Number(r.visited),
    }));
}
/** The figures of each liaison and village in `regionIds` for [from, to); one liaison only when `liaisonId` is not 0. */
export async function coverageByLiaison(db, params) {
    return coverageLines(db, { ...params, byGrid: 0, gridId: 0 });
}
/**
 * The figures of each liaison, village and grid (the households' grids) in `regionIds`
 * for [from, to); one grid only when `gridId` is not 0. A household in several grids
 * counts in each: add lines up per grid, never per village.
 */
export async function coverageByGridLines(db, params) {
    return coverageLines(db, { ...params, byGrid: 1 });
}
async function coverageLines(db, params) {
    const sql = sqlOf(db);
    const [paired, visits] = await Promise.all([all(sql, pairedQuery, params), all(sql, monthVisitsQuery, params)]);
    const lines = new Map();
    const lineOf = (liaisonId, regionId, gridId) => {
        const key = `${regionId}:${liaisonId}:${gridId ?? ''}`;
        let line = lines.get(key);
        if (!line)
            lines.set(key, (line = { liaisonId, regionId, gridId, figures: emptyFigures() }));
        return line.figures;
    };
    // PostgreSQL answers counts and sums as bigint text.
    for (const row of paired)
        Object.assign(lineOf(row.liaisonId, row.regionId, row.gridId), { paired: Number(row.paired), visited: Number(row.visited) });
    for (const row of visits) {
        Object.assign(lineOf(row.liaisonId, row.regionId, row.gridId), {
            days: Number(row.days),
            visits: Number(row.visits),
            askable: Number(row.askable),
            signed: Number(row.signed),
            ratings: Number(row.ratings),
            ratingSum: Number(row.ratingSum),
        });
    }
    return [...lines.values()];
}
/**
 * A month's coverage by place: each of `places` (regions with the villages under them),
 * then their total. Villages outside every place do not count.
 */
export async function coverageByPlace(db, places, month) {
    const placeOf = new Map();
    places.forEach((place, index) => place.villageIds.forEach((id) => placeOf.set(id, index)));
    const out = places.map((p) => ({ name: p.name, code: p.code, figures: emptyFigures() }));
    const total = emptyFigures();
    for (const line of await coverageByLiaison(db, { regionIds: [...placeOf.keys()], ...month, liaisonId: 0 })) {
        const index = placeOf.get(line.regionId);
        if (index === undefined)
            continue;
        addInto(out[index].figures, line.figures);
        addInto(total, line.figures);
    }
    return { places: out, total };
}
/**
 * 走访覆盖率 as a ranking chart (SVG): the highest first, each bar with its rate and
 * households ("66.7%（2/3）"); places or liaisons with no paired household are left out.
 */
export function coverageChart(items, chart) {
    const bars = items
        .filter((item) => item.figures.paired > 0)
        .map((item) => ({
        label: item.label,
        value: item.figures.visited / item.figures.paired,
        display: `${percent(item.figures.visited, item.figures.paired) ?? 0}%（${item.figures.visited}/${item.figures.paired}）`,
    }))
        .sort((a, b) => b.value - a.value);
    return rankingChart({ ...chart, items: bars, max: 1 });
}
