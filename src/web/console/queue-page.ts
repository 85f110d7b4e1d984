/**
 * The queue page: the filter form, the count, one page of tickets, the way to the next
 * page, and the CSV export of everything the filters match.
 */
import type { Db } from '../../db/client.js';
import type { Prisma } from '../../db/generated/sqlite/client.js';
import { TICKET_STATES } from '../../pipeline/states.js';
import { bi, type Html, html } from '../html.js';
import { formatLocal, stateName } from '../format.js';
import type { Column } from '../table.js';
import { tableHtml } from '../table.js';
import { CONSOLE_PATHS, notice } from './layout.js';
import { FILTER_PROBLEMS, type QueueFilters, type QueueResult, type QueueRow, queueParams, SEARCH_LIMIT } from './queue.js';
import type { StaffScope } from './scope.js';
import type { RegionNode } from '../../org/regions.js';

/** Select lists longer than this are left out (filter by a smaller region first). */
export const MAX_OPTIONS = 300;

/** The columns of the queue, on the page and in the CSV alike. */
export function queueColumns(categories: Map<string, string>): Column<QueueRow>[] {
  return [
    {
      zh: '编号',
      en: 'number',
      csv: (r) => r.number,
      html: (r) => html`<a href="${CONSOLE_PATHS.tickets}/${r.number}">${r.number}</a>`,
    },
    { zh: '状态', en: 'state', csv: (r) => stateName(r.state, r.level) },
    { zh: '类别', en: 'category', csv: (r) => categories.get(r.categoryCode) ?? r.categoryCode },
    { zh: '摘要', en: 'summary', csv: (r) => r.summary, className: 'summary' },
    { zh: '地点', en: 'place', csv: (r) => r.region },
    { zh: '网格', en: 'grid', csv: (r) => r.grid },
    { zh: '经办', en: 'handler', csv: (r) => r.handler ?? '待派单 unassigned' },
    { zh: '受理时间', en: 'received', csv: (r) => formatLocal(r.createdAt) },
    { zh: '办结时限', en: 'resolve by', csv: (r) => formatLocal(r.resolveBy) },
    { zh: '回访时限', en: 'callback by', csv: (r) => (r.callbackBy ? formatLocal(r.callbackBy) : '') },
    {
      zh: '标记',
      en: 'flags',
      csv: (r) => [r.overdue ? '超期 overdue' : '', r.supervised ? '督办 supervised' : '', r.urgeCount ? `催办×${r.urgeCount} urged` : ''].filter(Boolean).join(' '),
      html: (r) =>
        html`${r.overdue ? html`<span class="badge overdue">${bi('超期', 'overdue')}</span>` : ''}${r.supervised ? html`<span class="badge supervised">${bi('督办', 'supervised')}</span>` : ''}${r.urgeCount ? html`<span class="badge urged">${bi(`催办×${r.urgeCount}`, `urged ×${r.urgeCount}`)}</span>` : ''}`,
    },
  ];
}

/** Category code → 道路交通 Roads and traffic. */
export async function categoryNames(db: Db): Promise<Map<string, string>> {
  const rows = await db.category.findMany({ select: { code: true, nameZh: true, nameEn: true }, orderBy: { code: 'asc' } });
  return new Map(rows.map((c) => [c.code, `${c.nameZh} ${c.nameEn}`]));
}

/** One choice of a filter's select list. */
export interface Option {
  value: string;
  label: string;
}

/** What the filter form offers, within the user's scope. */
export interface QueueFormOptions {
  regions: Option[];
  grids: Option[] | null;
  handlers: Option[] | null;
  categories: Option[];
}

/** The regions of the scope, indented by level, in code order. */
export function regionOptions(scope: StaffScope, regions: Map<number, RegionNode>): Option[] {
  const depth = (r: RegionNode) => (r.level === 'county' ? 0 : r.level === 'township' ? 1 : 2);
  return scope.regionIds
    .map((id) => regions.get(id))
    .filter((r): r is RegionNode => r !== undefined)
    .sort((a, b) => a.code.localeCompare(b.code))
    .slice(0, MAX_OPTIONS)
    .map((r) => ({ value: String(r.id), label: `${'　'.repeat(depth(r))}${r.name}` }));
}

