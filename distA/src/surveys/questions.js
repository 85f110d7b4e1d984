/**
 * 服务需求表: what a survey asks and what an answer is. One shape for the console that
 * composes a survey, the chat that asks it and the results that count it.
 */
import { z } from 'zod';
import { choiceNumber, matchChoice, normaliseAnswer } from '../engine/choices.js';
export const QUESTION_TYPES = ['single', 'multiple', 'number', 'text'];
/** The most options a choice question offers (a chat list longer than this is not read). */
export const MAX_OPTIONS = 10;
/** The most questions one survey asks: a household answers in a few minutes. */
export const MAX_QUESTIONS = 12;
const bilingual = { zh: z.string().trim().min(1).max(200), en: z.string().trim().max(200).default('') };
export const questionSchema = z
    .object({
    type: z.enum(QUESTION_TYPES),
    required: z.boolean(),
    ...bilingual,
    options: z
        .array(z.object({ zh: z.string().trim().min(1).max(60), en: z.string().trim().max(60).default('') }))
        .max(MAX_OPTIONS)
        .default([]),
})
    .refine((q) => (q.type === 'single' || q.type === 'multiple' ? q.options.length >= 2 : q.options.length === 0), {
    message: 'choice questions have 2 or more options; others none',
});
export const questionsSchema = z.array(questionSchema).min(1).max(MAX_QUESTIONS);
/** A stored answers column, read back (an unreadable one counts as none given). */
export function parseAnswers(json) {
    try {
        const value = JSON.parse(json);
        return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    }
    catch {
        return {};
    }
}
/** The question's words in `locale` (Chinese when it has no English). */
export function textOf(item, locale) {
    return locale === 'en' && item.en ? item.en : item.zh;
}
/** The question's options as the chat offers them (payload `opt:<index>`). */
export function optionChoices(question, locale) {
    return question.options.map((o, i) => ({ payload: `opt:${i}`, label: textOf(o, locale) }));
}
/** The option index a chosen payload names, or null. */
export function optionOf(action, question) {
    const match = action ? /^opt:(\d{1,2})$/.exec(action) : null;
    const index = match ? Number(match[1]) : -1;
    return index >= 0 && index < question.options.length ? index : null;
}
/**
 * The options a typed text picks for a multiple-choice question: each part (split at
 * spaces, commas, 、 and 和) picks one option as a single choice would (its number, its
 * words); null unless every part picks one.
 */
export function typedOptions(text, question, locale) {
    const offered = optionChoices(question, locale);
    const parts = text
        .split(/[\s,，、;；和及]+/u)
        .map((p) => p.trim())
        .filter(Boolean);
    // "123" typed for 1, 2 and 3 (a list has at most ten options, so each digit is one).
    const spread = parts.length === 1 && /^[1-9]{2,}$/.test(parts[0]) && offered.length < 10 ? [...parts[0]] : parts;
    if (spread.length <= 1) {
        // One option, typed as a single choice would be (its number, its words, nearly).
        const whole = matchChoice(text, offered);
        return whole.kind === 'choice' ? [optionOf(whole.payload, question)] : null;
    }
    const picked = new Set();
    for (const part of spread) {
        const match = matchChoice(part, offered);
        if (match.kind !== 'choice')
            return null;
        picked.add(optionOf(match.payload, question));
    }
    return [...picked].sort((a, b) => a - b);
}
/** The largest number a survey takes (a count of people, mu of land, yuan). */
const MAX_NUMBER = 1e9;
/** A number typed: 3, 3.5, 三, 十二, 3口人, 2亩; null when the text is not one number. */
export function typedNumber(text) {
    // Folded as answers are (full-width digits become ASCII), keeping the sign and the point.
    const units = /[口个人位亩元岁块间头只次户]+$/u;
    const plain = text.normalize('NFKC').replace(/\s+/g, '').replace(units, '');
    if (/^-?\d+(\.\d+)?$/.test(plain)) {
        const value = Number(plain);
        return Math.abs(value) <= MAX_NUMBER ? value : null;
    }
    return choiceNumber(normaliseAnswer(plain));
}
/** The answer as words, in `locale`: what the chat repeats and the CSV holds. */
export function answerText(question, answer, locale) {
    if (answer === undefined || answer === null)
        return '';
    if (question.type === 'single' && typeof answer === 'number')
        return question.options[answer] ? textOf(question.options[answer], locale) : '';
    if (question.type === 'multiple' && Array.isArray(answer))
        return answer.map((i) => (question.options[i] ? textOf(question.options[i], locale) : '')).join('、');
    return String(answer);
}
