/**
 * Server-rendered HTML without a template engine: the `html` tag escapes every value it
 * interpolates unless the value is already `Html` (made by `html` or `raw`), so text from
 * residents can never become markup.
 */
/** A piece of markup that is safe to emit as it is. */
export class Html {
    value;
    constructor(value) {
        this.value = value;
    }
    toString() {
        return this.value;
    }
}
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}
function emit(value) {
    if (value === null || value === undefined || value === false)
        return '';
    if (value instanceof Html)
        return value.value;
    if (Array.isArray(value))
        return value.map(emit).join('');
    return escapeHtml(String(value));
}
/** The template tag: `html\`<p>${text}</p>\``. */
export function html(strings, ...values) {
    let out = strings[0] ?? '';
    values.forEach((value, i) => {
        out += emit(value) + (strings[i + 1] ?? '');
    });
    return new Html(out);
}
/** Markup made elsewhere and known to be safe (e.g. an SVG chart that escapes its own text). */
export function raw(markup) {
    return new Html(markup);
}
/** Chinese first, English after it, as every label of the console reads: 队列 Queue. */
export function bi(zh, en) {
    return html `${zh} <span class="en" lang="en">${en}</span>`;
}
