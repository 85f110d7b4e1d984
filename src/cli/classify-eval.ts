/**
 * Measures the category matcher on the labelled set: top-1 accuracy on the tune part,
 * the holdout part and all, a per-category confusion summary, and its speed (messages per
 * second over the labelled set, after a warm-up pass; a benchmark, so no test times it).
 *
 *   npm run classify:eval -- [--errors] [--split tune|holdout] [--keywords FILE] [--labelled FILE]
 *
 * --errors lists the misclassified messages (of --split only, when given).
 */
import { CategoryClassifier, CATEGORY_NAMES_ZH } from '../engine/classifier.js';
import { type Accuracy, DEFAULT_LABELLED_PATH, evaluate, loadLabelled, SPLITS, type Split } from '../engine/classifier-labelled.js';
import { ConfigError } from '../errors.js';
import { CATEGORY_CODES } from '../pipeline/states.js';
import { runCli, takeOption } from './run-cli.js';

const USAGE = 'usage: npm run classify:eval -- [--errors] [--split tune|holdout] [--keywords FILE] [--labelled FILE]';

function option(args: string[], name: string): string | undefined {
  return takeOption(args, name, USAGE);
}

function percent(a: Accuracy): string {
  return `${(a.rate * 100).toFixed(1)}% (${a.correct}/${a.total})`;
}

// A reader that stops early (`| head`) closes the pipe; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

/** Classifies the texts repeatedly for about a second and prints the rate. */
function speedLine(classifier: CategoryClassifier, texts: string[]): string {
  for (const text of texts) classifier.classify(text); // warm-up: jieba's first calls are slower
  let classified = 0;
  const started = performance.now();
  while (performance.now() - started < 1000) {
    for (const text of texts) classifier.classify(text);
    classified += texts.length;
  }
  const seconds = (performance.now() - started) / 1000;
  return `speed           ${Math.round(classified / seconds).toLocaleString('en')} messages/s (${((seconds * 1e6) / classified).toFixed(0)} µs each)`;
}

function main(): number {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const keywords = option(args, '--keywords');
  const labelledPath = option(args, '--labelled') ?? DEFAULT_LABELLED_PATH;
  const split = option(args, '--split');
  if (split !== undefined && !SPLITS.includes(split as Split)) throw new ConfigError([`--split must be tune or holdout; ${USAGE}`]);
  const showErrors = args.includes('--errors');
  const unknown = args.filter((a) => a !== '--errors');
  if (unknown.length > 0) throw new ConfigError([`unknown argument ${unknown.join(' ')}; ${USAGE}`]);

  const classifier = CategoryClassifier.load(keywords);
  const messages = loadLabelled(labelledPath);
  const { bySplit, confusion, misses } = evaluate(classifier, messages);

  console.log(`top-1 accuracy  tune ${percent(bySplit.tune)}  holdout ${percent(bySplit.holdout)}  all ${percent(bySplit.all)}`);
  console.log(speedLine(classifier, messages.map((m) => m.text)));
  console.log('');
  console.log('category      n  correct  recall  precision  confused with');
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
    console.log(
      `${code.padEnd(12)} ${String(total).padStart(3)}  ${String(hits).padStart(7)}  ${recall.padStart(6)}  ${precision.padStart(9)}  ${others}`,
    );
  }
  if (showErrors) {
    const shown = misses.filter((miss) => split === undefined || miss.message.split === split);
    console.log('');
    console.log(`misclassified (${shown.length}):`);
    for (const { message, result } of shown) {
      const alternatives = result.alternatives.map((a) => `${a.code} ${a.confidence}`).join(', ');
      console.log(
        `  [${message.split}] line ${message.line}: expected ${message.category} ${CATEGORY_NAMES_ZH[message.category]}, got ${result.code} ${result.confidence}` +
          ` [${result.matched.join(' ')}]${alternatives ? ` alt: ${alternatives}` : ''}\n      ${message.text}`,
      );
    }
  }
  return 0;
}

// The work is synchronous; the promise lets runCli turn a thrown error into an exit code.
await runCli(() => Promise.resolve().then(main));
