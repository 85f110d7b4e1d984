/**
 * The SVG charts: well-formed XML (parsed by a strict little parser below), the values
 * and labels present as text, every text escaped, accessible name and description, and
 * nothing a strict Content-Security-Policy would block.
 */
import { describe, expect, test } from 'vitest';
import { breakdownColumnChart, breakdownRanking, columnChart, formatRateText, niceScale, rankingChart, statsTrendChart, trendChart } from '../../../src/stats/charts.js';
import type { Breakdown, Figures, Rate, TrendPoint } from '../../../src/stats/types.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (entities decoded), children's excluded. */
  text: string;
}

const ENTITY = /^&(?:#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);/;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  for (let i = raw.indexOf('&'); i !== -1; i = raw.indexOf('&', i + 1)) {
    if (!ENTITY.test(raw.slice(i))) throw new Error(`bare & in ${where}: ${raw.slice(i, i + 12)}`);
  }
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (NAMED[e] ?? ''),
  );
}

/** A strict parser for the XML subset the charts write: elements, attributes, text, entities. Throws on anything malformed. */
function parseXml(source: string): XmlElement {
  let pos = 0;
  const NAME = /[A-Za-z_][\w:.-]*/y;
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(source);
    if (!m) throw new Error(`name expected at ${pos}: ${source.slice(pos, pos + 20)}`);
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (/\s/.test(source[pos] ?? '')) pos++;
  };
  const element = (): XmlElement => {
    if (source[pos] !== '<') throw new Error(`< expected at ${pos}`);
    pos++;
    const node: XmlElement = { name: readName(), attrs: {}, children: [], text: '' };
    for (;;) {
      const before = pos;
      skipSpace();
      if (source.startsWith('/>', pos)) {
        pos += 2;
        return node;
      }
      if (source[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) throw new Error(`space expected before attribute at ${pos}`);
      const attr = readName();
      if (attr in node.attrs) throw new Error(`duplicate attribute ${attr}`);
      if (source[pos] !== '=' || source[pos + 1] !== '"') throw new Error(`="value" expected after ${attr} at ${pos}`);
      const end = source.indexOf('"', pos + 2);
      if (end === -1) throw new Error('unterminated attribute');
      const raw = source.slice(pos + 2, end);
      if (raw.includes('<')) throw new Error(`< in attribute ${attr}`);
      node.attrs[attr] = decode(raw, `attribute ${attr}`);
      pos = end + 1;
    }
    for (;;) {
      const lt = source.indexOf('<', pos);
      if (lt === -1) throw new Error(`unclosed <${node.name}>`);
      const raw = source.slice(pos, lt);
      if (raw.includes('>')) throw new Error(`bare > in text of <${node.name}>`);
      node.text += decode(raw, `text of <${node.name}>`);
      pos = lt;
      if (source.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== node.name) throw new Error(`</${closing}> closes <${node.name}>`);
        if (source[pos] !== '>') throw new Error('> expected');
        pos++;
        return node;
      }
      node.children.push(element());
    }
  };
  const root = element();
  if (pos !== source.length) throw new Error(`content after the root element at ${pos}`);
  return root;
}

function all(node: XmlElement, name?: string): XmlElement[] {
  const found = !name || node.name === name ? [node] : [];
  return found.concat(node.children.flatMap((c) => all(c, name)));
}

/** Every text the chart prints (the <text> elements). */
function printed(svg: XmlElement): string[] {
  return all(svg, 'text').map((t) => t.text);
}

/** Checks what every chart must be; returns the parsed tree. */
function checkChart(markup: string, id: string, title: string): XmlElement {
  const svg = parseXml(markup);
  expect(svg.name).toBe('svg');
  expect(svg.attrs['xmlns']).toBe('http://www.w3.org/2000/svg');
  expect(svg.attrs['role']).toBe('img');
  expect(svg.attrs['id']).toBe(id);
  expect(Number(svg.attrs['width'])).toBeGreaterThan(0);
  expect(Number(svg.attrs['height'])).toBeGreaterThan(0);
  const titleEl = svg.children.find((c) => c.name === 'title');
  expect(titleEl?.text).toBe(title);
  expect(svg.attrs['aria-labelledby']?.split(' ')).toContain(titleEl?.attrs['id']);
  // CSP-safe: no inline style or script, no event handlers, no external references.
  for (const el of all(svg)) {
    expect(el.name).not.toMatch(/^(script|style|foreignObject|image|a|use)$/);
    for (const attr of Object.keys(el.attrs)) expect(attr).not.toMatch(/^(style|on\w+|href|xlink:href)$/);
  }
  return svg;
}

function rate(numerator: number, denominator: number): Rate {
  return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}

