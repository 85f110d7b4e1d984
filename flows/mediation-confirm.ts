import { z } from 'zod';
import { defineFlow, chatModule } from '../src/engine/flow.js';
import { refuseText } from './answers.js';

/** 矛盾纠纷调解's effects, shared with 我的调解: a party's answer to an agreement (src/mediation/chat.ts, loaded on first use). */
export const mediationChat = chatModule({ myCases: true, toAnswer: true, answer: true }, async (deps) =>
  (await import('../src/mediation/chat.js')).mediationEffects({ ...deps, notFound: () => deps.text('mediation.not_found') }),
);

const data = z.object({ partyId: z.number().int().positive() });

/** 矛盾纠纷调解: a party answers the mediation agreement pushed to their chat, 确认 or 有异议 with what they object to. */
export const mediationConfirmFlow = defineFlow({
  id: 'mediation-confirm',
  data,
  first: 'agreement',
  buttons: [
    {
      verb: 'mediation',
      record: true,
      // 确认 on the push is recorded at once; 有异议 asks what the objection is.
      start: (id, answer) => ({ data: { partyId: Number(id) }, ...(answer === 'confirmed' ? { at: 'confirmed' } : answer === 'objected' ? { at: 'objection' } : {}) }),
    },
  ],
  steps: {
    agreement: {
      takes: 'choice',
      next: ['confirmed', 'objection'],
      ends: true,
      async ask(ctx) {
        const agreement = await ctx.effects.of(mediationChat).toAnswer(ctx.data.partyId);
        if (!agreement) return ctx.say('mediation.not_found');
        // 是 / 对 answer 确认, 不 / 不对 有异议, as on the push (src/mediation/cases.ts).
        ctx.say('mediation.ask_party', { ...agreement }, [
          { label: 'mediation.confirm', payload: 'confirmed', means: 'yes' },
          { label: 'mediation.object', payload: 'objected', means: 'no' },
        ]);
      },
      async answer(ctx) {
        if (!(await ctx.effects.of(mediationChat).toAnswer(ctx.data.partyId))) return { done: true };
        if (ctx.input.action === 'confirmed') return { next: 'confirmed' };
        if (ctx.input.action === 'objected') return { next: 'objection' };
        ctx.say('input.pick_a_choice');
        return { stay: true };
      },
    },
    // Entered from the push's 确认 too: records it and thanks. Nothing more is asked, so
    // whatever is said next is a new request, never swallowed.
    confirmed: {
      takes: 'view',
      ends: true,
      async ask(ctx) {
        const result = await ctx.effects.of(mediationChat).answer(ctx.data.partyId, true);
        ctx.say(result.ok ? 'mediation.confirmed' : 'command.refused', result.ok ? {} : { reason: result.text });
      },
      answer: () => ({ done: true }),
    },
    objection: {
      ends: true,
      async ask(ctx) {
        if (!(await ctx.effects.of(mediationChat).toAnswer(ctx.data.partyId))) return ctx.say('mediation.not_found');
        ctx.say('mediation.what_objection');
      },
      async answer(ctx) {
        if (!(await ctx.effects.of(mediationChat).toAnswer(ctx.data.partyId))) return { done: true };
        const refused = refuseText(ctx);
        if (refused) return refused;
        const result = await ctx.effects.of(mediationChat).answer(ctx.data.partyId, false, ctx.input.text);
        ctx.say(result.ok ? 'mediation.objected' : 'command.refused', result.ok ? {} : { reason: result.text });
        return { done: true };
      },
    },
  },
});
