/**
 * `npm run report` as a function of its arguments and surroundings, so that tests run it
 * in-process: parses the arguments, gathers and writes the report, prints the files
 * written, and answers with the exit code (0 done, 1 no PDF although Chromium is there,
 * 2 bad arguments: one line, Chinese then English).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Database } from '../db/client.js';
import type { WorkCalendar } from '../pipeline/calendar.js';
import { ConfigError } from '../errors.js';
import { renderMonthlyReport } from './html.js';
import { buildMonthlyReport, parseMonth, ReportArgumentError } from './monthly.js';
import { chineseFontMissing, writePdf } from './pdf.js';

export const REPORT_USAGE = 'usage: npm run report -- --month YYYY-MM --region TOWNSHIP_OR_COUNTY_CODE [--out DIR]';

/** What the command works with. */
export interface ReportCommandIo {
  /** Opens the database (called only once the arguments are good). */
  open: () => Promise<Database>;
  /** When the report is made. */
  now: Date;
  /** The configured holiday calendar (HOLIDAY_CALENDAR_FILE) the meetings move by. */
  calendar?: WorkCalendar;
  /** The Chromium to print the PDF with, or null (HTML only). */
  chromium: string | null;
  /** A line for stdout (the files written) and for stderr (problems). */
  out: (line: string) => void;
  err: (line: string) => void;
}

function readArgs(argv: string[]): { month: string; region: string; out: string } {
  let values: { month?: string | undefined; region?: string | undefined; out?: string | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { month: { type: 'string' }, region: { type: 'string' }, out: { type: 'string' } }, allowPositionals: false }));
  } catch (error) {
    throw new ReportArgumentError(`参数无效 ${(error as Error).message}; ${REPORT_USAGE}`);
  }
  if (!values.month || !values.region) throw new ReportArgumentError(`需要 --month 和 --region；${REPORT_USAGE}`);
  return { month: parseMonth(values.month), region: values.region.trim(), out: values.out ?? 'reports' };
}

/**
 * Runs the report command with `argv` (the arguments after `--`).
 * @returns the exit code.
 * @throws ConfigError when the output folder cannot be made.
 */
export async function reportCommand(argv: string[], io: ReportCommandIo): Promise<number> {
  const refuse = (error: ReportArgumentError) => {
    io.err(`参数错误 argument error: ${error.message}`);
    return 2;
  };
  let args: ReturnType<typeof readArgs>;
  try {
    args = readArgs(argv);
  } catch (error) {
    if (error instanceof ReportArgumentError) return refuse(error);
    throw error;
  }
  const database = await io.open();
  let html: string;
  try {
    html = renderMonthlyReport(
      await buildMonthlyReport(database.db, { regionCode: args.region, month: args.month, now: io.now, ...(io.calendar ? { calendar: io.calendar } : {}) }),
    );
  } catch (error) {
    if (error instanceof ReportArgumentError) return refuse(error);
    throw error;
  } finally {
    await database.close();
  }
  const dir = resolve(args.out);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ConfigError([`--out: 无法创建目录 cannot create ${dir}: ${(error as Error).message}`]);
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
  } catch (error) {
    io.err(`PDF 未生成，只有 HTML no PDF, HTML only: ${(error as Error).message.split('\n')[0] ?? ''}`);
    return 1;
  }
  io.out(`${base}.pdf`);
  if (chineseFontMissing())
    io.err('未安装中文字体，PDF 中的中文会显示为方框 no Chinese font installed: the PDF shows boxes (apt-get install fonts-noto-cjk or fonts-wqy-microhei)');
  return 0;
}
