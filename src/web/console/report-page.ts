/**
 * The monthly report 民情分析 from the console: `/console/report` chooses a region of the
 * user's and a month (the last whole one by default), `/console/report.html` answers the
 * report itself, the same self-contained document `npm run report` writes (print it, or save
 * it, from the browser). Region roles only (dispatchers, supervisors, admins), their own
 * regions only: another region answers 404, as a ticket outside the scope does.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import type { WorkCalendar } from '../../pipeline/calendar.js';
import { localDateOf } from '../../pipeline/calendar.js';
import { type RegionNode } from '../../org/regions.js';
import { lastWholeMonth } from '../../ranking/ranking.js';
import { PRINT_STYLE, renderMonthlyReport } from '../../report/html.js';
import { buildMonthlyReport } from '../../report/monthly.js';
import { SECURITY_HEADERS } from '../http.js';
import { bi, type Html, html } from '../html.js';
import { formId } from './form-numbers.js';
import { CONSOLE_PATHS, notice } from './layout.js';
import { regionOptions, select } from './queue-page.js';
import type { StaffScope } from './scope.js';

/** How many past months the chooser links to directly. */
const RECENT_MONTHS = 6;

/** Whether the user may make reports: a region role (the report is a region's). */
export function hasReports(scope: StaffScope): boolean {
  return scope.regionIds.length > 0;
}

/** The link to a region's report of `month` (YYYY-MM). */
export function reportLink(regionId: number, month: string): string {
  return `${CONSOLE_PATHS.reportHtml}?${new URLSearchParams({ region: String(regionId), month }).toString()}`;
}

/** The month before `month` (YYYY-MM). */
function monthBefore(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** What a query string asks for, checked against the scope; `problems` say what was refused (Chinese then English). */
export interface ReportRequest {
  region: RegionNode;
  month: string;
  problems: string[];
  /** The region asked for lies outside the user's regions (or does not exist): 404 for the document. */
  outside: boolean;
}

/** Reads `region` (an id of the scope's) and `month` (YYYY-MM, not after this month); the scope's top region and the last whole month by default. */
export function parseReportParams(params: URLSearchParams, scope: StaffScope, regions: Map<number, RegionNode>, now: Date): ReportRequest | null {
  const top = scope.topRegions[0];
  if (!top) return null;
  const problems: string[] = [];
  let region = top;
  let outside = false;
  const regionText = params.get('region')?.trim();
  if (regionText) {
    const id = formId(regionText);
    const found = id === null ? undefined : regions.get(id);
    if (found && scope.regionIds.includes(found.id)) region = found;
    else {
      outside = true;
      problems.push(`地区 region: ${regionText}（不在您的工作范围内 not in your area）`);
    }
  }
  const thisMonth = localDateOf(now).slice(0, 7);
  let month = lastWholeMonth(now);
  const monthText = params.get('month')?.trim();
  if (monthText) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(monthText)) problems.push(`月份 month: ${monthText}（应为 YYYY-MM must look like YYYY-MM）`);
    else if (monthText > thisMonth) problems.push(`月份 month: ${monthText}（尚未开始 not begun yet）`);
    else month = monthText;
  }
  return { region, month, problems, outside };
}

/** The chooser: a region of the user's and a month, and the recent months of the chosen region as links. */
export function reportChooserBody(request: ReportRequest, scope: StaffScope, regions: Map<number, RegionNode>, now: Date): Html {
  const months: string[] = [];
  for (let m = lastWholeMonth(now); months.length < RECENT_MONTHS; m = monthBefore(m)) months.push(m);
  const thisMonth = localDateOf(now).slice(0, 7);
  return html`<section class="report-chooser">
<h1>${bi('月报（民情分析报告）', 'Monthly report')}</h1>
${request.problems.length ? notice('error', html`${bi('以下条件无效，已忽略：', 'These were not understood and are ignored:')} ${request.problems.join('；')}`) : ''}
<p>${bi(
    '每月的指标与上月对比、热点、各村（镇）情况、超期与督办、每月一题、台账和会议安排，供村务议政会和民情分析会使用；可在浏览器中打印或存为 PDF。',
    "The month's figures against the previous month, hot topics, places, overdue and supervised requests, the theme of the month, the ledger and the meetings, for the village meeting and the township analysis meeting; print it or save it as PDF from the browser.",
  )}</p>
<form method="get" action="${CONSOLE_PATHS.reportHtml}" class="filters">
${select('region', bi('地区', 'Region'), regionOptions(scope, regions), String(request.region.id))}
<label>${bi('月份', 'Month')}<input type="month" name="month" required value="${request.month}" max="${thisMonth}"></label>
<div class="buttons"><button type="submit">${bi('生成月报', 'Make the report')}</button></div>
</form>
<h2>${bi(`${request.region.name}近几个月`, `${request.region.name}, recent months`)}</h2>
<ul class="report-months">${months.map((m) => html`<li><a href="${reportLink(request.region.id, m)}">${m} ${bi('民情分析报告', 'monthly report')}</a></li>`)}</ul>
</section>`;
}

/**
 * The report's own stylesheet is inline (the document stands alone, as the file `npm run report` writes): the
 * console's policy allows it by its hash and nothing else inline.
 */
const REPORT_HEADERS: Record<string, string> = {
  'content-security-policy': (SECURITY_HEADERS['content-security-policy'] ?? '').replace(
    "style-src 'self'",
    `style-src 'self' 'sha256-${createHash('sha256').update(PRINT_STYLE).digest('base64')}'`,
  ),
};

/** The report document and the headers to answer it with. */
export async function reportDocument(db: Db, request: ReportRequest, now: Date, calendar: WorkCalendar): Promise<{ html: string; headers: Record<string, string> }> {
  const report = await buildMonthlyReport(db, { regionCode: request.region.code, month: request.month, now, calendar });
  return { html: renderMonthlyReport(report), headers: REPORT_HEADERS };
}
