/**
 * 人工: the resident talks with a person. Opening tells them honestly who answers and
 * when (soon in office hours, else from the next opening); then whatever they send —
 * words, photos, voice — goes to the staff, until 结束 or staff end it. Staff's replies
 * come through the outbox (src/conversations/conversations.ts).
 */
import { type Flow, hasWords, type TurnContext } from '../src/engine/flow.js';

/** The matcher's guess, as a report started with `text` keeps it. */
function classified(ctx: TurnContext, text: string): Record<string, unknown> {
  const guess = ctx.effects.classify(text);
  return { categoryCode: guess.code, kind: guess.kind, confidence: guess.confidence };
}

export const humanFlow: Flow = {
  id: 'human',
  first: 'talk',
  // Staff may answer hours later: the conversation does not start over with the session.
  expires: false,
  steps: {
    talk: {
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
        // Staff may have ended it meanwhile: then words are a request, as anywhere else.
        if (!(await ctx.effects.relay(text, media.map((m) => m.ref)))) {
          ctx.say('conversation.none');
          return hasWords(text) ? { start: 'report', data: { description: text, ...classified(ctx, text), _step: 'category' } } : { done: true };
        }
        ctx.say('conversation.relayed');
        return { stay: true, quiet: true };
      },
    },
  },
};
