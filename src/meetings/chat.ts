/**
 * Assignments 交办 in chat (flows/assignments.ts, 我的交办): the open assignments of the
 * meetings' decisions the speaker owns, and marking one done. Written in the storage
 * layer: it runs inside the turn's transaction.
 */
import type { SqlTx, Tx } from '../db/client.js';
import { sqlOf } from '../db/client.js';
import { all, defineQuery, first } from '../db/sql.js';
import type { EffectResult } from '../engine/flow.js';
import { localDateOf } from '../pipeline/calendar.js';
import { writeAssignmentDone } from './assignment-done.js';

/** An assignment as its owner sees it in chat. */
export interface AssignmentLine {
  id: number;
  text: string;
  deadline: string;
  late: boolean;
}

export interface AssignmentEffects {
  /** The speaker's open assignments, the earliest deadline first. */
  open(): Promise<AssignmentLine[]>;
  /** Marks one of them done. */
  markDone(decisionId: number): Promise<EffectResult<{ text: string }>>;
}

const openQuery = defineQuery('meeting_open_assignments', (db, p: { personId: number; decisionId: number }) =>
  db
    .selectFrom('MeetingDecision')
    .select(['id', 'text', 'deadline'])
    .where('kind', '=', 'assignment')
    .where('doneAt', 'is', null)
    .where('ownerPersonId', '=', p.personId)
    .where((eb) => eb.or([eb(eb.val(p.decisionId), '=', eb.lit(0)), eb('id', '=', p.decisionId)]))
    .orderBy('deadline')
    .orderBy('id')
    .limit(20),
);

/** The assignments' chat effects for `speakerId`, in the turn's transaction. */
export function assignmentEffects({ tx, speakerId, now, notFound }: { tx: Tx | SqlTx; speakerId: number; now: Date; notFound: () => string }): AssignmentEffects {
  const sql = sqlOf(tx);
  const today = localDateOf(now);
  return {
    async open() {
      const rows = await all(sql, openQuery, { personId: speakerId, decisionId: 0 });
      return rows.map((r) => ({ id: r.id, text: r.text, deadline: r.deadline ?? '', late: r.deadline !== null && today > r.deadline }));
    },

    async markDone(decisionId) {
      // Only the speaker's own open assignment, read in this transaction.
      const row = await first(sql, openQuery, { personId: speakerId, decisionId });
      if (!row || !(await writeAssignmentDone(tx, decisionId, speakerId, now, { decisionId, from: 'chat' }))) return { ok: false, text: notFound() };
      return { ok: true, text: row.text };
    },
  };
}
