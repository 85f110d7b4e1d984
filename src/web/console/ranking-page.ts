/**
 * The 三率 ranking 红黑榜 of the console (`/console/ranking`): a month, a level (villages,
 * departments, liaisons) and a region of the user's; the 红榜 and 黑榜, the whole ranking
 * with each score's parts, its definitions, a CSV of the table, and the form that sets the
 * region's weights for the staff allowed to (src/ranking/).
 *
 * Only the region-scoped roles have it, and only for their regions: a ranking lists the
 * villages, departments and liaisons of the chosen region, scored on its tickets alone.
 * The month shown first is the last whole month: the current one is still being handled
 * and rated, and the 红黑榜 is made once a month closes.
 */
import type { Db } from '../../db/client.js';
import { boardsHtml, LEVEL_NAMES, rankingColumns, rankingDefinitionsHtml } from '../../ranking/html.js';
import { lastWholeMonth, type Ranking, RANKING_LEVELS, type RankingLevel, rankRegion, type Rankings } from '../../ranking/ranking.js';
import { DEFAULT_MIN_TICKETS, ownSettings, parseSettingsForm, type RankingSettings, saveSettings, type SettingsForm, TERM_NAMES, TERMS } from '../../ranking/settings.js';
import { tableCsv, tableHtml } from '../table.js';
import { bi, type Html, html } from '../html.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { type Option, select } from './queue-page.js';
import { type StaffScope } from './scope.js';
import { pathOf, type RegionNode } from '../../org/regions.js';

/** Rows of the full table on the page; the CSV has them all. */
export const MAX_RANKING_ROWS = 200;

/** Roles that may set a region's weights: the county's or a township's supervisors and admins, for their region and below. */
const SETTING_ROLES = ['supervisor', 'admin'];

/** What the page shows, read from the query string and checked against the user's reach. */
export interface RankingRequest {
  region: RegionNode;
  month: string;
  level: RankingLevel;
  problems: string[];
}

/** Whether the user has the ranking: region-scoped roles of a county or township. */
export function hasRanking(scope: StaffScope): boolean {
  return scope.topRegions.some((r) => r.level !== 'village');
}

/** The user's regions a ranking can be made in: the county and townships of their scope. */
function rankableRegions(scope: StaffScope, regions: Map<number, RegionNode>): RegionNode[] {
  return scope.regionIds
    .map((id) => regions.get(id))
    .filter((r): r is RegionNode => r !== undefined && r.level !== 'village')
    .sort((a, b) => a.code.localeCompare(b.code));
}

/** Reads `region` (an id), `month` (YYYY-MM) and `level`; a bad value is reported and the default used. Null: no region to rank. */
export function parseRankingParams(params: URLSearchParams, scope: StaffScope, regions: Map<number, RegionNode>, now: Date): RankingRequest | null {
  const choices = rankableRegions(scope, regions);
  const first = scope.topRegions.find((r) => r.level !== 'village') ?? choices[0];
  if (!first) return null;
  const problems: string[] = [];
  let region = first;
  const regionText = params.get('region')?.trim();
  if (regionText) {
    const chosen = choices.find((r) => String(r.id) === regionText);
    if (chosen) region = chosen;
    else problems.push(`地区 region: ${regionText}`);
  }
  let month = lastWholeMonth(now);
  const monthText = params.get('month')?.trim();
  if (monthText) {
    if (/^\d{4}-(0[1-9]|1[0-2])$/.test(monthText)) month = monthText;
    else problems.push(`月份 month: ${monthText}`);
  }
  let level: RankingLevel = 'village';
  const levelText = params.get('level')?.trim();
  if (levelText) {
    if ((RANKING_LEVELS as readonly string[]).includes(levelText)) level = levelText as RankingLevel;
    else problems.push(`排名对象 level: ${levelText}`);
  }
  return { region, month, level, problems };
}

/** The query string of a request (links, the CSV, the redirect after saving). */
export function rankingParams(request: { region: RegionNode; month: string; level: RankingLevel }): URLSearchParams {
  return new URLSearchParams({ region: String(request.region.id), month: request.month, level: request.level });
}

/** Whether the user may set the weights of `region`: a supervisor or admin of it or of a region above it. */
export function canSetRanking(scope: StaffScope, regions: Map<number, RegionNode>, region: RegionNode): boolean {
  const path = new Set(pathOf(regions, region.id));
  return scope.roles.some((r) => SETTING_ROLES.includes(r.role) && path.has(r.regionId));
}

