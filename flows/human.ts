/**
 * 人工: the resident talks with a person. Opening tells them honestly who answers and
 * when (soon in office hours, else from the next opening); then whatever they send —
 * words, photos, voice — goes to the staff, until 结束 or staff end it. Staff's replies
 * come through the outbox (src/conversations/conversations.ts).
 */
import { z } from 'zod';
import { defineFlow, handlesTickets, hasWords, startOf } from '../src/engine/flow.js';
import { described, reportFlow } from './report.js';

export const humanFlow = defineFlow({
  id: 'human',
  data: z.object({}),
  first: 'talk',
  entries: [
    {
      name: 'human',
      words: /^(人工|转人工|人工服务|找人工|找工作人员|联系工作人员|human|\/human|talk to staff)$/i,
      menu: { label: 'menu.human', order: 50, shownTo: (speaker) => !handlesTickets(speaker) },
      data: {},
    },
  ],
  // Staff may answer hours later: the conversation does not start over with the session.
  expires: false,
  steps: {
    talk: {
      ends: true,
      starts: ['report'],
      async ask(ctx) {
        const opened = await ctx.effects.openConversation();
        ctx.say(opened.answerFrom ? 'conversation.opened_later' : 'conversation.opened_now', {
          region: opened.region,
          from: opened.answerFrom?.toISOString() ?? null,
        });
      },
      async answer(ctx) {
        const { text, media } = ctx.input;
        if (!text && !media.length) {
          ctx.say('input.empty');
          return { stay: true, quiet: true };
        }
        const relayed = await ctx.effects.relay(
          text,
          media.map((m) => m.ref),
        );
        // Staff may have ended it meanwhile: then words are a request, as anywhere else.
        if (!relayed) {
          ctx.say('conversation.none');
          return hasWords(text) ? startOf(reportFlow, described(ctx, text), 'category') : { done: true };
        }
        // Named their village: the county passed it to that township's staff, and the resident knows who answers now.
        if (relayed.movedTo) ctx.say('conversation.relayed_to', { region: relayed.movedTo });
        else ctx.say('conversation.relayed');
        return { stay: true, quiet: true };
      },
    },
  },
});
