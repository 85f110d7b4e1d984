import { z } from 'zod';
import { defineFlow, chatModule } from '../src/engine/flow.js';

/** 我的交办's effects: the meetings' assignments the speaker owns (src/meetings/chat.ts, loaded on first use). */
export const assignmentsChat = chatModule({ open: true, markDone: true }, async (deps) =>
  (await import('../src/meetings/chat.js')).assignmentEffects({ ...deps, notFound: () => deps.text('meeting.not_found') }),
);

/**
 * 我的交办: the open assignments of meetings' decisions the speaker owns, and marking one
 * done after a confirmation: pick it (or tap 已完成 on the push that told them), then yes.
 */
export const assignmentsFlow = defineFlow({
  id: 'assignments',
  data: z.object({ decisionId: z.number().int().positive().optional() }),
  first: 'list',
  entries: [{ name: 'assignments', words: /^(我的交办|交办事项|my assignments|assignments|\/assignments)$/i, data: {} }],
  buttons: [{ verb: 'assignment', record: true, start: (id) => ({ data: { decisionId: Number(id) }, at: 'confirm' }) }],
  steps: {
    list: {
      next: ['confirm'],
      ends: true,
      takes: 'choice',
      async ask(ctx) {
        const open = await ctx.effects.of(assignmentsChat).open();
        if (!open.length) return ctx.say('meeting.none');
        ctx.say(
          'meeting.list',
          { count: open.length },
          open.map((a) => ({ label: { text: `#${a.id} ${a.text.slice(0, 16)}（${a.late ? '已逾期 ' : ''}${a.deadline}）` }, payload: `assignment:${a.id}` })),
        );
      },
      answer(ctx) {
        const picked = ctx.input.action?.startsWith('assignment:') ? Number(ctx.input.action.slice('assignment:'.length)) : NaN;
        if (!Number.isInteger(picked)) return { done: true };
        ctx.data.decisionId = picked;
        return { next: 'confirm' };
      },
    },
    confirm: {
      takes: 'choice',
      ends: true,
      ask: (ctx) =>
        ctx.say('meeting.confirm_done', { id: ctx.data.decisionId ?? 0 }, [
          { label: 'choice.yes', payload: 'yes' },
          { label: 'choice.no', payload: 'no' },
        ]),
      async answer(ctx) {
        if (ctx.input.action === 'no') return { done: true };
        if (ctx.input.action !== 'yes') {
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        const done = await ctx.effects.of(assignmentsChat).markDone(ctx.data.decisionId ?? 0);
        ctx.say(done.ok ? 'meeting.marked_done' : 'command.refused', done.ok ? { id: ctx.data.decisionId ?? 0, text: done.text } : { reason: done.text });
        return { done: true };
      },
    },
  },
});