function figures(received: number, overrides: Partial<Figures> = {}): Figures {
  return {
    received,
    open: 0,
    overdue: 0,
    responseRate: rate(0, 0),
    onTimeRate: rate(0, 0),
    oneTimeRate: rate(0, 0),
    resolutionRate: rate(0, 0),
    satisfactionRate: rate(0, 0),
    returnRate: rate(0, 0),
    reopenRate: rate(0, 0),
    medianAcceptMinutes: null,
    medianResolveMinutes: null,
    ...overrides,
  };
}

describe('the strict parser these tests rely on', () => {
  test('rejects what a browser would reject', () => {
    for (const bad of ['<svg><text>a & b</text></svg>', '<svg><text>a</svg>', '<svg a="1" a="2"/>', '<svg a=1/>', '<svg><text x="<"/></svg>', '<svg/><svg/>']) {
      expect(() => parseXml(bad), bad).toThrow();
    }
    expect(parseXml('<svg a="&#60;"><text>&amp;x</text></svg>').children[0]?.text).toBe('&x');
  });
});

describe('escaping', () => {
  test('labels and titles with markup stay text in every chart', () => {
    const evil = `</text><script>alert("x")</script>&amp; 'q'`;
    const charts = [
      trendChart({ id: 't', title: evil, desc: evil, labels: [evil, 'b'], bars: [{ name: evil, values: [1, 2] }], lines: [{ name: evil, values: [0.5, null] }] }),
      columnChart({ id: 'c', title: evil, items: [{ label: evil, value: 3, display: evil }] }),
      rankingChart({ id: 'r', title: evil, items: [{ label: evil, value: 3, display: evil }] }),
    ];
    for (const markup of charts) {
      expect(markup).not.toContain('<script');
      const svg = parseXml(markup);
      expect(all(svg, 'script')).toHaveLength(0);
      // The text survives intact for the reader.
      expect(all(svg).some((el) => el.text.includes(evil))).toBe(true);
    }
  });
});

describe('trend chart', () => {
  const points: TrendPoint[] = [
    { start: '2026-10-01', figures: figures(12, { onTimeRate: rate(9, 10), satisfactionRate: rate(7, 8) }) },
    { start: '2026-10-02', figures: figures(0) },
    { start: '2026-10-03', figures: figures(5, { onTimeRate: rate(1, 4), satisfactionRate: rate(2, 2) }) },
  ];

  test('bars for received, points for the rates, values and dates printed', () => {
    const svg = checkChart(statsTrendChart(points, 'day', { id: 'trend', title: '趋势 Trend', desc: '2026年10月' }), 'trend', '趋势 Trend');
    expect(all(svg, 'desc')[0]?.text).toBe('2026年10月');
    const bars = all(svg, 'rect').filter((r) => r.attrs['class'] === 'bar');
    expect(bars).toHaveLength(3);
    expect(bars.map((b) => all(b, 'title')[0]?.text)).toEqual(['10-01 受理量 Received: 12', '10-02 受理量 Received: 0', '10-03 受理量 Received: 5']);
    // Taller bar for the larger count; the zero bar has no height.
    const heights = bars.map((b) => Number(b.attrs['height']));
    expect(heights[0]).toBeGreaterThan(heights[2]!);
    expect(heights[1]).toBe(0);
    const text = printed(svg);
    expect(text).toEqual(expect.arrayContaining(['12', '5', '10-01', '10-03', '100%', '受理量 Received', '按时办结率 On-time rate', '满意率 Satisfaction rate']));
    // Two rates × two buckets with data; the empty bucket breaks the lines.
    const pointTitles = all(svg, 'circle')
      .filter((c) => c.attrs['class'] === 'point')
      .map((c) => all(c, 'title')[0]?.text);
    expect(pointTitles).toEqual([
      '10-01 按时办结率 On-time rate: 90.0%',
      '10-03 按时办结率 On-time rate: 25.0%',
      '10-01 满意率 Satisfaction rate: 87.5%',
      '10-03 满意率 Satisfaction rate: 100.0%',
    ]);
    const paths = all(svg, 'path').map((p) => p.attrs['d'] ?? '');
    expect(paths).toHaveLength(2);
    for (const d of paths) expect(d.match(/M/g)).toHaveLength(2);
  });

  test('monthly buckets are labelled YYYY-MM', () => {
    const svg = parseXml(
      statsTrendChart(
        [
          { start: '2026-09-01', figures: figures(3) },
          { start: '2026-10-01', figures: figures(4) },
        ],
        'month',
        { id: 'm', title: 'm' },
      ),
    );
    expect(printed(svg)).toEqual(expect.arrayContaining(['2026-09', '2026-10']));
  });

  test('a long period thins the date labels instead of overlapping them', () => {
    const labels = Array.from({ length: 92 }, (_, i) => `d${String(i).padStart(3, '0')}`);
    const svg = checkChart(trendChart({ id: 'long', title: 'long', labels, bars: [{ name: 'n', values: labels.map((_, i) => i % 7) }] }), 'long', 'long');
    expect(all(svg, 'rect').filter((r) => r.attrs['class'] === 'bar')).toHaveLength(92);
    const dateLabels = printed(svg).filter((t) => t.startsWith('d'));
    expect(dateLabels.length).toBeLessThanOrEqual(13);
    expect(dateLabels[0]).toBe('d000');
  });

  test('no buckets: a chart that says so', () => {
    const svg = checkChart(trendChart({ id: 'e', title: 'empty', labels: [], bars: [] }), 'e', 'empty');
    expect(printed(svg)).toEqual(['暂无数据 No data']);
  });
});

