/**
 * The 诉调对接 dossier for the court, as the console serves it: a printable page (with the
 * console's stylesheet, under its Content-Security-Policy), and a PDF printed by the
 * server's Chromium as the monthly report's is (src/report/pdf.ts). Without Chromium the
 * PDF link answers with the printable page and a note saying so, so the court still gets it.
 */
import type { ServerResponse } from 'node:http';
import { logger } from '../../log.js';
import type { MediationCaseView } from '../../mediation/cases.js';
import { PRINT_STYLE } from '../../report/html.js';
import { findChromium, PdfBusyError, printPdf } from '../../report/pdf.js';
import { bi, type Html, html, raw } from '../html.js';
import { PAGE_HEADERS, sendHtml } from '../http.js';
import { documentOf } from '../page.js';
import { dossierBody } from './mediation-page.js';

const log = logger('console');

type DossierInput = { regionName: string; printedAt: Date };

const titleOf = (c: MediationCaseView) => `调解案卷 #${c.id}`;

/** The printable page, with a note above the dossier when there is one. */
function pageOf(c: MediationCaseView, input: DossierInput, note?: Html): string {
  return documentOf(titleOf(c), html`${note ?? ''}${dossierBody(c, input)}`, '/console/style.css');
}

/** Answers with the printable dossier page. */
export function sendDossierPage(res: ServerResponse, c: MediationCaseView, input: DossierInput): void {
  sendHtml(res, 200, pageOf(c, input));
}

/** Answers with the dossier as a PDF, or, when the server cannot print one, with the page and a note. */
export async function sendDossierPdf(res: ServerResponse, c: MediationCaseView, input: DossierInput): Promise<void> {
  const chromium = findChromium();
  let reason = bi('服务器上未找到 Chromium（CHROMIUM_PATH）', 'no Chromium on the server (CHROMIUM_PATH)');
  if (chromium) {
    // Printed offline from a self-contained document: the page's stylesheet link would be blocked.
    const document = html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${titleOf(c)}</title><style>${raw(PRINT_STYLE)}</style></head>
<body>${dossierBody(c, input)}</body></html>`.toString();
    try {
      const pdf = await printPdf(document, chromium);
      res.writeHead(200, {
        ...PAGE_HEADERS,
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="mediation-dossier-${c.id}.pdf"`,
        'cache-control': 'no-store',
      });
      res.end(pdf);
      return;
    } catch (error) {
      log.warn({ err: error, caseId: c.id }, 'mediation dossier: no PDF printed');
      reason =
        error instanceof PdfBusyError
          ? bi('服务器正在生成其他 PDF，请稍后再试', 'the server is printing other PDFs: try again shortly')
          : bi('服务器打印 PDF 失败', 'the server failed to print the PDF');
    }
  }
  const note = html`<p class="notice">${reason}：${bi('以下是可打印的案卷，请用浏览器“打印 → 另存为 PDF”。', 'below is the printable dossier; use the browser’s Print → Save as PDF.')}</p>`;
  sendHtml(res, 200, pageOf(c, input, note));
}
