import { render } from '../src/engine/i18n.js';
import { refuseText } from './resident.js';
/** The handling actions that take a text, with the question each asks. */
export const HANDLE_ACTIONS = {
    progress: 'handle.ask_progress',
    resolve: 'handle.ask_resolve',
    request_info: 'handle.ask_request_info',
    request_extension: 'handle.ask_extension_reason',
    escalate: 'handle.ask_escalate',
    return: 'handle.ask_return',
};
export function isHandleAction(value) {
    return Object.hasOwn(HANDLE_ACTIONS, value);
}
function commandFor(action, text, photos, days) {
    switch (action) {
        case 'progress':
            return { type: 'progress', note: text, photos };
        case 'resolve':
            return { type: 'resolve', result: text, photos };
        case 'request_info':
            return { type: 'request_info', question: text };
        case 'request_extension':
            return { type: 'request_extension', days, reason: text };
        case 'escalate':
            return { type: 'escalate', reason: text };
        case 'return':
            return { type: 'return', reason: text };
    }
}
/** What a message with only media says instead of words: see the photo, the voice note, or both. */
function seeMedia(kinds) {
    const photo = kinds.includes('photo');
    const voice = kinds.includes('voice');
    return photo && voice ? 'handle.see_media' : voice ? 'handle.see_voice' : 'handle.see_photo';
}
async function submit(ctx) {
    const action = String(ctx.data['action']);
    if (!isHandleAction(action))
        return { done: true };
    const number = String(ctx.data['number']);
    const photos = (ctx.data['photos'] ?? []).slice(0, 9);
    const result = await ctx.effects.command(number, commandFor(action, typeof ctx.data['text'] === 'string' ? ctx.data['text'] : '', photos, Number(ctx.data['days'] ?? 0)));
    ctx.say(result.ok ? `handle.done_${action}` : 'command.refused', result.ok ? { number } : { reason: result.text });
    return { done: true };
}
export const handleFlow = {
    id: 'handle',
    first: 'text',
    steps: {
        text: {
            ask(ctx) {
                const action = String(ctx.data['action']);
                if (isHandleAction(action))
                    ctx.say(HANDLE_ACTIONS[action], { number: String(ctx.data['number']) });
            },
            async answer(ctx) {
                const action = String(ctx.data['action']);
                const photos = ctx.input.media.map((m) => m.ref);
                // Progress and results may be a photo alone.
                const photoOnly = photos.length > 0 && (action === 'progress' || action === 'resolve');
                if (!photoOnly) {
                    const refused = refuseText(ctx);
                    if (refused)
                        return refused;
                }
                ctx.data['text'] = ctx.input.text || render(ctx.speaker.locale, seeMedia(ctx.input.media.map((m) => m.kind)));
                ctx.data['photos'] = photos;
                if (action === 'request_extension')
                    return { next: 'days' };
                return submit(ctx);
            },
        },
        days: {
            ask: (ctx) => ctx.say('handle.ask_extension_days', {}, [1, 2, 3, 5, 10].map((d) => ({ label: { text: String(d) }, payload: `days:${d}` }))),
            answer(ctx) {
                const raw = ctx.input.action?.startsWith('days:') ? ctx.input.action.slice(5) : ctx.input.text;
                const days = Number(raw.replace(/[天日\s]/g, ''));
                if (!Number.isInteger(days) || days < 1 || days > 30) {
                    ctx.say('handle.bad_days');
                    return { stay: true };
                }
                ctx.data['days'] = days;
                return submit(ctx);
            },
        },
    },
};
