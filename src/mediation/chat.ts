/**
 * A party's answer to a mediation agreement in their own chat (flows/mediation-confirm.ts):
 * 确认 or 有异议, for themselves or for their household. Only the party may answer.
 * 我的调解 (flows/mediation-cases.ts): a mediator's own cases that still wait for them.
 */
import { type SqlTx, sqlOf, type Tx } from '../db/client.js';
import { all, defineQuery, first } from '../db/sql.js';
import type { EffectResult } from '../engine/flow.js';
import { maskContacts } from '../privacy.js';
import { changeMediationCase } from './cases.js';
import { isOverdue, MediationRefused, type MediationState } from './transitions.js';

/** An agreement as its party reads it. */
export interface AgreementToAnswer {
  title: string;
  agreement: string;
}

/** A case of the mediator's, as 我的调解 lists it: what waits for them. */
export interface MediatorCaseLine {
  id: number;
  title: string;
  status: MediationState;
  /** The mediation limit's last day (YYYY-MM-DD). */
  dueOn: string;
  overdue: boolean;
  /** Of the parties, how many confirmed the agreement. */
  confirmed: number;
  parties: number;
}

/** What the chat's mediation flow may do; each call checks that the speaker is the party (or, for their cases, the mediator). */
export interface MediationEffects {
  /** 我的调解: the speaker's cases as mediator that still wait for something, the earliest limit first. */
  myCases(): Promise<MediatorCaseLine[]>;
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

/** A mediator's cases still waiting: mediating, awaiting the parties, settled with a follow-up to record, or at the court. */
const mediatorCasesQuery = defineQuery('mediation_mediator_cases', (db, p: { mediatorId: number }) =>
  db
    .selectFrom('MediationCase as c')
    .select((eb) => [
      'c.id',
      'c.title',
      'c.status',
      'c.dueOn',
      eb
        .selectFrom('MediationParty as p')
        .select((pb) => pb.fn.countAll<number>().as('n'))
        .whereRef('p.caseId', '=', 'c.id')
        .as('parties'),
      eb
        .selectFrom('MediationParty as p')
        .select((pb) => pb.fn.countAll<number>().as('n'))
        .whereRef('p.caseId', '=', 'c.id')
        .where('p.answer', '=', 'confirmed')
        .as('confirmed'),
    ])
    .where('c.mediatorId', '=', p.mediatorId)
    .where((eb) =>
      eb.or([
        eb('c.status', 'in', ['mediating', 'agreement', 'referred']),
        eb.and([eb('c.status', '=', 'settled'), eb.or([eb('c.keptFirst', 'is', null), eb('c.keptSecond', 'is', null)])]),
      ]),
    )
    .orderBy('c.dueOn')
    .orderBy('c.id')
    .limit(10),
);

export function mediationEffects({ tx, speakerId, now, notFound }: { tx: Tx | SqlTx; speakerId: number; now: Date; notFound: () => string }): MediationEffects {
  const sql = sqlOf(tx);
  const awaiting = (partyId: number) => first(sql, awaitingQuery, { partyId, speakerId });
  return {
    async myCases() {
      const rows = await all(sql, mediatorCasesQuery, { mediatorId: speakerId });
      return rows.map((r) => ({
        id: r.id,
        // The mediator is no party: the title as staff read it (caseForStaff).
        title: maskContacts(r.title),
        status: r.status as MediationState,
        dueOn: r.dueOn,
        overdue: isOverdue(r, now),
        confirmed: Number(r.confirmed ?? 0),
        parties: Number(r.parties ?? 0),
      }));
    },
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
