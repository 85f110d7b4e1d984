/**
 * A map of a region drawn as SVG on the server: its villages as points placed from their
 * coordinates (WGS 84, from the roster), each circle sized by the requests received and
 * coloured by one chosen figure, with the village names as labels, a legend, and each
 * point a link to the village. Optional small points mark the locations residents shared
 * with their requests (the console's township and village maps only).
 *
 * No tile server, no script, no CSS: the product runs offline and under a
 * Content-Security-Policy without 'unsafe-inline', so every look is an SVG presentation
 * attribute, as in src/stats/charts.ts. Every point carries a `<title>` with its figures,
 * and the legend prints what each colour means, so nothing is known by colour alone.
 */
import { formatPercent } from '../stats/charts.js';
import { bi, html, raw } from './html.js';
/** The figures a map can be coloured by. */
export const MAP_FIGURES = ['received', 'open', 'overdue', 'satisfaction'];
export const MAP_FIGURE_NAMES = {
    received: { zh: '受理量', en: 'Received' },
    open: { zh: '在办', en: 'Open' },
    overdue: { zh: '超期', en: 'Overdue' },
    satisfaction: { zh: '满意率', en: 'Satisfaction' },
};
/** The figure a `map` parameter names, received when it names none. */
export function mapFigureOf(text) {
    return MAP_FIGURES.find((f) => f === text) ?? 'received';
}
/** The drawing's fixed size (viewBox units) and the margin kept free for circles and labels. */
export const MAP_BOX = { width: 640, height: 420, margin: 48 };
/**
 * The smallest span the drawing shows, in degrees of latitude (about 2 km): a single
 * village, or villages a few metres apart, is drawn at the centre, not blown up to fill it.
 */
const MIN_SPAN = 0.02;
/**
 * An equirectangular projection fitted to `points`: longitude scaled by the cosine of
 * the middle latitude (so that a km east is as long as a km north at the county's
 * latitude; the distortion over a county is negligible), north up, the points' extent
 * centred in the box inside its margin with one scale for both axes.
 */
export function projection(points, box = MAP_BOX) {
    const lats = points.map((p) => p.latitude);
    const lons = points.map((p) => p.longitude);
    const midLat = points.length ? (Math.min(...lats) + Math.max(...lats)) / 2 : 0;
    const stretch = Math.cos((midLat * Math.PI) / 180);
    const midLon = points.length ? (Math.min(...lons) + Math.max(...lons)) / 2 : 0;
    const spanX = points.length ? Math.max(MIN_SPAN, (Math.max(...lons) - Math.min(...lons)) * stretch) : MIN_SPAN;
    const spanY = points.length ? Math.max(MIN_SPAN, Math.max(...lats) - Math.min(...lats)) : MIN_SPAN;
    const scale = Math.min((box.width - 2 * box.margin) / spanX, (box.height - 2 * box.margin) / spanY);
    return (point) => ({
        x: box.width / 2 + (point.longitude - midLon) * stretch * scale,
        y: box.height / 2 - (point.latitude - midLat) * scale,
    });
}
/** Circle radii: the least (a village with nothing received) and the most (the busiest). */
export const MIN_RADIUS = 5;
export const MAX_RADIUS = 22;
/** A circle's radius: its area, not its radius, grows with what it counts (a square-root scale). */
export function radiusOf(value, max) {
    if (max <= 0 || value <= 0)
        return MIN_RADIUS;
    return MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * Math.sqrt(Math.min(value, max) / max);
}
/** The colour of a place without a value. */
export const NO_VALUE_COLOUR = '#bdbdbd';
/** Light to dark, one ramp per count (ColorBrewer Blues, Oranges, Reds: ordered in lightness, so they read in grey too). */
const COUNT_RAMPS = {
    received: ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'],
    open: ['#feedde', '#fdbe85', '#fd8d3c', '#e6550d', '#a63603'],
    overdue: ['#fee5d9', '#fcae91', '#fb6a4a', '#de2d26', '#a50f15'],
};
/** Satisfaction steps, worst first (ColorBrewer RdYlGn), with their lower bounds. */
const SATISFACTION_STEPS = [
    { from: 0, colour: '#d7191c', label: '< 70%' },
    { from: 0.7, colour: '#fdae61', label: '70% – 80%' },
    { from: 0.8, colour: '#ffffbf', label: '80% – 90%' },
    { from: 0.9, colour: '#a6d96a', label: '90% – 95%' },
    { from: 0.95, colour: '#1a9641', label: '≥ 95%' },
];
function countOf(figure, figures) {
    return figures?.[figure] ?? 0;
}
/**
 * The colour scale of `figure` over the places' figures. A count is split into none and
 * four equal ranges up to the largest (ranges too narrow to hold a whole number left
 * out); satisfaction has fixed steps, so maps of different regions compare.
 */