describe('category breakdown', () => {
  const breakdown: Breakdown = {
    dimension: 'category',
    total: figures(30),
    rows: [
      { key: 'power', label: '电力照明', figures: figures(14) },
      { key: 'road', label: '道路交通', figures: figures(9) },
      { key: 'water', label: '供水排水', figures: figures(7) },
    ],
  };

  test('one column per category with its count and name', () => {
    const svg = checkChart(breakdownColumnChart(breakdown, { id: 'cat', title: '分类 Categories' }), 'cat', '分类 Categories');
    const bars = all(svg, 'rect').filter((r) => r.attrs['class'] === 'bar');
    expect(bars.map((b) => all(b, 'title')[0]?.text)).toEqual(['电力照明: 14', '道路交通: 9', '供水排水: 7']);
    expect(printed(svg)).toEqual(expect.arrayContaining(['14', '9', '7', '电力照明', '道路交通', '供水排水']));
    const heights = bars.map((b) => Number(b.attrs['height']));
    expect(heights[0]! / heights[2]!).toBeCloseTo(2, 1);
  });

  test('many categories slant their labels', () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ label: `社会保障分类${i}`, value: 14 - i }));
    const svg = checkChart(columnChart({ id: 'many', title: 'many', items: many }), 'many', 'many');
    const label = all(svg, 'text').find((t) => t.text === '社会保障分类0');
    expect(label?.attrs['transform']).toMatch(/^rotate\(-40 /);
  });
});

describe('ranking', () => {
  const villages: Breakdown = {
    dimension: 'village',
    total: figures(25),
    rows: [
      { key: '3', label: '东湖村', figures: figures(12, { onTimeRate: rate(6, 10) }) },
      { key: '4', label: '西山村', figures: figures(8, { onTimeRate: rate(8, 8) }) },
      { key: '5', label: '南岭村', figures: figures(4) },
      { key: '6', label: '北坡村', figures: figures(1, { onTimeRate: rate(1, 2) }) },
    ],
  };

  test('by received: every village, largest first, rank and value printed', () => {
    const svg = checkChart(breakdownRanking(villages, 'received', { id: 'rv', title: '村排名' }), 'rv', '村排名');
    expect(printed(svg)).toEqual(['1. 东湖村', '12', '2. 西山村', '8', '3. 南岭村', '4', '4. 北坡村', '1']);
    const widths = all(svg, 'rect')
      .filter((r) => r.attrs['class'] === 'bar')
      .map((r) => Number(r.attrs['width']));
    expect(widths[0]! / widths[1]!).toBeCloseTo(12 / 8, 1);
  });

  test('by a rate: villages without a denominator are left out, bars on a 0–100 % scale', () => {
    const svg = checkChart(breakdownRanking(villages, 'onTimeRate', { id: 'rr', title: '按时办结率排名' }), 'rr', '按时办结率排名');
    expect(printed(svg)).toEqual(['1. 西山村', '100.0%（8/8）', '2. 东湖村', '60.0%（6/10）', '3. 北坡村', '50.0%（1/2）']);
    const widths = all(svg, 'rect')
      .filter((r) => r.attrs['class'] === 'bar')
      .map((r) => Number(r.attrs['width']));
    expect(widths[1]! / widths[0]!).toBeCloseTo(0.6, 2);
  });

  test('nothing to rank: a chart that says so', () => {
    const svg = checkChart(breakdownRanking({ ...villages, rows: [] }, 'received', { id: 'none', title: 'none' }), 'none', 'none');
    expect(printed(svg)).toEqual(['暂无数据 No data']);
  });
});

describe('helpers', () => {
  test('niceScale covers the maximum with whole steps of 1, 2 or 5 × 10^k', () => {
    expect(niceScale(0)).toEqual({ top: 1, step: 1 });
    expect(niceScale(3)).toEqual({ top: 3, step: 1 });
    expect(niceScale(12)).toEqual({ top: 15, step: 5 });
    expect(niceScale(97)).toEqual({ top: 100, step: 50 });
    expect(niceScale(1234)).toEqual({ top: 1500, step: 500 });
  });

  test('rates print with their parts', () => {
    expect(formatRateText(rate(43, 50))).toBe('86.0%（43/50）');
    expect(formatRateText(rate(0, 0))).toBe('—（0/0）');
  });
});
