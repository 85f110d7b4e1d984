import { z } from 'zod';
import { defineFlow, type FlowChoice, type TurnContext } from '../src/engine/flow.js';
import { refuseText } from './answers.js';
import { visitsChat } from './households.js';

const RATINGS = ['1', '2', '3', '4', '5'] as const;
const NUMERALS = '一二三四五';
const data = z.object({ visitId: z.number().int().positive() });
const SCORES: FlowChoice[] = RATINGS.map((r) => ({ label: { text: r }, payload: `score:${r}` }));

/** 签字: the household confirms a liaison's visit record (属实 / 有出入 with its words), then rates the visit. */
export const visitConfirmFlow = defineFlow({
  id: 'visit-confirm',
  data,
  first: 'confirm',
  buttons: [
    {
      verb: 'visit',
      record: true,
      // 属实 on the push goes straight to the rating; 有出入 asks what differs.
      start: (id, answer) => ({ data: { visitId: Number(id) }, ...(answer === 'accurate' ? { at: 'accurate' } : answer === 'inaccurate' ? { at: 'differs' } : {}) }),
    },
  ],
  steps: {
    confirm: {
      takes: 'choice',
      next: ['accurate', 'differs'],
      ends: true,
      async ask(ctx) {
        const visit = await ctx.effects.of(visitsChat).toConfirm(ctx.data.visitId);
        if (!visit) return ctx.say('visit.not_found');
        // 对 / 是的 answer 属实, 不对 / 不是 有出入, as on the push (src/visits/visits.ts).
        ctx.say('visit.ask_household', { liaison: visit.liaison, notes: visit.notes }, [
          { label: 'visit.accurate', payload: 'accurate', means: 'yes' },
          { label: 'visit.inaccurate', payload: 'inaccurate', means: 'no' },
        ]);
      },
      async answer(ctx) {
        if (!(await ctx.effects.of(visitsChat).toConfirm(ctx.data.visitId))) return { done: true };
        if (ctx.input.action === 'accurate') return { next: 'accurate' };
        if (ctx.input.action === 'inaccurate') return { next: 'differs' };
        ctx.say('input.pick_a_choice');
        return { stay: true };
      },
    },
    // Entered from the push's 属实 too: records it, then asks for the rating. A rating
    // not understood moves on to `rate`, which asks again without recording again.
    accurate: {
      next: ['rate'],
      ends: true,
      async ask(ctx) {
        const result = await ctx.effects.of(visitsChat).answer(ctx.data.visitId, true, null);
        if (!result.ok) return ctx.say('command.refused', { reason: result.text });
        ctx.say('visit.rate', {}, SCORES);
      },
      answer: (ctx) => rated(ctx, { next: 'rate' }),
    },
    differs: {
      next: ['rate'],
      ends: true,
      async ask(ctx) {
        if (!(await ctx.effects.of(visitsChat).toConfirm(ctx.data.visitId))) return ctx.say('visit.not_found');
        ctx.say('visit.what_differs');
      },
      async answer(ctx) {
        const refused = refuseText(ctx);
        if (refused) return refused;
        const result = await ctx.effects.of(visitsChat).answer(ctx.data.visitId, false, ctx.input.text);
        if (!result.ok) {
          ctx.say('command.refused', { reason: result.text });
          return { done: true };
        }
        return { next: 'rate' };
      },
    },
    rate: {
      ends: true,
      ask: (ctx) => ctx.say('visit.rate', {}, SCORES),
      answer: (ctx) => rated(ctx, { stay: true }),
    },
  },
});

/** The rating typed or tapped (1–5: a digit, a button, a Chinese numeral, 5分) recorded; else `notUnderstood`, after saying so. */
async function rated<O>(ctx: TurnContext<z.output<typeof data>>, notUnderstood: O): Promise<{ done: true } | O> {
  const typed = (ctx.input.action?.startsWith('score:') ? ctx.input.action.slice('score:'.length) : ctx.input.text.trim()).replace(/分$/, '');
  const digit = NUMERALS.includes(typed) && typed.length === 1 ? String(NUMERALS.indexOf(typed) + 1) : typed;
  const score = RATINGS.indexOf(digit as (typeof RATINGS)[number]) + 1;
  if (score < 1) {
    ctx.say('visit.rate_again');
    return notUnderstood;
  }
  const result = await ctx.effects.of(visitsChat).rate(ctx.data.visitId, score);
  ctx.say(result.ok ? 'visit.thanks' : 'command.refused', result.ok ? {} : { reason: result.text });
  return { done: true };
}
