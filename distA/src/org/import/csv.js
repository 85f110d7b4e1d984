/**
 * Reading roster CSV files: bytes → text (UTF-8, or GB18030 as Chinese Excel writes it)
 * → records with their physical line numbers. And the reverse, for the demo generator.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { DataError } from '../../errors.js';
/**
 * Decodes file bytes: UTF-8 (with or without BOM) when the bytes are valid UTF-8,
 * otherwise GB18030 (a superset of GBK, the usual encoding of Chinese Excel exports).
 */
export function decodeText(bytes) {
    try {
        return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
    }
    catch {
        return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
    }
}
/** The number of line breaks inside the cells of a record (quoted multi-line cells). */
function innerLineBreaks(cells) {
    let count = 0;
    for (const cell of cells) {
        if (!cell.includes('\n'))
            continue;
        for (const ch of cell)
            if (ch === '\n')
                count++;
    }
    return count;
}
/**
 * Parses CSV text. Blank lines and records whose cells are all blank (as spreadsheet
 * exports leave behind) are skipped; records keep their physical starting line.
 * @throws DataError when the text is not CSV (e.g. an unclosed quote), naming the line.
 */
export function parseCsv(text, file) {
    let parsed;
    try {
        parsed = parse(text, {
            bom: true,
            info: true,
            relax_column_count: true,
            skip_empty_lines: true,
        });
    }
    catch (error) {
        const line = error.lines;
        const where = typeof line === 'number' ? `${file}:${line}` : file;
        throw new DataError(`${where}: not a readable CSV file: ${error.message}`, { cause: error });
    }
    const first = parsed[0];
    if (!first)
        return { header: [], records: [] };
    const header = first.record.map((cell) => cell.trim());
    const records = [];
    for (let i = 1; i < parsed.length; i++) {
        const entry = parsed[i];
        if (!entry)
            continue;
        const cells = entry.record;
        if (cells.every((cell) => cell.trim() === ''))
            continue;
        records.push({ line: entry.info.lines - innerLineBreaks(cells), cells });
    }
    return { header, records };
}
/**
 * Reads and parses one CSV file.
 * @throws DataError when the file cannot be read or parsed.
 */
export async function readCsvFile(path) {
    let bytes;
    try {
        bytes = await readFile(path);
    }
    catch (error) {
        throw new DataError(`cannot read ${path}: ${error.code ?? error.message}`, {
            cause: error,
        });
    }
    const { text, encoding } = decodeText(bytes);
    return { ...parseCsv(text, path), encoding };
}
/** Quotes a cell when it needs it (comma, quote, line break, or edge spaces). */
function csvCell(value) {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
/** Writes a header and rows as CSV text (UTF-8, `\n` line ends, final newline). */
export function toCsv(header, rows) {
    const lines = [header.map(csvCell).join(',')];
    for (const row of rows)
        lines.push(row.map(csvCell).join(','));
    return `${lines.join('\n')}\n`;
}
