import { DECISION_NAMES } from '../../meetings/decisions.js';
import { MEETING_NAMES } from '../../meetings/schedule.js';
import { formatLocal } from '../format.js';
import { bi, html, raw } from '../html.js';
import { tableHtml } from '../table.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { select } from './queue-page.js';
const LIST_COLUMNS = [
    { zh: '日期', en: 'date', csv: (m) => m.heldOn, html: (m) => html `<a href="${CONSOLE_PATHS.meetings}/${m.id}">${m.heldOn}</a>` },
    { zh: '地区', en: 'region', csv: (m) => m.region },
    { zh: '会议', en: 'meeting', csv: (m) => MEETING_NAMES[m.kind].zh, html: (m) => bi(MEETING_NAMES[m.kind].zh, MEETING_NAMES[m.kind].en) },
    { zh: '状态', en: 'status', csv: (m) => (m.recorded ? '已记录' : '待召开'), html: (m) => (m.recorded ? bi('已记录', 'recorded') : bi('待召开', 'upcoming')) },
    { zh: '决定', en: 'decisions', csv: (m) => m.decisions, className: 'num' },
];
/** The list of the user's meetings, with the filters. */
export function meetingsBody(input) {
    return html `<section class="meetings">
<h1>${bi('会议：村务议政会、民情分析会、调度会', 'Meetings: village, township and county')}</h1>
<form method="get" action="${CONSOLE_PATHS.meetings}" class="filters">
${select('region', bi('地区', 'Region'), input.regions, input.regionId === undefined ? undefined : String(input.regionId), '全部 all')}
<label>${bi('月份', 'Month')}<input type="month" name="month" value="${input.month}"></label>
<div class="buttons"><button type="submit">${bi('查看', 'Show')}</button></div>
</form>
<p><a class="button" href="${CONSOLE_PATHS.meetings}/settings">${bi('会议设置', 'Settings')}</a></p>
<p class="hint">${bi('议程在会前自动准备（默认提前 3 天）；参会人员在会前一天收到提醒。会后在会议页面记录纪要和决定。', 'Agendas are prepared before each meeting (3 days ahead by default); attendees are reminded the day before. Record the minutes and decisions on the meeting’s page.')}</p>
${tableHtml(LIST_COLUMNS, input.meetings, { empty: bi('没有符合条件的会议。', 'No meeting matches.') })}
</section>`;
}
function rate(value) {
    return value === null ? '—' : `${value}%`;
}
const PLACE_COLUMNS = [
    { zh: '地区', en: 'place', csv: (p) => p.name },
    { zh: '走访户次', en: 'visits', csv: (p) => p.visits, className: 'num' },
    { zh: '走访覆盖率', en: 'coverage', csv: (p) => `${rate(p.coverage)}（${p.visited}/${p.paired}）`, className: 'num' },
    { zh: '受理诉求', en: 'requests', csv: (p) => p.received, className: 'num' },
    { zh: '超期', en: 'overdue', csv: (p) => p.overdue, className: 'num' },
];
const TICKET_COLUMNS = [
    { zh: '编号', en: 'no.', csv: (t) => t.number },
    { zh: '地点', en: 'place', csv: (t) => t.place },
    { zh: '类别', en: 'category', csv: (t) => t.category },
    { zh: '事项', en: 'summary', csv: (t) => t.summary, className: 'summary' },
    { zh: '责任人', en: 'owner', csv: (t) => t.owner },
    { zh: '状态', en: 'state', csv: (t) => `${t.state}（${t.note}）` },
];
const PREVIOUS_COLUMNS = [
    { zh: '方式', en: 'kind', csv: (d) => DECISION_NAMES[d.kind].zh },
    { zh: '决定', en: 'decision', csv: (d) => d.text, className: 'summary' },
    { zh: '责任人', en: 'owner', csv: (d) => d.owner ?? '—' },
    { zh: '时限', en: 'deadline', csv: (d) => d.deadline ?? '—' },
    { zh: '进展', en: 'status', csv: (d) => (d.reference ? `${d.status}（${d.reference}）` : d.status) },
];
/** The agenda, as the meeting page and the print show it. */
export function agendaBody(agenda) {
    const t = agenda.totals;
    return html `<section class="agenda">
<h2>${bi('会议议程', 'Agenda')} <small>${bi(`准备于 ${formatLocal(new Date(agenda.preparedAt))}`, 'prepared')}</small></h2>
<h3>一、${bi(`上期民情收集（${agenda.review.label}）`, 'What was collected')}</h3>
<p>${bi(`走访 ${t.visits} 户次，包户覆盖率 ${rate(t.coverage)}（${t.visited}/${t.paired} 户）；受理诉求 ${t.received} 件，其中超期 ${t.overdue} 件。`, `${t.visits} visits, coverage ${rate(t.coverage)} (${t.visited}/${t.paired}); ${t.received} requests received, ${t.overdue} overdue.`)}</p>
${agenda.byCategory.length ? html `<p class="categories">${bi('按类别', 'By category')}：${agenda.byCategory.map((c) => html `<span class="word">${c.name} ${c.count}</span> `)}</p>` : ''}
${agenda.places.length ? tableHtml(PLACE_COLUMNS, agenda.places, { empty: html `` }) : ''}
<h3>二、${bi('上次会议决定落实情况', 'The last meeting’s decisions')}</h3>
${agenda.previous
        ? html `<p>${bi(`${agenda.previous.heldOn} 会议`, 'meeting of that day')}</p>${tableHtml(PREVIOUS_COLUMNS, agenda.previous.decisions, { empty: bi('上次会议没有决定。', 'No decision.') })}`
        : html `<p>${bi('没有上次会议的记录。', 'No earlier meeting recorded.')}</p>`}
<h3>三、${bi('本月热点与每月一题', 'Hot topics and the theme of the month')}</h3>
<p>${bi('热词', 'Hot words')}：${agenda.hotWords.length ? agenda.hotWords.map((w) => html `<span class="word">${w.word}（${w.count}）</span> `) : '—'}</p>
${agenda.proposals.length ? html `<p>${bi('多村反映的问题', 'Problems in several villages')}：${agenda.proposals.map((p) => html `<span class="word">${p.label}（${p.villages} 村 ${p.tickets} 件）</span> `)}</p>` : ''}
<p>${bi('每月一题', 'Theme')}：${agenda.theme ? html `${agenda.theme.title}（${agenda.theme.adopted ? bi('已确定', 'adopted') : bi('建议', 'proposed')}）` : '—'}</p>
<h3>四、${bi('超期与重办事项', 'Overdue and reopened requests')}</h3>
<p>${bi(`超期 ${agenda.overdueTotal} 件，重办 ${agenda.reopenedTotal} 件。`, `${agenda.overdueTotal} overdue, ${agenda.reopenedTotal} reopened.`)}</p>
${agenda.overdue.length || agenda.reopened.length ? tableHtml(TICKET_COLUMNS, [...agenda.overdue, ...agenda.reopened], { empty: html `` }) : ''}
<h3>五、${bi('到期台账事项', 'Ledger items due')}</h3>
${agenda.ledger.length
        ? html `<ul class="ledger-due">${agenda.ledger.map((i) => html `<li>#${i.id} ${i.goal}（${i.owner}，${bi(`时限 ${i.deadline}`, 'due')}${i.status === 'late' ? html `，<strong>${bi('逾期', 'late')}</strong>` : ''}）</li>`)}</ul>`
        : html `<p>${bi('没有到期的台账事项。', 'No ledger item due.')}</p>`}
</section>`;
}
const DECISION_COLUMNS = [
    { zh: '方式', en: 'kind', csv: (d) => DECISION_NAMES[d.kind].zh, html: (d) => bi(DECISION_NAMES[d.kind].zh, DECISION_NAMES[d.kind].en) },
    { zh: '决定', en: 'decision', csv: (d) => d.text, className: 'summary' },
    { zh: '责任人', en: 'owner', csv: (d) => d.owner ?? '—' },
    { zh: '时限', en: 'deadline', csv: (d) => d.deadline ?? '—' },
    {
        zh: '进展',
        en: 'status',
        csv: (d) => d.status,
        html: (d) => html `${d.late ? html `<span class="badge overdue">${d.status}</span>` : d.status}${d.ticketNumber
            ? html ` <a href="${CONSOLE_PATHS.tickets}/${d.ticketNumber}">${d.ticketNumber}</a>`
            : d.ledgerItemId
                ? html ` <a href="${CONSOLE_PATHS.ledger}/${d.ledgerItemId}">${d.reference}</a>`
                : ''}`,
    },
];
const DONE_MESSAGES = {
    record: ['会议记录已保存。', 'The record is saved.'],
    decisions: ['决定已记录，责任人已收到通知。', 'The decision is recorded; its owner is told.'],
    invited: ['参会人员已更新。', 'Who is expected is updated.'],
    agenda: ['议程已重新生成。', 'The agenda is prepared again.'],
    done: ['交办事项已标记完成。', 'The assignment is marked done.'],
};
function meetingHeading(m) {
    return bi(`${m.heldOn} ${m.region}${MEETING_NAMES[m.kind].zh}`, MEETING_NAMES[m.kind].en);
}
/** A meeting's page: agenda, who is expected, the record, the decisions. */
export function meetingBody(input) {
    const m = input.meeting;
    const base = `${CONSOLE_PATHS.meetings}/${m.id}`;
    const errorOf = (form) => (input.error?.form === form ? notice('error', input.error.message) : '');
    const doneMessage = input.done ? DONE_MESSAGES[input.done] : undefined;
    const d = input.decision;
    const personOptions = input.people.map((p) => ({ value: `person:${p.id}`, label: `个人 ${p.name}` }));
    const ownerOptions = [...input.departments.map((dep) => ({ value: `department:${dep.id}`, label: `部门 ${dep.name}` })), ...personOptions];
    const kindOptions = Object.entries(DECISION_NAMES).map(([value, n]) => ({ value, label: `${n.zh} ${n.en}` }));
    const open = input.decisions.filter((x) => x.kind === 'assignment' && !x.done);
    return html `<section class="meeting">
<p class="crumbs"><a href="${CONSOLE_PATHS.meetings}">${bi('会议', 'Meetings')}</a> › ${m.region}</p>
<h1>${meetingHeading(m)}</h1>
${doneMessage ? notice('ok', bi(doneMessage[0], doneMessage[1])) : ''}
<p class="meta">${m.recorded ? bi(`已记录（${input.recordedBy ?? ''}，${input.recordedAt ? formatLocal(input.recordedAt) : ''}）`, 'recorded') : bi('待召开', 'upcoming')}
 · <a href="${base}/minutes">${bi(m.recorded ? '打印纪要' : '打印议程', m.recorded ? 'Print the minutes' : 'Print the agenda')}</a>
 · <a href="${base}/minutes.pdf">PDF</a></p>
${agendaBody(input.agenda)}
${errorOf('agenda')}
${m.recorded
        ? ''
        : html `<form method="post" action="${base}/agenda" class="inline">${csrfField(input.csrf)}<button type="submit">${bi('重新生成议程', 'Prepare the agenda again')}</button></form>`}
<h2>${bi('应到人员', 'Expected')}</h2>
${errorOf('invited')}
<form method="post" action="${base}/invited" class="people">
${csrfField(input.csrf)}
<fieldset><legend>${bi('会前一天提醒以下人员', 'Reminded the day before')}</legend>
${input.people.map((p) => html `<label class="check"><input type="checkbox" name="person" value="${p.id}"${p.invited ? html ` checked` : ''}> ${p.name}${p.reminded ? html ` <small>${bi('已提醒', 'reminded')}</small>` : ''}</label> `)}
</fieldset>
<div class="buttons"><button type="submit">${bi('保存应到人员', 'Save who is expected')}</button></div>
</form>
<h2>${bi('会议记录', 'Record')}</h2>
${errorOf('record')}
<form method="post" action="${base}/record" class="record">
${csrfField(input.csrf)}
<fieldset><legend>${bi('实到人员', 'Attended')}</legend>
${input.people.map((p) => html `<label class="check"><input type="checkbox" name="attendee" value="${p.id}"${input.record.attendees.includes(p.id) ? html ` checked` : ''}> ${p.name}</label> `)}
</fieldset>
<label>${bi('列席人员（不在名册中的）', 'Guests (not on the roster)')}<input type="text" name="guests" value="${input.record.guests}" maxlength="200"></label>
<label>${bi('会议纪要', 'Minutes')}<textarea name="minutes" rows="8" maxlength="5000">${input.record.minutes}</textarea></label>
<div class="buttons"><button type="submit">${bi('保存会议记录', 'Save the record')}</button></div>
</form>
<h2>${bi('会议决定', 'Decisions')}</h2>
${tableHtml(DECISION_COLUMNS, input.decisions, { empty: bi('还没有决定。', 'No decision yet.') })}
${open.length
        ? html `<div class="assignments">${open.map((x) => html `<form method="post" action="${base}/decisions/${x.id}/done" class="inline">${csrfField(input.csrf)}<button type="submit">${bi(`标记“${x.text.slice(0, 12)}”已完成`, 'Mark done')}</button></form> `)}</div>`
        : ''}
${errorOf('done')}
<h3>${bi('记录一项决定', 'Record a decision')}</h3>
${errorOf('decision')}
<form method="post" action="${base}/decisions" class="decision">
${csrfField(input.csrf)}
${select('kind', bi('办理方式', 'Becomes'), kindOptions, d.kind)}
<label>${bi('决定内容', 'Decision')}<textarea name="text" rows="2" maxlength="200">${d.text}</textarea></label>
${select('category', bi('诉求类别（转为诉求时）', 'Category (for a ticket)'), input.categories, d.category, '—')}
${select('owner', bi('责任人或部门（台账、交办）', 'Owner (ledger item, assignment)'), ownerOptions, d.owner, '—')}
<label>${bi('完成时限', 'Deadline')}<input type="date" name="deadline" value="${d.deadline}"></label>
<div class="buttons"><button type="submit">${bi('记录决定', 'Record the decision')}</button></div>
</form>
</section>`;
}
const PRINT_STYLE = `body{font-family:"Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:2em;color:#111;font-size:11pt}
h1{font-size:16pt}h2{font-size:13pt;border-bottom:1px solid #999}h3{font-size:11.5pt}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #999;padding:3px 5px;text-align:left;vertical-align:top}
.en{color:#555;font-size:.85em}.num{text-align:right}.word{margin-right:.6em}.minutes{white-space:pre-wrap}
@page{size:A4;margin:18mm}`;
/** The print's title: 2026-11-20 红星村村务议政会纪要 (议程 until recorded). */
export function minutesTitle(m) {
    return `${m.heldOn} ${m.region}${MEETING_NAMES[m.kind].zh}${m.recorded ? '纪要' : '议程'}`;
}
/** The printable agenda and (once recorded) minutes, for a page of its own. */
export function minutesBody(input) {
    const m = input.meeting;
    return html `<article class="minutes-print">
<h1>${minutesTitle(m)} <span class="en" lang="en">${MEETING_NAMES[m.kind].en}, ${m.recorded ? 'minutes' : 'agenda'}</span></h1>
${m.recorded
        ? html `<h2>${bi('参会人员', 'Attendees')}</h2>
<p>${input.attendees.join('、') || '—'}${input.guests ? html `；${bi('列席', 'guests')}：${input.guests}` : ''}</p>
<h2>${bi('会议纪要', 'Minutes')}</h2>
<p class="minutes">${input.minutes}</p>
<h2>${bi('会议决定', 'Decisions')}</h2>
${tableHtml(DECISION_COLUMNS, input.decisions, { empty: bi('没有决定。', 'No decision.') })}`
        : ''}
${agendaBody(input.agenda)}
<p class="en">${bi(`打印于 ${formatLocal(input.printedAt)}`, 'printed')}</p>
</article>`;
}
/** The print as Chromium turns it into a PDF: offline, so its styles are inline (the browser's page links the console's stylesheet, as its CSP wants). */
export function minutesPdfDocument(input) {
    return html `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${minutesTitle(input.meeting)}</title>
<style>${raw(PRINT_STYLE)}</style>
</head>
<body>
${minutesBody(input)}
</body>
</html>
`.toString();
}
/** The form of a region's meeting settings: per kind, the day and the lead time, empty to inherit. */
export function meetingRulesBody(input) {
    const action = `${CONSOLE_PATHS.meetings}/settings?region=${input.regionId}`;
    return html `<section class="meetings">
<p class="crumbs"><a href="${CONSOLE_PATHS.meetings}">${bi('会议', 'Meetings')}</a> › ${bi('会议设置', 'Settings')}</p>
<h1>${bi('会议设置', 'Meeting settings')}</h1>
<form method="get" action="${CONSOLE_PATHS.meetings}/settings" class="filters">${select('region', bi('地区', 'Region'), input.regions, String(input.regionId))}<div class="buttons"><button type="submit">${bi('换地区', 'Change the region')}</button></div></form>
<p class="hint">${bi('留空即沿用上级设置。遇节假日或周末顺延至下一个工作日；议程在会前若干天自动准备。', 'Leave a field empty to take the region above’s. A day off moves the meeting to the next working day; the agenda is prepared that many days before.')}</p>
${input.saved ? notice('ok', bi('设置已保存。', 'The settings are saved.')) : ''}
${input.problems.map((p) => notice('error', p))}
<form method="post" action="${action}" class="meeting-rules">
${csrfField(input.csrf)}
<table><thead><tr><th>${bi('会议', 'meeting')}</th><th>${bi('每月几号', 'day of the month')}</th><th>${bi('提前几天准备议程', 'agenda days before')}</th><th>${bi('现行', 'in force')}</th></tr></thead><tbody>
${input.lines.map((l) => html `<tr><td>${bi(MEETING_NAMES[l.kind].zh, MEETING_NAMES[l.kind].en)}${l.kind === 'county' ? html ` <small>${bi('（每季度首月）', '(first month of each quarter)')}</small>` : ''}</td>
<td><input type="number" name="day-${l.kind}" value="${l.day}" min="1" max="28"></td>
<td><input type="number" name="lead-${l.kind}" value="${l.leadDays}" min="0" max="20"></td>
<td>${l.effective.day} 号（${l.effective.dayFrom}），提前 ${l.effective.leadDays} 天（${l.effective.leadFrom}）</td></tr>`)}
</tbody></table>
<div class="buttons"><button type="submit">${bi('保存设置', 'Save the settings')}</button></div>
</form>
</section>`;
}
