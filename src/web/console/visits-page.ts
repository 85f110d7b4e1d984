/**
 * The visit log page 民情日记: the filter form, the month's coverage table with the
 * definitions of its figures, one page of visits, the way to the next page, and the CSV
 * exports of both.
 */
import { sqlOf, type Db } from '../../db/client.js';
import { oneOf } from '../../db/dialect.js';
import { all, defineQuery } from '../../db/sql.js';
import { formatLocal } from '../format.js';
import { bi, type Html, html, raw } from '../html.js';
import { type Column, tableHtml } from '../table.js';
import { CONSOLE_PATHS, notice } from './layout.js';
import { MAX_OPTIONS, type Option, regionOptions, select } from './queue-page.js';
import type { StaffScope } from './scope.js';
import type { RegionNode } from '../../org/regions.js';
import { coverageChart } from '../../visits/month-coverage.js';
import { coverageDefinitionsHtml, coverageFigureColumns } from './coverage-table.js';
import { type Confirmation, type CoverageRow, type GridCoverageRow, type VisitFilters, type VisitPage, type VisitRow, visitParams } from './visits.js';

/** 签字 as staff read it. */
const CONFIRMATION_NAMES: Record<Confirmation, string> = {
  confirmed: '已确认 属实 confirmed',
  disputed: '有出入 disputed',
  pending: '待确认 awaiting the household',
  unconfirmed: '未确认（无聊天） unconfirmed (no chat)',
};

/** 签字 of one visit in words: 有出入 with the household's words after it. */
function confirmationText(r: VisitRow): string {
  const name = CONFIRMATION_NAMES[r.confirmation];
  return r.confirmation === 'disputed' && r.comment ? `${name}：${r.comment}` : name;
}

/** The columns of the visit log, on the page and in the CSV alike. */
export const VISIT_COLUMNS: Column<VisitRow>[] = [
  { zh: '走访时间', en: 'visited', csv: (r) => formatLocal(r.visitedAt) },
  { zh: '村', en: 'village', csv: (r) => r.village },
  { zh: '户', en: 'household', csv: (r) => r.household, html: (r) => html`<a href="${CONSOLE_PATHS.households}/${r.householdCode}">${r.household}</a>` },
  { zh: '网格员', en: 'liaison', csv: (r) => r.liaison },
  { zh: '走访记录', en: 'notes', csv: (r) => r.notes, className: 'summary' },
  { zh: '照片', en: 'photos', csv: (r) => r.photos, className: 'num' },
  { zh: '语音', en: 'voice notes', csv: (r) => r.voices, className: 'num' },
  { zh: '签字', en: 'confirmation', csv: confirmationText },
  { zh: '评分', en: 'rating', csv: (r) => r.rating, className: 'num' },
];

/** The columns of the coverage table; rates in the CSV as percent numbers. */
export const COVERAGE_COLUMNS: Column<CoverageRow>[] = [
  {
    zh: '村',
    en: 'village',
    csv: (r) => (r.kind === 'total' ? '合计 Total' : r.kind === 'village' ? `${r.village} 小计 subtotal` : r.village),
  },
  { zh: '网格员', en: 'liaison', csv: (r) => r.liaison },
  ...coverageFigureColumns<CoverageRow>(),
];

/** The columns of the coverage by grid. */
export const GRID_COVERAGE_COLUMNS: Column<GridCoverageRow>[] = [{ zh: '网格', en: 'grid', csv: (r) => r.grid }, ...coverageFigureColumns<GridCoverageRow>()];

/** The liaisons working in the scope's regions (by their role's region), by code. */
const liaisonsQuery = defineQuery('console_visit_liaisons', (db, p: { regionIds: number[]; limit: number }, dialect) =>
  db
    .selectFrom('PersonRole as pr')
    .innerJoin('Person as p', 'p.id', 'pr.personId')
    .select(['p.id', 'p.name', 'p.code'])
    .distinct()
    .where('pr.role', '=', 'liaison')
    .where(oneOf(dialect, 'pr.regionId', p.regionIds))
    .orderBy('p.code')
    .limit(p.limit),
);

