/**
 * The public board 公示 at `/public` and `/public/<region code>`: what a region's residents
 * asked for and what became of it, with the region's satisfaction and on-time rates —
 * and nothing personal. No names, no phone numbers, no household or address: a request
 * shows its number, category, village, a scrubbed summary, its state and its dates.
 *
 * An official board prints nothing unreviewed: a request's text appears only once staff
 * have published it (公示, an audited console action, with a public summary they may edit;
 * the scrubbed summary by default), or — where a region chose `after_resolution` — once it
 * is resolved. Disputes, and the categories a region marks private, are only counted.
 * The rates are computed from every request, published or not.
 *
 * Each region can be switched off (Region.publicBoard, an admin's switch in the
 * console): its own board answers 404, and its requests appear on no board above it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/client.js';
import type { Prisma } from '../db/generated/sqlite/client.js';
import { addCalendarDays, localDateOf } from '../pipeline/calendar.js';
import { OPEN_STATES, RESOLVED_STATES, type TicketState } from '../pipeline/states.js';
import { formatRateText } from '../stats/charts.js';
import { dayRange, figures, STAT_DEFINITIONS } from '../stats/query.js';
import type { Figures } from '../stats/types.js';
import { type RegionNode, loadRegions } from '../org/regions.js';
import { formatDay, LEVEL_NAMES, stateName } from './format.js';
import { bi, type Html, html } from './html.js';
import { sendHtml } from './http.js';
import { documentOf } from './page.js';
import { rosterNames, scrub } from '../privacy.js';
import { boardThemes, boardThemesHtml } from './theme-board.js';
import { boardAssistance, boardAssistanceHtml } from './assistance-board.js';
import { boardCommitments, boardCommitmentsHtml } from './ledger-board.js';
import { publicRankingHtml } from '../ranking/public.js';
import { boardMapHtml } from './public-map.js';
import { BOARD_PATH } from './board-path.js';

/** Requests per board page. */
const PAGE_SIZE = 50;
/** The rates cover the last 365 days. */
const RATE_DAYS = 365;

/** The states a board shows: open ones, and resolved onwards (not withdrawn, not merged). */
export const BOARD_STATES: readonly TicketState[] = [...OPEN_STATES, 'resolved', 'callback', 'closed'];

/** How requests reach a region's board. */
export const BOARD_MODES = ['manual', 'after_resolution'] as const;
export type BoardMode = (typeof BOARD_MODES)[number];

/** Categories never shown with text on any board: a dispute is between neighbours, not for the notice board. */
export const ALWAYS_PRIVATE: readonly string[] = ['dispute'];

/**
 * A region's board policy: its mode (its own, else the nearest region above's, else
 * manual) and its private categories (its own, those of every region above, and disputes).
 */
export function boardPolicy(regions: Map<number, RegionNode>, region: RegionNode): { mode: BoardMode; privateCategories: string[] } {
  let mode: BoardMode | undefined;
  const hidden = new Set(ALWAYS_PRIVATE);
  for (let r: RegionNode | undefined = region; r; r = r.parentId === null ? undefined : regions.get(r.parentId)) {
    if (mode === undefined && (BOARD_MODES as readonly string[]).includes(r.boardMode ?? '')) mode = r.boardMode as BoardMode;
    for (const code of r.privateCategories.split(',')) if (code.trim()) hidden.add(code.trim());
  }
  return { mode: mode ?? 'manual', privateCategories: [...hidden].sort() };
}

/** The tickets of `regionIds` a board may show with their text, grouped by the regions' policies. */
export function shownWhere(regions: Map<number, RegionNode>, regionIds: number[]): Prisma.TicketWhereInput {
  const groups = new Map<string, { ids: number[]; mode: BoardMode; privateCategories: string[] }>();
  for (const id of regionIds) {
    const region = regions.get(id);
    if (!region) continue;
    const policy = boardPolicy(regions, region);
    const key = `${policy.mode}|${policy.privateCategories.join(',')}`;
    const group = groups.get(key) ?? { ids: [], ...policy };
    group.ids.push(id);
    groups.set(key, group);
  }
  return {
    OR: [...groups.values()].map((g) => ({
      regionId: { in: g.ids },
      categoryCode: { notIn: g.privateCategories },
      ...(g.mode === 'manual' ? { publishedAt: { not: null } } : { OR: [{ publishedAt: { not: null } }, { state: { in: [...RESOLVED_STATES] } }] }),
    })),
  };
}

// ─── Data ──────────────────────────────────────────────────────────────────────

/** A request as the board shows it. */
export interface BoardRow {
  id: number;
  number: string;
  category: string;
  place: string;
  summary: string;
  state: TicketState;
  receivedAt: Date;
  resolvedAt: Date | null;
}

