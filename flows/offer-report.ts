import { z } from 'zod';
import { defineFlow, startOf } from '../src/engine/flow.js';
import { handleFlow } from './handle.js';
import { described, reportFlow } from './report.js';

/**
 * Staff and liaisons' free text is not assumed to be a request (it is often meant for a
 * ticket of theirs): they are asked first; yes starts the report with the text as its
 * description. Written at a ticket they handle (已经修好了 under its 报告进展 / 办结
 * buttons), the words are offered as that ticket's progress or result first.
 */
export const offerReportFlow = defineFlow({
  id: 'offer_report',
  data: z.object({ text: z.string(), number: z.string().min(1).optional() }),
  first: 'offer',
  steps: {
    offer: {
      takes: 'choice',
      ends: true,
      starts: ['report', 'handle'],
      ask(ctx) {
        const { number, text } = ctx.data;
        if (!number) {
          ctx.say('report.offer', { text: text.slice(0, 40) }, [
            { label: 'choice.yes', payload: 'yes' },
            { label: 'choice.no', payload: 'no' },
          ]);
          return;
        }
        ctx.say('report.offer_for_ticket', { text: text.slice(0, 40), number }, [
          { label: 'action.progress', payload: 'progress' },
          { label: 'action.resolve', payload: 'resolve' },
          { label: 'report.offer_new', payload: 'yes' },
          { label: 'choice.cancel', payload: 'no' },
        ]);
      },
      answer(ctx) {
        const { action } = ctx.input;
        const { number, text } = ctx.data;
        if ((action === 'progress' || action === 'resolve') && number) return startOf(handleFlow, { number, action, words: text });
        if (action === 'yes') return startOf(reportFlow, described(ctx, text), 'category');
        if (action === 'no') return { done: true };
        ctx.say('input.pick_a_choice');
        return { stay: true };
      },
    },
  },
});
