/**
 * The labelled messages of the category matcher and the accuracy figures computed over
 * them. data/classifier/labelled.csv (header `text,category,split`): keyword tuning may
 * look only at `tune` rows; `holdout` rows measure how well the matcher generalises, and
 * the learned model is not trained on them when it is measured there.
 * data/classifier/examples.csv (header `text,category`): messages written for the learned
 * model after the keyword table, never used to adjust it. Files of independently written
 * messages for a one-off check use the same two columns.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { DataError } from '../errors.js';
import { CATEGORY_CODES, type CategoryCode } from '../pipeline/states.js';
import type { CategoryClassifier, Classification } from './classifier.js';
import { projectPath } from '../paths.js';

/** The labelled set shipped with Minqing. */
export const DEFAULT_LABELLED_PATH = projectPath('data', 'classifier', 'labelled.csv');

/** Training examples written for the learned model (header `text,category`). */
export const DEFAULT_EXAMPLES_PATH = projectPath('data', 'classifier', 'examples.csv');

/** The two parts of the labelled set. */
export const SPLITS = ['tune', 'holdout'] as const;
export type Split = (typeof SPLITS)[number];

/** A message and the category it belongs to: what the learned model trains on. */
export interface LabelledExample {
  text: string;
  category: CategoryCode;
}

/** One labelled message. */
export interface LabelledMessage extends LabelledExample {
  split: Split;
  line: number;
}

/** One row of a `text,category` file, with its line. */
export interface ExampleRow extends LabelledExample {
  line: number;
}

const rowSchema = z.object({
  text: z.string().min(1, { error: 'text is empty' }),
  category: z.enum(CATEGORY_CODES, { error: 'unknown category' }),
  split: z.enum(SPLITS, { error: 'split must be tune or holdout' }),
});

const exampleSchema = rowSchema.omit({ split: true });

function readRecords(path: string, header: readonly string[]): { record: Record<string, string>; info: { lines: number } }[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, info: true, bom: true }) as unknown as {
      record: Record<string, string>;
      info: { lines: number };
    }[];
  } catch (error) {
    throw new DataError(`${path}: ${(error as Error).message}`, { cause: error });
  }
  const first = records[0];
  const columns = first ? Object.keys(first.record) : [];
  if (first && columns.join(',') !== header.join(',')) throw new DataError(`${path}:1: the header must be ${header.join(',')}, found ${columns.join(',')}`);
  return records;
}

/** Reads and validates the labelled set; a bad row throws a DataError with file and line. */
export function loadLabelled(path: string = DEFAULT_LABELLED_PATH): LabelledMessage[] {
  return readRecords(path, ['text', 'category', 'split']).map(({ record, info }) => {
    const result = rowSchema.safeParse(record);
    if (!result.success) throw new DataError(`${path}:${info.lines}: ${result.error.issues.map((i) => i.message).join('; ')}`);
    return { ...result.data, line: info.lines };
  });
}

/**
 * Reads and validates a `text,category` file (the model's examples, or a set written
 * independently); a bad row throws a DataError with file and line.
 */
export function loadExamples(path: string = DEFAULT_EXAMPLES_PATH): ExampleRow[] {
  return readRecords(path, ['text', 'category']).map(({ record, info }) => {
    const result = exampleSchema.safeParse(record);
    if (!result.success) throw new DataError(`${path}:${info.lines}: ${result.error.issues.map((i) => i.message).join('; ')}`);
    return { ...result.data, line: info.lines };
  });
}

/** One message the matcher got wrong. */
export interface Miss {
  message: LabelledMessage;
  result: Classification;
}

/** Accuracy of one part of the labelled set. */
export interface Accuracy {
  correct: number;
  total: number;
  /** correct / total, 0 for an empty part. */
  rate: number;
}

/** What {@link evaluate} reports. */
export interface Evaluation {
  bySplit: Record<Split | 'all', Accuracy>;
  /** confusion[expected][predicted] = count. */
  confusion: Record<CategoryCode, Record<CategoryCode, number>>;
  misses: Miss[];
}

