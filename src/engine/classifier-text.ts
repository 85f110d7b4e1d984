/**
 * Text preparation for the category matcher: normalisation, Chinese segmentation with
 * jieba (jieba-wasm, the jieba-rs segmenter with its default dictionary) and English
 * tokens with a crude stemmer.
 */
// jieba-rs compiled to WebAssembly: one portable package, no per-platform binary.
import jieba from 'jieba-wasm';
import { stemWord } from './classifier-keywords.js';

/** A piece of the normalised message and where it sits (UTF-16 offsets). */
export interface Token {
  text: string;
  start: number;
  end: number;
}

const HAN = /\p{Script=Han}/u;
const LATIN_RUN = /[a-z0-9]+/g;

/** Full-width forms folded to ASCII (NFKC), then lower-cased. Offsets refer to this text. */
export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** True when the text holds at least one Chinese character. */
export function hasHan(text: string): boolean {
  return HAN.test(text);
}

/** Latin word runs of a normalised text, each stemmed (see {@link stemWord}). */
export function latinTokens(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(LATIN_RUN)) {
    tokens.push({ text: stemWord(match[0]), start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

const userWords = new Set<string>();

/**
 * Adds words to the shared jieba dictionary so that they are cut whole (路灯不亮, 低保户).
 * Words already added are skipped; the dictionary is shared by every classifier.
 */
export function addUserWords(words: Iterable<string>): void {
  for (const word of words) {
    if (userWords.has(word) || /\s/.test(word)) continue;
    jieba.add_word(word, 20000, 'n');
    userWords.add(word);
  }
}

/** Chinese segmentation of a normalised text (precise mode, no HMM), with offsets. */
export function segment(text: string): Token[] {
  const pieces = jieba.cut(text, false);
  const tokens: Token[] = [];
  let cursor = 0;
  for (const piece of pieces) {
    // jieba returns contiguous pieces; indexOf keeps offsets right should it ever skip.
    const start = text.startsWith(piece, cursor) ? cursor : text.indexOf(piece, cursor);
    if (start < 0) continue;
    cursor = start + piece.length;
    if (HAN.test(piece)) tokens.push({ text: piece, start, end: cursor });
  }
  return tokens;
}
