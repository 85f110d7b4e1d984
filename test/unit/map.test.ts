/**
 * The region map's projection and scales (src/web/map.ts): points land inside the box with
 * north up and true proportions at the county's latitude, circle areas follow the counts,
 * and the colour steps cover every value.
 */
import { describe, expect, test } from 'vitest';
import type { Figures } from '../../src/stats/types.js';
import { colourScale, MAP_BOX, mapFigureOf, MAX_RADIUS, MIN_RADIUS, projection, radiusOf, regionMapHtml } from '../../src/web/map.js';

const rate = (numerator: number, denominator: number) => ({ numerator, denominator, value: denominator ? numerator / denominator : null });

function figuresOf(received: number, satisfied = 0, rated = 0): Figures {
  const none = rate(0, 0);
  return {
    received,
    open: Math.floor(received / 2),
    overdue: Math.floor(received / 4),
    responseRate: none,
    onTimeRate: none,
    oneTimeRate: none,
    resolutionRate: none,
    satisfactionRate: rate(satisfied, rated),
    returnRate: none,
    reopenRate: none,
    medianAcceptMinutes: null,
    medianResolveMinutes: null,
  };
}

describe('projection', () => {
  test('fits the extent inside the margin, north up, east right, centred', () => {
    const points = [
      { latitude: 30.0, longitude: 120.0 },
      { latitude: 30.1, longitude: 120.0 },
      { latitude: 30.05, longitude: 120.2 },
    ];
    const project = projection(points);
    const plane = points.map(project);
    for (const p of plane) {
      expect(p.x).toBeGreaterThanOrEqual(MAP_BOX.margin - 1e-9);
      expect(p.x).toBeLessThanOrEqual(MAP_BOX.width - MAP_BOX.margin + 1e-9);
      expect(p.y).toBeGreaterThanOrEqual(MAP_BOX.margin - 1e-9);
      expect(p.y).toBeLessThanOrEqual(MAP_BOX.height - MAP_BOX.margin + 1e-9);
    }
    const [south, north, east] = plane as [(typeof plane)[0], (typeof plane)[0], (typeof plane)[0]];
    expect(north.y).toBeLessThan(south.y);
    expect(east.x).toBeGreaterThan(south.x);
    // The wider side (east–west here) fills the width between the margins.
    expect(east.x - south.x).toBeCloseTo(MAP_BOX.width - 2 * MAP_BOX.margin, 6);
    // The middle of the extent is the middle of the box.
    expect(project({ latitude: 30.05, longitude: 120.1 })).toEqual({ x: MAP_BOX.width / 2, y: MAP_BOX.height / 2 });
  });

  test('a degree of longitude is cos(latitude) of a degree of latitude', () => {
    const project = projection([
      { latitude: 60, longitude: 10 },
      { latitude: 60.1, longitude: 10.1 },
    ]);
    const origin = project({ latitude: 60, longitude: 10 });
    const east = project({ latitude: 60, longitude: 10.1 });
    const north = project({ latitude: 60.1, longitude: 10 });
    const ratio = (east.x - origin.x) / (origin.y - north.y);
    expect(ratio).toBeCloseTo(Math.cos((60.05 * Math.PI) / 180), 6);
  });

  test('a single point sits in the middle; close points are not blown up', () => {
    const lone = projection([{ latitude: 30, longitude: 120 }]);
    expect(lone({ latitude: 30, longitude: 120 })).toEqual({ x: MAP_BOX.width / 2, y: MAP_BOX.height / 2 });
    // Two points 10 m apart stay close together (the map shows at least ~2 km).
    const close = projection([
      { latitude: 30, longitude: 120 },
      { latitude: 30.0001, longitude: 120 },
    ]);
    const a = close({ latitude: 30, longitude: 120 });
    const b = close({ latitude: 30.0001, longitude: 120 });
    expect(Math.abs(a.y - b.y)).toBeLessThan(3);
  });
});

