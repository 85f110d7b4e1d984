/**
 * The admin's switch of the public board: every region of the admin's scope, whether
 * its board is published, and a button to switch it on or off.
 */
import type { Db } from '../../db/client.js';
import { LEVEL_NAMES } from '../format.js';
import { bi, type Html, html } from '../html.js';
import { BOARD_PATH } from '../board-path.js';
import { type Column, tableHtml } from '../table.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import type { StaffScope } from './scope.js';
import type { RegionNode } from '../../org/regions.js';

/** Regions an admin may switch: those below their admin roles' regions. */
export function adminRegions(scope: StaffScope, regions: Map<number, RegionNode>): RegionNode[] {
  const adminTops = new Set(scope.roles.filter((r) => r.role === 'admin').map((r) => r.regionId));
  const inside = (r: RegionNode): boolean => {
    for (let x: RegionNode | undefined = r; x; x = x.parentId === null ? undefined : regions.get(x.parentId)) if (adminTops.has(x.id)) return true;
    return false;
  };
  return [...regions.values()].filter(inside).sort((a, b) => a.code.localeCompare(b.code));
}

/** The columns of the switch table (the CSV has the first four). */
export function boardColumns(csrf: string | null): Column<RegionNode>[] {
  const columns: Column<RegionNode>[] = [
    { zh: '编码', en: 'code', csv: (r) => r.code },
    { zh: '地区', en: 'region', csv: (r) => r.name, html: (r) => html`<a href="${BOARD_PATH}/${r.code}">${r.name}</a>` },
    { zh: '级别', en: 'level', csv: (r) => LEVEL_NAMES[r.level] ?? r.level },
    { zh: '公示', en: 'published', csv: (r) => (r.publicBoard ? '公开 on' : '关闭 off') },
    { zh: '公示方式', en: 'mode', csv: (r) => MODE_NAMES[r.boardMode ?? ''] ?? MODE_NAMES[''] },
    { zh: '只计数的类别', en: 'counted only', csv: (r) => r.privateCategories },
  ];
  if (csrf === null) return columns;
  return [
    ...columns,
    {
      zh: '操作',
      en: 'switch',
      csv: () => '',
      html: (
        r,
      ) => html`<form method="post" action="${CONSOLE_PATHS.board}" class="inline">${csrfField(csrf)}<input type="hidden" name="region" value="${r.id}"><input type="hidden" name="publish" value="${r.publicBoard ? '0' : '1'}"><button type="submit" class="${r.publicBoard ? 'secondary' : ''}">${r.publicBoard ? bi('关闭公示', 'Switch off') : bi('开启公示', 'Switch on')}</button></form>
<form method="post" action="${CONSOLE_PATHS.board}" class="inline board-settings">${csrfField(csrf)}<input type="hidden" name="region" value="${r.id}"><select name="mode" aria-label="公示方式 mode">${Object.entries(
        MODE_NAMES,
      ).map(
        ([value, name]) => html`<option value="${value}"${(r.boardMode ?? '') === value ? html` selected` : ''}>${name}</option>`,
      )}</select><input name="private" value="${r.privateCategories}" placeholder="如 health,welfare" aria-label="只计数的类别 counted only" maxlength="200"><button type="submit" class="secondary">${bi('保存', 'Save')}</button></form>`,
    },
  ];
}

/** How a region's requests reach the board, as the admin chooses. */
const MODE_NAMES: Record<string, string> = {
  '': '同上级（默认人工公示） as the region above (manual)',
  manual: '人工公示 staff publish each',
  after_resolution: '办结后自动公示 shown once resolved',
};

/** A region's board settings: its mode and the categories it only counts; null when the form is not right. */
export function boardSettings(form: URLSearchParams, categories: readonly string[]): { boardMode: string | null; privateCategories: string } | null {
  const mode = form.get('mode') ?? '';
  if (!Object.hasOwn(MODE_NAMES, mode)) return null;
  const codes = (form.get('private') ?? '')
    .split(/[,，\s]+/)
    .map((c) => c.trim())
    .filter(Boolean);
  if (codes.some((c) => !categories.includes(c))) return null;
  return { boardMode: mode || null, privateCategories: [...new Set(codes)].join(',') };
}

/** The body of the switch page. */
export function boardAdminBody(rows: RegionNode[], csrf: string, done?: string, error?: string): Html {
  return html`<section class="board-admin">
<h1>${bi('公示设置', 'Public board')}</h1>
${done ? notice('ok', done) : ''}${error ? notice('error', error) : ''}
<p>${bi('关闭后，该地区及其下属地区的诉求不再出现在公示栏上（统计数字中的汇总比率不含个人信息，仍按地区计算）。', "Switched off, the region's requests (and those of the regions below it) no longer appear on any public board.")}</p>
<p>${bi('公示方式：人工公示（默认）时，诉求须经工作人员在诉求页“公示”后才显示文字；办结后自动公示时，办结的诉求显示去除个人信息的摘要。纠纷及“只计数的类别”（类别编码，逗号分隔）只计数，不显示文字。比率总按全部诉求计算。', "Mode: with manual (the default) a request's text shows only once staff publish it from its page; shown once resolved shows resolved requests with personal data removed. Disputes and the categories listed (codes, comma-separated) are only counted. The rates always count every request.")}
<a class="csv" href="${CONSOLE_PATHS.boardCsv}" download>CSV</a></p>
${tableHtml(boardColumns(csrf), rows, { rowClass: (r) => (r.publicBoard ? null : 'off') })}
</section>`;
}

/** Switches one region's board. */
export async function setPublicBoard(db: Db, regionId: number, publish: boolean): Promise<void> {
  await db.region.update({ where: { id: regionId }, data: { publicBoard: publish } });
}
