/**
 * The statistics page 跟踪问效 of the console (`/console/stats`): a form to choose the
 * period and the cohort, the figures with their definitions, the charts (trend, category
 * breakdown, rankings of villages and departments), the breakdown tables, and a CSV of
 * every table (`/console/stats/export?table=…`, same parameters).
 *
 * It returns the page BODY: the console shell wraps it in the layout after checking the
 * login. What a user may look at follows their scope: region roles choose among their
 * regions; a grid leader sees their grid, a department handler their department.
 * Nothing here names a resident: the figures are counts, and liaisons are staff.
 */
import type { Db } from '../../db/client.js';
import { gridOptions, MAX_OPTIONS } from './queue-page.js';
import { addCalendarDays, localDateOf, localInstant } from '../../pipeline/calendar.js';
import { conversationFigures, type ConversationFigures } from '../../stats/conversations.js';
import {
  changeText,
  conversationFiguresHtml,
  definitionsHtml,
  FIGURE_KEYS,
  FIGURE_NAMES,
  figureCsvCells,
  figureCsvHeader,
  figureHtml,
  shortName,
  type CsvCell,
} from '../../report/format.js';
import { breakdownColumnChart, breakdownRanking, METRIC_NAMES, RANK_METRICS, type RankMetric, statsTrendChart } from '../../stats/charts.js';
import { breakdowns as breakdownsOf, dayRange, figures, periodRange, trend } from '../../stats/query.js';
import {
  type Breakdown,
  type Bucket,
  type Dimension,
  type Figures,
  type HotWord,
  type Period,
  PERIODS,
  type StatsFilters,
  type StatsQuery,
  type TrendPoint,
} from '../../stats/types.js';
import { coverageBreakdowns } from '../../visits/place-coverage.js';
import { channelFigures, type ChannelFigures } from '../../stats/channels.js';
import { channelCsv, channelTableHtml } from '../../report/channels.js';
import { toCsv } from '../csv.js';
import { bi, type Html, html, raw } from '../html.js';
import { type StaffScope } from './scope.js';
import { loadRegions, pathOf, type RegionNode, subtreeIds } from '../../org/regions.js';
import { COVERAGE_TABLES, coverageCardsHtml, coverageCsv, coverageSectionHtml, type CoverageTable, type StatsCoverage } from './stats-coverage.js';
import { statsMapHtml } from './stats-map.js';
import { formId } from './form-numbers.js';
import { reportLink } from './report-page.js';

/** Where the console mounts the page and its CSV export. */
export const STATS_PATH = '/console/stats';
export const STATS_CSV_PATH = '/console/stats/export';

/** Table rows shown on the page; the CSV has them all. */
const MAX_ROWS = 100;
/** The longest custom period, in days. */
const MAX_CUSTOM_DAYS = 731;

const PERIOD_NAMES: Record<Period, Html> = {
  day: bi('日', 'Day'),
  week: bi('周', 'Week'),
  month: bi('月', 'Month'),
  custom: bi('自定义', 'Custom'),
};

const LEVEL_NAMES: Record<string, string> = { county: '县', township: '镇', village: '村' };

/** What the user may choose from, following their scope. */
interface Reach {
  regions: RegionNode[];
  /** Grid leaders and department handlers are held to their grids / departments. */
  gridIds: number[] | null;
  departmentIds: number[] | null;
}

interface Option {
  value: string;
  label: string | Html;
}

/** The page's choices, checked against the user's reach. */
export interface StatsRequest {
  period: Period;
  /** The local date (Beijing) the day, week or month is around, YYYY-MM-DD. */
  date: string;
  /** Custom period: first and last local date, both included. */
  from: string;
  to: string;
  region: RegionNode;
  filters: StatsFilters;
  rank: RankMetric;
  /** Choices that were refused (shown on the page, then ignored). */
  problems: string[];
}

/** Everything the page shows, gathered. */
interface StatsView {
  request: StatsRequest;
  range: { from: Date; to: Date };
  /** Now, when the period is not over yet (this month so far): its figures are partial. */
  asOf: Date | null;
  previous: { from: Date; to: Date };
  bucket: Bucket;
  current: Figures;
  before: Figures;
  trendPoints: TrendPoint[];
  tables: { dimension: Dimension; title: Html; csvTitle: string; breakdown: Breakdown }[];
  words: HotWord[];
  /** The period's 人工 conversations in the region (region roles only). */
  conversations: ConversationFigures | null;
  /** The month's 包户 coverage (not for a department handler: visits are not a department's work). */
  coverage: StatsCoverage | null;
  /** By channel of receipt (chat platforms, 来访, 来电, 来信, 走访). */
  channels: { rows: ChannelFigures[]; total: ChannelFigures } | null;
  options: { regions: Option[]; grids: Option[] | null; departments: Option[]; categories: Option[]; liaisons: Option[] | null };
}

