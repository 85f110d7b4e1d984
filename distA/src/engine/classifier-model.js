/**
 * The learned half of the category matcher: a multinomial naive Bayes model over the
 * features of classifier-features.ts, kept as counts so that it trains in one pass at
 * start (a few milliseconds for a thousand messages) and learns one more example in
 * O(features of that example), which is what a staff correction needs.
 *
 * Storage: a Map from feature to a dense id, and one Float32Array of counts, id-major
 * (count of feature f in category c at f * C + c), grown by doubling. About 60 bytes of
 * map entry and string per feature plus 56 bytes of counts; a vocabulary of 10,000
 * features is well under 2 MiB.
 *
 * P(f | c) = (n(f, c) + α) / (N(c) + α·V), with n the (weighted) number of examples of c
 * holding f, N(c) their sum over features and V the vocabulary size (Lidstone smoothing).
 * Features never seen in training are left out: they would add nearly the same amount
 * to every category. The class prior is uniform: the labelled set is balanced by design,
 * and corrections come from the categories the matcher gets wrong, which says nothing
 * about how often residents write about them.
 */
import { CATEGORY_CODES } from '../pipeline/states.js';
/** Number of categories, the stride of the count table. */
export const CATEGORY_COUNT = CATEGORY_CODES.length;
const INDEX = new Map(CATEGORY_CODES.map((code, index) => [code, index]));
/** The position of a category code in CATEGORY_CODES. */
export function categoryIndex(code) {
    const index = INDEX.get(code);
    if (index === undefined)
        throw new RangeError(`unknown category ${String(code)}`);
    return index;
}
const INITIAL_CAPACITY = 1024;
/**
 * Beyond this many known features, the log-likelihood is scaled by LENGTH_NORM / known.
 * A long message restates its matter; naive Bayes would count every restatement as
 * independent evidence and grow certain without bound. Chosen with the scales of
 * classifier.ts (log-loss 0.66 → 0.60 in their cross-validation, accuracy unchanged).
 */
const LENGTH_NORM = 10;
/** Multinomial naive Bayes over feature bags; see the module comment. */
export class NaiveBayesModel {
    smoothing;
    ids = new Map();
    counts = new Float32Array(INITIAL_CAPACITY * CATEGORY_COUNT);
    /** N(c): the weighted feature count of each category. */
    totals = new Float64Array(CATEGORY_COUNT);
    /** The weighted number of examples of each category. */
    examples = new Float64Array(CATEGORY_COUNT);
    /** @param smoothing α of the module comment. */
    constructor(smoothing) {
        this.smoothing = smoothing;
    }
    /** Number of distinct features seen in training. */
    get vocabularySize() {
        return this.ids.size;
    }
    /** Weighted number of examples learnt, over all categories. */
    get exampleCount() {
        return this.examples.reduce((sum, value) => sum + value, 0);
    }
    /**
     * Counts one example of `category` with the given features; `weight` scales it (a
     * staff correction may count for more than one shipped example).
     */
    add(features, category, weight) {
        if (features.size === 0 || !(weight > 0))
            return;
        this.examples[category] = (this.examples[category] ?? 0) + weight;
        for (const [key, featureWeight] of features) {
            let id = this.ids.get(key);
            if (id === undefined) {
                id = this.ids.size;
                this.ids.set(key, id);
                this.ensureCapacity(id + 1);
            }
            const amount = featureWeight * weight;
            const at = id * CATEGORY_COUNT + category;
            this.counts[at] = (this.counts[at] ?? 0) + amount;
            this.totals[category] = (this.totals[category] ?? 0) + amount;
        }
    }
    /**
     * Adds to `out[c]` the log-likelihood Σ w(f)·log P(f | c) of the known features (damped
     * for long messages, see LENGTH_NORM), and returns how many features were known. `out`
     * must hold CATEGORY_COUNT numbers.
     */
    addLogLikelihood(features, out) {
        if (this.ids.size === 0)
            return 0;
        let known = 0;
        let weightSum = 0;
        const alpha = this.smoothing;
        const sums = new Float64Array(CATEGORY_COUNT);
        for (const [key, weight] of features) {
            const id = this.ids.get(key);
            if (id === undefined)
                continue;
            known += 1;
            weightSum += weight;
            const base = id * CATEGORY_COUNT;
            for (let c = 0; c < CATEGORY_COUNT; c += 1)
                sums[c] = (sums[c] ?? 0) + weight * Math.log((this.counts[base + c] ?? 0) + alpha);
        }
        if (known === 0)
            return 0;
        // The denominator of P(f | c) is the same for every feature: one log per category.
        const vocabulary = alpha * this.ids.size;
        const damping = known > LENGTH_NORM ? LENGTH_NORM / known : 1;
        for (let c = 0; c < CATEGORY_COUNT; c += 1) {
            out[c] = (out[c] ?? 0) + damping * ((sums[c] ?? 0) - weightSum * Math.log((this.totals[c] ?? 0) + vocabulary));
        }
        return known;
    }
    /** The model as plain data, to be {@link restore}d without training again. */
    snapshot() {
        const used = this.counts.subarray(0, this.ids.size * CATEGORY_COUNT);
        return {
            smoothing: this.smoothing,
            features: [...this.ids.keys()],
            counts: Buffer.from(used.buffer, used.byteOffset, used.byteLength).toString('base64'),
            totals: [...this.totals],
            examples: [...this.examples],
        };
    }
    /** A model from its {@link snapshot}; null when the data does not fit together. */
    static restore(data) {
        const bytes = Buffer.from(data.counts, 'base64');
        if (bytes.length !== data.features.length * CATEGORY_COUNT * 4 || data.totals.length !== CATEGORY_COUNT || data.examples.length !== CATEGORY_COUNT)
            return null;
        const model = new NaiveBayesModel(data.smoothing);
        data.features.forEach((feature, id) => model.ids.set(feature, id));
        model.ensureCapacity(data.features.length);
        model.counts.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)));
        model.totals.set(data.totals);
        model.examples.set(data.examples);
        return model;
    }
    ensureCapacity(features) {
        if (features * CATEGORY_COUNT <= this.counts.length)
            return;
        const grown = new Float32Array(Math.max(features, (this.counts.length / CATEGORY_COUNT) * 2) * CATEGORY_COUNT);
        grown.set(this.counts);
        this.counts = grown;
    }
}
