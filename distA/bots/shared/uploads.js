/**
 * Photos and voice notes users send, whatever the channel (a web upload or recording, a
 * WeChat image or voice message, a Telegram photo or voice): checked (the real type read
 * from the bytes, never from what the client claims; at most 5 MB for a photo, 10 MB for
 * a voice note; a picture read to its own end and kept without what follows), stored
 * once under their content hash, and referred to by a local URL
 * (`/uploads/<sha256>.<ext>`), which is what a ticket keeps. The extension tells the kind
 * (`src/engine/media.ts` reads it back); the web server serves the URL with the right
 * content type; the other channels read the bytes back to forward the file, since their
 * platforms cannot fetch a local URL.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { imageEnd } from './image-end.js';
/** Where uploads are kept unless a channel is told otherwise: data/uploads under the working folder. */
export function defaultUploadDir() {
    return resolve('data/uploads');
}
/** The largest photo accepted. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/**
 * The largest voice note accepted. A minute of Opus (what the web page, Telegram and
 * most phones record) is 100–500 KB; the margin is for uncompressed WAV and older codecs.
 */
export const MAX_VOICE_BYTES = 10 * 1024 * 1024;
/** The size limit of a kind. */
export function maxBytes(kind) {
    return kind === 'voice' ? MAX_VOICE_BYTES : MAX_IMAGE_BYTES;
}
/** Why an upload was refused, in Chinese and English. */
export const UPLOAD_ERRORS = {
    tooBig: '图片太大，请发送 5 MB 以内的照片 / the picture is too large: the limit is 5 MB',
    notImage: '这不是图片，请发送 JPG、PNG、GIF 或 WebP 照片 / that is not a picture: send a JPG, PNG, GIF or WebP photo',
    notReceived: '图片没有收到，请重新发送 / the picture did not come through: please send it again',
    voiceTooBig: '语音太大，请发送 10 MB 以内的语音（一分钟以内） / the voice note is too large: the limit is 10 MB (keep it under a minute)',
    notVoice: '这不是能播放的语音，请重新录一段 / that is not a voice note we can play: please record it again',
    voiceNotReceived: '语音没有收到，请重新发送 / the voice note did not come through: please send it again',
    notMedia: '只能发送照片或语音 / only photos (JPG, PNG, GIF, WebP) and voice notes (OGG, WebM, M4A, MP3, WAV, AMR, SILK, AAC) can be sent',
    // The web chat's uploads (bots/web): a live chat, a rate and a daily quota per user.
    noSession: '请先打开聊天页面，再发送照片或语音 / open the chat page first, then send the photo or voice note',
    tooMany: '发送太频繁了，请过一分钟再发照片或语音 / too many photos or voice notes at once: wait a minute, then send again',
    dailyQuota: '今天发送的照片和语音已经太多了，请明天再发，或直接打字说明 / you have sent as many photos and voice notes as a day allows: send more tomorrow, or type instead',
    starting: '系统正在启动，请稍后再发 / starting up: send it again in a moment',
};
/** The refusal for a file that is not of the kind expected (or of no kind we take). */
function notOfKind(kind) {
    return kind === 'photo' ? UPLOAD_ERRORS.notImage : kind === 'voice' ? UPLOAD_ERRORS.notVoice : UPLOAD_ERRORS.notMedia;
}
/** The refusal for a file over the limit of its kind. */
export function tooBigFor(kind) {
    return kind === 'photo' ? UPLOAD_ERRORS.tooBig : UPLOAD_ERRORS.voiceTooBig;
}
/** The refusal for a file that could not be fetched from the platform. */
export function notReceived(kind) {
    return kind === 'voice' ? UPLOAD_ERRORS.voiceNotReceived : UPLOAD_ERRORS.notReceived;
}
/** Each type's kind and the content type it is served with. */
export const MEDIA_TYPES = {
    jpg: { kind: 'photo', contentType: 'image/jpeg' },
    png: { kind: 'photo', contentType: 'image/png' },
    gif: { kind: 'photo', contentType: 'image/gif' },
    webp: { kind: 'photo', contentType: 'image/webp' },
    ogg: { kind: 'voice', contentType: 'audio/ogg' },
    webm: { kind: 'voice', contentType: 'audio/webm' },
    m4a: { kind: 'voice', contentType: 'audio/mp4' },
    mp3: { kind: 'voice', contentType: 'audio/mpeg' },
    wav: { kind: 'voice', contentType: 'audio/wav' },
    amr: { kind: 'voice', contentType: 'audio/amr' },
    // WeChat's own codec (Skype's SILK v3): no browser plays it; it is kept as it came.
    silk: { kind: 'voice', contentType: 'audio/silk' },
    aac: { kind: 'voice', contentType: 'audio/aac' },
};
/** The local URL of a stored file. The extensions are those `src/engine/media.ts` reads as a kind. */
const UPLOAD_URL = /^\/uploads\/([0-9a-f]{64}\.(jpg|png|gif|webp|ogg|webm|m4a|mp3|wav|amr|silk|aac))$/;
/** ISO base media brands that are pictures (HEIF, AVIF), not sound. */
const IMAGE_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1', 'avif', 'avis']);
function ascii(bytes, start, end) {
    return bytes.length >= end ? bytes.subarray(start, end).toString('latin1') : '';
}
/** Tells the image type from the first bytes (never from what the client claims). */
export function sniffImage(bytes) {
    if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
        return 'jpg';
    if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
        return 'png';
    if (/^GIF8[79]a$/.test(ascii(bytes, 0, 6)))
        return 'gif';
    if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP')
        return 'webp';
    return null;
}
/** Tells the audio type from the first bytes; null when they are none we take. */
export function sniffAudio(bytes) {
    const b0 = bytes[0] ?? -1;
    const b1 = bytes[1] ?? -1;
    const b2 = bytes[2] ?? -1;
    if (ascii(bytes, 0, 4) === 'OggS')
        return 'ogg';
    if (bytes.length >= 4 && b0 === 0x1a && b1 === 0x45 && b2 === 0xdf && bytes[3] === 0xa3)
        return 'webm';
    if (ascii(bytes, 4, 8) === 'ftyp')
        return IMAGE_BRANDS.has(ascii(bytes, 8, 12)) ? null : 'm4a';
    if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WAVE')
        return 'wav';
    if (ascii(bytes, 0, 5) === '#!AMR')
        return 'amr';
    // WeChat writes its SILK files with a 0x02 byte before the magic.
    if (ascii(bytes, 0, 6) === '#!SILK' || (b0 === 0x02 && ascii(bytes, 1, 7) === '#!SILK'))
        return 'silk';
    if (ascii(bytes, 0, 3) === 'ID3')
        return 'mp3';
    if (b0 === 0xff && bytes.length >= 4) {
        // ADTS (AAC): a 12-bit sync word, then the layer bits, always 00.
        if ((b1 & 0xf6) === 0xf0)
            return 'aac';
        // An MPEG audio frame: 11-bit sync, a known version, Layer III, a usable bitrate and sample rate.
        const version = (b1 >> 3) & 3;
        const layer = (b1 >> 1) & 3;
        const bitrate = b2 >> 4;
        const rate = (b2 >> 2) & 3;
        if ((b1 & 0xe0) === 0xe0 && version !== 1 && layer === 1 && bitrate !== 0 && bitrate !== 15 && rate !== 3)
            return 'mp3';
    }
    return null;
}
/** Tells a photo's or a voice note's type from its first bytes; null when it is neither. */
export function sniffMedia(bytes) {
    return sniffImage(bytes) ?? sniffAudio(bytes);
}
/** Decodes a `data:image/…;base64,` or `data:audio/…;base64,` URL; null when it is not one. */
export function decodeDataUrl(ref) {
    const match = /^data:(?:image|audio)\/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,([A-Za-z0-9+/=\s]+)$/.exec(ref);
    return match?.[1] ? Buffer.from(match[1], 'base64') : null;
}
/** Whether `ref` is the local URL of a stored file (what `save` returns). */
export function isUploadUrl(ref) {
    return UPLOAD_URL.test(ref);
}
/**
 * Checks a photo or voice note without storing it: its size, its real type (from the
 * bytes), its kind (with `expected`, a file of the other kind is refused), and for a
 * picture its structure to its end (bots/shared/image-end.ts): what follows the end is
 * cut off, a broken picture is refused.
 */
