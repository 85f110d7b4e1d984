/**
 * Photos users send, whatever the channel (a web upload, a WeChat image, a Telegram
 * photo): checked (a real JPEG, PNG, GIF or WebP of at most 5 MB), stored once under
 * their content hash, and referred to by a local URL (`/uploads/<sha256>.<ext>`), which
 * is what a ticket keeps. The web server serves that URL; the other channels read the
 * bytes back to forward the photo, since their platforms cannot fetch a local URL.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Where photos are kept unless a channel is told otherwise: data/uploads under the working folder. */
export function defaultUploadDir(): string {
  return resolve('data/uploads');
}

/** The largest photo accepted. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** Why a photo was refused, in Chinese and English. */
export const UPLOAD_ERRORS = {
  tooBig: '图片太大，请发送 5 MB 以内的照片 / the picture is too large: the limit is 5 MB',
  notImage: '这不是图片，请发送 JPG、PNG、GIF 或 WebP 照片 / that is not a picture: send a JPG, PNG, GIF or WebP photo',
  notReceived: '图片没有收到，请重新发送 / the picture did not come through: please send it again',
} as const;

type ImageType = 'jpg' | 'png' | 'gif' | 'webp';

const CONTENT_TYPES: Record<ImageType, string> = { jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };

/** The local URL of a stored photo. */
const UPLOAD_URL = /^\/uploads\/([0-9a-f]{64}\.(?:jpg|png|gif|webp))$/;

/** Tells the image type from the first bytes (never from what the client claims). */
export function sniffImage(bytes: Buffer): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

/** Decodes a `data:image/...;base64,` URL; null when it is not one. */
export function decodeDataUrl(ref: string): Buffer | null {
  const match = /^data:image\/[\w.+-]+;base64,([A-Za-z0-9+/=\s]+)$/.exec(ref);
  return match?.[1] ? Buffer.from(match[1], 'base64') : null;
}

/** Whether `ref` is the local URL of a stored photo (what `save` returns). */
export function isUploadUrl(ref: string): boolean {
  return UPLOAD_URL.test(ref);
}

/** A stored photo's URL, or why it was refused. */
export type Stored = { ok: true; url: string } | { ok: false; error: string };

/** A stored photo read back: its bytes, content type and file name (`<sha256>.<ext>`). */
export interface StoredPhoto {
  bytes: Buffer;
  contentType: string;
  name: string;
}

/** The folder of uploaded photos. */
export class UploadStore {
  constructor(readonly dir: string) {}

  /** Checks and stores a photo; the same photo twice is stored once. */
  async save(bytes: Buffer): Promise<Stored> {
    if (bytes.length > MAX_IMAGE_BYTES) return { ok: false, error: UPLOAD_ERRORS.tooBig };
    const type = sniffImage(bytes);
    if (!type) return { ok: false, error: UPLOAD_ERRORS.notImage };
    const name = `${createHash('sha256').update(bytes).digest('hex')}.${type}`;
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, name);
    if (!(await exists(path))) await writeFile(path, bytes);
    return { ok: true, url: `/uploads/${name}` };
  }

  /**
   * Turns a photo reference from the page into a stored URL: an uploaded photo's URL
   * (which must exist) or a data URL (stored now). Anything else is refused.
   */
  async resolve(ref: string): Promise<Stored> {
    const name = UPLOAD_URL.exec(ref)?.[1];
    if (name) return (await exists(join(this.dir, name))) ? { ok: true, url: ref } : { ok: false, error: UPLOAD_ERRORS.notImage };
    if (!ref.startsWith('data:')) return { ok: false, error: UPLOAD_ERRORS.notImage };
    const bytes = decodeDataUrl(ref);
    if (!bytes) return { ok: false, error: UPLOAD_ERRORS.notImage };
    return this.save(bytes);
  }

  /** A stored photo by its URL path, or null. */
  async read(urlPath: string): Promise<StoredPhoto | null> {
    const name = UPLOAD_URL.exec(urlPath)?.[1];
    if (!name) return null;
    try {
      const bytes = await readFile(join(this.dir, name));
      const type = name.slice(name.lastIndexOf('.') + 1) as ImageType;
      return { bytes, contentType: CONTENT_TYPES[type], name };
    } catch {
      return null;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
