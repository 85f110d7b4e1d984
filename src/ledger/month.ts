/**
 * The ledger in the monthly report: the items of a region (and the regions below it)
 * that the month concerns — entered in it, due in it, done in it, or late at its end —
 * each with its status at the month's end (or now, for the month under way), scrubbed as
 * every text of the report.
 */
import type { Db } from '../db/client.js';
import { localDateOf } from '../pipeline/calendar.js';
import { type RegionNode, subtreeIds } from '../org/regions.js';
import { ledgerItemIds, type LedgerItemView, type LedgerStatus, loadLedgerItems, scrubLedgerItems } from './ledger.js';

/** What the month did to an item. */
export interface LedgerMonthItem {
  item: LedgerItemView;
  /** Its status at the month's end (or now). */
  status: LedgerStatus;
  entered: boolean;
  due: boolean;
  done: boolean;
  late: boolean;
}

export interface LedgerMonth {
  items: LedgerMonthItem[];
  counts: { entered: number; due: number; done: number; late: number };
}

/** The region's ledger items of `month` ([from, to) in instants), as of `now` for the month under way. */
export async function ledgerOfMonth(db: Db, regions: Map<number, RegionNode>, regionId: number, range: { month: string; from: Date; to: Date; now: Date }): Promise<LedgerMonth> {
  const { month, from, to, now } = range;
  const end = now < to ? now : new Date(to.getTime() - 1);
  const lastDay = localDateOf(end);
  const all = await loadLedgerItems(db, regions, await ledgerItemIds(db, subtreeIds(regions, regionId)), now);
  const within = (at: Date | null) => at !== null && at >= from && at < to;
  const items = (await scrubLedgerItems(db, all)).flatMap((item): LedgerMonthItem[] => {
    // Closed after the month's end, it was still open then.
    const closedBy = item.closedAt !== null && item.closedAt <= end;
    const status: LedgerStatus = closedBy ? item.status : lastDay > item.deadline ? 'late' : 'on_track';
    const row = {
      item,
      status,
      entered: within(item.createdAt),
      due: item.deadline.startsWith(month),
      done: item.status === 'done' && within(item.closedAt),
      late: status === 'late',
    };
    return row.entered || row.due || row.done || row.late ? [row] : [];
  });
  const count = (key: 'entered' | 'due' | 'done' | 'late') => items.filter((i) => i[key]).length;
  return { items, counts: { entered: count('entered'), due: count('due'), done: count('done'), late: count('late') } };
}
