/**
 * A survey's results as they stand: who was asked and who answered (by place), and per
 * question the count of each option, the spread of numbers, or the free-text answers
 * with their hot words. Read from the responses at each request, so the console's page
 * is live while answers come in. Free text is scrubbed (phones, IDs, roster names, house
 * numbers) before staff read it, as every text others see.
 */
import { sqlOf } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery } from '../db/sql.js';
import { keywordsOf } from '../stats/keywords.js';
import { rosterNames, scrub } from '../privacy.js';
import { parseAnswers } from './questions.js';
/** Free-text answers shown per question, newest first; the CSV has them all. */
export const SHOWN_TEXTS = 30;
const HOT_WORDS = 12;
const responsesQuery = defineQuery('survey_results_responses', (db, p, dialect) => db
    .selectFrom('SurveyResponse as r')
    .innerJoin('Region as g', 'g.id', 'r.regionId')
    .select(['r.regionId', 'g.name as place', 'r.status', 'r.asked', 'r.filledByLiaison', 'r.answers'])
    .where('r.surveyId', '=', p.surveyId)
    .where((eb) => eb.or([eb(eb.val(p.anyRegion), '=', eb.lit(1)), oneOf(dialect, 'r.regionId', p.regionIds)]))
    .orderBy('r.updatedAt', 'desc')
    .orderBy('r.id', 'desc'));
const ratio = (part, whole) => (whole ? part / whole : null);
function median(sorted) {
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
/** The results of survey `surveyId` with `questions`, now: of its households in `regionIds` only, unless null. */
export async function surveyResults(db, surveyId, questions, regionIds = null) {
    const rows = await all(sqlOf(db), responsesQuery, { surveyId, anyRegion: regionIds === null ? 1 : 0, regionIds: regionIds ?? [] });
    const places = new Map();
    const given = questions.map(() => []);
    let asked = 0;
    let complete = 0;
    let partial = 0;
    let byLiaison = 0;
    const skippedCounts = questions.map(() => 0);
    for (const row of rows) {
        let place = places.get(row.regionId);
        if (!place)
            places.set(row.regionId, (place = { regionId: row.regionId, place: row.place, households: 0, complete: 0, rate: null }));
        place.households++;
        if (row.asked)
            asked++;
        if (row.status === 'complete') {
            complete++;
            place.complete++;
            if (row.filledByLiaison)
                byLiaison++;
        }
        else if (row.status === 'partial')
            partial++;
        if (row.status === 'pending')
            continue;
        const answers = parseAnswers(row.answers);
        questions.forEach((_, i) => {
            const answer = answers[String(i)];
            if (answer === undefined)
                return;
            if (answer === null)
                skippedCounts[i]++;
            else
                given[i].push(answer);
        });
    }
    for (const place of places.values())
        place.rate = ratio(place.complete, place.households);
    const names = await rosterNames(db);
    const results = [];
    for (const [index, question] of questions.entries()) {
        const answers = given[index];
        const result = { index, question, answered: answers.length, skipped: skippedCounts[index], options: [], numbers: null, texts: [], hotWords: [] };
        if (question.type === 'single' || question.type === 'multiple') {
            const counts = question.options.map(() => 0);
            for (const answer of answers)
                for (const option of Array.isArray(answer) ? answer : [answer])
                    if (typeof option === 'number' && option in counts)
                        counts[option]++;
            result.options = question.options.map((o, i) => ({ label: o.zh, count: counts[i], share: ratio(counts[i], answers.length) }));
        }
        else if (question.type === 'number') {
            const values = answers.filter((a) => typeof a === 'number').sort((a, b) => a - b);
            if (values.length) {
                const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
                result.numbers = { mean, median: median(values), min: values[0], max: values.at(-1) };
            }
        }
        else {
            const texts = answers.filter((a) => typeof a === 'string');
            result.texts = texts.slice(0, SHOWN_TEXTS).map((t) => scrub(t, names));
            result.hotWords = await hotWords(texts.map((t) => scrub(t, names)));
        }
        results.push(result);
    }
    return {
        households: rows.length,
        asked,
        complete,
        partial,
        byLiaison,
        responseRate: ratio(complete, rows.length),
        questions: results,
        places: [...places.values()].sort((a, b) => a.place.localeCompare(b.place, 'zh')),
    };
}
/** The words most said across `texts` (each text counts a word once). */
async function hotWords(texts) {
    const counts = new Map();
    for (const text of texts) {
        for (const word of (await keywordsOf(text)).split(' '))
            if (word)
                counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    return [...counts]
        .map(([word, count]) => ({ word, count }))
        .sort((a, b) => b.count - a.count || a.word.localeCompare(b.word, 'zh'))
        .slice(0, HOT_WORDS);
}
