/**
 * Server-side SVG charts for the statistics page and the monthly report: a trend over
 * time, a column chart of a breakdown (by category) and a ranking in horizontal bars
 * (villages, departments).
 *
 * No JavaScript and no CSS: every look is an SVG presentation attribute (`fill`,
 * `font-size`...), so the charts render under a Content-Security-Policy without
 * 'unsafe-inline', in a PDF and in a mail client alike. Each chart is an image with an
 * accessible name (`<title>`) and description (`<desc>`), every bar and point carries its
 * own `<title>`, and values are printed as text next to the marks, so nothing is known
 * only by colour or length. All text that reaches the markup is escaped (the console's
 * `escapeHtml`, whose five entities are XML's too).
 */
import { escapeHtml as escapeXml } from '../web/html.js';
import { STAT_DEFINITIONS } from './definitions.js';
/** 0.8567 → "85.7%"; null (no denominator) → "—". */
export function formatPercent(value) {
    return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}
/** A rate as people read it: "85.7%（12/14）", or "—（0/0）". */
export function formatRateText(rate) {
    return `${formatPercent(rate.value)}（${rate.numerator}/${rate.denominator}）`;
}
/** Colour-blind-safe (Okabe–Ito) colours, in the order series use them. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9'];
const FONT = "system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif";
const TEXT = '#222222';
const MUTED = '#666666';
const GRID = '#dddddd';
const FONT_SIZE = 12;
/** Rough width in pixels of a text at `size`: CJK and full-width characters are square, the rest about half. */
export function textWidth(text, size = FONT_SIZE) {
    let width = 0;
    for (const c of text)
        width += /[\u2E80-\uFFEF]/u.test(c) ? size : size * 0.6;
    return Math.ceil(width);
}
/** Rounds to 0.1 px: short, stable markup. */
function px(n) {
    return String(Math.round(n * 10) / 10);
}
function attrs(values) {
    return Object.entries(values)
        .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? px(v) : v)}"`)
        .join('');
}
function text(x, y, content, extra = {}) {
    return `<text${attrs({ x, y, 'font-size': FONT_SIZE, fill: TEXT, ...extra })}>${escapeXml(content)}</text>`;
}
/** The outer `<svg>` with its accessible name and description. */
function frame(chart, width, height, body) {
    const titleId = `${chart.id}-title`;
    const descId = `${chart.id}-desc`;
    const labelledBy = chart.desc ? `${titleId} ${descId}` : titleId;
    return [
        `<svg xmlns="http://www.w3.org/2000/svg"${attrs({
            id: chart.id,
            class: 'chart',
            role: 'img',
            'aria-labelledby': labelledBy,
            width,
            height,
            viewBox: `0 0 ${px(width)} ${px(height)}`,
            'font-family': FONT,
        })}>`,
        `<title id="${escapeXml(titleId)}">${escapeXml(chart.title)}</title>`,
        chart.desc ? `<desc id="${escapeXml(descId)}">${escapeXml(chart.desc)}</desc>` : '',
        `<rect${attrs({ x: 0, y: 0, width, height, fill: '#ffffff' })}/>`,
        ...body,
        '</svg>',
    ].join('');
}
const NO_DATA = '暂无数据 No data';
function emptyChart(chart, width) {
    return frame(chart, width, 60, [text(width / 2, 35, NO_DATA, { 'text-anchor': 'middle', fill: MUTED })]);
}
/** A "nice" axis maximum and step (1, 2 or 5 × 10^k) covering `max` in about four steps. */
export function niceScale(max) {
    if (!(max > 0))
        return { top: 1, step: 1 };
    const raw = max / 4;
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
    // Counts are whole numbers: never a fractional step.
    const whole = Math.max(1, Math.ceil(step));
    return { top: Math.ceil(max / whole) * whole, step: whole };
}
function legend(entries, x0, y) {
    const out = [];
    let x = x0;
    for (const entry of entries) {
        out.push(entry.line
            ? `<line${attrs({ x1: x, y1: y - 4, x2: x + 16, y2: y - 4, stroke: entry.color, 'stroke-width': 2 })}/><circle${attrs({ cx: x + 8, cy: y - 4, r: 3, fill: entry.color })}/>`
            : `<rect${attrs({ x, y: y - 10, width: 12, height: 12, fill: entry.color })}/>`);
        out.push(text(x + 20, y, entry.name));
        x += 20 + textWidth(entry.name) + 16;
    }
    return out;
}
/**
 * Counts over time as grouped bars (left axis) with rates as lines (right axis, 0–100 %).
 * Values are printed above the bars when there is room; every bar and point has a
 * `<title>` with its bucket, series and value.
 */
