/**
 * The survey pages: the list, the compose form (a 双述双评 appraisal too), and a
 * survey's page with its actions and its live results — response rate, a chart per
 * question, free-text answers with their hot words, and the CSV of every response.
 */
import { type Db, sqlOf } from '../../db/client.js';
import { oneOf } from '../../db/dialect.js';
import { all, defineQuery } from '../../db/sql.js';
import { columnChart, formatPercent } from '../../stats/charts.js';
import { MAX_QUESTIONS, QUESTION_TYPES, type QuestionType, textOf } from '../../surveys/questions.js';
import type { QuestionResult, SurveyResults } from '../../surveys/results.js';
import type { SurveyState } from '../../surveys/store.js';
import { formatLocal } from '../format.js';
import { bi, type Html, html, raw } from '../html.js';
import { type Column, tableHtml } from '../table.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { type Option, regionOptions, select } from './queue-page.js';
import type { StaffScope } from './scope.js';
import type { RegionNode } from '../../org/regions.js';
import type { ResponseRow, SurveyForm, SurveyLine, SurveyView } from './surveys.js';

export const SURVEY_STATE_NAMES: Record<SurveyState, string> = {
  draft: '草稿 draft',
  scheduled: '待发送 scheduled',
  sending: '发送中 sending',
  sent: '收集中 collecting',
  closed: '已结束 closed',
};

const TYPE_NAMES: Record<QuestionType, string> = {
  single: '单选 single choice',
  multiple: '多选 multiple choice',
  number: '数字 number',
  text: '文字 free text',
};

const STATUS_NAMES: Record<string, string> = { pending: '未答 not started', partial: '未答完 partial', complete: '已完成 complete' };

const surveyPath = (id: number) => `${CONSOLE_PATHS.surveys}/${id}`;

const LIST_COLUMNS: Column<SurveyLine>[] = [
  { zh: '标题', en: 'title', csv: (r) => r.title, html: (r) => html`<a href="${surveyPath(r.id)}">${r.title}</a>` },
  { zh: '类型', en: 'kind', csv: (r) => (r.kind === 'appraisal' ? '双述双评 appraisal' : '服务需求表 survey') },
  { zh: '地区', en: 'region', csv: (r) => r.region },
  { zh: '状态', en: 'status', csv: (r) => SURVEY_STATE_NAMES[r.status] },
  { zh: '发送时间', en: 'sends at', csv: (r) => formatLocal(r.sendAt) },
  { zh: '户数', en: 'households', csv: (r) => r.households, className: 'num' },
  { zh: '已完成', en: 'complete', csv: (r) => r.complete, className: 'num' },
  { zh: '回复率', en: 'response rate', csv: (r) => formatPercent(r.households ? r.complete / r.households : null), className: 'num' },
];

export function surveyListBody(lines: SurveyLine[]): Html {
  return html`<section class="surveys">
<h1>${bi('服务需求表', 'Surveys')}</h1>
<p class="actions"><a class="button" href="${CONSOLE_PATHS.surveys}/new">${bi('新建调查', 'New survey')}</a>
<a class="button" href="${CONSOLE_PATHS.surveys}/new?kind=appraisal">${bi('发起双述双评', 'New liaison appraisal')}</a>
<a href="/console/appraisal">${bi('双述双评结果', 'Appraisal results')}</a></p>
${tableHtml(LIST_COLUMNS, lines, { empty: bi('还没有调查。', 'No survey yet.') })}
</section>`;
}

/** The grids of the user's regions (geographic and thematic), for the audience. */
const gridsQuery = defineQuery('console_survey_grids', (db, p: { regionIds: number[] }, dialect) =>
  db
    .selectFrom('Grid')
    .select(['id', 'name', 'kind', 'code'])
    .where(oneOf(dialect, 'regionId', p.regionIds))
    .orderBy('code')
    .limit(500),
);

export interface SurveyFormOptions {
  regions: Option[];
  grids: Option[];
}

export async function surveyFormOptions(db: Db, scope: StaffScope, regions: Map<number, RegionNode>): Promise<SurveyFormOptions> {
  const grids = await all(sqlOf(db), gridsQuery, { regionIds: scope.regionIds });
  return {
    regions: regionOptions(scope, regions),
    grids: grids.map((g) => ({ value: String(g.id), label: `${g.name}${g.kind === 'thematic' ? '（专题网格 thematic）' : ''}` })),
  };
}

