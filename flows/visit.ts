import { z } from 'zod';
import { defineFlow, type FlowChoice } from '../src/engine/flow.js';
import { pickHouseholdStep } from './households.js';
import { heardRequest, keptWords, refuseText } from './answers.js';
import { visitsChat } from './households.js';

/** Whether the household raised a need to file: 是的 / 有 yes, 没有 / 不用 no. */
const NEED_CHOICES: FlowChoice[] = [
  { label: 'visit.need_yes', payload: 'need', means: 'yes' },
  { label: 'visit.need_no', payload: 'no_need', means: 'no' },
];

/** 民情日记: a liaison records a visit to a paired household, which is asked to confirm it in its own chat. */
export const visitFlow = defineFlow({
  id: 'visit',
  data: z.object({
    householdId: z.number().int().optional(),
    household: z.string().optional(),
    words: z.string().optional(),
    media: z.array(z.string()).default([]),
    visitId: z.number().int().optional(),
    /** Needs filed from this visit so far. */
    filed: z.number().int().default(0),
  }),
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
    household: pickHouseholdStep({ question: 'visit.pick_household', next: 'notes', keepsWords: true }),
    notes: {
      next: ['need'],
      ends: true,
      prefilled: keptWords,
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
        const result = await ctx.effects.of(visitsChat).record({ householdId, notes: ctx.input.text, media: ctx.data.media });
        if (!result.ok) {
          ctx.say('command.refused', { reason: result.text });
          return { done: true };
        }
        ctx.say(result.asked ? 'visit.recorded_asked' : 'visit.recorded_unconfirmed', { household });
        ctx.data.visitId = result.id;
        ctx.data.media = [];
        return { next: 'need' };
      },
    },
    // 一事一记、一事一办: each need heard becomes a request of the household, one by one.
    need: {
      takes: 'choice',
      next: ['needText'],
      ends: true,
      ask: (ctx) => ctx.say(ctx.data.filed ? 'visit.need_more' : 'visit.need_ask', {}, NEED_CHOICES),
      answer(ctx) {
        if (ctx.input.action === 'no_need') return { done: true };
        if (ctx.input.action === 'need') return { next: 'needText' };
        ctx.say('input.pick_a_choice');
        return { stay: true };
      },
    },
    needText: {
      next: ['need'],
      ends: true,
      ask: (ctx) => ctx.say('visit.need_text'),
      async answer(ctx) {
        ctx.data.media = [...ctx.data.media, ...ctx.input.media.map((m) => m.ref)].slice(0, 9);
        if (!ctx.input.text && ctx.input.media.length) return { stay: true, quiet: true };
        const refused = refuseText(ctx);
        if (refused) return refused;
        const { visitId } = ctx.data;
        if (visitId === undefined) return { done: true };
        const result = await ctx.effects.of(visitsChat).reportNeed(visitId, heardRequest(ctx, ctx.input.text, ctx.data.media));
        ctx.data.media = [];
        if (!result.ok) {
          ctx.say('command.refused', { reason: result.text });
          return { done: true };
        }
        ctx.say('visit.need_filed', { number: result.number, handler: result.handler, resolveBy: result.resolveBy?.toISOString() ?? null });
        ctx.data.filed++;
        return { next: 'need' };
      },
    },
  },
});
