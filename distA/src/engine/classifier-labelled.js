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
import { CATEGORY_CODES } from '../pipeline/states.js';
import { projectPath } from '../paths.js';
/** The labelled set shipped with Minqing. */
export const DEFAULT_LABELLED_PATH = projectPath('data', 'classifier', 'labelled.csv');
/** Training examples written for the learned model (header `text,category`). */
export const DEFAULT_EXAMPLES_PATH = projectPath('data', 'classifier', 'examples.csv');
/** The two parts of the labelled set. */
export const SPLITS = ['tune', 'holdout'];
const rowSchema = z.object({
    text: z.string().min(1, { error: 'text is empty' }),
    category: z.enum(CATEGORY_CODES, { error: 'unknown category' }),
    split: z.enum(SPLITS, { error: 'split must be tune or holdout' }),
});
const exampleSchema = rowSchema.omit({ split: true });
function readRecords(path, header) {
    let records;
    try {
        records = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, info: true, bom: true });
    }
    catch (error) {
        throw new DataError(`${path}: ${error.message}`, { cause: error });
    }
    const first = records[0];
    const columns = first ? Object.keys(first.record) : [];
    if (first && columns.join(',') !== header.join(','))
        throw new DataError(`${path}:1: the header must be ${header.join(',')}, found ${columns.join(',')}`);
    return records;
}
/** Reads and validates the labelled set; a bad row throws a DataError with file and line. */
export function loadLabelled(path = DEFAULT_LABELLED_PATH) {
    return readRecords(path, ['text', 'category', 'split']).map(({ record, info }) => {
        const result = rowSchema.safeParse(record);
        if (!result.success)
            throw new DataError(`${path}:${info.lines}: ${result.error.issues.map((i) => i.message).join('; ')}`);
        return { ...result.data, line: info.lines };
    });
}
/**
 * Reads and validates a `text,category` file (the model's examples, or a set written
 * independently); a bad row throws a DataError with file and line.
 */
export function loadExamples(path = DEFAULT_EXAMPLES_PATH) {
    return readRecords(path, ['text', 'category']).map(({ record, info }) => {
        const result = exampleSchema.safeParse(record);
        if (!result.success)
            throw new DataError(`${path}:${info.lines}: ${result.error.issues.map((i) => i.message).join('; ')}`);
        return { ...result.data, line: info.lines };
    });
}
/** Classifies every labelled message and counts top-1 hits per split and per category. */
export function evaluate(classifier, messages) {
    const tally = { tune: [0, 0], holdout: [0, 0], all: [0, 0] };
    const confusion = Object.fromEntries(CATEGORY_CODES.map((expected) => [expected, Object.fromEntries(CATEGORY_CODES.map((got) => [got, 0]))]));
    const misses = [];
    for (const message of messages) {
        const result = classifier.classify(message.text);
        const hit = result.code === message.category ? 1 : 0;
        for (const key of [message.split, 'all']) {
            tally[key][0] += hit;
            tally[key][1] += 1;
        }
        confusion[message.category][result.code] += 1;
        if (!hit)
            misses.push({ message, result });
    }
    const accuracy = ([correct, total]) => ({ correct, total, rate: total === 0 ? 0 : correct / total });
    return {
        bySplit: { tune: accuracy(tally.tune), holdout: accuracy(tally.holdout), all: accuracy(tally.all) },
        confusion,
        misses,
    };
}
function emptyConfusion() {
    return Object.fromEntries(CATEGORY_CODES.map((expected) => [expected, Object.fromEntries(CATEGORY_CODES.map((got) => [got, 0]))]));
}
/** Top-1 accuracy of a classifier over examples, with its misses and confusion. */
export function accuracyOn(classifier, examples) {
    return scoreAll(examples.map((example) => ({ example, result: classifier.classify(example.text) })));
}
function scoreAll(rows) {
    const confusion = emptyConfusion();
    const misses = [];
    for (const row of rows) {
        confusion[row.example.category][row.result.code] += 1;
        if (row.result.code !== row.example.category)
            misses.push(row);
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
export function stratifiedFolds(examples, k) {
    if (!Number.isInteger(k) || k < 2)
        throw new RangeError(`cross-validation needs at least 2 folds, got ${k}`);
    const seen = new Map();
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
export function crossValidate(examples, k, build) {
    const folds = stratifiedFolds(examples, k);
    const results = examples.map(() => undefined);
    for (let fold = 0; fold < k; fold += 1) {
        const classifier = build(examples.filter((_, index) => folds[index] !== fold), fold);
        examples.forEach((example, index) => {
            if (folds[index] === fold)
                results[index] = { example, result: classifier.classify(example.text) };
        });
    }
    return scoreAll(results.filter((row) => row !== undefined));
}
