import { LISTED_HOUSEHOLDS } from '../src/visits/visits.js';
/** A household named by a liaison's words: its house number, its head's name, or its code. */
function householdNamed(households, text) {
    const words = text.trim();
    if (!words)
        return undefined;
    return (households.find((h) => h.code === words || h.headName === words || h.address === words) ??
        households.find((h) => h.address.includes(words) || words.includes(h.headName) || words.includes(h.address)));
}
/** How a household is named to its liaison: its address and its head. */
export const householdLabel = (h) => `${h.address} ${h.headName}`;
/** Offers the speaker's paired households (the first LISTED_HOUSEHOLDS as buttons) with `question`; false when they have none. */
export async function offerHouseholds(ctx, question) {
    const households = await ctx.effects.visits.households();
    if (!households.length) {
        ctx.say('visit.no_households');
        return false;
    }
    const listed = households.slice(0, LISTED_HOUSEHOLDS);
    const choices = listed.map((h) => ({ label: { text: householdLabel(h) }, payload: `household:${h.id}` }));
    ctx.say(question, {}, choices);
    if (households.length > listed.length)
        ctx.say('visit.more_households', { count: households.length, shown: listed.length });
    return true;
}
/**
 * The paired household the message picks (tapped, or named in words); null when the
 * speaker has none; undefined after saying that none matched.
 */
export async function pickedHousehold(ctx) {
    const households = await ctx.effects.visits.households();
    if (!households.length)
        return null;
    const action = ctx.input.action;
    const picked = action?.startsWith('household:') ? households.find((h) => h.id === Number(action.slice('household:'.length))) : householdNamed(households, ctx.input.text);
    if (!picked)
        ctx.say('visit.no_such_household', { text: ctx.input.text || (action ?? '') });
    return picked;
}
