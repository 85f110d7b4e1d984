/**
 * The HTML document around every console and board page: language, viewport, the one
 * stylesheet, no script.
 */
import { html } from './html.js';
/** The stylesheet, served by the console and the board at these paths. */
export const STYLESHEET_PATHS = ['/console/style.css', '/public/style.css'];
/** A whole HTML document. */
export function documentOf(title, body, stylesheet) {
    return html `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${stylesheet}">
</head>
<body>
${body}
</body>
</html>
`.toString();
}
