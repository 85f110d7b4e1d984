/**
 * What several flows share: the skip choice, the check of a free-text answer, a ticket
 * number, a request as a liaison heard it.
 */
import { z } from 'zod';
import { CONFIDENT, type FlowChoice, hasWords, MAX_TEXT, type ReportDraft, SKIP_PAYLOAD, type StepOutcome, type TurnContext } from '../src/engine/flow.js';

/** The choice that skips an optional question. */
export const SKIP: FlowChoice = { label: 'choice.skip', payload: SKIP_PAYLOAD };

/** Whether the text is a usable answer (words, within the limit); if not, says why and stays. */
export function refuseText(ctx: TurnContext<object>): StepOutcome<never> | null {
  const text = ctx.input.text;
  if (!text) {
    ctx.say('input.empty');
    return { stay: true };
  }
  if (text.length > MAX_TEXT) {
    ctx.say('input.too_long', { max: MAX_TEXT, length: text.length });
    return { stay: true };
  }
  if (!hasWords(text)) {
    ctx.say('input.no_words');
    return { stay: true };
  }
  return null;
}

/** A ticket number a flow is about. */
export const ticketNumber = z.string().min(1);

/** A request's summary: its description, cut to 60 characters. */
export function summaryOf(description: string): string {
  // One line (a title in lists, pings and the queue): words added later (on lines of their own) follow after a comma.
  const line = description
    .split(/\s*\n\s*/)
    .filter((part) => part !== '')
    .reduce((joined, part) => (joined === '' ? part : `${joined}${/\p{P}$/u.test(joined) ? '' : '，'}${part}`), '');
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}

/**
 * A request a liaison heard and wrote down (on a visit, 代办登记), as the pipeline takes it.
 * The liaison is not asked to confirm a category: a weak guess goes as 其他, for the
 * dispatchers to place. Its place is the household's or the village's, which the effect sets.
 */
export function heardRequest(ctx: TurnContext<object>, description: string, photos: string[]): ReportDraft {
  const guess = ctx.effects.classify(description);
  return {
    summary: summaryOf(description),
    description,
    categoryCode: guess.confidence >= CONFIDENT ? guess.code : 'other',
    kind: guess.kind,
    regionId: null,
    location: null,
    photos,
    contactPhone: null,
    latitude: null,
    longitude: null,
  };
}

/**
 * Words said before a step asked, kept in the flow's data as `words` (a liaison's notes
 * written where the household was asked; a handler's words at a ticket, offered as its
 * progress): the step's `prefilled`, taken once.
 */
export function keptWords(data: { words?: string | undefined }): string | undefined {
  const { words } = data;
  delete data.words;
  return words;
}
