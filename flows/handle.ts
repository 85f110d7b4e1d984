/**
 * Liaison (and department handler) flows: return with a reason, and the handling
 * actions that need a text — progress, ask the resident, extension, resolve, escalate.
 * Accepting needs no dialogue: the engine does it straight from the button.
 */
import { z } from 'zod';
import { defineFlow, type StepOutcome, type TurnContext } from '../src/engine/flow.js';
import type { Command } from '../src/pipeline/model.js';
import { render } from '../src/engine/i18n.js';
import { keptWords, refuseText } from './answers.js';
import type { MessageKey } from './messages/zh.js';

/** The handling actions that take a text, with the question each asks. */
export const HANDLE_ACTIONS = {
  progress: 'handle.ask_progress',
  resolve: 'handle.ask_resolve',
  request_info: 'handle.ask_request_info',
  request_extension: 'handle.ask_extension_reason',
  escalate: 'handle.ask_escalate',
  return: 'handle.ask_return',
} as const satisfies Record<string, MessageKey>;

export type HandleAction = keyof typeof HANDLE_ACTIONS;

export function isHandleAction(value: string): value is HandleAction {
  return Object.hasOwn(HANDLE_ACTIONS, value);
}

function commandFor(action: HandleAction, text: string, photos: string[], days: number): Command {
  switch (action) {
    case 'progress':
      return { type: 'progress', note: text, photos };
    case 'resolve':
      return { type: 'resolve', result: text, photos };
    case 'request_info':
      return { type: 'request_info', question: text };
    case 'request_extension':
      return { type: 'request_extension', days, reason: text };
    case 'escalate':
      return { type: 'escalate', reason: text };
    case 'return':
      return { type: 'return', reason: text };
  }
}

/** What a message with only media says instead of words: see the photo, the voice note, or both. */
function seeMedia(kinds: string[]): MessageKey {
  const photo = kinds.includes('photo');
  const voice = kinds.includes('voice');
  return photo && voice ? 'handle.see_media' : voice ? 'handle.see_voice' : 'handle.see_photo';
}

/** What handling a ticket remembers: the ticket, the action, and the handler's answers. */
const handleData = z.object({
  number: z.string().min(1),
  action: z.enum(Object.keys(HANDLE_ACTIONS) as [HandleAction, ...HandleAction[]]),
  text: z.string().optional(),
  /** Photos and voice notes (references). */
  photos: z.array(z.string()).default([]),
  /** The extension asked for, in days. */
  days: z.number().int().optional(),
  /** Words written before the question (at the ticket, offered as its progress: offer-report.ts), its answer. */
  words: z.string().optional(),
});
type HandleData = z.output<typeof handleData>;

async function submit(ctx: TurnContext<HandleData>): Promise<StepOutcome<never>> {
  const { action, number } = ctx.data;
  const photos = ctx.data.photos.slice(0, 9);
  const result = await ctx.effects.command(number, commandFor(action, ctx.data.text ?? '', photos, ctx.data.days ?? 0));
  ctx.say(result.ok ? `handle.done_${action}` : 'command.refused', result.ok ? { number } : { reason: result.text });
  return { done: true };
}

export const handleFlow = defineFlow({
  id: 'handle',
  data: handleData,
  first: 'text',
  buttons: [
    { verb: 'return', start: (number) => ({ data: { number, action: 'return' as const } }) },
    { verb: 'handle', start: (number, action) => (isHandleAction(action) ? { data: { number, action } } : null) },
  ],
  steps: {
    text: {
      next: ['days'],
      ends: true,
      prefilled: keptWords,
      ask: (ctx) => ctx.say(HANDLE_ACTIONS[ctx.data.action], { number: ctx.data.number }),
      async answer(ctx) {
        const action = ctx.data.action;
        const photos = ctx.input.media.map((m) => m.ref);
        // Progress and results may be a photo alone.
        const photoOnly = photos.length > 0 && (action === 'progress' || action === 'resolve');
        if (!photoOnly) {
          const refused = refuseText(ctx);
          if (refused) return refused;
        }
        ctx.data.text = ctx.input.text || render(ctx.speaker.locale, seeMedia(ctx.input.media.map((m) => m.kind)));
        ctx.data.photos = photos;
        if (action === 'request_extension') return { next: 'days' };
        return submit(ctx);
      },
    },
    days: {
      ends: true,
      ask: (ctx) =>
        ctx.say(
          'handle.ask_extension_days',
          {},
          [1, 2, 3, 5, 10].map((d) => ({ label: { text: String(d) }, payload: `days:${d}` })),
        ),
      answer(ctx) {
        const raw = ctx.input.action?.startsWith('days:') ? ctx.input.action.slice(5) : ctx.input.text;
        const days = Number(raw.replace(/[天日\s]/g, ''));
        if (!Number.isInteger(days) || days < 1 || days > 30) {
          ctx.say('handle.bad_days');
          return { stay: true };
        }
        ctx.data.days = days;
        return submit(ctx);
      },
    },
  },
});