/** The grids a filter form offers, in code order, named with their village; null past MAX_OPTIONS (the form asks for a region instead). */
export async function gridOptions(db: Db, where: Prisma.GridWhereInput): Promise<Option[] | null> {
  if ((await db.grid.count({ where })) > MAX_OPTIONS) return null;
  const grids = await db.grid.findMany({ where, select: { id: true, name: true, region: { select: { name: true } } }, orderBy: { code: 'asc' } });
  return grids.map((g) => ({ value: String(g.id), label: `${g.region.name} ${g.name}` }));
}

/** Loads the filter form's choices (long lists are left out, with a hint). */
export async function queueFormOptions(db: Db, scope: StaffScope, regions: Map<number, RegionNode>, categories: Map<string, string>): Promise<QueueFormOptions> {
  const gridWhere = scope.everyRegion ? {} : { OR: [{ regionId: { in: scope.regionIds } }, { id: { in: scope.gridIds } }] };
  const grids = await gridOptions(db, gridWhere);
  const departmentWhere = scope.everyRegion ? {} : { OR: [{ regionId: { in: scope.regionIds } }, { id: { in: scope.departmentIds } }] };
  const personWhere = { role: { in: ['liaison', 'grid_leader'] }, ...(scope.everyRegion ? {} : { regionId: { in: scope.regionIds } }) };
  const [departments, personCount] = await Promise.all([
    db.department.findMany({ where: departmentWhere, select: { id: true, name: true, region: { select: { name: true } } }, orderBy: { code: 'asc' } }),
    db.personRole.count({ where: personWhere }),
  ]);
  const people =
    personCount > MAX_OPTIONS
      ? null
      : await db.personRole.findMany({ where: personWhere, select: { person: { select: { id: true, name: true, code: true } } }, orderBy: { personId: 'asc' } });
  const handlers =
    departments.length > MAX_OPTIONS
      ? null
      : [
          ...departments.map((d) => ({ value: `d${d.id}`, label: `${d.region.name} ${d.name}` })),
          ...[...new Map((people ?? []).map((p) => [p.person.id, p.person])).values()].map((p) => ({ value: `p${p.id}`, label: `网格员 ${p.name} ${p.code}` })),
        ];
  return {
    regions: regionOptions(scope, regions),
    grids,
    handlers,
    categories: [...categories].map(([value, label]) => ({ value, label })),
  };
}

/** A labelled select; with `anyLabel`, a first empty choice meaning "no filter". */
export function select(name: string, label: Html, options: Option[], chosen: string | undefined, anyLabel?: string): Html {
  return html`<label>${label}<select name="${name}">${anyLabel ? html`<option value="">${anyLabel}</option>` : ''}${options.map(
    (o) => html`<option value="${o.value}"${o.value === chosen ? html` selected` : ''}>${o.label}</option>`,
  )}</select></label>`;
}

const STATE_OPTIONS: Option[] = [
  { value: 'open', label: '在办 open' },
  { value: 'done', label: '已办结及以后 done' },
  { value: 'all', label: '全部 all' },
  ...TICKET_STATES.map((s) => ({ value: s, label: stateName(s) })),
];

