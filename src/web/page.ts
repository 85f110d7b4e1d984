/**
 * The HTML document around every console and board page: language, viewport, the one
 * stylesheet, no script.
 */
import { type Html, html } from './html.js';

/** The stylesheet, served by the console and the board at these paths. */
export const STYLESHEET_PATHS = ['/console/style.css', '/public/style.css'] as const;

/** The icon of every page (browsers ask for one; without it each page load logged a 404): 民 on the console's green. */
export const ICON_PATHS = ['/favicon.svg', '/favicon.ico'] as const;
export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f7a4d"/><text x="16" y="23" font-size="20" text-anchor="middle" fill="#fff" font-family="sans-serif">民</text></svg>';

/** A whole HTML document. */
export function documentOf(title: string, body: Html, stylesheet: (typeof STYLESHEET_PATHS)[number]): string {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${stylesheet}">
<link rel="icon" href="${ICON_PATHS[0]}" type="image/svg+xml">
</head>
<body>
${body}
</body>
</html>
`.toString();
}
