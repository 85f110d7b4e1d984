/**
 * How the ranking reads, the same on the console page, in the monthly report and on the
 * public board: the columns of its table (and CSV), the 红榜 and 黑榜, and the definitions
 * printed with the figures.
 */
import { STAT_COHORT, STAT_DEFINITIONS } from '../stats/definitions.js';
import { formatPercent } from '../stats/charts.js';
import { bi, html } from '../web/html.js';
import { tableHtml } from '../web/table.js';
import { TERM_NAMES, TERMS } from './settings.js';
export const LEVEL_NAMES = {
    village: { zh: '村', en: 'Villages' },
    department: { zh: '部门', en: 'Departments' },
    liaison: { zh: '网格员', en: 'Liaisons' },
};
const UNRANKED_TEXT = {
    few_tickets: { zh: '样本不足', en: 'too few requests' },
    few_rates: { zh: '评价不足', en: 'too few rated' },
};
/** "↑2", "↓1", "—" (unchanged is "0"). */
function rankChangeText(e) {
    if (e.rankChange === null)
        return '—';
    return e.rankChange > 0 ? `↑${e.rankChange}` : e.rankChange < 0 ? `↓${-e.rankChange}` : '0';
}
function signed(value) {
    return value === null ? '—' : value > 0 ? `+${value.toFixed(1)}` : value.toFixed(1);
}
function rateText(rate) {
    return rate === null ? '不适用 n/a' : `${formatPercent(rate.value)}（${rate.numerator}/${rate.denominator}）`;
}
const partOf = (e, term) => e.parts.find((p) => p.term === term);
/** The columns of the full table: rank, name, requests, score, changes, then each weighted term's rate, weight and contribution. */
export function rankingColumns(settings, level) {
    const terms = TERMS.filter((t) => settings.weights[t] > 0 && !(level === 'department' && t === 'coverage'));
    return [
        { zh: '名次', en: 'rank', csv: (e) => e.rank ?? (e.unranked ? `${UNRANKED_TEXT[e.unranked].zh} ${UNRANKED_TEXT[e.unranked].en}` : ''), className: 'num' },
        { zh: LEVEL_NAMES[level].zh, en: LEVEL_NAMES[level].en.toLowerCase(), csv: (e) => e.label },
        { zh: '受理量', en: 'received', csv: (e) => e.received, className: 'num' },
        { zh: '得分', en: 'score', csv: (e) => e.score, html: (e) => (e.score === null ? '—' : e.score.toFixed(1)), className: 'num score' },
        { zh: '名次变化', en: 'rank change', csv: (e) => e.rankChange, html: rankChangeText, className: 'num' },
        { zh: '得分变化', en: 'score change', csv: (e) => e.scoreChange, html: (e) => signed(e.scoreChange), className: 'num' },
        { zh: '上月名次', en: 'last month rank', csv: (e) => e.previousRank, html: (e) => e.previousRank ?? '—', className: 'num' },
        ...terms.flatMap((t) => [
            {
                zh: `${TERM_NAMES[t].zh}(%)`,
                en: TERM_NAMES[t].en.toLowerCase(),
                csv: (e) => {
                    const v = partOf(e, t)?.rate?.value;
                    return v === null || v === undefined ? null : Math.round(v * 1000) / 10;
                },
                html: (e) => rateText(partOf(e, t)?.rate ?? null),
                className: 'num',
            },
            { zh: `${TERM_NAMES[t].zh}权重`, en: 'weight', csv: () => settings.weights[t], className: 'num' },
            {
                zh: `${TERM_NAMES[t].zh}得分`,
                en: 'contribution',
                csv: (e) => partOf(e, t)?.contribution ?? null,
                html: (e) => signed(partOf(e, t)?.contribution ?? null),
                className: 'num',
            },
        ]),
    ];
}
/** The columns of the 红榜 and 黑榜: rank, name, score, change. */
const BOARD_COLUMNS = (level) => [
    { zh: '名次', en: 'rank', csv: (e) => e.rank, className: 'num' },
    { zh: LEVEL_NAMES[level].zh, en: LEVEL_NAMES[level].en.toLowerCase(), csv: (e) => e.label },
    { zh: '得分', en: 'score', csv: (e) => e.score?.toFixed(1) ?? '—', className: 'num score' },
    { zh: '较上月', en: 'since last month', csv: (e) => `${rankChangeText(e)}（${signed(e.scoreChange)}）`, className: 'num' },
];
/** The 红榜 (best five) and 黑榜 (worst five of the rest) of one level. */
export function boardsHtml(ranking, id) {
    const columns = BOARD_COLUMNS(ranking.level);
    const empty = bi('本月没有参与排名的对象。', 'Nothing is ranked this month.');
    return html `<div class="boards" id="${id}">
<section class="board-red"><h3>${bi(`红榜 · ${LEVEL_NAMES[ranking.level].zh}`, `Top · ${LEVEL_NAMES[ranking.level].en}`)}</h3>${tableHtml(columns, ranking.top, { empty })}</section>
<section class="board-black"><h3>${bi(`黑榜 · ${LEVEL_NAMES[ranking.level].zh}`, `Bottom · ${LEVEL_NAMES[ranking.level].en}`)}</h3>${tableHtml(columns, ranking.bottom, {
        empty: bi('参与排名的不足两个，不设黑榜。', 'Fewer than two ranked: no bottom list.'),
    })}</section>
</div>`;
}
/** How the score is made, with the region's weights and minimum. */
export function scoreDefinition(settings) {
    const list = (lang, sign) => TERMS.filter((t) => settings.weights[t] > 0 && (sign === 1) === !['returned', 'reopened'].includes(t))
        .map((t) => `${TERM_NAMES[t][lang]} ${settings.weights[t]}`)
        .join(lang === 'zh' ? '、' : ', ') || (lang === 'zh' ? '无' : 'none');
    return {
        name: { zh: '得分与排名', en: 'Score and rank' },
        definition: {
            zh: `得分（满分 100）= 100 ×（各正向指标的比率 × 权重之和）÷ 有数据的正向指标权重之和 − 100 × 各负向指标的比率 × 权重之和。正向权重：${list('zh', 1)}；负向权重：${list('zh', -1)}。` +
                `某项比率分母为零（如本月尚无回访）时该项不计，其余正向指标按权重比例补足；部门不适用走访覆盖率。` +
                `本月受理少于 ${settings.minTickets} 件的（样本不足），或有数据的正向指标权重不足适用权重一半的（评价不足），列出但不参与排名。` +
                `同分（保留一位小数）同名次。红榜为前五名，黑榜为后五名（倒数第一在前）；参与排名的不足十个时，前一半（多出的一个归红榜）为红榜，其余为黑榜；名次和得分变化与上月比较，上月未参与排名的显示“—”。`,
            en: `Score (out of 100) = 100 × (sum of each positive term's rate × weight) ÷ (sum of the positive weights whose rate could be counted) − 100 × sum of each negative term's rate × weight. ` +
                `Positive weights: ${list('en', 1)}; negative: ${list('en', -1)}. A rate with a zero denominator (no callback yet this month) is left out and the other positive terms keep their proportions; ` +
                `visit coverage does not apply to departments. With fewer than ${settings.minTickets} requests received in the month (too few requests), or rates for less than half the applicable positive weight ` +
                `(too few rated), an entity is listed but not ranked. Equal scores (to one decimal) share a rank. Top: the best five; bottom: the worst five, worst first; with fewer than ten ranked, the better half (the odd one included) is the top and the rest the bottom; changes are against last month ("—" when not ranked then).`,
        },
    };
}
/** 走访覆盖率 as the ranking counts it. */
const COVERAGE_DEFINITION = {
    name: { zh: '走访覆盖率', en: 'Visit coverage' },
    definition: {
        zh: '结对户中本月至少被其网格员走访一次的户数 ÷ 结对户数（村：该村的结对户；网格员：本人的结对户）。',
        en: 'Paired households their liaison visited at least once in the month ÷ paired households (a village: its households; a liaison: their own).',
    },
};
const STAT_OF_TERM = {
    response: 'responseRate',
    resolution: 'resolutionRate',
    satisfaction: 'satisfactionRate',
    onTime: 'onTimeRate',
    oneTime: 'oneTimeRate',
    coverage: null,
    returned: 'returnRate',
    reopened: 'reopenRate',
};
/** The definitions printed with a ranking: the score, which requests count, and each weighted term. */
export function rankingDefinitionsHtml(settings) {
    const entry = (d) => html `<dt>${d.name.zh} <span class="en" lang="en">${d.name.en}</span></dt><dd>${d.definition.zh}<br><span class="en" lang="en">${d.definition.en}</span></dd>`;
    const terms = TERMS.filter((t) => settings.weights[t] > 0).map((t) => {
        const stat = STAT_OF_TERM[t];
        return stat === null ? COVERAGE_DEFINITION : STAT_DEFINITIONS[stat];
    });
    return html `<dl class="definitions">${entry(scoreDefinition(settings))}${entry(STAT_COHORT)}${terms.map(entry)}</dl>`;
}
/**
 * The monthly report's section: the 红榜 and 黑榜 of villages and departments, how many
 * were listed without a rank, and how the score is made. Null (a village's report): nothing.
 */
export function rankingReportSection(rankings) {
    if (!rankings)
        return html ``;
    return html `<h2>${bi('三率排名 红黑榜', 'Ranking')}</h2>
${rankings.rankings.map((ranking) => {
        const unranked = ranking.entities.filter((e) => e.rank === null).length;
        return html `${boardsHtml(ranking, `report-ranking-${ranking.level}`)}
<p class="meta">${bi(`${LEVEL_NAMES[ranking.level].zh}：参与排名 ${ranking.entities.length - unranked} 个，样本或评价不足未排名 ${unranked} 个；名次变化与 ${rankings.previousMonth} 比较。`, `${LEVEL_NAMES[ranking.level].en}: ${ranking.entities.length - unranked} ranked, ${unranked} listed without a rank (too few requests or ratings); changes against ${rankings.previousMonth}.`)}</p>`;
    })}
<dl class="definitions"><dt>${bi('得分与排名', 'Score and rank')}</dt><dd>${scoreDefinition(rankings.settings).definition.zh}<br><span class="en" lang="en">${scoreDefinition(rankings.settings).definition.en}</span></dd></dl>`;
}