/** The filter form, prefilled with the filters in force. */
function filterForm(filters: QueueFilters, options: QueueFormOptions): Html {
  const p = queueParams(filters);
  // Options hold text only (no markup), so their labels are plain strings.
  const any = '全部 any';
  return html`<form method="get" action="${CONSOLE_PATHS.queue}" class="filters">
${select('state', bi('状态', 'State'), STATE_OPTIONS, filters.state)}
${select('category', bi('类别', 'Category'), options.categories, filters.categoryCode, any)}
${select('region', bi('地区', 'Region'), options.regions, p.get('region') ?? undefined, any)}
${options.grids ? select('grid', bi('网格', 'Grid'), options.grids, p.get('grid') ?? undefined, any) : html`<label>${bi('网格编号', 'Grid id')}<input name="grid" inputmode="numeric" value="${p.get('grid') ?? ''}"></label>`}
${options.handlers ? select('handler', bi('经办', 'Handler'), options.handlers, p.get('handler') ?? undefined, any) : ''}
<label>${bi('受理日期自', 'Received from')}<input type="date" name="from" value="${p.get('from') ?? ''}"></label>
<label>${bi('至', 'to')}<input type="date" name="to" value="${p.get('to') ?? ''}"></label>
<label class="check"><input type="checkbox" name="overdue" value="1"${filters.overdue ? html` checked` : ''}>${bi('只看超期', 'overdue only')}</label>
<label class="check"><input type="checkbox" name="supervised" value="1"${filters.supervised ? html` checked` : ''}>${bi('只看督办', 'supervised only')}</label>
<label class="check"><input type="checkbox" name="callback" value="due"${filters.callbackDue ? html` checked` : ''}>${bi('待回访', 'awaiting callback')}</label>
<label class="grow">${bi('编号或内容', 'Number or text')}<input type="search" name="q" maxlength="100" value="${filters.q ?? ''}"></label>
<div class="buttons"><button type="submit">${bi('筛选', 'Filter')}</button> <a href="${CONSOLE_PATHS.queue}">${bi('清除', 'Reset')}</a></div>
</form>`;
}

/** The whole body of the queue page. */
export function queueBody(input: { filters: QueueFilters; after?: number; result: QueueResult; options: QueueFormOptions; columns: Column<QueueRow>[]; problems: string[] }): Html {
  const { filters, result } = input;
  const csv = queueParams(filters).toString();
  const next = result.next === null ? null : queueParams(filters, result.next).toString();
  const n = result.count.toLocaleString('en');
  const count = result.counted
    ? bi(`共 ${n} 件`, `${n} ticket(s)`)
    : bi(`本页 ${n} 件${result.countCapped ? '，后面还有' : ''}（历史视图不计总数）`, `${n} on this page${result.countCapped ? ', more after' : ''} (history views show no total)`);
  return html`<section class="queue">
<h1>${bi('工作队列', 'Queue')}</h1>
${input.problems.length ? notice('error', html`${bi(FILTER_PROBLEMS.zh, FILTER_PROBLEMS.en)} ${input.problems.join('；')}`) : ''}
${
  result.searchLimited
    ? notice(
        'error',
        bi(
          `搜索词命中超过 ${SEARCH_LIMIT.toLocaleString('en')} 件：件数只计最新的 ${SEARCH_LIMIT.toLocaleString('en')} 件，本页可能不满，请翻下一页或多输入几个词。`,
          `The search matched more than ${SEARCH_LIMIT.toLocaleString('en')} tickets: the total counts the newest ${SEARCH_LIMIT.toLocaleString('en')} only, and this page may be short; go on to the next page or type more words.`,
        ),
      )
    : ''
}
${filterForm(filters, input.options)}
<p class="summary-line"><span class="count">${count}</span>
<a class="csv" href="${CONSOLE_PATHS.queueCsv}${csv ? `?${csv}` : ''}" download>${bi('导出 CSV（全部页）', 'Export CSV (all pages)')}</a></p>
${tableHtml(input.columns, result.rows, {
  empty: bi('没有符合条件的诉求。', 'No ticket matches.'),
  rowClass: (r) => (r.overdue ? 'overdue' : null),
})}
<nav class="pager">${input.after !== undefined ? html`<a href="${CONSOLE_PATHS.queue}?${queueParams(filters).toString()}">${bi('« 第一页', '« First page')}</a>` : ''}
${next ? html`<a rel="next" href="${CONSOLE_PATHS.queue}?${next}">${bi('下一页 »', 'Next page »')}</a>` : ''}</nav>
</section>`;
}
