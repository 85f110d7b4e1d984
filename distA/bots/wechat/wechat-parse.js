/** The ref of a received image or voice message until the adapter has stored it: `wechat-message:<message id>`. */
export const MESSAGE_REF_PREFIX = 'wechat-message:';
/**
 * Turns one WeChat message into an Inbound. Private messages are the conversation with
 * their sender; a room message counts only in an intake room and when it @-mentions the
 * bot, and then it joins the member's private conversation (chatId = the member's id),
 * so the bot's replies go to the member privately.
 */
export function parseMessage(message, options) {
    if (message.self)
        return { ok: false, reason: 'self' };
    let text = message.text;
    if (message.room) {
        const { topic, mentionsSelf } = message.room;
        if (!mentionsSelf || !options.roomIntake.includes(topic.trim()))
            return { ok: false, reason: 'room' };
        text = message.room.textWithoutMentions;
    }
    const base = {
        channel: 'wechat',
        chatId: message.talkerId,
        senderId: message.talkerId,
        messageId: message.id,
        ...(message.talkerName ? { senderName: message.talkerName } : {}),
    };
    if (message.kind === 'text') {
        const trimmed = (text ?? '').trim();
        if (!trimmed)
            return { ok: false, reason: 'unsupported' };
        return { ok: true, inbound: { ...base, text: trimmed } };
    }
    if (message.kind === 'image') {
        // A handle to the platform message: the adapter downloads the image and puts the
        // stored photo's URL in its place before the engine sees it.
        return { ok: true, inbound: { ...base, media: [{ kind: 'photo', ref: message.mediaUrl ?? `${MESSAGE_REF_PREFIX}${message.id}` }] } };
    }
    if (message.kind === 'voice') {
        // The same for a voice message (SILK or AMR, kept as it comes).
        return { ok: true, inbound: { ...base, media: [{ kind: 'voice', ref: `${MESSAGE_REF_PREFIX}${message.id}` }] } };
    }
    return { ok: false, reason: 'unsupported' };
}
/**
 * The length of a SILK v3 voice note in milliseconds (WeChat wants it with a voice message
 * it is sent): SILK packs 20 ms per frame, each frame behind its 2-byte little-endian
 * length, after the `#!SILK_V3` header (which WeChat prefixes with a 0x02 byte). Null
 * when the bytes are not SILK.
 */
export function silkDurationMs(bytes) {
    const start = bytes[0] === 0x02 ? 1 : 0;
    if (bytes.subarray(start, start + 9).toString('latin1') !== '#!SILK_V3')
        return null;
    let at = start + 9;
    let frames = 0;
    while (at + 2 <= bytes.length) {
        const size = bytes.readInt16LE(at);
        // A negative length (0xFFFF) ends the stream; a length past the end is a cut-off file.
        if (size < 0 || at + 2 + size > bytes.length)
            break;
        frames += 1;
        at += 2 + size;
    }
    return frames * 20;
}
/** The text with its choices as a numbered list under it ("1. 是的\n2. 选择其他类别"). */
export function renderText(text, choices) {
    if (!choices.length)
        return text;
    return `${text}\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`;
}
/** Whether a photo ref can be sent as a FileBox from a URL. */
export function isSendablePhoto(ref) {
    return /^https?:\/\//i.test(ref);
}
/** WECHAT_ROOM_INTAKE ("东湖村群, 西山村群") → the list of topics. */
export function parseRoomIntake(value) {
    return (value ?? '')
        .split(/[,，]/)
        .map((s) => s.trim())
        .filter(Boolean);
}
/**
 * Whether the WeChat channel is configured: a puppet-service token, or another puppet
 * named. Here, not in wechat-adapter.ts, so that deciding loads no Wechaty (~30 MiB).
 */
export function wechatConfigured(config) {
    return config.WECHATY_PUPPET_SERVICE_TOKEN !== undefined || (config.WECHATY_PUPPET !== undefined && config.WECHATY_PUPPET !== 'wechaty-puppet-service');
}
