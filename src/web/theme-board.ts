/**
 * 每月一题 on the public board: the themes adopted for a region, the regions above it
 * and those below it, newest month first, with their problems, tasks and progress (tasks
 * done of all, linked requests resolved of all). Staff wrote the texts; they pass through
 * the one scrubber all the same, as every text on the board does. Linked requests are
 * only counted: which requests they are is for the board's own list to show, or not.
 */
import type { Db } from '../db/client.js';
import { loadThemes, scrubThemes, themeIds, type ThemeView } from '../themes/themes.js';
import { pathOf, type RegionNode } from '../org/regions.js';
import { TASK_STATUS_NAMES } from './console/themes-page.js';
import { bi, type Html, html } from './html.js';

/** Themes a board shows at most. */
const BOARD_THEMES = 6;

/** The themes the board of `region` shows (`publishedIds`: the published regions under it, itself included), scrubbed. */
export async function boardThemes(db: Db, regions: Map<number, RegionNode>, region: RegionNode, publishedIds: number[], now: Date): Promise<ThemeView[]> {
  const ids = await themeIds(db, [...new Set([...pathOf(regions, region.id), ...publishedIds])], undefined, BOARD_THEMES);
  const themes = await scrubThemes(db, await loadThemes(db, regions, ids, now));
  // Who did what stays in the console; the board counts the linked requests.
  return themes.map((t) => ({ ...t, tasks: t.tasks.map((task) => ({ ...task, doneNote: null, doneBy: null })), tickets: [], adoptedBy: '' }));
}

/** The board's 每月一题 section (nothing when there is no theme). */
export function boardThemesHtml(themes: ThemeView[]): Html {
  if (!themes.length) return html``;
  return html`<section class="themes">
<h2>${bi('每月一题', 'Theme of the month')}</h2>
${themes.map(
  (t) => html`<article class="theme">
<h3>${t.month} · ${t.title} <span class="level">${t.region}</span></h3>
<p class="progress">${bi(`任务完成 ${t.progress.tasksDone}/${t.progress.tasks} · 关联诉求已办结 ${t.progress.ticketsResolved}/${t.progress.tickets}`, `tasks done ${t.progress.tasksDone}/${t.progress.tasks} · linked requests resolved ${t.progress.ticketsResolved}/${t.progress.tickets}`)}</p>
<ul class="theme-problems">${t.problems.map((p) => html`<li>${p}</li>`)}</ul>
${t.tasks.length ? html`<ul class="tasks">${t.tasks.map((task) => html`<li>${task.text}（${task.department}，${task.deadline} 前）<strong>${TASK_STATUS_NAMES[task.status].zh}</strong></li>`)}</ul>` : ''}
</article>`,
)}
</section>`;
}
