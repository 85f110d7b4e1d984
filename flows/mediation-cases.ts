import { z } from 'zod';
import { defineFlow } from '../src/engine/flow.js';
import { mediationChat } from './mediation-confirm.js';

/**
 * 我的调解: a mediator's own cases that still wait for something, each with its next step
 * and the mediation limit (marked when past it); the work itself is recorded in the console.
 */
export const mediationCasesFlow = defineFlow({
  id: 'mediation-cases',
  data: z.object({}),
  first: 'list',
  entries: [
    {
      name: 'mediation-cases',
      words: /^(我的调解|调解案件|my mediations?|\/mediations?)$/i,
      menu: { label: 'menu.mediation_cases', order: 13, shownTo: (speaker) => speaker.roles.includes('mediator') },
      data: {},
    },
  ],
  steps: {
    list: {
      takes: 'view',
      ends: true,
      async ask(ctx) {
        if (!ctx.speaker.roles.includes('mediator')) return ctx.say('mediation.not_mediator');
        const cases = await ctx.effects.of(mediationChat).myCases();
        if (!cases.length) return ctx.say('mediation.my_none');
        ctx.say('mediation.my_list', { count: cases.length });
        for (const c of cases) {
          ctx.say('mediation.my_case', {
            id: c.id,
            title: c.title,
            mediation_step: c.status,
            confirmed: c.status === 'agreement' ? `${c.confirmed}/${c.parties}` : null,
            due: c.status === 'mediating' || c.status === 'agreement' ? c.dueOn : null,
            mediation_late: c.overdue ? 'late' : null,
          });
        }
      },
      answer: () => ({ done: true }),
    },
  },
});
