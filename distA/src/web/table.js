/**
 * A table is defined once, as columns, and rendered either as HTML on the page or as the
 * CSV download of the same table, so the export always has what the page shows.
 */
import { BOM, csvLine } from './csv.js';
import { bi, html } from './html.js';
/** The header line of a CSV: "编号 number". */
export function csvHeader(columns) {
    return columns.map((c) => `${c.zh} ${c.en}`);
}
/** The CSV cells of one row. */
export function csvRow(columns, row) {
    return columns.map((c) => c.csv(row));
}
/** The whole table as a CSV file's text: BOM, header, rows. */
export function tableCsv(columns, rows) {
    return BOM + csvLine(csvHeader(columns)) + rows.map((r) => csvLine(csvRow(columns, r))).join('');
}
/** The HTML table; `empty` shows when there are no rows. */
export function tableHtml(columns, rows, options = {}) {
    if (!rows.length && options.empty)
        return html `<p class="empty">${options.empty}</p>`;
    return html `<div class="table-wrap"><table class="${options.className ?? 'data'}">
<thead><tr>${columns.map((c) => html `<th>${bi(c.zh, c.en)}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html `<tr${options.rowClass?.(r) ? html ` class="${options.rowClass(r) ?? ''}"` : ''}>${columns.map((c) => html `<td${c.className ? html ` class="${c.className}"` : ''}>${c.html ? c.html(r) : String(c.csv(r) ?? '')}</td>`)}</tr>\n`)}</tbody>
</table></div>`;
}
