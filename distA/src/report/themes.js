import { progressText, TASK_STATUS_NAMES } from '../web/console/themes-page.js';
import { bi, html } from '../web/html.js';
export function themeSection(themes) {
    return html `<h2>${bi('每月一题', 'Theme of the month')}</h2>
${themes.length
        ? themes.map((t) => html `<h3 class="theme-title">${t.title} <span class="en">${t.region}</span></h3>
<p class="theme-progress">${progressText(t.progress)}</p>
<p>${bi('具体问题', 'Problems')}：${t.problems.join('；')} · ${bi('牵头部门', 'Owners')}：${t.departments.map((d) => d.name).join('、')}</p>
${t.tasks.length
            ? html `<table><thead><tr><th>${bi('任务', 'Task')}</th><th>${bi('责任部门', 'Department')}</th><th>${bi('截止', 'Deadline')}</th><th>${bi('状态', 'Status')}</th></tr></thead><tbody>${t.tasks.map((task) => html `<tr class="theme-task"><td>${task.text}</td><td>${task.department}</td><td>${task.deadline}</td><td${task.status === 'late' ? html ` class="late"` : ''}>${TASK_STATUS_NAMES[task.status].zh} ${TASK_STATUS_NAMES[task.status].en}</td></tr>`)}</tbody></table>`
            : ''}`)
        : html `<p class="empty">${bi('本月未采纳主题', 'no theme adopted this month')}</p>`}`;
}
