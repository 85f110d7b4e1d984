/**
 * The settings of the 三率 ranking 红黑榜: the weight of each term of the score, the
 * smallest sample that is ranked, and whether the public board shows the ranking.
 *
 * Per region, inherited from the region above like the visit rules (src/visits/coverage.ts):
 * the county's setting is everyone's default, a township may set its own. A field left
 * unset (null) is as the region above; at the top, the defaults below.
 *
 * Defaults (practice-rules.md, "The 三率 and monthly ranking"): 响应率 0.1, 解决率 0.5,
 * 满意率 0.4, the one 12345 formula found; the other terms off until a county weighs them.
 * Five tickets in the month before an entity is ranked: the usual small-cell threshold of
 * published statistics (counts under five are withheld). One ticket still moves a rate of
 * five by twenty points, so every rate is printed with its parts (4/5). The public board shows the ranking by default, as 榆林 publishes
 * its 红黑榜 every month; it names villages and departments, public bodies, never a person.
 */
import { z } from 'zod';
/** The terms of the score: the positive ones, then the negative ones. */
export const POSITIVE_TERMS = ['response', 'resolution', 'satisfaction', 'onTime', 'oneTime', 'coverage'];
export const NEGATIVE_TERMS = ['returned', 'reopened'];
export const TERMS = [...POSITIVE_TERMS, ...NEGATIVE_TERMS];
/** Each term's name, Chinese and English. */
export const TERM_NAMES = {
    response: { zh: '响应率', en: 'Response rate' },
    resolution: { zh: '解决率', en: 'Resolution rate' },
    satisfaction: { zh: '满意率', en: 'Satisfaction rate' },
    onTime: { zh: '按时办结率', en: 'On-time rate' },
    oneTime: { zh: '一次办结率', en: 'One-time resolution rate' },
    coverage: { zh: '走访覆盖率', en: 'Visit coverage' },
    returned: { zh: '回退率', en: 'Return rate' },
    reopened: { zh: '重办率', en: 'Reopen rate' },
};
export const DEFAULT_WEIGHTS = Object.freeze({
    response: 0.1,
    resolution: 0.5,
    satisfaction: 0.4,
    onTime: 0,
    oneTime: 0,
    coverage: 0,
    returned: 0,
    reopened: 0,
});
/** An entity with fewer tickets received in the month is listed, not ranked (the default). */
export const DEFAULT_MIN_TICKETS = 5;
/** Whether the public board shows the ranking where no region says (see the module's comment). */
export const DEFAULT_PUBLIC_RANKING = true;
const weight = z.number().min(0).max(1);
/**
 * Valid weights: every term between 0 and 1 with at most two decimals, the positive ones
 * summing to 1 (so a score is out of 100 and reads as a rate); a negative term takes off
 * its weight times its rate, in points of 100.
 */
const weightsSchema = z
    .object(Object.fromEntries(TERMS.map((t) => [t, weight])))
    .strict()
    .refine((w) => TERMS.every((t) => Math.abs(w[t] * 100 - Math.round(w[t] * 100)) < 1e-9), { message: '权重最多保留两位小数。 Weights have at most two decimals.' })
    .refine((w) => Math.abs(POSITIVE_TERMS.reduce((sum, t) => sum + w[t], 0) - 1) < 1e-9, {
    message: '正向指标（响应率、解决率、满意率、按时办结率、一次办结率、走访覆盖率）的权重之和须为 1。 The positive weights must add up to 1.',
});
const minTicketsSchema = z
    .number()
    .int('最少件数须为整数。 The minimum must be a whole number.')
    .min(1, '最少件数至少为 1。 At least 1.')
    .max(1000, '最少件数不超过 1000。 At most 1000.');
/**
 * Reads the console's settings form: the eight weights (decimals, "0.5"), the minimum
 * sample, the public-board switch (`on` / `off` / `inherit`); `inherit=1` clears the
 * region's own weights and minimum, so it is as the region above again.
 */
export function parseSettingsForm(form) {
    const board = form.publicBoard === 'on' ? true : form.publicBoard === 'off' ? false : null;
    if (form.inherit === '1')
        return { ok: true, stored: { weights: null, minTickets: null, publicBoard: board } };
    const problems = [];
    const raw = {};
    for (const t of TERMS) {
        const text = (form[t] ?? '').trim() || '0';
        const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
        if (Number.isNaN(value))
            problems.push(`${TERM_NAMES[t].zh}的权重“${text}”不是 0 到 1 之间的数。 The weight of ${TERM_NAMES[t].en} is not a number between 0 and 1.`);
        raw[t] = value;
    }
    const minText = (form.minTickets ?? '').trim();
    const min = minTicketsSchema.safeParse(/^\d+$/.test(minText) ? Number(minText) : Number.NaN);
    if (!min.success)
        problems.push(`最少件数“${minText}”不对：${min.error.issues[0]?.message ?? ''}`);
    if (problems.length)
        return { ok: false, problems };
    const weights = weightsSchema.safeParse(raw);
    if (!weights.success) {
        return {
            ok: false,
            problems: weights.error.issues.map((issue) => issue.code === 'too_big' || issue.code === 'too_small' ? `${TERM_NAMES[issue.path[0]].zh}的权重须在 0 到 1 之间。 Each weight is between 0 and 1.` : issue.message),
        };
    }
    return { ok: true, stored: { weights: JSON.stringify(weights.data), minTickets: min.data, publicBoard: board } };
}
/** Stored weights, or null when the text is not valid weights (then the region above's apply). */
function storedWeights(text) {
    if (text === null)
        return null;
    try {
        const parsed = weightsSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : null;
    }
    catch {
        return null;
    }
}
/** The settings of `regionId`, each field from the nearest region up the tree that sets it. */
export async function rankingSettings(db, regions, regionId) {
    const rows = new Map((await db.rankingSettings.findMany()).map((r) => [r.regionId, r]));
    let weights = null;
    let minTickets = null;
    let publicBoard = null;
    let at = regions.get(regionId);
    // The depth bound guards against a cycle in bad data.
    for (let depth = 0; at && depth < 16; depth++) {
        const row = rows.get(at.id);
        weights ??= storedWeights(row?.weights ?? null);
        minTickets ??= row?.minTickets ?? null;
        publicBoard ??= row?.publicBoard ?? null;
        at = at.parentId === null ? undefined : regions.get(at.parentId);
    }
    return { weights: weights ?? { ...DEFAULT_WEIGHTS }, minTickets: minTickets ?? DEFAULT_MIN_TICKETS, publicBoard: publicBoard ?? DEFAULT_PUBLIC_RANKING };
}
/** What a region sets itself (null fields: as the region above). */
export async function ownSettings(db, regionId) {
    const row = await db.rankingSettings.findUnique({ where: { regionId } });
    return { weights: storedWeights(row?.weights ?? null), minTickets: row?.minTickets ?? null, publicBoard: row?.publicBoard ?? null };
}
/** Stores a region's settings (parsed by {@link parseSettingsForm}). */
export async function saveSettings(db, regionId, stored, byPersonId) {
    const data = { ...stored, updatedById: byPersonId };
    await db.rankingSettings.upsert({ where: { regionId }, create: { regionId, ...data }, update: data });
}
