import { formatLocal, stateName } from '../format.js';
import { bi, html } from '../html.js';
import { tableHtml } from '../table.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { select } from './queue-page.js';
/** A task's status as staff read it. */
export const TASK_STATUS_NAMES = {
    done: { zh: '已完成', en: 'done' },
    late: { zh: '逾期', en: 'late' },
    open: { zh: '进行中', en: 'open' },
};
/** "任务 1/3 完成（1 项逾期）· 关联诉求 2/5 已办结". */
export function progressText(p) {
    const late = p.tasksLate ? `（${p.tasksLate} 项逾期）` : '';
    return `任务 ${p.tasksDone}/${p.tasks} 完成${late} · 关联诉求 ${p.ticketsResolved}/${p.tickets} 已办结`;
}
function progressHtml(p) {
    return html `<span class="progress">${progressText(p)} <span class="en" lang="en">tasks ${p.tasksDone}/${p.tasks} done${p.tasksLate ? `, ${p.tasksLate} late` : ''} · linked requests ${p.ticketsResolved}/${p.tickets} resolved</span></span>`;
}
/** "1.3" for an average, "2" for a whole number. */
function average(n) {
    return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
/** The filter form, the adopted themes and the proposals of a month and region. */
export function themesBody(input) {
    const { month, regionId } = input;
    const adopt = (p) => `${CONSOLE_PATHS.themes}/new?${new URLSearchParams({ region: String(regionId), month, source: p.key, title: p.label }).toString()}`;
    const columns = [
        { zh: '类型', en: 'kind', csv: (p) => (p.kind === 'category' ? '类别 category' : '词 word') },
        { zh: '问题', en: 'problem', csv: (p) => p.label, html: (p) => html `<strong>${p.label}</strong>` },
        {
            zh: '涉及村数',
            en: 'villages',
            csv: (p) => p.villages,
            html: (p) => html `${p.villages} <span class="parts">（此前月均 ${average(p.villagesBefore)}）</span>`,
            className: 'num',
        },
        {
            zh: '诉求件数',
            en: 'requests',
            csv: (p) => p.tickets,
            html: (p) => html `${p.tickets} <span class="parts">（此前月均 ${average(p.ticketsBefore)}）</span>`,
            className: 'num',
        },
        { zh: '示例诉求', en: 'examples', csv: (p) => p.examples.join(' '), html: (p) => p.examples.map((n) => html `<a href="${CONSOLE_PATHS.tickets}/${n}">${n}</a> `) },
        {
            zh: '操作',
            en: 'action',
            csv: () => '',
            html: (p) => {
                const adopted = input.themes.find((t) => t.source === p.key);
                return adopted
                    ? html `<a href="${CONSOLE_PATHS.themes}/${adopted.id}">${bi('已采纳', 'adopted')}</a>`
                    : html `<a class="button" href="${adopt(p)}">${bi('采纳为本月主题', 'Adopt as the theme')}</a>`;
            },
        },
    ];
    return html `<section class="themes">
<h1>${bi('每月一题', 'The month’s theme')}</h1>
${input.problems.length ? notice('error', html `${bi('以下筛选条件无效，已忽略：', 'These filters were not understood and are ignored:')} ${input.problems.join('；')}`) : ''}
<form method="get" action="${CONSOLE_PATHS.themes}" class="filters">
<label>${bi('月份', 'Month')}<input type="month" name="month" required value="${month}"></label>
${select('region', bi('地区', 'Region'), input.regions, String(regionId))}
<div class="buttons"><button type="submit">${bi('查看', 'Show')}</button></div>
</form>
<h2>${bi(`${month} 已采纳的主题`, `Themes adopted for ${month}`)}</h2>
${input.themes.length
        ? html `<ul class="theme-list">${input.themes.map((t) => html `<li><a href="${CONSOLE_PATHS.themes}/${t.id}">${t.title}</a> <span class="hint">${t.region}</span> ${progressHtml(t.progress)}</li>`)}</ul>`
        : html `<p class="empty">${bi('本月还没有采纳主题。', 'No theme adopted for this month yet.')}</p>`}
<h2>${bi('建议：多村反映、较此前上升的问题', 'Proposals: problems of several villages, more than before')}</h2>
${tableHtml(columns, input.proposals, { empty: bi('本月没有多个村同时上升的问题（选择乡镇或全县查看）。', 'No problem rose across several villages this month (choose a township or the county).') })}
<p class="hint">${bi('涉及村数：本月有该类别或该词诉求的村数；此前月均：前三个月每月的平均数。诉求文字中的人名、电话不作为词。', 'Villages: villages with a request of the category or word this month; before: the average of the three months before. Names and phone numbers in requests are never words.')}</p>
<p><a href="${CONSOLE_PATHS.themes}/new?${new URLSearchParams({ region: String(regionId), month }).toString()}">${bi('自拟主题', 'Write a theme of your own')}</a></p>
</section>`;
}
/** The adoption form. */
export function adoptBody(form, input) {
    const problem = (i) => html `<label class="grow">${bi(`具体问题 ${i + 1}`, `Problem ${i + 1}`)}<input name="problem" maxlength="100" value="${form.problems[i] ?? ''}"${i < 2 ? html ` required` : ''}></label>`;
    return html `<section class="themes">
<p class="crumbs"><a href="${CONSOLE_PATHS.themes}?${new URLSearchParams({ region: String(form.regionId), month: form.month }).toString()}">${bi('每月一题', 'The month’s theme')}</a> › ${bi('采纳主题', 'Adopt a theme')}</p>
<h1>${bi('采纳本月主题', 'Adopt the month’s theme')}</h1>
${input.error ? notice('error', input.error) : ''}
<form method="post" action="${CONSOLE_PATHS.themes}/new" class="theme-form">
${csrfField(input.csrf)}
<input type="hidden" name="source" value="${form.source}">
${select('region', bi('地区', 'Region'), input.regions, String(form.regionId))}
<label>${bi('月份', 'Month')}<input type="month" name="month" required value="${form.month}"></label>
<label class="grow">${bi('主题名称', 'Title')}<input name="title" required maxlength="40" value="${form.title}"></label>
${[0, 1, 2].map(problem)}
<fieldset><legend>${bi('牵头部门', 'Owner departments')}</legend>
${input.departments.map((d) => html `<label class="check"><input type="checkbox" name="department" value="${d.id}"${form.departmentIds.includes(d.id) ? html ` checked` : ''}> ${d.name}</label> `)}
</fieldset>
<div class="buttons"><button type="submit">${bi('采纳', 'Adopt')}</button></div>
</form>
</section>`;
}
const TASK_COLUMNS = [
    { zh: '任务', en: 'task', csv: (t) => t.text, className: 'summary' },
    { zh: '责任部门', en: 'department', csv: (t) => t.department },
    { zh: '截止日期', en: 'deadline', csv: (t) => t.deadline },
    {
        zh: '状态',
        en: 'status',
        csv: (t) => `${TASK_STATUS_NAMES[t.status].zh} ${TASK_STATUS_NAMES[t.status].en}`,
        html: (t) => html `<span class="task-status task-${t.status}${t.status === 'late' ? ' badge overdue' : ''}">${bi(TASK_STATUS_NAMES[t.status].zh, TASK_STATUS_NAMES[t.status].en)}</span>`,
    },
    { zh: '完成情况', en: 'what was done', csv: (t) => (t.doneAt ? `${t.doneNote ?? ''}（${t.doneBy ?? ''} ${formatLocal(t.doneAt)}）` : '') },
];
const TICKET_COLUMNS = [
    { zh: '编号', en: 'number', csv: (t) => t.number, html: (t) => html `<a href="${CONSOLE_PATHS.tickets}/${t.number}">${t.number}</a>` },
    { zh: '摘要', en: 'summary', csv: (t) => t.summary, className: 'summary' },
    { zh: '状态', en: 'state', csv: (t) => stateName(t.state) },
];
/** A theme: what it is about, its progress, its tasks (with the forms to add and finish them) and its linked tickets. */
export function themeBody(theme, input) {
    const base = `${CONSOLE_PATHS.themes}/${theme.id}`;
    const doneForm = (t) => html `<form method="post" action="${base}/tasks/${t.id}/done" class="inline task-done">${csrfField(input.csrf)}<input name="note" required maxlength="200" placeholder="完成情况 what was done" aria-label="完成情况 what was done"> <button type="submit">${bi('标记完成', 'Mark done')}</button></form>`;
    const taskColumns = input.canWork
        ? [...TASK_COLUMNS, { zh: '操作', en: 'action', csv: () => '', html: (t) => (t.status === 'done' ? '' : doneForm(t)) }]
        : TASK_COLUMNS;
    return html `<section class="theme">
<p class="crumbs"><a href="${CONSOLE_PATHS.themes}?${new URLSearchParams({ region: String(theme.regionId), month: theme.month }).toString()}">${bi('每月一题', 'The month’s theme')}</a> › ${theme.title}</p>
<h1>${theme.title} <span class="hint">${theme.region} · ${theme.month}</span></h1>
${input.done ? notice('ok', bi('已保存。', 'Saved.')) : ''}
${input.error ? notice('error', input.error) : ''}
<p class="summary-line">${progressHtml(theme.progress)}</p>
<h2>${bi('具体问题', 'Problems')}</h2>
<ol class="theme-problems">${theme.problems.map((p) => html `<li>${p}</li>`)}</ol>
<p>${bi('牵头部门', 'Owner departments')}：${theme.departments.map((d) => d.name).join('、')}</p>
<p class="hint">${bi(`${theme.adoptedBy} 于 ${formatLocal(theme.adoptedAt)} 采纳`, `adopted by ${theme.adoptedBy}, ${formatLocal(theme.adoptedAt)}`)}</p>
<section id="tasks">
<h2>${bi('任务', 'Tasks')}</h2>
${tableHtml(taskColumns, theme.tasks, { empty: bi('还没有任务。', 'No task yet.'), rowClass: (t) => `task-${t.status}` })}
${input.canWork
        ? html `<form method="post" action="${base}/tasks" class="filters">
${csrfField(input.csrf)}
<label class="grow">${bi('任务内容', 'Task')}<input name="text" required maxlength="200"></label>
${select('department', bi('责任部门', 'Department'), theme.departments.map((d) => ({ value: String(d.id), label: d.name })), undefined)}
<label>${bi('截止日期', 'Deadline')}<input type="date" name="deadline" required></label>
<div class="buttons"><button type="submit">${bi('添加任务', 'Add the task')}</button></div>
</form>`
        : ''}
</section>
<section id="tickets">
<h2>${bi('关联诉求', 'Linked requests')}</h2>
${tableHtml(TICKET_COLUMNS, theme.tickets, { empty: bi('还没有关联诉求。', 'No request linked yet.') })}
${input.canWork
        ? html `<form method="post" action="${base}/tickets" class="filters">
${csrfField(input.csrf)}
<label>${bi('诉求编号', 'Request number')}<input name="number" required maxlength="24" placeholder="MQ-2026-000123"></label>
<div class="buttons"><button type="submit">${bi('关联', 'Link')}</button></div>
</form>`
        : ''}
</section>
</section>`;
}
/** The ticket page's box: the themes it is linked to, and a button for each theme it may be linked to. */
export function ticketThemesBox(input) {
    if (!input.linked.length && !input.linkable.length)
        return html ``;
    return html `<section class="ticket-themes" id="themes">
<h2>${bi('每月一题', 'The month’s theme')}</h2>
${input.linked.length ? html `<p>${bi('已关联', 'Linked to')}：${input.linked.map((t, i) => html `${i ? '、' : ''}<a href="${CONSOLE_PATHS.themes}/${t.id}">${t.title}（${t.month}）</a>`)}</p>` : ''}
${input.linkable.map((t) => html `<form method="post" action="${CONSOLE_PATHS.themes}/${t.id}/tickets" class="inline">${csrfField(input.csrf)}<input type="hidden" name="number" value="${input.number}"><input type="hidden" name="from" value="ticket"><button type="submit">${bi(`关联到“${t.title}”`, `Link to “${t.title}”`)}</button></form> `)}
</section>`;
}
