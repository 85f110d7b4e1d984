import { z } from 'zod';
import { defineFlow } from '../src/engine/flow.js';
import { ticketNumber } from './answers.js';
/** 撤销: confirm, then withdraw. */
export const withdrawFlow = defineFlow({
    id: 'withdraw',
    data: z.object({ number: ticketNumber }),
    first: 'confirm',
    buttons: [{ verb: 'withdraw', start: (number) => ({ data: { number } }) }],
    steps: {
        confirm: {
            takes: 'choice',
            ends: true,
            ask: (ctx) => ctx.say('withdraw.confirm', { number: ctx.data.number }, [
                { label: 'choice.yes', payload: 'yes' },
                { label: 'choice.no', payload: 'no' },
            ]),
            async answer(ctx) {
                if (ctx.input.action === 'no')
                    return { done: true };
                if (ctx.input.action !== 'yes') {
                    ctx.say('input.pick_a_choice');
                    return { stay: true };
                }
                const result = await ctx.effects.command(ctx.data.number, { type: 'withdraw' });
                if (!result.ok)
                    ctx.say('command.refused', { reason: result.text });
                return { done: true };
            },
        },
    },
});
