/**
 * 五公开 of 困难群众帮扶 on the public board: for each case the township approved, who
 * helps, who is helped (the head's name masked, as everywhere on the board), what, how
 * much and by when, with whether the notice is still running, delivered or done. Why
 * the household is in difficulty stays in the console. The staff-written texts pass
 * through the one scrubber, as every text on the board does.
 */
import { approvedAssistanceCases } from '../assistance/cases.js';
import { maskName, rosterNames, scrub } from '../privacy.js';
import { bi, html } from './html.js';
/** Cases a board shows at most, the latest approved first. */
const BOARD_CASES = 20;
/** The approved cases of the published villages `publishedIds`, masked and scrubbed. */
export async function boardAssistance(db, publishedIds) {
    const cases = await approvedAssistanceCases(db, publishedIds, BOARD_CASES);
    const names = await rosterNames(db);
    return cases.map((c) => ({
        village: c.village,
        household: maskName(c.headName),
        helper: scrub(c.helper ?? '', names),
        aid: scrub(c.aid ?? '', names),
        amount: scrub(c.amount ?? '', names),
        deliverBy: c.deliverBy ?? '',
        status: c.state,
        noticeUntil: c.noticeUntil,
    }));
}
const STATUS = {
    notice: { zh: '公示中', en: 'on notice' },
    delivered: { zh: '已实施', en: 'delivered' },
    closed: { zh: '已办结', en: 'done' },
};
/** The board's 帮扶五公开 section (nothing when no case is approved). */
export function boardAssistanceHtml(rows) {
    if (!rows.length)
        return html ``;
    return html `<section class="assistance">
<h2>${bi('困难群众帮扶 · 五公开', 'Hardship assistance: the five public facts')}</h2>
<div class="table-wrap"><table class="data">
<thead><tr><th>${bi('村', 'Village')}</th><th>${bi('帮扶对象', 'Helped')}</th><th>${bi('帮扶单位', 'Helper')}</th><th>${bi('帮扶内容', 'What')}</th><th>${bi('金额或数量', 'How much')}</th><th>${bi('完成时限', 'By')}</th><th>${bi('状态', 'Status')}</th></tr></thead>
<tbody>${rows.map((r) => html `<tr><td>${r.village}</td><td>${r.household}</td><td>${r.helper}</td><td>${r.aid}</td><td>${r.amount}</td><td>${r.deliverBy}</td><td>${bi(STATUS[r.status].zh, STATUS[r.status].en)}</td></tr>\n`)}</tbody></table></div>
<p class="hint">${bi('公示期不少于 7 天；对公示内容有异议的，可向村、镇反映。', 'Each case is on notice for at least 7 days; objections go to the village or township.')}</p>
</section>`;
}
