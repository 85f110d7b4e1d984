/**
 * The upload store (bots/shared/uploads.ts): what the bytes are (never what the client
 * says), the kind and content type each type is kept and served with, the limits, a
 * picture kept only up to its own end (bots/shared/image-end.ts), and storing in a folder
 * of its own per test.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeDataUrl, isUploadUrl, MAX_IMAGE_BYTES, MAX_VOICE_BYTES, MEDIA_TYPES, sniffAudio, sniffMedia, UPLOAD_ERRORS, UploadStore } from '../../../../bots/shared/uploads.js';
import { mediaKindOf } from '../../../../src/engine/media.js';
import { fakeOgg, fakeSilk, fakeWebm } from '../../../helpers/audio.js';
import { GIF, JPEG, PNG, WEBP, fakePng } from '../../../helpers/images.js';
import { imageEnd } from '../../../../bots/shared/image-end.js';

const bytes = (...values: number[]) => Buffer.from(values);
const text = (value: string) => Buffer.from(value, 'latin1');

/** The first bytes of each kind of file, as the channels deliver them. */
const SAMPLES: [string, Buffer, string | null][] = [
  ['JPEG', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10), 'jpg'],
  ['PNG', fakePng('x'), 'png'],
  ['GIF', text('GIF89a....'), 'gif'],
  ['WebP', Buffer.concat([text('RIFF'), bytes(0, 0, 0, 0), text('WEBPVP8 ')]), 'webp'],
  ['OGG/Opus (Telegram voice, Firefox)', fakeOgg('x'), 'ogg'],
  ['WebM/Opus (Chrome MediaRecorder)', fakeWebm('x'), 'webm'],
  ['M4A (Safari MediaRecorder, iPhone memo)', Buffer.concat([bytes(0, 0, 0, 0x20), text('ftypM4A '), bytes(0, 0, 0, 0)]), 'm4a'],
  ['MP4 audio (iso5 brand)', Buffer.concat([bytes(0, 0, 0, 0x1c), text('ftypiso5'), bytes(0, 0, 2, 0)]), 'm4a'],
  ['MP3 with an ID3 tag', Buffer.concat([text('ID3'), bytes(4, 0, 0, 0, 0, 0, 0)]), 'mp3'],
  ['MP3 frame (MPEG-1 Layer III, 128 kbit/s, 44.1 kHz)', bytes(0xff, 0xfb, 0x90, 0x64, 0, 0), 'mp3'],
  ['MP3 frame (MPEG-2 Layer III)', bytes(0xff, 0xf3, 0x64, 0xc4, 0, 0), 'mp3'],
  ['AAC ADTS', bytes(0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc), 'aac'],
  ['WAV', Buffer.concat([text('RIFF'), bytes(0x24, 0, 0, 0), text('WAVEfmt ')]), 'wav'],
  ['AMR', text('#!AMR\n<...>'), 'amr'],
  ['AMR-WB', text('#!AMR-WB\n<...>'), 'amr'],
  ['SILK as WeChat writes it (0x02 first)', fakeSilk(3), 'silk'],
  ['SILK without the 0x02', text('#!SILK_V3....'), 'silk'],
  ['HEIC (a picture in an ISO box, not sound)', Buffer.concat([bytes(0, 0, 0, 0x18), text('ftypheic'), bytes(0, 0, 0, 0)]), null],
  ['AVIF', Buffer.concat([bytes(0, 0, 0, 0x1c), text('ftypavif'), bytes(0, 0, 0, 0)]), null],
  ['an MPEG Layer I frame', bytes(0xff, 0xff, 0x90, 0x64), null],
  ['a frame sync with a bad bitrate', bytes(0xff, 0xfb, 0xf0, 0x64), null],
  ['plain text', text('this is not a file'), null],
  ['a PDF', text('%PDF-1.7\n'), null],
  ['nothing', Buffer.alloc(0), null],
  ['one byte', bytes(0xff), null],
];

