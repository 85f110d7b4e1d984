import { z } from 'zod';
import { defineFlow, type FlowChoice, type TurnContext } from '../src/engine/flow.js';
import { formatInstant } from '../src/engine/i18n.js';
import { HARDSHIP_KIND_NAMES } from '../src/assistance/machine.js';
import { assistanceChat } from './assistance.js';

/** Who may ask: a liaison or a grid leader (whose households these are is checked on each read). */
const mayRead = (roles: readonly string[]) => roles.includes('liaison') || roles.includes('grid_leader');

/** Shows the record of the household named by a tap (its id) or by words (its code, head or address). */
async function showRecord(ctx: TurnContext<object>, household: number | string): Promise<void> {
  const result = await ctx.effects.of(assistanceChat).hardshipRecord(household);
  if (!result.ok) return ctx.say('command.refused', { reason: result.text });
  const { record } = result;
  const locale = ctx.speaker.locale;
  ctx.say('hardship.record', {
    household: `${result.household.address} ${result.household.headName}`,
    kinds: record.kinds.map((k) => HARDSHIP_KIND_NAMES[k][locale]).join(locale === 'zh' ? '、' : ', '),
    members: record.members || '—',
    notes: record.notes || '—',
    updated: formatInstant(record.updatedAt, locale),
  });
}

/**
 * 困难户: a liaison or grid leader reads the difficulty record of a household they answer
 * for (paired with them, or in their grid), picked from the list or named in words.
 */
export const hardshipFlow = defineFlow({
  id: 'hardship',
  data: z.object({ listed: z.boolean().optional() }),
  first: 'household',
  entries: [
    {
      name: 'hardship',
      words: /^(困难户|困难户记录|hardship records?|\/hardship)$/i,
      menu: { label: 'menu.hardship', order: 19, shownTo: (speaker) => mayRead(speaker.roles) },
      data: {},
    },
  ],
  steps: {
    household: {
      ends: true,
      // With nothing listed, what comes next is no answer here: a new request, as after any view.
      takes: (data) => (data.listed ? 'text' : 'view'),
      async ask(ctx) {
        ctx.data.listed = false;
        if (!mayRead(ctx.speaker.roles)) return ctx.say('hardship.not_allowed');
        const households = await ctx.effects.of(assistanceChat).hardshipHouseholds();
        if (!households.length) return ctx.say('hardship.none');
        ctx.data.listed = true;
        const choices: FlowChoice[] = households.slice(0, 10).map((h) => ({ label: { text: `${h.address} ${h.headName}` }, payload: `household:${h.householdId}` }));
        ctx.say('hardship.list', { count: households.length }, choices);
      },
      async answer(ctx) {
        const action = ctx.input.action;
        const picked = action?.startsWith('household:') ? Number(action.slice('household:'.length)) : ctx.input.text;
        if (picked === '' || (typeof picked === 'number' && !Number.isInteger(picked))) return { done: true };
        await showRecord(ctx, picked);
        return { done: true };
      },
    },
  },
});
