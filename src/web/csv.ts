/**
 * CSV downloads for Excel users in China: UTF-8 with a byte-order mark (without it Excel
 * reads the file as GBK and the Chinese turns to mojibake), CRLF line ends, quoted
 * fields, and cells that a spreadsheet would run as a formula defused.
 */
import type { ServerResponse } from 'node:http';

/** The byte-order mark Excel looks for to read UTF-8. */
export const BOM = '\uFEFF';

/** One cell as text. A leading = + - @ (or tab/CR) would make Excel compute it: prefix a quote. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of cells, with its CRLF. */
export function csvLine(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A whole table as CSV text, BOM first. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return BOM + csvLine(header) + rows.map(csvLine).join('');
}

/** A safe download name (ASCII; the browser keeps it). */
function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`;
}

/** Answers with a CSV file in one piece. */
export function sendCsv(res: ServerResponse, filename: string, text: string): void {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': attachment(filename),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/**
 * Streams a CSV download: the header line at once, then each batch of lines `next`
 * gives until it gives none, respecting back-pressure, so an export of a million rows
 * never sits in memory whole.
 */
export async function streamCsv(
  res: ServerResponse,
  filename: string,
  header: readonly string[],
  next: () => Promise<readonly (readonly (string | number | boolean | null | undefined)[])[]>,
): Promise<number> {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': attachment(filename),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  let rows = 0;
  // A client that goes away never drains: closing ends the wait too (and the loop stops).
  const write = (chunk: string) =>
    res.write(chunk)
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
  await write(BOM + csvLine(header));
  for (;;) {
    if (res.destroyed) break;
    const batch = await next();
    if (!batch.length) break;
    rows += batch.length;
    await write(batch.map(csvLine).join(''));
  }
  res.end();
  return rows;
}
