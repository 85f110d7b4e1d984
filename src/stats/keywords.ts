/**
 * The words of a request, for hot words 热点: its summary and description cut with jieba
 * (the segmentation of the category matcher, src/engine/classifier-text.ts), plus Latin
 * words. Kept on the ticket at intake (`Ticket.keywords`), so a month's hot words are a
 * count, not a segmentation of every request again.
 */
import type * as ClassifierText from '../engine/classifier-text.js';
import { STOP_WORDS } from './stop-words.js';

type TextModule = typeof ClassifierText;

let textModule: Promise<TextModule> | undefined;

/** jieba loads its dictionary on import (about half a second): only when words are first needed. */
function loadText(): Promise<TextModule> {
  textModule ??= import('../engine/classifier-text.js');
  return textModule;
}

/** Whether a word counts for hot words: two characters or more, not a stop word, not a number. */
export function isHotWordCandidate(word: string): boolean {
  return [...word].length >= 2 && !STOP_WORDS.has(word) && !/^[\d.]+$/.test(word);
}

/**
 * The distinct words of `texts` in order of first appearance, single characters and
 * stop words left out, space-separated (the form stored in `Ticket.keywords`).
 */
export async function keywordsOf(...texts: string[]): Promise<string> {
  const text = await loadText();
  const words = new Set<string>();
  for (const raw of texts) {
    const normalised = text.normalise(raw);
    for (const token of [...text.segment(normalised), ...text.latinTokens(normalised)]) {
      if (isHotWordCandidate(token.text)) words.add(token.text);
    }
  }
  return [...words].join(' ');
}
