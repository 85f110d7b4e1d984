import { logger } from '../../log.js';
import { PRINT_STYLE } from '../../report/html.js';
import { findChromium, printPdf } from '../../report/pdf.js';
import { bi, html, raw } from '../html.js';
import { PAGE_HEADERS, sendHtml } from '../http.js';
import { documentOf } from '../page.js';
import { dossierBody } from './mediation-page.js';
const log = logger('console');
const titleOf = (c) => `调解案卷 #${c.id}`;
/** The printable page, with a note above the dossier when there is one. */
function pageOf(c, input, note) {
    return documentOf(titleOf(c), html `${note ?? ''}${dossierBody(c, input)}`, '/console/style.css');
}
/** Answers with the printable dossier page. */
export function sendDossierPage(res, c, input) {
    sendHtml(res, 200, pageOf(c, input));
}
/** Answers with the dossier as a PDF, or, when the server cannot print one, with the page and a note. */
export async function sendDossierPdf(res, c, input) {
    const chromium = findChromium();
    let reason = bi('服务器上未找到 Chromium（CHROMIUM_PATH）', 'no Chromium on the server (CHROMIUM_PATH)');
    if (chromium) {
        // Printed offline from a self-contained document: the page's stylesheet link would be blocked.
        const document = html `<!doctype html>
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
        }
        catch (error) {
            log.warn({ err: error, caseId: c.id }, 'mediation dossier: no PDF printed');
            reason = bi('服务器打印 PDF 失败', 'the server failed to print the PDF');
        }
    }
    const note = html `<p class="notice">${reason}：${bi('以下是可打印的案卷，请用浏览器“打印 → 另存为 PDF”。', 'below is the printable dossier; use the browser’s Print → Save as PDF.')}</p>`;
    sendHtml(res, 200, pageOf(c, input, note));
}
