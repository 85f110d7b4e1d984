import { localDateOf } from '../pipeline/calendar.js';
import { subtreeIds } from '../web/console/scope.js';
import { ledgerItemIds, loadLedgerItems, scrubLedgerItems } from './ledger.js';
/** The region's ledger items of `month` ([from, to) in instants), as of `now` for the month under way. */
export async function ledgerOfMonth(db, regions, regionId, range) {
    const { month, from, to, now } = range;
    const end = now < to ? now : new Date(to.getTime() - 1);
    const lastDay = localDateOf(end);
    const all = await loadLedgerItems(db, regions, await ledgerItemIds(db, subtreeIds(regions, regionId)), now);
    const within = (at) => at !== null && at >= from && at < to;
    const items = (await scrubLedgerItems(db, all)).flatMap((item) => {
        // Closed after the month's end, it was still open then.
        const closedBy = item.closedAt !== null && item.closedAt <= end;
        const status = closedBy ? item.status : lastDay > item.deadline ? 'late' : 'on_track';
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
    const count = (key) => items.filter((i) => i[key]).length;
    return { items, counts: { entered: count('entered'), due: count('due'), done: count('done'), late: count('late') } };
}
