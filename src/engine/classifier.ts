/**
 * The category matcher: proposes one of the 14 category codes for a villager's free
 * text, with a confidence, so that the dialogue can ask "is this about 电力照明?".
 *
 * Two sources of evidence, summed as log-odds in one softmax over the 14 categories:
 *
 * 1. The keyword table (data/classifier/keywords.csv), a county's own knowledge. The
 *    message is normalised (NFKC, lower case); Chinese is cut with jieba and English is
 *    split into stemmed words. Every keyword found adds its weight to its category, once
 *    per distinct keyword. Multi-character Chinese keywords are also looked for as
 *    substrings of the raw text, so a segmentation miss does not lose them. An occurrence
 *    that lies inside a longer matched keyword (污水 inside 污水管, 水渠 inside 排水渠) does
 *    not count on its own. Villagers put the main matter first and add others with 还有 /
 *    另外 / 顺便 / "also": keywords after such a marker weigh {@link SECONDARY_FACTOR} of
 *    their weight, and equal scores go to the category mentioned first.
 * 2. A multinomial naive Bayes model (classifier-model.ts) over Chinese characters,
 *    character bigrams, longer jieba words and stemmed English words
 *    (classifier-features.ts), trained at load from the keyword rows themselves and the
 *    labelled messages (data/classifier/labelled.csv and examples.csv), and grown by
 *    {@link CategoryClassifier.learn} with staff corrections. It carries what the table
 *    misses: phrasings nobody wrote a keyword for, and context that outweighs a
 *    misleading keyword (上学 in a message about a broken bridge).
 *
 * score(c) = a · keywords(c) + b · log P(message | c) (+ a small prior for `other`), and
 * confidence(c) = e^score(c) / Σ e^score(k) over the 14 categories ({@link combine}). The
 * scales ({@link SCALES}) were fitted by cross-validation on messages the keyword table
 * was never adjusted on: naive Bayes is overconfident, so its log-likelihood is damped,
 * and the fit makes the confidence track the share of right answers. A message with
 * nothing the table or the model knows is `other` with {@link NO_MATCH_CONFIDENCE}.
 */
import { CATEGORY_CODES, type CategoryCode, type RequestKind } from '../pipeline/states.js';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { guessKind } from './classifier-kind.js';
import { type FeatureBag, textFeatures } from './classifier-features.js';
import { type KeywordEntry, loadKeywordTable, parseKeywordTable } from './classifier-keywords.js';
import { type LabelledExample, loadExamples, loadLabelled } from './classifier-labelled.js';
import { cachedModel, modelKey } from './classifier-cache.js';
import { CATEGORY_COUNT, categoryIndex, NaiveBayesModel } from './classifier-model.js';
import { combine, type Evidence, hasEvidence, NO_MATCH_CONFIDENCE } from './classifier-scales.js';
import { addUserWords, hasHan, latinTokens, normalise, segment, type Token } from './classifier-text.js';
import { projectPath } from '../paths.js';

export { type KeywordEntry } from './classifier-keywords.js';
export { type Evidence, NO_MATCH_CONFIDENCE, SCALES } from './classifier-scales.js';

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

/** Share of its weight a keyword keeps when it only appears after a secondary-topic marker. */
export const SECONDARY_FACTOR = 0.6;
/** Lidstone smoothing α of the model (classifier-model.ts). */
export const MODEL_SMOOTHING = 0.3;
/**
 * Each keyword row is also a training example of its category for the model, counting
 * for its weight times this: the model then knows the table's words from the start,
 * and its characters and bigrams carry them to phrasings the table does not list
 * (烧秸秆 teaches 秸秆, which then counts in 秸秆堆).
 */
export const KEYWORD_EXAMPLE_WEIGHT = 1;
/**
 * How many shipped examples a staff correction counts for: it is the county's own
 * phrasing, judged by someone who read the whole ticket.
 */
export const CORRECTION_WEIGHT = 2;
/**
 * Runners-up below this confidence are not worth offering, unless a keyword named them
 * (the second matter of 俺村垃圾没人收，还有路灯也不亮 is power however small its share).
 */
const ALTERNATIVE_FLOOR = 0.05;
/** Words that introduce a second, lesser matter in the same message (the report offers to file it apart: splitMatters). */
const SECONDARY_MARKERS = /还有|另外|顺便|顺带|再有就是|再就是|再一个|再一件|此外|\balso\b|by the way|\bbtw\b/g;

/** 还有…, 另外…: whether the words open another matter than the one being talked about (Step.aboutItsMatter). */
export function opensAnotherMatter(text: string): boolean {
  return new RegExp(`^(?:${SECONDARY_MARKERS.source})`, 'i').test(text.trim());
}

