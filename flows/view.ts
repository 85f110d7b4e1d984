import { z } from 'zod';
import { defineFlow, type FlowChoice } from '../src/engine/flow.js';
import { formatInstant, isMessageKey, render } from '../src/engine/i18n.js';
import { ticketNumber } from './answers.js';

/** One ticket: its state and history, and what the viewer may do with it. */
export const viewFlow = defineFlow({
  id: 'view',
  data: z.object({ number: ticketNumber }),
  first: 'show',
  // Anyone may tap it: the view itself says "not found" to whom the ticket is not theirs.
  buttons: [{ verb: 'view', guarded: false, start: (number) => ({ data: { number } }) }],
  steps: {
    show: {
      takes: 'view',
      ends: true,
      async ask(ctx) {
        const number = ctx.data.number;
        const view = await ctx.effects.ticket(number);
        if (!view) {
          ctx.say('ticket.not_found', { number });
          return;
        }
        const locale = ctx.speaker.locale;
        const history = view.history
          .slice(-8)
          .map((h) => {
            const what = isMessageKey(`event.${h.type}`) ? render(locale, `event.${h.type}`) : h.type;
            // A note that is a code (归档: rated) reads as words.
            const note = h.note && isMessageKey(`reason.${h.note}`) ? render(locale, `reason.${h.note}`) : h.note;
            return `· ${formatInstant(h.at, locale)} ${what}${note ? `：${note}` : ''}`;
          })
          .join('\n');
        const choices: FlowChoice[] = [];
        if (view.can.supply) choices.push({ label: 'action.supply_info', payload: `supply:${number}` });
        if (view.can.rate) choices.push({ label: 'action.rate', payload: `rate:${number}` });
        if (view.can.urge) choices.push({ label: 'action.urge', payload: `urge:${number}` });
        if (view.can.withdraw) choices.push({ label: 'action.withdraw', payload: `withdraw:${number}` });
        if (view.can.accept) {
          choices.push({ label: 'action.accept', payload: `accept:${number}` }, { label: 'action.return', payload: `return:${number}` });
        }
        if (view.can.handle) {
          choices.push(
            { label: 'action.progress', payload: `handle:${number}:progress` },
            { label: 'action.resolve', payload: `handle:${number}:resolve` },
            { label: 'action.request_info', payload: `handle:${number}:request_info` },
            { label: 'action.request_extension', payload: `handle:${number}:request_extension` },
            { label: 'action.escalate', payload: `handle:${number}:escalate` },
          );
        }
        ctx.say(
          'ticket.view',
          {
            number,
            summary: view.summary,
            state: view.state,
            category: view.categoryCode,
            place: view.place,
            map: view.map,
            phone: view.phone,
            note: view.dispatchNote,
            resolveBy: view.resolveBy?.toISOString() ?? null,
            history,
          },
          choices,
          view.media,
        );
      },
      // Actions on the ticket are global (they work from any message); anything else ends the view.
      answer: () => ({ done: true }),
    },
  },
});
