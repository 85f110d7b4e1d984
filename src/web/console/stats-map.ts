/**
 * The map on the statistics page (`/console/stats`): the chosen region's villages (a
 * county's or a township's; a village shows itself) coloured by the figure the `map`
 * parameter chooses, from the per-village figures the page computed already; on a
 * township's or a village's map, the locations residents shared with the period's
 * requests, each a link to a public street map. The requests are those of the page's
 * cohort — its region, period and filters, so a department handler or a grid leader sees
 * only their own — and show their number and category, nothing personal.
 */
import type { Db } from '../../db/client.js';
import { mapLink } from '../../pipeline/place.js';
import type { Breakdown, Dimension, Figures, StatsFilters } from '../../stats/types.js';
import { bi, type Html, html } from '../html.js';
import { type MapPin, type MapPlace, mapFigureOf, regionMapHtml } from '../map.js';
import type { RegionNode } from '../../org/regions.js';

/** Shared locations a map shows at most (the newest). */
const MAX_PINS = 500;

/** What the map needs of the page's figures. */
export interface StatsMapSource {
  request: { region: RegionNode; filters: StatsFilters };
  range: { from: Date; to: Date };
  /** The cohort's figures: a village's map shows them for the village. */
  current: Figures;
  tables: readonly { dimension: Dimension; breakdown: Breakdown }[];
  /** The regions the user may choose (a village outside them is drawn without a link). */
  options: { regions: readonly { value: string }[] };
}

/** The villages a region's map shows, with their coordinates. */
async function villagesOf(db: Db, region: RegionNode) {
  return db.region.findMany({
    where: { level: 'village', OR: [{ id: region.id }, { parentId: region.id }, { parent: { parentId: region.id } }] },
    select: { id: true, code: true, name: true, latitude: true, longitude: true },
    orderBy: { code: 'asc' },
  });
}

/** The figures of each village (by region id): the breakdown by village (county) or by region (township), or the total (a village). */
function villageFigures(source: StatsMapSource): Map<string, Figures> {
  const { region } = source.request;
  if (region.level === 'village') return new Map([[String(region.id), source.current]]);
  const dimension: Dimension = region.level === 'county' ? 'village' : 'region';
  const table = source.tables.find((t) => t.dimension === dimension);
  return new Map((table?.breakdown.rows ?? []).map((row) => [row.key, row.figures]));
}

/** The period's requests of the cohort with a shared location (a township's or a village's map). */
async function sharedLocations(db: Db, source: StatsMapSource, regionIds: number[]): Promise<MapPin[]> {
  const f = source.request.filters;
  const tickets = await db.ticket.findMany({
    where: {
      createdAt: { gte: source.range.from, lt: source.range.to },
      regionId: { in: regionIds },
      mergedIntoId: null,
      latitude: { not: null },
      longitude: { not: null },
      ...(f.categoryCode === undefined ? {} : { categoryCode: f.categoryCode }),
      ...(f.gridId === undefined ? {} : { gridId: f.gridId }),
      ...(f.departmentId === undefined ? {} : { assigneeDepartmentId: f.departmentId }),
      ...(f.liaisonId === undefined ? {} : { assigneeId: f.liaisonId }),
    },
    select: { number: true, latitude: true, longitude: true, category: { select: { nameZh: true, nameEn: true } } },
    orderBy: { createdAt: 'desc' },
    take: MAX_PINS,
  });
  return tickets.flatMap((t) => {
    const href = mapLink(t.latitude, t.longitude, t.number);
    return href && t.latitude !== null && t.longitude !== null
      ? [{ point: { latitude: t.latitude, longitude: t.longitude }, label: `${t.number} ${t.category.nameZh} ${t.category.nameEn}`, href }]
      : [];
  });
}

/**
 * The map section of the statistics page. `params` are the page's (the `map` parameter
 * chooses the colouring figure); `link` gives the page's link with some parameters changed.
 */
export async function statsMapHtml(db: Db, source: StatsMapSource, params: URLSearchParams, link: (changes: Record<string, string>) => string): Promise<Html> {
  const { region } = source.request;
  const figure = mapFigureOf(params.get('map'));
  const villages = await villagesOf(db, region);
  // A roster without coordinates has no map (rather than a list of every village without one).
  if (!villages.some((v) => v.latitude !== null && v.longitude !== null)) return html``;
  const figures = villageFigures(source);
  const choosable = new Set(source.options.regions.map((o) => o.value));
  const places: MapPlace[] = villages.map((v) => ({
    code: v.code,
    name: v.name,
    point: v.latitude !== null && v.longitude !== null ? { latitude: v.latitude, longitude: v.longitude } : null,
    figures: figures.get(String(v.id)) ?? null,
    href: choosable.has(String(v.id)) ? link({ region: String(v.id), map: figure }) : null,
  }));
  // A county's requests are too many to mark one by one; a township's and a village's are not.
  const pins = region.level === 'county' ? [] : await sharedLocations(db, source, [region.id, ...villages.map((v) => v.id)]);
  return html`<section class="stats-map" id="map"><h2>${bi('地图', 'Map')}</h2>${regionMapHtml({
    id: 'stats-map',
    title: `${region.name}地图 Map of ${region.name}`,
    places,
    pins,
    figure,
    switchHref: (f) => `${link({ map: f })}#map`,
  })}</section>`;
}