/**
 * A message cut where a second matter starts (路灯坏了好几天，还有垃圾也没人收 → 路灯坏了好几天
 * and 垃圾也没人收), at the first of the words that introduce one; null when none does, or
 * either side has no words. Whether they are two matters is the caller's to judge (each
 * placed, confidently, in a category of its own).
 */
export function splitMatters(text: string): { first: string; second: string } | null {
  const marker = new RegExp(SECONDARY_MARKERS.source).exec(text);
  if (!marker) return null;
  const first = text.slice(0, marker.index).replace(/[\p{P}\p{Z}\s]+$/u, '');
  const second = text.slice(marker.index + marker[0].length).replace(/^[\p{P}\p{Z}\s]+/u, '');
  return /[\p{L}\p{N}]/u.test(first) && /[\p{L}\p{N}]/u.test(second) ? { first, second } : null;
}
const MAX_ALTERNATIVES = 3;

/** How {@link CategoryClassifier.load} and {@link CategoryClassifier.fromText} build the model. */
export interface ClassifierOptions {
  /**
   * The labelled examples the model trains on at load, after the keyword rows. Default
   * for `load`: the training files beside the keyword table, `labelled.csv` (every split)
   * and `examples.csv`, each if present (a county's copy of the table can bring its own);
   * for `fromText`: none.
   */
  examples?: Iterable<LabelledExample>;
  /** Lidstone smoothing of the model; default {@link MODEL_SMOOTHING} (for fitting it). */
  smoothing?: number;
  /**
   * True: the model starts empty (not even the keyword rows), so the matcher is the
   * keyword table alone until {@link CategoryClassifier.learn}: the comparison
   * `classify:eval` prints beside each figure.
   */
  keywordsOnly?: boolean;
}

interface Occurrence {
  entry: KeywordEntry;
  start: number;
  end: number;
}

interface CategoryScore {
  score: number;
  first: number;
  keywords: KeywordEntry[];
}

/** A message cut once for both the keyword table and the model. */
interface PreparedText {
  text: string;
  han: Token[];
  latin: Token[];
  secondaryFrom: number;
}

/** Matches messages against a keyword table and a learned model; see the module comment. */
export class CategoryClassifier {
  /** Multi-character Chinese keywords by their first character. */
  private readonly hanByFirst = new Map<string, KeywordEntry[]>();
  /** One-character Chinese keywords by the character (matched as whole tokens). */
  private readonly hanTokens = new Map<string, KeywordEntry[]>();
  /** Latin keywords by their first (stemmed) word. */
  private readonly latinByFirst = new Map<string, KeywordEntry[]>();
  /** Latin prefix keywords of one word (`vaccinat*`). */
  private readonly latinPrefixes: KeywordEntry[] = [];
  /** The first row of each set of latin rows with the same stemmed words. */
  private readonly latinFirstRow = new Map<string, KeywordEntry>();
  /** The other rows of such a set, by its first row. */
  private readonly latinVariants = new Map<KeywordEntry, KeywordEntry[]>();
  private model: NaiveBayesModel;
  private segmenterReady = false;

  private constructor(
    readonly entries: readonly KeywordEntry[],
    training: Iterable<WeightedExample> | NaiveBayesModel,
    options: ClassifierOptions,
  ) {
    this.model = training instanceof NaiveBayesModel ? training : new NaiveBayesModel(options.smoothing ?? MODEL_SMOOTHING);
    // Rows whose stemmed words are the same (house, housing) are one keyword, looked up
    // once: the row spelt as the message spells it counts, else the first listed.
    for (const entry of entries) {
      if (entry.form === 'han') push(this.hanByFirst, entry.keyword.charAt(0), entry);
      else if (entry.form === 'han-token') push(this.hanTokens, entry.keyword, entry);
      else {
        const first = this.latinFirstRow.get(latinKey(entry));
        if (first) {
          push(this.latinVariants, first, entry);
          continue;
        }
        this.latinFirstRow.set(latinKey(entry), entry);
        if (entry.prefix && entry.words.length === 1) this.latinPrefixes.push(entry);
        else push(this.latinByFirst, entry.words[0] ?? '', entry);
      }
    }
    if (!(training instanceof NaiveBayesModel)) for (const example of training) this.train(example.text, example.category, example.weight);
  }

