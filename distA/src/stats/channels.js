/**
 * The figures by channel of receipt: how the tickets received in a period came in — each
 * chat platform, and what staff registered at the station 来访, by phone 来电, letter 来信
 * or on a visit 走访 (src/intake/intake.ts) — with how many of them were settled on the
 * spot 即办 (received and resolved at once), resolved at least once, and still open.
 *
 * The cohort is the statistics' (src/stats/types.ts): tickets received (`createdAt`) in
 * [from, to) whose place lies in the scope's regions, merged duplicates left out, narrowed
 * by the same filters. One grouped statement over the `Ticket.channel` column.
 */
import { sql } from 'kysely';
import { sqlOf } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery } from '../db/sql.js';
import { OPEN_STATES } from '../pipeline/states.js';
/** Every way a request comes in, as the statistics name them (the `Ticket.channel` values). */
const CHANNEL_NAMES = {
    wechat: { zh: '微信', en: 'WeChat' },
    telegram: { zh: 'Telegram', en: 'Telegram' },
    web: { zh: '网页聊天', en: 'web chat' },
    conversation: { zh: '人工会话', en: 'staff conversation' },
    console: { zh: '控制台', en: 'console' },
    station: { zh: '来访', en: 'at the station' },
    phone: { zh: '来电', en: 'by phone' },
    letter: { zh: '来信', en: 'by letter' },
    visit: { zh: '走访', en: 'on a visit' },
    open311: { zh: 'Open311', en: 'Open311' },
};
/** A channel's name, Chinese first; one nobody named yet shows its code. */
export function channelName(channel) {
    if (channel === null)
        return { zh: '未记录', en: 'not recorded' };
    return CHANNEL_NAMES[channel] ?? { zh: channel, en: channel };
}
/** An optional filter: `column` equals `value`, or anything when `value` is null (typed for PostgreSQL by the cast). */
function unlessNull(column, value, type) {
    return sql `(cast(${value} as ${sql.raw(type)}) is null or ${sql.ref(column)} = ${value})`;
}
// Aliases are not column names: SQLite rows are decoded by column name (a Boolean column's name would turn a count into true).
const byChannelQuery = defineQuery('stats_by_channel', (db, p, dialect) => db
    .selectFrom('Ticket')
    .select([
    'channel',
    sql `count(*)`.as('receivedCount'),
    sql `sum(case when ${sql.ref('settledOnTheSpot')} then 1 else 0 end)`.as('settledCount'),
    sql `sum(case when ${sql.ref('resolveMinutes')} is not null then 1 else 0 end)`.as('resolvedCount'),
    sql `sum(case when ${oneOf(dialect, 'state', p.open)} then 1 else 0 end)`.as('openCount'),
])
    .where('createdAt', '>=', p.from)
    .where('createdAt', '<', p.to)
    .where('state', '<>', 'merged')
    .where(oneOf(dialect, 'regionId', p.regionIds))
    .where(unlessNull('categoryCode', p.category, 'text'))
    .where(unlessNull('gridId', p.gridId, 'integer'))
    .where(unlessNull('assigneeDepartmentId', p.departmentId, 'integer'))
    .where(unlessNull('assigneeId', p.assigneeId, 'integer'))
    .groupBy('channel'));
/** The period's tickets by channel of receipt, most received first, with the total. */
export async function channelFigures(db, query) {
    const f = query.filters ?? {};
    const found = await all(sqlOf(db), byChannelQuery, {
        regionIds: query.regionIds,
        from: query.from,
        to: query.to,
        open: [...OPEN_STATES],
        category: f.categoryCode ?? null,
        gridId: f.gridId ?? null,
        departmentId: f.departmentId ?? null,
        assigneeId: f.liaisonId ?? null,
    });
    // PostgreSQL counts in bigint (text through the driver): numbers here.
    const rows = found
        .map((r) => ({ channel: r.channel, received: Number(r.receivedCount), settledOnTheSpot: Number(r.settledCount), resolved: Number(r.resolvedCount), open: Number(r.openCount) }))
        .sort((a, b) => b.received - a.received || (a.channel ?? '').localeCompare(b.channel ?? ''));
    const total = rows.reduce((sum, r) => ({
        ...sum,
        received: sum.received + r.received,
        settledOnTheSpot: sum.settledOnTheSpot + r.settledOnTheSpot,
        resolved: sum.resolved + r.resolved,
        open: sum.open + r.open,
    }), { channel: null, received: 0, settledOnTheSpot: 0, resolved: 0, open: 0 });
    return { rows, total };
}