describe('sniffing a file by its first bytes', () => {
  test.each(SAMPLES)('%s', (_name, sample, type) => {
    expect(sniffMedia(sample)).toBe(type);
  });

  test('a JPEG is never taken for an MP3 frame, nor a WebP for a WAV', () => {
    expect(sniffAudio(bytes(0xff, 0xd8, 0xff, 0xe0))).toBeNull();
    expect(sniffAudio(Buffer.concat([text('RIFF'), bytes(0, 0, 0, 0), text('WEBPVP8 ')]))).toBeNull();
  });

  test('every stored type has a content type of its kind, and the engine reads the same kind off its URL', () => {
    for (const [type, { kind, contentType }] of Object.entries(MEDIA_TYPES)) {
      expect(contentType).toMatch(kind === 'photo' ? /^image\// : /^audio\//);
      const url = `/uploads/${'a'.repeat(64)}.${type}`;
      expect(isUploadUrl(url), url).toBe(true);
      expect(mediaKindOf(url), url).toBe(kind);
    }
    expect(isUploadUrl(`/uploads/${'a'.repeat(64)}.exe`)).toBe(false);
    expect(isUploadUrl(`/uploads/../${'a'.repeat(64)}.png`)).toBe(false);
  });

  test('data URLs of images and audio decode (a codecs parameter too); others do not', () => {
    const ogg = fakeOgg('hello');
    expect(decodeDataUrl(`data:audio/ogg;codecs=opus;base64,${ogg.toString('base64')}`)?.equals(ogg)).toBe(true);
    expect(decodeDataUrl(`data:image/png;base64,${fakePng('p').toString('base64')}`)?.equals(fakePng('p'))).toBe(true);
    expect(decodeDataUrl('data:text/html;base64,PGI+')).toBeNull();
    expect(decodeDataUrl('https://example.org/a.ogg')).toBeNull();
  });
});

describe('the upload store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'minqing-uploads-'));
  const store = new UploadStore(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a voice note is stored under its hash with its own extension, read back with an audio content type; the same bytes twice are one file', async () => {
    const voice = fakeWebm('a minute about the street light');
    const stored = await store.save(voice, 'voice');
    expect(stored).toEqual({ ok: true, url: expect.stringMatching(/^\/uploads\/[0-9a-f]{64}\.webm$/) as unknown, kind: 'voice' });
    if (!stored.ok) return;
    expect(await store.save(voice)).toEqual(stored);
    const read = await store.read(stored.url);
    expect(read).toMatchObject({ type: 'webm', kind: 'voice', contentType: 'audio/webm' });
    expect(read?.bytes.equals(voice)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith('.webm'))).toHaveLength(1);

    const silk = await store.save(fakeSilk(5), 'voice');
    expect(silk.ok && silk.url).toMatch(/\.silk$/);
    expect((await store.read(silk.ok ? silk.url : ''))?.contentType).toBe('audio/silk');
  });

  test('photos keep working as before', async () => {
    const stored = await store.save(fakePng('a pole'));
    expect(stored).toMatchObject({ ok: true, kind: 'photo' });
    expect((await store.read(stored.ok ? stored.url : ''))?.contentType).toBe('image/png');
  });

  test('a file of the other kind, or of no kind we take, is refused with a Chinese and English reason', async () => {
    expect(await store.save(fakeOgg('x'), 'photo')).toEqual({ ok: false, error: UPLOAD_ERRORS.notImage });
    expect(await store.save(fakePng('x'), 'voice')).toEqual({ ok: false, error: UPLOAD_ERRORS.notVoice });
    const neither = await store.save(text('%PDF-1.7'));
    expect(neither).toEqual({ ok: false, error: UPLOAD_ERRORS.notMedia });
    for (const error of Object.values(UPLOAD_ERRORS)) expect(error).toMatch(/^[^a-z]*[\u4e00-\u9fff].* \/ [a-z]/);
  });

  test('limits: 5 MB for a photo, 10 MB for a voice note', async () => {
    const bigPhoto = Buffer.concat([fakePng('x'), Buffer.alloc(MAX_IMAGE_BYTES)]);
    expect(await store.save(bigPhoto)).toEqual({ ok: false, error: UPLOAD_ERRORS.tooBig });
    expect(await store.save(bigPhoto, 'photo')).toEqual({ ok: false, error: UPLOAD_ERRORS.tooBig });
    const longVoice = Buffer.concat([fakeOgg('x'), Buffer.alloc(MAX_IMAGE_BYTES)]);
    expect(await store.save(longVoice, 'voice')).toMatchObject({ ok: true, kind: 'voice' });
    const tooLong = Buffer.concat([fakeOgg('x'), Buffer.alloc(MAX_VOICE_BYTES)]);
    expect(await store.save(tooLong, 'voice')).toEqual({ ok: false, error: UPLOAD_ERRORS.voiceTooBig });
    expect(await store.save(tooLong)).toEqual({ ok: false, error: UPLOAD_ERRORS.voiceTooBig });
  });

  test('resolve: an existing upload of the right kind, or a data URL; nothing else', async () => {
    const voice = await store.save(fakeOgg('resolve me'));
    if (!voice.ok) throw new Error(voice.error);
    expect(await store.resolve(voice.url, 'voice')).toEqual(voice);
    expect(await store.resolve(voice.url)).toEqual(voice);
    expect(await store.resolve(voice.url, 'photo')).toEqual({ ok: false, error: UPLOAD_ERRORS.notImage });
    expect(await store.resolve(`/uploads/${'0'.repeat(64)}.ogg`, 'voice')).toEqual({ ok: false, error: UPLOAD_ERRORS.notVoice });
    expect(await store.resolve('https://example.org/a.ogg', 'voice')).toEqual({ ok: false, error: UPLOAD_ERRORS.notVoice });
    const fromData = await store.resolve(`data:audio/ogg;base64,${fakeOgg('data').toString('base64')}`, 'voice');
    expect(fromData).toMatchObject({ ok: true, kind: 'voice', url: expect.stringMatching(/\.ogg$/) as unknown });
  });
});