function multiSelect(name: string, label: Html, options: Option[], chosen: readonly string[]): Html {
  return html`<label>${label}<select name="${name}" multiple size="${Math.min(8, Math.max(3, options.length))}">${options.map(
    (o) => html`<option value="${o.value}"${chosen.includes(o.value) ? html` selected` : ''}>${o.label}</option>`,
  )}</select></label>`;
}

function questionFieldset(q: SurveyForm['questions'][number], n: number): Html {
  const types: Option[] = QUESTION_TYPES.map((t) => ({ value: t, label: TYPE_NAMES[t] }));
  return html`<fieldset class="question"><legend>${bi(`第 ${n} 题`, `Question ${n}`)}</legend>
${select(`q${n}_type`, bi('题型', 'Type'), types, q.type)}
<label class="check"><input type="checkbox" name="q${n}_required"${q.required ? html` checked` : ''}> ${bi('必答', 'Required')}</label>
<label>${bi('题目（中文）', 'Question (Chinese)')}<input name="q${n}_zh" maxlength="200" value="${q.zh}"></label>
<label>${bi('题目（英文，可空）', 'Question (English, optional)')}<input name="q${n}_en" maxlength="200" value="${q.en}"></label>
<label>${bi('选项（选择题，每行一个："中文 | English"）', 'Options (choice questions, one per line: "中文 | English")')}<textarea name="q${n}_options" rows="4">${q.options}</textarea></label>
</fieldset>`;
}

/** The compose form; `problems` from a refused post are shown above it, the typed values kept. */
export function surveyFormBody(form: SurveyForm, options: SurveyFormOptions, csrf: string, problems: string[]): Html {
  const appraisal = form.kind === 'appraisal';
  const slots = appraisal ? [] : form.questions;
  return html`<section class="survey-form">
<h1>${appraisal ? bi('发起双述双评', 'New liaison appraisal') : bi('新建调查', 'New survey')}</h1>
${problems.length ? notice('error', html`${problems.map((p) => html`${p}<br>`)}`) : ''}
<form method="post" action="${CONSOLE_PATHS.surveys}/new" class="compose">
${csrfField(csrf)}<input type="hidden" name="kind" value="${form.kind}">
<label>${bi('标题', 'Title')}<input name="title" required maxlength="60" value="${form.title}"></label>
<label>${bi('英文标题（可空）', 'English title (optional)')}<input name="title_en" maxlength="120" value="${form.titleEn}"></label>
${select('region', bi('发起地区', 'Region'), options.regions, form.regionId)}
${
  appraisal
    ? html`<p class="hint">${bi(
        '双述双评：该地区每个包联户都会收到，请群众对包联自家的网格员评价（满意 / 基本满意 / 不满意，并可留言）。',
        'Appraisal: every paired household of the region is asked to rate its liaison (satisfied / fairly / dissatisfied, with a comment).',
      )}</p>`
    : html`<fieldset class="audience"><legend>${bi('发送对象（都不选：该地区全部农户）', 'Audience (none chosen: every household of the region)')}</legend>
${multiSelect('places', bi('村镇', 'Places'), options.regions, form.places)}
${multiSelect('grids', bi('网格（含专题网格）', 'Grids (thematic ones too)'), options.grids, form.grids)}
<label class="check"><input type="checkbox" name="paired_only"${form.pairedOnly ? html` checked` : ''}> ${bi('只发给包联户', 'Paired households only')}</label>
</fieldset>`
}
<label>${bi('未答完几天后提醒一次', 'Remind those unfinished after (days)')}<input name="remind_days" type="number" min="1" max="30" value="${form.remindAfterDays}"></label>
${slots.map((q, i) => questionFieldset(q, i + 1))}
<div class="buttons">${!appraisal && slots.length < MAX_QUESTIONS ? html`<button type="submit" name="add" value="1" formnovalidate>${bi('再加一题', 'Add a question')}</button> ` : ''}
<button type="submit" name="save" value="1">${bi('保存草稿', 'Save as draft')}</button></div>
</form>
</section>`;
}

/** The form again with one more empty question slot. */
export function withOneMoreQuestion(form: SurveyForm): SurveyForm {
  return { ...form, questions: [...form.questions, { type: 'single', required: true, zh: '', en: '', options: '' }].slice(0, MAX_QUESTIONS) };
}