// ─── Reading the request ───────────────────────────────────────────────────────

async function reachOf(db: Db, scope: StaffScope, regions: Map<number, RegionNode>): Promise<Reach> {
  if (scope.regionIds.length > 0) {
    const list = scope.regionIds.map((id) => regions.get(id)).filter((r): r is RegionNode => r !== undefined);
    const tops = new Set(scope.topRegions.map((r) => r.id));
    // The user's own regions first, then the rest in code order.
    list.sort((a, b) => Number(tops.has(b.id)) - Number(tops.has(a.id)) || a.code.localeCompare(b.code));
    return { regions: list, gridIds: null, departmentIds: null };
  }
  if (scope.gridIds.length > 0) {
    const grids = await db.grid.findMany({ where: { id: { in: scope.gridIds } }, select: { regionId: true } });
    return {
      regions: uniqueRegions(
        grids.map((g) => g.regionId),
        regions,
      ),
      gridIds: scope.gridIds,
      departmentIds: null,
    };
  }
  if (scope.departmentIds.length > 0) {
    const departments = await db.department.findMany({ where: { id: { in: scope.departmentIds } }, select: { regionId: true } });
    return {
      regions: uniqueRegions(
        departments.map((d) => d.regionId),
        regions,
      ),
      gridIds: null,
      departmentIds: scope.departmentIds,
    };
  }
  return { regions: [], gridIds: [], departmentIds: [] };
}

function uniqueRegions(ids: number[], regions: Map<number, RegionNode>): RegionNode[] {
  return [...new Set(ids)].map((id) => regions.get(id)).filter((r): r is RegionNode => r !== undefined);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text);
}

function idParam(params: URLSearchParams, name: string): number | null {
  const text = params.get(name)?.trim();
  if (!text) return null;
  return formId(text) ?? -1;
}

async function optionsFor(db: Db, reach: Reach, region: RegionNode, regions: Map<number, RegionNode>) {
  const below = subtreeIds(regions, region.id);
  const around = [...new Set([...below, ...pathOf(regions, region.id)])];
  const gridWhere = reach.gridIds ? { id: { in: reach.gridIds } } : { regionId: { in: below } };
  const grids = await gridOptions(db, gridWhere);
  const departments = (
    await db.department.findMany({
      where: reach.departmentIds ? { id: { in: reach.departmentIds } } : { regionId: { in: around } },
      select: { id: true, name: true, region: { select: { name: true } } },
      orderBy: { code: 'asc' },
    })
  ).map((d) => ({ value: String(d.id), label: `${d.region.name} ${d.name}` }));
  const categories = (await db.category.findMany({ select: { code: true, nameZh: true, nameEn: true }, orderBy: { code: 'asc' } })).map((c) => ({
    value: c.code,
    label: `${c.nameZh} ${c.nameEn}`,
  }));
  const liaisonWhere = { role: 'liaison', regionId: { in: below } };
  const liaisonRoles = await db.personRole.findMany({
    where: liaisonWhere,
    select: { personId: true, person: { select: { name: true, code: true } }, region: { select: { name: true } } },
    orderBy: { person: { code: 'asc' } },
    take: MAX_OPTIONS + 1,
  });
  const liaisonMap = new Map<number, Option>();
  for (const r of liaisonRoles) liaisonMap.set(r.personId, { value: String(r.personId), label: `${r.person.name}（${r.region.name}）` });
  const liaisons = liaisonRoles.length > MAX_OPTIONS ? null : [...liaisonMap.values()];
  const regionOptions = reach.regions.map((r) => ({ value: String(r.id), label: `${'　'.repeat(depthOf(regions, r))}${r.name}（${LEVEL_NAMES[r.level] ?? r.level}）` }));
  return { regions: regionOptions, grids, departments, categories, liaisons };
}

/**
 * A grid or a person asked for by id (a drill-down link) that the lists leave out —
 * the list was too long to offer, or the person handles tickets without the liaison
 * role — joins its list when it lies inside the region, so the filter applies and shows.
 */