/** What the filter form offers, within the user's scope (a liaison list too long is left out: their id is typed instead). */
export interface VisitFormOptions {
  regions: Option[];
  liaisons: Option[] | null;
}

export async function visitFormOptions(db: Db, scope: StaffScope, regions: Map<number, RegionNode>): Promise<VisitFormOptions> {
  const liaisons = await all(sqlOf(db), liaisonsQuery, { regionIds: scope.regionIds, limit: MAX_OPTIONS + 1 });
  return {
    regions: regionOptions(scope, regions),
    liaisons: liaisons.length > MAX_OPTIONS ? null : liaisons.map((l) => ({ value: String(l.id), label: `${l.name} ${l.code}` })),
  };
}

const STATUS_OPTIONS: Option[] = (Object.entries(CONFIRMATION_NAMES) as [Confirmation, string][]).map(([value, label]) => ({ value, label }));

function filterForm(filters: VisitFilters, options: VisitFormOptions): Html {
  const p = visitParams(filters);
  const any = '全部 any';
  return html`<form method="get" action="${CONSOLE_PATHS.visits}" class="filters">
<label>${bi('月份', 'Month')}<input type="month" name="month" required value="${filters.month}"></label>
${select('region', bi('地区', 'Region'), options.regions, p.get('region') ?? undefined, any)}
${options.liaisons ? select('liaison', bi('网格员', 'Liaison'), options.liaisons, p.get('liaison') ?? undefined, any) : html`<label>${bi('网格员编号', 'Liaison id')}<input name="liaison" inputmode="numeric" value="${p.get('liaison') ?? ''}"></label>`}
${select('status', bi('签字', 'Confirmation'), STATUS_OPTIONS, filters.confirmation, any)}
<div class="buttons"><button type="submit">${bi('筛选', 'Filter')}</button> <a href="${CONSOLE_PATHS.visits}">${bi('清除', 'Reset')}</a></div>
</form>`;
}

/** Liaison lines the page shows at most (a county has thousands; its CSV has them all). */
export const MAX_COVERAGE_LINES = 200;

/**
 * The coverage lines the page shows: all of them for a township or smaller; for a scope
 * with more liaisons than {@link MAX_COVERAGE_LINES}, the village subtotals and the total
 * (a village chosen in the filter shows its liaisons), and of those too at most the first
 * ones. `hidden` says how many lines only the CSV holds.
 */
export function coverageShown(rows: readonly CoverageRow[]): { rows: CoverageRow[]; byVillage: boolean; hidden: number } {
  if (rows.filter((r) => r.kind === 'liaison').length <= MAX_COVERAGE_LINES) return { rows: [...rows], byVillage: false, hidden: 0 };
  const villages = rows.filter((r) => r.kind === 'village');
  const shown = [...villages.slice(0, MAX_COVERAGE_LINES), ...rows.filter((r) => r.kind === 'total')];
  return { rows: shown, byVillage: true, hidden: rows.length - shown.length };
}

/** The whole body of the visit log page. */
/** What the chart compares: the villages when there are several, else the liaisons of the one village. */
function chartLines(rows: readonly CoverageRow[]): { label: string; figures: CoverageRow }[] {
  const villages = rows.filter((r) => r.kind === 'village');
  const lines =
    villages.length > 1 ? villages.map((r) => ({ label: r.village, figures: r })) : rows.filter((r) => r.kind === 'liaison').map((r) => ({ label: r.liaison, figures: r }));
  return lines;
}

