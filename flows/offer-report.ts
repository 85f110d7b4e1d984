import { z } from 'zod';
import { workWord, type WorkWord } from '../src/engine/choices.js';
import { defineFlow, type FlowChoice, handlesTickets, startOf, type StepOutcome, type TurnContext } from '../src/engine/flow.js';
import { ALLOWED_FROM } from '../src/pipeline/machine.js';
import { handleFlow } from './handle.js';
import { described, reportFlow } from './report.js';

/** The tickets a liaison's work words may be about, with the word: asked which (or, for 签收, whether). */
const picking = z.object({
  work: z.enum(['accept', 'progress', 'resolve']),
  tickets: z.array(z.object({ number: z.string(), title: z.string() })).min(1),
});

const offerData = z.object({ text: z.string(), number: z.string().min(1).optional(), picking: picking.optional() });
type OfferData = z.output<typeof offerData>;

/**
 * Work words (签收, 收到了, 已经办好了…) tried on the liaison's own open tickets, those the
 * word's command may apply to: none → said so, with 我的待办; one to resolve or report on →
 * that ticket's handling question (which asks for the result or the progress); one to
 * accept, or several → asked which (or whether), by number and short title. Someone who
 * handles no tickets (a dispatcher) is asked about the words as a new request, as before.
 */
async function tryWork(ctx: TurnContext<OfferData>, work: WorkWord, text: string): Promise<StepOutcome<'offer' | 'pick'>> {
  ctx.data.text = text;
  if (!handlesTickets(ctx.speaker)) return { stay: true };
  const open = (await ctx.effects.myTickets('assigned')).filter((t) => ALLOWED_FROM[work].includes(t.state));
  const [only] = open;
  if (!only) {
    ctx.say(work === 'accept' ? 'work.none_accept' : 'work.none_handle', { text: text.slice(0, 40) }, [{ label: 'menu.queue', payload: 'menu:queue' }]);
    return { done: true };
  }
  if (open.length === 1 && work !== 'accept') return startOf(handleFlow, { number: only.number, action: work });
  ctx.data.picking = { work, tickets: open.map((t) => ({ number: t.number, title: t.summary.slice(0, 16) })) };
  return { next: 'pick' };
}

/**
 * Staff and liaisons' free text is not assumed to be a request (it is often meant for a
 * ticket of theirs): they are asked first; yes starts the report with the text as its
 * description. Written at a ticket they handle (已经修好了 under its 报告进展 / 办结
 * buttons), the words are offered as that ticket's progress or result first. Work words
 * alone (签收, 办结了), written anywhere else, are tried on their open tickets (tryWork).
 */
export const offerReportFlow = defineFlow({
  id: 'offer_report',
  data: offerData,
  first: 'offer',
  steps: {
    offer: {
      takes: 'choice',
      next: ['pick'],
      ends: true,
      starts: ['report', 'handle'],
      // Work words are answered at once, not offered as a request (away from a ticket shown: that asks about itself).
      prefilled: (data) => (data.number === undefined && workWord(data.text) ? data.text : undefined),
      ask(ctx) {
        const { number, text } = ctx.data;
        if (!number) {
          ctx.say('report.offer', { text: text.slice(0, 40) }, [
            { label: 'choice.yes', payload: 'yes' },
            { label: 'choice.no', payload: 'no' },
          ]);
          return;
        }
        ctx.say('report.offer_for_ticket', { text: text.slice(0, 40), number }, [
          { label: 'action.progress', payload: 'progress' },
          { label: 'action.resolve', payload: 'resolve' },
          { label: 'report.offer_new', payload: 'yes' },
          { label: 'choice.cancel', payload: 'no' },
        ]);
      },
      async answer(ctx) {
        const { action, text: typed } = ctx.input;
        const { number, text } = ctx.data;
        if ((action === 'progress' || action === 'resolve') && number) return startOf(handleFlow, { number, action, words: text });
        if (action === 'yes') return startOf(reportFlow, described(ctx, text), 'category');
        if (action === 'no') return { done: true };
        // Work words, first or typed at this question (签收 at 作为新的诉求反映吗？): not more words to offer as a request.
        const work = action || number ? null : workWord(typed);
        if (work) return tryWork(ctx, work, typed);
        ctx.say('input.pick_a_choice');
        return { stay: true };
      },
    },
    pick: {
      takes: 'choice',
      ends: true,
      starts: ['handle'],
      ask(ctx) {
        const { picking: asked, text } = ctx.data;
        if (!asked) return;
        const cancel: FlowChoice = { label: 'choice.cancel', payload: 'no' };
        const [only] = asked.tickets;
        if (only && asked.tickets.length === 1) {
          ctx.say('work.confirm_accept', { number: only.number, title: only.title }, [{ label: 'action.accept', payload: `work:${only.number}`, means: 'yes' }, cancel]);
          return;
        }
        ctx.say(`work.which_${asked.work}`, { count: asked.tickets.length, text: text.slice(0, 40) }, [
          ...asked.tickets.map((t) => ({ label: { text: `${t.number}「${t.title}」` }, payload: `work:${t.number}` })),
          cancel,
        ]);
      },
      async answer(ctx) {
        const { action } = ctx.input;
        const asked = ctx.data.picking;
        if (action === 'no' || !asked) return { done: true };
        const number = action?.startsWith('work:') ? action.slice('work:'.length) : null;
        if (!number || !asked.tickets.some((t) => t.number === number)) {
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        if (asked.work !== 'accept') return startOf(handleFlow, { number, action: asked.work });
        // As the 签收 button does: no dialogue.
        const result = await ctx.effects.command(number, { type: 'accept' });
        ctx.say(result.ok ? 'handle.done_accept' : 'command.refused', result.ok ? { number } : { reason: result.text });
        return { done: true };
      },
    },
  },
});