function actionsHtml(survey: SurveyView, csrf: string): Html {
  const path = surveyPath(survey.id);
  if (survey.status === 'draft') {
    return html`<form method="post" action="${path}/send" class="inline">${csrfField(csrf)}
<label>${bi('发送时间（空：立即）', 'Send at (empty: now)')}<input type="datetime-local" name="send_at"></label>
<button type="submit">${bi('发送', 'Send')}</button></form>`;
  }
  if (survey.status === 'scheduled') {
    return html`<form method="post" action="${path}/unschedule" class="inline">${csrfField(csrf)}
<button type="submit">${bi('撤回，改为草稿', 'Take back to draft')}</button></form>`;
  }
  if (survey.status === 'sent') {
    return html`<form method="post" action="${path}/close" class="inline">${csrfField(csrf)}
<button type="submit">${bi('结束收集', 'Close the survey')}</button></form>`;
  }
  return html``;
}

function questionResultHtml(result: QuestionResult, surveyId: number): Html {
  const q = result.question;
  const head = html`<h3>${result.index + 1}. ${q.zh}${q.en ? html` <span class="en" lang="en">${q.en}</span>` : ''}
<span class="hint">${TYPE_NAMES[q.type]}${q.required ? '' : ' · 可跳过 optional'} · ${bi(`${result.answered} 户作答，${result.skipped} 户跳过`, `${result.answered} answered, ${result.skipped} skipped`)}</span></h3>`;
  if (q.type === 'single' || q.type === 'multiple') {
    const items = result.options.map((o) => ({ label: o.label, value: o.count, display: `${o.count}（${formatPercent(o.share)}）` }));
    return html`<section class="question-result">${head}
${raw(columnChart({ id: `survey-${surveyId}-q${result.index + 1}`, title: `${result.index + 1}. ${q.zh}`, desc: '各选项的户数 households per option', items }))}
</section>`;
  }
  if (q.type === 'number') {
    const n = result.numbers;
    return html`<section class="question-result">${head}
${n ? html`<p>${bi('平均', 'Mean')} ${round(n.mean)} · ${bi('中位数', 'Median')} ${round(n.median)} · ${bi('最小', 'Min')} ${n.min} · ${bi('最大', 'Max')} ${n.max}</p>` : html`<p class="empty">${bi('还没有回答。', 'No answer yet.')}</p>`}
</section>`;
  }
  return html`<section class="question-result">${head}
${result.hotWords.length ? html`<p class="hot-words">${bi('热词', 'Hot words')}：${result.hotWords.map((w) => html`<span class="word">${w.word}（${w.count}）</span> `)}</p>` : ''}
${result.texts.length ? html`<ul class="answers">${result.texts.map((t) => html`<li>${t}</li>`)}</ul>` : html`<p class="empty">${bi('还没有回答。', 'No answer yet.')}</p>`}
</section>`;
}

const round = (value: number) => Math.round(value * 10) / 10;

const PLACE_COLUMNS: Column<SurveyResults['places'][number]>[] = [
  { zh: '村', en: 'village', csv: (r) => r.place },
  { zh: '户数', en: 'households', csv: (r) => r.households, className: 'num' },
  { zh: '已完成', en: 'complete', csv: (r) => r.complete, className: 'num' },
  { zh: '回复率', en: 'response rate', csv: (r) => formatPercent(r.rate), className: 'num' },
];

