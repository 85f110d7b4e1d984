/**
 * The figures `npm run classify:eval` prints, computed apart from the command line so
 * that a test can run them on small files. Every figure classifies each message with a
 * model that did not train on it, and sets beside it what the keyword table alone
 * scores on the same messages.
 *
 * - holdout: the `holdout` rows of labelled.csv, the model trained on the `tune` rows
 *   and examples.csv. The keyword table was not adjusted on holdout rows.
 * - cross-validated: k-fold over all of labelled.csv, the model retrained per fold on the
 *   other folds and examples.csv, the keyword table fixed (it was tuned on the tune rows,
 *   so this figure flatters it).
 * - examples: k-fold over examples.csv (written for the model after the table, never used
 *   to adjust it), trained on the other folds and the tune rows.
 * - independent: a `text,category` file written by someone else, classified by the
 *   shipped model (trained on everything), when the file exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CategoryClassifier } from './classifier.js';
import { accuracyOn, crossValidate, loadExamples, loadLabelled, } from './classifier-labelled.js';
import { projectPath } from '../paths.js';
/** Where the independently written sets are kept (independent.csv, independent-2.csv…). */
export const INDEPENDENT_DIR = projectPath('data', 'classifier');
/** The independently written sets in `directory`, by name. */
export function independentSets(directory = INDEPENDENT_DIR) {
    if (!existsSync(directory))
        return [];
    return readdirSync(directory)
        .filter((name) => /^independent.*\.csv$/.test(name))
        .sort()
        .map((name) => join(directory, name));
}
/** Confidence from which the dialogue asks "is it X?" (flows/report.ts). */
const ASK_THRESHOLD = 0.5;
function figure(scored, keywordsOnly) {
    const asked = scored.results.filter(({ result }) => result.confidence >= ASK_THRESHOLD && result.code !== 'other');
    return {
        scored,
        keywordsAlone: accuracyOn(keywordsOnly, scored.results.map((row) => row.example)).accuracy,
        asked: { count: asked.length, right: asked.filter(({ example, result }) => result.code === example.category).length },
    };
}
/** Computes every figure of the module comment. Reads the files; throws DataError for a bad one. */
export function matcherReport(options) {
    const { keywordsPath, folds } = options;
    const labelled = loadLabelled(options.labelledPath);
    const examples = options.examplesPaths.filter((path) => existsSync(path)).flatMap((path) => loadExamples(path));
    const tune = labelled.filter((row) => row.split === 'tune');
    const holdoutRows = labelled.filter((row) => row.split === 'holdout');
    const keywordsOnly = CategoryClassifier.load(keywordsPath, { examples: [], keywordsOnly: true });
    const build = (training) => CategoryClassifier.load(keywordsPath, { examples: training });
    const holdout = figure(accuracyOn(build([...tune, ...examples]), holdoutRows), keywordsOnly);
    const crossValidated = figure(crossValidate(labelled, folds, (training) => build([...training, ...examples])), keywordsOnly);
    const examplesFigure = examples.length >= folds
        ? figure(crossValidate(examples, folds, (training) => build([...tune, ...training])), keywordsOnly)
        : undefined;
    const shipped = build([...labelled, ...examples]);
    const independent = options.independentPaths.map((path) => ({
        path,
        figure: existsSync(path) ? figure(accuracyOn(shipped, loadExamples(path)), keywordsOnly) : undefined,
    }));
    return {
        holdout,
        crossValidated,
        examples: examplesFigure,
        independent,
        counts: { tune: tune.length, holdout: holdoutRows.length, labelled: labelled.length, examples: examples.length, keywordRows: keywordsOnly.entries.length },
        folds,
        shipped,
        examplesRows: examples,
    };
}
function percent(a) {
    return `${(a.rate * 100).toFixed(1)}% (${a.correct}/${a.total})`;
}
function figureLine(label, f, note) {
    const asked = f.asked.count === 0 ? 'asks none' : `asks "is it X?" for ${f.asked.count}, right in ${((f.asked.right / f.asked.count) * 100).toFixed(0)}%`;
    return `${label.padEnd(16)}${percent(f.scored.accuracy).padEnd(18)} keywords alone ${percent(f.keywordsAlone).padEnd(17)} ${asked}; ${note}`;
}
/** The report's figure lines, as `npm run classify:eval` prints them. */
export function formatReport(report) {
    const { counts, folds } = report;
    const lines = [
        figureLine('holdout', report.holdout, `model trained on the ${counts.tune} tune rows + ${counts.examples} examples; the keyword table was not adjusted on holdout`),
        figureLine(`${folds}-fold CV`, report.crossValidated, `over all ${counts.labelled} labelled rows, model retrained per fold (other folds + examples); table fixed, tuned on the ${counts.tune} tune rows`),
    ];
    if (report.examples) {
        lines.push(figureLine('examples CV', report.examples, `${folds}-fold over examples.csv (not used to adjust the table), trained on the other folds + tune rows`));
    }
    for (const { path, figure: f } of report.independent) {
        lines.push(f ? figureLine('independent', f, `${path}, written independently; shipped model`) : `${'independent'.padEnd(16)}— (${path} not present)`);
    }
    return lines;
}
