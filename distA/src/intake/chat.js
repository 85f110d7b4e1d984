/**
 * 代办登记 in chat: a liaison registers a request for one of their paired households (its
 * head, or else its first member, is the resident) or for someone not on the roster, in a
 * village where they have households. It goes through the pipeline as any report, naming
 * the liaison and the channel of receipt; the resident gets the receipt in their own chat
 * (a new person has none: it waits in the outbox, see src/intake/intake.ts).
 */
import { randomUUID } from 'node:crypto';
import { sqlOf } from '../db/client.js';
import { all, defineQuery, first } from '../db/sql.js';
import { normalizePhone } from '../org/phone.js';
import { normaliseText } from '../privacy.js';
import { householdReporter } from '../visits/visits.js';
/** The member of a household paired with the liaison who reports its needs: the head if on the roster, else the first member. */
const pairedReporterQuery = defineQuery('intake_paired_reporter', (db, p) => db
    .selectFrom('Pairing as pr')
    .innerJoin('Household as h', 'h.id', 'pr.householdId')
    .select((eb) => ['h.regionId', householdReporter(eb).as('reporterId')])
    .where('pr.householdId', '=', p.householdId)
    .where('pr.liaisonId', '=', p.liaisonId));
const liaisonVillagesQuery = defineQuery('intake_liaison_villages', (db, p) => db
    .selectFrom('Pairing as pr')
    .innerJoin('Household as h', 'h.id', 'pr.householdId')
    .innerJoin('Region as r', 'r.id', 'h.regionId')
    .select(['r.id', 'r.name', 'r.code'])
    .distinct()
    .where('pr.liaisonId', '=', p.liaisonId)
    .orderBy('r.code'));
const newPersonQuery = defineQuery('intake_chat_new_person', (db, p) => db.insertInto('Person').values({ code: p.code, name: p.name, phone: p.phone, locale: 'zh', createdAt: p.at, updatedAt: p.at }).returning('id'));
/** The 代办登记 effects of one turn, for `speakerId`, in the turn's transaction. */
export function intakeChatEffects({ tx, speakerId, now, text, reportFor }) {
    const sql = sqlOf(tx);
    const villages = async () => (await all(sql, liaisonVillagesQuery, { liaisonId: speakerId })).map((v) => ({ id: v.id, name: v.name }));
    return {
        villages,
        async registerFor(resident, channel, draft) {
            if ('householdId' in resident) {
                const household = await first(sql, pairedReporterQuery, { householdId: resident.householdId, liaisonId: speakerId });
                if (!household)
                    return { ok: false, text: text('intake.not_yours') };
                if (household.reporterId === null)
                    return { ok: false, text: text('visit.no_member') };
                return reportFor(household.reporterId, { ...draft, regionId: household.regionId }, channel);
            }
            const phone = normalizePhone(resident.phone);
            const name = normaliseText(resident.name).trim().slice(0, 40);
            if (!(await villages()).some((v) => v.id === resident.regionId) || !phone || !name)
                return { ok: false, text: text('intake.not_yours') };
            const created = await first(sql, newPersonQuery, { code: `W-${randomUUID().slice(0, 12)}`, name, phone, at: now });
            if (!created)
                throw new Error('the new person was not created');
            return reportFor(created.id, { ...draft, regionId: resident.regionId, contactPhone: phone }, channel);
        },
    };
}
