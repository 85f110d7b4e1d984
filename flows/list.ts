import { z } from 'zod';
import { defineFlow, handlesTickets, startOf } from '../src/engine/flow.js';
import { render } from '../src/engine/i18n.js';
import { viewFlow } from './view.js';

/** Words about one's own request before the question (我反映的那个事, 刚才那个问题, 上次报的事情…), each part optional. */
const ABOUT_MINE = '(?:我|我的|俺|俺的)?(?:刚才|之前|上次|前几天|前两天|昨天|前天)?(?:反映|报|提|说)?(?:的|过的)?(?:那个|那件|这个)?(?:事|事情|事儿|问题|诉求|情况)?(?:现在)?';
/** …怎么样了, 办得怎么样了, 到哪一步了. */
const HOW_FAR = '(?:(?:办|处理|弄|修|解决)(?:得|的)?)?(?:怎么样|咋样|怎样|如何|到哪一步|到哪一步了)了?';
/** …处理了吗, 有结果了没有, 办好了没. */
const DONE_YET = '(?:有结果|有回音|有消息|处理|办|办好|修好|解决)了?(?:吗|没有?|没)';

/**
 * Lists the speaker's requests (or, for a handler, their queue) and opens one. Asked for
 * by name (我的诉求, 查进度) or by a question about one's own request in words, as an
 * elderly resident asks it (刚才那个事情怎么样了, 我反映的问题处理了吗, 有结果了吗).
 */
export const listFlow = defineFlow({
  id: 'list',
  data: z.object({ scope: z.enum(['own', 'assigned']).default('own') }),
  first: 'list',
  entries: [
    {
      name: 'list',
      words: new RegExp(
        `^(?:我的诉求|我的请求|查询|查进度|查询进度|查看进度|看进度|进度|进度查询|办理进度|我的反映|我反映的问题|我反映的事|my requests|progress|\\/list|${ABOUT_MINE}(?:${HOW_FAR}|${DONE_YET}))$`,
        'i',
      ),
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
