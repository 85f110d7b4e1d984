/**
 * 帮扶申报 in chat: a liaison reports one of their paired households (直包到户) for
 * assistance, the 网长报告 of seed 002. Other households are reported by staff in the console.
 * 困难户: the household's paired liaison and its grid leaders read its difficulty record
 * (sensitive: nobody else in chat; staff in scope read it in the console).
 */
import { sqlOf } from '../db/client.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { AssistanceRefused, kindsOf, loadAssistanceCase, noticesFor, objectToAssistance, reportAssistance } from './cases.js';
/** Whether the household is paired with the speaker (the households the chat offers them). */
const reportsForQuery = defineQuery('assistance_reports_for', (db, p) => db.selectFrom('Pairing').select('householdId').where('householdId', '=', p.householdId).where('liaisonId', '=', p.speakerId));
/**
 * The households with a difficulty record the speaker may read: paired with them, or in a
 * grid they lead; `householdId` 0 for all of them, else just that one.
 */
const hardshipHouseholdsQuery = defineQuery('assistance_hardship_households', (db, p) => db
    .selectFrom('HardshipRecord as r')
    .innerJoin('Household as h', 'h.id', 'r.householdId')
    .select(['h.id as householdId', 'h.code', 'h.address', 'h.headName', 'r.kinds', 'r.members', 'r.notes', 'r.updatedAt'])
    .where((eb) => eb.or([eb(eb.val(p.householdId), '=', eb.lit(0)), eb('h.id', '=', p.householdId)]))
    .where((eb) => eb.or([
    eb.exists(eb.selectFrom('Pairing as pa').select('pa.householdId').whereRef('pa.householdId', '=', 'h.id').where('pa.liaisonId', '=', p.speakerId)),
    eb.exists(eb
        .selectFrom('HouseholdGrid as hg')
        .innerJoin('PersonRole as gl', 'gl.gridId', 'hg.gridId')
        .select('hg.householdId')
        .whereRef('hg.householdId', '=', 'h.id')
        .where('gl.role', '=', 'grid_leader')
        .where('gl.personId', '=', p.speakerId)),
]))
    .orderBy('h.code')
    .limit(50));
const householdByCodeQuery = defineQuery('assistance_household_by_code', (db, p) => db.selectFrom('Household').select('id').where('code', '=', p.code));
const readAuditQuery = defineQuery('assistance_hardship_read_audit', (db, p) => db.insertInto('AuditEvent').values({ action: 'hardship_record_read', actorId: p.actorId, data: p.data, at: p.at }));
/** The assistance effects of one turn, in the turn's transaction. */
export function assistanceEffects({ tx, speakerId, rules, now, notYours, notOnNotice, hardshipNotYours }) {
    const sql = sqlOf(tx);
    /** A refusal of the store, as the chat says it. */
    const refusedAs = async (work) => {
        try {
            return await work();
        }
        catch (error) {
            if (error instanceof AssistanceRefused)
                return { ok: false, text: error.message };
            throw error;
        }
    };
    return {
        onNotice: () => noticesFor(tx, speakerId, now),
        object: (caseId, text) => refusedAs(async () => ((await objectToAssistance(tx, caseId, text, speakerId, now)) ? { ok: true } : { ok: false, text: notOnNotice() })),
        async hardshipHouseholds() {
            const rows = await all(sql, hardshipHouseholdsQuery, { speakerId, householdId: 0 });
            return rows.map(({ householdId, code, address, headName }) => ({ householdId, code, address, headName }));
        },
        async hardshipRecord(household) {
            let householdId = typeof household === 'number' ? household : ((await first(sql, householdByCodeQuery, { code: household.trim() }))?.id ?? 0);
            if (typeof household === 'string' && !householdId) {
                // Not a code: the head's name or the address of one of the speaker's own households.
                const words = household.trim();
                const mine = words ? await all(sql, hardshipHouseholdsQuery, { speakerId, householdId: 0 }) : [];
                householdId = mine.find((h) => h.headName === words || h.address === words)?.householdId ?? 0;
            }
            const row = householdId ? await first(sql, hardshipHouseholdsQuery, { speakerId, householdId }) : undefined;
            if (!row)
                return { ok: false, text: hardshipNotYours() };
            // A sensitive record: who read it is kept, as who changed it is.
            await run(sql, readAuditQuery, { actorId: speakerId, data: JSON.stringify({ householdId, from: 'chat' }), at: now });
            return {
                ok: true,
                household: { householdId: row.householdId, code: row.code, address: row.address, headName: row.headName },
                record: { kinds: kindsOf(row.kinds), members: row.members, notes: row.notes, updatedAt: row.updatedAt },
            };
        },
        async report(input) {
            if (!(await first(sql, reportsForQuery, { speakerId, householdId: input.householdId })))
                return { ok: false, text: notYours() };
            return refusedAs(async () => {
                const id = await reportAssistance(tx, input, speakerId, rules, now);
                const opened = await loadAssistanceCase(tx, id);
                return { ok: true, id, dueAt: opened?.dueAt ?? null };
            });
        },
    };
}
