import { z } from 'zod';
import { defineFlow, handlesTickets, startOf } from '../src/engine/flow.js';
import { render } from '../src/engine/i18n.js';
import { viewFlow } from './view.js';

/** Lists the speaker's requests (or, for a handler, their queue) and opens one. */
export const listFlow = defineFlow({
  id: 'list',
  data: z.object({ scope: z.enum(['own', 'assigned']).default('own') }),
  first: 'list',
  entries: [
    {
      name: 'list',
      words: /^(我的诉求|我的请求|查询|查进度|查询进度|查看进度|看进度|进度|进度查询|办理进度|我的反映|我反映的问题|我反映的事|my requests|progress|\/list)$/i,
      menu: { label: 'menu.list', order: 30 },
      data: { scope: 'own' },
    },
    { name: 'queue', words: /^(我的待办|待办|queue|my queue|\/queue)$/i, menu: { label: 'menu.queue', order: 10, shownTo: handlesTickets }, data: { scope: 'assigned' } },
  ],
  steps: {
    list: {
      takes: 'view',
      ends: true,
      starts: ['view'],
      async ask(ctx) {
        const scope = ctx.data.scope;
        const tickets = await ctx.effects.myTickets(scope);
        if (!tickets.length) {
          ctx.say(scope === 'own' ? 'list.none' : 'queue.none');
          return;
        }
        ctx.say(
          scope === 'own' ? 'list.title' : 'queue.title',
          { count: tickets.length },
          tickets.slice(0, 10).map((t) => ({
            label: { text: `${t.number} 【${render(ctx.speaker.locale, `state.${t.state}`)}】${t.summary.slice(0, 16)}` },
            payload: `view:${t.number}`,
          })),
        );
      },
      answer(ctx) {
        const action = ctx.input.action;
        if (action?.startsWith('view:')) return startOf(viewFlow, { number: action.slice('view:'.length) });
        return { done: true };
      },
    },
  },
});
