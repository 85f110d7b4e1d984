/**
 * The ledger in chat (flows/ledger.ts, 我的督办): the open 挂牌督办 items the speaker
 * answers for — their own, or their department's as its handler — and a progress entry
 * added to one. Written in the storage layer: it runs inside the turn's transaction.
 */
import type { SqlTx, Tx } from '../db/client.js';
import { sqlOf } from '../db/client.js';
import { all, defineQuery, first } from '../db/sql.js';
import type { EffectResult } from '../engine/flow.js';
import { normaliseText } from '../privacy.js';
import { localDateOf } from '../pipeline/calendar.js';
import { ledgerStatus, writeLedgerProgress } from './ledger.js';

/** An item as its owner sees it in chat. */
export interface SupervisedLine {
  id: number;
  goal: string;
  deadline: string;
  late: boolean;
}

export interface LedgerEffects {
  /** The open 挂牌督办 items the speaker answers for, the earliest deadline first. */
  supervised(): Promise<SupervisedLine[]>;
  /** Adds a progress entry to one of them. */
  addProgress(itemId: number, text: string): Promise<EffectResult<{ goal: string }>>;
}

const supervisedQuery = defineQuery('ledger_supervised', (db, p: { personId: number; itemId: number }) =>
  db
    .selectFrom('LedgerItem')
    .select(['id', 'goal', 'deadline', 'status'])
    .where('status', '=', 'open')
    .where('flaggedAt', 'is not', null)
    .where((eb) => eb.or([eb(eb.val(p.itemId), '=', eb.lit(0)), eb('id', '=', p.itemId)]))
    .where((eb) =>
      eb.or([
        eb('ownerPersonId', '=', p.personId),
        eb('ownerDepartmentId', 'in', eb.selectFrom('PersonRole').select('departmentId').where('personId', '=', p.personId).where('role', '=', 'department_handler')),
      ]),
    )
    .orderBy('deadline')
    .orderBy('id')
    .limit(20),
);

/** The ledger's chat effects for `speakerId`, in the turn's transaction. */
export function ledgerEffects({ tx, speakerId, now, notFound }: { tx: Tx | SqlTx; speakerId: number; now: Date; notFound: () => string }): LedgerEffects {
  const sql = sqlOf(tx);
  const today = localDateOf(now);
  return {
    async supervised() {
      const rows = await all(sql, supervisedQuery, { personId: speakerId, itemId: 0 });
      return rows.map((r) => ({ id: r.id, goal: r.goal, deadline: r.deadline, late: ledgerStatus(r, today) === 'late' }));
    },

    async addProgress(itemId, text) {
      const item = await first(sql, supervisedQuery, { personId: speakerId, itemId });
      if (!item) return { ok: false, text: notFound() };
      // The flow took the text through refuseText: words, within MAX_TEXT, the console's limit too.
      const entry = normaliseText(text).replace(/\s+/g, ' ').trim();
      await writeLedgerProgress(tx, { itemId, text: entry, byId: speakerId, at: now }, { itemId, from: 'chat' });
      return { ok: true, goal: item.goal };
    },
  };
}