export function colourScale(figure, all) {
    if (figure === 'satisfaction') {
        return {
            steps: SATISFACTION_STEPS.map(({ colour, label }) => ({ colour, label })),
            stepOf: (figures) => {
                const value = figures?.satisfactionRate.value ?? null;
                if (value === null)
                    return null;
                let step = 0;
                SATISFACTION_STEPS.forEach((s, i) => {
                    if (value >= s.from)
                        step = i;
                });
                return step;
            },
        };
    }
    const ramp = COUNT_RAMPS[figure];
    const max = Math.max(0, ...all.map((f) => countOf(figure, f)));
    const ranges = [{ from: 0, to: 0, colour: ramp[0] ?? NO_VALUE_COLOUR }];
    for (let k = 1; k <= 4; k++) {
        const from = (ranges.at(-1)?.to ?? 0) + 1;
        const to = Math.ceil((max * k) / 4);
        if (to >= from)
            ranges.push({ from, to, colour: ramp[k] ?? NO_VALUE_COLOUR });
    }
    return {
        steps: ranges.map((r) => ({ colour: r.colour, label: r.from === r.to ? String(r.from) : `${r.from} – ${r.to}` })),
        stepOf: (figures) => {
            const value = countOf(figure, figures);
            const found = ranges.findIndex((r) => value >= r.from && value <= r.to);
            return found < 0 ? ranges.length - 1 : found;
        },
    };
}
const fixed = (v) => v.toFixed(1);
/** What a point's `<title>` says: the village and all its figures. */
function placeTitle(place) {
    const f = place.figures;
    if (!f)
        return `${place.name}：受理 0`;
    return `${place.name}：受理 ${f.received} · 在办 ${f.open} · 超期 ${f.overdue} · 满意率 ${formatPercent(f.satisfactionRate.value)}（${f.satisfactionRate.numerator}/${f.satisfactionRate.denominator}）`;
}
function swatch(colour) {
    return raw(`<svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="${colour}" stroke="#555" stroke-width="1"/></svg>`);
}
/**
 * The map section: the drawing, its legend, the figure switch, and the villages without
 * coordinates. Nothing when no village has coordinates and none is listed.
 */
