/**
 * 包户走访 on the statistics page: the month's 走访覆盖率 and 签字率 as figure cards, the
 * breakdowns by township, village and grid (whichever lie below the region), their
 * definitions, and the CSV of each breakdown. Coverage is monthly (every paired household
 * is visited each month): the month shown is the one the period ends in.
 */
import { toCsv } from '../csv.js';
import { bi, html } from '../html.js';
import { csvHeader, csvRow } from '../table.js';
import { percent } from '../../visits/month-coverage.js';
import { coverageDefinitionsHtml, coverageFigureColumns } from './coverage-table.js';
/** The statistics CSV tables of the coverage breakdowns (`/console/stats/export?table=…`). */
export const COVERAGE_TABLES = { 'visits-township': 'township', 'visits-village': 'village', 'visits-grid': 'grid' };
const PLACE_TITLES = { township: ['按乡镇', 'By township'], village: ['按村', 'By village'], grid: ['按网格', 'By grid'] };
const COLUMNS = [{ zh: '名称', en: 'name', csv: (r) => r.label }, ...coverageFigureColumns()];
function rateText(part, whole) {
    const value = percent(part, whole);
    return value === null ? '—' : `${value}%`;
}
/** The two figure cards (inside the page's figure grid). */
export function coverageCardsHtml(coverage) {
    const t = coverage.total;
    // Names as plain text, as the other cards': '走访覆盖率 Visit coverage'.
    const card = (key, name, value, hint) => html `<div class="figure" data-figure="${key}">
  <div class="name">${name}</div>
  <div class="value">${value}</div>
  <div class="hint">${hint}</div>
</div>`;
    return html `${card('visitCoverage', '走访覆盖率 Visit coverage', rateText(t.visited, t.paired), bi(`${coverage.month} · ${t.visited}/${t.paired} 户`, 'households'))}${card('visitSigned', '签字率 Visits signed', rateText(t.signed, t.askable), bi(`${coverage.month} · ${t.signed}/${t.askable} 次`, 'visits'))}`;
}
/** The breakdown tables with their CSV links, and the definitions. */
export function coverageSectionHtml(coverage, csvLink, maxRows) {
    const tableOf = (place) => Object.keys(COVERAGE_TABLES).find((t) => COVERAGE_TABLES[t] === place);
    return html `<section class="stats-visits" id="visit-coverage">
<h2>${bi(`${coverage.month} 包户走访`, `Visits to paired households, ${coverage.month}`)}</h2>
<p class="hint">${bi('按月统计（统计周期结束所在的月份）；部门、事项分类筛选不适用。', 'Counted by month (the month the period ends in); the department and category filters do not apply.')}</p>
${coverage.breakdowns.map(({ place, rows }) => {
        const lines = [...rows.slice(0, maxRows).map(lineOf), { label: '合计 Total', ...coverage.total }];
        return html `<section class="stats-table" id="table-${tableOf(place)}">
<h3>${bi(...PLACE_TITLES[place])} <a class="csv" href="${csvLink(tableOf(place))}" download>${bi('导出 CSV', 'Export CSV')}</a></h3>
<div class="table-wrap"><table><thead><tr>${COLUMNS.map((c) => html `<th scope="col">${bi(c.zh, c.en)}</th>`)}</tr></thead>
<tbody>${lines.map((line) => html `<tr>${COLUMNS.map((c, i) => (i === 0 ? html `<th scope="row">${line.label}</th>` : html `<td class="num">${c.html ? c.html(line) : String(c.csv(line) ?? '')}</td>`))}</tr>`)}</tbody></table></div>
${rows.length > maxRows ? html `<p class="hint">${bi(`仅显示前 ${maxRows} 行，共 ${rows.length} 行；CSV 含全部`, `first ${maxRows} of ${rows.length} rows; the CSV has all`)}</p>` : ''}
</section>`;
    })}
<section class="stats-definitions"><h3>${bi('走访指标口径', 'Definitions of the visit figures')}</h3>${coverageDefinitionsHtml()}</section>
</section>`;
}
function lineOf(row) {
    return { label: row.label, ...row.figures };
}
/** One breakdown as CSV (rows, then the region's total), or null when the region has none by that place. */
export function coverageCsv(coverage, table) {
    const found = coverage.breakdowns.find((b) => b.place === COVERAGE_TABLES[table]);
    if (!found)
        return null;
    const rows = [...found.rows.map((row) => [row.key, ...csvRow(COLUMNS, lineOf(row))]), ['', ...csvRow(COLUMNS, { label: '合计 total', ...coverage.total })]];
    return toCsv(['编号 key', ...csvHeader(COLUMNS)], rows);
}
