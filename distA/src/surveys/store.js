/**
 * A survey as it is stored: its kinds and states, its audience, and the one way it is
 * written (a staff draft, a round the scheduler starts, the demo's).
 */
import { z } from 'zod';
import { sqlOf } from '../db/client.js';
import { defineQuery, first } from '../db/sql.js';
import { questionsSchema } from './questions.js';
export const SURVEY_KINDS = ['survey', 'appraisal'];
export const SURVEY_STATES = ['draft', 'scheduled', 'sending', 'sent', 'closed'];
/** Who a survey goes to, inside its region: households of these places or grids; both empty: every household of the region. */
export const audienceSchema = z.object({
    regionIds: z.array(z.number().int().positive()).default([]),
    gridIds: z.array(z.number().int().positive()).default([]),
    /** Only households paired with a liaison (包户). */
    pairedOnly: z.boolean().default(false),
});
/** A survey's stored questions, read back (a survey is written only through `questionsSchema`). */
export function questionsOf(json) {
    return questionsSchema.parse(JSON.parse(json));
}
const insertSurveyQuery = defineQuery('survey_insert', (db, p) => db
    .insertInto('Survey')
    .values({
    regionId: p.regionId,
    title: p.title,
    titleEn: p.titleEn,
    kind: p.kind,
    questions: p.questions,
    audience: p.audience,
    status: p.status,
    sendAt: p.sendAt,
    sentAt: p.sentAt,
    remindAfterDays: p.remindAfterDays,
    remindedAt: p.remindedAt,
    roundKey: p.roundKey,
    createdById: p.by,
    createdAt: p.at,
    updatedAt: p.at,
})
    .onConflict((oc) => oc.column('roundKey').doNothing())
    .returning('id'));
/** Writes a survey; returns its id, or null when a round with its `roundKey` is there already. */
export async function writeSurvey(db, draft) {
    const row = await first(sqlOf(db), insertSurveyQuery, {
        regionId: draft.regionId,
        title: draft.title,
        titleEn: draft.titleEn,
        kind: draft.kind,
        questions: JSON.stringify(draft.questions),
        audience: JSON.stringify(audienceSchema.parse(draft.audience)),
        status: draft.status ?? 'draft',
        sendAt: draft.sendAt ?? null,
        sentAt: draft.sentAt ?? null,
        remindAfterDays: draft.remindAfterDays ?? 3,
        remindedAt: draft.remindedAt ?? null,
        roundKey: draft.roundKey ?? null,
        by: draft.createdById,
        at: draft.at,
    });
    return row?.id ?? null;
}
