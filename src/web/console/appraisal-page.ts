/**
 * 双述双评 in the console (/console/appraisal): per liaison of an appraisal round, the
 * residents' score beside their visits, coverage and the 三率 of the tickets they
 * handled, with a CSV for cadre appraisal; a liaison's own page adds the residents'
 * comments (scrubbed) and their 述职, which staff may type in from paper.
 */
import { type Db, sqlOf } from '../../db/client.js';
import { oneOf } from '../../db/dialect.js';
import { all, defineQuery } from '../../db/sql.js';
import { formatPercent, rankingChart } from '../../stats/charts.js';
import type { LiaisonAppraisal } from '../../surveys/appraisal.js';
import { formatDay } from '../format.js';
import { bi, type Html, html, raw } from '../html.js';
import { type Column, tableHtml } from '../table.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { type StaffScope } from './scope.js';
import { pathOf, type RegionNode } from '../../org/regions.js';

export const APPRAISAL_PATH = '/console/appraisal';
export const APPRAISAL_CSV_PATH = '/console/appraisal.csv';

/** An appraisal round the user may read. */
export interface AppraisalRound {
  id: number;
  title: string;
  regionId: number;
  sentAt: Date | null;
}

const roundsQuery = defineQuery('console_appraisal_rounds', (db, p: { regionIds: number[] }, dialect) =>
  db
    .selectFrom('Survey')
    .select(['id', 'title', 'regionId', 'sentAt'])
    .where('kind', '=', 'appraisal')
    .where((eb) => eb.or([eb('status', '=', 'sent'), eb('status', '=', 'closed')]))
    .where(oneOf(dialect, 'regionId', p.regionIds))
    .orderBy('sentAt', 'desc')
    .orderBy('id', 'desc')
    .limit(50),
);

/** The appraisal rounds sent in the user's regions or above them (a county's round rates the township's liaisons too), newest first. */
export function appraisalRounds(db: Db, scope: StaffScope, regions: Map<number, RegionNode>): Promise<AppraisalRound[]> {
  const reach = new Set([...scope.regionIds, ...scope.topRegions.flatMap((r) => pathOf(regions, r.id))]);
  return all(sqlOf(db), roundsQuery, { regionIds: [...reach] });
}

const rate = (value: number | null) => formatPercent(value);
const ticketRate = (a: LiaisonAppraisal, key: 'responseRate' | 'resolutionRate' | 'satisfactionRate') => (a.tickets ? formatPercent(a.tickets[key].value) : '—');
const coverage = (a: LiaisonAppraisal) => formatPercent(a.paired ? a.visited / a.paired : null);

/** The appraisal table, on the page and in the CSV alike. */
export function appraisalColumns(roundId: number): Column<LiaisonAppraisal>[] {
  return [
    { zh: '网格员', en: 'liaison', csv: (a) => `${a.name} ${a.code}`, html: (a) => html`<a href="${APPRAISAL_PATH}/${a.liaisonId}?survey=${roundId}">${a.name}</a> ${a.code}` },
    { zh: '群众评价得分', en: 'residents’ score', csv: (a) => a.score, html: (a) => (a.score === null ? '—' : String(a.score)), className: 'num' },
    { zh: '满意率', en: 'satisfied', csv: (a) => rate(a.satisfactionRate), className: 'num' },
    { zh: '满意', en: 'satisfied', csv: (a) => a.satisfied, className: 'num' },
    { zh: '基本满意', en: 'fairly', csv: (a) => a.fair, className: 'num' },
    { zh: '不满意', en: 'dissatisfied', csv: (a) => a.dissatisfied, className: 'num' },
    { zh: '作答户/包户', en: 'answered / asked', csv: (a) => `${a.answered}/${a.asked}`, className: 'num' },
    { zh: '走访次数', en: 'visits', csv: (a) => a.visits, className: 'num' },
    { zh: '走访覆盖率', en: 'coverage', csv: coverage, className: 'num' },
    { zh: '经办诉求', en: 'tickets', csv: (a) => a.tickets?.received ?? 0, className: 'num' },
    { zh: '响应率', en: 'response', csv: (a) => ticketRate(a, 'responseRate'), className: 'num' },
    { zh: '解决率', en: 'resolution', csv: (a) => ticketRate(a, 'resolutionRate'), className: 'num' },
    { zh: '诉求满意率', en: 'ticket satisfaction', csv: (a) => ticketRate(a, 'satisfactionRate'), className: 'num' },
    { zh: '述职', en: 'work report', csv: (a) => (a.report ? '已提交 given' : '未提交 not yet') },
  ];
}

const DEFINITIONS: [string, string, string][] = [
  ['群众评价得分', 'Residents’ score', '(满意 + 0.9 × 基本满意) ÷ 作答户数 × 100。 (satisfied + 0.9 × fairly satisfied) ÷ households that answered × 100.'],
  ['满意率', 'Satisfied', '(满意 + 基本满意) ÷ 作答户数。 (satisfied + fairly satisfied) ÷ households that answered.'],
  ['走访覆盖率', 'Coverage', '半年内走访过的包户 ÷ 现有包户。 Paired households visited in the half-year ÷ paired households now.'],
  [
    '响应率 / 解决率 / 诉求满意率',
    'Ticket rates',
    '半年内受理、现由该网格员经办的诉求，口径同统计分析。 Tickets received in the half-year and assigned to the liaison, as on the statistics page.',
  ],
];

