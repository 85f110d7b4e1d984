/**
 * 公开承诺 on the public board: the public ledger items of a region, the regions above it
 * and the published regions below it — goal, measures, owner, deadline and status (on
 * track, late, done, dropped with its reason), and the latest progress. Staff wrote the
 * texts; they pass through the one scrubber all the same, as every text on the board
 * does, and a person owner's name is masked.
 */
import type { Db } from '../db/client.js';
import { type LedgerItemView, ledgerItemIds, loadLedgerItems, scrubLedgerItems } from '../ledger/ledger.js';
import { statusBadge } from './console/ledger-page.js';
import { pathOf, type RegionNode } from '../org/regions.js';
import { bi, type Html, html } from './html.js';

/** Commitments a board shows at most. */
const BOARD_COMMITMENTS = 12;

/** The public commitments the board of `region` shows (`publishedIds`: the published regions under it, itself included), scrubbed. */
export async function boardCommitments(db: Db, regions: Map<number, RegionNode>, region: RegionNode, publishedIds: number[], now: Date): Promise<LedgerItemView[]> {
  const ids = await ledgerItemIds(db, [...new Set([...pathOf(regions, region.id), ...publishedIds])], { publicOnly: true, limit: BOARD_COMMITMENTS });
  return scrubLedgerItems(db, await loadLedgerItems(db, regions, ids, now));
}

/** The board's 公开承诺 section (nothing when there is none). */
export function boardCommitmentsHtml(items: LedgerItemView[]): Html {
  if (!items.length) return html``;
  return html`<section class="commitments">
<h2>${bi('公开承诺', 'Public commitments')}</h2>
${items.map(
  (i) => html`<article class="commitment ledger-${i.status}">
<h3>${i.goal} ${statusBadge(i.status)} <span class="level">${i.region}</span></h3>
<p>${bi('措施', 'Measures')}：${i.measures}</p>
<p>${bi('责任单位', 'Owner')}：${i.ownerName} · ${bi('完成时限', 'Deadline')}：${i.deadline}</p>
${i.closedReason !== null ? html`<p class="closed-reason">${bi(i.status === 'done' ? '完成情况' : '撤销原因', i.status === 'done' ? 'What was done' : 'Why dropped')}：${i.closedReason}</p>` : ''}
${i.progress[0] ? html`<p class="progress">${bi('最新进展', 'Latest progress')}：${i.progress[0].text}</p>` : ''}
</article>`,
)}
</section>`;
}
