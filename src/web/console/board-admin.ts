/**
 * The admin's switch of the public board: every region of the admin's scope, whether
 * its board is published, and a button to switch it on or off.
 */
import type { Db } from '../../db/client.js';
import { LEVEL_NAMES } from '../format.js';
import { bi, type Html, html } from '../html.js';
import { BOARD_PATH } from '../public-board.js';
import { type Column, tableHtml } from '../table.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import type { RegionNode, StaffScope } from './scope.js';

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
  ];
  if (csrf === null) return columns;
  return [
    ...columns,
    {
      zh: '操作',
      en: 'switch',
      csv: () => '',
      html: (r) => html`<form method="post" action="${CONSOLE_PATHS.board}" class="inline">${csrfField(csrf)}<input type="hidden" name="region" value="${r.id}"><input type="hidden" name="publish" value="${r.publicBoard ? '0' : '1'}"><button type="submit" class="${r.publicBoard ? 'secondary' : ''}">${r.publicBoard ? bi('关闭公示', 'Switch off') : bi('开启公示', 'Switch on')}</button></form>`,
    },
  ];
}

/** The body of the switch page. */
export function boardAdminBody(rows: RegionNode[], csrf: string, done?: string): Html {
  return html`<section class="board-admin">
<h1>${bi('公示设置', 'Public board')}</h1>
${done ? notice('ok', done) : ''}
<p>${bi('关闭后，该地区及其下属地区的诉求不再出现在公示栏上（统计数字中的汇总比率不含个人信息，仍按地区计算）。', 'Switched off, the region\'s requests (and those of the regions below it) no longer appear on any public board.')}
<a class="csv" href="${CONSOLE_PATHS.boardCsv}" download>CSV</a></p>
${tableHtml(boardColumns(csrf), rows, { rowClass: (r) => (r.publicBoard ? null : 'off') })}
</section>`;
}

/** Switches one region's board. */
export async function setPublicBoard(db: Db, regionId: number, publish: boolean): Promise<void> {
  await db.region.update({ where: { id: regionId }, data: { publicBoard: publish } });
}
