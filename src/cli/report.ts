/**
 * The monthly 民情分析 report of a township or the county:
 *
 *   npm run report -- --month 2026-10 --region QH-01 [--out DIR]
 *
 * Writes `reports/民情分析-<region>-<month>.html` (or into DIR), and the PDF next to it
 * when Chromium is found (CHROMIUM_PATH, or /usr/bin/chromium…); without Chromium it
 * says so on one line and writes the HTML only. Exit code 2 for bad arguments.
 */
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { WorkCalendar } from '../pipeline/calendar.js';
import { reportCommand } from '../report/command.js';
import { findChromium } from '../report/pdf.js';
import { runCli } from './run-cli.js';

await runCli(() =>
  reportCommand(process.argv.slice(2), {
    open: () => openDatabase(loadConfig().DATABASE_URL),
    now: new Date(),
    calendar: WorkCalendar.load(loadConfig().HOLIDAY_CALENDAR_FILE),
    chromium: findChromium(),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  }),
);
