/**
 * The monthly 民情分析 report of a village, a township or the county: the month's figures against
 * the previous month, the hot topics (categories and recurring words), the overdue and
 * reopened items with their owners, and the liaisons' workload. It is the material for
 * the village meeting 村务议政会 on the 20th and the township analysis meeting 民情分析会
 * on the 25th (DOMAIN.md, "Escalation rhythm").
 *
 * This module gathers the data; `./html.ts` writes it down.
 */
import type { Db } from '../db/client.js';
import { localDateOf, WorkCalendar } from '../pipeline/calendar.js';
import { nextMeetingDay } from '../meetings/schedule.js';
import { breakdown, figures, hotWords, periodRange, trend } from '../stats/query.js';
import type { Breakdown, Figures, HotWord, TrendPoint } from '../stats/types.js';
import { loadRegions, type RegionNode, subtreeIds } from '../org/regions.js';
import { type ItemList, type OverdueItem, overdueItems, type ReopenedItem, reopenedItems } from './items.js';
import { liaisonWorkload, type Workload } from './workload.js';
import { type CoverageFigures, coverageByPlace, type PlaceCoverage } from '../visits/month-coverage.js';
import { themesAround, type ThemeView } from '../themes/themes.js';
import { type LedgerMonth, ledgerOfMonth } from '../ledger/month.js';
import { type CasesMonth, casesOfMonth } from './cases.js';
import { conversationFigures, type ConversationFigures, type ConversationLine, conversationLines } from '../stats/conversations.js';
import { channelFigures, type ChannelFigures } from '../stats/channels.js';
import { rankRegion, type Rankings } from '../ranking/ranking.js';

/** An argument of the report command is wrong; the message is one line, Chinese then English. */
export class ReportArgumentError extends Error {
  override readonly name = 'ReportArgumentError';
}

/** A month as the command takes it: YYYY-MM. */
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** What the report is about. */
export interface MonthlyReportRequest {
  /** The township's (or county's) code, e.g. QH-01. */
  regionCode: string;
  /** YYYY-MM. */
  month: string;
  /** When the report is made (open and overdue counts are as of this moment). */
  now: Date;
  /** The working-day calendar the meetings move by; the repository's holiday data when not given. */
  calendar?: WorkCalendar;
}

/** Everything the report shows. */
export interface MonthlyReport {
  region: RegionNode;
  month: string;
  previousMonth: string;
  from: Date;
  to: Date;
  generatedAt: Date;
  current: Figures;
  previous: Figures;
  /** By category, this month and the previous one. */
  categories: Breakdown;
  previousCategories: Breakdown;
  /** Villages (of a township) or townships (of the county). */
  places: Breakdown;
  departments: Breakdown;
  trend: TrendPoint[];
  words: HotWord[];
  overdue: ItemList<OverdueItem>;
  reopened: ItemList<ReopenedItem>;
  workload: Workload;
  /** 人工: the month's conversations with staff, their figures and (the first) lines. */
  conversations: { figures: ConversationFigures; lines: ConversationLine[]; total: number };
  /** The month's requests by channel of receipt (chat platforms, 来访, 来电, 来信, 走访), 即办 among them. */
  channels: { rows: ChannelFigures[]; total: ChannelFigures };
  /** 包户 coverage in the month: by the region's children (or the village itself), and their total. */
  visits: { places: PlaceCoverage[]; total: CoverageFigures };
  /** 每月一题: the month's themes of the region, a region above or below it, with their progress. */
  themes: ThemeView[];
  /** 台账: the region's ledger items entered, due, done or late in the month. */
  ledger: LedgerMonth;
  /** 帮扶 and 调解: the cases of the region's villages in the month (src/report/cases.ts). */
  cases: CasesMonth;
  /** The 红黑榜 of the region's villages and departments (src/ranking/); null in a village's report. */
  ranking: Rankings | null;
  /** The meetings this report serves: the region's next village and township meetings (its settings, working days). */
  meetings: { village: string; township: string };
}

/** Checks the month text; the range is worked out by the statistics' own calendar. */
export function parseMonth(month: string): string {
  if (!MONTH.test(month)) throw new ReportArgumentError(`月份格式应为 YYYY-MM（如 2026-10） --month must look like YYYY-MM (e.g. 2026-10), got "${month}"`);
  return month;
}

/** Finds the village, township or county the report is for. */
export async function reportRegion(db: Db, code: string): Promise<{ region: RegionNode; regions: Map<number, RegionNode> }> {
  const regions = await loadRegions(db);
  const region = [...regions.values()].find((r) => r.code === code);
  if (!region) throw new ReportArgumentError(`没有编码为 ${code} 的区域 no region with code ${code}`);
  return { region, regions };
}

/** The places whose coverage the report shows: the region's children (a village: itself), each with its villages. */
function visitPlaces(regions: Map<number, RegionNode>, region: RegionNode): { name: string; code: string; villageIds: number[] }[] {
  const children = region.level === 'village' ? [region] : [...regions.values()].filter((r) => r.parentId === region.id);
  return children
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((r) => ({ name: r.name, code: r.code, villageIds: subtreeIds(regions, r.id).filter((id) => regions.get(id)?.level === 'village') }));
}

/** Gathers the report of `request.month` for the region. */
export async function buildMonthlyReport(db: Db, request: MonthlyReportRequest): Promise<MonthlyReport> {
  const month = parseMonth(request.month);
  const { region, regions } = await reportRegion(db, request.regionCode);
  const { from, to } = periodRange('month', new Date(`${month}-15T04:00:00Z`));
  const before = periodRange('month', new Date(from.getTime() - 1));
  const query = { scopeRegionId: region.id, from, to };
  const previousQuery = { ...query, from: before.from, to: before.to };
  const window = { regionIds: subtreeIds(regions, region.id), from, to, now: request.now };
  // Meetings after the month's data: the next ones from its end (or from now, mid-month).
  const reference = localDateOf(request.now < to ? request.now : to);
  const calendar = request.calendar ?? WorkCalendar.load();
  const meetingDay = (kind: 'village' | 'township') => nextMeetingDay(db, regions, calendar, region.id, kind, reference);
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
    meetings: { village: await meetingDay('village'), township: await meetingDay('township') },
  };
}