/** The regions published under `root` (itself included): a switched-off region hides its whole branch. */
export function publishedIds(regions: Map<number, RegionNode>, root: RegionNode): number[] {
  if (!root.publicBoard) return [];
  const out: number[] = [];
  const stack = [root.id];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    for (const r of regions.values()) if (r.parentId === id && r.publicBoard) stack.push(r.id);
  }
  return out;
}

/** Whether a region and every region above it are published. */
function publishedPath(regions: Map<number, RegionNode>, region: RegionNode): boolean {
  for (let r: RegionNode | undefined = region; r; r = r.parentId === null ? undefined : regions.get(r.parentId)) {
    if (!r.publicBoard) return false;
  }
  return true;
}

/** One page of a board's requests, newest first, scrubbed. */
export async function boardRows(db: Db, regions: Map<number, RegionNode>, regionIds: number[], after?: number): Promise<{ rows: BoardRow[]; next: number | null }> {
  if (!regionIds.length) return { rows: [], next: null };
  const found = await db.ticket.findMany({
    where: { AND: [shownWhere(regions, regionIds), { state: { in: [...BOARD_STATES] } }, ...(after === undefined ? [] : [{ id: { lt: after } }])] },
    orderBy: { id: 'desc' },
    take: PAGE_SIZE + 1,
    select: {
      id: true,
      number: true,
      summary: true,
      publicSummary: true,
      state: true,
      regionId: true,
      residentId: true,
      assigneeId: true,
      createdAt: true,
      resolvedAt: true,
      category: { select: { nameZh: true, nameEn: true } },
    },
  });
  const page = found.slice(0, PAGE_SIZE);
  // Everyone on the roster, whatever their village: a neighbour from the next village is
  // no less a person.
  const names = await rosterNames(db);
  return {
    rows: page.map((t) => ({
      id: t.id,
      number: t.number,
      category: `${t.category.nameZh} ${t.category.nameEn}`,
      place: regions.get(t.regionId)?.name ?? '',
      // Staff's public summary when they wrote one, scrubbed all the same.
      summary: scrub(t.publicSummary ?? t.summary, names),
      state: t.state as TicketState,
      receivedAt: t.createdAt,
      resolvedAt: t.resolvedAt,
    })),
    next: found.length > PAGE_SIZE ? (page.at(-1)?.id ?? null) : null,
  };
}

/** The region's rates over the last year, from the statistics. */
export async function boardFigures(db: Db, region: RegionNode, now: Date): Promise<{ figures: Figures; from: string; to: string }> {
  const to = localDateOf(now);
  const from = addCalendarDays(to, -(RATE_DAYS - 1));
  return { figures: await figures(db, { scopeRegionId: region.id, ...dayRange(from, to) }), from, to };
}

// ─── Pages ─────────────────────────────────────────────────────────────────────

function boardPage(title: string, body: Html): string {
  return documentOf(
    `${title} · 民情公示 Minqing public board`,
    html`<header class="top public"><a class="brand" href="${BOARD_PATH}">民情公示 <span class="en" lang="en">Minqing public board</span></a></header>
<main class="board">
${body}
<p class="hint">${bi('本页只公开诉求的类别、地点（村）、经过处理的摘要、状态和日期，不公开任何个人信息。', "This page shows only each request's category, village, a summary with personal data removed, its state and dates; nothing personal.")}</p>
</main>`,
    '/public/style.css',
  );
}

function notFound(res: ServerResponse): void {
  sendHtml(
    res,
    404,
    boardPage(
      '没有公示 Not published',
      html`<h1>${bi('没有这个公示栏', 'No such board')}</h1><p>${bi('该地区不存在或没有公开诉求办理情况。', 'The region does not exist or does not publish its requests.')}</p><p><a href="${BOARD_PATH}">${bi('全部公示栏', 'All boards')}</a></p>`,
    ),
  );
}

function rate(name: keyof Figures, f: Figures): Html {
  const def = STAT_DEFINITIONS[name];
  const value = f[name];
  const text = typeof value === 'object' && value !== null ? formatRateText(value) : String(value ?? '—');
  return html`<div class="figure"><div class="value">${text}</div><div class="name">${bi(def.name.zh, def.name.en)}</div><details><summary>${bi('口径', 'definition')}</summary><p>${def.definition.zh}</p><p lang="en">${def.definition.en}</p></details></div>`;
}

/** The list of published boards. */
async function indexPage(db: Db, res: ServerResponse): Promise<void> {
  const regions = await loadRegions(db);
  const shown = [...regions.values()].filter((r) => publishedPath(regions, r)).sort((a, b) => a.code.localeCompare(b.code));
  const depth = (r: RegionNode) => (r.level === 'county' ? 0 : r.level === 'township' ? 1 : 2);
  sendHtml(
    res,
    200,
    boardPage(
      '公示栏 Boards',
      html`<h1>${bi('诉求办理公示', 'Requests and results')}</h1>
${shown.length ? html`<ul class="regions">${shown.map((r) => html`<li class="depth-${depth(r)}"><a href="${BOARD_PATH}/${r.code}">${r.name}</a> <span class="level">${LEVEL_NAMES[r.level] ?? r.level}</span></li>`)}</ul>` : html`<p>${bi('目前没有公开的公示栏。', 'No board is published.')}</p>`}`,
    ),
  );
}

