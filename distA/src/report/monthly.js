import { addCalendarDays, localDateOf } from '../pipeline/calendar.js';
import { breakdown, figures, hotWords, periodRange, trend } from '../stats/query.js';
import { loadRegions, subtreeIds } from '../web/console/scope.js';
import { overdueItems, reopenedItems } from './items.js';
import { liaisonWorkload } from './workload.js';
import { coverageByPlace } from '../visits/month-coverage.js';
import { themesAround } from '../themes/themes.js';
import { ledgerOfMonth } from '../ledger/month.js';
import { casesOfMonth } from './cases.js';
import { conversationFigures, conversationLines } from '../stats/conversations.js';
import { channelFigures } from '../stats/channels.js';
import { rankRegion } from '../ranking/ranking.js';
/** An argument of the report command is wrong; the message is one line, Chinese then English. */
export class ReportArgumentError extends Error {
    name = 'ReportArgumentError';
}
/** A month as the command takes it: YYYY-MM. */
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
/** Checks the month text; the range is worked out by the statistics' own calendar. */
export function parseMonth(month) {
    if (!MONTH.test(month))
        throw new ReportArgumentError(`月份格式应为 YYYY-MM（如 2026-10） --month must look like YYYY-MM (e.g. 2026-10), got "${month}"`);
    return month;
}
/** The first local date on or after `date` that falls on `day` of a month. */
function nextDayOfMonth(date, day) {
    let d = date;
    for (let i = 0; i < 62 && Number(d.slice(8, 10)) !== day; i++)
        d = addCalendarDays(d, 1);
    return d;
}
/** Finds the village, township or county the report is for. */
export async function reportRegion(db, code) {
    const regions = await loadRegions(db);
    const region = [...regions.values()].find((r) => r.code === code);
    if (!region)
        throw new ReportArgumentError(`没有编码为 ${code} 的区域 no region with code ${code}`);
    return { region, regions };
}
/** The places whose coverage the report shows: the region's children (a village: itself), each with its villages. */
function visitPlaces(regions, region) {
    const children = region.level === 'village' ? [region] : [...regions.values()].filter((r) => r.parentId === region.id);
    return children
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((r) => ({ name: r.name, code: r.code, villageIds: subtreeIds(regions, r.id).filter((id) => regions.get(id)?.level === 'village') }));
}
/** Gathers the report of `request.month` for the region. */
export async function buildMonthlyReport(db, request) {
    const month = parseMonth(request.month);
    const { region, regions } = await reportRegion(db, request.regionCode);
    const { from, to } = periodRange('month', new Date(`${month}-15T04:00:00Z`));
    const before = periodRange('month', new Date(from.getTime() - 1));
    const query = { scopeRegionId: region.id, from, to };
    const previousQuery = { ...query, from: before.from, to: before.to };
    const window = { regionIds: subtreeIds(regions, region.id), from, to, now: request.now };
    // Meetings after the month's data: the next 20th and 25th from its end (or from now, mid-month).
    const reference = localDateOf(request.now < to ? request.now : to);
    return {
        region,
        month,
        previousMonth: localDateOf(before.from).slice(0, 7),
        from,
        to,
        generatedAt: request.now,
        current: await figures(db, query),
        previous: await figures(db, previousQuery),
        categories: await breakdown(db, query, 'category'),
        previousCategories: await breakdown(db, previousQuery, 'category'),
        // The region's children: villages of a township, townships of the county; a village's grids.
        places: await breakdown(db, query, region.level === 'village' ? 'grid' : 'region'),
        departments: await breakdown(db, query, 'department'),
        trend: await trend(db, query, 'day'),
        words: await hotWords(db, query, 15),
        overdue: await overdueItems(db, window),
        reopened: await reopenedItems(db, window),
        workload: await liaisonWorkload(db, window),
        conversations: { figures: await conversationFigures(db, window), ...(await conversationLines(db, window, 50)) },
        channels: await channelFigures(db, window),
        visits: await coverageByPlace(db, visitPlaces(regions, region), { from, to }),
        themes: await themesAround(db, regions, region.id, month, request.now),
        ledger: await ledgerOfMonth(db, regions, region.id, { month, from, to, now: request.now }),
        cases: await casesOfMonth(db, subtreeIds(regions, region.id), { from, to, now: request.now }),
        ranking: region.level === 'village' ? null : await rankRegion(db, regions, { region, month, levels: ['village', 'department'] }),
        meetings: { village: nextDayOfMonth(reference, 20), township: nextDayOfMonth(reference, 25) },
    };
}
