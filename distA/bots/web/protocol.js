/**
 * The web chat's wire format, kept pure so it can be checked without a server.
 *
 * Both ways follow Botkit's web connector (`botbuilder-adapter-web`):
 * - in: `{ type: 'message', user, text, ... }` over the websocket, or a Bot Framework-style
 *   activity (`user` or `from.id`, extra fields in `channelData`) posted to the webhook;
 * - out: `{ type: 'message', text, quick_replies: [{ title, payload }] }`, the shape the
 *   adapter gives a Botkit reply (`activityToMessage`).
 * Our own additions travel beside Botkit's fields: in, `messageId` (for exactly-once),
 * `action` (a tapped button's payload), `media` (photos and voice notes) and `location`
 * (a shared position); out, `files` (the photos and voice notes a message carries) and
 * the `echo` frame (what the user sent from another tab).
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isUploadUrl } from '../shared/uploads.js';
/** The largest request body or websocket frame accepted (a 5 MB photo as a data URL fits). */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** A user id: what the page keeps in localStorage, or what a script chooses. */
export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$/;
/** A client's message id. */
const MESSAGE_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
/** Short errors for the HTTP and websocket answers: Chinese first, then English. */
export const ERRORS = {
    notJson: '请求须为 JSON / expected Content-Type: application/json',
    tooLarge: '请求太大（上限 6 MB）/ request too large (limit 6 MB)',
    malformed: 'JSON 格式错误 / malformed JSON',
    noUser: '缺少用户 id / missing user id (user or from.id)',
    badUser: '用户 id 无效 / invalid user id (1–64 letters, digits or _.:@-)',
    badType: '只接受 message 类型 / only activities of type message are accepted',
    binary: '只接受文本帧 / only text frames are accepted',
    otherUser: '一个连接只能用一个用户 id / one connection serves one user id',
    failed: '处理出错，请稍后再试 / something went wrong, please try again',
    notFound: '没有这个地址 / not found',
    badMedia: '照片或语音无效，请重新发送 / invalid photo or voice note: each item is { kind: "photo" | "voice", ref } with an uploaded file\'s URL or a data: URL',
    badLocation: '位置无效 / invalid location: latitude must be a number from -90 to 90, longitude from -180 to 180',
};
const mediaSchema = z.object({
    kind: z.enum(['photo', 'voice']).default('photo'),
    ref: z.string().min(1).max(MAX_BODY_BYTES),
});
/** A shared position (the page's geolocation): both coordinates, in range; a place name optionally. */
const locationSchema = z.object({
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    label: z.string().trim().min(1).max(200).optional(),
});
/** The fields both transports may carry beside Botkit's own. */
const extras = {
    text: z.string().max(50_000).optional(),
    action: z.string().max(200).optional(),
    /** The label of the tapped button, shown by the page; never processed. */
    label: z.string().max(200).optional(),
    messageId: z.string().regex(MESSAGE_ID).optional(),
    media: z.array(mediaSchema).max(9).optional(),
    location: locationSchema.optional(),
    timestamp: z.union([z.string().max(64), z.number()]).optional(),
};
/** One frame from the page (Botkit's web client format). */
const socketFrameSchema = z.object({
    type: z.enum(['message', 'hello', 'welcome_back', 'reconnect']),
    user: z.string().regex(USER_ID),
    ...extras,
});
/** A webhook body: Botkit's `user` or Bot Framework's `from.id`; extras top-level or in channelData. */
const activitySchema = z.object({
    type: z.string().max(40).default('message'),
    user: z.unknown().optional(),
    from: z.object({ id: z.unknown() }).optional(),
    ...extras,
    channelData: z.object(extras).optional(),
});
/** The object without its undefined fields (the frames are logged and sent as JSON). */
function compact(value) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
/** Parses one websocket frame from the page. */
export function parseSocketFrame(raw) {
    let json;
    try {
        json = JSON.parse(raw);
    }
    catch {
        return { ok: false, error: ERRORS.malformed };
    }
    const result = socketFrameSchema.safeParse(json);
    if (!result.success)
        return { ok: false, error: firstProblem(result.error, json) };
    const { type, user, text, action, label, messageId, media, location, timestamp } = result.data;
    return { ok: true, frame: compact({ type, user, text, action, label, messageId, media, location, timestamp }) };
}
/** Parses a webhook activity (already decoded JSON). */
export function parseActivity(json) {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
        return { ok: false, error: '消息须为 JSON 对象 / the body must be a JSON object' };
    const result = activitySchema.safeParse(json);
    if (!result.success)
        return { ok: false, error: firstProblem(result.error, json) };
    const body = result.data;
    if (body.type !== 'message')
        return { ok: false, error: ERRORS.badType };
    const user = typeof body.user === 'string' ? body.user : typeof body.user === 'object' && body.user !== null && 'id' in body.user ? body.user.id : body.from?.id;
    if (user === undefined || user === null || user === '')
        return { ok: false, error: ERRORS.noUser };
    if (typeof user !== 'string' || !USER_ID.test(user))
        return { ok: false, error: ERRORS.badUser };
    const data = body.channelData ?? {};
    return {
        ok: true,
        frame: compact({
            type: 'message',
            user,
            text: body.text ?? data.text,
            action: data.action ?? body.action,
            label: data.label ?? body.label,
            messageId: data.messageId ?? body.messageId,
            media: data.media ?? body.media,
            location: data.location ?? body.location,
            timestamp: data.timestamp ?? body.timestamp,
        }),
    };
}
/** Reads a frame back from a Botkit message (whose fields are the frame's, spread). */
export function frameOf(fields) {
    const result = socketFrameSchema.safeParse(fields);
    if (!result.success)
        return null;
    const { type, user, text, action, label, messageId, media, location, timestamp } = result.data;
    return compact({ type, user, text, action, label, messageId, media, location, timestamp });
}
function firstProblem(error, json) {
    const issue = error.issues[0];
    const field = issue?.path.join('.') ?? '';
    if (field === 'user') {
        const given = typeof json === 'object' && json !== null && 'user' in json ? json.user : undefined;
        return given === undefined || given === '' ? ERRORS.noUser : ERRORS.badUser;
    }
    if (field === 'type')
        return ERRORS.badType;
    if (field.startsWith('media') || field.startsWith('channelData.media'))
        return ERRORS.badMedia;
    if (field.startsWith('location') || field.startsWith('channelData.location'))
        return ERRORS.badLocation;
    return `消息格式不对 / invalid message: ${field || 'body'}`;
}
/**
 * The message id the engine deduplicates on. The engine's key is (channel, chat, id), and
 * a web chat is its user, so one user cannot pre-empt another's ids. A client that sends
 * no id gets one derived from a hash of text + action + its timestamp: the same message
 * posted twice with the same timestamp is processed once. Without a timestamp either,
 * every post is new.
 */
