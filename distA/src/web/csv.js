/** The byte-order mark Excel looks for to read UTF-8. */
export const BOM = '\uFEFF';
/** One cell as text. A leading = + - @ (or tab/CR) would make Excel compute it: prefix a quote. */
export function csvCell(value) {
    if (value === null || value === undefined)
        return '';
    let text = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text))
        text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
/** One line of cells, with its CRLF. */
export function csvLine(cells) {
    return `${cells.map(csvCell).join(',')}\r\n`;
}
/** A whole table as CSV text, BOM first. */
export function toCsv(header, rows) {
    return BOM + csvLine(header) + rows.map(csvLine).join('');
}
/** A safe download name (ASCII; the browser keeps it). */
function attachment(filename) {
    return `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`;
}
/** Answers with a CSV file in one piece. */
export function sendCsv(res, filename, text) {
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
export async function streamCsv(res, filename, header, next) {
    res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': attachment(filename),
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
    });
    let rows = 0;
    // A client that goes away never drains: closing ends the wait too (and the loop stops).
    const write = (chunk) => res.write(chunk)
        ? Promise.resolve()
        : new Promise((resolve) => {
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
        if (res.destroyed)
            break;
        const batch = await next();
        if (!batch.length)
            break;
        rows += batch.length;
        await write(batch.map(csvLine).join(''));
    }
    res.end();
    return rows;
}
