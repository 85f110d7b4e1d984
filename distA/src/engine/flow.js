/** The longest text a person may send in one message. */
export const MAX_TEXT = 2000;
/** Below this confidence the matcher's guess is not proposed (the full list is offered), and a text is not taken for a new request. */
export const CONFIDENT = 0.5;
/** Text that carries words (not only emoji, punctuation or symbols). */
export function hasWords(text) {
    return /[\p{L}\p{N}]/u.test(text);
}
/**
 * Declares a flow. A new flow is one file (this call) plus its message keys: its data's
 * schema, its steps, its typed words and menu buttons, and the ticket buttons that open
 * it; the registry (flows.ts) lists it.
 */
export function defineFlow(spec) {
    const steps = spec.steps;
    return { id: spec.id, data: spec.data, first: spec.first, steps, entries: spec.entries ?? [], buttons: spec.buttons ?? [], expires: spec.expires ?? true };
}
export function stepRef(flow, step) {
    return { flow: flow.id, step };
}
/** The outcome that starts `flow` with `data` (checked by its schema's type), at its first step or at `at`. */
export function startOf(flow, data, at) {
    return { start: { flow: flow.id, data, ...(at === undefined ? {} : { at }) } };
}
/** A rating choice's payload names it. */
export function isRating(value) {
    return value === 'satisfied' || value === 'basically_satisfied' || value === 'dissatisfied';
}
/** Whether the speaker handles tickets (a queue of their own): a liaison, a grid leader, a department's handler. */
export function handlesTickets(speaker) {
    return speaker.roles.some((r) => r === 'liaison' || r === 'grid_leader' || r === 'department_handler');
}
