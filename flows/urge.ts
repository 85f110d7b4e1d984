import { z } from 'zod';
import { URGE_WORDS } from '../src/engine/choices.js';
import { defineFlow, type TurnContext } from '../src/engine/flow.js';
import { render } from '../src/engine/i18n.js';
import { OPEN_STATES } from '../src/pipeline/states.js';
import { ticketNumber } from './answers.js';

/**
 * 催办: the resident urges an open request of theirs. The pipeline records it (an `urged`
 * event, at most one a day) and pings the handler and the dispatcher; the resident hears
 * where the request stands and by when it is due (办结时限). From a ticket's view (the
 * 催办 choice, tapped, numbered or typed) it urges that ticket; typed anywhere else, it
 * urges the only open request or asks which.
 */
export const urgeFlow = defineFlow({
  id: 'urge',
  data: z.object({ number: ticketNumber.optional() }),
  first: 'urge',
  entries: [{ name: 'urge', words: URGE_WORDS, data: {} }],
  buttons: [{ verb: 'urge', start: (number) => ({ data: { number } }) }],
  steps: {
    urge: {
      takes: 'view',
      ends: true,
      async ask(ctx) {
        if (ctx.data.number) return urge(ctx, ctx.data.number);
        const open = (await ctx.effects.myTickets('own')).filter((t) => OPEN_STATES.includes(t.state));
        const [only] = open;
        if (!only) return ctx.say('urge.none');
        if (open.length === 1) return urge(ctx, only.number);
        ctx.say(
          'urge.which',
          { count: open.length },
          open.slice(0, 10).map((t) => ({
            label: { text: `${t.number} 【${render(ctx.speaker.locale, `state.${t.state}`)}】${t.summary.slice(0, 16)}` },
            payload: `urge:${t.number}`,
          })),
        );
      },
      // A ticket picked is its `urge:` button, which works from any message; anything else ends the question.
      answer: () => ({ done: true }),
    },
  },
});

/** Urges the ticket and tells the resident where it stands: urged now, or already today (nothing new recorded). */
async function urge(ctx: TurnContext<{ number?: string | undefined }>, number: string): Promise<void> {
  const result = await ctx.effects.command(number, { type: 'urge' });
  const view = await ctx.effects.ticket(number);
  if (!view) return ctx.say('ticket.not_found', { number });
  const where = { number, state: view.state, resolveBy: view.resolveBy?.toISOString() ?? null };
  if (result.ok) ctx.say('urge.done', where);
  // Not urged (too soon after 受理, or urged today already): what is happening meanwhile, received when and by whom handled.
  else ctx.say('urge.not_done', { ...where, reason: result.text, receivedAt: view.createdAt.toISOString(), handler: view.handler });
}
