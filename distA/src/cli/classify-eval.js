/**
 * Measures the category matcher (src/engine/classifier-report.ts says what each figure
 * is): top-1 accuracy on the holdout split, k-fold cross-validated over the labelled set
 * and over the model's examples, and on an independently written set when
 * data/classifier/independent.csv exists; each beside the keyword table alone. Then a
 * per-category summary of the cross-validation, the speed (messages per second over the
 * labelled set, after a warm-up pass; a benchmark, so no test times it) and the size of
 * the model in memory.
 *
 *   npm run classify:eval -- [--errors] [--folds N] [--fit] [--keywords FILE] [--labelled FILE]
 *                            [--examples FILE] [--independent FILE]
 *
 * --errors lists the misclassified messages of each figure. --fit searches the scales of
 * classifier-scales.ts by cross-validation over the examples (see SCALES).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CategoryClassifier, CATEGORY_NAMES_ZH, DEFAULT_KEYWORDS_PATH, exampleFilesBeside, SCALES } from '../engine/classifier.js';
import { crossValidate, DEFAULT_LABELLED_PATH, loadExamples, loadLabelled } from '../engine/classifier-labelled.js';
import { formatReport, independentSets, matcherReport } from '../engine/classifier-report.js';
import { fitScales } from '../engine/classifier-scales.js';
import { ConfigError } from '../errors.js';
import { CATEGORY_CODES } from '../pipeline/states.js';
import { runCli, takeOption } from './run-cli.js';
const USAGE = 'usage: npm run classify:eval -- [--errors] [--folds N] [--fit] [--keywords FILE] [--labelled FILE] [--examples FILE] [--independent FILE]';
// A reader that stops early (`| head`) closes the pipe; that is not an error.
process.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE')
        throw error;
    process.exit(0);
});
/** Messages per second when `classifier` classifies the texts repeatedly for about a second. */
function rate(classifier, texts) {
    for (const text of texts)
        classifier.classify(text); // warm-up: jieba's first calls are slower
    let classified = 0;
    const started = performance.now();
    while (performance.now() - started < 1000) {
        for (const text of texts)
            classifier.classify(text);
        classified += texts.length;
    }
    return classified / ((performance.now() - started) / 1000);
}
/** The speed of the shipped matcher and, for comparison, of the keyword table alone. */
function speedLine(shipped, keywordsOnly, texts) {
    const perSecond = rate(shipped, texts);
    const tableOnly = rate(keywordsOnly, texts);
    return (`${'speed'.padEnd(16)}${Math.round(perSecond).toLocaleString('en')} messages/s (${(1e6 / perSecond).toFixed(0)} µs each), one process, after load; ` +
        `the keyword table alone ${Math.round(tableOnly).toLocaleString('en')} messages/s`);
}
/**
 * The garbage collector, exposed at run time: tsx gives no way to pass --expose-gc, and
 * a heap figure without a collection before it measures garbage too.
 */
