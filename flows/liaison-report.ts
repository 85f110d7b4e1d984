import { z } from 'zod';
import { defineFlow } from '../src/engine/flow.js';
import { refuseText } from './answers.js';
import { surveysChat } from './survey.js';

/** 述职 (双述双评): a liaison gives an account of their half-year's work; staff read it beside the residents' ratings. */
export const liaisonReportFlow = defineFlow({
  id: 'liaison-report',
  data: z.object({}),
  first: 'text',
  entries: [
    {
      name: 'liaison-report',
      words: /^(述职|提交述职|我要述职|work report|\/report_work)$/i,
      menu: { label: 'menu.liaison_report', order: 17, shownTo: (speaker) => speaker.roles.includes('liaison') },
      data: {},
    },
  ],
  steps: {
    text: {
      ends: true,
      ask: (ctx) => ctx.say('survey.report_ask'),
      async answer(ctx) {
        const refused = refuseText(ctx);
        if (refused) return refused;
        const result = await ctx.effects.of(surveysChat).submitReport(ctx.input.text);
        ctx.say(result.ok ? 'survey.report_saved' : 'command.refused', result.ok ? { period: result.period } : { reason: result.text });
        return { done: true };
      },
    },
  },
});
