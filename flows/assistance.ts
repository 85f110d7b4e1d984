import { z } from 'zod';
import { defineFlow, type FlowChoice, chatModule } from '../src/engine/flow.js';
import { formatInstant } from '../src/engine/i18n.js';
import { keptWords, refuseText } from './answers.js';
import { pickHouseholdStep } from './households.js';

/** 帮扶申报's effects, shared with 公示异议 and 困难户: a liaison reports a household for assistance (src/assistance/chat.ts, loaded on first use). */
export const assistanceChat = chatModule({ report: true, onNotice: true, object: true, hardshipHouseholds: true, hardshipRecord: true }, async (deps) =>
  (await import('../src/assistance/chat.js')).assistanceEffects({
    ...deps,
    notYours: () => deps.text('assistance.not_yours'),
    notOnNotice: () => deps.text('assistance.not_on_notice'),
    hardshipNotYours: () => deps.text('hardship.not_yours'),
  }),
);

/** 急事急办: whether the report is urgent. */
const URGENT_CHOICES: FlowChoice[] = [
  { label: 'assistance.urgent_yes', payload: 'urgent', means: 'yes' },
  { label: 'assistance.urgent_no', payload: 'not_urgent', means: 'no' },
];

/** 帮扶申报 (网长报告): a liaison reports one of their households in difficulty, saying what is needed and whether it is urgent. */
export const assistanceFlow = defineFlow({
  id: 'assistance',
  data: z.object({
    householdId: z.number().int().optional(),
    household: z.string().optional(),
    words: z.string().optional(),
    need: z.string().optional(),
  }),
  first: 'household',
  entries: [
    {
      name: 'assistance',
      words: /^(帮扶申报|困难帮扶|帮扶|assistance|\/assistance)$/i,
      menu: { label: 'menu.assistance', order: 18, shownTo: (speaker) => speaker.roles.includes('liaison') },
      data: {},
    },
  ],
  steps: {
    household: pickHouseholdStep({ question: 'assistance.pick_household', next: 'need', keepsWords: true }),
    need: {
      next: ['urgent'],
      ends: true,
      prefilled: keptWords,
      ask: (ctx) => ctx.say('assistance.need', { household: ctx.data.household ?? '' }),
      answer(ctx) {
        const refused = refuseText(ctx);
        if (refused) return refused;
        ctx.data.need = ctx.input.text;
        return { next: 'urgent' };
      },
    },
    urgent: {
      takes: 'choice',
      ends: true,
      ask: (ctx) => ctx.say('assistance.urgent_ask', {}, URGENT_CHOICES),
      async answer(ctx) {
        const { action } = ctx.input;
        if (action !== 'urgent' && action !== 'not_urgent') {
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        const { householdId, household = '', need = '' } = ctx.data;
        if (householdId === undefined) return { done: true };
        const result = await ctx.effects.of(assistanceChat).report({ householdId, need, urgent: action === 'urgent' });
        if (!result.ok) ctx.say('command.refused', { reason: result.text });
        else ctx.say('assistance.reported', { id: result.id, household, due: result.dueAt ? formatInstant(result.dueAt, ctx.speaker.locale) : '—' });
        return { done: true };
      },
    },
  },
});
