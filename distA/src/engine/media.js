/** File extensions of voice notes as the channels deliver them (and the web page records them). */
const VOICE = /\.(?:ogg|oga|opus|webm|mp3|m4a|mp4|aac|amr|wav|silk)(?:$|[?#])/i;
/** The kind of a stored media reference: a voice note when it names an audio file, else a photo. */
export function mediaKindOf(ref) {
    return VOICE.test(ref) ? 'voice' : 'photo';
}
/** Stored references as the media an adapter sends. */
export function mediaOf(refs) {
    return refs.map((ref) => ({ kind: mediaKindOf(ref), ref }));
}