function collector() {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc');
}
/** Heap and array buffers in use after a full collection, in bytes. */
function usedBytes(gc) {
    gc();
    gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
}
function mib(bytes) {
    return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
/** Copies built for the memory figure: one matcher is too small against the heap's noise. */
const MEMORY_COPIES = 8;
/**
 * The memory a matcher holds, measured: heap growth per copy when MEMORY_COPIES are built
 * and kept, after the shared segmenter is loaded (it is counted once per process, not per
 * matcher), for the keyword table alone and for the shipped matcher.
 */
function memoryLine(keywordsPath, training) {
    const gc = collector();
    CategoryClassifier.load(keywordsPath, { keywordsOnly: true }).classify('路灯坏了'); // loads the segmenter
    const perCopy = (make) => {
        const before = usedBytes(gc);
        const kept = Array.from({ length: MEMORY_COPIES }, make);
        const bytes = (usedBytes(gc) - before) / kept.length;
        return { bytes, last: kept[kept.length - 1] ?? make() };
    };
    const table = perCopy(() => CategoryClassifier.load(keywordsPath, { keywordsOnly: true }));
    const shipped = perCopy(() => CategoryClassifier.load(keywordsPath, { examples: training }));
    const { examples, features } = shipped.last.modelSize;
    return (`${'model'.padEnd(16)}${Math.round(examples).toLocaleString('en')} weighted examples (keyword rows count their weight), ` +
        `${features.toLocaleString('en')} features; heap per matcher ${mib(shipped.bytes)}, of which the model ${mib(shipped.bytes - table.bytes)} ` +
        `(the shared jieba dictionary, ~9 MiB once per process, not counted)`);
}
function errorLines(title, scored) {
    const lines = ['', `${title}: misclassified (${scored.misses.length}):`];
    for (const { example, result } of scored.misses) {
        const alternatives = result.alternatives.map((a) => `${a.code} ${a.confidence}`).join(', ');
        lines.push(`  line ${example.line}: expected ${example.category} ${CATEGORY_NAMES_ZH[example.category]}, got ${result.code} ${result.confidence}` +
            ` [${result.matched.join(' ')}]${alternatives ? ` alt: ${alternatives}` : ''}\n      ${example.text}`);
    }
    return lines;
}
function confusionLines(confusion) {
    const lines = ['category      n  correct  recall  precision  confused with'];
    for (const code of CATEGORY_CODES) {
        const row = confusion[code];
        const total = CATEGORY_CODES.reduce((sum, got) => sum + row[got], 0);
        const predicted = CATEGORY_CODES.reduce((sum, expected) => sum + confusion[expected][code], 0);
        const hits = row[code];
        const others = CATEGORY_CODES.filter((got) => got !== code && row[got] > 0)
            .sort((a, b) => row[b] - row[a])
            .map((got) => `${got}×${row[got]}`)
            .join(' ');
        const recall = total === 0 ? '—' : `${((hits / total) * 100).toFixed(0)}%`;
        const precision = predicted === 0 ? '—' : `${((hits / predicted) * 100).toFixed(0)}%`;
        lines.push(`${code.padEnd(12)} ${String(total).padStart(3)}  ${String(hits).padStart(7)}  ${recall.padStart(6)}  ${precision.padStart(9)}  ${others}`);
    }
    return lines;
}
/** --fit: the evidence of every example from a model trained without it, then the grid. */
function fitLines(keywordsPath, labelledPath, examplesPaths, folds) {
    const tune = loadLabelled(labelledPath).filter((row) => row.split === 'tune');
    const examples = examplesPaths.flatMap((path) => loadExamples(path));
    const rows = [];
    crossValidate(examples, folds, (training) => {
        const classifier = CategoryClassifier.load(keywordsPath, { examples: [...tune, ...training] });
        const trained = new Set(training);
        for (const row of examples)
            if (!trained.has(row))
                rows.push({ evidence: classifier.evidence(row.text), category: row.category });
        return classifier;
    });
    const fits = fitScales(rows, {
        keyword: [0.5, 0.75, 1, 1.25, 1.5, 2],
        model: [0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 1],
        otherPrior: [0, 0.5, 1, 1.5, 2],
    });
    const current = fitScales(rows, { keyword: [SCALES.keyword], model: [SCALES.model], otherPrior: [SCALES.otherPrior] })[0];
    const show = (f) => `  keyword ${f.scales.keyword}  model ${f.scales.model}  other +${f.scales.otherPrior}   top-1 ${(f.accuracy * 100).toFixed(1)}%  log-loss ${f.logLoss.toFixed(3)}`;
    return [
        '',
        `fit: ${folds}-fold cross-validation over ${examples.length} examples (model trained on the other folds + ${tune.length} tune rows); best first:`,
        ...fits.slice(0, 8).map(show),
        'in use (SCALES):',
        ...(current ? [show(current)] : []),
    ];
}
function main() {
    const args = process.argv.slice(2);
    if (args.includes('--help') || args.includes('-h')) {
        console.log(USAGE);
        return 0;
    }
    const option = (name) => takeOption(args, name, USAGE);
    const keywordsPath = option('--keywords') ?? DEFAULT_KEYWORDS_PATH;
    const labelledPath = option('--labelled') ?? DEFAULT_LABELLED_PATH;
    const examplesOption = option('--examples');
    const examplesPaths = examplesOption ? [examplesOption] : exampleFilesBeside(keywordsPath);
    const independentOption = option('--independent');
    const independentPaths = independentOption ? [independentOption] : independentSets();
    const foldsText = option('--folds') ?? '10';
    const folds = Number(foldsText);
    if (!Number.isInteger(folds) || folds < 2)
        throw new ConfigError([`--folds must be a whole number of at least 2, got ${foldsText}; ${USAGE}`]);
    const showErrors = args.includes('--errors');
    const fit = args.includes('--fit');
    const unknown = args.filter((a) => a !== '--errors' && a !== '--fit');
    if (unknown.length > 0)
        throw new ConfigError([`unknown argument ${unknown.join(' ')}; ${USAGE}`]);
    const report = matcherReport({ keywordsPath, labelledPath, examplesPaths, independentPaths, folds });
    for (const line of formatReport(report))
        console.log(line);
    const labelled = loadLabelled(labelledPath);
    console.log(speedLine(report.shipped, CategoryClassifier.load(keywordsPath, { keywordsOnly: true }), labelled.map((m) => m.text)));
    console.log(memoryLine(keywordsPath, [...labelled, ...report.examplesRows]));
    console.log('');
    console.log(`${folds}-fold cross-validation over the labelled set, per category:`);
    for (const line of confusionLines(report.crossValidated.scored.confusion))
        console.log(line);
    if (showErrors) {
        const figures = [
            ['holdout', report.holdout.scored],
            [`${folds}-fold CV`, report.crossValidated.scored],
            ...(report.examples ? [['examples CV', report.examples.scored]] : []),
            ...report.independent.flatMap(({ path, figure }) => (figure ? [[`independent ${path.slice(path.lastIndexOf('/') + 1)}`, figure.scored]] : [])),
        ];
        for (const [title, scored] of figures)
            for (const line of errorLines(title, scored))
                console.log(line);
    }
    if (fit)
        for (const line of fitLines(keywordsPath, labelledPath, examplesPaths, folds))
            console.log(line);
    return 0;
}
// The work is synchronous; the promise lets runCli turn a thrown error into an exit code.
await runCli(() => Promise.resolve().then(main));
