import { z } from 'zod';
import { normalizePhone } from '../src/org/phone.js';
import { defineFlow, handlesTickets, hasWords } from '../src/engine/flow.js';
import { offerVillages, pickedVillage } from './villages.js';

/** 绑定家庭: village, name, phone; the household's liaison confirms. */
export const registerFlow = defineFlow({
  id: 'register',
  data: z.object({ regionId: z.number().int().optional(), name: z.string().optional() }),
  first: 'village',
  entries: [
    {
      name: 'register',
      words: /^(绑定家庭|登记|家庭绑定|register|\/register)$/i,
      menu: { label: 'menu.register', order: 40, shownTo: (speaker) => !handlesTickets(speaker) && !speaker.hasHousehold },
      data: {},
    },
  ],
  steps: {
    village: {
      next: ['name'],
      async ask(ctx) {
        offerVillages(ctx, 'register.village', {}, await ctx.effects.villages());
      },
      async answer(ctx) {
        const picked = pickedVillage(ctx, await ctx.effects.villages());
        if (picked === 'asked') return { stay: true, quiet: true };
        if (!picked) {
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        ctx.data.regionId = picked.id;
        return { next: 'name' };
      },
    },
    name: {
      next: ['phone'],
      ask: (ctx) => ctx.say('register.name'),
      answer(ctx) {
        const name = ctx.input.text;
        if (!name || !hasWords(name) || [...name].length > 20) {
          ctx.say('register.bad_name');
          return { stay: true };
        }
        ctx.data.name = name;
        return { next: 'phone' };
      },
    },
    phone: {
      ends: true,
      ask: (ctx) => ctx.say('register.phone'),
      async answer(ctx) {
        const phone = normalizePhone(ctx.input.text);
        if (!phone) {
          ctx.say('input.bad_phone');
          return { stay: true };
        }
        const { regionId, name } = ctx.data;
        // Both answered on the way here; a session without them (edited by hand) starts over.
        if (regionId === undefined || name === undefined) return { done: true };
        const result = await ctx.effects.claimHousehold({ regionId, name, phone });
        ctx.say(result.ok ? 'register.pending' : 'register.failed', result.ok ? {} : { reason: result.text });
        return { done: true };
      },
    },
  },
});
