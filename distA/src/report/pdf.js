/**
 * The PDF of the report, printed by a local Chromium through playwright-core (a
 * development dependency: a machine without it, or without Chromium, gets the HTML only).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
/** Where Chromium usually lives; `CHROMIUM_PATH` comes first when set. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
/** The Chromium executable to print with, or null. */
export function findChromium(env = process.env) {
    const wanted = env['CHROMIUM_PATH'];
    if (wanted)
        return existsSync(wanted) ? wanted : null;
    return CANDIDATES.find((path) => existsSync(path)) ?? null;
}
/** Why no PDF was written. */
export class PdfUnavailableError extends Error {
    name = 'PdfUnavailableError';
}
/** Launching and printing must not hang a command: each step is time-boxed. */
const TIMEOUT_MS = 60_000;
/**
 * Prints `html` to an A4 PDF with the Chromium at `executablePath`.
 * @throws PdfUnavailableError when playwright-core is not installed.
 */
export async function printPdf(html, executablePath) {
    let chromium;
    try {
        ({ chromium } = await import('playwright-core'));
    }
    catch (error) {
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
    }
    finally {
        await browser.close();
    }
}
/**
 * Prints `html` to an A4 PDF at `path` with the Chromium at `executablePath`.
 * @throws PdfUnavailableError when playwright-core is not installed.
 */
export async function writePdf(html, path, executablePath) {
    await writeFile(path, await printPdf(html, executablePath));
}
