/**
 * The one write that marks an assignment 交办 done, with its audit: its owner in chat
 * (src/meetings/chat.ts, inside a turn) and staff in the console (decisions.ts) both
 * call it, each in its own transaction. A module of its own so that the message path
 * loads it without the console's.
 */
import { sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { defineQuery, run } from '../db/sql.js';

const doneQuery = defineQuery('meeting_assignment_done', (db, p: { id: number; actorId: number; at: Date }) =>
  db.updateTable('MeetingDecision').set({ doneAt: p.at, doneById: p.actorId }).where('id', '=', p.id).where('kind', '=', 'assignment').where('doneAt', 'is', null),
);

const auditQuery = defineQuery('meeting_assignment_done_audit', (db, p: { actorId: number; data: string; at: Date }) =>
  db.insertInto('AuditEvent').values({ action: 'meeting_assignment_done', actorId: p.actorId, data: p.data, at: p.at }),
);

/** Marks assignment `decisionId` done and audits it (with `audit` as its data); false, writing nothing, when it is no open assignment. */
export async function writeAssignmentDone(tx: Tx | SqlTx, decisionId: number, actorId: number, at: Date, audit: object): Promise<boolean> {
  const sql = sqlOf(tx);
  if ((await run(sql, doneQuery, { id: decisionId, actorId, at })) === 0) return false;
  await run(sql, auditQuery, { actorId, data: JSON.stringify(audit), at });
  return true;
}
