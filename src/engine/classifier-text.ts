/**
 * Text preparation for the category matcher: normalisation, Chinese segmentation with
 * jieba (@node-rs/jieba, default dictionary loaded once, on first use) and English
 * tokens with a crude stemmer.
 */
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
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

let jieba: Jieba | undefined;
const userWords = new Set<string>();

/** The shared jieba instance with its default dictionary, built on first call. */
function sharedJieba(): Jieba {
  if (!jieba) {
    // The dictionary module reads a few MB from disk; require it only when needed.
    const require = createRequire(import.meta.url);
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

/**
 * Adds words to the shared jieba dictionary so that they are cut whole (路灯不亮, 低保户).
 * Words already added are skipped; the dictionary is shared by every classifier.
 */
export function addUserWords(words: Iterable<string>): void {
  const fresh = [...words].filter((word) => !userWords.has(word) && !/\s/.test(word));
  if (fresh.length === 0) return;
  sharedJieba().loadDict(Buffer.from(fresh.map((word) => `${word} 20000 n`).join('\n') + '\n', 'utf8'));
  for (const word of fresh) userWords.add(word);
}

/** Chinese segmentation of a normalised text (precise mode, no HMM), with offsets. */
export function segment(text: string): Token[] {
  const pieces = sharedJieba().cut(text, false);
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