/** Classifies every labelled message and counts top-1 hits per split and per category. */
export function evaluate(classifier: CategoryClassifier, messages: readonly LabelledMessage[]): Evaluation {
  const tally = { tune: [0, 0], holdout: [0, 0], all: [0, 0] } as Record<Split | 'all', [number, number]>;
  const confusion = Object.fromEntries(CATEGORY_CODES.map((expected) => [expected, Object.fromEntries(CATEGORY_CODES.map((got) => [got, 0]))])) as Record<
    CategoryCode,
    Record<CategoryCode, number>
  >;
  const misses: Miss[] = [];
  for (const message of messages) {
    const result = classifier.classify(message.text);
    const hit = result.code === message.category ? 1 : 0;
    for (const key of [message.split, 'all'] as const) {
      tally[key][0] += hit;
      tally[key][1] += 1;
    }
    confusion[message.category][result.code] += 1;
    if (!hit) misses.push({ message, result });
  }
  const accuracy = ([correct, total]: [number, number]): Accuracy => ({ correct, total, rate: total === 0 ? 0 : correct / total });
  return {
    bySplit: { tune: accuracy(tally.tune), holdout: accuracy(tally.holdout), all: accuracy(tally.all) },
    confusion,
    misses,
  };
}

/** What {@link accuracyOn} and {@link crossValidate} report. */
export interface Scored<T extends LabelledExample> {
  accuracy: Accuracy;
  /** Every example with what the matcher said, in input order. */
  results: { example: T; result: Classification }[];
  /** The examples got wrong, in input order, with what the matcher said. */
  misses: { example: T; result: Classification }[];
  /** confusion[expected][predicted] = count. */
  confusion: Record<CategoryCode, Record<CategoryCode, number>>;
}

function emptyConfusion(): Record<CategoryCode, Record<CategoryCode, number>> {
  return Object.fromEntries(CATEGORY_CODES.map((expected) => [expected, Object.fromEntries(CATEGORY_CODES.map((got) => [got, 0]))])) as Record<
    CategoryCode,
    Record<CategoryCode, number>
  >;
}

/** Top-1 accuracy of a classifier over examples, with its misses and confusion. */
export function accuracyOn<T extends LabelledExample>(classifier: CategoryClassifier, examples: readonly T[]): Scored<T> {
  return scoreAll(examples.map((example) => ({ example, result: classifier.classify(example.text) })));
}

function scoreAll<T extends LabelledExample>(rows: readonly { example: T; result: Classification }[]): Scored<T> {
  const confusion = emptyConfusion();
  const misses: Scored<T>['misses'] = [];
  for (const row of rows) {
    confusion[row.example.category][row.result.code] += 1;
    if (row.result.code !== row.example.category) misses.push(row);
  }
  const total = rows.length;
  const correct = total - misses.length;
  return { accuracy: { correct, total, rate: total === 0 ? 0 : correct / total }, results: [...rows], misses, confusion };
}

/**
 * The fold (0 … k-1) of each example, stratified: the i-th example of each category, in
 * input order, goes to fold i mod k, so that every fold holds every category in the same
 * proportion. Deterministic, so a figure can be reproduced.
 */
export function stratifiedFolds(examples: readonly LabelledExample[], k: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`cross-validation needs at least 2 folds, got ${k}`);
  const seen = new Map<CategoryCode, number>();
  return examples.map(({ category }) => {
    const index = seen.get(category) ?? 0;
    seen.set(category, index + 1);
    return index % k;
  });
}

/**
 * k-fold cross-validation: for each fold, `build` receives the examples of the other
 * folds (and nothing of this one), and the classifier it returns classifies this fold.
 * Returns the accuracy over all examples, each classified by a model that never saw it.
 */
export function crossValidate<T extends LabelledExample>(examples: readonly T[], k: number, build: (training: T[], fold: number) => CategoryClassifier): Scored<T> {
  const folds = stratifiedFolds(examples, k);
  const results: ({ example: T; result: Classification } | undefined)[] = examples.map(() => undefined);
  for (let fold = 0; fold < k; fold += 1) {
    const classifier = build(
      examples.filter((_, index) => folds[index] !== fold),
      fold,
    );
    examples.forEach((example, index) => {
      if (folds[index] === fold) results[index] = { example, result: classifier.classify(example.text) };
    });
  }
  return scoreAll(results.filter((row) => row !== undefined));
}