describe('scales', () => {
  test('circle areas grow with the count (square root), between the least and the most radius', () => {
    expect(radiusOf(0, 100)).toBe(MIN_RADIUS);
    expect(radiusOf(100, 100)).toBe(MAX_RADIUS);
    expect(radiusOf(5, 0)).toBe(MIN_RADIUS);
    const quarter = radiusOf(25, 100) - MIN_RADIUS;
    expect(quarter / (MAX_RADIUS - MIN_RADIUS)).toBeCloseTo(0.5, 9);
  });

  test('a count scale puts none in the first step and the largest in the last; no step is empty', () => {
    const all = [figuresOf(0), figuresOf(3), figuresOf(10), figuresOf(40)];
    const scale = colourScale('received', all);
    expect(scale.steps.map((s) => s.label)).toEqual(['0', '1 – 10', '11 – 20', '21 – 30', '31 – 40']);
    expect(all.map((f) => scale.stepOf(f))).toEqual([0, 1, 1, 4]);
    expect(scale.stepOf(null)).toBe(0);
    // Small counts: steps that could hold no whole number are left out.
    const small = colourScale('received', [figuresOf(1), figuresOf(2)]);
    expect(small.steps.map((s) => s.label)).toEqual(['0', '1', '2']);
    expect(small.stepOf(figuresOf(2))).toBe(2);
    // The open count colours by open, not received.
    expect(colourScale('open', all).stepOf(figuresOf(40))).toBe(colourScale('open', all).steps.length - 1);
  });

  test('satisfaction has fixed steps; no ratings has no step', () => {
    const scale = colourScale('satisfaction', []);
    expect(scale.steps).toHaveLength(5);
    expect(scale.stepOf(figuresOf(5, 6, 10))).toBe(0);
    expect(scale.stepOf(figuresOf(5, 7, 10))).toBe(1);
    expect(scale.stepOf(figuresOf(5, 19, 20))).toBe(4);
    expect(scale.stepOf(figuresOf(5, 0, 0))).toBeNull();
    expect(scale.stepOf(null)).toBeNull();
  });

  test('an unknown figure parameter means received', () => {
    expect(mapFigureOf('overdue')).toBe('overdue');
    expect(mapFigureOf('<x>')).toBe('received');
    expect(mapFigureOf(null)).toBe('received');
  });
});

describe('the drawing', () => {
  test('one linked point per placed village with its figures; the others listed; text escaped', () => {
    const out = regionMapHtml({
      id: 'm',
      title: 'T',
      figure: 'satisfaction',
      places: [
        { code: 'A', name: '东<村>', point: { latitude: 30, longitude: 120 }, figures: figuresOf(4, 3, 4), href: '/a?x=1&y=2' },
        { code: 'B', name: '西村', point: { latitude: 30.02, longitude: 120.03 }, figures: null, href: '/b' },
        { code: 'C', name: '南村', point: null, figures: null, href: '/c' },
        { code: 'D', name: '北村', point: { latitude: 30.01, longitude: 120.0 }, figures: null, href: null },
      ],
      pins: [
        { point: { latitude: 30.01, longitude: 120.01 }, label: 'MQ-1 路灯', href: 'https://uri.amap.com/marker?position=120.01,30.01' },
        { point: { latitude: 45, longitude: 100 }, label: 'far away', href: 'https://example.org' },
      ],
      switchHref: (f) => `/s?map=${f}`,
    }).toString();
    expect(out.match(/<a class="village"/g)).toHaveLength(2);
    // A village the user may not open is drawn, without a link.
    expect(out).toContain('<g class="village" data-village="D"><title>北村：受理 0</title>');
    expect(out).toContain('href="/a?x=1&amp;y=2" data-village="A"');
    expect(out).toContain('<title>东&lt;村&gt;：受理 4 · 在办 2 · 超期 1 · 满意率 75.0%（3/4）</title>');
    expect(out).toContain('<title>西村：受理 0</title>');
    expect(out).toMatch(/class="map-unplaced">.*<a href="\/c">南村<\/a>/);
    expect(out.match(/<a class="pin"/g)).toHaveLength(1);
    expect(out).toContain('另有 1 个位置在图幅外');
    expect(out).toContain('href="/s?map=received"');
    expect(out).not.toContain('href="/s?map=satisfaction"');
  });
});
