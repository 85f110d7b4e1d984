import { HARDSHIP_KIND_NAMES, HARDSHIP_KINDS, isOverdue } from '../../assistance/machine.js';
import { formatLocal } from '../format.js';
import { bi, html } from '../html.js';
import { tableHtml } from '../table.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
const ASSISTANCE_PATH = CONSOLE_PATHS.assistance;
/** Each state as staff read it: the step the case waits for. */
export const ASSISTANCE_STATE_NAMES = {
    reported: { zh: '待村初核', en: 'awaiting the village' },
    village_verified: { zh: '待镇复核', en: 'awaiting the township' },
    notice: { zh: '公示中 / 待实施', en: 'public notice / to deliver' },
    delivered: { zh: '已实施，待回访', en: 'delivered, follow-up due' },
    closed: { zh: '已办结', en: 'closed' },
    rejected: { zh: '不予帮扶', en: 'turned down' },
};
const ACTION_NAMES = {
    report: { zh: '网长报告', en: 'reported' },
    village_approve: { zh: '村党组织初核通过', en: 'verified by the village' },
    village_reject: { zh: '村初核不予帮扶', en: 'turned down by the village' },
    township_approve: { zh: '镇复核通过，开始公示', en: 'approved by the township, notice started' },
    township_reject: { zh: '镇复核不予帮扶', en: 'turned down by the township' },
    deliver: { zh: '单位已实施', en: 'delivered' },
    follow_up: { zh: '回访', en: 'followed up' },
    objection: { zh: '群众对公示提出异议', en: 'objection to the notice' },
};
function stateHtml(c, now) {
    const name = ASSISTANCE_STATE_NAMES[c.state];
    return html `${bi(name.zh, name.en)}${c.urgent ? html ` <span class="tag urgent">${bi('急', 'urgent')}</span>` : ''}${isOverdue(c, now) ? html ` <span class="tag overdue">${bi('逾期', 'overdue')}</span>` : ''}`;
}
/** The list of cases and the report form. */
export function assistanceListBody(input) {
    const { now } = input;
    const columns = [
        { zh: '编号', en: 'case', csv: (c) => c.id, html: (c) => html `<a href="${ASSISTANCE_PATH}/${c.id}">#${c.id}</a>` },
        { zh: '村', en: 'village', csv: (c) => c.village },
        { zh: '户', en: 'household', csv: (c) => `${c.householdCode} ${c.headName}` },
        { zh: '需求', en: 'need', csv: (c) => c.need },
        { zh: '环节', en: 'step', csv: (c) => ASSISTANCE_STATE_NAMES[c.state].zh, html: (c) => stateHtml(c, now) },
        { zh: '时限', en: 'due', csv: (c) => formatLocal(c.dueAt) },
    ];
    const overdue = input.cases.filter((c) => isOverdue(c, now)).length;
    const form = input.form ?? { household: '', need: '', urgent: false };
    return html `<section class="assistance">
<h1>${bi('困难群众帮扶', 'Hardship assistance')}</h1>
<p class="hint">${bi('网长报告 → 村党组织初核 → 镇复核 → 公示 → 单位实施 → 回访', 'reported → village verifies → township re-verifies → public notice → unit delivers → follow-up')}</p>
${overdue ? notice('error', bi(`${overdue} 件帮扶逾期未办`, `${overdue} overdue`)) : ''}
${tableHtml(columns, input.cases, { empty: bi('辖区内还没有帮扶案件。', 'No assistance case in your area yet.'), rowClass: (c) => (isOverdue(c, now) ? 'overdue' : null) })}
<h2 id="report">${bi('登记帮扶申报', 'Report a household in difficulty')}</h2>
${input.error ? notice('error', input.error) : ''}
<form method="post" action="${ASSISTANCE_PATH}/new" class="assistance-form">
${csrfField(input.csrf)}
<label>${bi('户编号', 'Household code')}<input name="household" required maxlength="40" value="${form.household}"></label>
<label class="grow">${bi('需要什么帮扶', 'What is needed')}<textarea name="need" required maxlength="500">${form.need}</textarea></label>
<label><input type="checkbox" name="urgent" value="1"${form.urgent ? html ` checked` : ''}> ${bi('急事急办（时限减半，立即通知乡镇）', 'Urgent (limits halved, the township told at once)')}</label>
<div class="buttons"><button type="submit">${bi('登记', 'Report')}</button></div>
</form>
</section>`;
}
function planHtml(c) {
    if (!c.helper)
        return html ``;
    return html `<dl class="plan">
<dt>${bi('帮扶单位', 'Helping unit')}</dt><dd>${c.helper}</dd>
<dt>${bi('帮扶内容', 'What')}</dt><dd>${c.aid}</dd>
<dt>${bi('金额或数量', 'How much')}</dt><dd>${c.amount}</dd>
<dt>${bi('完成时限', 'By')}</dt><dd>${c.deliverBy}</dd>
<dt>${bi('公示期', 'Public notice')}</dt><dd>${formatLocal(c.noticeFrom)} — ${formatLocal(c.noticeUntil)}</dd>
</dl>`;
}
function noteField(required, label = bi('说明', 'Note')) {
    return html `<label class="grow">${label}<textarea name="note" maxlength="500"${required ? html ` required` : ''}></textarea></label>`;
}
function stepForm(c, action, csrf, fields, button) {
    return html `<form method="post" action="${ASSISTANCE_PATH}/${c.id}/${action}" class="assistance-step">${csrfField(csrf)}${fields}<div class="buttons"><button type="submit">${button}</button></div></form>`;
}
/** The forms of the step the case waits for, those the user may take. */
function stepForms(c, input) {
    const { csrf } = input;
    switch (c.state) {
        case 'reported':
            return html `<h2>${bi('村党组织初核', 'Village verification')}</h2>
${stepForm(c, 'village_approve', csrf, noteField(false), bi('初核通过', 'Verified'))}
${stepForm(c, 'village_reject', csrf, noteField(true, bi('不予帮扶的理由', 'Why not')), bi('不予帮扶', 'Turn down'))}`;
        case 'village_verified':
            if (!input.canTownship)
                return html `<p class="hint">${bi('等待乡镇复核。', 'Waiting for the township.')}</p>`;
            return html `<h2>${bi('镇复核：确定五公开', 'Township re-verification: the five public facts')}</h2>
${stepForm(c, 'township_approve', csrf, html `<label>${bi('帮扶单位', 'Helping unit')}<input name="helper" required maxlength="100"></label>
<label>${bi('帮扶内容', 'What')}<input name="aid" required maxlength="100"></label>
<label>${bi('金额或数量', 'How much')}<input name="amount" required maxlength="100"></label>
<label>${bi('完成日期', 'Deliver by')}<input type="date" name="deliverBy" required min="${input.delivery.earliest}" max="${input.delivery.latest}" value="${input.delivery.latest}"></label>
${noteField(false)}`, bi('复核通过，开始公示', 'Approve and start the notice'))}
${stepForm(c, 'township_reject', csrf, noteField(true, bi('不予帮扶的理由', 'Why not')), bi('不予帮扶', 'Turn down'))}`;
        case 'notice':
            return html `<h2>${bi('单位实施', 'Delivery')}</h2>
${stepForm(c, 'deliver', csrf, noteField(false), bi('已实施', 'Delivered'))}`;
        case 'delivered':
            return html `<h2>${bi('回访', 'Follow-up visit')}</h2>
${stepForm(c, 'follow_up', csrf, noteField(true, bi('回访情况', 'What the visit found')), bi('回访并办结', 'Record and close'))}`;
        case 'closed':
        case 'rejected':
            return html ``;
    }
}
function hardshipHtml(record, c, csrf) {
    const kinds = new Set(record?.kinds ?? []);
    return html `<h2 id="hardship">${bi('困难情况（敏感信息）', 'Difficulty record (sensitive)')}</h2>
<form method="post" action="${ASSISTANCE_PATH}/${c.id}/hardship" class="hardship-form">
${csrfField(csrf)}
<fieldset><legend>${bi('困难类型', 'Kinds')}</legend>${HARDSHIP_KINDS.map((k) => html `<label><input type="checkbox" name="kind" value="${k}"${kinds.has(k) ? html ` checked` : ''}> ${bi(HARDSHIP_KIND_NAMES[k].zh, HARDSHIP_KIND_NAMES[k].en)}</label> `)}</fieldset>
<label class="grow">${bi('涉及成员', 'Members concerned')}<textarea name="members" maxlength="500">${record?.members ?? ''}</textarea></label>
<label class="grow">${bi('备注', 'Notes')}<textarea name="notes" maxlength="500">${record?.notes ?? ''}</textarea></label>
<div class="buttons"><button type="submit">${bi('保存困难情况', 'Save the record')}</button></div>
${record ? html `<p class="hint">${bi('最近更新', 'Last updated')} ${formatLocal(record.updatedAt)}</p>` : ''}
</form>`;
}
/** A case's page. */
export function assistanceCaseBody(input) {
    const c = input.case;
    return html `<section class="assistance">
<p class="crumbs"><a href="${ASSISTANCE_PATH}">${bi('困难群众帮扶', 'Hardship assistance')}</a> › #${c.id}</p>
<h1>${bi(`帮扶 #${c.id}`, `Case #${c.id}`)} · ${c.village} · <a href="${CONSOLE_PATHS.households}/${c.householdCode}">${c.householdCode}</a> ${c.headName}</h1>
${input.done ? notice('ok', bi('已保存。', 'Saved.')) : ''}
${input.error ? notice('error', input.error) : ''}
<p>${bi('环节', 'Step')}：${stateHtml(c, input.now)} · ${bi('时限', 'Due')} ${formatLocal(c.dueAt)}</p>
<p class="need">${bi('需求', 'Need')}：${c.need}</p>
${planHtml(c)}
${stepForms(c, input)}
<h2>${bi('办理过程', 'Trail')}</h2>
<ol class="trail">${input.events.map((e) => html `<li>${formatLocal(e.at)} ${bi(ACTION_NAMES[e.action].zh, ACTION_NAMES[e.action].en)} · ${e.actor}${e.note ? html ` — ${e.note}` : ''}</li>`)}</ol>
${hardshipHtml(input.hardship, c, input.csrf)}
${input.ledger}
</section>`;
}