export function visitsBody(input: {
  filters: VisitFilters;
  after?: number;
  page: VisitPage;
  coverage: CoverageRow[];
  grids: GridCoverageRow[];
  options: VisitFormOptions;
  problems: string[];
}): Html {
  const { filters, page } = input;
  const query = visitParams(filters).toString();
  const next = page.next === null ? null : visitParams(filters, page.next).toString();
  const coverage = coverageShown(input.coverage);
  return html`<section class="visits">
<h1>${bi('民情日记', 'Visit log')} <a class="csv" href="${CONSOLE_PATHS.visitRules}">${bi('走访规则', 'Visit rules')}</a></h1>
${input.problems.length ? notice('error', html`${bi('以下筛选条件无效，已忽略：', 'These filters were not understood and are ignored:')} ${input.problems.join('；')}`) : ''}
${filterForm(filters, input.options)}
<section class="coverage">
<h2>${bi(`${filters.month} 包户走访覆盖`, `Coverage of paired households, ${filters.month}`)}
<a class="csv" href="${CONSOLE_PATHS.visitsCoverageCsv}?${query}" download>${bi('导出 CSV', 'Export CSV')}</a></h2>
${raw(coverageChart(chartLines(input.coverage), { id: 'visit-coverage', title: `${filters.month} 走访覆盖率 Coverage`, desc: '已走访户数 ÷ 包户数 households visited ÷ paired' }))}
${tableHtml(COVERAGE_COLUMNS, coverage.rows, { rowClass: (r) => (r.kind === 'liaison' ? null : 'subtotal') })}
${
  coverage.byVillage
    ? html`<p class="hint">${bi(
        `网格员较多，此处按村汇总（另有 ${coverage.hidden} 行）；选择一个村查看各网格员，CSV 含全部。`,
        `Many liaisons: shown by village (${coverage.hidden} more lines); choose a village to see its liaisons; the CSV has them all.`,
      )}</p>`
    : ''
}
${filters.confirmation ? html`<p class="hint">${bi('覆盖统计计入全部走访，不受签字筛选影响。', 'Coverage counts every visit, whatever the confirmation filter.')}</p>` : ''}
<section class="grid-coverage" id="coverage-grids">
<h3>${bi('按网格', 'By grid')} <a class="csv" href="${CONSOLE_PATHS.visitsGridsCsv}?${query}" download>${bi('导出 CSV', 'Export CSV')}</a></h3>
${tableHtml(GRID_COVERAGE_COLUMNS, input.grids.slice(0, MAX_COVERAGE_LINES), { empty: bi('没有结对户。', 'No paired household.') })}
${input.grids.length > MAX_COVERAGE_LINES ? html`<p class="hint">${bi(`仅显示前 ${MAX_COVERAGE_LINES} 个网格，共 ${input.grids.length} 个；CSV 含全部。`, `The first ${MAX_COVERAGE_LINES} of ${input.grids.length} grids; the CSV has them all.`)}</p>` : ''}
</section>
<section class="stats-definitions"><h3>${bi('指标口径', 'Definitions')}</h3>${coverageDefinitionsHtml()}</section>
</section>
<h2>${bi('走访记录', 'Visits')}</h2>
<p class="summary-line"><span class="count">${bi(`本页 ${page.rows.length} 条${page.next === null ? '' : '，后面还有'}`, `${page.rows.length} on this page${page.next === null ? '' : ', more after'}`)}</span>
<a class="csv" href="${CONSOLE_PATHS.visitsCsv}?${query}" download>${bi('导出 CSV（全部页）', 'Export CSV (all pages)')}</a></p>
${tableHtml(VISIT_COLUMNS, page.rows, { empty: bi('本月没有符合条件的走访记录。', 'No visit matches in this month.') })}
<nav class="pager">${input.after !== undefined ? html`<a href="${CONSOLE_PATHS.visits}?${query}">${bi('« 第一页', '« First page')}</a>` : ''}
${next ? html`<a rel="next" href="${CONSOLE_PATHS.visits}?${next}">${bi('下一页 »', 'Next page »')}</a>` : ''}</nav>
</section>`;
}
