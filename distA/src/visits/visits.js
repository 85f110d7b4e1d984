import { sqlOf } from '../db/client.js';
import { all, defineQuery, first, one, run } from '../db/sql.js';
import { enqueuePush } from '../pipeline/outbox.js';
/** The most households a liaison is offered as buttons; more are found by name or house number. */
export const LISTED_HOUSEHOLDS = 20;
const pairedHouseholdsQuery = defineQuery('visit_paired_households', (db, p) => db
    .selectFrom('Pairing as pr')
    .innerJoin('Household as h', 'h.id', 'pr.householdId')
    .select(['h.id', 'h.headName', 'h.address', 'h.code', 'h.regionId'])
    .where('pr.liaisonId', '=', p.liaisonId)
    .orderBy('h.address')
    .orderBy('h.id'));
/** The household's members with a chat to ask in. */
const reachableMembersQuery = defineQuery('visit_reachable_members', (db, p) => db
    .selectFrom('Person as m')
    .select('m.id')
    .where('m.householdId', '=', p.householdId)
    .where((eb) => eb.exists(eb.selectFrom('ChannelIdentity as i').select('i.id').whereRef('i.personId', '=', 'm.id').where('i.unreachableAt', 'is', null)))
    .orderBy('m.id'));
const newVisitQuery = defineQuery('visit_new', (db, p) => db
    .insertInto('Visit')
    .values({
    liaisonId: p.liaisonId,
    householdId: p.householdId,
    regionId: p.regionId,
    notes: p.notes,
    media: p.media,
    visitedAt: p.at,
    confirmation: p.confirmation,
})
    .returning('id'));
const liaisonNameQuery = defineQuery('visit_liaison_name', (db, p) => db.selectFrom('Person').select('name').where('id', '=', p.personId));
/** A visit to the household of `personId`, with its liaison's name. */
const visitOfHouseholdQuery = defineQuery('visit_of_household', (db, p) => db
    .selectFrom('Visit as v')
    .innerJoin('Person as me', 'me.householdId', 'v.householdId')
    .innerJoin('Person as l', 'l.id', 'v.liaisonId')
    .select(['v.id', 'l.name as liaison', 'v.notes', 'v.confirmation', 'v.rating'])
    .where('v.id', '=', p.visitId)
    .where('me.id', '=', p.personId));
/** The household reads its own visits: the last ten are plenty for a chat. */
const householdVisitsQuery = defineQuery('visit_household_list', (db, p) => db
    .selectFrom('Person as me')
    .innerJoin('Visit as v', 'v.householdId', 'me.householdId')
    .innerJoin('Person as l', 'l.id', 'v.liaisonId')
    .select(['v.visitedAt', 'l.name as liaison', 'v.notes', 'v.confirmation', 'v.rating'])
    .where('me.id', '=', p.personId)
    .orderBy('v.visitedAt', 'desc')
    .orderBy('v.id', 'desc')
    .limit(10));
const answerVisitQuery = defineQuery('visit_answer', (db, p) => db.updateTable('Visit').set({ confirmation: p.confirmation, comment: p.comment, answeredById: p.by, answeredAt: p.at }).where('id', '=', p.id));
/**
 * The member of household `h` who reports its needs (a visit's, a 代办登记's): the head
 * if on the roster, else the first member.
 */
export function householdReporter(eb) {
    return eb
        .selectFrom('Person as m')
        .select('m.id')
        .whereRef('m.householdId', '=', 'h.id')
        .orderBy((o) => o.case().when('m.name', '=', eb.ref('h.headName')).then(0).else(1).end())
        .orderBy('m.id')
        .limit(1);
}
/** The speaker's own visit, with the member of the household who reports its needs: the head if on the roster, else the first member. */
const ownVisitQuery = defineQuery('visit_own', (db, p) => db
    .selectFrom('Visit as v')
    .innerJoin('Household as h', 'h.id', 'v.householdId')
    .select((eb) => ['v.id', 'v.tickets', householdReporter(eb).as('reporterId')])
    .where('v.id', '=', p.visitId)
    .where('v.liaisonId', '=', p.liaisonId));
const visitTicketsQuery = defineQuery('visit_tickets', (db, p) => db.updateTable('Visit').set({ tickets: p.tickets }).where('id', '=', p.id));
const rateVisitQuery = defineQuery('visit_rate', (db, p) => db.updateTable('Visit').set({ rating: p.rating, answeredById: p.by, answeredAt: p.at }).where('id', '=', p.id));
/** The visit effects of one turn, for `speakerId`, in the turn's transaction. */
export function visitEffects({ tx, speakerId, now, text, reportFor }) {
    const notFound = () => text('visit.not_found');
    const sql = sqlOf(tx);
    const paired = () => all(sql, pairedHouseholdsQuery, { liaisonId: speakerId });
    const mine = (visitId) => first(sql, visitOfHouseholdQuery, { visitId, personId: speakerId });
    return {
        async households() {
            return (await paired()).map(({ id, headName, address, code }) => ({ id, headName, address, code }));
        },
        async record({ householdId, notes, media }) {
            const household = (await paired()).find((h) => h.id === householdId);
            if (!household)
                return { ok: false, text: notFound() };
            const members = (await all(sql, reachableMembersQuery, { householdId })).map((m) => m.id);
            const visit = await one(sql, newVisitQuery, {
                liaisonId: speakerId,
                householdId,
                regionId: household.regionId,
                notes,
                media: JSON.stringify(media),
                at: now,
                confirmation: members.length ? 'pending' : 'unconfirmed',
            });
            if (members.length) {
                const liaison = (await first(sql, liaisonNameQuery, { personId: speakerId }))?.name ?? '';
                await enqueuePush(tx, members, {
                    template: 'visit.ask_household',
                    params: { liaison, notes },
                    // 对 / 是的 answer 属实, 不对 / 不是 有出入 (src/engine/choices.ts).
                    actions: [
                        { label: 'visit.accurate', payload: `visit:${visit.id}:accurate`, means: 'yes' },
                        { label: 'visit.inaccurate', payload: `visit:${visit.id}:inaccurate`, means: 'no' },
                    ],
                    ...(media.length ? { media } : {}),
                }, now);
            }
            return { ok: true, id: visit.id, asked: members.length > 0 };
        },
        ofMyHousehold: () => all(sql, householdVisitsQuery, { personId: speakerId }),
        async toConfirm(visitId) {
            return (await mine(visitId)) ?? null;
        },
        async answer(visitId, accurate, comment) {
            if (!(await mine(visitId)))
                return { ok: false, text: notFound() };
            await run(sql, answerVisitQuery, { id: visitId, confirmation: accurate ? 'confirmed' : 'disputed', comment, by: speakerId, at: now });
            return { ok: true };
        },
        async rate(visitId, rating) {
            if (!(await mine(visitId)))
                return { ok: false, text: notFound() };
            await run(sql, rateVisitQuery, { id: visitId, rating, by: speakerId, at: now });
            return { ok: true };
        },
        async reportNeed(visitId, draft) {
            const visit = await first(sql, ownVisitQuery, { visitId, liaisonId: speakerId });
            if (!visit)
                return { ok: false, text: notFound() };
            if (visit.reporterId === null)
                return { ok: false, text: text('visit.no_member') };
            const receipt = await reportFor(visit.reporterId, draft);
            if (receipt.ok)
                await run(sql, visitTicketsQuery, { id: visitId, tickets: JSON.stringify([...JSON.parse(visit.tickets), receipt.number]) });
            return receipt;
        },
    };
}
