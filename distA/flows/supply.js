import { z } from 'zod';
import { defineFlow } from '../src/engine/flow.js';
import { refuseText, ticketNumber } from './answers.js';
/** 补充材料: the resident answers a request for information. */
export const supplyFlow = defineFlow({
    id: 'supply',
    data: z.object({ number: ticketNumber }),
    first: 'text',
    buttons: [{ verb: 'supply', start: (number) => ({ data: { number } }) }],
    steps: {
        text: {
            ends: true,
            ask: (ctx) => ctx.say('supply.ask', { number: ctx.data.number }),
            async answer(ctx) {
                const photos = ctx.input.media.map((m) => m.ref);
                if (!photos.length) {
                    const refused = refuseText(ctx);
                    if (refused)
                        return refused;
                }
                const result = await ctx.effects.command(ctx.data.number, { type: 'supply_info', text: ctx.input.text, photos });
                ctx.say(result.ok ? 'supply.done' : 'command.refused', result.ok ? { number: ctx.data.number } : { reason: result.text });
                return { done: true };
            },
        },
    },
});