export function checkMedia(bytes, expected) {
    if (bytes.length > (expected ? maxBytes(expected) : MAX_VOICE_BYTES))
        return { ok: false, error: tooBigFor(expected) };
    const type = sniffMedia(bytes);
    if (!type)
        return { ok: false, error: notOfKind(expected) };
    const { kind } = MEDIA_TYPES[type];
    if (expected && kind !== expected)
        return { ok: false, error: notOfKind(expected) };
    if (bytes.length > maxBytes(kind))
        return { ok: false, error: tooBigFor(kind) };
    let kept = bytes;
    if (type === 'jpg' || type === 'png' || type === 'gif' || type === 'webp') {
        const end = imageEnd(bytes, type);
        if (end === null)
            return { ok: false, error: UPLOAD_ERRORS.notImage };
        kept = bytes.subarray(0, end);
    }
    const name = `${createHash('sha256').update(kept).digest('hex')}.${type}`;
    return { ok: true, bytes: kept, type, kind, name, url: `/uploads/${name}` };
}
/** The folder of uploaded photos and voice notes. */
export class UploadStore {
    dir;
    constructor(dir) {
        this.dir = dir;
    }
    /**
     * Checks and stores a photo or voice note; the same file twice is stored once. With
     * `expected`, a file of the other kind is refused (a "photo" that is a recording).
     */
    async save(bytes, expected) {
        const checked = checkMedia(bytes, expected);
        if (!checked.ok)
            return checked;
        await this.write(checked);
        return { ok: true, url: checked.url, kind: checked.kind };
    }
    /** Stores a checked file unless it is there already; true when this call wrote it. */
    async write(checked) {
        await mkdir(this.dir, { recursive: true });
        const path = join(this.dir, checked.name);
        if (await exists(path))
            return false;
        await writeFile(path, checked.bytes);
        return true;
    }
    /** Whether a stored file of this name (`<sha256>.<ext>`) is there. */
    has(name) {
        return UPLOAD_URL.test(`/uploads/${name}`) ? exists(join(this.dir, name)) : Promise.resolve(false);
    }
    /** Deletes a stored file by its name; false when it was not there (or is no name of ours). */
    async remove(name) {
        if (!UPLOAD_URL.test(`/uploads/${name}`))
            return false;
        try {
            await unlink(join(this.dir, name));
            return true;
        }
        catch {
            return false;
        }
    }
    /**
     * Turns a media reference from the page into a stored URL: an uploaded file's URL
     * (which must exist, and be of the kind expected) or a data URL (stored now). Anything
     * else is refused.
     */
    async resolve(ref, expected) {
        const match = UPLOAD_URL.exec(ref);
        if (match?.[1]) {
            const { kind } = MEDIA_TYPES[match[2]];
            if ((expected && kind !== expected) || !(await exists(join(this.dir, match[1]))))
                return { ok: false, error: notOfKind(expected) };
            return { ok: true, url: ref, kind };
        }
        const bytes = ref.startsWith('data:') ? decodeDataUrl(ref) : null;
        if (!bytes)
            return { ok: false, error: notOfKind(expected) };
        return this.save(bytes, expected);
    }
    /** A stored file by its URL path, or null. */
    async read(urlPath) {
        const match = UPLOAD_URL.exec(urlPath);
        if (!match?.[1])
            return null;
        try {
            const bytes = await readFile(join(this.dir, match[1]));
            const type = match[2];
            return { bytes, type, ...MEDIA_TYPES[type], name: match[1] };
        }
        catch {
            return null;
        }
    }
}
async function exists(path) {
    try {
        await stat(path);
        return true;
    }
    catch {
        return false;
    }
}
