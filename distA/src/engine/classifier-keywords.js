/**
 * The keyword table of the category matcher: `data/classifier/keywords.csv` with the
 * header `category,keyword,weight`. Lines starting with `#` are comments. A county may
 * edit the file; every row is checked on load and a bad row is refused with the file,
 * the line and the reason.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { DataError } from '../errors.js';
import { CATEGORY_CODES } from '../pipeline/states.js';
/** The expected header of the table. */
export const KEYWORD_HEADER = ['category', 'keyword', 'weight'];
const HAN = /\p{Script=Han}/u;
const LATIN_KEYWORD = /^[a-z0-9]+( [a-z0-9]+)*\*?$/;
const rowSchema = z.object({
    category: z.enum(CATEGORY_CODES, { error: `category must be one of ${CATEGORY_CODES.join(', ')}` }),
    keyword: z
        .string()
        .trim()
        .min(1, { error: 'keyword is empty' })
        .max(40, { error: 'keyword is longer than 40 characters' })
        .transform((value) => value.normalize('NFKC').toLowerCase())
        .refine((value) => HAN.test(value) || LATIN_KEYWORD.test(value), {
        error: 'keyword must be Chinese characters or latin words (a-z, 0-9, optional trailing *)',
    }),
    weight: z
        .string()
        .trim()
        .regex(/^\d+(\.\d+)?$/, { error: 'weight must be a number' })
        .transform(Number)
        .pipe(z.number().min(0.5, { error: 'weight must be at least 0.5' }).max(3, { error: 'weight must be at most 3' })),
});
/**
 * Reduces an English word to a crude stem: plural -s/-es/-ies, -ing, -ed and a final -e
 * are stripped, so that "lights", "leaking", "cracked" and "houses" meet their keywords.
 * The same function runs on keywords and on messages, so only consistency matters.
 */
export function stemWord(word) {
    let w = word;
    if (/^\d+$/.test(w))
        return w;
    if (w.length > 4 && w.endsWith('ies'))
        w = `${w.slice(0, -3)}y`;
    else if (w.length > 4 && /(ches|shes|xes|sses|zes|uses)$/.test(w))
        w = w.slice(0, -2);
    else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w))
        w = w.slice(0, -1);
    if (w.length > 5 && w.endsWith('ing'))
        w = undouble(w.slice(0, -3));
    else if (w.length > 4 && w.endsWith('ed'))
        w = undouble(w.slice(0, -2));
    if (w.length > 4 && w.endsWith('e'))
        w = w.slice(0, -1);
    return w;
}
function undouble(w) {
    const last = w.at(-1);
    return last !== undefined && w.at(-2) === last && !'lsz'.includes(last) ? w.slice(0, -1) : w;
}
function entryFrom(row, line) {
    const { category, keyword, weight } = row;
    if (HAN.test(keyword)) {
        return { category, keyword, weight, form: [...keyword].length === 1 ? 'han-token' : 'han', words: [], prefix: false, line };
    }
    const prefix = keyword.endsWith('*');
    const raw = (prefix ? keyword.slice(0, -1) : keyword).split(' ');
    // A prefix is kept as written: stemming "vaccinat" would cut it further.
    const words = raw.map((word, index) => (prefix && index === raw.length - 1 ? word : stemWord(word)));
    return { category, keyword, weight, form: 'latin', words, prefix, line };
}
/**
 * Parses and validates the text of a keyword table. `file` only names the source in
 * error messages. Throws a {@link DataError} naming the file, the line and the reason.
 */
export function parseKeywordTable(text, file) {
    let records;
    try {
        records = parse(text, {
            comment: '#',
            comment_no_infix: true,
            skip_empty_lines: true,
            relax_column_count: true,
            trim: true,
            info: true,
            bom: true,
        });
    }
    catch (error) {
        const line = error.lines;
        const where = typeof line === 'number' ? `${file}:${line}` : file;
        throw new DataError(`${where}: not readable as CSV: ${error.message}`, { cause: error });
    }
    const [first, ...rows] = records;
    if (!first)
        throw new DataError(`${file}: the keyword table is empty (expected the header ${KEYWORD_HEADER.join(',')})`);
    if (first.record.join(',') !== KEYWORD_HEADER.join(',')) {
        throw new DataError(`${file}:${first.info.lines}: the header must be ${KEYWORD_HEADER.join(',')}, found ${first.record.join(',')}`);
    }
    const entries = [];
    const seen = new Map();
    for (const { record, info } of rows) {
        const where = `${file}:${info.lines}`;
        if (record.length !== KEYWORD_HEADER.length) {
            throw new DataError(`${where}: expected ${KEYWORD_HEADER.length} columns (${KEYWORD_HEADER.join(',')}), found ${record.length}`);
        }
        const result = rowSchema.safeParse({ category: record[0], keyword: record[1], weight: record[2] });
        if (!result.success) {
            const reason = result.error.issues.map((issue) => issue.message).join('; ');
            throw new DataError(`${where}: ${reason}`);
        }
        const key = `${result.data.category}\u0000${result.data.keyword}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
            throw new DataError(`${where}: keyword ${result.data.keyword} is listed twice for ${result.data.category} (first on line ${earlier})`);
        }
        seen.set(key, info.lines);
        entries.push(entryFrom(result.data, info.lines));
    }
    if (entries.length === 0)
        throw new DataError(`${file}: the keyword table has no rows`);
    return entries;
}
/** Reads and validates a keyword table file (see {@link parseKeywordTable}). */
export function loadKeywordTable(path) {
    let text;
    try {
        text = readFileSync(path, 'utf8');
    }
    catch (error) {
        throw new DataError(`${path}: cannot read the keyword table: ${error.message}`, { cause: error });
    }
    return parseKeywordTable(text, path);
}