async function includeRequested(db: Db, params: URLSearchParams, reach: Reach, options: StatsView['options'], below: number[]): Promise<void> {
  const gridId = idParam(params, 'grid');
  if (gridId !== null && gridId > 0 && !reach.gridIds && !options.grids?.some((o) => o.value === String(gridId))) {
    const grid = await db.grid.findFirst({ where: { id: gridId, regionId: { in: below } }, select: { id: true, name: true, region: { select: { name: true } } } });
    if (grid) options.grids = [...(options.grids ?? []), { value: String(grid.id), label: `${grid.region.name} ${grid.name}` }];
  }
  const personId = idParam(params, 'liaison');
  if (personId !== null && personId > 0 && !options.liaisons?.some((o) => o.value === String(personId))) {
    const person = await db.person.findFirst({ where: { id: personId, roles: { some: { regionId: { in: below } } } }, select: { id: true, name: true } });
    if (person) options.liaisons = [...(options.liaisons ?? []), { value: String(person.id), label: person.name }];
  }
}

function depthOf(regions: Map<number, RegionNode>, region: RegionNode): number {
  return Math.max(0, pathOf(regions, region.id).length - 1);
}

/** Reads and checks the request; anything not allowed is dropped with a line saying so. */
function readRequest(params: URLSearchParams, reach: Reach, options: StatsView['options'], region: RegionNode, today: string, problems: string[]): StatsRequest {
  const periodText = params.get('period') ?? 'month';
  const period: Period = PERIODS.find((p) => p === periodText) ?? 'month';
  if (period !== periodText) problems.push(`周期无效，按月统计 unknown period, showing the month`);
  let date = params.get('date')?.trim() || today;
  if (!validDate(date)) {
    problems.push(`日期无效 invalid date: ${date}`);
    date = today;
  }
  let from = params.get('from')?.trim() || addCalendarDays(today, -29);
  let to = params.get('to')?.trim() || today;
  if (period === 'custom') {
    if (!validDate(from) || !validDate(to) || from > to) {
      problems.push(`自定义起止日期无效 invalid custom dates: ${from} – ${to}`);
      from = addCalendarDays(today, -29);
      to = today;
    } else if (daysBetween(from, to) >= MAX_CUSTOM_DAYS) {
      problems.push(`自定义周期最长 ${MAX_CUSTOM_DAYS} 天 a custom period is at most ${MAX_CUSTOM_DAYS} days`);
      from = addCalendarDays(to, -(MAX_CUSTOM_DAYS - 1));
    }
  }
  const filters: StatsFilters = {};
  const pick = (name: string, list: Option[] | null, label: string): number | undefined => {
    const id = idParam(params, name);
    if (id === null) return undefined;
    if (list?.some((o) => o.value === String(id))) return id;
    problems.push(`${label}不在可选范围内，已忽略 ${name} is not among the choices, ignored`);
    return undefined;
  };
  const gridId = pick('grid', options.grids, '网格');
  if (gridId !== undefined) filters.gridId = gridId;
  else if (reach.gridIds?.[0] !== undefined) filters.gridId = reach.gridIds[0];
  const departmentId = pick('department', options.departments, '部门');
  if (departmentId !== undefined) filters.departmentId = departmentId;
  else if (reach.departmentIds?.[0] !== undefined) filters.departmentId = reach.departmentIds[0];
  const liaisonId = pick('liaison', options.liaisons, '网格员');
  if (liaisonId !== undefined) filters.liaisonId = liaisonId;
  const category = params.get('category')?.trim();
  if (category) {
    if (options.categories.some((c) => c.value === category)) filters.categoryCode = category;
    else problems.push(`事项分类不在可选范围内，已忽略 unknown category, ignored`);
  }
  const rankText = params.get('rank') ?? 'received';
  const rank = RANK_METRICS.find((m) => m === rankText) ?? 'received';
  return { period, date, from, to, region, filters, rank, problems };
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The period's instants, and the one just before it of the same length. */
function rangesOf(request: StatsRequest): { range: { from: Date; to: Date }; previous: { from: Date; to: Date } } {
  if (request.period === 'custom') {
    const days = daysBetween(request.from, request.to) + 1;
    return { range: dayRange(request.from, request.to), previous: dayRange(addCalendarDays(request.from, -days), addCalendarDays(request.from, -1)) };
  }
  const range = periodRange(request.period, localInstant(request.date, 12 * 60));
  return { range, previous: periodRange(request.period, new Date(range.from.getTime() - 1)) };
}

/** Trend buckets: days for short periods, weeks up to half a year, months beyond. */
function trendOf(request: StatsRequest, range: { from: Date; to: Date }): { bucket: Bucket; from: Date; to: Date } {
  // A single day has no trend of its own: show the fortnight that ends with it.
  if (request.period === 'day') return { bucket: 'day', from: localInstant(addCalendarDays(request.date, -13), 0), to: range.to };
  const days = (range.to.getTime() - range.from.getTime()) / 86_400_000;
  return { bucket: days <= 62 ? 'day' : days <= 183 ? 'week' : 'month', ...range };
}

/** Which breakdowns a region has, with their titles. */
function dimensionsOf(region: RegionNode): { dimension: Dimension; title: Html; csvTitle: string }[] {
  const out: { dimension: Dimension; title: Html; csvTitle: string }[] = [];
  if (region.level === 'county') {
    out.push({ dimension: 'region', title: bi('按乡镇', 'By township'), csvTitle: 'township' });
    out.push({ dimension: 'village', title: bi('按村', 'By village'), csvTitle: 'village' });
  } else if (region.level === 'township') {
    out.push({ dimension: 'region', title: bi('按村', 'By village'), csvTitle: 'village' });
  }
  out.push({ dimension: 'grid', title: bi('按网格', 'By grid'), csvTitle: 'grid' });
  out.push({ dimension: 'department', title: bi('按部门', 'By department'), csvTitle: 'department' });
  out.push({ dimension: 'category', title: bi('按事项分类', 'By category'), csvTitle: 'category' });
  out.push({ dimension: 'liaison', title: bi('按网格员', 'By liaison'), csvTitle: 'liaison' });
  return out;
}

const NO_RATE = { numerator: 0, denominator: 0, value: null };
/** Stands in for figures a CSV export does not need. */
const EMPTY_FIGURES: Figures = {
  received: 0,
  open: 0,
  overdue: 0,
  responseRate: NO_RATE,
  onTimeRate: NO_RATE,
  oneTimeRate: NO_RATE,
  resolutionRate: NO_RATE,
  satisfactionRate: NO_RATE,
  returnRate: NO_RATE,
  reopenRate: NO_RATE,
  medianAcceptMinutes: null,
  medianResolveMinutes: null,
};

/** The parameter a breakdown row drills down with. */
const DRILL: Record<Dimension, string> = { region: 'region', village: 'region', grid: 'grid', department: 'department', category: 'category', liaison: 'liaison' };

/** Gathers the page's figures, or only what one CSV table needs. */
async function gather(db: Db, scope: StaffScope, params: URLSearchParams, now: Date, only?: StatsTable): Promise<StatsView | null> {
  const regions = await loadRegions(db);
  const reach = await reachOf(db, scope, regions);
  const problems: string[] = [];
  const regionParam = idParam(params, 'region');
  let region = reach.regions.find((r) => r.id === regionParam) ?? reach.regions[0];
  if (!region) return null;
  if (regionParam !== null && region.id !== regionParam) {
    problems.push('所选区域不在您的范围内，已显示您的区域 that region is outside your scope; showing yours');
    region = reach.regions[0] ?? region;
  }
  const options = await optionsFor(db, reach, region, regions);
  await includeRequested(db, params, reach, options, subtreeIds(regions, region.id));
  const request = readRequest(params, reach, options, region, localDateOf(now), problems);
  const { range, previous } = rangesOf(request);
  const query: StatsQuery = { scopeRegionId: region.id, from: range.from, to: range.to, filters: request.filters };
  const trendRange = trendOf(request, range);
  const wants = (what: StatsTable | 'words') => only === undefined || only === what;
  const dims = dimensionsOf(region).filter((d) => wants(d.dimension));
  // The period's breakdowns, trend (when it covers the same period) and hot words share one
  // scan of the cohort; the previous period's figures are another cohort. Started together:
  // each waits on the database at times, and the other uses the wait.
  const sameTrend = trendRange.from.getTime() === range.from.getTime() && trendRange.to.getTime() === range.to.getTime();
  const wantsTrend = wants('trend');
  const conversationsWanted = wants('figures') && only === undefined && scope.regionIds.length > 0;
  // Coverage is monthly: the month the period ends in.
  const coverageMonth = periodRange('month', new Date(range.to.getTime() - 1));
  const coverageWanted = !reach.departmentIds && (only === undefined || only in COVERAGE_TABLES);
  const channelsWanted = only === undefined || only === 'channel';
  const [shared, before, ownTrend, conversations, coverage, channels] = await Promise.all([
    dims.length > 0 || wants('figures') || wants('words') || (wantsTrend && sameTrend)
      ? breakdownsOf(
          db,
          query,
          dims.map((d) => d.dimension),
          { ...(wantsTrend && sameTrend ? { bucket: trendRange.bucket } : {}), ...(wants('words') ? { words: 20 } : {}) },
        )
      : null,
    wants('figures') ? figures(db, { ...query, from: previous.from, to: previous.to }) : EMPTY_FIGURES,
    wantsTrend && !sameTrend ? trend(db, { ...query, from: trendRange.from, to: trendRange.to }, trendRange.bucket) : null,
    conversationsWanted ? conversationFigures(db, { regionIds: subtreeIds(regions, region.id), from: range.from, to: range.to }) : null,
    coverageWanted
      ? coverageBreakdowns(db, regions, region, coverageMonth, {
          ...(request.filters.liaisonId === undefined ? {} : { liaisonId: request.filters.liaisonId }),
          ...(request.filters.gridId === undefined ? {} : { gridId: request.filters.gridId }),
        })
      : null,
    channelsWanted ? channelFigures(db, { regionIds: subtreeIds(regions, region.id), from: range.from, to: range.to, filters: request.filters }) : null,
  ]);
  const tables = dims.map((d, k) => ({ ...d, breakdown: shared?.breakdowns[k] as Breakdown }));
  const trendPoints = ownTrend ?? shared?.trend ?? [];
  const words = shared?.words ?? [];
  const current = shared?.total ?? EMPTY_FIGURES;
  return {
    request,
    range,
    asOf: range.from <= now && now < range.to ? now : null,
    previous,
    bucket: trendRange.bucket,
    current,
    before,
    trendPoints,
    tables,
    words,
    conversations,
    coverage: coverage && { month: localDateOf(coverageMonth.from).slice(0, 7), ...coverage },
    channels,
    options,
  };
}

// ─── Rendering ─────────────────────────────────────────────────────────────────

/** The page's query string for `request` with some parameters changed. */
function linkWith(request: StatsRequest, changes: Record<string, string | null>, path = STATS_PATH): string {
  const params = new URLSearchParams();
  params.set('period', request.period);
  if (request.period === 'custom') {
    params.set('from', request.from);
    params.set('to', request.to);
  } else params.set('date', request.date);
  params.set('region', String(request.region.id));
  if (request.filters.gridId !== undefined) params.set('grid', String(request.filters.gridId));
  if (request.filters.departmentId !== undefined) params.set('department', String(request.filters.departmentId));
  if (request.filters.categoryCode !== undefined) params.set('category', request.filters.categoryCode);
  if (request.filters.liaisonId !== undefined) params.set('liaison', String(request.filters.liaisonId));
  if (request.rank !== 'received') params.set('rank', request.rank);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) params.delete(key);
    else params.set(key, value);
  }
  return `${path}?${params.toString()}`;
}

