import { z } from 'zod';
import { defineFlow, type FlowChoice } from '../src/engine/flow.js';
import { refuseText } from './answers.js';
import { assistanceChat } from './assistance.js';

/** 公示异议: a resident objects to a 帮扶 case on public notice in their village; the township reads it on the case. */
export const assistanceObjectionFlow = defineFlow({
  id: 'assistance-objection',
  data: z.object({ caseId: z.number().int().optional() }),
  first: 'case',
  entries: [
    {
      name: 'assistance-objection',
      words: /^(帮扶公示|公示异议|帮扶异议|assistance notice|\/objection)$/i,
      menu: { label: 'menu.assistance_objection', order: 36, shownTo: (speaker) => speaker.hasHousehold },
      data: {},
    },
  ],
  steps: {
    case: {
      takes: 'choice',
      next: ['text'],
      ends: true,
      async ask(ctx) {
        const cases = await ctx.effects.of(assistanceChat).onNotice();
        if (!cases.length) return ctx.say('assistance.none_on_notice');
        const choices: FlowChoice[] = cases.map((c) => ({ label: { text: `#${c.id} ${c.household}：${c.aid} ${c.amount}` }, payload: `case:${c.id}` }));
        ctx.say('assistance.notice_list', { count: cases.length }, choices);
      },
      async answer(ctx) {
        const cases = await ctx.effects.of(assistanceChat).onNotice();
        if (!cases.length) return { done: true };
        const picked = cases.find((c) => ctx.input.action === `case:${c.id}`);
        if (!picked) {
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        ctx.data.caseId = picked.id;
        return { next: 'text' };
      },
    },
    text: {
      ends: true,
      ask: (ctx) => ctx.say('assistance.objection_ask', { id: ctx.data.caseId ?? '' }),
      async answer(ctx) {
        const refused = refuseText(ctx);
        if (refused) return refused;
        const { caseId } = ctx.data;
        if (caseId === undefined) return { done: true };
        const result = await ctx.effects.of(assistanceChat).object(caseId, ctx.input.text);
        ctx.say(result.ok ? 'assistance.objection_saved' : 'command.refused', result.ok ? { id: caseId } : { reason: result.text });
        return { done: true };
      },
    },
  },
});