/** A survey's page: what it asks and of whom, its actions, and its results so far. */
export function surveyBody(input: { survey: SurveyView; audience: number | null; results: SurveyResults; csrf: string; done?: string; regionName: (id: number) => string }): Html {
  const { survey, results } = input;
  const audience = survey.audience;
  const audienceText = [
    audience.regionIds.length ? `村镇 places: ${audience.regionIds.map(input.regionName).join('、')}` : '',
    audience.gridIds.length ? `网格 grids: ${audience.gridIds.length}` : '',
    audience.regionIds.length || audience.gridIds.length ? '' : `${input.regionName(survey.regionId)} 全部农户 every household`,
    audience.pairedOnly ? '只含包联户 paired households only' : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return html`<section class="survey" data-status="${survey.status}">
<h1>${survey.title}${survey.titleEn ? html` <span class="en" lang="en">${survey.titleEn}</span>` : ''}</h1>
${input.done ? notice('ok', input.done) : ''}
<dl class="facts">
<dt>${bi('类型', 'Kind')}</dt><dd>${survey.kind === 'appraisal' ? '双述双评 liaison appraisal' : '服务需求表 survey'}</dd>
<dt>${bi('状态', 'Status')}</dt><dd class="status">${SURVEY_STATE_NAMES[survey.status]}</dd>
<dt>${bi('发送对象', 'Audience')}</dt><dd>${audienceText}${input.audience === null ? '' : html`（${bi(`${input.audience} 户`, `${input.audience} households`)}）`}</dd>
<dt>${bi('发送时间', 'Sends at')}</dt><dd>${formatLocal(survey.sentAt ?? survey.sendAt)}</dd>
<dt>${bi('提醒', 'Reminder')}</dt><dd>${survey.remindedAt ? `已提醒 reminded ${formatLocal(survey.remindedAt)}` : `发送 ${survey.remindAfterDays} 天后提醒未答完的户一次 once, ${survey.remindAfterDays} days after sending`}</dd>
<dt>${bi('创建', 'Created')}</dt><dd>${survey.createdBy} ${formatLocal(survey.createdAt)}</dd>
</dl>
${survey.manages ? actionsHtml(survey, input.csrf) : html`<p class="hint">${bi('这是上级发起的调查：只读，下面只统计您辖区内的农户。', 'A survey of the region above yours: read only; the results below are your area’s households.')}</p>`}
${survey.kind === 'appraisal' && survey.status !== 'draft' && survey.status !== 'scheduled' ? html`<p><a href="/console/appraisal?survey=${survey.id}">${bi('按网格员查看评议结果', 'Results by liaison')}</a></p>` : ''}
<h2>${bi('题目', 'Questions')}</h2>
<ol class="questions">${survey.questions.map(
    (q) =>
      html`<li>${textOf(q, 'zh')} <span class="hint">${TYPE_NAMES[q.type]}${q.required ? '' : ' · 可跳过 optional'}</span>${q.options.length ? html`<br><span class="options">${q.options.map((o) => o.zh).join(' / ')}</span>` : ''}</li>`,
  )}</ol>
${
  survey.status === 'draft' || survey.status === 'scheduled'
    ? ''
    : html`<h2>${bi('结果', 'Results')} <a class="csv" href="${surveyPath(survey.id)}/responses.csv" download>${bi('导出 CSV', 'Export CSV')}</a></h2>
<p class="figures"><span class="figure"><b>${formatPercent(results.responseRate)}</b> ${bi('回复率', 'response rate')}</span>
<span class="figure"><b>${results.complete}</b> / ${results.households} ${bi('户已完成', 'households complete')}</span>
<span class="figure"><b>${results.partial}</b> ${bi('户未答完', 'partial')}</span>
<span class="figure"><b>${results.households - results.asked}</b> ${bi('户无聊天（可由网格员代填）', 'without a chat (their liaison may fill it in)')}</span>
<span class="figure"><b>${results.byLiaison}</b> ${bi('户由网格员代填', 'filled in by the liaison')}</span></p>
<p class="hint">${bi('回复率 = 已完成的户数 ÷ 发送的户数；网格员代填的计入。页面每次打开都是最新结果。', 'Response rate = households complete ÷ households sent to; those filled in by liaisons count. The page shows the results as they are now.')}</p>
${tableHtml(PLACE_COLUMNS, results.places, { empty: bi('没有发送对象。', 'No household was sent the survey.') })}
${results.questions.map((r) => questionResultHtml(r, survey.id))}`
}
</section>`;
}

/** The CSV of the responses: the household, its place, its status, and each answer in words. */
export function responseColumns(survey: SurveyView): Column<ResponseRow>[] {
  return [
    { zh: '户', en: 'household', csv: (r) => r.household },
    { zh: '村', en: 'village', csv: (r) => r.village },
    { zh: '包联网格员', en: 'liaison', csv: (r) => r.liaison },
    { zh: '状态', en: 'status', csv: (r) => STATUS_NAMES[r.status] ?? r.status },
    { zh: '有聊天', en: 'has a chat', csv: (r) => (r.asked ? '是 yes' : '否 no') },
    { zh: '网格员代填', en: 'filled in by the liaison', csv: (r) => (r.byLiaison ? '是 yes' : '') },
    { zh: '完成时间', en: 'completed', csv: (r) => formatLocal(r.completedAt) },
    ...survey.questions.map((q, i): Column<ResponseRow> => ({ zh: `${i + 1}. ${q.zh}`, en: q.en || `question ${i + 1}`, csv: (r) => r.answers[i] })),
  ];
}
