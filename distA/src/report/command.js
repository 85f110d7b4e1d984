/**
 * `npm run report` as a function of its arguments and surroundings, so that tests run it
 * in-process: parses the arguments, gathers and writes the report, prints the files
 * written, and answers with the exit code (0 done, 1 no PDF although Chromium is there,
 * 2 bad arguments: one line, Chinese then English).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { renderMonthlyReport } from './html.js';
import { buildMonthlyReport, parseMonth, ReportArgumentError } from './monthly.js';
import { writePdf } from './pdf.js';
export const REPORT_USAGE = 'usage: npm run report -- --month YYYY-MM --region TOWNSHIP_OR_COUNTY_CODE [--out DIR]';
function readArgs(argv) {
    let values;
    try {
        ({ values } = parseArgs({ args: argv, options: { month: { type: 'string' }, region: { type: 'string' }, out: { type: 'string' } }, allowPositionals: false }));
    }
    catch (error) {
        throw new ReportArgumentError(`参数无效 ${error.message}; ${REPORT_USAGE}`);
    }
    if (!values.month || !values.region)
        throw new ReportArgumentError(`需要 --month 和 --region；${REPORT_USAGE}`);
    return { month: parseMonth(values.month), region: values.region.trim(), out: values.out ?? 'reports' };
}
/**
 * Runs the report command with `argv` (the arguments after `--`).
 * @returns the exit code.
 * @throws ConfigError when the output folder cannot be made.
 */
export async function reportCommand(argv, io) {
    const refuse = (error) => {
        io.err(`参数错误 argument error: ${error.message}`);
        return 2;
    };
    let args;
    try {
        args = readArgs(argv);
    }
    catch (error) {
        if (error instanceof ReportArgumentError)
            return refuse(error);
        throw error;
    }
    const database = await io.open();
    let html;
    try {
        html = renderMonthlyReport(await buildMonthlyReport(database.db, { regionCode: args.region, month: args.month, now: io.now }));
    }
    catch (error) {
        if (error instanceof ReportArgumentError)
            return refuse(error);
        throw error;
    }
    finally {
        await database.close();
    }
    const dir = resolve(args.out);
    try {
        mkdirSync(dir, { recursive: true });
    }
    catch (error) {
        throw new ConfigError([`--out: 无法创建目录 cannot create ${dir}: ${error.message}`]);
    }
    const base = join(dir, `民情分析-${args.region}-${args.month}`);
    writeFileSync(`${base}.html`, html);
    io.out(`${base}.html`);
    if (!io.chromium) {
        io.err('未找到 Chromium，只生成 HTML no Chromium found (set CHROMIUM_PATH or apt-get install chromium): HTML only');
        return 0;
    }
    try {
        await writePdf(html, `${base}.pdf`, io.chromium);
    }
    catch (error) {
        io.err(`PDF 未生成，只有 HTML no PDF, HTML only: ${error.message.split('\n')[0] ?? ''}`);
        return 1;
    }
    io.out(`${base}.pdf`);
    return 0;
}
