import { z } from 'zod';
import { RATINGS } from '../src/pipeline/states.js';
import { defineFlow, hasWords, isRating } from '../src/engine/flow.js';
import { refuseText, SKIP, ticketNumber } from './answers.js';

/**
 * 回访: 满意 / 基本满意 / 不满意, then an optional comment. One reply may do both: "3 路灯还是不亮"
 * by SMS, where each reply costs, and 不满意，路灯还是不亮 on any channel (the comment step is
 * inline). A rating in words (挺好的, 还行吧, 没修好) is matched as its button (choices.ts);
 * words that are no rating are the comment, kept while the rating is asked again.
 */
export const rateFlow = defineFlow({
  id: 'rate',
  data: z.object({ number: ticketNumber, rating: z.enum(RATINGS).optional(), comment: z.string().optional() }),
  first: 'rating',
  // A rating chosen on the push itself goes straight to the comment.
  buttons: [{ verb: 'rate', start: (number, rating) => (isRating(rating) ? { data: { number, rating }, at: 'comment' } : { data: { number } }) }],
  steps: {
    rating: {
      takes: 'choice',
      aboutItsMatter: true,
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
          // 修是修了，但是还不太亮: what they think of it, kept for the comment; the rating is asked again.
          const text = ctx.input.text;
          if (action || !hasWords(text)) {
            ctx.say('input.pick_a_choice');
            return { stay: true };
          }
          // Too long a text is said so, once (not 请点选 after it).
          const refused = refuseText(ctx);
          if (refused) return refused;
          ctx.data.comment = [ctx.data.comment, text].filter(Boolean).join('，');
          ctx.say('rate.comment_kept');
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
        let comment = ctx.data.comment;
        if (ctx.input.action !== 'skip') {
          const refused = refuseText(ctx);
          if (refused) return refused;
          comment = [comment, ctx.input.text].filter(Boolean).join('，');
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
