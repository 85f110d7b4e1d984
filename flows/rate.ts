import { z } from 'zod';
import { RATINGS } from '../src/pipeline/states.js';
import { defineFlow, isRating } from '../src/engine/flow.js';
import { refuseText, SKIP, ticketNumber } from './answers.js';

/**
 * 回访: 满意 / 基本满意 / 不满意, then an optional comment. By SMS, where each reply costs,
 * one reply does both: "1", or "3 路灯还是不亮" with its comment (the comment step is inline).
 */
export const rateFlow = defineFlow({
  id: 'rate',
  data: z.object({ number: ticketNumber, rating: z.enum(RATINGS).optional() }),
  first: 'rating',
  // A rating chosen on the push itself goes straight to the comment.
  buttons: [{ verb: 'rate', start: (number, rating) => (isRating(rating) ? { data: { number, rating }, at: 'comment' } : { data: { number } }) }],
  steps: {
    rating: {
      takes: 'choice',
      next: ['comment'],
      ask: (ctx) =>
        ctx.say('rate.ask', { number: ctx.data.number }, [
          { label: 'rating.satisfied', payload: 'satisfied' },
          { label: 'rating.basically_satisfied', payload: 'basically_satisfied' },
          { label: 'rating.dissatisfied', payload: 'dissatisfied' },
        ]),
      answer(ctx) {
        const action = ctx.input.action ?? '';
        if (!isRating(action)) {
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        ctx.data.rating = action;
        return { next: 'comment' };
      },
    },
    comment: {
      ends: true,
      inline: true,
      ask: (ctx) => ctx.say('rate.comment', {}, [SKIP]),
      async answer(ctx) {
        let comment: string | undefined;
        if (ctx.input.action !== 'skip') {
          const refused = refuseText(ctx);
          if (refused) return refused;
          comment = ctx.input.text;
        }
        const rating = ctx.data.rating;
        if (!rating) return { done: true };
        const result = await ctx.effects.command(ctx.data.number, {
          type: 'rate',
          rating,
          ...(comment ? { comment } : {}),
        });
        if (!result.ok) ctx.say('command.refused', { reason: result.text });
        else ctx.say(rating === 'dissatisfied' ? 'rate.thanks_reopened' : 'rate.thanks', { number: ctx.data.number });
        return { done: true };
      },
    },
  },
});