export function trendChart(input) {
    const width = input.width ?? 720;
    const lines = input.lines ?? [];
    const n = input.labels.length;
    if (n === 0)
        return emptyChart(input, width);
    const height = 300;
    const left = 48;
    const right = lines.length > 0 ? 48 : 16;
    const top = 36;
    const bottom = 40;
    const plotW = width - left - right;
    const plotH = height - top - bottom;
    const slot = plotW / n;
    const maxCount = Math.max(0, ...input.bars.flatMap((s) => s.values));
    const { top: yTop, step } = niceScale(maxCount);
    const yOf = (v) => top + plotH - (v / yTop) * plotH;
    const rateY = (v) => top + plotH - v * plotH;
    const body = [];
    // Axes and grid lines with their tick labels.
    for (let v = 0; v <= yTop; v += step) {
        const y = yOf(v);
        body.push(`<line${attrs({ x1: left, y1: y, x2: left + plotW, y2: y, stroke: GRID, 'stroke-width': 1 })}/>`);
        body.push(text(left - 6, y + 4, String(v), { 'text-anchor': 'end', fill: MUTED }));
    }
    if (lines.length > 0) {
        for (const pct of [0, 25, 50, 75, 100]) {
            body.push(text(left + plotW + 6, rateY(pct / 100) + 4, `${pct}%`, { fill: MUTED }));
        }
    }
    body.push(`<line${attrs({ x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: MUTED, 'stroke-width': 1 })}/>`);
    // Bars, grouped per bucket.
    const groups = Math.max(1, input.bars.length);
    const barW = Math.max(1, Math.min(40, (slot * 0.8) / groups));
    const showValues = barW >= 12 && n <= 24;
    input.bars.forEach((series, s) => {
        const color = PALETTE[s % PALETTE.length] ?? PALETTE[0];
        series.values.forEach((value, i) => {
            const label = input.labels[i] ?? '';
            const x = left + i * slot + (slot - barW * groups) / 2 + s * barW;
            const y = yOf(value);
            body.push(`<rect${attrs({ class: 'bar', x, y, width: barW, height: top + plotH - y, fill: color })}><title>${escapeXml(`${label} ${series.name}: ${value}`)}</title></rect>`);
            if (showValues)
                body.push(text(x + barW / 2, y - 3, String(value), { 'text-anchor': 'middle', 'font-size': 10 }));
        });
    });
    // Rate lines; a bucket without data breaks the line.
    lines.forEach((series, s) => {
        const color = PALETTE[(input.bars.length + s) % PALETTE.length] ?? PALETTE[1];
        let path = '';
        let pen = false;
        series.values.forEach((value, i) => {
            if (value === null) {
                pen = false;
                return;
            }
            const x = left + (i + 0.5) * slot;
            path += `${pen ? 'L' : 'M'}${px(x)} ${px(rateY(value))}`;
            pen = true;
        });
        if (path)
            body.push(`<path${attrs({ class: 'line', d: path, fill: 'none', stroke: color, 'stroke-width': 2 })}/>`);
        series.values.forEach((value, i) => {
            if (value === null)
                return;
            const label = input.labels[i] ?? '';
            body.push(`<circle${attrs({ class: 'point', cx: left + (i + 0.5) * slot, cy: rateY(value), r: 3, fill: color })}><title>${escapeXml(`${label} ${series.name}: ${formatPercent(value)}`)}</title></circle>`);
        });
    });
    // Bucket labels: at most about twelve, evenly spaced, so they never overlap.
    const every = Math.max(1, Math.ceil(n / 12), Math.ceil((textWidth(input.labels[0] ?? '') + 8) / slot));
    input.labels.forEach((label, i) => {
        if (i % every !== 0)
            return;
        body.push(text(left + (i + 0.5) * slot, top + plotH + 16, label, { 'text-anchor': 'middle', fill: MUTED }));
    });
    body.push(...legend([
        ...input.bars.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length] ?? PALETTE[0], line: false })),
        ...lines.map((s, i) => ({ name: s.name, color: PALETTE[(input.bars.length + i) % PALETTE.length] ?? PALETTE[1], line: true })),
    ], left, 18));
    return frame(input, width, height, body);
}
/** Vertical bars, one per item, with the value above each; long labels are slanted. */
export function columnChart(input) {
    const width = input.width ?? 720;
    const n = input.items.length;
    if (n === 0)
        return emptyChart(input, width);
    const left = 48;
    const right = 16;
    const top = 20;
    const plotW = width - left - right;
    const slot = plotW / n;
    const widest = Math.max(...input.items.map((item) => textWidth(item.label)));
    const slant = widest + 4 > slot;
    // Slanted labels at -40° need about two thirds of their length below the axis.
    const bottom = slant ? Math.min(140, Math.ceil(widest * 0.7) + 24) : 28;
    const plotH = 220;
    const height = top + plotH + bottom;
    const { top: yTop, step } = niceScale(Math.max(0, ...input.items.map((item) => item.value)));
    const yOf = (v) => top + plotH - (v / yTop) * plotH;
    const body = [];
    for (let v = 0; v <= yTop; v += step) {
        const y = yOf(v);
        body.push(`<line${attrs({ x1: left, y1: y, x2: left + plotW, y2: y, stroke: GRID, 'stroke-width': 1 })}/>`);
        body.push(text(left - 6, y + 4, String(v), { 'text-anchor': 'end', fill: MUTED }));
    }
    body.push(`<line${attrs({ x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: MUTED, 'stroke-width': 1 })}/>`);
    const barW = Math.max(2, Math.min(48, slot * 0.7));
    input.items.forEach((item, i) => {
        const cx = left + (i + 0.5) * slot;
        const y = yOf(item.value);
        const shown = item.display ?? String(item.value);
        body.push(`<rect${attrs({ class: 'bar', x: cx - barW / 2, y, width: barW, height: top + plotH - y, fill: PALETTE[0] })}><title>${escapeXml(`${item.label}: ${shown}`)}</title></rect>`);
        body.push(text(cx, y - 3, shown, { 'text-anchor': 'middle', 'font-size': 10 }));
        const ly = top + plotH + 16;
        body.push(slant ? text(cx, ly, item.label, { 'text-anchor': 'end', transform: `rotate(-40 ${px(cx)} ${px(ly)})` }) : text(cx, ly, item.label, { 'text-anchor': 'middle' }));
    });
    return frame(input, width, height, body);
}
/** Horizontal bars, one row per item: rank and label on the left, the value after the bar. */
export function rankingChart(input) {
    const width = input.width ?? 720;
    const n = input.items.length;
    if (n === 0)
        return emptyChart(input, width);
    const rowH = 24;
    const barH = 16;
    const labels = input.items.map((item, i) => `${i + 1}. ${item.label}`);
    const labelW = Math.min(240, Math.max(...labels.map((l) => textWidth(l))) + 12);
    const valueW = Math.min(200, Math.max(...input.items.map((item) => textWidth(item.display ?? String(item.value)))) + 12);
    const barMaxW = Math.max(40, width - labelW - valueW - 8);
    const max = input.max ?? Math.max(0, ...input.items.map((item) => item.value));
    const height = n * rowH + 12;
    const body = [];
    input.items.forEach((item, i) => {
        const y = 6 + i * rowH;
        const w = max > 0 ? Math.max(0, (item.value / max) * barMaxW) : 0;
        const shown = item.display ?? String(item.value);
        body.push(text(labelW - 6, y + barH - 3, labels[i] ?? '', { 'text-anchor': 'end' }));
        body.push(`<rect${attrs({ class: 'bar', x: labelW, y, width: Math.max(w, 1), height: barH, fill: PALETTE[i === 0 ? 2 : 0] })}><title>${escapeXml(`${item.label}: ${shown}`)}</title></rect>`);
        body.push(text(labelW + Math.max(w, 1) + 6, y + barH - 3, shown));
    });
    return frame(input, width, height, body);
}
// ─── The charts of the statistics, from the contract's types ─────────────────────
/** Which figure a ranking orders by. */
export const RANK_METRICS = ['received', 'open', 'overdue', 'responseRate', 'onTimeRate', 'oneTimeRate', 'resolutionRate', 'satisfactionRate'];
/** The names of the figures a chart or table shows, Chinese first: "按时办结率 On-time rate". */
export const METRIC_NAMES = Object.fromEntries(RANK_METRICS.map((metric) => [metric, `${STAT_DEFINITIONS[metric].name.zh} ${STAT_DEFINITIONS[metric].name.en}`]));
function isRateMetric(metric) {
    return metric !== 'received' && metric !== 'open' && metric !== 'overdue';
}
/**
 * The trend of a period: received per bucket as bars, the on-time and satisfaction
 * rates as lines. Labels drop the year (`MM-DD`) unless the buckets are months (`YYYY-MM`).
 */
