/**
 * The pages of the ledger 台账 in the console: the list with its filters, the form to
 * create or edit an item, and an item with its progress, links and actions.
 */
import { LINKED_CASE_KINDS } from '../../ledger/case-links.js';
import { formatLocal, stateName } from '../format.js';
import { bi, html } from '../html.js';
import { tableHtml } from '../table.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { select } from './queue-page.js';
/** An item's status as people read it (staff here, residents on the board). */
export const LEDGER_STATUS_NAMES = {
    on_track: { zh: '推进中', en: 'on track' },
    late: { zh: '逾期', en: 'late' },
    done: { zh: '已完成', en: 'done' },
    dropped: { zh: '已撤销', en: 'dropped' },
};
/** The status badge of an item. */
export function statusBadge(status) {
    const name = LEDGER_STATUS_NAMES[status];
    return html `<span class="ledger-status ledger-${status}${status === 'late' ? ' badge overdue' : ''}">${bi(name.zh, name.en)}</span>`;
}
const ITEM_COLUMNS = [
    { zh: '编号', en: 'no.', csv: (i) => i.id, html: (i) => html `<a href="${CONSOLE_PATHS.ledger}/${i.id}">#${i.id}</a>`, className: 'num' },
    {
        zh: '目标',
        en: 'goal',
        csv: (i) => i.goal,
        html: (i) => html `<a href="${CONSOLE_PATHS.ledger}/${i.id}">${i.goal}</a>${i.flagged ? html ` <span class="badge flagged">${bi('挂牌督办', 'supervised')}</span>` : ''}${i.isPublic ? html ` <span class="badge public">${bi('公开承诺', 'public')}</span>` : ''}`,
        className: 'summary',
    },
    { zh: '地区', en: 'region', csv: (i) => i.region },
    { zh: '责任人/部门', en: 'owner', csv: (i) => i.ownerName },
    { zh: '完成时限', en: 'deadline', csv: (i) => i.deadline },
    { zh: '状态', en: 'status', csv: (i) => LEDGER_STATUS_NAMES[i.status].zh, html: (i) => statusBadge(i.status) },
];
/** The list of the user's items, with the filters. */
export function ledgerBody(input) {
    const statusOptions = Object.entries(LEDGER_STATUS_NAMES).map(([value, n]) => ({ value, label: `${n.zh} ${n.en}` }));
    return html `<section class="ledger">
<h1>${bi('台账：公开承诺与挂牌督办', 'Ledger: public commitments and supervised items')}</h1>
<form method="get" action="${CONSOLE_PATHS.ledger}" class="filters">
${select('region', bi('地区', 'Region'), input.regions, input.regionId === undefined ? undefined : String(input.regionId), '全部 all')}
${select('status', bi('状态', 'Status'), statusOptions, input.status, '全部 all')}
<label class="check"><input type="checkbox" name="flagged" value="1"${input.flaggedOnly ? html ` checked` : ''}> ${bi('仅挂牌督办', 'supervised only')}</label>
<div class="buttons"><button type="submit">${bi('查看', 'Show')}</button></div>
</form>
<p><a class="button" href="${CONSOLE_PATHS.ledger}/new">${bi('新建台账事项', 'New ledger item')}</a></p>
${tableHtml(ITEM_COLUMNS, input.items, { empty: bi('没有符合条件的台账事项。', 'No ledger item matches.'), rowClass: (i) => `ledger-${i.status}` })}
</section>`;
}
/** The form to create (itemId null) or edit an item. */
export function ledgerFormBody(form, input) {
    const action = input.itemId === null ? `${CONSOLE_PATHS.ledger}/new` : `${CONSOLE_PATHS.ledger}/${input.itemId}/edit`;
    const owners = [
        ...input.owners.departments.map((d) => ({ value: `department:${d.id}`, label: `部门 ${d.name}` })),
        ...input.owners.people.map((p) => ({ value: `person:${p.id}`, label: `个人 ${p.name}` })),
    ];
    const themes = input.themes.map((t) => ({ value: String(t.id), label: `${t.month} ${t.title}` }));
    return html `<section class="ledger">
<p class="crumbs"><a href="${CONSOLE_PATHS.ledger}">${bi('台账', 'Ledger')}</a> › ${input.itemId === null ? bi('新建', 'New') : bi('修改', 'Edit')}</p>
<h1>${input.itemId === null ? bi('新建台账事项', 'New ledger item') : bi('修改台账事项', 'Edit the ledger item')}</h1>
${input.error ? notice('error', input.error) : ''}
${input.itemId === null ? html `<form method="get" action="${action}" class="filters">${select('region', bi('地区', 'Region'), input.regions, String(form.regionId))}<div class="buttons"><button type="submit">${bi('换地区', 'Change the region')}</button></div></form>` : ''}
<form method="post" action="${action}" class="ledger-form">
${csrfField(input.csrf)}
<input type="hidden" name="region" value="${form.regionId}">
<label class="grow">${bi('目标', 'Goal')}<input name="goal" required maxlength="100" value="${form.goal}"></label>
<label class="grow">${bi('措施', 'Measures')}<textarea name="measures" required maxlength="500">${form.measures}</textarea></label>
<label>${bi('完成时限', 'Deadline')}<input type="date" name="deadline" required value="${form.deadline}"></label>
${select('owner', bi('责任人/部门', 'Owner'), owners, form.owner, '请选择 choose')}
${select('theme', bi('关联每月一题', 'Theme of the month'), themes, form.themeId === null || form.themeId === undefined ? undefined : String(form.themeId), '无 none')}
<label class="check"><input type="checkbox" name="public" value="1"${form.isPublic ? html ` checked` : ''}> ${bi('公开承诺（在公示栏展示）', 'Public commitment (shown on the public board)')}</label>
<div class="buttons"><button type="submit">${bi('保存', 'Save')}</button></div>
</form>
</section>`;
}
const PROGRESS_COLUMNS = [
    { zh: '时间', en: 'when', csv: (p) => formatLocal(p.at) },
    { zh: '进展', en: 'progress', csv: (p) => p.text, className: 'summary' },
    { zh: '报告人', en: 'by', csv: (p) => p.by },
];
const TICKET_COLUMNS = [
    { zh: '编号', en: 'number', csv: (t) => t.number, html: (t) => html `<a href="${CONSOLE_PATHS.tickets}/${t.number}">${t.number}</a>` },
    { zh: '摘要', en: 'summary', csv: (t) => t.summary, className: 'summary' },
    { zh: '状态', en: 'state', csv: (t) => stateName(t.state) },
];
const CASE_KIND_NAMES = {
    assistance: { zh: '帮扶', en: 'assistance', path: CONSOLE_PATHS.assistance },
    mediation: { zh: '调解', en: 'mediation', path: CONSOLE_PATHS.mediation },
};
const CASE_COLUMNS = [
    {
        zh: '案件',
        en: 'case',
        csv: (c) => `${CASE_KIND_NAMES[c.kind].zh} #${c.caseId}`,
        html: (c) => html `<a href="${CASE_KIND_NAMES[c.kind].path}/${c.caseId}">${CASE_KIND_NAMES[c.kind].zh} #${c.caseId}</a>`,
    },
    { zh: '事由', en: 'about', csv: (c) => c.title },
];
/** An item: its four 明确, status, progress, linked tickets, and the forms that work it. */
export function ledgerItemBody(item, input) {
    const base = `${CONSOLE_PATHS.ledger}/${item.id}`;
    const open = item.status === 'on_track' || item.status === 'late';
    return html `<section class="ledger-item">
<p class="crumbs"><a href="${CONSOLE_PATHS.ledger}">${bi('台账', 'Ledger')}</a> › #${item.id}</p>
<h1>${item.goal} ${statusBadge(item.status)}</h1>
${input.done ? notice('ok', bi('已保存。', 'Saved.')) : ''}
${input.error ? notice('error', input.error) : ''}
<dl class="facts">
<dt>${bi('地区', 'Region')}</dt><dd>${item.region}</dd>
<dt>${bi('措施', 'Measures')}</dt><dd class="measures">${item.measures}</dd>
<dt>${bi('完成时限', 'Deadline')}</dt><dd>${item.deadline}</dd>
<dt>${bi('责任人/部门', 'Owner')}</dt><dd class="owner">${item.ownerName}</dd>
<dt>${bi('公开承诺', 'Public')}</dt><dd>${item.isPublic ? bi('是', 'yes') : bi('否', 'no')}</dd>
${item.theme ? html `<dt>${bi('每月一题', 'Theme')}</dt><dd><a href="${CONSOLE_PATHS.themes}/${item.theme.id}">${item.theme.month} ${item.theme.title}</a></dd>` : ''}
${item.flagged ? html `<dt>${bi('挂牌督办', 'Supervised')}</dt><dd class="flagged">${item.flagged.by} ${formatLocal(item.flagged.at)}${item.flagged.note ? `：${item.flagged.note}` : ''}</dd>` : ''}
${item.closedReason !== null ? html `<dt>${bi('办结说明', 'Closing reason')}</dt><dd class="closed-reason">${item.closedReason}（${formatLocal(item.closedAt)}）</dd>` : ''}
</dl>
<p class="hint">${bi(`${item.createdBy} 于 ${formatLocal(item.createdAt)} 登记`, `entered by ${item.createdBy}, ${formatLocal(item.createdAt)}`)}${open ? html ` · <a href="${base}/edit">${bi('修改', 'Edit')}</a>` : ''}</p>
${open && input.maySupervise && !item.flagged
        ? html `<form method="post" action="${base}/flag" class="filters">${csrfField(input.csrf)}<label class="grow">${bi('督办要求', 'Note')}<input name="note" maxlength="500"></label><div class="buttons"><button type="submit">${bi('挂牌督办', 'Flag for supervision')}</button></div></form>`
        : ''}
<section id="progress">
<h2>${bi('进展', 'Progress')}</h2>
${tableHtml(PROGRESS_COLUMNS, item.progress, { empty: bi('还没有进展记录。', 'No progress entered yet.') })}
${open
        ? html `<form method="post" action="${base}/progress" class="filters">${csrfField(input.csrf)}<label class="grow">${bi('本月进展', 'Progress this month')}<input name="text" required maxlength="2000"></label><div class="buttons"><button type="submit">${bi('添加进展', 'Add progress')}</button></div></form>
<form method="post" action="${base}/close" class="filters">${csrfField(input.csrf)}
${select('as', bi('办结方式', 'Close as'), [
            { value: 'done', label: '已完成 done' },
            { value: 'dropped', label: '撤销 dropped' },
        ], 'done')}
<label class="grow">${bi('说明（完成情况或撤销原因）', 'Reason (what was done, or why dropped)')}<input name="reason" required maxlength="500"></label><div class="buttons"><button type="submit">${bi('办结', 'Close')}</button></div></form>`
        : ''}
</section>
<section id="tickets">
<h2>${bi('关联诉求', 'Linked requests')}</h2>
${tableHtml(TICKET_COLUMNS, item.tickets, { empty: bi('还没有关联诉求。', 'No request linked yet.') })}
<form method="post" action="${base}/tickets" class="filters">${csrfField(input.csrf)}<label>${bi('诉求编号', 'Request number')}<input name="number" required maxlength="24" placeholder="MQ-2026-000123"></label><div class="buttons"><button type="submit">${bi('关联', 'Link')}</button></div></form>
</section>
<section id="cases">
<h2>${bi('关联案件', 'Linked cases')}</h2>
${tableHtml(CASE_COLUMNS, input.cases, { empty: bi('还没有关联帮扶或调解案件。', 'No assistance or mediation case linked yet.') })}
<form method="post" action="${base}/cases" class="filters">${csrfField(input.csrf)}
${select('kind', bi('案件类型', 'Kind'), LINKED_CASE_KINDS.map((k) => ({ value: k, label: `${CASE_KIND_NAMES[k].zh} ${CASE_KIND_NAMES[k].en}` })), 'assistance')}
<label>${bi('案件编号', 'Case number')}<input name="case" required maxlength="10" placeholder="12"></label><div class="buttons"><button type="submit">${bi('关联', 'Link')}</button></div></form>
</section>
</section>`;
}
/** A case page's box: the ledger items the case is linked to (linked from the item's page). */
export function linkedLedgerHtml(items) {
    return html `<section id="ledger"><h2>${bi('关联台账事项', 'Linked ledger items')}</h2>${items.length
        ? html `<ul>${items.map((i) => html `<li><a href="${CONSOLE_PATHS.ledger}/${i.id}">#${i.id} ${i.goal}</a> · ${i.deadline} ${statusBadge(i.status)}</li>`)}</ul>`
        : html `<p class="empty">${bi('没有关联台账事项（可在台账事项页关联）。', 'No ledger item linked (link one from the item’s page).')}</p>`}</section>`;
}
