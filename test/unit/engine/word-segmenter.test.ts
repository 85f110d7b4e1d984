import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jieba from 'jieba-wasm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DICTIONARY_PATH } from '../../../src/engine/classifier-text.js';
import { DEFAULT_KEYWORDS_PATH } from '../../../src/engine/classifier.js';
import { loadKeywordTable } from '../../../src/engine/classifier-keywords.js';
import { loadLabelled } from '../../../src/engine/classifier-labelled.js';
import { WordSegmenter } from '../../../src/engine/word-segmenter.js';
import { DataError } from '../../../src/errors.js';

/** Labelled messages, plus pieces of them run together with Latin, digits, emoji and spaces. */
function texts(): string[] {
  const messages = loadLabelled().map((m) => m.text.normalize('NFKC').toLowerCase());
  const extras = ['𠀀𪚥', '😀', ' ', '\t', '\r\n', 'abc', 'B超', '3.5亩', 'c++', '#', '%', '-', '，', '\u3000', 'é'];
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor((seed / 2147483648) * n);
  };
  const mixed: string[] = [];
  for (let n = 0; n < 1500; n += 1) {
    let text = '';
    for (let k = 0; k <= random(4); k += 1) {
      // By characters: jieba-wasm would turn half a surrogate pair into U+FFFD.
      const message = [...(messages[random(messages.length)] ?? '')];
      const from = random(message.length);
      text += message.slice(from, from + 1 + random(12)).join('') + (random(4) === 0 ? (extras[random(extras.length)] ?? '') : '');
    }
    mixed.push(text);
  }
  return [...messages, ...mixed, '', '   ', '路灯'.repeat(500)];
}

describe('WordSegmenter', () => {
  // The reference: jieba-rs itself (jieba-wasm), precise mode without HMM, as Minqing used it.
  it('cuts as jieba-rs does, with its default dictionary and with added words', () => {
    const segmenter = WordSegmenter.load(DEFAULT_DICTIONARY_PATH);
    expect(segmenter.size).toBe(349_045);
    const all = texts();
    const differing = (): string[] => all.filter((text) => segmenter.cut(text).join('|') !== jieba.cut(text, false).join('|'));
    expect(differing()).toEqual([]);
    // The classifier adds its keywords (frequency 20000) so that they are cut whole.
    for (const entry of loadKeywordTable(DEFAULT_KEYWORDS_PATH)) {
      if (entry.form === 'latin') continue;
      segmenter.addWord(entry.keyword, 20000);
      jieba.add_word(entry.keyword, 20000, 'n');
    }
    expect(differing()).toEqual([]);
  });

  it('takes the most probable path, the longer word on a tie, a frequency of 1 for unknown characters', () => {
    const segmenter = WordSegmenter.fromLines('路灯 50 n\n路 10\n灯 10\n坏了 40\n坏 5\n了 100\n# a comment\n');
    expect(segmenter.cut('路灯坏了')).toEqual(['路灯', '坏了']);
    // 路 + 灯 (10 × 10) against 路灯 (100): equal probabilities, the longer word wins.
    const tie = WordSegmenter.fromLines('路 10\n灯 10\n路灯 100\n# total 1000\n');
    expect(tie.cut('路灯')).toEqual(['路灯']);
    // 村 is in no word: a piece of its own.
    expect(segmenter.cut('村路灯')).toEqual(['村', '路灯']);
    // An added word: 村路 (20000) × 灯 (10) beats 村 (1) × 路灯 (50).
    segmenter.addWord('村路', 20_000);
    expect(segmenter.cut('村路灯')).toEqual(['村路', '灯']);
  });

  it('keeps Latin runs, whitespace and other characters as jieba does, and gives the text back', () => {
    const segmenter = WordSegmenter.fromLines('路灯 50\n');
    expect(segmenter.cut('ab 路灯12,x\r\n😀𠀀')).toEqual(['ab', ' ', '路灯', '12', ',', 'x', '\r\n', '😀', '𠀀']);
    const full = WordSegmenter.load(DEFAULT_DICTIONARY_PATH);
    for (const text of texts()) expect(full.cut(text).join('')).toBe(text);
  });

  it('refuses a dictionary line without a frequency, a duplicate and lines out of order', () => {
    expect(() => WordSegmenter.fromLines('路 3\n路灯\n', 'dict.txt')).toThrow(new DataError('dict.txt:2: expected "word frequency"'));
    const dir = mkdtempSync(join(tmpdir(), 'minqing-dict-'));
    try {
      const file = (name: string, text: string): string => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      expect(WordSegmenter.load(file('sorted.txt', '# comment\n灯 3\n路 2\n路灯 5\n')).size).toBe(3);
      const unsorted = file('unsorted.txt', '路 2\n灯 3\n');
      expect(() => WordSegmenter.load(unsorted)).toThrow(`${unsorted}: line 2 is out of order`);
      const twice = file('twice.txt', '灯 3\n灯 4\n');
      expect(() => WordSegmenter.load(twice)).toThrow(`${twice}: line 2 is out of order`);
      const bare = file('bare.txt', '灯 3\n路\n');
      expect(() => WordSegmenter.load(bare)).toThrow(`${bare}: line 2 is not "word frequency"`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
