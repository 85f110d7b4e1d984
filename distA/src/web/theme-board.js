import { loadThemes, scrubThemes, themeIds } from '../themes/themes.js';
import { pathOf } from './console/scope.js';
import { TASK_STATUS_NAMES } from './console/themes-page.js';
import { bi, html } from './html.js';
/** Themes a board shows at most. */
const BOARD_THEMES = 6;
/** The themes the board of `region` shows (`publishedIds`: the published regions under it, itself included), scrubbed. */
export async function boardThemes(db, regions, region, publishedIds, now) {
    const ids = await themeIds(db, [...new Set([...pathOf(regions, region.id), ...publishedIds])], undefined, BOARD_THEMES);
    const themes = await scrubThemes(db, await loadThemes(db, regions, ids, now));
    // Who did what stays in the console; the board counts the linked requests.
    return themes.map((t) => ({ ...t, tasks: t.tasks.map((task) => ({ ...task, doneNote: null, doneBy: null })), tickets: [], adoptedBy: '' }));
}
/** The board's 每月一题 section (nothing when there is no theme). */
export function boardThemesHtml(themes) {
    if (!themes.length)
        return html ``;
    return html `<section class="themes">
<h2>${bi('每月一题', 'Theme of the month')}</h2>
${themes.map((t) => html `<article class="theme">
<h3>${t.month} · ${t.title} <span class="level">${t.region}</span></h3>
<p class="progress">${bi(`任务完成 ${t.progress.tasksDone}/${t.progress.tasks} · 关联诉求已办结 ${t.progress.ticketsResolved}/${t.progress.tickets}`, `tasks done ${t.progress.tasksDone}/${t.progress.tasks} · linked requests resolved ${t.progress.ticketsResolved}/${t.progress.tickets}`)}</p>
<ul class="theme-problems">${t.problems.map((p) => html `<li>${p}</li>`)}</ul>
${t.tasks.length ? html `<ul class="tasks">${t.tasks.map((task) => html `<li>${task.text}（${task.department}，${task.deadline} 前）<strong>${TASK_STATUS_NAMES[task.status].zh}</strong></li>`)}</ul>` : ''}
</article>`)}
</section>`;
}