function select(name: string, label: Html, options: Option[], chosen: string | undefined, empty: Html | null): Html {
  return html`<label><span>${label}</span><select name="${name}">${empty ? html`<option value="">${empty}</option>` : ''}${options.map(
    (o) => html`<option value="${o.value}"${o.value === chosen ? raw(' selected') : ''}>${o.label}</option>`,
  )}</select></label>`;
}

function dateInput(name: string, label: Html, value: string): Html {
  return html`<label><span>${label}</span><input type="date" name="${name}" value="${value}"></label>`;
}

function renderForm(view: StatsView): Html {
  const r = view.request;
  const all = bi('全部', 'All');
  const many = (zh: string, en: string) => html`<span class="hint">${bi(`${zh}较多：请先选择乡镇或村`, `many ${en}: choose a township or village first`)}</span>`;
  return html`<form class="stats-form" method="get" action="${STATS_PATH}">
  ${select(
    'period',
    bi('周期', 'Period'),
    PERIODS.map((p) => ({ value: p, label: PERIOD_NAMES[p] })),
    r.period,
    null,
  )}
  ${dateInput('date', bi('日期（日/周/月）', 'Date (day/week/month)'), r.date)}
  ${dateInput('from', bi('自定义：自', 'Custom: from'), r.from)}
  ${dateInput('to', bi('至（含）', 'to (inclusive)'), r.to)}
  ${select('region', bi('区域', 'Region'), view.options.regions, String(r.region.id), null)}
  ${view.options.grids ? select('grid', bi('网格', 'Grid'), view.options.grids, r.filters.gridId?.toString(), all) : many('网格', 'grids')}
  ${select('department', bi('部门', 'Department'), view.options.departments, r.filters.departmentId?.toString(), all)}
  ${select('category', bi('事项分类', 'Category'), view.options.categories, r.filters.categoryCode, all)}
  ${view.options.liaisons ? select('liaison', bi('网格员', 'Liaison'), view.options.liaisons, r.filters.liaisonId?.toString(), all) : many('网格员', 'liaisons')}
  ${select(
    'rank',
    bi('排名依据', 'Rank by'),
    RANK_METRICS.map((m) => ({ value: m, label: METRIC_NAMES[m] })),
    r.rank,
    null,
  )}
  <button type="submit">查询 Show</button>
</form>`;
}

