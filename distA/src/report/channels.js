/**
 * The breakdown by channel of receipt (src/stats/channels.ts) as the statistics page, its
 * CSV and the monthly report print it: one table, one CSV, the same columns.
 */
import { channelName } from '../stats/channels.js';
import { toCsv } from '../web/csv.js';
import { bi, html } from '../web/html.js';
const COLUMNS = [
    { zh: '受理量', en: 'received', value: (f) => f.received },
    { zh: '其中即办', en: 'settled on the spot', value: (f) => f.settledOnTheSpot },
    { zh: '已办结', en: 'resolved', value: (f) => f.resolved },
    { zh: '在办', en: 'open', value: (f) => f.open },
];
/** The table: a row per channel, most received first, and the total. */
export function channelTableHtml(figures) {
    if (!figures.rows.length)
        return html `<p class="empty">${bi('本期无受理', 'nothing received in this period')}</p>`;
    const name = (f) => channelName(f.channel);
    return html `<div class="table-wrap"><table class="channel-figures">
<thead><tr><th scope="col">${bi('受理渠道', 'Channel')}</th>${COLUMNS.map((c) => html `<th scope="col">${bi(c.zh, c.en)}</th>`)}</tr></thead>
<tbody>${figures.rows.map((f) => html `<tr data-channel="${f.channel ?? ''}"><th scope="row">${bi(name(f).zh, name(f).en)}</th>${COLUMNS.map((c) => html `<td class="num">${c.value(f)}</td>`)}</tr>`)}</tbody>
<tfoot><tr><th scope="row">${bi('合计', 'Total')}</th>${COLUMNS.map((c) => html `<td class="num">${c.value(figures.total)}</td>`)}</tr></tfoot>
</table></div>
<p class="hint">${bi('即办：受理时当场办结，同时计入受理和办结。', 'Settled on the spot (即办): received and resolved at once, counted in both.')}</p>`;
}
/** The same table as CSV (UTF-8 with BOM, for Excel). */
export function channelCsv(figures) {
    return toCsv(['渠道 channel', '名称 name', ...COLUMNS.map((c) => `${c.zh} ${c.en}`)], [
        ...figures.rows.map((f) => [f.channel ?? '', `${channelName(f.channel).zh} ${channelName(f.channel).en}`, ...COLUMNS.map((c) => c.value(f))]),
        ['', '合计 total', ...COLUMNS.map((c) => c.value(figures.total))],
    ]);
}
