/**
 * 帮扶申报 in chat: a liaison reports one of their paired households (直包到户) for
 * assistance, the 网长报告 of seed 002. Other households are reported by staff in the console.
 */
import { type SqlTx, sqlOf, type Tx } from '../db/client.js';
import { defineQuery, first } from '../db/sql.js';
import type { EffectResult } from '../engine/flow.js';
import { AssistanceRefused, loadAssistanceCase, type NoticeLine, noticesFor, objectToAssistance, reportAssistance } from './cases.js';
import type { AssistanceRules } from './machine.js';

/** What the chat's assistance flow may do. */
export interface AssistanceEffects {
  /** Opens a case for a household of the speaker's; says its number and when the village's verification is due. */
  report(input: { householdId: number; need: string; urgent: boolean }): Promise<EffectResult<{ id: number; dueAt: Date | null }>>;
  /** 公示: the cases on notice in the speaker's village. */
  onNotice(): Promise<NoticeLine[]>;
  /** A resident's objection to one of them. */
  object(caseId: number, text: string): Promise<EffectResult>;
}

export interface AssistanceChatDeps {
  tx: Tx | SqlTx;
  speakerId: number;
  rules: AssistanceRules;
  now: Date;
  /** Said when the household is not paired with the speaker. */
  notYours: () => string;
  /** Said when the case is no longer on notice in the speaker's village. */
  notOnNotice: () => string;
}

/** Whether the household is paired with the speaker (the households the chat offers them). */
const reportsForQuery = defineQuery('assistance_reports_for', (db, p: { speakerId: number; householdId: number }) =>
  db.selectFrom('Pairing').select('householdId').where('householdId', '=', p.householdId).where('liaisonId', '=', p.speakerId),
);

/** The assistance effects of one turn, in the turn's transaction. */
export function assistanceEffects({ tx, speakerId, rules, now, notYours, notOnNotice }: AssistanceChatDeps): AssistanceEffects {
  /** A refusal of the store, as the chat says it. */
  const refusedAs = async <T extends object>(work: () => Promise<EffectResult<T>>): Promise<EffectResult<T>> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AssistanceRefused) return { ok: false, text: error.message };
      throw error;
    }
  };
  return {
    onNotice: () => noticesFor(tx, speakerId, now),

    object: (caseId, text) => refusedAs(async () => ((await objectToAssistance(tx, caseId, text, speakerId, now)) ? { ok: true } : { ok: false, text: notOnNotice() })),

    async report(input) {
      if (!(await first(sqlOf(tx), reportsForQuery, { speakerId, householdId: input.householdId }))) return { ok: false, text: notYours() };
      return refusedAs(async () => {
        const id = await reportAssistance(tx, input, speakerId, rules, now);
        const opened = await loadAssistanceCase(tx, id);
        return { ok: true, id, dueAt: opened?.dueAt ?? null };
      });
    },
  };
}
