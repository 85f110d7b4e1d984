/**
 * The 包户 coverage figures as table columns, and their definitions: one table shape for
 * the visit log and the statistics page, on the page and in the CSV alike.
 */
import { bi, html } from '../html.js';
import { averageRating, percent } from '../../visits/month-coverage.js';
/** 75% on the page, — when nothing could count. */
function percentHtml(value) {
    return value === null ? '—' : `${value}%`;
}
/** The figure columns of a coverage table (after the columns naming its line); rates in the CSV as percent numbers. */
export function coverageFigureColumns() {
    return [
        { zh: '包户数', en: 'paired households', csv: (r) => r.paired, className: 'num' },
        { zh: '已走访户数', en: 'households visited', csv: (r) => r.visited, className: 'num' },
        { zh: '走访覆盖率(%)', en: 'coverage (%)', csv: (r) => percent(r.visited, r.paired), html: (r) => percentHtml(percent(r.visited, r.paired)), className: 'num' },
        { zh: '走访天数', en: 'days with visits', csv: (r) => r.days, className: 'num' },
        { zh: '走访次数', en: 'visits', csv: (r) => r.visits, className: 'num' },
        { zh: '签字率(%)', en: 'signed (%)', csv: (r) => percent(r.signed, r.askable), html: (r) => percentHtml(percent(r.signed, r.askable)), className: 'num' },
        { zh: '平均评分', en: 'average rating', csv: averageRating, html: (r) => averageRating(r) ?? '—', className: 'num' },
    ];
}
/** What each coverage figure means, printed under the tables (as the statistics page does its figures'). */
const COVERAGE_DEFINITIONS = [
    { name: ['包户数', 'Paired households'], definition: ['现在与该网格员结对（直包到户）的户数。', 'Households paired with the liaison now.'] },
    {
        name: ['已走访户数', 'Households visited'],
        definition: ['结对户中本月（北京时间）至少被该网格员走访一次的户数。', 'Paired households the liaison visited at least once in the month (Beijing time).'],
    },
    { name: ['走访覆盖率', 'Coverage'], definition: ['已走访户数 ÷ 包户数。', 'Households visited ÷ paired households.'] },
    {
        name: ['走访天数', 'Days with visits'],
        definition: [
            '本月有走访记录的日子数；小计和合计为各网格员天数之和（人·天）。',
            'Days of the month with at least one visit; subtotals and totals add the liaisons’ days up (liaison-days).',
        ],
    },
    { name: ['走访次数', 'Visits'], definition: ['本月记录的走访次数，同一户多次走访各计一次。', 'Visits recorded in the month; each visit to the same household counts.'] },
    {
        name: ['签字率', 'Signed'],
        definition: [
            '群众在聊天中答复“属实”或“有出入”的走访 ÷ 可请群众确认的走访（不含无聊天、未确认的走访；待确认的计入分母）。',
            'Visits the household answered 属实 (accurate) or 有出入 (disputed) ÷ visits it could be asked about (those of households with no chat left out; those still awaiting an answer counted).',
        ],
    },
    {
        name: ['平均评分', 'Average rating'],
        definition: ['群众对走访的评分（1–5）的平均值，只计已评分的走访。', 'The mean of the households’ ratings of the visits (1–5), of the rated visits only.'],
    },
    {
        name: ['按网格', 'By grid'],
        definition: [
            '按户所在网格统计；一户同属多个网格（多网交互）时在每个网格各计一次，故各网格之和可能大于合计。',
            'Counted by the households’ grids; a household in several grids counts in each, so the grids may add up to more than the total.',
        ],
    },
];
export function coverageDefinitionsHtml(only) {
    const shown = only ? COVERAGE_DEFINITIONS.filter((d) => only.includes(d.name[0])) : COVERAGE_DEFINITIONS;
    return html `<dl class="definitions">${shown.map((d) => html `<dt>${bi(d.name[0], d.name[1])}</dt><dd>${d.definition[0]}<br><span class="en" lang="en">${d.definition[1]}</span></dd>`)}</dl>`;
}
