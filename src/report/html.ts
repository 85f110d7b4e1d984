/**
 * The monthly report as one self-contained HTML file: its styles inline (it is a file,
 * not a page of the console, so no Content-Security-Policy applies), charts as inline
 * SVG, nothing fetched, and print rules for A4 so that printing it, or Chromium's PDF of
 * it, gives the meeting's handout.
 */
import { channelTableHtml } from './channels.js';
import { formatInstant } from '../engine/i18n.js';
import { localDateOf } from '../pipeline/calendar.js';
import { breakdownColumnChart, breakdownRanking, formatPercent, formatRateText, statsTrendChart } from '../stats/charts.js';
import type { Breakdown } from '../stats/types.js';
import { bi, type Html, html, raw } from '../web/html.js';
import { changeText, conversationFiguresHtml, definitionsHtml, FIGURE_KEYS, FIGURE_NAMES, figureHtml, formatDuration } from './format.js';
import type { MonthlyReport } from './monthly.js';
import { themeSection } from './themes.js';
import { ledgerSection } from './ledger.js';
import { casesSection } from './cases.js';
import { rankingReportSection } from '../ranking/html.js';
import { averageRating, type CoverageFigures, coverageChart, percent } from '../visits/month-coverage.js';
import { coverageDefinitionsHtml } from '../web/console/coverage-table.js';

