/**
 * How the statistics read, shared by the console's statistics page and the monthly
 * report: the columns of a figures table, each figure as text (rates with their parts,
 * medians in hours or days), the change against another period, and the CSV columns.
 */
import { formatPercent, formatRateText } from '../stats/charts.js';
import { STAT_COHORT, STAT_DEFINITIONS } from '../stats/query.js';
import { html } from '../web/html.js';
/** The rates, in the order DOMAIN.md lists them. */
export const RATE_KEYS = ['responseRate', 'onTimeRate', 'oneTimeRate', 'resolutionRate', 'satisfactionRate'];
export const COUNT_KEYS = ['received', 'open', 'overdue'];
export const MEDIAN_KEYS = ['medianAcceptMinutes', 'medianResolveMinutes'];
/** Every figure, in table order. */
export const FIGURE_KEYS = [...COUNT_KEYS, ...RATE_KEYS, ...MEDIAN_KEYS];
/** The name of each figure, Chinese first: "按时办结率 On-time rate". */
export const FIGURE_NAMES = Object.fromEntries(FIGURE_KEYS.map((key) => [key, `${STAT_DEFINITIONS[key].name.zh} ${STAT_DEFINITIONS[key].name.en}`]));
/** The Chinese name alone (table headers are narrow): "按时办结率". */
export function shortName(key) {
    return STAT_DEFINITIONS[key].name.zh;
}
function isRateKey(key) {
    return RATE_KEYS.includes(key);
}
function isMedianKey(key) {
    return MEDIAN_KEYS.includes(key);
}
/** Minutes as people read a handling time: minutes under an hour, hours under two days, then days. */
export function formatDuration(minutes) {
    if (minutes === null)
        return '—';
    if (minutes < 60)
        return `${Math.round(minutes)} 分钟 min`;
    if (minutes < 48 * 60)
        return `${(minutes / 60).toFixed(1)} 小时 h`;
    return `${(minutes / 1440).toFixed(1)} 天 d`;
}
/** One figure as plain text: "12", "85.7%（12/14）", "3.5 小时 h". */
export function figureText(figures, key) {
    if (isRateKey(key))
        return formatRateText(figures[key]);
    if (isMedianKey(key))
        return formatDuration(figures[key]);
    return String(figures[key]);
}
/** One figure as the inside of an HTML table cell: a rate's parts after it, smaller. */
export function figureHtml(figures, key) {
    if (isRateKey(key)) {
        const rate = figures[key];
        return html `${formatPercent(rate.value)} <span class="parts">${rate.numerator}/${rate.denominator}</span>`;
    }
    return html `${figureText(figures, key)}`;
}
/** The change of a figure against a previous period, e.g. "+4", "−2.5 个百分点 pp", or "—". */
export function changeText(current, previous, key) {
    const signed = (n, digits) => (n > 0 ? '+' : n < 0 ? '−' : '±') + Math.abs(n).toFixed(digits);
    if (isRateKey(key)) {
        const now = current[key].value;
        const before = previous[key].value;
        return now === null || before === null ? '—' : `${signed((now - before) * 100, 1)} 个百分点 pp`;
    }
    if (isMedianKey(key)) {
        const now = current[key];
        const before = previous[key];
        return now === null || before === null ? '—' : `${signed((now - before) / 60, 1)} 小时 h`;
    }
    return signed(current[key] - previous[key], 0);
}
/** Which requests count, then the definition of every figure, as the page and the report print them. */
export function definitionsHtml() {
    const entry = (d) => html `<dt>${d.name.zh} <span class="en" lang="en">${d.name.en}</span></dt><dd>${d.definition.zh}<br><span class="en" lang="en">${d.definition.en}</span></dd>`;
    return html `<dl class="definitions">${entry(STAT_COHORT)}${FIGURE_KEYS.map((key) => entry(STAT_DEFINITIONS[key]))}</dl>`;
}
/** The CSV columns of a figures row: rates as percent, numerator and denominator; medians in hours. */
export function figureCsvHeader() {
    return FIGURE_KEYS.flatMap((key) => {
        const name = shortName(key);
        if (isRateKey(key))
            return [`${name}(%)`, `${name}分子 numerator`, `${name}分母 denominator`];
        if (isMedianKey(key))
            return [`${name}(小时 hours)`];
        return [`${name} ${STAT_DEFINITIONS[key].name.en.toLowerCase()}`];
    });
}
/** The CSV cells of one figures row, matching `figureCsvHeader`. */
export function figureCsvCells(figures) {
    return FIGURE_KEYS.flatMap((key) => {
        if (isRateKey(key)) {
            const rate = figures[key];
            return [rate.value === null ? null : Math.round(rate.value * 1000) / 10, rate.numerator, rate.denominator];
        }
        if (isMedianKey(key)) {
            const minutes = figures[key];
            return [minutes === null ? null : Math.round((minutes / 60) * 10) / 10];
        }
        return [figures[key]];
    });
}
/** What the 人工 figures mean, printed with them (see src/stats/conversations.ts). */
const CONVERSATION_DEFINITIONS = [
    ['人工会话：本期群众发送“人工”等请求工作人员而开始的会话', 'conversations: opened in the period when a resident asked for a person'],
    ['已答复：其中工作人员至少回复过一次的', 'answered: those staff replied to at least once'],
    [
        '首次响应：从开始到工作人员第一次回复的时间（中位数、90% 分位），含下班时间',
        'first response: from opening to the first staff reply (median, 90th percentile), office hours or not',
    ],
];
/** The figures of a period's 人工 conversations, with their definitions. */
export function conversationFiguresHtml(f) {
    const cell = (zh, en, value) => html `<tr><th>${zh} <span class="en">${en}</span></th><td class="num">${value}</td></tr>`;
    return html `<table class="conversation-figures"><tbody>
${cell('人工会话', 'conversations', String(f.opened))}
${cell('已答复', 'answered', `${f.answered}${f.opened ? `（${Math.round((f.answered / f.opened) * 100)}%）` : ''}`)}
${cell('首次响应（中位数）', 'first response (median)', formatDuration(f.medianFirstResponseMinutes))}
${cell('首次响应（90%）', 'first response (90th pct)', formatDuration(f.p90FirstResponseMinutes))}
${cell('转为诉求', 'made tickets', String(f.ended.ticket))}
${cell('群众结束 / 工作人员结束 / 自动结束', 'ended by resident / staff / idle', `${f.ended.resident} / ${f.ended.staff} / ${f.ended.idle}`)}
${cell('进行中', 'still open', String(f.stillOpen))}
</tbody></table>
<ul class="definitions">${CONVERSATION_DEFINITIONS.map(([zh, en]) => html `<li>${zh} <span class="en">${en}</span></li>`)}</ul>`;
}
