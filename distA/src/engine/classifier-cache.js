/**
 * The shipped model, trained once and kept. Training the matcher's model at start
 * (segmenting ~4,000 examples with jieba) left ~17 MiB more RSS in the serving process
 * than the model itself needs: V8 keeps the heap that training grew. So the model trained
 * from the shipped files is written to `data/tmp/` (and made by `npm run generate`, which
 * `npm install` runs) and restored from there: a few milliseconds, little garbage.
 *
 * The file is named by a hash of everything the model depends on: the keyword table and
 * the training files, and the source of the feature extraction and the model. A change to
 * any of them names another file; an old one is never read.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../paths.js';
import { NaiveBayesModel } from './classifier-model.js';
/** Where restored models are kept (ignored by git). */
const CACHE_DIR = projectPath('data', 'tmp', 'classifier');
/** The code a trained model depends on, besides its data. */
const SOURCES = ['classifier.ts', 'classifier-features.ts', 'classifier-model.ts', 'classifier-text.ts', 'classifier-keywords.ts', 'classifier-labelled.ts'].map((f) => projectPath('src', 'engine', f));
/** The cache key of a model trained on `files` with `smoothing`; null when a source is missing (the code cannot vouch for it). */
export function modelKey(files, smoothing) {
    const hash = createHash('sha256').update(`smoothing ${smoothing}\n`);
    for (const file of [...SOURCES, ...files]) {
        if (!existsSync(file))
            return null;
        hash.update(file.slice(file.lastIndexOf('/') + 1)).update(readFileSync(file));
    }
    return hash.digest('hex').slice(0, 32);
}
/** The model cached under `key`, or the one `train` makes (then cached, best effort). */
export function cachedModel(key, train) {
    if (key === null)
        return train();
    const file = join(CACHE_DIR, `model-${key}.json`);
    try {
        const restored = existsSync(file) ? NaiveBayesModel.restore(JSON.parse(readFileSync(file, 'utf8'))) : null;
        if (restored)
            return restored;
    }
    catch {
        // A torn or foreign file: train again below.
    }
    const model = train();
    try {
        mkdirSync(CACHE_DIR, { recursive: true });
        // Written aside and renamed: another process never reads half a file.
        const partial = `${file}.${process.pid}.tmp`;
        writeFileSync(partial, JSON.stringify(model.snapshot()));
        renameSync(partial, file);
    }
    catch {
        // A read-only checkout trains at each start, as before.
    }
    return model;
}
