/**
 * Chinese word segmentation: jieba's precise mode without HMM (the mode Minqing has
 * always used), in plain TypeScript over jieba's dictionary, cut for cut the same as
 * jieba-rs `cut(text, false)` (test/unit/engine/word-segmenter.test.ts compares the two).
 *
 * Why not jieba-wasm itself: it builds jieba's whole default dictionary (349,000 words)
 * inside WebAssembly memory on first use, even when handed another dictionary, and
 * WebAssembly memory never shrinks: about 75 MiB of RSS in a server that cuts short
 * messages. Here the dictionary stays as it is read, one byte array of sorted
 * `word frequency` lines (4 MiB) plus the start of each line (1.4 MiB), searched like a
 * trie by narrowing the range of lines byte by byte.
 *
 * The algorithm, as in jieba: the text is split into blocks of Han characters, Latin
 * letters, digits and `+#&._%-`; everything else is cut one character at a time
 * (whitespace as it comes). In a block every dictionary word starting at a character is
 * an edge of a graph (a character that starts no word is an edge of its own, of
 * frequency 1); the cut is the path with the highest sum of log(frequency / total),
 * found by dynamic programming from the end; on a tie the longer word wins. Single
 * Latin letters and digits that the path leaves alone are joined back into one piece.
 */
import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { DataError } from '../errors.js';
/** A block jieba cuts with its dictionary; the rest is cut one character at a time. */
const BLOCK = /[\u{3400}-\u{4DBF}\u{4E00}-\u{9FFF}\u{F900}-\u{FAFF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{2CEB0}-\u{2EBEF}\u{2F800}-\u{2FA1F}a-zA-Z0-9+#&._%-]+/gu;
const SKIP = /\r\n|\s/gu;
const ASCII_ALNUM = /^[a-zA-Z0-9]$/;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const HASH = 0x23;
const ZERO = 0x30;
const encoder = new TextEncoder();
/**
 * Brotli-decompresses a dictionary into one buffer. By default zlib decompresses into
 * 64 KiB pieces and joins them: for the 4 MiB dictionary that left ~5 MiB of freed
 * native memory the allocator never gave back (RSS, `npm run bench -- --only sessions`).
 * One piece big enough for the whole text (text compresses ~3x; a larger one still
 * works, in several pieces) is allocated once and touched only as far as it is written.
 */
function decompress(compressed) {
    return brotliDecompressSync(compressed, { chunkSize: Math.max(64 * 1024, compressed.length * 4) });
}
/**
 * jieba's precise mode without HMM over a dictionary; see the module comment. Build one
 * with {@link WordSegmenter.load} (a dictionary file) or {@link WordSegmenter.fromLines}.
 */
export class WordSegmenter {
    lines;
    /** Start of each word line in `lines`; one more entry marks the end. */
    starts;
    /** Words added with {@link addWord}, with their frequency; 0 marks a prefix only. */
    added = new Map();
    total;
    logTotal;
    /**
     * @param lines `word frequency` lines (UTF-8, `\n`-ended, optionally a part of speech
     *   after the frequency) sorted by the bytes of the word; leading `#` lines are comments.
     * @param source names the dictionary in error messages.
     * @throws DataError for a line without a frequency or out of order.
     */
    constructor(lines, source) {
        this.lines = lines;
        let first = 0;
        while (lines[first] === HASH)
            first = lineEnd(lines, first) + 1;
        let count = 0;
        for (let at = first; at < lines.length; at = lineEnd(lines, at) + 1)
            count += 1;
        this.starts = new Uint32Array(count + 1);
        let total = 0;
        let at = first;
        for (let index = 0; index < count; index += 1) {
            this.starts[index] = at;
            const space = lines.indexOf(SPACE, at);
            const frequency = space >= 0 ? readNumber(lines, space + 1) : -1;
            if (space <= at || frequency < 0)
                throw new DataError(`${source}: line ${index + 1} is not "word frequency"`);
            if (index > 0 && compareWords(lines, this.starts[index - 1] ?? 0, at) >= 0) {
                throw new DataError(`${source}: line ${index + 1} is out of order (words must be sorted by their UTF-8 bytes, each once)`);
            }
            total += frequency;
            at = lineEnd(lines, at) + 1;
        }
        this.starts[count] = lines.length;
        this.total = total;
        this.logTotal = Math.log(total);
    }
    /** Reads a dictionary file made by src/cli/segmenter-dict.ts (`.br`: Brotli-compressed). */
    static load(path) {
        const raw = readFileSync(path);
        return new WordSegmenter(path.endsWith('.br') ? decompress(raw) : raw, path);
    }
    /**
     * A segmenter over `word frequency [tag]` lines in any order (jieba's dict.txt format).
     * @throws DataError for a line without a frequency.
     */
    static fromLines(text, source = '<dictionary>') {
        return new WordSegmenter(sortDictionary(text, source), source);
    }
    /** Number of dictionary words (added words not counted). */
    get size() {
        return this.starts.length - 1;
    }
    /** Adds a word or sets its frequency, as jieba's `add_word` (the total follows). */
    addWord(word, frequency) {
        if (word.length === 0 || frequency <= 0)
            return;
        const old = this.added.get(word) || this.dictionaryFrequency(word);
        this.added.set(word, frequency);
        const chars = [...word];
        for (let end = chars.length - 1; end > 0; end -= 1) {
            const prefix = chars.slice(0, end).join('');
            if (!this.added.has(prefix))
                this.added.set(prefix, 0);
        }
        this.total += frequency - old;
        this.logTotal = Math.log(this.total);
    }
    /** The pieces of `text`, in order; joined they give `text` back. */
    cut(text) {
        const pieces = [];
        let last = 0;
        for (const match of text.matchAll(BLOCK)) {
            if (match.index > last)
                cutOther(text.slice(last, match.index), pieces);
            this.cutBlock(match[0], pieces);
            last = match.index + match[0].length;
        }
        if (last < text.length)
            cutOther(text.slice(last), pieces);
        return pieces;
    }
    cutBlock(block, pieces) {
        const bytes = encoder.encode(block);
        // Start of each character in UTF-16 units and in UTF-8 bytes, and one past the end.
        const chars = [...block];
        const count = chars.length;
        const units = new Uint32Array(count + 1);
        const offsets = new Uint32Array(count + 1);
        chars.forEach((char, index) => {
            units[index + 1] = (units[index] ?? 0) + char.length;
            offsets[index + 1] = (offsets[index] ?? 0) + utf8Length(char);
        });
        const score = new Float64Array(count + 1);
        const next = new Uint32Array(count + 1);
        for (let from = count - 1; from >= 0; from -= 1) {
            let best = -Infinity;
            let bestEnd = from + 1;
            this.edges(block, bytes, units, offsets, from, (to, frequency) => {
                const candidate = Math.log(frequency) - this.logTotal + (score[to] ?? 0);
                // >= : edges come shortest first, and on a tie the longer word wins, as in jieba.
                if (candidate >= best) {
                    best = candidate;
                    bestEnd = to;
                }
            });
            // A character that starts no word: itself, of frequency 1.
            if (best === -Infinity)
                best = -this.logTotal + (score[from + 1] ?? 0);
            score[from] = best;
            next[from] = bestEnd;
        }
        let pending = -1;
        for (let at = 0; at < count;) {
            const to = next[at] ?? at + 1;
            const start = units[at] ?? 0;
            const piece = block.slice(start, units[to]);
            if (to === at + 1 && ASCII_ALNUM.test(piece)) {
                if (pending < 0)
                    pending = start;
            }
            else {
                if (pending >= 0)
                    pieces.push(block.slice(pending, start));
                pending = -1;
                pieces.push(piece);
            }
            at = to;
        }
        if (pending >= 0)
            pieces.push(block.slice(pending));
    }
    /** Calls `edge` for each word (dictionary or added) starting at character `from`, shortest first. */
    edges(block, bytes, units, offsets, from, edge) {
        // The dictionary lines [lo, hi) are those starting with the bytes matched so far.
        let lo = 0;
        let hi = this.size;
        let depth = 0;
        let inDictionary = true;
        let inAdded = this.added.size > 0;
        for (let to = from + 1; to < units.length && (inDictionary || inAdded); to += 1) {
            let frequency = 0;
            if (inDictionary) {
                for (let at = offsets[to - 1] ?? 0; at < (offsets[to] ?? 0) && lo < hi; at += 1) {
                    const byte = bytes[at] ?? 0;
                    lo = this.bound(lo, hi, depth, byte, false);
                    hi = this.bound(lo, hi, depth, byte, true);
                    depth += 1;
                }
                inDictionary = lo < hi;
                // The first line of the range is the word matched exactly, if there is one.
                const start = this.starts[lo] ?? 0;
                if (inDictionary && this.lines[start + depth] === SPACE)
                    frequency = readNumber(this.lines, start + depth + 1);
            }
            if (inAdded) {
                const added = this.added.get(block.slice(units[from], units[to]));
                inAdded = added !== undefined;
                if (added)
                    frequency = added;
            }
            if (frequency > 0)
                edge(to, frequency);
        }
    }
    /**
     * First line in [lo, hi) whose byte at `depth` is at least `byte` (or above it, when
     * `after`). A word that ends before `depth + 1` bytes has its space there, below any
     * byte of a block.
     */
    bound(lo, hi, depth, byte, after) {
        while (lo < hi) {
            const middle = (lo + hi) >>> 1;
            const key = this.lines[(this.starts[middle] ?? 0) + depth] ?? 0;
            if (key < byte || (after && key === byte))
                lo = middle + 1;
            else
                hi = middle;
        }
        return lo;
    }
    dictionaryFrequency(word) {
        const bytes = encoder.encode(word);
        let lo = 0;
        let hi = this.size;
        for (let depth = 0; depth < bytes.length && lo < hi; depth += 1) {
            const byte = bytes[depth] ?? 0;
            lo = this.bound(lo, hi, depth, byte, false);
            hi = this.bound(lo, hi, depth, byte, true);
        }
        const start = this.starts[lo] ?? 0;
        return lo < hi && this.lines[start + bytes.length] === SPACE ? readNumber(this.lines, start + bytes.length + 1) : 0;
    }
}
/**
 * `word frequency` lines of a jieba dictionary (any order, optional part of speech and
 * comments dropped) as the sorted, tag-free UTF-8 lines a {@link WordSegmenter} reads.
 */
export function sortDictionary(text, source = '<dictionary>') {
    const rows = new Map();
    text.split('\n').forEach((line, index) => {
        const [word, frequency] = line.trim().split(/\s+/);
        if (!word || word.startsWith('#'))
            return;
        if (!frequency || !/^\d+$/.test(frequency))
            throw new DataError(`${source}:${index + 1}: expected "word frequency"`);
        rows.set(word, frequency);
    });
    const encoded = [...rows].map(([word, frequency]) => ({ word: Buffer.from(word), line: Buffer.from(`${word} ${frequency}\n`) }));
    encoded.sort((a, b) => Buffer.compare(a.word, b.word));
    return Buffer.concat(encoded.map((row) => row.line));
}
function cutOther(text, pieces) {
    let last = 0;
    for (const match of text.matchAll(SKIP)) {
        if (match.index > last)
            pieces.push(...text.slice(last, match.index));
        pieces.push(match[0]);
        last = match.index + match[0].length;
    }
    if (last < text.length)
        pieces.push(...text.slice(last));
}
function lineEnd(bytes, from) {
    const end = bytes.indexOf(NEWLINE, from);
    return end < 0 ? bytes.length : end;
}
/** The decimal number at `at`, or -1 when there is no digit there. */
function readNumber(bytes, at) {
    let value = -1;
    for (let index = at; index < bytes.length; index += 1) {
        const digit = (bytes[index] ?? 0) - ZERO;
        if (digit < 0 || digit > 9)
            break;
        value = (value < 0 ? 0 : value * 10) + digit;
    }
    return value;
}
/** Compares the words (up to their space) of the lines at `a` and `b` by their bytes. */
function compareWords(bytes, a, b) {
    for (let offset = 0;; offset += 1) {
        const x = bytes[a + offset] ?? 0;
        const y = bytes[b + offset] ?? 0;
        if (x !== y)
            return x === SPACE ? -1 : y === SPACE ? 1 : x - y;
        if (x === SPACE)
            return 0;
    }
}
function utf8Length(char) {
    const code = char.codePointAt(0) ?? 0;
    return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}
