/**
 * The category matcher: proposes one of the 14 category codes for a villager's free
 * text, with a confidence, so that the dialogue can ask "is this about 电力照明?".
 *
 * Method: the message is normalised (NFKC, lower case); Chinese is cut with jieba and
 * English is split into stemmed words. Every keyword of the table (data/classifier/
 * keywords.csv) found in the message adds its weight to its category, once per distinct
 * keyword. Multi-character Chinese keywords are also looked for as substrings of the raw
 * text, so a segmentation miss does not lose them. An occurrence that lies inside a
 * longer matched keyword (污水 inside 污水管, 水渠 inside 排水渠) does not count on its
 * own. Villagers put the main matter first and add others with 还有 / 另外 / 顺便 /
 * "also": keywords after such a marker weigh {@link SECONDARY_FACTOR} of their weight, and
 * equal scores go to the category mentioned first. Scores become confidences with a
 * softmax against a fixed "none of these" baseline: confidence(c) = e^s(c) / (e^B + Σ e^s(k)).
 */
import { CATEGORY_CODES, type CategoryCode, type RequestKind } from '../pipeline/states.js';
import { guessKind } from './classifier-kind.js';
import { type KeywordEntry, loadKeywordTable, parseKeywordTable } from './classifier-keywords.js';
import { addUserWords, hasHan, latinTokens, normalise, segment } from './classifier-text.js';
import { projectPath } from '../paths.js';

export { type KeywordEntry, parseKeywordTable, stemWord } from './classifier-keywords.js';

/** The matcher's proposal for one message. */
export interface Classification {
  /** The proposed category; `other` when nothing matched. */
  code: CategoryCode;
  /** Confidence in [0, 1]. */
  confidence: number;
  /** The guessed kind of request 诉求类型. */
  kind: RequestKind;
  /** Runners-up with a score, best first (at most three). */
  alternatives: { code: CategoryCode; confidence: number }[];
  /** The keywords that counted for `code`, heaviest first. */
  matched: string[];
}

/** Chinese names of the categories as residents see them (DOMAIN.md). */
export const CATEGORY_NAMES_ZH: Record<CategoryCode, string> = {
  road: '道路交通',
  water: '供水排水',
  power: '电力照明',
  sanitation: '环境卫生',
  safety: '治安消防',
  dispute: '矛盾纠纷',
  welfare: '社会保障',
  health: '医疗卫生',
  education: '教育',
  housing: '住房建设',
  agriculture: '农业土地',
  employment: '就业创业',
  governance: '村务政务',
  other: '其他',
};

/** The keyword table shipped with Minqing. */
export const DEFAULT_KEYWORDS_PATH = projectPath('data', 'classifier', 'keywords.csv');

/** Confidence given to `other` when no keyword matched at all. */
export const NO_MATCH_CONFIDENCE = 0.2;
/** Share of its weight a keyword keeps when it only appears after a secondary-topic marker. */
export const SECONDARY_FACTOR = 0.6;
/** Words that introduce a second, lesser matter in the same message. */
const SECONDARY_MARKERS = /还有|另外|顺便|顺带|再有就是|再就是|此外|\balso\b|by the way|\bbtw\b/g;
/** Score of the implicit "none of these" option in the softmax. */
const BASELINE_SCORE = 1;
const MAX_ALTERNATIVES = 3;

interface Occurrence {
  entry: KeywordEntry;
  start: number;
  end: number;
}

/** Matches messages against a validated keyword table; see the module comment. */
export class CategoryClassifier {
  /** Multi-character Chinese keywords by their first character. */
  private readonly hanByFirst = new Map<string, KeywordEntry[]>();
  /** One-character Chinese keywords by the character (matched as whole tokens). */
  private readonly hanTokens = new Map<string, KeywordEntry[]>();
  /** Latin keywords by their first (stemmed) word. */
  private readonly latinByFirst = new Map<string, KeywordEntry[]>();
  /** Latin prefix keywords of one word (`vaccinat*`). */
  private readonly latinPrefixes: KeywordEntry[] = [];
  private segmenterReady = false;

  private constructor(readonly entries: readonly KeywordEntry[]) {
    for (const entry of entries) {
      if (entry.form === 'han') push(this.hanByFirst, entry.keyword.charAt(0), entry);
      else if (entry.form === 'han-token') push(this.hanTokens, entry.keyword, entry);
      else if (entry.prefix && entry.words.length === 1) this.latinPrefixes.push(entry);
      else push(this.latinByFirst, entry.words[0] ?? '', entry);
    }
  }

  /**
   * Loads and validates a keyword table (default: data/classifier/keywords.csv).
   * Throws a DataError naming the file, line and reason for a bad row.
   */
  static load(path: string = DEFAULT_KEYWORDS_PATH): CategoryClassifier {
    return new CategoryClassifier(loadKeywordTable(path));
  }

  /** A classifier over the text of a keyword table; `file` names it in error messages. */
  static fromText(text: string, file = '<keywords>'): CategoryClassifier {
    return new CategoryClassifier(parseKeywordTable(text, file));
  }

