import { formatDay, formatLocal } from '../format.js';
import { bi, html } from '../html.js';
import { tableHtml } from '../table.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { select } from './queue-page.js';
/** A case's state as staff read it. */
export const MEDIATION_STATE_NAMES = {
    mediating: { zh: '调解中', en: 'mediating' },
    agreement: { zh: '待当事人确认协议', en: 'agreement awaiting the parties' },
    settled: { zh: '调解成功，回访履行', en: 'settled, followed up' },
    referred: { zh: '已移送法院（诉调对接）', en: 'referred to the court' },
    closed: { zh: '已结案', en: 'closed' },
};
function stateHtml(c) {
    const name = MEDIATION_STATE_NAMES[c.status];
    return html `<span class="state">${bi(name.zh, name.en)}</span>${c.overdue ? html ` <strong class="late">${bi('超期', 'overdue')}</strong>` : ''}`;
}
const ANSWER_NAMES = { confirmed: bi('已确认', 'confirmed'), objected: bi('有异议', 'objected') };
function keptHtml(kept) {
    return kept === null ? bi('未回访', 'not yet') : kept ? bi('已履行', 'kept') : bi('未履行', 'not kept');
}
/** The list: the cases, the disputes without a case, the mediators' figures. */
export function mediationBody(input) {
    const columns = [
        { zh: '编号', en: 'no.', csv: (c) => c.id, html: (c) => html `<a href="${CONSOLE_PATHS.mediation}/${c.id}">#${c.id}</a>` },
        { zh: '纠纷', en: 'dispute', csv: (c) => c.title },
        { zh: '地区', en: 'region', csv: (c) => input.regionName(c.regionId) },
        { zh: '调解员', en: 'mediator', csv: (c) => c.mediator ?? '' },
        { zh: '当事人', en: 'parties', csv: (c) => c.parties.map((p) => p.name).join('、') },
        { zh: '状态', en: 'state', csv: (c) => MEDIATION_STATE_NAMES[c.status].zh, html: stateHtml },
        { zh: '期限', en: 'limit', csv: (c) => c.dueOn },
    ];
    const figureColumns = [
        { zh: '调解员', en: 'mediator', csv: (f) => f.name },
        { zh: '案件', en: 'cases', csv: (f) => f.cases, className: 'num' },
        { zh: '调解成功', en: 'settled', csv: (f) => f.settled, className: 'num' },
        { zh: '履行到位', en: 'kept', csv: (f) => f.kept, className: 'num' },
        { zh: '移送法院', en: 'referred', csv: (f) => f.referred, className: 'num' },
        { zh: '平均用时（天）', en: 'average days', csv: (f) => f.averageDays ?? '–', className: 'num' },
    ];
    const statuses = Object.entries(MEDIATION_STATE_NAMES).map(([value, n]) => ({ value, label: `${n.zh} ${n.en}` }));
    return html `<section class="mediation">
<h1>${bi('矛盾纠纷调解', 'Dispute mediation')}</h1>
${input.regionStaff ? html `<p><a class="button" href="${CONSOLE_PATHS.mediation}/new">${bi('登记调解案件', 'Open a case')}</a></p>` : ''}
<form method="get" action="${CONSOLE_PATHS.mediation}" class="filters">
${select('status', bi('状态', 'State'), statuses, input.status, '全部 all')}
<div class="buttons"><button type="submit">${bi('查看', 'Show')}</button></div>
</form>
${tableHtml(columns, input.cases, { empty: bi('没有调解案件。', 'No mediation cases.'), rowClass: (c) => (c.overdue ? 'late' : null) })}
${input.disputes.length
        ? html `<h2>${bi('尚未登记调解的纠纷诉求', 'Dispute requests without a case')}</h2>
<ul>${input.disputes.map((d) => html `<li><a href="${CONSOLE_PATHS.tickets}/${d.number}">${d.number}</a> ${d.summary} <a class="button" href="${CONSOLE_PATHS.mediation}/new?ticket=${d.number}">${bi('登记调解', 'Open a case')}</a></li>`)}</ul>`
        : ''}
${input.regionStaff
        ? html `<h2>${bi('调解员工作量（以案定补）', 'Mediators’ figures (reward per dispute)')}</h2>
${tableHtml(figureColumns, input.figures, { empty: bi('还没有指定调解员的案件。', 'No case has a mediator yet.') })}
<p class="hint">${bi('调解成功：各方当事人确认协议；履行到位：第二次回访时协议仍在履行；平均用时：从登记到调解成功的天数。', 'Settled: every party confirmed the agreement; kept: still kept at the second follow-up; average days: from opening to settling.')}</p>`
        : ''}
</section>`;
}
export function openCaseBody(form, input) {
    return html `<section class="mediation">
<p class="crumbs"><a href="${CONSOLE_PATHS.mediation}">${bi('矛盾纠纷调解', 'Dispute mediation')}</a> › ${bi('登记调解案件', 'Open a case')}</p>
<h1>${bi('登记调解案件', 'Open a mediation case')}</h1>
${input.error ? notice('error', input.error) : ''}
<form method="post" action="${CONSOLE_PATHS.mediation}/new" class="mediation-form">
${csrfField(input.csrf)}
<input type="hidden" name="ticket" value="${form.ticket}">
${form.ticket ? html `<p>${bi('来自诉求', 'From the request')} <a href="${CONSOLE_PATHS.tickets}/${form.ticket}">${form.ticket}</a></p>` : ''}
${select('region', bi('调解地（村或镇）', 'Mediated in (village or township)'), input.regions, String(form.regionId))}
${select('mediator', bi('调解员', 'Mediator'), input.mediators, form.mediatorId === null ? '' : String(form.mediatorId), '未指定 none yet')}
<label class="grow">${bi('纠纷名称', 'Title')}<input name="title" required maxlength="60" value="${form.title}"></label>
<label class="grow">${bi('事实经过', 'Facts')}<textarea name="facts" required rows="4" maxlength="2000">${form.facts}</textarea></label>
<label class="grow">${bi('当事人（每行一方：花名册中的人员或户编号，或不在花名册中的姓名）', 'Parties (one a line: a roster person’s or household’s code, or a name not on the roster)')}<textarea name="parties" required rows="3" maxlength="1000">${form.parties}</textarea></label>
<div class="buttons"><button type="submit">${bi('登记', 'Open')}</button></div>
</form>
</section>`;
}
function actionForm(caseId, what, csrf, label, fields = '') {
    return html `<form method="post" action="${CONSOLE_PATHS.mediation}/${caseId}/${what}" class="inline-form">${csrfField(csrf)}${fields}<button type="submit">${label}</button></form>`;
}
/** A case with the actions its state allows and the user may take (`may`, by the action's path). */
export function caseBody(c, input) {
    const { csrf, may } = input;
    const open = c.status === 'mediating' || c.status === 'agreement';
    const canRefer = may('refer') && (open || (c.status === 'settled' && (c.keptFirst === false || c.keptSecond === false)));
    return html `<section class="mediation case">
<p class="crumbs"><a href="${CONSOLE_PATHS.mediation}">${bi('矛盾纠纷调解', 'Dispute mediation')}</a> › #${c.id}</p>
<h1>${c.title}</h1>
${input.done ? notice('ok', bi('已保存。', 'Saved.')) : ''}
${input.error ? notice('error', input.error) : ''}
<dl class="facts">
<dt>${bi('状态', 'State')}</dt><dd>${stateHtml(c)}</dd>
<dt>${bi('调解地', 'Mediated in')}</dt><dd>${input.regionName}</dd>
<dt>${bi('调解员', 'Mediator')}</dt><dd>${c.mediator ?? '—'}</dd>
<dt>${bi('期限', 'Limit')}</dt><dd>${c.dueOn}${c.extensions ? html ` ${bi(`（已延期 ${c.extensions} 次）`, `(extended ${c.extensions}×)`)}` : ''}</dd>
${c.ticketNumber
        ? // A mediator who is not staff of the case's region cannot open the request: its number only, no link to a 404.
            html `<dt>${bi('来自诉求', 'From the request')}</dt><dd>${may('ticket') ? html `<a href="${CONSOLE_PATHS.tickets}/${c.ticketNumber}">${c.ticketNumber}</a>` : c.ticketNumber}</dd>`
        : ''}
<dt>${bi('事实经过', 'Facts')}</dt><dd class="text">${c.facts}</dd>
</dl>
<h2 id="parties">${bi('当事人', 'Parties')}</h2>
<table class="table"><thead><tr><th>${bi('姓名', 'Name')}</th><th>${bi('主张', 'Position')}</th><th>${bi('对协议', 'On the agreement')}</th></tr></thead><tbody>
${c.parties.map((p) => html `<tr><td>${p.name}${p.personId === null && p.householdId === null ? html ` <span class="hint">${bi('（不在花名册）', '(not on the roster)')}</span>` : ''}</td>
<td>${p.position}${open && may('position') ? actionForm(c.id, 'position', csrf, bi('保存主张', 'Save'), html `<input type="hidden" name="party" value="${p.id}"><input name="position" maxlength="500" value="${p.position}" aria-label="主张 position">`) : ''}</td>
<td>${p.answer ? ANSWER_NAMES[p.answer] : c.status === 'agreement' ? html `${bi('待确认', 'awaiting')} ${may('answer') ? actionForm(c.id, 'answer', csrf, bi('代为确认（书面）', 'Confirmed on paper'), html `<input type="hidden" name="party" value="${p.id}"><input type="hidden" name="answer" value="confirmed">`) : ''}` : '—'}</td></tr>`)}
</tbody></table>
<h2 id="sessions">${bi('调解记录', 'Sessions')}</h2>
${c.sessions.length
        ? html `<ol class="sessions">${c.sessions.map((s) => html `<li><strong>${s.heldOn}</strong> ${s.place}${s.attendees ? html ` · ${bi('参加', 'attended')}：${s.attendees}` : ''}<p class="text">${s.notes}</p></li>`)}</ol>`
        : html `<p class="empty">${bi('还没有调解记录。', 'No session yet.')}</p>`}
${open && may('session')
        ? html `<form method="post" action="${CONSOLE_PATHS.mediation}/${c.id}/session" class="mediation-form">${csrfField(csrf)}
<label>${bi('日期', 'Date')}<input type="date" name="heldOn" required></label>
<label>${bi('地点', 'Place')}<input name="place" required maxlength="60"></label>
<label class="grow">${bi('参加人员', 'Attendees')}<input name="attendees" maxlength="200"></label>
<label class="grow">${bi('调解情况', 'Notes')}<textarea name="notes" required rows="3" maxlength="2000"></textarea></label>
<div class="buttons"><button type="submit">${bi('记录调解', 'Record the session')}</button></div></form>`
        : ''}
<h2 id="agreement">${bi('调解协议', 'Agreement')}</h2>
${c.agreement ? html `<p class="text">${c.agreement}</p><p class="hint">${formatLocal(c.agreedAt)}</p>` : html `<p class="empty">${bi('尚未达成协议。', 'No agreement yet.')}</p>`}
${open && may('agree')
        ? html `<form method="post" action="${CONSOLE_PATHS.mediation}/${c.id}/agree" class="mediation-form">${csrfField(csrf)}
<label class="grow">${bi('协议内容（发送给各方当事人在聊天中确认）', 'The agreement (sent to each party to confirm in their chat)')}<textarea name="text" required rows="3" maxlength="2000">${c.agreement ?? ''}</textarea></label>
<div class="buttons"><button type="submit">${bi('发送协议请当事人确认', 'Send for confirmation')}</button></div></form>
${may('extend') ? actionForm(c.id, 'extend', csrf, bi('当事人同意延期', 'Extend: the parties agree')) : ''}`
        : ''}
${c.settledAt
        ? html `<h2 id="follow-up">${bi('履行回访', 'Follow-ups')}</h2>
<p>${bi('调解成功', 'Settled')} ${formatDay(c.settledAt)} · ${bi('第一次', 'first')}：${keptHtml(c.keptFirst)} · ${bi('第二次', 'second')}：${keptHtml(c.keptSecond)}</p>
${c.status === 'settled' && c.keptSecond === null && may('follow-up')
            ? html `${actionForm(c.id, 'follow-up', csrf, bi('记录：协议在履行', 'Record: kept'), html `<input type="hidden" name="kept" value="yes">`)}
${actionForm(c.id, 'follow-up', csrf, bi('记录：协议未履行', 'Record: not kept'), html `<input type="hidden" name="kept" value="no">`)}`
            : ''}`
        : ''}
<h2 id="court">${bi('诉调对接', 'Court referral')}</h2>
${c.referredAt
        ? html `<p>${bi('移送', 'Referred to')} ${c.court} · ${formatDay(c.referredAt)} · <a href="${CONSOLE_PATHS.mediation}/${c.id}/dossier">${bi('案卷（可打印）', 'Dossier (printable)')}</a> · <a href="${CONSOLE_PATHS.mediation}/${c.id}/dossier.pdf">${bi('案卷 PDF', 'Dossier PDF')}</a></p>
<p class="text">${c.referralReason}</p>
${c.courtOutcome ? html `<p>${bi('法院处理结果', 'Court outcome')}：${c.courtOutcome}</p>` : ''}
${c.status === 'referred' && may('outcome')
            ? html `<form method="post" action="${CONSOLE_PATHS.mediation}/${c.id}/outcome" class="mediation-form">${csrfField(csrf)}
<label class="grow">${bi('法院处理结果', 'The court’s outcome')}<textarea name="text" required rows="2" maxlength="2000"></textarea></label>
<div class="buttons"><button type="submit">${bi('记录结果并结案', 'Record and close')}</button></div></form>`
            : ''}`
        : canRefer
            ? html `<form method="post" action="${CONSOLE_PATHS.mediation}/${c.id}/refer" class="mediation-form">${csrfField(csrf)}
<label>${bi('法院', 'Court')}<input name="court" required maxlength="60"></label>
<label class="grow">${bi('调解未成的原因', 'Why mediation failed')}<textarea name="reason" required rows="2" maxlength="2000"></textarea></label>
<div class="buttons"><button type="submit">${bi('移送法院', 'Refer to the court')}</button></div></form>`
            : html `<p class="empty">${bi('未移送。', 'Not referred.')}</p>`}
${input.ledger}
</section>`;
}
/** The dossier for the court: parties with their positions, facts, sessions, the failed agreement. */
export function dossierBody(c, input) {
    return html `<section class="mediation dossier">
<h1>${bi('人民调解案卷（诉调对接）', 'People’s mediation dossier (court referral)')}</h1>
<p>${bi('移送', 'To')} ${c.court ?? ''} · ${bi('调解地', 'mediated in')} ${input.regionName} · ${bi('调解员', 'mediator')} ${c.mediator ?? '—'} · ${bi('案件', 'case')} #${c.id}</p>
<h2>${bi('纠纷', 'Dispute')}：${c.title}</h2>
<p class="text">${c.facts}</p>
<h2>${bi('当事人及主张', 'Parties and positions')}</h2>
<ol>${c.parties.map((p) => html `<li><strong>${p.name}</strong>：${p.position || '—'}</li>`)}</ol>
<h2>${bi('调解经过', 'Sessions')}</h2>
<ol>${c.sessions.map((s) => html `<li><strong>${s.heldOn}</strong> ${s.place}${s.attendees ? ` · ${s.attendees}` : ''}<p class="text">${s.notes}</p></li>`)}</ol>
${c.agreement ? html `<h2>${bi('曾拟协议', 'Agreement proposed')}</h2><p class="text">${c.agreement}</p>` : ''}
<h2>${bi('调解未成原因', 'Why mediation failed')}</h2>
<p class="text">${c.referralReason ?? ''}</p>
<p class="hint">${bi('登记', 'Opened')} ${formatDay(c.openedAt)} · ${bi('移送', 'referred')} ${formatDay(c.referredAt)} · ${bi('打印', 'printed')} ${formatLocal(input.printedAt)}</p>
</section>`;
}
/** The ticket page's box: the case opened from the request, or a link opening one from it. */
export function ticketMediationBox(input) {
    const body = 'linked' in input
        ? html `<p><a href="${CONSOLE_PATHS.mediation}/${input.linked.id}">${bi('调解案件', 'Mediation case')} #${input.linked.id} ${input.linked.title}</a> · ${stateHtml(input.linked)} · ${bi('期限', 'limit')} ${input.linked.dueOn}</p>`
        : html `<p>${bi('这是一件矛盾纠纷诉求，尚未登记调解。', 'A dispute request with no mediation case yet.')} <a class="button" href="${CONSOLE_PATHS.mediation}/new?ticket=${input.openFrom}">${bi('登记调解', 'Open a case')}</a></p>`;
    return html `<section class="ticket-mediation" id="mediation"><h2>${bi('矛盾纠纷调解', 'Dispute mediation')}</h2>${body}</section>`;
}
