/**
 * A party's answer to a mediation agreement in their own chat (flows/mediation-confirm.ts):
 * 确认 or 有异议, for themselves or for their household. Only the party may answer.
 */
import { type SqlTx, sqlOf, type Tx } from '../db/client.js';
import { defineQuery, first } from '../db/sql.js';
import type { EffectResult } from '../engine/flow.js';
import { changeMediationCase } from './cases.js';
import { MediationRefused } from './transitions.js';

/** An agreement as its party reads it. */
export interface AgreementToAnswer {
  title: string;
  agreement: string;
}

/** What the chat's mediation flow may do; each call checks that the speaker is the party. */
export interface MediationEffects {
  /** The agreement awaiting the party's answer, or null (not the speaker's, answered, or no longer awaiting). */
  toAnswer(partyId: number): Promise<AgreementToAnswer | null>;
  /** Records 确认 (`confirmed`) or 有异议 with what is objected to. */
  answer(partyId: number, confirmed: boolean, objection?: string): Promise<EffectResult>;
}

/** The party, if the speaker is it (the person, or a member of the household) and its agreement awaits an answer. */
const awaitingQuery = defineQuery('mediation_awaiting_party', (db, p: { partyId: number; speakerId: number }) =>
  db
    .selectFrom('MediationParty as p')
    .innerJoin('MediationCase as c', 'c.id', 'p.caseId')
    .select(['p.caseId', 'c.title', 'c.agreement'])
    .where('p.id', '=', p.partyId)
    .where('p.answer', 'is', null)
    .where('c.status', '=', 'agreement')
    .where((eb) =>
      eb.or([
        eb('p.personId', '=', p.speakerId),
        eb.exists(eb.selectFrom('Person as me').select('me.id').where('me.id', '=', p.speakerId).whereRef('me.householdId', '=', 'p.householdId')),
      ]),
    ),
);

export function mediationEffects({ tx, speakerId, now, notFound }: { tx: Tx | SqlTx; speakerId: number; now: Date; notFound: () => string }): MediationEffects {
  const sql = sqlOf(tx);
  const awaiting = (partyId: number) => first(sql, awaitingQuery, { partyId, speakerId });
  return {
    async toAnswer(partyId) {
      const row = await awaiting(partyId);
      return row ? { title: row.title, agreement: row.agreement ?? '' } : null;
    },
    async answer(partyId, confirmed, objection) {
      const row = await awaiting(partyId);
      if (!row) return { ok: false, text: notFound() };
      try {
        await changeMediationCase(tx, row.caseId, { type: 'answer', partyId, confirmed, ...(objection ? { objection } : {}) }, now);
      } catch (error) {
        if (error instanceof MediationRefused) return { ok: false, text: notFound() };
        throw error;
      }
      return { ok: true };
    },
  };
}