function localRange(range: { from: Date; to: Date }): string {
  return `${localDateOf(range.from)} – ${localDateOf(new Date(range.to.getTime() - 1))}`;
}

/** The period's dates, and, when it is not over, that its figures are so far (a month to date compared with a whole one reads as a fall). */
function periodHint(view: Pick<StatsView, 'range' | 'asOf'>): Html {
  const dates = localRange(view.range);
  if (!view.asOf) return html`<span class="hint">${dates}</span>`;
  return html`<span class="hint">${dates}</span> <span class="hint" data-partial="1">${bi(`截至 ${localDateOf(view.asOf)}，本期未结束`, 'so far: the period is not over')}</span>`;
}

/** One card per figure: this period, and the previous one with the change. */
function renderFigures(view: StatsView): Html {
  return html`<h2>${bi('主要指标', 'Figures')} ${periodHint(view)}</h2>
<div class="figures">${FIGURE_KEYS.map(
    (key) => html`<div class="figure" data-figure="${key}">
  <div class="name">${FIGURE_NAMES[key]}</div>
  <div class="value">${figureHtml(view.current, key)}</div>
  <div class="hint">${bi('上期', 'previous')} ${figureHtml(view.before, key)} · ${changeText(view.current, view.before, key)}</div>
</div>`,
  )}${view.coverage ? coverageCardsHtml(view.coverage) : ''}</div>
<p class="hint">${bi('上期', 'Previous period')}：${localRange(view.previous)}</p>`;
}

