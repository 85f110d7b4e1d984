import { LEDGER_STATUS_NAMES } from '../web/console/ledger-page.js';
import { bi, html } from '../web/html.js';
function marks(row) {
    return [row.entered && '本月新增', row.due && '本月到期', row.done && '本月完成', row.late && '逾期'].filter(Boolean).join('、');
}
export function ledgerSection(ledger) {
    const c = ledger.counts;
    return html `<h2>${bi('公开承诺与挂牌督办台账', 'Ledger: public commitments and supervised items')}</h2>
<p class="ledger-counts">${`本月新增 ${c.entered} 项 · 本月到期 ${c.due} 项 · 本月完成 ${c.done} 项 · 逾期 ${c.late} 项`} <span class="en">${`entered ${c.entered} · due ${c.due} · done ${c.done} · late ${c.late}`}</span></p>
${ledger.items.length
        ? html `<table><thead><tr><th>${bi('目标', 'Goal')}</th><th>${bi('地区', 'Region')}</th><th>${bi('责任人/部门', 'Owner')}</th><th>${bi('完成时限', 'Deadline')}</th><th>${bi('状态', 'Status')}</th><th>${bi('本月', 'This month')}</th><th>${bi('最新进展', 'Latest progress')}</th></tr></thead><tbody>${ledger.items.map((row) => html `<tr class="ledger-row"><td>${row.item.goal}${row.item.flagged ? '（挂牌督办）' : ''}${row.item.isPublic ? '（公开承诺）' : ''}</td><td>${row.item.region}</td><td>${row.item.ownerName}</td><td>${row.item.deadline}</td><td${row.late ? html ` class="late"` : ''}>${LEDGER_STATUS_NAMES[row.status].zh} ${LEDGER_STATUS_NAMES[row.status].en}</td><td>${marks(row)}</td><td>${row.item.progress[0]?.text ?? ''}</td></tr>`)}</tbody></table>`
        : html `<p class="empty">${bi('本月没有相关台账事项', 'no ledger item this month')}</p>`}`;
}
