import { z } from 'zod';
import { defineFlow, startOf } from '../src/engine/flow.js';
import { described, reportFlow } from './report.js';
/**
 * Staff and liaisons' free text is not assumed to be a request (it is often meant for a
 * ticket of theirs): they are asked first; yes starts the report with the text as its
 * description.
 */
export const offerReportFlow = defineFlow({
    id: 'offer_report',
    data: z.object({ text: z.string() }),
    first: 'offer',
    steps: {
        offer: {
            takes: 'choice',
            ends: true,
            starts: ['report'],
            ask: (ctx) => ctx.say('report.offer', { text: ctx.data.text.slice(0, 40) }, [
                { label: 'choice.yes', payload: 'yes' },
                { label: 'choice.no', payload: 'no' },
            ]),
            answer(ctx) {
                if (ctx.input.action === 'yes')
                    return startOf(reportFlow, described(ctx, ctx.data.text), 'category');
                if (ctx.input.action === 'no')
                    return { done: true };
                ctx.say('input.pick_a_choice');
                return { stay: true };
            },
        },
    },
});