function chartFigure(title: Html, svg: string): Html {
  // A div, not a figure: the console's stylesheet gives the box no figure margins to undo.
  return html`<div class="stats-chart">${raw(svg)}<p>${title}</p></div>`;
}

function renderCharts(view: StatsView): Html {
  const r = view.request;
  const byName: Record<Bucket, Html> = { day: bi('按日', 'daily'), week: bi('按周', 'weekly'), month: bi('按月', 'monthly') };
  const category = view.tables.find((t) => t.dimension === 'category');
  const places = view.tables.find((t) => t.dimension === (r.region.level === 'county' ? 'village' : r.region.level === 'township' ? 'region' : 'grid'));
  const departments = view.tables.find((t) => t.dimension === 'department');
  const rankName = METRIC_NAMES[r.rank];
  const placeTitle = r.region.level === 'village' ? '网格排名 Grids' : '村排名 Villages';
  const charts: Html[] = [
    chartFigure(
      html`${bi('趋势', 'Trend')} (${byName[view.bucket]})`,
      statsTrendChart(view.trendPoints, view.bucket, { id: 'chart-trend', title: '趋势 Trend', desc: `受理量与按时办结率、满意率 ${localRange(view.range)}` }),
    ),
  ];
  if (category)
    charts.push(chartFigure(bi('按事项分类', 'By category'), breakdownColumnChart(category.breakdown, { id: 'chart-category', title: '按事项分类的受理量 Received by category' })));
  if (places)
    charts.push(chartFigure(html`${placeTitle} · ${rankName}`, breakdownRanking(places.breakdown, r.rank, { id: 'chart-rank-places', title: `${placeTitle}：${rankName}` })));
  if (departments)
    charts.push(
      chartFigure(
        html`部门排名 Departments · ${rankName}`,
        breakdownRanking(departments.breakdown, r.rank, { id: 'chart-rank-departments', title: `部门排名 Departments：${rankName}` }),
      ),
    );
  return html`<section><h2>${bi('图表', 'Charts')}</h2><div class="stats-charts">${charts}</div></section>`;
}

