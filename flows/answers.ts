/**
 * What several flows share: the skip choice, the check of a free-text answer, a ticket number.
 */
import { z } from 'zod';
import { type FlowChoice, hasWords, MAX_TEXT, SKIP_PAYLOAD, type StepOutcome, type TurnContext } from '../src/engine/flow.js';

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
  return description.length > 60 ? `${description.slice(0, 60)}…` : description;
}