  /**
   * Loads and validates a keyword table (default: data/classifier/keywords.csv) and
   * trains the model (see {@link ClassifierOptions.examples}). Throws a DataError naming
   * the file, line and reason for a bad row of any of the files.
   */
  static load(path: string = DEFAULT_KEYWORDS_PATH, options: ClassifierOptions = {}): CategoryClassifier {
    const entries = loadKeywordTable(path);
    if (options.keywordsOnly || options.examples !== undefined || options.smoothing !== undefined) {
      return new CategoryClassifier(entries, options.keywordsOnly ? [] : modelExamples(entries, options.examples ?? trainingFilesBeside(path)), options);
    }
    // The model of the files beside the table: restored when trained before (classifier-cache.ts).
    const files = [path, ...trainingFileNames(path)];
    const model = cachedModel(modelKey(files, MODEL_SMOOTHING), () => {
      const trained = new CategoryClassifier(entries, modelExamples(entries, trainingFilesBeside(path)), options);
      return trained.model;
    });
    return new CategoryClassifier(entries, model, options);
  }

  /** A classifier over the text of a keyword table; `file` names it in error messages. */
  static fromText(text: string, file = '<keywords>', options: ClassifierOptions = {}): CategoryClassifier {
    const entries = parseKeywordTable(text, file);
    return new CategoryClassifier(entries, options.keywordsOnly ? [] : modelExamples(entries, options.examples ?? []), options);
  }

  /** Size of the learned model: examples (weighted) and distinct features. */
  get modelSize(): { examples: number; features: number } {
    return { examples: this.model.exampleCount, features: this.model.vocabularySize };
  }

  /**
   * Learns that `text` belongs to `code` (a staff correction 改类): the model counts it
   * as {@link CORRECTION_WEIGHT} examples, at once, in time proportional to the length of
   * the text. Similar messages move towards `code`; the keyword table is unchanged.
   */
  learn(text: string, code: CategoryCode): void {
    this.train(text, code, CORRECTION_WEIGHT);
  }

  /** {@link learn} for each example, as when a county's past corrections are loaded. */
  learnAll(examples: Iterable<LabelledExample>): void {
    for (const example of examples) this.learn(example.text, example.category);
  }

  /**
   * The keyword scores and the model's log-likelihoods of a message, uncombined: what
   * `npm run classify:eval -- --fit` fits {@link SCALES} on.
   */
  evidence(text: string): Evidence {
    return this.analyse(text).evidence;
  }

  /** Proposes a category for one message. Never throws on any string. */
  classify(text: string): Classification {
    const { prepared, keywordScores, evidence } = this.analyse(text);
    if (!hasEvidence(evidence)) {
      return { code: 'other', confidence: NO_MATCH_CONFIDENCE, kind: guessKind(prepared.text, 'other'), alternatives: [], matched: [] };
    }
    const scores = combine(evidence);
    const ranked = CATEGORY_CODES.map((code, order) => ({ code, order, score: scores[order] ?? 0, first: keywordScores.get(code)?.first ?? Infinity })).sort(
      (a, b) => b.score - a.score || a.first - b.first || a.order - b.order,
    );
    const best = ranked[0] ?? { code: 'other' as const, score: 0 };
    // Softmax shifted by the best score, so that long texts do not overflow.
    const denominator = ranked.reduce((sum, row) => sum + Math.exp(row.score - best.score), 0);
    const confidence = (score: number): number => round(Math.exp(score - best.score) / denominator);
    const keywords = keywordScores.get(best.code)?.keywords ?? [];
    return {
      code: best.code,
      confidence: confidence(best.score),
      kind: guessKind(prepared.text, best.code),
      alternatives: ranked
        .slice(1)
        .map((row) => ({ code: row.code, confidence: confidence(row.score) }))
        .filter((row) => row.confidence >= ALTERNATIVE_FLOOR || keywordScores.has(row.code))
        .slice(0, MAX_ALTERNATIVES),
      matched: [...keywords].sort((a, b) => b.weight - a.weight || a.line - b.line).map((entry) => entry.keyword),
    };
  }

  private analyse(text: string): { prepared: PreparedText; keywordScores: Map<CategoryCode, CategoryScore>; evidence: Evidence } {
    const prepared = this.prepare(text);
    const keywordScores = this.score(prepared);
    const keywords = new Float64Array(CATEGORY_COUNT);
    for (const [code, row] of keywordScores) keywords[categoryIndex(code)] = row.score;
    const model = new Float64Array(CATEGORY_COUNT);
    // An empty model (keywordsOnly) has nothing to say: spare the features.
    const known = this.model.vocabularySize === 0 ? 0 : this.model.addLogLikelihood(this.features(prepared), model);
    return { prepared, keywordScores, evidence: { keywords, model, known } };
  }

  private train(text: string, code: CategoryCode, weight: number): void {
    this.model.add(this.features(this.prepare(text)), categoryIndex(code), weight);
  }