export function regionMapHtml(map) {
    const placed = map.places.filter((p) => p.point !== null);
    const unplaced = map.places.filter((p) => p.point === null);
    if (map.places.length === 0)
        return html ``;
    const project = projection(placed.map((p) => p.point));
    const scale = colourScale(map.figure, placed.map((p) => p.figures));
    const received = (p) => p.figures?.received ?? 0;
    const maxReceived = Math.max(0, ...placed.map(received));
    const inside = (q) => q.x >= 0 && q.x <= MAP_BOX.width && q.y >= 0 && q.y <= MAP_BOX.height;
    const pins = (map.pins ?? []).map((pin) => ({ pin, at: project(pin.point) })).filter(({ at }) => inside(at));
    const outside = (map.pins?.length ?? 0) - pins.length;
    // The busiest villages first, so that smaller circles lie on top and stay clickable; the
    // shared locations last, small dots on top of all (a location is often inside its village's circle).
    const ordered = [...placed].sort((a, b) => received(b) - received(a) || a.code.localeCompare(b.code));
    const name = MAP_FIGURE_NAMES[map.figure];
    const svg = html `<svg id="${map.id}" class="region-map" viewBox="0 0 ${MAP_BOX.width} ${MAP_BOX.height}" width="${MAP_BOX.width}" height="${MAP_BOX.height}" role="group" aria-labelledby="${map.id}-title">
<title id="${map.id}-title">${map.title}</title>
<rect x="0" y="0" width="${MAP_BOX.width}" height="${MAP_BOX.height}" fill="#f7faf8" stroke="#dde3df"/>
<g class="villages">${ordered.map((place) => {
        const at = project(place.point);
        const step = scale.stepOf(place.figures);
        const colour = step === null ? NO_VALUE_COLOUR : (scale.steps[step]?.colour ?? NO_VALUE_COLOUR);
        const r = radiusOf(received(place), maxReceived);
        const mark = html `<title>${placeTitle(place)}</title><circle cx="${fixed(at.x)}" cy="${fixed(at.y)}" r="${fixed(r)}" fill="${colour}" fill-opacity="0.9" stroke="#333" stroke-width="1"/><text x="${fixed(at.x)}" y="${fixed(at.y + r + 13)}" font-size="12" text-anchor="middle" fill="#1b1b1b">${place.name}</text>`;
        return place.href === null
            ? html `<g class="village" data-village="${place.code}">${mark}</g>`
            : html `<a class="village" href="${place.href}" data-village="${place.code}">${mark}</a>`;
    })}</g>
<g class="pins">${pins.map(({ pin, at }) => html `<a class="pin" href="${pin.href}" target="_blank" rel="noopener noreferrer"><title>${pin.label}</title><circle cx="${fixed(at.x)}" cy="${fixed(at.y)}" r="3" fill="#333" fill-opacity="0.7" stroke="#fff" stroke-width="0.8"/></a>`)}</g>
</svg>`;
    const legend = html `<ul class="map-legend">${scale.steps.map((s) => html `<li>${swatch(s.colour)} ${s.label}</li>`)}${map.figure === 'satisfaction' ? html `<li>${swatch(NO_VALUE_COLOUR)} ${bi('无评价', 'no ratings')}</li>` : ''}</ul>`;
    const switcher = map.switchHref
        ? html `<p class="map-switch">${bi('着色', 'Colour by')}：${MAP_FIGURES.map((f) => f === map.figure
            ? html `<strong aria-current="true">${bi(MAP_FIGURE_NAMES[f].zh, MAP_FIGURE_NAMES[f].en)}</strong> `
            : html `<a href="${map.switchHref?.(f) ?? ''}" data-map-figure="${f}">${bi(MAP_FIGURE_NAMES[f].zh, MAP_FIGURE_NAMES[f].en)}</a> `)}</p>`
        : '';
    return html `<div class="region-map-box">
${switcher}
${placed.length ? svg : ''}
<p class="hint">${bi(`颜色：${name.zh}`, `colour: ${name.en}`)} · ${bi('圆的面积：受理量', 'circle area: received')}${map.pins?.length ? html ` · ${bi('小黑点：群众共享的位置（点击在地图上查看）', 'small dots: locations residents shared (click for a street map)')}` : ''}</p>
${legend}
${outside > 0 ? html `<p class="hint">${bi(`另有 ${outside} 个位置在图幅外`, `${outside} more locations lie outside the map`)}</p>` : ''}
${unplaced.length ? html `<p class="map-unplaced">${bi('未标注位置', 'no position')}：${unplaced.map((p, i) => html `${i ? '、' : ''}${p.href === null ? p.name : html `<a href="${p.href}">${p.name}</a>`}`)}</p>` : ''}
</div>`;
}