/** The ranking of the request's level. */
export async function rankingOf(db: Db, regions: Map<number, RegionNode>, request: RankingRequest): Promise<{ rankings: Rankings; ranking: Ranking }> {
  const rankings = await rankRegion(db, regions, { region: request.region, month: request.month, levels: [request.level] });
  return { rankings, ranking: rankings.rankings[0]! };
}

/** The CSV of the whole ranking, with the same columns as the page. */
export function rankingCsv(request: RankingRequest, found: { rankings: Rankings; ranking: Ranking }): { filename: string; text: string } {
  return {
    filename: `minqing-ranking-${request.region.code}-${request.level}-${request.month}.csv`,
    text: tableCsv(rankingColumns(found.rankings.settings, request.level), found.ranking.entities),
  };
}

const LEVEL_OPTIONS: Option[] = RANKING_LEVELS.map((l) => ({ value: l, label: `${LEVEL_NAMES[l].zh} ${LEVEL_NAMES[l].en}` }));

function requestForm(request: RankingRequest, choices: RegionNode[]): Html {
  const options = choices.map((r) => ({ value: String(r.id), label: `${r.level === 'township' ? '　' : ''}${r.name}` }));
  return html`<form method="get" action="${CONSOLE_PATHS.ranking}" class="filters">
<label>${bi('月份', 'Month')}<input type="month" name="month" required value="${request.month}"></label>
${select('region', bi('地区', 'Region'), options, String(request.region.id))}
${select('level', bi('排名对象', 'Ranking of'), LEVEL_OPTIONS, request.level)}
<div class="buttons"><button type="submit">${bi('查看', 'Show')}</button></div>
</form>`;
}

/** The weights form: the region's own values, or those in force when it sets none. */
function settingsFormHtml(request: RankingRequest, settings: RankingSettings, own: Awaited<ReturnType<typeof ownSettings>>, csrf: string, problems: string[]): Html {
  const inherited = own.weights === null;
  const board = own.publicBoard === null ? 'inherit' : own.publicBoard ? 'on' : 'off';
  const boardOptions: Option[] = [
    { value: 'inherit', label: `同上级 as above (${settings.publicBoard ? '公示 shown' : '不公示 not shown'})` },
    { value: 'on', label: '公示 show' },
    { value: 'off', label: '不公示 do not show' },
  ];
  return html`<section class="ranking-settings" id="settings">
<h2>${bi(`${request.region.name}的排名设置`, `Ranking settings of ${request.region.name}`)}</h2>
<p class="hint">${inherited ? bi('本级未设权重，沿用上级（或默认）设置。', 'No weights of its own: those above (or the defaults) apply.') : bi('本级设有自己的权重。', 'This region sets its own weights.')}</p>
${problems.length ? notice('error', html`${bi('设置未保存：', 'Not saved:')} ${problems.join('；')}`) : ''}
<form method="post" action="${CONSOLE_PATHS.ranking}?${rankingParams(request).toString()}" class="settings">
${csrfField(csrf)}<input type="hidden" name="region" value="${request.region.id}">
<fieldset><legend>${bi('正向指标权重（之和须为 1）', 'Positive weights (adding up to 1)')}</legend>
${TERMS.slice(0, 6).map((t) => html`<label>${bi(TERM_NAMES[t].zh, TERM_NAMES[t].en)}<input name="${t}" inputmode="decimal" size="4" value="${settings.weights[t]}"></label>`)}</fieldset>
<fieldset><legend>${bi('负向指标权重（扣分）', 'Negative weights (taken off)')}</legend>
${TERMS.slice(6).map((t) => html`<label>${bi(TERM_NAMES[t].zh, TERM_NAMES[t].en)}<input name="${t}" inputmode="decimal" size="4" value="${settings.weights[t]}"></label>`)}</fieldset>
<label>${bi('参与排名的最少受理件数', 'Fewest requests to be ranked')}<input name="minTickets" inputmode="numeric" size="4" value="${own.minTickets ?? settings.minTickets}"></label>
${select('publicBoard', bi('公示栏显示红黑榜', 'Ranking on the public board'), boardOptions, board)}
<label class="check"><input type="checkbox" name="inherit" value="1"> ${bi('清除本级权重，沿用上级', 'Clear this region’s weights: as above')}</label>
<div class="buttons"><button type="submit">${bi('保存', 'Save')}</button></div>
</form>
<p class="hint">${bi(`默认：响应率 0.1、解决率 0.5、满意率 0.4，其余为 0；最少 ${DEFAULT_MIN_TICKETS} 件；公示栏显示。`, `Defaults: response 0.1, resolution 0.5, satisfaction 0.4, the rest 0; at least ${DEFAULT_MIN_TICKETS} requests; shown on the public board.`)}</p>
</section>`;
}