function roundPicker(rounds: AppraisalRound[], chosen: AppraisalRound): Html {
  return html`<form method="get" action="${APPRAISAL_PATH}" class="filters"><label>${bi('评议轮次', 'Round')}<select name="survey">${rounds.map(
    (r) => html`<option value="${r.id}"${r.id === chosen.id ? html` selected` : ''}>${r.title}（${formatDay(r.sentAt)}）</option>`,
  )}</select></label><div class="buttons"><button type="submit">${bi('查看', 'Show')}</button></div></form>`;
}

/** The appraisal overview of a round. */
export function appraisalBody(input: { rounds: AppraisalRound[]; round: AppraisalRound | null; period: string; liaisons: LiaisonAppraisal[] }): Html {
  if (!input.round) {
    return html`<section class="appraisal"><h1>${bi('双述双评', 'Liaison appraisal')}</h1>
<p class="empty">${bi('还没有发出的双述双评。', 'No appraisal has been sent yet.')} <a href="${CONSOLE_PATHS.surveys}/new?kind=appraisal">${bi('发起双述双评', 'Start one')}</a></p></section>`;
  }
  const columns = appraisalColumns(input.round.id);
  const rated = input.liaisons.filter((a) => a.score !== null);
  return html`<section class="appraisal">
<h1>${bi('双述双评', 'Liaison appraisal')} · ${input.round.title}</h1>
${roundPicker(input.rounds, input.round)}
<p class="summary-line">${bi(`${input.period}，${input.liaisons.length} 名网格员`, `${input.period}: ${input.liaisons.length} liaisons`)}
<a class="csv" href="${APPRAISAL_CSV_PATH}?survey=${input.round.id}" download>${bi('导出 CSV（干部考核）', 'Export CSV (cadre appraisal)')}</a></p>
${raw(
  rankingChart({
    id: 'appraisal-scores',
    title: '群众评价得分 Residents’ score',
    desc: '(满意 + 0.9 × 基本满意) ÷ 作答户数 × 100',
    items: rated.slice(0, 20).map((a) => ({ label: a.name, value: a.score ?? 0, display: `${a.score}（${a.answered} 户）` })),
    max: 100,
  }),
)}
${tableHtml(columns, input.liaisons, { empty: bi('这一轮还没有网格员的评价。', 'No liaison in this round yet.') })}
<section class="stats-definitions"><h3>${bi('指标口径', 'Definitions')}</h3><dl class="definitions">${DEFINITIONS.map((d) => html`<dt>${bi(d[0], d[1])}</dt><dd>${d[2]}</dd>`)}</dl></section>
</section>`;
}

/** One liaison's appraisal: the figures, the residents' comments, the 述职 and its form. */
export function liaisonAppraisalBody(input: { round: AppraisalRound; period: string; appraisal: LiaisonAppraisal; csrf: string; done: boolean; problem: string | null }): Html {
  const a = input.appraisal;
  const columns = appraisalColumns(input.round.id).slice(1);
  return html`<section class="appraisal liaison">
<h1>${a.name} ${a.code} · ${bi('双述双评', 'Appraisal')}</h1>
<p><a href="${APPRAISAL_PATH}?survey=${input.round.id}">${bi('« 返回本轮', '« Back to the round')}</a> · ${input.round.title} · ${input.period}</p>
${input.done ? notice('ok', bi('述职已保存。', 'The work report is saved.')) : ''}
${input.problem ? notice('error', input.problem) : ''}
<dl class="facts">${columns.map((c) => html`<dt>${bi(c.zh, c.en)}</dt><dd>${c.html ? c.html(a) : String(c.csv(a) ?? '—')}</dd>`)}</dl>
<h2>${bi('群众意见', 'Residents’ comments')}</h2>
${a.comments.length ? html`<ul class="answers">${a.comments.map((c) => html`<li>${c}</li>`)}</ul>` : html`<p class="empty">${bi('没有留言。', 'No comment.')}</p>`}
<h2>${bi('述职', 'Work report')}</h2>
${a.report ? html`<blockquote class="report">${a.report}</blockquote>` : html`<p class="empty">${bi('尚未提交（网格员可在聊天中发送"述职"）。', 'Not given yet (the liaison may send 述职 in the chat).')}</p>`}
<form method="post" action="${APPRAISAL_PATH}/${a.liaisonId}?survey=${input.round.id}" class="compose">${csrfField(input.csrf)}
<label>${bi('代录述职（纸质述职录入，会替换已有的）', 'Type in a work report (from paper; replaces the one given)')}<textarea name="report" rows="5" maxlength="2000"></textarea></label>
<div class="buttons"><button type="submit">${bi('保存述职', 'Save the report')}</button></div></form>
</section>`;
}
