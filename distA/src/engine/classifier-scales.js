/**
 * How the category matcher weighs its two sources of evidence, the keyword table and
 * the learned model, into one score per category, and the grid search that fitted the
 * weights (`npm run classify:eval -- --fit`). Kept apart from classifier.ts so that the
 * evaluation code can use it without importing the classifier.
 */
import { CATEGORY_CODES } from '../pipeline/states.js';
import { CATEGORY_COUNT, categoryIndex } from './classifier-model.js';
/** Confidence given to `other` when nothing in the message is known to the table or the model. */
export const NO_MATCH_CONFIDENCE = 0.2;
/**
 * The scales in use, fitted by `npm run classify:eval -- --fit`: 10-fold cross-validation
 * over data/classifier/examples.csv (messages the keyword table was never adjusted on),
 * the model trained on the other nine folds and the tune split; the first grid point of
 * {@link fitScales}: 84.6 % top-1, log-loss 0.586 (the lowest was 0.584). Top-1 is flat
 * around it: the best grid point scored 0.3 points more, four messages.
 */
export const SCALES = { keyword: 1, model: 0.5, otherPrior: 1 };
const OTHER_INDEX = categoryIndex('other');
/**
 * Scores of the 14 categories (CATEGORY_CODES order) from a message's evidence:
 * keyword · keywords(c) + model · log P(message | c) + otherPrior · [c = other]. Their
 * softmax is the confidence.
 */
export function combine(evidence, scales = SCALES) {
    const scores = new Float64Array(CATEGORY_COUNT);
    for (let c = 0; c < CATEGORY_COUNT; c += 1) {
        scores[c] = scales.keyword * (evidence.keywords[c] ?? 0) + scales.model * (evidence.model[c] ?? 0);
    }
    scores[OTHER_INDEX] = (scores[OTHER_INDEX] ?? 0) + scales.otherPrior;
    return scores;
}
/** True when the table or the model knows something in the message. */
export function hasEvidence(evidence) {
    return evidence.known > 0 || evidence.keywords.some((score) => score > 0);
}
/** Log-loss differences below this are noise on a thousand messages. */
const LOG_LOSS_TIE = 0.005;
/**
 * Tries every combination of the candidate scales on messages' evidence (each computed
 * by a model that did not train on that message) and returns the grid points best first:
 * those within LOG_LOSS_TIE of the lowest log-loss by top-1 accuracy, then the rest by
 * log-loss. Log-loss rewards confidences that match how often the matcher is right, and
 * moves smoothly where top-1 accuracy changes by single messages; among points it cannot
 * tell apart, accuracy decides. A message without evidence is `other` with
 * NO_MATCH_CONFIDENCE whatever the scales, as in `classify`.
 */
export function fitScales(rows, grid) {
    const fits = [];
    for (const keyword of grid.keyword) {
        for (const model of grid.model) {
            for (const otherPrior of grid.otherPrior) {
                const scales = { keyword, model, otherPrior };
                let correct = 0;
                let loss = 0;
                for (const { evidence, category } of rows) {
                    const gold = categoryIndex(category);
                    let probability;
                    let best;
                    if (hasEvidence(evidence)) {
                        const scores = combine(evidence, scales);
                        best = scores.indexOf(Math.max(...scores));
                        const top = scores[best] ?? 0;
                        const denominator = scores.reduce((sum, score) => sum + Math.exp(score - top), 0);
                        probability = Math.exp((scores[gold] ?? 0) - top) / denominator;
                    }
                    else {
                        best = OTHER_INDEX;
                        probability = gold === OTHER_INDEX ? NO_MATCH_CONFIDENCE : (1 - NO_MATCH_CONFIDENCE) / (CATEGORY_CODES.length - 1);
                    }
                    if (best === gold)
                        correct += 1;
                    loss -= Math.log(Math.max(probability, 1e-12));
                }
                fits.push({ scales, accuracy: rows.length === 0 ? 0 : correct / rows.length, logLoss: rows.length === 0 ? 0 : loss / rows.length });
            }
        }
    }
    const lowest = Math.min(...fits.map((fit) => fit.logLoss));
    const nearBest = (fit) => fit.logLoss <= lowest + LOG_LOSS_TIE;
    return fits.sort((a, b) => Number(nearBest(b)) - Number(nearBest(a)) || (nearBest(a) ? b.accuracy - a.accuracy : 0) || a.logLoss - b.logLoss);
}
