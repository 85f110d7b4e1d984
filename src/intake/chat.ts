/**
 * 代办登记 in chat: a liaison registers a request for one of their paired households (its
 * head, or else its first member, is the resident) or for someone not on the roster, in a
 * village where they have households. It goes through the pipeline as any report, naming
 * the liaison and the channel of receipt; the resident gets the receipt in their own chat
 * (a new person has none: it waits in the outbox, see src/intake/intake.ts).
 */
import { randomUUID } from 'node:crypto';
import { sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { all, defineQuery, first } from '../db/sql.js';
import type { ReportDraft, VillageChoices } from '../engine/flow.js';
import { homeTownship } from '../pipeline/reference.js';
import { normalizePhone } from '../org/phone.js';
import { normaliseText } from '../privacy.js';
import { householdReporter, type ReportReceipt } from '../visits/visits.js';
import type { ReceiptChannel } from './intake.js';

/** Whom a liaison registers for: a paired household, or a new person in one of their villages. */
export type ChatIntakeResident = { householdId: number } | { name: string; phone: string; regionId: number };

/** What the chat's 代办登记 may do; each call checks that the household or village is the speaker's. */
export interface IntakeChatEffects {
  /** The villages of the speaker's paired households (where a new person may be registered), and the speaker's township. */
  villages(): Promise<VillageChoices>;
  /** Files `draft` for the resident, received by `channel`; with `settled`, the result of 即办 (the speaker settled it on the spot). */
  registerFor(resident: ChatIntakeResident, channel: ReceiptChannel, draft: ReportDraft, settled: string | null): Promise<ReportReceipt>;
}

export interface IntakeChatDeps {
  tx: Tx | SqlTx;
  speakerId: number;
  now: Date;
  text: (key: 'intake.not_yours' | 'visit.no_member') => string;
  /** Files a request for a resident through the pipeline, registered (and, with `settled`, settled on the spot) by the speaker (src/engine/effects.ts). */
  reportFor: (residentId: number, draft: ReportDraft, via: ReceiptChannel, settled: string | null) => Promise<ReportReceipt>;
}

/** The member of a household paired with the liaison who reports its needs: the head if on the roster, else the first member. */
const pairedReporterQuery = defineQuery('intake_paired_reporter', (db, p: { householdId: number; liaisonId: number }) =>
  db
    .selectFrom('Pairing as pr')
    .innerJoin('Household as h', 'h.id', 'pr.householdId')
    .select((eb) => ['h.regionId', householdReporter(eb).as('reporterId')])
    .where('pr.householdId', '=', p.householdId)
    .where('pr.liaisonId', '=', p.liaisonId),
);

const liaisonVillagesQuery = defineQuery('intake_liaison_villages', (db, p: { liaisonId: number }) =>
  db
    .selectFrom('Pairing as pr')
    .innerJoin('Household as h', 'h.id', 'pr.householdId')
    .innerJoin('Region as r', 'r.id', 'h.regionId')
    .leftJoin('Region as t', 't.id', 'r.parentId')
    .select(['r.id', 'r.name', 'r.code', 'r.parentId as townshipId', 't.name as township'])
    .distinct()
    .where('pr.liaisonId', '=', p.liaisonId)
    .orderBy('r.code'),
);

const newPersonQuery = defineQuery('intake_chat_new_person', (db, p: { code: string; name: string; phone: string; at: Date }) =>
  db.insertInto('Person').values({ code: p.code, name: p.name, phone: p.phone, locale: 'zh', createdAt: p.at, updatedAt: p.at }).returning('id'),
);

/** The 代办登记 effects of one turn, for `speakerId`, in the turn's transaction. */
export function intakeChatEffects({ tx, speakerId, now, text, reportFor }: IntakeChatDeps): IntakeChatEffects {
  const sql = sqlOf(tx);
  const villages = () => all(sql, liaisonVillagesQuery, { liaisonId: speakerId });
  return {
    villages: async () => ({ villages: await villages(), home: await homeTownship(tx, speakerId) }),
    async registerFor(resident, channel, draft, settled) {
      if ('householdId' in resident) {
        const household = await first(sql, pairedReporterQuery, { householdId: resident.householdId, liaisonId: speakerId });
        if (!household) return { ok: false, text: text('intake.not_yours') };
        if (household.reporterId === null) return { ok: false, text: text('visit.no_member') };
        return reportFor(household.reporterId, { ...draft, regionId: household.regionId }, channel, settled);
      }
      const phone = normalizePhone(resident.phone);
      const name = normaliseText(resident.name).trim().slice(0, 40);
      if (!(await villages()).some((v) => v.id === resident.regionId) || !phone || !name) return { ok: false, text: text('intake.not_yours') };
      const created = await first(sql, newPersonQuery, { code: `W-${randomUUID().slice(0, 12)}`, name, phone, at: now });
      if (!created) throw new Error('the new person was not created');
      return reportFor(created.id, { ...draft, regionId: resident.regionId, contactPhone: phone }, channel, settled);
    },
  };
}