export function statsTrendChart(points, bucket, chart) {
    return trendChart({
        ...chart,
        labels: points.map((p) => (bucket === 'month' ? p.start.slice(0, 7) : p.start.slice(5))),
        bars: [{ name: METRIC_NAMES.received, values: points.map((p) => p.figures.received) }],
        lines: [
            { name: METRIC_NAMES.onTimeRate, values: points.map((p) => p.figures.onTimeRate.value) },
            { name: METRIC_NAMES.satisfactionRate, values: points.map((p) => p.figures.satisfactionRate.value) },
        ],
    });
}
/** A breakdown's rows as columns of received requests (the category chart). */
export function breakdownColumnChart(breakdown, chart) {
    return columnChart({ ...chart, items: breakdown.rows.map((row) => ({ label: row.label, value: row.figures.received })) });
}
/** The value of one metric, and how to print it. Null when a rate has no denominator. */
export function metricValue(figures, metric) {
    if (!isRateMetric(metric))
        return { value: figures[metric], display: String(figures[metric]) };
    const rate = figures[metric];
    return rate.value === null ? null : { value: rate.value, display: formatRateText(rate) };
}
/**
 * A ranking of a breakdown's rows by one metric, largest first. Left out: the row of
 * tickets without a value (key "", e.g. no department), which is nobody to rank, and rows
 * whose rate has no denominator. Ties keep the breakdown's order (most received first).
 */
export function breakdownRanking(breakdown, metric, chart, limit = 20) {
    const items = breakdown.rows
        .filter((row) => row.key !== '')
        .map((row, order) => ({ row, order, metric: metricValue(row.figures, metric) }))
        .filter((entry) => entry.metric !== null)
        .sort((a, b) => b.metric.value - a.metric.value || a.order - b.order)
        .slice(0, limit)
        .map((entry) => ({ label: entry.row.label, value: entry.metric.value, display: entry.metric.display }));
    return rankingChart({ ...chart, items, ...(isRateMetric(metric) ? { max: 1 } : {}) });
}