  private prepare(text: string): PreparedText {
    const normalised = normalise(text);
    let han: Token[] = [];
    if (hasHan(normalised)) {
      this.prepareSegmenter();
      han = segment(normalised);
    }
    return { text: normalised, han, latin: latinTokens(normalised), secondaryFrom: normalised.search(SECONDARY_MARKERS) };
  }

  private features(prepared: PreparedText): FeatureBag {
    return textFeatures(prepared.text, prepared.han, prepared.latin, prepared.secondaryFrom, SECONDARY_FACTOR);
  }

  /**
   * Keyword score, first mention and counted keywords per category of a message.
   * Each distinct keyword counts once, with the weight of its best occurrence.
   */
  private score(prepared: PreparedText): Map<CategoryCode, CategoryScore> {
    const occurrences = this.occurrences(prepared);
    const { secondaryFrom } = prepared;
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
    const scores = new Map<CategoryCode, CategoryScore>();
    for (const [entry, { weight, start }] of counted) {
      const row = scores.get(entry.category) ?? { score: 0, first: Infinity, keywords: [] };
      row.score += weight;
      row.first = Math.min(row.first, start);
      row.keywords.push(entry);
      scores.set(entry.category, row);
    }
    return scores;
  }

  /** Every place where a keyword occurs in the message. */
  private occurrences({ text, han, latin: words }: PreparedText): Occurrence[] {
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
    for (const token of han) {
      for (const entry of this.hanTokens.get(token.text) ?? []) found.push({ entry, start: token.start, end: token.end });
    }
    // English and other latin words, stemmed, in sequence.
    words.forEach((word, index) => {
      for (const entry of this.latinByFirst.get(word.text) ?? []) {
        const last = index + entry.words.length - 1;
        const fits = entry.words.every((expected, offset) => {
          const actual = words[index + offset]?.text;
          if (actual === undefined) return false;
          return entry.prefix && index + offset === last ? actual.startsWith(expected) : actual === expected;
        });
        const end = words[last]?.end;
        if (fits && end !== undefined) found.push({ entry: this.spelt(entry, text.slice(word.start, end)), start: word.start, end });
      }
      for (const entry of this.latinPrefixes) {
        if (word.text.startsWith(entry.words[0] ?? '\u0000')) found.push({ entry: this.spelt(entry, text.slice(word.start, word.end)), start: word.start, end: word.end });
      }
    });
    return found;
  }

  /** Of a latin row and its variants (same stemmed words), the one spelt `raw`, else the row. */
  private spelt(entry: KeywordEntry, raw: string): KeywordEntry {
    return this.latinVariants.get(entry)?.find((variant) => variant.keyword === raw) ?? entry;
  }

  /** Teaches the shared segmenter this table's Chinese keywords (once per classifier). */
  private prepareSegmenter(): void {
    if (this.segmenterReady) return;
    addUserWords(this.entries.filter((entry) => entry.form !== 'latin').map((entry) => entry.keyword));
    this.segmenterReady = true;
  }
}

/** A training example and how many examples it counts for. */
interface WeightedExample extends LabelledExample {
  weight: number;
}

/** What the model trains on at load: the keyword rows (see KEYWORD_EXAMPLE_WEIGHT), then the examples. */
function* modelExamples(entries: readonly KeywordEntry[], examples: Iterable<LabelledExample>): Generator<WeightedExample> {
  for (const entry of entries) yield { text: entry.keyword, category: entry.category, weight: entry.weight * KEYWORD_EXAMPLE_WEIGHT };
  for (const example of examples) yield { text: example.text, category: example.category, weight: 1 };
}

/** What a latin keyword matches: its category and stemmed words. */
function latinKey(entry: KeywordEntry): string {
  return `${entry.category} ${entry.words.join(' ')}${entry.prefix ? '*' : ''}`;
}

/** The training files beside a keyword table: labelled.csv (every split) and examples.csv, if present. */
/**
 * The training files beside a keyword table that exist: labelled.csv, then every
 * examples*.csv (examples.csv, examples-more.csv…: a county may add its own) by name.
 */
function trainingFileNames(keywordsPath: string): string[] {
  const labelled = join(dirname(keywordsPath), 'labelled.csv');
  return [...(existsSync(labelled) ? [labelled] : []), ...exampleFilesBeside(keywordsPath)];
}

/** The example files beside a keyword table (examples.csv, examples-more.csv…), by name. */
export function exampleFilesBeside(keywordsPath: string): string[] {
  const directory = dirname(keywordsPath);
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => /^examples.*\.csv$/.test(name))
    .sort()
    .map((name) => join(directory, name));
}

function trainingFilesBeside(keywordsPath: string): LabelledExample[] {
  return trainingFileNames(keywordsPath).flatMap((file) => (file.endsWith('labelled.csv') ? loadLabelled(file) : loadExamples(file)));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
