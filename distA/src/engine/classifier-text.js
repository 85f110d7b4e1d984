/**
 * Text preparation for the category matcher: normalisation, Chinese segmentation with
 * jieba's algorithm and default dictionary (src/engine/word-segmenter.ts, the same cuts
 * as jieba-rs) and English tokens with a crude stemmer.
 */
import { stemWord } from './classifier-keywords.js';
import { WordSegmenter } from './word-segmenter.js';
import { projectPath } from '../paths.js';
/** jieba's default dictionary, as src/cli/segmenter-dict.ts makes it. */
export const DEFAULT_DICTIONARY_PATH = projectPath('data', 'segmenter', 'jieba-dict.txt.br');
const HAN = /\p{Script=Han}/u;
const LATIN_RUN = /[a-z0-9]+/g;
/** Full-width forms folded to ASCII (NFKC), then lower-cased. Offsets refer to this text. */
export function normalise(text) {
    return text.normalize('NFKC').toLowerCase();
}
/** True when the text holds at least one Chinese character. */
export function hasHan(text) {
    return HAN.test(text);
}
/** Latin word runs of a normalised text, each stemmed (see {@link stemWord}). */
export function latinTokens(text) {
    const tokens = [];
    for (const match of text.matchAll(LATIN_RUN)) {
        tokens.push({ text: stemWord(match[0]), start: match.index, end: match.index + match[0].length });
    }
    return tokens;
}
const userWords = new Set();
/** Frequency given to added words: high enough that they are cut whole. */
const USER_WORD_FREQUENCY = 20000;
let segmenter;
/** The shared segmenter, its dictionary read on first use (about 0.1 s, 6 MiB). */
function sharedSegmenter() {
    segmenter ??= WordSegmenter.load(DEFAULT_DICTIONARY_PATH);
    return segmenter;
}
/**
 * Adds words to the shared dictionary so that they are cut whole (路灯不亮, 低保户).
 * Words already added are skipped; the dictionary is shared by every classifier.
 */
export function addUserWords(words) {
    for (const word of words) {
        if (userWords.has(word) || /\s/.test(word))
            continue;
        sharedSegmenter().addWord(word, USER_WORD_FREQUENCY);
        userWords.add(word);
    }
}
/** Chinese segmentation of a normalised text (jieba's precise mode, no HMM), with offsets. */
export function segment(text) {
    const tokens = [];
    // The pieces are contiguous and give the text back: offsets are a running sum.
    let start = 0;
    for (const piece of sharedSegmenter().cut(text)) {
        const end = start + piece.length;
        if (HAN.test(piece))
            tokens.push({ text: piece, start, end });
        start = end;
    }
    return tokens;
}
