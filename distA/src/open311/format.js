/** The formats a path may end with. */
export const FORMATS = ['json', 'xml'];
/** What a list's items are called in XML, by the list's name (the specification's element names). */
const ITEM_NAMES = {
    services: 'service',
    service_requests: 'request',
    attributes: 'attribute',
    values: 'value',
    endpoints: 'endpoint',
    formats: 'format',
    errors: 'error',
};
/**
 * A refusal as the specification writes it: its HTTP status (the specification's 400, 403
 * and 404; also 405, 429 past the rate limit, 503 while starting), the words of its error
 * element, and any headers it needs (Allow, Retry-After).
 */
export class Open311Error extends Error {
    status;
    description;
    headers;
    name = 'Open311Error';
    constructor(status, description, headers = {}) {
        super(description);
        this.status = status;
        this.description = description;
        this.headers = headers;
    }
}
/** Characters XML 1.0 cannot carry at all (text is normalised on the way in; this is the last guard). */
// eslint-disable-next-line no-control-regex -- control characters are what is removed here
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
function escapeXml(text) {
    return text.replace(NOT_XML, '').replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}
function element(name, value) {
    if (value === null)
        return `<${name}/>`;
    if (Array.isArray(value)) {
        const item = ITEM_NAMES[name] ?? 'item';
        return `<${name}>${value.map((v) => element(item, v)).join('')}</${name}>`;
    }
    if (typeof value === 'object')
        return `<${name}>${Object.entries(value)
            .map(([k, v]) => element(k, v))
            .join('')}</${name}>`;
    return `<${name}>${escapeXml(String(value))}</${name}>`;
}
/** `value` as an XML document whose root is `root`. */
export function toXml(root, value) {
    return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value)}`;
}
const CONTENT_TYPES = { json: 'application/json; charset=utf-8', xml: 'text/xml; charset=utf-8' };
/** Answers `value` in `format`; in XML its root element is `root`. */
export function sendOpen311(res, status, format, root, value, headers = {}) {
    const body = format === 'json' ? JSON.stringify(value) : toXml(root, value);
    res.writeHead(status, { 'content-type': CONTENT_TYPES[format], 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
    res.end(body);
}
/** Answers an error as the specification writes it. */
export function sendOpen311Error(res, format, error) {
    sendOpen311(res, error.status, format, 'errors', [{ code: error.status, description: error.description }], { ...error.headers });
}
/** 2026-11-16T09:00:00+08:00: ISO 8601 in Beijing time, as every datetime of the interface is written. */
export function isoBeijing(instant) {
    return `${new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;
/**
 * A datetime parameter (ISO 8601, e.g. 2026-11-01T00:00:00Z or 2026-11-01T08:00:00+08:00);
 * without an offset it is Beijing time, a bare date its midnight. Null when it is none.
 */
export function parseDatetime(text) {
    const match = ISO_DATETIME.exec(text.trim());
    if (!match)
        return null;
    const [, date, time, offset] = match;
    const zone = offset === undefined ? '+08:00' : offset === 'Z' ? 'Z' : offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
    const instant = new Date(`${date}T${time ?? '00:00:00'}${zone}`);
    // Date rolls 2026-11-31 over into December: a day that is not on the calendar is no date.
    const onCalendar = new Date(`${date}T00:00:00Z`);
    return Number.isNaN(instant.getTime()) || Number.isNaN(onCalendar.getTime()) || onCalendar.toISOString().slice(0, 10) !== date ? null : instant;
}