  /** Proposes a category for one message. Never throws on any string. */
  classify(text: string): Classification {
    const normalised = normalise(text);
    const scores = this.score(normalised);
    const ranked = CATEGORY_CODES.map((code, order) => ({ code, order, ...(scores.get(code) ?? { score: 0, first: 0, keywords: [] }) }))
      .filter((row) => row.score > 0)
      .sort((a, b) => b.score - a.score || a.first - b.first || a.order - b.order);
    const best = ranked[0];
    if (!best) {
      return { code: 'other', confidence: NO_MATCH_CONFIDENCE, kind: guessKind(normalised, 'other'), alternatives: [], matched: [] };
    }
    // Softmax against the baseline, shifted by the best score so that long texts do not overflow.
    const denominator = Math.exp(BASELINE_SCORE - best.score) + ranked.reduce((sum, row) => sum + Math.exp(row.score - best.score), 0);
    const confidence = (score: number): number => round(Math.exp(score - best.score) / denominator);
    return {
      code: best.code,
      confidence: confidence(best.score),
      kind: guessKind(normalised, best.code),
      alternatives: ranked.slice(1, 1 + MAX_ALTERNATIVES).map((row) => ({ code: row.code, confidence: confidence(row.score) })),
      matched: [...best.keywords].sort((a, b) => b.weight - a.weight || a.line - b.line).map((entry) => entry.keyword),
    };
  }

  /**
   * Score, first mention and counted keywords per category of a normalised message.
   * Each distinct keyword counts once, with the weight of its best occurrence.
   */
  private score(text: string): Map<CategoryCode, { score: number; first: number; keywords: KeywordEntry[] }> {
    const occurrences = this.occurrences(text);
    const secondaryFrom = text.search(SECONDARY_MARKERS);
    // Longest first: an occurrence strictly inside a longer one is not separate evidence.
    occurrences.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const kept: Occurrence[] = [];
    const counted = new Map<KeywordEntry, { weight: number; start: number }>();
    for (const occurrence of occurrences) {
      const length = occurrence.end - occurrence.start;
      const inside = kept.some((k) => k.end - k.start > length && k.start <= occurrence.start && occurrence.end <= k.end);
      if (inside) continue;
      kept.push(occurrence);
      const secondary = secondaryFrom >= 0 && occurrence.start > secondaryFrom;
      const weight = occurrence.entry.weight * (secondary ? SECONDARY_FACTOR : 1);
      const earlier = counted.get(occurrence.entry);
      counted.set(occurrence.entry, {
        weight: Math.max(weight, earlier?.weight ?? 0),
        start: Math.min(occurrence.start, earlier?.start ?? Infinity),
      });
    }
    const scores = new Map<CategoryCode, { score: number; first: number; keywords: KeywordEntry[] }>();
    for (const [entry, { weight, start }] of counted) {
      const row = scores.get(entry.category) ?? { score: 0, first: Infinity, keywords: [] };
      row.score += weight;
      row.first = Math.min(row.first, start);
      row.keywords.push(entry);
      scores.set(entry.category, row);
    }
    return scores;
  }

  /** Every place where a keyword occurs in the normalised message. */
  private occurrences(text: string): Occurrence[] {
    const found: Occurrence[] = [];
    // Chinese substrings of two or more characters.
    for (let index = 0; index < text.length; index += 1) {
      const candidates = this.hanByFirst.get(text.charAt(index));
      if (!candidates) continue;
      for (const entry of candidates) {
        if (text.startsWith(entry.keyword, index)) found.push({ entry, start: index, end: index + entry.keyword.length });
      }
    }
    // Chinese one-character keywords count only as whole tokens of the segmentation.
    if (hasHan(text)) {
      this.prepareSegmenter();
      for (const token of segment(text)) {
        for (const entry of this.hanTokens.get(token.text) ?? []) found.push({ entry, start: token.start, end: token.end });
      }
    }
    // English and other latin words, stemmed, in sequence.
    const words = latinTokens(text);
    words.forEach((word, index) => {
      for (const entry of this.latinByFirst.get(word.text) ?? []) {
        const last = index + entry.words.length - 1;
        const fits = entry.words.every((expected, offset) => {
          const actual = words[index + offset]?.text;
          if (actual === undefined) return false;
          return entry.prefix && index + offset === last ? actual.startsWith(expected) : actual === expected;
        });
        const end = words[last]?.end;
        if (fits && end !== undefined) found.push({ entry, start: word.start, end });
      }
      for (const entry of this.latinPrefixes) {
        if (word.text.startsWith(entry.words[0] ?? '\u0000')) found.push({ entry, start: word.start, end: word.end });
      }
    });
    return found;
  }

  /** Teaches the shared segmenter this table's Chinese keywords (once per classifier). */
  private prepareSegmenter(): void {
    if (this.segmenterReady) return;
    addUserWords(this.entries.filter((entry) => entry.form !== 'latin').map((entry) => entry.keyword));
    this.segmenterReady = true;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
