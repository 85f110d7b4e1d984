/**
 * A table is defined once, as columns, and rendered either as HTML on the page or as the
 * CSV download of the same table, so the export always has what the page shows.
 */
import { BOM, csvLine } from './csv.js';
import { bi, type Html, html, type HtmlValue } from './html.js';

export type CsvValue = string | number | boolean | null | undefined;

/** One column: its heading in Chinese and English, its CSV value and (if richer) its HTML. */
export interface Column<R> {
  zh: string;
  en: string;
  csv: (row: R) => CsvValue;
  /** Defaults to the CSV value as text. */
  html?: (row: R) => HtmlValue;
  /** A CSS class for the cells (e.g. "num"). */
  className?: string;
}

/** The header line of a CSV: "编号 number". */
export function csvHeader<R>(columns: readonly Column<R>[]): string[] {
  return columns.map((c) => `${c.zh} ${c.en}`);
}

/** The CSV cells of one row. */
export function csvRow<R>(columns: readonly Column<R>[], row: R): CsvValue[] {
  return columns.map((c) => c.csv(row));
}

/** The whole table as a CSV file's text: BOM, header, rows. */
export function tableCsv<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  return BOM + csvLine(csvHeader(columns)) + rows.map((r) => csvLine(csvRow(columns, r))).join('');
}

/** The HTML table; `empty` shows when there are no rows. */
export function tableHtml<R>(columns: readonly Column<R>[], rows: readonly R[], options: { empty?: Html; className?: string; rowClass?: (row: R) => string | null } = {}): Html {
  if (!rows.length && options.empty) return html`<p class="empty">${options.empty}</p>`;
  return html`<div class="table-wrap"><table class="${options.className ?? 'data'}">
<thead><tr>${columns.map((c) => html`<th>${bi(c.zh, c.en)}</th>`)}</tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr${options.rowClass?.(r) ? html` class="${options.rowClass(r) ?? ''}"` : ''}>${columns.map(
        (c) => html`<td${c.className ? html` class="${c.className}"` : ''}>${c.html ? c.html(r) : String(c.csv(r) ?? '')}</td>`,
      )}</tr>\n`,
  )}</tbody>
</table></div>`;
}
