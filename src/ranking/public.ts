/**
 * The 红黑榜 on the public board (src/web/public-board.ts): last month's best and worst
 * villages and departments of a county or township board, where the region's ranking
 * settings let it (on by default, see ./settings.ts). Never liaisons: a board publishes
 * how public bodies did, not a named person's marks. A village switched off the board is
 * left out of the lists (its rank among the others stands as computed).
 */
import type { Db } from '../db/client.js';
import { bi, type Html, html } from '../web/html.js';
import type { RegionNode } from '../org/regions.js';
import { boardsHtml, scoreDefinition } from './html.js';
import { lastWholeMonth, type RankingLevel, rankRegion } from './ranking.js';
import { rankingSettings } from './settings.js';

/** What a board may rank: never `liaison`. */
const PUBLIC_LEVELS: readonly RankingLevel[] = ['village', 'department'];

/** The board's ranking section, or nothing (a village's board, or a region that does not publish it). */
export async function publicRankingHtml(db: Db, regions: Map<number, RegionNode>, region: RegionNode, published: readonly number[], now: Date): Promise<Html> {
  if (region.level === 'village' || !(await rankingSettings(db, regions, region.id)).publicBoard) return html``;
  const shown = new Set(published);
  const found = await rankRegion(db, regions, { region, month: lastWholeMonth(now), levels: PUBLIC_LEVELS });
  const definition = scoreDefinition(found.settings).definition;
  return html`<section class="ranking">
<h2>${bi(`${found.month} 三率排名 红黑榜`, `Ranking, ${found.month}`)}</h2>
${found.rankings.map((ranking) => {
  const keep = (list: typeof ranking.top) => (ranking.level === 'village' ? list.filter((e) => shown.has(e.id)) : list);
  return boardsHtml({ level: ranking.level, top: keep(ranking.top), bottom: keep(ranking.bottom) }, `board-ranking-${ranking.level}`);
})}
<details><summary>${bi('口径', 'definition')}</summary><p>${definition.zh}</p><p lang="en">${definition.en}</p></details>
</section>`;
}