describe('a picture is kept only up to its own end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'minqing-polyglot-'));
  const store = new UploadStore(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const HTML = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>');
  const PICTURES: [string, Buffer, 'jpg' | 'png' | 'gif' | 'webp'][] = [
    ['JPEG', JPEG, 'jpg'],
    ['PNG', PNG, 'png'],
    ['PNG with a text chunk', fakePng('路灯'), 'png'],
    ['GIF', GIF, 'gif'],
    ['WebP', WEBP, 'webp'],
  ];

  test.each(PICTURES)('%s: its structure reads to its last byte', (_name, picture, type) => {
    expect(imageEnd(picture, type)).toBe(picture.length);
  });

  test.each(PICTURES)('%s with HTML appended: stored without it, under the hash of the picture alone', async (_name, picture, type) => {
    const stored = await store.save(Buffer.concat([picture, HTML]), 'photo');
    expect(stored).toMatchObject({ ok: true, kind: 'photo', url: expect.stringMatching(new RegExp(`\\.${type}$`)) as unknown });
    const clean = await store.save(picture, 'photo');
    expect(clean).toEqual(stored);
    const read = await store.read(stored.ok ? stored.url : '');
    expect(read?.bytes.equals(picture)).toBe(true);
    expect(
      readdirSync(dir)
        .map((name) => readFileSync(join(dir, name)).includes(HTML))
        .some(Boolean),
    ).toBe(false);
  });

  test('a JPEG with a video after its end (a motion photo) keeps its picture; an EXIF thumbnail inside is no end', async () => {
    // An APP1 segment holding a whole small JPEG (as EXIF thumbnails are), before the picture's own data.
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.alloc(2), Buffer.from('Exif\0\0'), JPEG]);
    app1.writeUInt16BE(app1.length - 2, 2);
    const withThumbnail = Buffer.concat([JPEG.subarray(0, 2), app1, JPEG.subarray(2)]);
    expect(imageEnd(withThumbnail, 'jpg')).toBe(withThumbnail.length);
    const motion = Buffer.concat([withThumbnail, Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(64)]);
    const stored = await store.save(motion, 'photo');
    expect(stored.ok && (await store.read(stored.url))?.bytes.equals(withThumbnail)).toBe(true);
  });

  test('a picture cut short or with a broken structure is refused', async () => {
    const broken: [string, Buffer][] = [
      ['a JPEG without its end', JPEG.subarray(0, JPEG.length - 2)],
      ['a JPEG cut in a segment', JPEG.subarray(0, 300)],
      ['a PNG without IEND', PNG.subarray(0, PNG.length - 12)],
      ['a PNG whose first chunk is not IHDR', Buffer.concat([PNG.subarray(0, 8), PNG.subarray(33)])],
      ['the signature of a PNG and text', Buffer.concat([PNG.subarray(0, 8), Buffer.from('not really')])],
      ['a GIF without its trailer', GIF.subarray(0, GIF.length - 1)],
      ['a GIF with an unknown block', Buffer.concat([GIF.subarray(0, GIF.length - 1), Buffer.from([0x99, 0x3b])])],
      ['a WebP whose RIFF size runs past the file', WEBP.subarray(0, WEBP.length - 4)],
      [
        'a WebP whose chunks do not fill its RIFF',
        (() => {
          const b = Buffer.from(WEBP);
          b.writeUInt32LE(b.readUInt32LE(4) - 2, 4);
          return b;
        })(),
      ],
    ];
    for (const [name, bytes] of broken) {
      expect(await store.save(bytes, 'photo'), name).toEqual({ ok: false, error: UPLOAD_ERRORS.notImage });
    }
  });
});
