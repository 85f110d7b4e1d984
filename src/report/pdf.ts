/**
 * The PDF of the report, printed by a local Chromium through playwright-core (a
 * development dependency: a machine without it, or without Chromium, gets the HTML only).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { BrowserType } from 'playwright-core';
import { Lock } from '../db/lock.js';

/** Where Chromium usually lives; `CHROMIUM_PATH` comes first when set. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The Chromium executable to print with, or null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const wanted = env['CHROMIUM_PATH'];
  if (wanted) return existsSync(wanted) ? wanted : null;
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/**
 * Whether this machine has no font for Chinese (fontconfig lists none for `zh`): Chromium
 * then prints every Chinese character as an empty box, with no error (seen on a server
 * with only DejaVu). `list` runs `fc-list`; a machine without fontconfig is not judged.
 */
export function chineseFontMissing(list: () => string = () => execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8', timeout: 10_000 })): boolean {
  try {
    return list().trim() === '';
  } catch {
    return false;
  }
}

/** Why no PDF was written. */
export class PdfUnavailableError extends Error {
  override readonly name = 'PdfUnavailableError';
}

/** Launching and printing must not hang a command: each step is time-boxed. */
const TIMEOUT_MS = 60_000;

/** Why no PDF was printed now: as many prints as `MAX_PRINTS_PENDING` are already running or waiting. */
export class PdfBusyError extends Error {
  override readonly name = 'PdfBusyError';
}

/**
 * Each print starts a Chromium of its own (hundreds of MB, seconds of CPU), and any staff
 * member or mediator may ask for minutes or a dossier: a process prints one at a time, and
 * refuses a print past this many running or waiting, instead of launching browsers without
 * end (three asked at once started three).
 */
export const MAX_PRINTS_PENDING = 4;
const printTurn = new Lock();
/** Prints admitted and not finished; the most that ever ran at once (for the tests). */
export const printCounts = { pending: 0, running: 0, mostRunning: 0 };

/**
 * Prints `html` to an A4 PDF with the Chromium at `executablePath`, after the prints
 * before it in this process.
 * @throws PdfUnavailableError when playwright-core is not installed.
 * @throws PdfBusyError when `MAX_PRINTS_PENDING` prints are running or waiting.
 */
export async function printPdf(html: string, executablePath: string): Promise<Buffer> {
  if (printCounts.pending >= MAX_PRINTS_PENDING) throw new PdfBusyError(`正在生成其他文件，请稍后再试 busy: ${printCounts.pending} prints running or waiting`);
  printCounts.pending++;
  try {
    const release = await printTurn.acquire();
    printCounts.running++;
    printCounts.mostRunning = Math.max(printCounts.mostRunning, printCounts.running);
    try {
      return await printAlone(html, executablePath);
    } finally {
      printCounts.running--;
      release();
    }
  } finally {
    printCounts.pending--;
  }
}

async function printAlone(html: string, executablePath: string): Promise<Buffer> {
  let chromium: BrowserType;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    throw new PdfUnavailableError('playwright-core 未安装 is not installed', { cause: error });
  }
  const browser = await chromium.launch({
    executablePath,
    timeout: TIMEOUT_MS,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    // The documents fetch nothing; block any request all the same, so printing stays offline.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}

/**
 * Prints `html` to an A4 PDF at `path` with the Chromium at `executablePath`.
 * @throws PdfUnavailableError when playwright-core is not installed.
 */
export async function writePdf(html: string, path: string, executablePath: string): Promise<void> {
  await writeFile(path, await printPdf(html, executablePath));
}