/** One region's board. */
async function regionPage(db: Db, res: ServerResponse, code: string, params: URLSearchParams, now: Date): Promise<void> {
  const regions = await loadRegions(db);
  const region = [...regions.values()].find((r) => r.code === code);
  if (!region || !publishedPath(regions, region)) return notFound(res);
  const afterText = params.get('after');
  const after = afterText && /^\d{1,9}$/.test(afterText) ? Number(afterText) : undefined;
  const shownIds = publishedIds(regions, region);
  const [{ rows, next }, rates, themes, ranking, assistance, commitments] = await Promise.all([
    boardRows(db, regions, shownIds, after),
    boardFigures(db, region, now),
    boardThemes(db, regions, region, shownIds, now),
    publicRankingHtml(db, regions, region, shownIds, now),
    boardAssistance(db, shownIds),
    boardCommitments(db, regions, region, shownIds, now),
  ]);
  const map = await boardMapHtml(db, region, shownIds, rates, BOARD_PATH);
  const f = rates.figures;
  const children = [...regions.values()].filter((r) => r.parentId === region.id && r.publicBoard).sort((a, b) => a.code.localeCompare(b.code));
  const parent = region.parentId === null ? undefined : regions.get(region.parentId);
  sendHtml(
    res,
    200,
    boardPage(
      `${region.name}`,
      html`<p class="crumbs"><a href="${BOARD_PATH}">${bi('全部公示栏', 'All boards')}</a>${parent ? html` › <a href="${BOARD_PATH}/${parent.code}">${parent.name}</a>` : ''} › ${region.name}</p>
<h1>${region.name} <span class="level">${LEVEL_NAMES[region.level] ?? region.level}</span></h1>
${children.length ? html`<p class="children">${children.map((c) => html`<a href="${BOARD_PATH}/${c.code}">${c.name}</a> `)}</p>` : ''}
<section class="rates">
<h2>${bi(`近一年（${rates.from} 至 ${rates.to}）`, `Last 12 months (${rates.from} to ${rates.to})`)}</h2>
<div class="figures">${rate('satisfactionRate', f)}${rate('onTimeRate', f)}<div class="figure"><div class="value">${f.received}</div><div class="name">${bi('受理量', 'Received')}</div></div><div class="figure"><div class="value">${f.open}</div><div class="name">${bi('在办', 'Open')}</div></div></div>
</section>
${map}
${boardThemesHtml(themes)}
${boardAssistanceHtml(assistance)}
${boardCommitmentsHtml(commitments)}
${ranking}
<section>
<h2>${bi('诉求及办理情况', 'Requests')}</h2>
${
  rows.length
    ? html`<div class="table-wrap"><table class="data">
<thead><tr><th>${bi('编号', 'Number')}</th><th>${bi('类别', 'Category')}</th><th>${bi('地点', 'Place')}</th><th>${bi('摘要', 'Summary')}</th><th>${bi('状态', 'State')}</th><th>${bi('受理日期', 'Received')}</th><th>${bi('办结日期', 'Resolved')}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.number}</td><td>${r.category}</td><td>${r.place}</td><td class="summary">${r.summary}</td><td>${stateName(r.state)}</td><td>${formatDay(r.receivedAt)}</td><td>${formatDay(r.resolvedAt)}</td></tr>\n`)}</tbody></table></div>`
    : html`<p class="empty">${bi('暂无诉求。', 'No requests yet.')}</p>`
}
<nav class="pager">${after !== undefined ? html`<a href="${BOARD_PATH}/${region.code}">${bi('« 最新', '« Newest')}</a>` : ''} ${next ? html`<a rel="next" href="${BOARD_PATH}/${region.code}?after=${next}">${bi('更早 »', 'Older »')}</a>` : ''}</nav>
</section>`,
    ),
  );
}

/**
 * Serves `/public` and `/public/<region code>` (GET and HEAD); false for other paths.
 * `db` gives the database, or undefined while the app is still starting.
 */
export async function servePublicBoard(req: IncomingMessage, res: ServerResponse, db: Db, url: URL, now: Date): Promise<boolean> {
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== BOARD_PATH && !path.startsWith(`${BOARD_PATH}/`)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    req.resume();
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return true;
  }
  if (path === BOARD_PATH) {
    await indexPage(db, res);
    return true;
  }
  const code = decodeURIComponent(path.slice(BOARD_PATH.length + 1));
  if (!/^[\w-]{1,64}$/.test(code)) {
    notFound(res);
    return true;
  }
  await regionPage(db, res, code, url.searchParams, now);
  return true;
}