export function messageIdOf(frame) {
    if (frame.messageId)
        return frame.messageId;
    if (frame.timestamp === undefined)
        return `u-${randomUUID()}`;
    const hash = createHash('sha256')
        .update(JSON.stringify([frame.text ?? '', frame.action ?? '', String(frame.timestamp)]))
        .digest('hex')
        .slice(0, 32);
    return `h-${hash}`;
}
/** The stored uploads among media references (others, a Telegram file id say, the page cannot load). */
function filesOf(media) {
    return (media ?? []).filter((m) => isUploadUrl(m.ref)).map((m) => ({ kind: m.kind, url: m.ref }));
}
/** Renders an outgoing message in Botkit's web format (choices become quick replies, media files). */
export function toWebMessage(message) {
    const files = filesOf(message.media);
    return {
        type: 'message',
        ...(message.outboxId === undefined ? {} : { id: `o-${message.outboxId}` }),
        text: message.text,
        ...(message.choices.length ? { quick_replies: message.choices.map((c) => ({ title: c.label, payload: c.payload })) } : {}),
        ...(files.length ? { files } : {}),
    };
}
/** The echo of a message frame. */
export function echoOf(frame) {
    const files = filesOf(frame.media);
    return compact({
        type: 'echo',
        messageId: frame.messageId,
        text: frame.text,
        label: frame.label,
        action: frame.action,
        files: files.length ? files : undefined,
        location: frame.location,
    });
}
/** Whether a Content-Type header names JSON. */
export function isJsonType(contentType) {
    return /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType ?? '');
}