/** What the page needs besides the ranking. */
export interface RankingPageInput {
  request: RankingRequest;
  found: { rankings: Rankings; ranking: Ranking };
  choices: RegionNode[];
  /** The settings form, for those who may set them. */
  form: { csrf: string; own: Awaited<ReturnType<typeof ownSettings>>; problems: string[] } | null;
  done: boolean;
}

/** The page's body. */
export function rankingBody(input: RankingPageInput): Html {
  const { request, found } = input;
  const { ranking, rankings } = found;
  const level = LEVEL_NAMES[request.level];
  const shown = ranking.entities.slice(0, MAX_RANKING_ROWS);
  const ranked = ranking.entities.filter((e) => e.rank !== null).length;
  return html`<section class="ranking">
<h1>${bi('三率排名 红黑榜', 'Ranking')}</h1>
${input.request.problems.length ? notice('error', html`${bi('以下条件无效，已忽略：', 'These choices were not understood and are ignored:')} ${input.request.problems.join('；')}`) : ''}
${input.done ? notice('ok', bi('排名设置已保存。', 'Ranking settings saved.')) : ''}
${requestForm(request, input.choices)}
<h2>${bi(`${request.region.name} ${request.month} ${level.zh}排名`, `${request.region.name}, ${request.month}: ${level.en}`)}
<a class="csv" href="${CONSOLE_PATHS.rankingCsv}?${rankingParams(request).toString()}" download>${bi('导出 CSV', 'Export CSV')}</a></h2>
<p class="summary-line">${bi(
    `参与排名 ${ranked} 个，未参与排名 ${ranking.entities.length - ranked} 个；与 ${rankings.previousMonth} 比较。`,
    `${ranked} ranked, ${ranking.entities.length - ranked} listed without a rank; compared with ${rankings.previousMonth}.`,
  )}</p>
${boardsHtml(ranking, 'ranking-boards')}
<h2>${bi('完整排名与得分构成', 'The whole ranking and what makes each score')}</h2>
${tableHtml(rankingColumns(rankings.settings, request.level), shown, {
  className: 'data ranking-table',
  rowClass: (e) => (e.rank === null ? 'unranked' : null),
  empty: bi('本地区没有可排名的对象。', 'Nothing to rank in this region.'),
})}
${ranking.entities.length > shown.length ? html`<p class="hint">${bi(`另有 ${ranking.entities.length - shown.length} 行见 CSV。`, `${ranking.entities.length - shown.length} more rows in the CSV.`)}</p>` : ''}
<section class="stats-definitions"><h3>${bi('指标口径', 'Definitions')}</h3>${rankingDefinitionsHtml(rankings.settings)}</section>
${input.form ? settingsFormHtml(request, rankings.settings, input.form.own, input.form.csrf, input.form.problems) : ''}
</section>`;
}

/** Saves the settings form for the request's region; the problems when it is not valid. */
export async function saveRankingForm(db: Db, scope: StaffScope, region: RegionNode, form: URLSearchParams): Promise<string[]> {
  const fields: SettingsForm = {};
  for (const key of [...TERMS, 'minTickets', 'publicBoard', 'inherit'] as const) {
    const value = form.get(key);
    if (value !== null) fields[key] = value;
  }
  const parsed = parseSettingsForm(fields);
  if (!parsed.ok) return parsed.problems;
  await saveSettings(db, region.id, parsed.stored, scope.personId);
  return [];
}

/** The page's inputs besides the ranking, for `request`. */
export async function rankingPageInput(
  db: Db,
  scope: StaffScope,
  regions: Map<number, RegionNode>,
  request: RankingRequest,
  options: { csrf: string; problems?: string[]; done?: boolean },
): Promise<RankingPageInput> {
  const found = await rankingOf(db, regions, request);
  const form = canSetRanking(scope, regions, request.region) ? { csrf: options.csrf, own: await ownSettings(db, request.region.id), problems: options.problems ?? [] } : null;
  return { request, found, choices: rankableRegions(scope, regions), form, done: options.done ?? false };
}
