/**
 * What a stored media reference is. Photos and voice notes travel through the outbox and
 * the ticket as plain references (a local upload URL `/uploads/<sha256>.<ext>`, an
 * `http(s)` URL, or a channel's own handle); the kind is read off the reference, so an
 * adapter knows whether to send an image or an audio message.
 */
import type { SharedMedia } from './types.js';

/** The most photos and voice notes one message (and so one report) carries; more are dropped. */
export const MAX_MEDIA = 9;

/** File extensions of voice notes as the channels deliver them (and the web page records them). */
const VOICE = /\.(?:ogg|oga|opus|webm|mp3|m4a|mp4|aac|amr|wav|silk)(?:$|[?#])/i;

/** The kind of a stored media reference: a voice note when it names an audio file, else a photo. */
export function mediaKindOf(ref: string): SharedMedia['kind'] {
  return VOICE.test(ref) ? 'voice' : 'photo';
}

/** Stored references as the media an adapter sends. */
export function mediaOf(refs: readonly string[]): SharedMedia[] {
  return refs.map((ref) => ({ kind: mediaKindOf(ref), ref }));
}