const TABLE_KEYS = FIGURE_KEYS;

function renderTable(view: StatsView, table: StatsView['tables'][number]): Html {
  const rows = table.breakdown.rows;
  const shown = rows.slice(0, MAX_ROWS);
  const drill = DRILL[table.dimension];
  return html`<section class="stats-table" id="table-${table.dimension}">
  <h3>${table.title} <a class="csv" href="${linkWith(view.request, { table: table.dimension }, STATS_CSV_PATH)}" download>${bi('导出 CSV', 'Export CSV')}</a></h3>
  <div class="table-wrap"><table>
    <thead><tr><th scope="col">${bi('名称', 'Name')}</th>${TABLE_KEYS.map((k) => html`<th scope="col" title="${FIGURE_NAMES[k]}">${shortName(k)}</th>`)}</tr></thead>
    <tbody>${shown.map(
      (row) =>
        html`<tr><th scope="row">${row.key ? html`<a href="${linkWith(view.request, { [drill]: row.key })}">${row.label}</a>` : row.label}</th>${TABLE_KEYS.map((k) => html`<td class="num">${figureHtml(row.figures, k)}</td>`)}</tr>`,
    )}</tbody>
    <tfoot><tr><th scope="row">${bi('合计', 'Total')}</th>${TABLE_KEYS.map((k) => html`<td class="num">${figureHtml(table.breakdown.total, k)}</td>`)}</tr></tfoot>
  </table></div>
  ${rows.length === 0 ? html`<p class="hint">${bi('本期无受理', 'nothing received in this period')}</p>` : ''}
  ${rows.length > MAX_ROWS ? html`<p class="hint">${bi(`仅显示前 ${MAX_ROWS} 行，共 ${rows.length} 行；CSV 含全部`, `first ${MAX_ROWS} of ${rows.length} rows; the CSV has all`)}</p>` : ''}
</section>`;
}

function renderDefinitions(): Html {
  return html`<section class="stats-definitions"><h2>${bi('指标口径', 'Definitions')}</h2>${definitionsHtml()}</section>`;
}

function renderHotWords(view: StatsView): Html {
  if (view.words.length === 0) return html``;
  return html`<section class="stats-words"><h2>${bi('热词', 'Hot words')}</h2><p>${view.words.map((w) => html`<span class="word">${w.word} <span class="parts">${w.count}</span></span> `)}</p></section>`;
}

/** What the figures are of: the region, or the grid when they are held to one (a grid leader's: 东湖村 第1网格, not the whole village). */
function subjectOf(view: StatsView): Html | string {
  const { gridId } = view.request.filters;
  const grid = gridId === undefined ? undefined : view.options.grids?.find((o) => o.value === String(gridId));
  return grid?.label ?? view.request.region.name;
}

