import { z } from 'zod';
import { defineFlow, chatModule } from '../src/engine/flow.js';
import { LEDGER_OWNER_ROLES } from '../src/ledger/ledger.js';
import { refuseText } from './answers.js';

/** 我的督办's effects: the 挂牌督办 ledger items the speaker answers for (src/ledger/chat.ts, loaded on first use). */
export const ledgerChat = chatModule({ supervised: true, addProgress: true }, async (deps) =>
  (await import('../src/ledger/chat.js')).ledgerEffects({ ...deps, notFound: () => deps.text('ledger.not_found') }),
);

/**
 * 我的督办: the open 挂牌督办 ledger items the speaker answers for (their own, or their
 * department's), and a progress entry on one in a step: pick it (or tap 报告进展 on the
 * push that told them), then write what was done.
 */
export const ledgerFlow = defineFlow({
  id: 'ledger',
  data: z.object({ itemId: z.number().int().positive().optional() }),
  first: 'list',
  entries: [
    {
      name: 'ledger',
      words: /^(我的督办|督办事项|my supervised items|supervised|\/supervised)$/i,
      // Those who may own an item: whether they have one flagged, the list says.
      menu: { label: 'menu.ledger', order: 12, shownTo: (speaker) => speaker.roles.some((role) => (LEDGER_OWNER_ROLES as readonly string[]).includes(role)) },
      data: {},
    },
  ],
  buttons: [{ verb: 'ledger', record: true, start: (id) => ({ data: { itemId: Number(id) }, at: 'progress' }) }],
  steps: {
    list: {
      next: ['progress'],
      ends: true,
      takes: 'choice',
      async ask(ctx) {
        const items = await ctx.effects.of(ledgerChat).supervised();
        if (!items.length) return ctx.say('ledger.none');
        ctx.say(
          'ledger.list',
          { count: items.length },
          items.map((i) => ({ label: { text: `#${i.id} ${i.goal.slice(0, 16)}（${i.late ? '已逾期 ' : ''}${i.deadline}）` }, payload: `item:${i.id}` })),
        );
      },
      answer(ctx) {
        const picked = ctx.input.action?.startsWith('item:') ? Number(ctx.input.action.slice('item:'.length)) : NaN;
        if (!Number.isInteger(picked)) return { done: true };
        ctx.data.itemId = picked;
        return { next: 'progress' };
      },
    },
    progress: {
      ends: true,
      ask: (ctx) => ctx.say('ledger.progress_ask', { id: ctx.data.itemId ?? 0 }),
      async answer(ctx) {
        const refused = refuseText(ctx);
        if (refused) return refused;
        const saved = await ctx.effects.of(ledgerChat).addProgress(ctx.data.itemId ?? 0, ctx.input.text);
        ctx.say(saved.ok ? 'ledger.progress_saved' : 'command.refused', saved.ok ? { id: ctx.data.itemId ?? 0, goal: saved.goal } : { reason: saved.text });
        return { done: true };
      },
    },
  },
});