/** The print style of Minqing's documents (the monthly report, the mediation dossier's PDF). */
export const PRINT_STYLE = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif; color: #222; font-size: 10.5pt; line-height: 1.45; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #0072B2; padding-bottom: 1mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }
.en { color: #555; font-weight: normal; }
.meta { color: #555; margin: 0 0 3mm; }
.note { border: 1px solid #E69F00; background: #fff8e6; padding: 2mm 3mm; margin: 3mm 0; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 9pt; }
th, td { border: 1px solid #ccc; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
thead th { background: #eef4f9; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
.parts { color: #666; font-size: 85%; }
.late { color: #b00020; font-weight: bold; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #555; }
.words span { display: inline-block; border: 1px solid #ccc; border-radius: 2mm; padding: 0 2mm; margin: 0 1mm 1mm 0; }
dl.definitions dt { font-weight: bold; margin-top: 1.5mm; }
dl.definitions dd { margin: 0 0 0 4mm; }
.empty { color: #666; font-style: italic; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
`;

/** "2026年10月" from "2026-10". */
function monthName(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

/** "11月20日" from a local date. */
function dayName(date: string): string {
  return `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
}

function figuresTable(report: MonthlyReport): Html {
  return html`<table class="figures">
<thead><tr><th>${bi('指标', 'Figure')}</th><th class="num">${monthName(report.month)}</th><th class="num">${monthName(report.previousMonth)}</th><th class="num">${bi('较上月', 'vs last month')}</th></tr></thead>
<tbody>${FIGURE_KEYS.map(
    (key) =>
      html`<tr data-figure="${key}"><th>${FIGURE_NAMES[key]}</th><td class="num">${figureHtml(report.current, key)}</td><td class="num">${figureHtml(report.previous, key)}</td><td class="num">${changeText(report.current, report.previous, key)}</td></tr>`,
  )}</tbody></table>`;
}

function hotTopics(report: MonthlyReport): Html {
  const total = report.categories.total.received;
  const before = new Map(report.previousCategories.rows.map((r) => [r.key, r.figures.received]));
  const top = report.categories.rows.slice(0, 8);
  const categoryTable = top.length
    ? html`<table><thead><tr><th class="num">#</th><th>${bi('事项分类', 'Category')}</th><th class="num">${bi('受理量', 'Received')}</th><th class="num">${bi('占比', 'Share')}</th><th class="num">${bi('上月', 'Last month')}</th><th class="num">${bi('超期', 'Overdue')}</th><th class="num">${bi('满意率', 'Satisfaction')}</th></tr></thead><tbody>${top.map(
        (row, i) =>
          html`<tr><td class="num">${i + 1}</td><td>${row.label}</td><td class="num">${row.figures.received}</td><td class="num">${formatPercent(total ? row.figures.received / total : null)}</td><td class="num">${before.get(row.key) ?? 0}</td><td class="num">${row.figures.overdue}</td><td class="num">${formatRateText(row.figures.satisfactionRate)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty">${bi('本月无受理', 'nothing received this month')}</p>`;
  const words = report.words.length
    ? html`<p class="words">${report.words.map((w) => html`<span>${w.word} ×${w.count}</span>`)}</p>`
    : html`<p class="empty">${bi('无高频词', 'no recurring words')}</p>`;
  return html`<h2>${bi('热点难点', 'Hot topics')}</h2>
<h3>${bi('高频事项分类', 'Most frequent categories')}</h3>${categoryTable}
${figure(bi('按事项分类的受理量', 'Received by category'), breakdownColumnChart(report.categories, { id: 'report-category', title: `${monthName(report.month)} 按事项分类的受理量 Received by category` }))}
<h3>${bi('高频词', 'Recurring words')}</h3>${words}`;
}

function figure(caption: Html, svg: string): Html {
  return html`<figure>${raw(svg)}<figcaption>${caption}</figcaption></figure>`;
}

function placesTable(title: Html, b: Breakdown): Html {
  if (b.rows.length === 0) return html``;
  return html`<h3>${title}</h3><table><thead><tr><th>${bi('名称', 'Name')}</th><th class="num">${bi('受理', 'Received')}</th><th class="num">${bi('在办', 'Open')}</th><th class="num">${bi('超期', 'Overdue')}</th><th class="num">${bi('按时办结率', 'On-time')}</th><th class="num">${bi('一次办结率', 'One-time')}</th><th class="num">${bi('满意率', 'Satisfaction')}</th></tr></thead><tbody>${b.rows.map(
    (row) =>
      html`<tr><td>${row.label}</td><td class="num">${row.figures.received}</td><td class="num">${row.figures.open}</td><td class="num">${row.figures.overdue}</td><td class="num">${figureHtml(row.figures, 'onTimeRate')}</td><td class="num">${figureHtml(row.figures, 'oneTimeRate')}</td><td class="num">${figureHtml(row.figures, 'satisfactionRate')}</td></tr>`,
  )}</tbody></table>`;
}

/** Says that a list stops at its first items, and where the rest are. */
function more(shown: number, total: number, zh: string, en: string): Html {
  if (total <= shown) return html``;
  return html`<p class="meta">${bi(`仅列出${zh}的 ${shown} 件，共 ${total} 件；其余请在工作台队列中查看`, `the ${shown} ${en} of ${total}; the rest are in the console's queue`)}</p>`;
}

function overdueSection(report: MonthlyReport): Html {
  const rows = report.overdue.items;
  return html`<h2>${bi('超期事项', 'Overdue items')} <span class="en">(${report.overdue.total})</span></h2>
<p class="meta">${bi('本月内处于超期状态的事项（办理期限已过）；超期时长算至办结，仍未办结的算至报告生成时', 'items past their handling deadline at some time this month; lateness until resolved, or until this report for those still open')}</p>
${
  rows.length
    ? html`<table><thead><tr><th>${bi('编号', 'Number')}</th><th>${bi('分类', 'Category')}</th><th>${bi('村', 'Village')}</th><th>${bi('反映人', 'Resident')}</th><th>${bi('事项', 'Summary')}</th><th>${bi('责任人', 'Owner')}</th><th>${bi('超期起', 'Overdue since')}</th><th class="num">${bi('超期时长', 'How late')}</th><th>${bi('状态', 'State')}</th></tr></thead><tbody>${rows.map(
        (item) =>
          html`<tr class="overdue-item"><td>${item.number}</td><td>${item.category}</td><td>${item.place}</td><td>${item.resident}</td><td>${item.summary}</td><td>${item.owner}</td><td>${formatInstant(item.overdueSince, 'zh')}</td><td class="num${item.stillOverdue ? ' late' : ''}">${formatDuration(item.lateMinutes)}${item.stillOverdue ? html`<br>${bi('仍超期', 'still overdue')}` : ''}</td><td>${item.state}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty">${bi('本月无超期事项', 'no overdue items this month')}</p>`
}
${more(rows.length, report.overdue.total, '超期最久', 'longest late')}`;
}

function reopenedSection(report: MonthlyReport): Html {
  const rows = report.reopened.items;
  return html`<h2>${bi('重办事项', 'Reopened items')} <span class="en">(${report.reopened.total})</span></h2>
${
  rows.length
    ? html`<table><thead><tr><th>${bi('编号', 'Number')}</th><th>${bi('分类', 'Category')}</th><th>${bi('村', 'Village')}</th><th>${bi('反映人', 'Resident')}</th><th>${bi('事项', 'Summary')}</th><th>${bi('重办原因', 'Why')}</th><th class="num">${bi('重办次数', 'Times')}</th><th>${bi('责任人', 'Owner')}</th><th>${bi('重办时间', 'Reopened')}</th><th>${bi('状态', 'State')}</th></tr></thead><tbody>${rows.map(
        (item) =>
          html`<tr class="reopened-item"><td>${item.number}</td><td>${item.category}</td><td>${item.place}</td><td>${item.resident}</td><td>${item.summary}</td><td>${item.reason}</td><td class="num">${item.reopenCount}</td><td>${item.owner}</td><td>${formatInstant(item.reopenedAt, 'zh')}</td><td>${item.state}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty">${bi('本月无重办事项', 'no reopened items this month')}</p>`
}
${more(rows.length, report.reopened.total, '最近重办', 'most recently reopened')}`;
}

function workloadSection(report: MonthlyReport): Html {
  const { rows, idle } = report.workload;
  return html`<h2>${bi('网格员工作量', "Liaisons' workload")}</h2>
<p class="meta">${bi('派给、办结、满意率按本月统计；在办、超期为报告生成时的数量', 'assigned, resolved and satisfaction over the month; open and overdue as of this report')}</p>
${
  rows.length
    ? html`<table><thead><tr><th>${bi('网格员', 'Liaison')}</th><th>${bi('村', 'Village')}</th><th class="num">${bi('派给', 'Assigned')}</th><th class="num">${bi('办结', 'Resolved')}</th><th class="num">${bi('在办', 'Open')}</th><th class="num">${bi('超期', 'Overdue')}</th><th class="num">${bi('满意率', 'Satisfaction')}</th></tr></thead><tbody>${rows.map(
        (row) =>
          html`<tr class="workload-row"><td>${row.name}</td><td>${row.place}</td><td class="num">${row.assigned}</td><td class="num">${row.resolved}</td><td class="num">${row.open}</td><td class="num${row.overdue ? ' late' : ''}">${row.overdue}</td><td class="num">${formatRateText(row.satisfaction)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty">${bi('本月网格员无工作量记录', 'no liaison activity this month')}</p>`
}
${idle ? html`<p class="meta">${bi(`另有 ${idle} 名网格员本月无派单、无办结、无在办`, `${idle} more liaison(s) had nothing assigned, resolved or open`)}</p>` : ''}`;
}

function conversationSection(report: MonthlyReport): Html {
  const { figures, lines, total } = report.conversations;
  return html`<h2>${bi('人工会话', 'Conversations with staff')}</h2>
${conversationFiguresHtml(figures)}
${
  lines.length
    ? html`<table><thead><tr><th>${bi('会话', 'No.')}</th><th>${bi('开始', 'Opened')}</th><th>${bi('群众', 'Resident')}</th><th>${bi('地区', 'Region')}</th><th>${bi('群众所说', 'What they said')}</th><th class="num">${bi('首次响应', 'First response')}</th><th>${bi('结果', 'Outcome')}</th></tr></thead><tbody>${lines.map(
        (line) =>
          html`<tr class="conversation-line"><td>#${line.id}</td><td>${formatInstant(line.openedAt, 'zh')}</td><td>${line.resident}</td><td>${line.region}</td><td>${line.first}</td><td class="num">${formatDuration(line.firstResponseMinutes)}</td><td>${line.outcome}${line.ticketNumber ? ` ${line.ticketNumber}` : ''}</td></tr>`,
      )}</tbody></table>${more(lines.length, total, '最早', 'earliest')}`
    : html`<p class="empty">${bi('本月无人工会话', 'no conversations this month')}</p>`
}`;
}

function visitSection(report: MonthlyReport, placesTitle: Html): Html {
  const { places, total } = report.visits;
  const row = (name: string, f: CoverageFigures, className: string) =>
    html`<tr class="${className}"><td>${name}</td><td class="num">${f.paired}</td><td class="num">${f.visited}</td><td class="num">${formatPercentOf(percent(f.visited, f.paired))}</td><td class="num">${f.visits}</td><td class="num">${formatPercentOf(percent(f.signed, f.askable))}</td><td class="num">${averageRating(f) ?? '—'}</td></tr>`;
  return html`<h2>${bi('包户走访（民情日记）', 'Household visits')}</h2>
${
  total.paired || total.visits
    ? html`${figure(
        bi('走访覆盖率排名', 'Coverage ranking'),
        coverageChart(
          places.map((p) => ({ label: p.name, figures: p.figures })),
          { id: 'report-visits', title: '走访覆盖率 Coverage of paired households' },
        ),
      )}
<table><thead><tr><th>${placesTitle}</th><th class="num">${bi('包户数', 'Paired')}</th><th class="num">${bi('已走访户数', 'Visited')}</th><th class="num">${bi('走访覆盖率', 'Coverage')}</th><th class="num">${bi('走访次数', 'Visits')}</th><th class="num">${bi('签字率', 'Signed')}</th><th class="num">${bi('平均评分', 'Rating')}</th></tr></thead><tbody>${places.map((p) => row(p.name, p.figures, 'visit-place'))}${row('合计 Total', total, 'visit-total')}</tbody></table>
${coverageDefinitionsHtml(['包户数', '已走访户数', '走访覆盖率', '走访次数', '签字率', '平均评分'])}`
    : html`<p class="empty">${bi('本月无走访记录', 'no visits this month')}</p>`
}`;
}

/** A percentage with one decimal, or a dash when nothing could count. */
function formatPercentOf(value: number | null): string {
  return value === null ? '—' : `${value}%`;
}

/** The report as a complete HTML document. */
export function renderMonthlyReport(report: MonthlyReport): string {
  const title = `${report.region.name} ${monthName(report.month)} 民情分析报告`;
  const placesTitle = report.region.level === 'county' ? bi('各乡镇', 'By township') : report.region.level === 'village' ? bi('各网格', 'By grid') : bi('各村', 'By village');
  const lastDay = localDateOf(new Date(report.to.getTime() - 1));
  const doc = html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${raw(PRINT_STYLE)}</style></head>
<body>
<h1>${title} <span class="en">Monthly public-sentiment analysis</span></h1>
<p class="meta">${report.region.name}（${report.region.code}） · ${bi('统计周期', 'period')} ${localDateOf(report.from)} – ${lastDay} · ${bi('生成于', 'made')} ${formatInstant(report.generatedAt, 'zh')}</p>
<p class="note">${bi(
    `本报告供 ${dayName(report.meetings.village)} 村务议政会（网格员汇报所收集的民情，村能办的明确责任人和目标）和 ${dayName(report.meetings.township)} ${report.region.level === 'county' ? '各镇' : '镇'}民情分析会（回顾上月交办事项，梳理本月热点难点，交办部门和网格员）使用。`,
    `Material for the village meeting on ${report.meetings.village} (liaisons report, the village assigns owners) and the township analysis meeting on ${report.meetings.township} (last month's items reviewed, this month's hot topics assigned).`,
  )}</p>
<h2>${bi('主要指标', 'Figures')}</h2>
${figuresTable(report)}
<h2>${bi('受理渠道', 'Channels of receipt')}</h2>
${channelTableHtml(report.channels)}
${figure(bi('本月趋势（按日）', 'This month, daily'), statsTrendChart(report.trend, 'day', { id: 'report-trend', title: `${monthName(report.month)} 趋势 Trend`, desc: '受理量（柱）与按时办结率、满意率（线）' }))}
${hotTopics(report)}
${placesTable(placesTitle, report.places)}
${figure(bi('部门按时办结率排名', 'Departments by on-time rate'), breakdownRanking(report.departments, 'onTimeRate', { id: 'report-departments', title: '部门按时办结率排名 Departments by on-time rate' }))}
${overdueSection(report)}
${reopenedSection(report)}
${workloadSection(report)}
${visitSection(report, placesTitle)}
${themeSection(report.themes)}
${ledgerSection(report.ledger)}
${casesSection(report.cases)}
${rankingReportSection(report.ranking)}
${conversationSection(report)}
<h2>${bi('指标口径', 'Definitions')}</h2>
${definitionsHtml()}
<p class="meta">${bi('反映人姓名已隐去；网格员、部门人员为工作人员，实名列出。', 'Residents are masked; liaisons and department staff are named as staff.')}</p>
</body></html>
`;
  return doc.toString();
}
