/**
 * The pure parts of the Telegram channel: a Bot API update → our `Inbound` (or the reason
 * it is declined), choices → inline keyboard rows, and a failed Bot API call → a
 * `DeliveryResult`. Nothing here touches the network, so all of it is tested on fixtures.
 */
import { GrammyError, HttpError } from 'grammy';
function isPrivate(chat) {
    return chat.type === 'private';
}
/** `/start@MinqingBot args` → `/start args` (Telegram adds the bot's name to commands in some clients). */
function plainCommand(text) {
    return text.replace(/^(\/\w+)@\w+/, '$1');
}
/**
 * Turns one Bot API update into an Inbound. Private chats only; a re-delivered update
 * gives the same `messageId` (`m:CHAT:MESSAGE` or `cb:CALLBACK`), which the engine dedupes.
 */
export function parseUpdate(update) {
    const query = update.callback_query;
    if (query) {
        const chat = query.message?.chat;
        if (!chat)
            return { ok: false, reason: 'unsupported' };
        const chatId = String(chat.id);
        if (!isPrivate(chat))
            return { ok: false, reason: 'not_private', chatId, ...lang(query.from.language_code) };
        if (query.data === undefined)
            return { ok: false, reason: 'unsupported', chatId };
        return {
            ok: true,
            inbound: {
                channel: 'telegram',
                chatId,
                senderId: String(query.from.id),
                messageId: `cb:${query.id}`,
                action: query.data,
                senderName: query.from.first_name,
            },
        };
    }
    const edited = update.edited_message ?? update.edited_channel_post;
    if (edited)
        return { ok: false, reason: 'edited', chatId: String(edited.chat.id) };
    if (update.channel_post)
        return { ok: false, reason: 'not_private', chatId: String(update.channel_post.chat.id) };
    const message = update.message;
    if (!message)
        return { ok: false, reason: 'ignored' };
    const chatId = String(message.chat.id);
    if (!isPrivate(message.chat)) {
        // Service messages (the bot added, a member left) get no notice: only someone speaking does.
        const speaks = message.text !== undefined || message.photo !== undefined || message.voice !== undefined || message.audio !== undefined || message.location !== undefined;
        return { ok: false, reason: speaks ? 'not_private' : 'ignored', chatId, ...lang(message.from?.language_code) };
    }
    const base = {
        channel: 'telegram',
        chatId,
        senderId: String(message.from?.id ?? message.chat.id),
        messageId: `m:${chatId}:${message.message_id}`,
        ...(message.from?.first_name ? { senderName: message.from.first_name } : {}),
    };
    if (message.text !== undefined)
        return { ok: true, inbound: { ...base, text: plainCommand(message.text) } };
    if (message.photo?.length) {
        // Telegram sends every size; the last is the largest, but pick by area to be sure.
        const largest = message.photo.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
        return {
            ok: true,
            inbound: {
                ...base,
                media: [{ kind: 'photo', ref: largest.file_id }],
                ...(message.caption ? { text: message.caption } : {}),
            },
        };
    }
    // A voice note (recorded in Telegram, OGG/Opus) or an audio file sent from the phone.
    const sound = message.voice ?? message.audio;
    if (sound) {
        return {
            ok: true,
            inbound: {
                ...base,
                media: [{ kind: 'voice', ref: sound.file_id }],
                ...(message.caption ? { text: message.caption } : {}),
            },
        };
    }
    // A venue (a place picked from the map's list) comes with its location; its name is the label.
    if (message.venue) {
        const { location, title, address } = message.venue;
        const label = [title, address]
            .map((part) => part.trim())
            .filter(Boolean)
            .join(' ');
        return { ok: true, inbound: { ...base, location: { latitude: location.latitude, longitude: location.longitude, ...(label ? { label } : {}) } } };
    }
    if (message.location) {
        const { latitude, longitude } = message.location;
        return { ok: true, inbound: { ...base, location: { latitude, longitude } } };
    }
    return { ok: false, reason: 'unsupported', chatId };
}
function lang(code) {
    return code ? { languageCode: code } : {};
}
/** Labels longer than this get a row each; shorter ones share rows of up to three. */
export const LONG_LABEL = 12;
/** Lays choices out as inline keyboard rows: one per row when any label is long, else up to 3 per row. */
export function keyboardRows(choices) {
    const perRow = choices.some((c) => [...c.label].length > LONG_LABEL) ? 1 : 3;
    const rows = [];
    for (let i = 0; i < choices.length; i += perRow)
        rows.push(choices.slice(i, i + perRow));
    return rows;
}
/**
 * What a failed Bot API call means for the outbox: a rate limit waits as long as Telegram
 * says; a blocked bot, a deactivated user or an unknown chat cannot be reached; anything
 * else (server errors, network failures, surprises) is tried again later.
 */
export function deliveryResultOf(error) {
    if (error instanceof GrammyError) {
        const what = `${error.error_code}: ${error.description}`;
        if (error.error_code === 429) {
            const after = error.parameters.retry_after;
            return after === undefined ? { status: 'retry', error: what } : { status: 'retry', error: what, retryAfterMs: after * 1000 };
        }
        if (error.error_code === 403)
            return { status: 'unreachable', error: what };
        if (error.error_code === 400 && /chat not found/i.test(error.description))
            return { status: 'unreachable', error: what };
        return { status: 'retry', error: what };
    }
    if (error instanceof HttpError)
        return { status: 'retry', error: `network: ${error.message}` };
    return { status: 'retry', error: error instanceof Error ? error.message : String(error) };
}
/** Whether a media ref is something the Bot API can fetch: an http(s) URL or a Telegram file id. */
export function isSendablePhoto(ref) {
    return /^https?:\/\//i.test(ref) || /^[A-Za-z0-9_-]{20,}$/.test(ref);
}
/**
 * The Bot API method for a voice note of this type: OGG/Opus shows as a voice message
 * (sendVoice), MP3 and M4A as a playable audio file (sendAudio); the rest (the web page's
 * WebM, WAV, AMR, WeChat's SILK, bare AAC) go as a file (sendDocument), which Telegram
 * delivers whatever it holds.
 */
export function voiceMethodOf(type) {
    // A type ('ogg'), a file name or a URL (its query and fragment left off).
    const ext = type
        .toLowerCase()
        .replace(/[?#].*$/, '')
        .replace(/^.*\./, '');
    if (ext === 'ogg' || ext === 'oga' || ext === 'opus')
        return 'sendVoice';
    if (ext === 'mp3' || ext === 'm4a')
        return 'sendAudio';
    return 'sendDocument';
}
