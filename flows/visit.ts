import { z } from 'zod';
import { defineFlow } from '../src/engine/flow.js';
import { LISTED_HOUSEHOLDS, type PairedHousehold } from '../src/visits/visits.js';
import { refuseText } from './answers.js';

/** A household named by a liaison's words: its house number, its head's name, or its code. */
function householdNamed(households: readonly PairedHousehold[], text: string): PairedHousehold | undefined {
  const words = text.trim();
  if (!words) return undefined;
  return (
    households.find((h) => h.code === words || h.headName === words || h.address === words) ??
    households.find((h) => h.address.includes(words) || words.includes(h.headName) || words.includes(h.address))
  );
}

const label = (h: PairedHousehold) => `${h.address} ${h.headName}`;

/** 民情日记: a liaison records a visit to a paired household, which is asked to confirm it in its own chat. */
export const visitFlow = defineFlow({
  id: 'visit',
  data: z.object({ householdId: z.number().int().optional(), household: z.string().optional(), media: z.array(z.string()).default([]) }),
  first: 'household',
  entries: [
    {
      name: 'visit',
      words: /^(走访记录|走访|民情日记|visit|\/visit)$/i,
      menu: { label: 'menu.visit', order: 15, shownTo: (speaker) => speaker.roles.includes('liaison') },
      data: {},
    },
  ],
  steps: {
    household: {
      next: ['notes'],
      ends: true,
      async ask(ctx) {
        const households = await ctx.effects.visits.households();
        if (!households.length) return ctx.say('visit.no_households');
        const listed = households.slice(0, LISTED_HOUSEHOLDS);
        ctx.say(
          'visit.pick_household',
          {},
          listed.map((h) => ({ label: { text: label(h) }, payload: `household:${h.id}` })),
        );
        if (households.length > listed.length) ctx.say('visit.more_households', { count: households.length, shown: listed.length });
      },
      async answer(ctx) {
        const households = await ctx.effects.visits.households();
        if (!households.length) return { done: true };
        const action = ctx.input.action;
        const picked = action?.startsWith('household:') ? households.find((h) => h.id === Number(action.slice('household:'.length))) : householdNamed(households, ctx.input.text);
        if (!picked) {
          ctx.say('visit.no_such_household', { text: ctx.input.text || (action ?? '') });
          return { stay: true };
        }
        ctx.data.householdId = picked.id;
        ctx.data.household = label(picked);
        return { next: 'notes' };
      },
    },
    notes: {
      ends: true,
      ask: (ctx) => ctx.say('visit.notes', { household: ctx.data.household ?? '' }),
      async answer(ctx) {
        ctx.data.media = [...ctx.data.media, ...ctx.input.media.map((m) => m.ref)].slice(0, 9);
        if (!ctx.input.text && ctx.input.media.length) {
          // A photo or a voice note alone: kept, and the words still asked for.
          ctx.say('visit.notes_needed');
          return { stay: true, quiet: true };
        }
        const refused = refuseText(ctx);
        if (refused) return refused;
        const { householdId, household = '' } = ctx.data;
        if (householdId === undefined) return { done: true };
        const result = await ctx.effects.visits.record({ householdId, notes: ctx.input.text, media: ctx.data.media });
        if (!result.ok) ctx.say('command.refused', { reason: result.text });
        else ctx.say(result.asked ? 'visit.recorded_asked' : 'visit.recorded_unconfirmed', { household });
        return { done: true };
      },
    },
  },
});
