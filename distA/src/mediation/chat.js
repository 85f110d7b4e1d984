/**
 * A party's answer to a mediation agreement in their own chat (flows/mediation-confirm.ts):
 * 确认 or 有异议, for themselves or for their household. Only the party may answer.
 * 我的调解 (flows/mediation-cases.ts): a mediator's own cases that still wait for them.
 */
import { sqlOf } from '../db/client.js';
import { all, defineQuery, first } from '../db/sql.js';
import { changeMediationCase } from './cases.js';
import { isOverdue, MediationRefused } from './transitions.js';
/** The party, if the speaker is it (the person, or a member of the household) and its agreement awaits an answer. */
const awaitingQuery = defineQuery('mediation_awaiting_party', (db, p) => db
    .selectFrom('MediationParty as p')
    .innerJoin('MediationCase as c', 'c.id', 'p.caseId')
    .select(['p.caseId', 'c.title', 'c.agreement'])
    .where('p.id', '=', p.partyId)
    .where('p.answer', 'is', null)
    .where('c.status', '=', 'agreement')
    .where((eb) => eb.or([
    eb('p.personId', '=', p.speakerId),
    eb.exists(eb.selectFrom('Person as me').select('me.id').where('me.id', '=', p.speakerId).whereRef('me.householdId', '=', 'p.householdId')),
])));
/** A mediator's cases still waiting: mediating, awaiting the parties, settled with a follow-up to record, or at the court. */
const mediatorCasesQuery = defineQuery('mediation_mediator_cases', (db, p) => db
    .selectFrom('MediationCase as c')
    .select((eb) => [
    'c.id',
    'c.title',
    'c.status',
    'c.dueOn',
    eb
        .selectFrom('MediationParty as p')
        .select((pb) => pb.fn.countAll().as('n'))
        .whereRef('p.caseId', '=', 'c.id')
        .as('parties'),
    eb
        .selectFrom('MediationParty as p')
        .select((pb) => pb.fn.countAll().as('n'))
        .whereRef('p.caseId', '=', 'c.id')
        .where('p.answer', '=', 'confirmed')
        .as('confirmed'),
])
    .where('c.mediatorId', '=', p.mediatorId)
    .where((eb) => eb.or([
    eb('c.status', 'in', ['mediating', 'agreement', 'referred']),
    eb.and([eb('c.status', '=', 'settled'), eb.or([eb('c.keptFirst', 'is', null), eb('c.keptSecond', 'is', null)])]),
]))
    .orderBy('c.dueOn')
    .orderBy('c.id')
    .limit(10));
export function mediationEffects({ tx, speakerId, now, notFound }) {
    const sql = sqlOf(tx);
    const awaiting = (partyId) => first(sql, awaitingQuery, { partyId, speakerId });
    return {
        async myCases() {
            const rows = await all(sql, mediatorCasesQuery, { mediatorId: speakerId });
            return rows.map((r) => ({
                id: r.id,
                title: r.title,
                status: r.status,
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
            if (!row)
                return { ok: false, text: notFound() };
            try {
                await changeMediationCase(tx, row.caseId, { type: 'answer', partyId, confirmed, ...(objection ? { objection } : {}) }, now);
            }
            catch (error) {
                if (error instanceof MediationRefused)
                    return { ok: false, text: notFound() };
                throw error;
            }
            return { ok: true };
        },
    };
}
