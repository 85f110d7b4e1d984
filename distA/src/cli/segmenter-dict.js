/**
 * Makes data/segmenter/jieba-dict.txt.br, the dictionary of the word segmenter
 * (src/engine/word-segmenter.ts): jieba's default dictionary (dict.txt of jieba-rs, MIT
 * License: 349,045 words with their frequencies, from jieba's corpus), as embedded in the
 * installed jieba-wasm package, part of speech dropped, sorted by the UTF-8 bytes of the
 * word, Brotli-compressed (1.4 MB). The whole dictionary, not the most frequent words:
 * a word of frequency 3 still decides cuts (签收, 办结, 王大爷), and any trimmed list
 * changed the hot words of about one message in ten.
 *
 *   npx tsx src/cli/segmenter-dict.ts [--from DICT.TXT] [--out FILE]
 *
 * jieba-wasm keeps the dictionary as one raw-deflate stream in its WebAssembly data
 * section (jieba-rs compresses it at build time): this finds the stream and inflates it.
 * --from takes a dict.txt in jieba's format instead (word, frequency, part of speech).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, inflateRawSync } from 'node:zlib';
import { DEFAULT_DICTIONARY_PATH } from '../engine/classifier-text.js';
import { sortDictionary } from '../engine/word-segmenter.js';
import { ConfigError, DataError } from '../errors.js';
import { runCli, takeOption } from './run-cli.js';
const USAGE = 'usage: npx tsx src/cli/segmenter-dict.ts [--from DICT.TXT] [--out FILE]';
/** Two dictionary lines: `word frequency tag`. */
const DICTIONARY_START = /^\S+ \d+ [a-z]+\n\S+ \d+ [a-z]+\n/;
const WASM_DATA_SECTION = 11;
function option(args, name) {
    return takeOption(args, name, USAGE);
}
/** The bytes of a WebAssembly module's data section (or the whole module if none is found). */
function dataSection(wasm) {
    let at = 8; // magic and version
    while (at < wasm.length) {
        const id = wasm[at] ?? 0;
        at += 1;
        let size = 0;
        for (let shift = 0;; shift += 7) {
            const byte = wasm[at] ?? 0;
            at += 1;
            size += (byte & 0x7f) * 2 ** shift;
            if (byte < 0x80)
                break;
        }
        if (id === WASM_DATA_SECTION)
            return wasm.subarray(at, at + size);
        at += size;
    }
    return wasm;
}
/** jieba's dict.txt as embedded in jieba-wasm. */
function extractFromJiebaWasm() {
    const require = createRequire(import.meta.url);
    // The package's Node build: pkg/nodejs/jieba_rs_wasm.js beside its .wasm.
    const nodeBuild = dirname(require.resolve('jieba-wasm'));
    const version = JSON.parse(readFileSync(join(nodeBuild, '..', '..', 'package.json'), 'utf8')).version;
    const data = dataSection(readFileSync(join(nodeBuild, 'jieba_rs_wasm_bg.wasm')));
    for (let at = 0; at < data.length; at += 1) {
        // A deflate stream starting with a block of dynamic Huffman codes (BTYPE 10).
        if (((data[at] ?? 0) & 0b110) !== 0b100)
            continue;
        let head;
        try {
            head = inflateRawSync(data.subarray(at, at + 1024), { finishFlush: constants.Z_SYNC_FLUSH });
        }
        catch {
            continue;
        }
        if (!DICTIONARY_START.test(head.subarray(0, 64).toString('utf8')))
            continue;
        return { text: inflateRawSync(data.subarray(at)).toString('utf8'), origin: `jieba-wasm ${version}` };
    }
    throw new DataError(`no dictionary found in jieba-wasm ${version}; pass a jieba dict.txt with --from`);
}
await runCli(() => {
    const args = process.argv.slice(2);
    if (args.includes('--help') || args.includes('-h')) {
        console.log(USAGE);
        return Promise.resolve(0);
    }
    const from = option(args, '--from');
    const out = option(args, '--out') ?? DEFAULT_DICTIONARY_PATH;
    if (args.length > 0)
        throw new ConfigError([`unknown argument ${args.join(' ')}; ${USAGE}`]);
    const { text, origin } = from ? { text: readFileSync(from, 'utf8'), origin: from } : extractFromJiebaWasm();
    const lines = sortDictionary(text, origin);
    const words = lines.reduce((count, byte) => count + (byte === 0x0a ? 1 : 0), 0);
    if (words < 1000)
        throw new DataError(`${origin}: only ${words} dictionary lines`);
    const header = Buffer.from(`# jieba's default dictionary (jieba-rs dict.txt, MIT License) from ${origin}: word frequency, sorted by UTF-8 bytes.\n` +
        `# Made by src/cli/segmenter-dict.ts; read by src/engine/word-segmenter.ts.\n`);
    const compressed = brotliCompressSync(Buffer.concat([header, lines]), {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 },
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, compressed);
    console.log(`${words.toLocaleString('en')} words from ${origin} → ${out} (${(compressed.length / 1e6).toFixed(2)} MB)`);
    return Promise.resolve(0);
});
