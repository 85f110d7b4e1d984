import { bi, html } from '../web/html.js';
import { boardsHtml, scoreDefinition } from './html.js';
import { lastWholeMonth, rankRegion } from './ranking.js';
import { rankingSettings } from './settings.js';
/** What a board may rank: never `liaison`. */
const PUBLIC_LEVELS = ['village', 'department'];
/** The board's ranking section, or nothing (a village's board, or a region that does not publish it). */
export async function publicRankingHtml(db, regions, region, published, now) {
    if (region.level === 'village' || !(await rankingSettings(db, regions, region.id)).publicBoard)
        return html ``;
    const shown = new Set(published);
    const found = await rankRegion(db, regions, { region, month: lastWholeMonth(now), levels: PUBLIC_LEVELS });
    const definition = scoreDefinition(found.settings).definition;
    return html `<section class="ranking">
<h2>${bi(`${found.month} 三率排名 红黑榜`, `Ranking, ${found.month}`)}</h2>
${found.rankings.map((ranking) => {
        const keep = (list) => (ranking.level === 'village' ? list.filter((e) => shown.has(e.id)) : list);
        return boardsHtml({ level: ranking.level, top: keep(ranking.top), bottom: keep(ranking.bottom) }, `board-ranking-${ranking.level}`);
    })}
<details><summary>${bi('口径', 'definition')}</summary><p>${definition.zh}</p><p lang="en">${definition.en}</p></details>
</section>`;
}
