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
import { type Db, sqlOf } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery } from '../db/sql.js';
import { hasResidentToAnswerSql } from '../pipeline/requester.js';
import { OPEN_STATES } from '../pipeline/states.js';
import type { StatsFilters } from './types.js';

/** Every way a request comes in, as the statistics name them (the `Ticket.channel` values). */
const CHANNEL_NAMES: Readonly<Record<string, { zh: string; en: string }>> = {
  wechat: { zh: '微信', en: 'WeChat' },
  telegram: { zh: 'Telegram', en: 'Telegram' },
  web: { zh: '网页聊天', en: 'web chat' },
  sms: { zh: '短信', en: 'SMS' },
  conversation: { zh: '人工会话', en: 'staff conversation' },
  console: { zh: '控制台', en: 'console' },
  station: { zh: '来访', en: 'at the station' },
  phone: { zh: '来电', en: 'by phone' },
  letter: { zh: '来信', en: 'by letter' },
  visit: { zh: '走访', en: 'on a visit' },
  open311: { zh: '开放接口', en: 'Open311 API' },
  meeting: { zh: '会议决定', en: 'meeting decision' },
};

/** A channel's name, Chinese first; one nobody named yet shows its code. */
export function channelName(channel: string | null): { zh: string; en: string } {
  if (channel === null) return { zh: '未记录', en: 'not recorded' };
  return CHANNEL_NAMES[channel] ?? { zh: channel, en: channel };
}

/** A channel's name as one line, Chinese then English: 来访 at the station. */
export function channelText(channel: string | null): string {
  const name = channelName(channel);
  return name.zh === name.en ? name.zh : `${name.zh} ${name.en}`;
}

/** One channel's figures. */
export interface ChannelFigures {
  /** The `Ticket.channel` value; null for tickets from before it was recorded. */
  channel: string | null;
  received: number;
  /** 即办: settled on the spot when staff registered it. */
  settledOnTheSpot: number;
  /** Resolved 办结 at least once. */
  resolved: number;
  /** Still in an open state now. */
  open: number;
}

export interface ChannelQuery {
  /** The regions of the scope (the scope region and every region below it). */
  regionIds: number[];
  from: Date;
  to: Date;
  filters?: StatsFilters;
}

/** An optional filter: `column` equals `value`, or anything when `value` is null (typed for PostgreSQL by the cast). */
function unlessNull(column: string, value: unknown, type: 'text' | 'integer') {
  return sql<boolean>`(cast(${value} as ${sql.raw(type)}) is null or ${sql.ref(column)} = ${value})`;
}

// Aliases are not column names: SQLite rows are decoded by column name (a Boolean column's name would turn a count into true).
const byChannelQuery = defineQuery(
  'stats_by_channel',
  (
    db,
    p: { regionIds: number[]; from: Date; to: Date; open: string[]; category: string | null; gridId: number | null; departmentId: number | null; assigneeId: number | null },
    dialect,
  ) =>
    db
      .selectFrom('Ticket')
      .select([
        'channel',
        sql<number>`count(*)`.as('receivedCount'),
        sql<number>`sum(case when ${sql.ref('settledOnTheSpot')} then 1 else 0 end)`.as('settledCount'),
        sql<number>`sum(case when ${sql.ref('resolveMinutes')} is not null then 1 else 0 end)`.as('resolvedCount'),
        sql<number>`sum(case when ${oneOf(dialect, 'state', p.open)} then 1 else 0 end)`.as('openCount'),
      ])
      .where('createdAt', '>=', p.from)
      .where('createdAt', '<', p.to)
      .where('state', '<>', 'merged')
      .where(hasResidentToAnswerSql('channel'))
      .where(oneOf(dialect, 'regionId', p.regionIds))
      .where(unlessNull('categoryCode', p.category, 'text'))
      .where(unlessNull('gridId', p.gridId, 'integer'))
      .where(unlessNull('assigneeDepartmentId', p.departmentId, 'integer'))
      .where(unlessNull('assigneeId', p.assigneeId, 'integer'))
      .groupBy('channel'),
);

/** The period's tickets by channel of receipt, most received first, with the total. */
export async function channelFigures(db: Db, query: ChannelQuery): Promise<{ rows: ChannelFigures[]; total: ChannelFigures }> {
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
  const total = rows.reduce(
    (sum, r) => ({
      ...sum,
      received: sum.received + r.received,
      settledOnTheSpot: sum.settledOnTheSpot + r.settledOnTheSpot,
      resolved: sum.resolved + r.resolved,
      open: sum.open + r.open,
    }),
    { channel: null, received: 0, settledOnTheSpot: 0, resolved: 0, open: 0 } as ChannelFigures,
  );
  return { rows, total };
}
