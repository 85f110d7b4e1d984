/**
 * Bytes that pass for voice notes: the upload store reads the kind from the first bytes,
 * then keeps them as they are, so a real header and a text that tells one from another
 * is enough (photos, whose structure the store reads to its end, are real: ./images.ts).
 * The browser tests record real audio instead.
 */

/** An OGG/Opus file's first page header (Telegram's voice notes). */
export function fakeOgg(text: string): Buffer {
  const page = Buffer.from([0x4f, 0x67, 0x67, 0x53, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 1, 19]);
  return Buffer.concat([page, Buffer.from('OpusHead'), Buffer.from(text)]);
}

/** A WebM (Matroska) file's EBML header (what a browser's MediaRecorder writes). */
export function fakeWebm(text: string): Buffer {
  return Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84]), Buffer.from('webm'), Buffer.from(text)]);
}

/**
 * A WeChat SILK v3 voice note: the 0x02 byte WeChat writes, the `#!SILK_V3` magic, then
 * `frames` frames of 20 ms, each behind its 2-byte little-endian length.
 */
export function fakeSilk(frames: number, text = 'silk'): Buffer {
  const parts = [Buffer.from([0x02]), Buffer.from('#!SILK_V3')];
  for (let i = 0; i < frames; i++) {
    const body = Buffer.from(`${text}-${i}`);
    const size = Buffer.alloc(2);
    size.writeInt16LE(body.length);
    parts.push(size, body);
  }
  return Buffer.concat(parts);
}
