/**
 * The labelled messages of the category matcher (data/classifier/labelled.csv, header
 * `text,category,split`) and the accuracy figures computed over them. Keyword tuning may
 * look only at `tune` rows; `holdout` rows measure how well the tables generalise.
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

/** The two parts of the labelled set. */
export const SPLITS = ['tune', 'holdout'] as const;
export type Split = (typeof SPLITS)[number];

/** One labelled message. */
export interface LabelledMessage {
  text: string;
  category: CategoryCode;
  split: Split;
  line: number;
}

const rowSchema = z.object({
  text: z.string().min(1, { error: 'text is empty' }),
  category: z.enum(CATEGORY_CODES, { error: 'unknown category' }),
  split: z.enum(SPLITS, { error: 'split must be tune or holdout' }),
});

/** Reads and validates the labelled set; a bad row throws a DataError with file and line. */
export function loadLabelled(path: string = DEFAULT_LABELLED_PATH): LabelledMessage[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, info: true, bom: true }) as unknown as {
      record: Record<string, string>;
      info: { lines: number };
    }[];
  } catch (error) {
    throw new DataError(`${path}: ${(error as Error).message}`, { cause: error });
  }
  return records.map(({ record, info }) => {
    const result = rowSchema.safeParse(record);
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
  const confusion = Object.fromEntries(
    CATEGORY_CODES.map((expected) => [expected, Object.fromEntries(CATEGORY_CODES.map((got) => [got, 0]))]),
  ) as Record<CategoryCode, Record<CategoryCode, number>>;
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
