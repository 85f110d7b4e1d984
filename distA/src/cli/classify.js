/**
 * Proposes a category for villagers' messages.
 *
 *   npm run classify -- [--json] [--keywords FILE] "村口的路灯坏了好几天"
 *   printf '停水了\n路灯不亮\n' | npm run classify -- [--json]
 *
 * With text arguments, they are one message. Without, standard input is read, one
 * message per line, one result per line. A result line is `CODE 名称 CONFIDENCE`, or the
 * Classification as JSON with --json. An empty line gives a line saying so.
 */
import { createInterface } from 'node:readline';
import { CategoryClassifier, CATEGORY_NAMES_ZH } from '../engine/classifier.js';
import { ConfigError } from '../errors.js';
import { runCli } from './run-cli.js';
const USAGE = 'usage: npm run classify -- [--json] [--keywords FILE] [TEXT...]   (no TEXT: one message per line on stdin)';
const EMPTY_LINE = '(空消息 empty message)';
function format(result, json) {
    if (json)
        return JSON.stringify(result);
    return `${result.code} ${CATEGORY_NAMES_ZH[result.code]} ${result.confidence.toFixed(2)}`;
}
function formatEmpty(json) {
    return json ? JSON.stringify({ empty: true }) : EMPTY_LINE;
}
// A reader that stops early (`| head`) closes the pipe; that is not an error.
process.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE')
        throw error;
    process.exit(0);
});
await runCli(async () => {
    const args = process.argv.slice(2);
    if (args.includes('--help') || args.includes('-h')) {
        console.log(USAGE);
        return 0;
    }
    let keywords;
    const keywordsAt = args.indexOf('--keywords');
    if (keywordsAt >= 0) {
        keywords = args[keywordsAt + 1];
        if (keywords === undefined)
            throw new ConfigError([`--keywords needs a file; ${USAGE}`]);
        args.splice(keywordsAt, 2);
    }
    const json = args.includes('--json');
    const words = args.filter((a) => a !== '--json');
    const unknown = words.filter((a) => /^--[a-z]/.test(a));
    if (unknown.length > 0)
        throw new ConfigError([`unknown option ${unknown.join(', ')}; ${USAGE}`]);
    const classifier = CategoryClassifier.load(keywords);
    if (words.length > 0) {
        const text = words.join(' ');
        console.log(text.trim() === '' ? formatEmpty(json) : format(classifier.classify(text), json));
        return 0;
    }
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
        console.log(line.trim() === '' ? formatEmpty(json) : format(classifier.classify(line), json));
    }
    return 0;
});
