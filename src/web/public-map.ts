/**
 * The map on the public board: the board's villages (those it publishes) coloured by
 * satisfaction over the same last 365 days as the board's rates, each a link to the
 * village's board. Counts and rates only: the locations residents shared with their
 * requests are personal data and stay in the console.
 */
import type { Db } from '../db/client.js';
import { breakdowns, dayRange } from '../stats/query.js';
import type { RegionNode } from '../org/regions.js';
import { bi, type Html, html } from './html.js';
import { regionMapHtml } from './map.js';

/** The map section of the board of `region`; `shownIds` are the regions it publishes, `period` the rates' local dates. */
export async function boardMapHtml(db: Db, region: RegionNode, shownIds: number[], period: { from: string; to: string }, boardPath: string): Promise<Html> {
  const villages = await db.region.findMany({
    where: { level: 'village', id: { in: shownIds } },
    select: { id: true, code: true, name: true, latitude: true, longitude: true },
    orderBy: { code: 'asc' },
  });
  if (!villages.some((v) => v.latitude !== null && v.longitude !== null)) return html``;
  const {
    breakdowns: [byVillage],
  } = await breakdowns(db, { scopeRegionId: region.id, ...dayRange(period.from, period.to) }, ['village']);
  const figures = new Map((byVillage?.rows ?? []).map((row) => [row.key, row.figures]));
  return html`<section class="board-map"><h2>${bi('满意率地图', 'Satisfaction by village')}</h2>${regionMapHtml({
    id: 'board-map',
    title: `${region.name}各村满意率 Satisfaction in ${region.name}`,
    places: villages.map((v) => ({
      code: v.code,
      name: v.name,
      point: v.latitude !== null && v.longitude !== null ? { latitude: v.latitude, longitude: v.longitude } : null,
      figures: figures.get(String(v.id)) ?? null,
      href: `${boardPath}/${encodeURIComponent(v.code)}`,
    })),
    figure: 'satisfaction',
  })}</section>`;
}