function renderView(view: StatsView, map: Html, report: Html): string {
  const r = view.request;
  return html`<section class="stats">
<h1>${bi('统计分析', 'Statistics')} · ${subjectOf(view)}</h1>
${r.problems.length ? html`<ul class="problems" role="alert">${r.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
${renderForm(view)}
<p class="stats-period">${bi('统计周期', 'Period')}：${periodHint(view)} · <a class="csv" href="${linkWith(r, { table: 'figures' }, STATS_CSV_PATH)}" download>${bi('导出指标 CSV', 'Export figures CSV')}</a> · <a class="csv" href="${linkWith(r, { table: 'trend' }, STATS_CSV_PATH)}" download>${bi('导出趋势 CSV', 'Export trend CSV')}</a>${report}</p>
${renderFigures(view)}
${renderCharts(view)}
${map}
${renderHotWords(view)}
${view.conversations ? html`<section class="stats-conversations"><h2>${bi('人工会话', 'Conversations with staff')}</h2>${conversationFiguresHtml(view.conversations)}</section>` : ''}
<section class="stats-tables"><h2>${bi('分项统计', 'Breakdowns')}</h2>${view.tables.map((t) => renderTable(view, t))}</section>
${view.channels ? html`<section class="stats-table" id="table-channel"><h3>${bi('按受理渠道', 'By channel of receipt')} <a class="csv" href="${linkWith(r, { table: 'channel' }, STATS_CSV_PATH)}" download>${bi('导出 CSV', 'Export CSV')}</a></h3>${channelTableHtml(view.channels)}</section>` : ''}
${view.coverage ? coverageSectionHtml(view.coverage, (table) => linkWith(r, { table }, STATS_CSV_PATH), MAX_ROWS) : ''}
${renderDefinitions()}
</section>`.toString();
}

/** Options of the page and the export: the time (tests pass a fixed one). */
export interface StatsPageOptions {
  now?: Date;
}

/**
 * The statistics page body for a logged-in user: `params` are the query string of
 * `/console/stats` (period, date, from, to, region, grid, department, category, liaison, rank).
 */
export async function renderStatsPage(db: Db, scope: StaffScope, params: URLSearchParams, options: StatsPageOptions = {}): Promise<{ title: string; body: string }> {
  const view = await gather(db, scope, params, options.now ?? new Date());
  if (!view) {
    return {
      title: '统计分析 Statistics',
      body: html`<section class="stats"><h1>${bi('统计分析', 'Statistics')}</h1><p>${bi('您的账号没有可统计的范围', 'your account has no region, grid or department to show')}</p></section>`.toString(),
    };
  }
  const map = await statsMapHtml(db, view, params, (changes) => linkWith(view.request, changes));
  // The region's 月报 of the month the period ends in, for those whose regions it is (not a grid's or a department's figures).
  const month = localDateOf(new Date(view.range.to.getTime() - 1)).slice(0, 7);
  const report = scope.regionIds.includes(view.request.region.id)
    ? html` · <a class="report" href="${reportLink(view.request.region.id, month)}">${bi(`${view.request.region.name} ${month} 月报`, `monthly report ${month}`)}</a>`
    : html``;
  return { title: `统计分析 Statistics · ${view.request.region.name}`, body: renderView(view, map, report) };
}

/** The tables the CSV export knows: the figures, the trend, and each breakdown. */
export const STATS_TABLES = [
  'figures',
  'trend',
  'channel',
  'region',
  'village',
  'grid',
  'department',
  'category',
  'liaison',
  ...(Object.keys(COVERAGE_TABLES) as CoverageTable[]),
] as const;
export type StatsTable = (typeof STATS_TABLES)[number];

/**
 * One table of the page as CSV (UTF-8 with BOM, for Excel), with the same parameters as
 * the page; null when `table` is not one of `STATS_TABLES` or not offered for the region.
 */
export async function renderStatsCsv(
  db: Db,
  scope: StaffScope,
  params: URLSearchParams,
  table: string,
  options: StatsPageOptions = {},
): Promise<{ filename: string; csv: string } | null> {
  const known = STATS_TABLES.find((t) => t === table);
  if (!known) return null;
  const view = await gather(db, scope, params, options.now ?? new Date(), known);
  if (!view) return null;
  const period = localRange(view.range).replace(' – ', '_');
  const filename = `minqing-stats-${table}-${period}.csv`;
  if (known in COVERAGE_TABLES) {
    const csv = view.coverage && coverageCsv(view.coverage, known as CoverageTable);
    return csv ? { filename, csv } : null;
  }
  if (table === 'channel') return view.channels && { filename, csv: channelCsv(view.channels) };
  const header = figureCsvHeader();
  if (table === 'figures') {
    const rows: CsvCell[][] = [
      ['本期 this period', localDateOf(view.range.from), localDateOf(new Date(view.range.to.getTime() - 1)), ...figureCsvCells(view.current)],
      ['上期 previous', localDateOf(view.previous.from), localDateOf(new Date(view.previous.to.getTime() - 1)), ...figureCsvCells(view.before)],
    ];
    return { filename, csv: toCsv(['周期 period', '起 from', '止 to', ...header], rows) };
  }
  if (table === 'trend') {
    return {
      filename,
      csv: toCsv(
        [`起始日 bucket start (${view.bucket})`, ...header],
        view.trendPoints.map((p) => [p.start, ...figureCsvCells(p.figures)]),
      ),
    };
  }
  const found = view.tables.find((t) => t.dimension === table);
  if (!found) return null;
  const rows: CsvCell[][] = found.breakdown.rows.map((row) => [row.key, row.label, ...figureCsvCells(row.figures)]);
  rows.push(['', '合计 total', ...figureCsvCells(found.breakdown.total)]);
  return { filename, csv: toCsv(['编号 key', '名称 name', ...header], rows) };
}
