/**
 * Resident flows: report a request, follow one's requests, add information, withdraw,
 * rate. Data only: effects come from the engine.
 */
import { normalizePhone } from '../src/org/phone.js';
import { CATEGORY_CODES } from '../src/pipeline/states.js';
import { CONFIDENT, hasWords, isRating, MAX_TEXT } from '../src/engine/flow.js';
import { formatInstant, isMessageKey, render } from '../src/engine/i18n.js';
import { mediaKindOf } from '../src/engine/media.js';
const SKIP = { label: 'choice.skip', payload: 'skip' };
function categoryChoices() {
    return CATEGORY_CODES.map((code) => ({ label: `category.${code}`, payload: `category:${code}` }));
}
/** Whether the text is a usable answer (words, within the limit); if not, says why and stays. */
export function refuseText(ctx) {
    const text = ctx.input.text;
    if (!text) {
        ctx.say('input.empty');
        return { stay: true };
    }
    if (text.length > MAX_TEXT) {
        ctx.say('input.too_long', { max: MAX_TEXT, length: text.length });
        return { stay: true };
    }
    if (!hasWords(text)) {
        ctx.say('input.no_words');
        return { stay: true };
    }
    return null;
}
/** A free-text answer kept as `field`: words, within the limit; otherwise say why and stay. */
function textAnswer(ctx, field) {
    const refused = refuseText(ctx);
    if (!refused)
        ctx.data[field] = ctx.input.text;
    return refused;
}
/** Photos and voice notes sent during a report go with it (at most nine). */
function keepMedia(ctx) {
    const kept = ctx.data['photos'] ?? [];
    ctx.data['photos'] = [...kept, ...ctx.input.media.map((m) => m.ref)].slice(0, 9);
}
/** A report's data once its description is known: the matcher's guess goes with it. */
function described(ctx, description) {
    const guess = ctx.effects.classify(description);
    return { description, categoryCode: guess.code, kind: guess.kind, confidence: guess.confidence };
}
export const reportFlow = {
    id: 'report',
    first: 'describe',
    steps: {
        describe: {
            ask: (ctx) => ctx.say('report.describe'),
            answer(ctx) {
                const { media, text } = ctx.input;
                if (media.length)
                    keepMedia(ctx);
                if (!text && media.some((m) => m.kind === 'voice')) {
                    // The bot cannot listen: the voice note goes with the request to the handler,
                    // and the resident picks the category from the list.
                    Object.assign(ctx.data, { description: render(ctx.speaker.locale, 'report.voice_description'), categoryCode: 'other', kind: 'help', confidence: 0 });
                    ctx.say('report.voice_received');
                    return { next: 'category' };
                }
                if (!text && media.length) {
                    ctx.say('report.photo_first');
                    return { stay: true };
                }
                const refused = refuseText(ctx);
                if (refused)
                    return refused;
                Object.assign(ctx.data, described(ctx, text));
                return { next: 'category' };
            },
        },
        category: {
            takes: 'choice',
            ask(ctx) {
                const code = String(ctx.data['categoryCode']);
                if (Number(ctx.data['confidence']) >= CONFIDENT && code !== 'other') {
                    ctx.say('report.category_guess', { category: code }, [
                        { label: 'choice.yes', payload: 'yes' },
                        { label: 'report.other_category', payload: 'pick' },
                    ]);
                }
                else {
                    ctx.say('report.category_pick', {}, categoryChoices());
                }
            },
            answer(ctx) {
                const action = ctx.input.action;
                if (action === 'yes')
                    return { next: 'location' };
                if (action === 'pick') {
                    ctx.say('report.category_pick', {}, categoryChoices());
                    return { stay: true };
                }
                const picked = action?.startsWith('category:') ? action.slice('category:'.length) : null;
                if (picked && CATEGORY_CODES.includes(picked)) {
                    ctx.data['categoryCode'] = picked;
                    return { next: 'location' };
                }
                ctx.say('input.pick_a_choice');
                return { stay: true };
            },
        },
        location: {
            async ask(ctx) {
                const villages = await ctx.effects.villages();
                const choices = villages.map((v) => ({ label: { text: v.name }, payload: `village:${v.id}` }));
                if (ctx.speaker.hasHousehold)
                    choices.unshift({ label: 'report.at_home', payload: 'home' });
                ctx.say('report.location', {}, choices);
            },
            async answer(ctx) {
                const { action, location, text } = ctx.input;
                if (action === 'home' && ctx.speaker.hasHousehold) {
                    ctx.data['regionId'] = null;
                    return { next: 'photo' };
                }
                if (action?.startsWith('village:')) {
                    const id = Number(action.slice('village:'.length));
                    const village = (await ctx.effects.villages()).find((v) => v.id === id);
                    if (village) {
                        ctx.data['regionId'] = id;
                        ctx.data['place'] = village.name;
                        return { next: 'landmark' };
                    }
                }
                if (location) {
                    ctx.data['location'] = location.label ?? null;
                    if (location.latitude !== undefined && location.longitude !== undefined) {
                        ctx.data['latitude'] = location.latitude;
                        ctx.data['longitude'] = location.longitude;
                    }
                    if (ctx.speaker.hasHousehold)
                        return { next: 'photo' };
                    // Coordinates do not say which village (villages have no coordinates yet): ask it.
                    ctx.say('report.location_village', {}, (await ctx.effects.villages()).map((v) => ({ label: { text: v.name }, payload: `village:${v.id}` })));
                    return { stay: true };
                }
                else if (text && !action) {
                    // A typed place: is it one of the villages?
                    const match = (await ctx.effects.villages()).find((v) => text.includes(v.name));
                    if (match) {
                        ctx.data['regionId'] = match.id;
                        // The typed text names the village already; keep it whole as the location.
                        ctx.data['place'] = text === match.name ? match.name : null;
                        ctx.data['location'] = text === match.name ? null : text.slice(0, 200);
                        return { next: 'photo' };
                    }
                }
                ctx.say('report.location_unknown');
                return { stay: true };
            },
        },
        landmark: {
            ask: (ctx) => ctx.say('report.landmark', {}, [SKIP]),
            answer(ctx) {
                if (ctx.input.action === 'skip')
                    return { next: 'photo' };
                const shared = ctx.input.location;
                if (shared?.latitude !== undefined && shared.longitude !== undefined) {
                    // The spot itself, shared from the phone: a map link for the handler.
                    ctx.data['latitude'] = shared.latitude;
                    ctx.data['longitude'] = shared.longitude;
                }
                if (shared?.label)
                    ctx.data['location'] = shared.label;
                else if (!shared) {
                    const refused = textAnswer(ctx, 'location');
                    if (refused)
                        return refused;
                }
                return { next: 'photo' };
            },
        },
        photo: {
            ask: (ctx) => ctx.say('report.photo', {}, [SKIP]),
            answer(ctx) {
                if (ctx.input.media.length) {
                    keepMedia(ctx);
                    return { next: 'phone' };
                }
                if (ctx.input.action === 'skip')
                    return { next: 'phone' };
                // More words about the matter: kept with the description, as a clerk would note them.
                const text = ctx.input.text;
                if (text && hasWords(text) && String(ctx.data['description']).length + text.length < MAX_TEXT) {
                    ctx.data['description'] = `${String(ctx.data['description'])}\n${text}`;
                    ctx.say('report.description_added', {}, [SKIP]);
                    return { stay: true };
                }
                ctx.say('report.photo_or_skip', {}, [SKIP]);
                return { stay: true };
            },
        },
        phone: {
            ask(ctx) {
                const choices = [SKIP];
                if (ctx.speaker.householdPhone)
                    choices.unshift({ label: 'report.use_registered_phone', payload: 'registered' });
                ctx.say('report.phone', {}, choices);
            },
            answer(ctx) {
                if (ctx.input.action === 'skip')
                    return { next: 'confirm' };
                if (ctx.input.action === 'registered' && ctx.speaker.householdPhone) {
                    ctx.data['contactPhone'] = ctx.speaker.householdPhone;
                    return { next: 'confirm' };
                }
                const phone = normalizePhone(ctx.input.text);
                if (!phone) {
                    ctx.say('input.bad_phone');
                    return { stay: true };
                }
                ctx.data['contactPhone'] = phone;
                return { next: 'confirm' };
            },
        },
        confirm: {
            takes: 'choice',
            ask(ctx) {
                ctx.say('report.confirm', {
                    category: String(ctx.data['categoryCode']),
                    description: String(ctx.data['description']).slice(0, 200),
                    location: [ctx.data['place'], ctx.data['location']].filter((part) => typeof part === 'string' && part !== '').join(' ') ||
                        null,
                    phone: typeof ctx.data['contactPhone'] === 'string' ? ctx.data['contactPhone'] : null,
                    photos: (ctx.data['photos'] ?? []).filter((ref) => mediaKindOf(ref) === 'photo').length,
                    voices: (ctx.data['photos'] ?? []).filter((ref) => mediaKindOf(ref) === 'voice').length || null,
                }, [
                    { label: 'choice.submit', payload: 'submit' },
                    { label: 'choice.cancel', payload: 'cancel' },
                ]);
            },
            async answer(ctx) {
                if (ctx.input.action === 'cancel') {
                    ctx.say('session.cancelled');
                    return { done: true };
                }
                if (ctx.input.action !== 'submit') {
                    ctx.say('input.pick_a_choice');
                    return { stay: true };
                }
                const description = String(ctx.data['description']);
                const result = await ctx.effects.report({
                    summary: description.length > 60 ? `${description.slice(0, 60)}…` : description,
                    description,
                    categoryCode: String(ctx.data['categoryCode']),
                    kind: ctx.data['kind'] ?? 'help',
                    regionId: ctx.data['regionId'] ?? null,
                    location: ctx.data['location'] ?? null,
                    photos: ctx.data['photos'] ?? [],
                    contactPhone: ctx.data['contactPhone'] ?? null,
                    latitude: typeof ctx.data['latitude'] === 'number' ? ctx.data['latitude'] : null,
                    longitude: typeof ctx.data['longitude'] === 'number' ? ctx.data['longitude'] : null,
                });
                if (!result.ok) {
                    ctx.say('report.failed', { reason: result.text });
                    return { done: true };
                }
                ctx.say('report.done', { number: result.number, handler: result.handler, resolveBy: result.resolveBy?.toISOString() ?? null });
                return { done: true };
            },
        },
    },
};
/** Lists the speaker's requests (or, for a handler, their queue) and opens one. */
export const listFlow = {
    id: 'list',
    first: 'list',
    steps: {
        list: {
            takes: 'view',
            async ask(ctx) {
                const scope = ctx.data['scope'] === 'assigned' ? 'assigned' : 'own';
                const tickets = await ctx.effects.myTickets(scope);
                if (!tickets.length) {
                    ctx.say(scope === 'own' ? 'list.none' : 'queue.none');
                    return;
                }
                ctx.say(scope === 'own' ? 'list.title' : 'queue.title', { count: tickets.length }, tickets.slice(0, 10).map((t) => ({
                    label: { text: `${t.number} 【${render(ctx.speaker.locale, `state.${t.state}`)}】${t.summary.slice(0, 16)}` },
                    payload: `view:${t.number}`,
                })));
            },
            answer(ctx) {
                const action = ctx.input.action;
                if (action?.startsWith('view:'))
                    return { start: 'view', data: { number: action.slice('view:'.length) } };
                return { done: true };
            },
        },
    },
};
/** One ticket: its state and history, and what the viewer may do with it. */
export const viewFlow = {
    id: 'view',
    first: 'show',
    steps: {
        show: {
            takes: 'view',
            async ask(ctx) {
                const number = String(ctx.data['number']);
                const view = await ctx.effects.ticket(number);
                if (!view) {
                    ctx.say('ticket.not_found', { number });
                    return;
                }
                const locale = ctx.speaker.locale;
                const history = view.history
                    .slice(-8)
                    .map((h) => {
                    const what = isMessageKey(`event.${h.type}`) ? render(locale, `event.${h.type}`) : h.type;
                    // A note that is a code (归档: rated) reads as words.
                    const note = h.note && isMessageKey(`reason.${h.note}`) ? render(locale, `reason.${h.note}`) : h.note;
                    return `· ${formatInstant(h.at, locale)} ${what}${note ? `：${note}` : ''}`;
                })
                    .join('\n');
                const choices = [];
                if (view.can.supply)
                    choices.push({ label: 'action.supply_info', payload: `supply:${number}` });
                if (view.can.rate)
                    choices.push({ label: 'action.rate', payload: `rate:${number}` });
                if (view.can.withdraw)
                    choices.push({ label: 'action.withdraw', payload: `withdraw:${number}` });
                if (view.can.handle) {
                    choices.push({ label: 'action.progress', payload: `handle:${number}:progress` }, { label: 'action.resolve', payload: `handle:${number}:resolve` }, { label: 'action.request_info', payload: `handle:${number}:request_info` }, { label: 'action.request_extension', payload: `handle:${number}:request_extension` }, { label: 'action.escalate', payload: `handle:${number}:escalate` });
                }
                ctx.say('ticket.view', {
                    number,
                    summary: view.summary,
                    state: view.state,
                    category: view.categoryCode,
                    place: view.place,
                    map: view.map,
                    phone: view.phone,
                    note: view.dispatchNote,
                    resolveBy: view.resolveBy?.toISOString() ?? null,
                    history,
                }, choices, view.media);
            },
            // Actions on the ticket are global (they work from any message); anything else ends the view.
            answer: () => ({ done: true }),
        },
    },
};
/** 补充材料: the resident answers a request for information. */
export const supplyFlow = {
    id: 'supply',
    first: 'text',
    steps: {
        text: {
            ask: (ctx) => ctx.say('supply.ask', { number: String(ctx.data['number']) }),
            async answer(ctx) {
                const photos = ctx.input.media.map((m) => m.ref);
                if (!photos.length) {
                    const refused = textAnswer(ctx, 'text');
                    if (refused)
                        return refused;
                }
                const result = await ctx.effects.command(String(ctx.data['number']), { type: 'supply_info', text: ctx.input.text, photos });
                ctx.say(result.ok ? 'supply.done' : 'command.refused', result.ok ? { number: String(ctx.data['number']) } : { reason: result.text });
                return { done: true };
            },
        },
    },
};
/** 撤销: confirm, then withdraw. */
export const withdrawFlow = {
    id: 'withdraw',
    first: 'confirm',
    steps: {
        confirm: {
            takes: 'choice',
            ask: (ctx) => ctx.say('withdraw.confirm', { number: String(ctx.data['number']) }, [
                { label: 'choice.yes', payload: 'yes' },
                { label: 'choice.no', payload: 'no' },
            ]),
            async answer(ctx) {
                if (ctx.input.action === 'no')
                    return { done: true };
                if (ctx.input.action !== 'yes') {
                    ctx.say('input.pick_a_choice');
                    return { stay: true };
                }
                const result = await ctx.effects.command(String(ctx.data['number']), { type: 'withdraw' });
                if (!result.ok)
                    ctx.say('command.refused', { reason: result.text });
                return { done: true };
            },
        },
    },
};
/** 回访: 满意 / 基本满意 / 不满意, then an optional comment. */
export const rateFlow = {
    id: 'rate',
    first: 'rating',
    steps: {
        rating: {
            takes: 'choice',
            ask: (ctx) => ctx.say('rate.ask', { number: String(ctx.data['number']) }, [
                { label: 'rating.satisfied', payload: 'satisfied' },
                { label: 'rating.basically_satisfied', payload: 'basically_satisfied' },
                { label: 'rating.dissatisfied', payload: 'dissatisfied' },
            ]),
            answer(ctx) {
                const action = ctx.input.action ?? '';
                if (!isRating(action)) {
                    ctx.say('input.pick_a_choice');
                    return { stay: true };
                }
                ctx.data['rating'] = action;
                return { next: 'comment' };
            },
        },
        comment: {
            ask: (ctx) => ctx.say('rate.comment', {}, [SKIP]),
            async answer(ctx) {
                let comment;
                if (ctx.input.action !== 'skip') {
                    const refused = textAnswer(ctx, 'comment');
                    if (refused)
                        return refused;
                    comment = ctx.input.text;
                }
                const rating = String(ctx.data['rating']);
                if (!isRating(rating))
                    return { done: true };
                const result = await ctx.effects.command(String(ctx.data['number']), {
                    type: 'rate',
                    rating,
                    ...(comment ? { comment } : {}),
                });
                if (!result.ok)
                    ctx.say('command.refused', { reason: result.text });
                else
                    ctx.say(rating === 'dissatisfied' ? 'rate.thanks_reopened' : 'rate.thanks', { number: String(ctx.data['number']) });
                return { done: true };
            },
        },
    },
};
/** 绑定家庭: village, name, phone; the household's liaison confirms. */
export const registerFlow = {
    id: 'register',
    first: 'village',
    steps: {
        village: {
            async ask(ctx) {
                const villages = await ctx.effects.villages();
                ctx.say('register.village', {}, villages.map((v) => ({ label: { text: v.name }, payload: `village:${v.id}` })));
            },
            async answer(ctx) {
                const villages = await ctx.effects.villages();
                const action = ctx.input.action;
                const picked = action?.startsWith('village:')
                    ? villages.find((v) => v.id === Number(action.slice('village:'.length)))
                    : villages.find((v) => ctx.input.text && ctx.input.text.includes(v.name));
                if (!picked) {
                    ctx.say('input.pick_a_choice');
                    return { stay: true };
                }
                ctx.data['regionId'] = picked.id;
                return { next: 'name' };
            },
        },
        name: {
            ask: (ctx) => ctx.say('register.name'),
            answer(ctx) {
                const name = ctx.input.text;
                if (!name || !hasWords(name) || [...name].length > 20) {
                    ctx.say('register.bad_name');
                    return { stay: true };
                }
                ctx.data['name'] = name;
                return { next: 'phone' };
            },
        },
        phone: {
            ask: (ctx) => ctx.say('register.phone'),
            async answer(ctx) {
                const phone = normalizePhone(ctx.input.text);
                if (!phone) {
                    ctx.say('input.bad_phone');
                    return { stay: true };
                }
                const result = await ctx.effects.claimHousehold({ regionId: Number(ctx.data['regionId']), name: String(ctx.data['name']), phone });
                ctx.say(result.ok ? 'register.pending' : 'register.failed', result.ok ? {} : { reason: result.text });
                return { done: true };
            },
        },
    },
};
/**
 * Staff and liaisons' free text is not assumed to be a request (it is often meant for a
 * ticket of theirs): they are asked first; yes starts the report with the text as its
 * description.
 */
export const offerReportFlow = {
    id: 'offer_report',
    first: 'offer',
    steps: {
        offer: {
            takes: 'choice',
            ask: (ctx) => ctx.say('report.offer', { text: String(ctx.data['text']).slice(0, 40) }, [
                { label: 'choice.yes', payload: 'yes' },
                { label: 'choice.no', payload: 'no' },
            ]),
            answer(ctx) {
                if (ctx.input.action === 'yes')
                    return { start: 'report', data: { ...described(ctx, String(ctx.data['text'])), _step: 'category' } };
                if (ctx.input.action === 'no')
                    return { done: true };
                ctx.say('input.pick_a_choice');
                return { stay: true };
            },
        },
    },
};
