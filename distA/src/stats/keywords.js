/**
 * The words of a request, for hot words 热点: its summary and description cut as jieba
 * does (the segmentation of the category matcher, src/engine/classifier-text.ts), plus Latin
 * words. Kept on the ticket at intake (`Ticket.keywords`), so a month's hot words are a
 * count, not a segmentation of every request again.
 */
import { latinTokens, normalise, segment } from '../engine/classifier-text.js';
import { scrub } from '../privacy.js';
import { STOP_WORDS } from './stop-words.js';
/** Whether a word counts for hot words: two characters or more, not a stop word, not a number. */
export function isHotWordCandidate(word) {
    return [...word].length >= 2 && !STOP_WORDS.has(word) && !/^[\d.]+$/.test(word);
}
/**
 * Whether a word may be shown as a hot word or a theme proposal: a candidate (above), no
 * digit in it, and nothing the scrubber would change — a roster name (`names`), a title
 * with a surname (王大爷). Segmentation cuts a name mentioned in several requests as a word.
 */
export function isShowableWord(word, names) {
    return isHotWordCandidate(word) && !/\d/.test(word) && scrub(word, names) === word;
}
/**
 * The distinct words of `texts` in order of first appearance, single characters and
 * stop words left out, space-separated (the form stored in `Ticket.keywords`).
 */
export function keywordsOf(...texts) {
    const words = new Set();
    for (const raw of texts) {
        const normalised = normalise(raw);
        for (const token of [...segment(normalised), ...latinTokens(normalised)]) {
            if (isHotWordCandidate(token.text))
                words.add(token.text);
        }
    }
    // Async for its callers' sake: the segmentation used to load on first call.
    return Promise.resolve([...words].join(' '));
}
