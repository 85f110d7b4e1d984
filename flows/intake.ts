/**
 * 代办登记: a liaison registers a request for a resident — one of their paired households,
 * or a new person not on the roster — heard on a visit (by default), by phone, at the
 * station or in a letter. It goes through the pipeline like the resident's own report;
 * the resident gets the receipt in their own chat. 即办: a matter the liaison settled on
 * the spot is registered with its result and settled in the same step, as the console's
 * 受理登记 does (received and resolved at once in the statistics).
 */
import { z } from 'zod';
import { defineFlow, type FlowChoice, type StepOutcome, type TurnContext, chatModule } from '../src/engine/flow.js';
import { MAX_MEDIA } from '../src/engine/media.js';
import { normalizePhone } from '../src/org/phone.js';
import { RECEIPT_CHANNELS } from '../src/intake/intake.js';
import { pickHouseholdStep } from './households.js';
import { heardRequest, refuseText } from './answers.js';
import { offerVillages, pickedVillage } from './villages.js';

/** 代办登记's effects: a liaison registers a request for a household or a new person (src/intake/chat.ts, loaded on first use). */
export const intakeChat = chatModule({ villages: true, registerFor: true }, async (deps) => (await import('../src/intake/chat.js')).intakeChatEffects(deps));

/** 走访 first: a liaison hears most requests on a visit. */
const CHANNEL_CHOICES: FlowChoice[] = [
  { label: 'intake.channel_visit', payload: 'channel:visit' },
  { label: 'intake.channel_phone', payload: 'channel:phone' },
  { label: 'intake.channel_station', payload: 'channel:station' },
  { label: 'intake.channel_letter', payload: 'channel:letter' },
];

/** After the description: sent on for handling, or 即办, settled on the spot with a result. */
const HOW_CHOICES: FlowChoice[] = [
  { label: 'intake.dispatch', payload: 'dispatch' },
  { label: 'intake.settle', payload: 'settle' },
];

const intakeData = z.object({
  householdId: z.number().int().optional(),
  /** The picked household's label: the shared step that picks it keeps it, though this flow names no household afterwards. */
  household: z.string().optional(),
  name: z.string().optional(),
  phone: z.string().optional(),
  regionId: z.number().int().optional(),
  channel: z.enum(RECEIPT_CHANNELS).default('visit'),
  photos: z.array(z.string()).default([]),
  /** The request as described, kept while 提交派单 or 即办 is chosen. */
  description: z.string().optional(),
});
type IntakeData = z.output<typeof intakeData>;

/** Registers what was gathered, for handling or (with `settled`, its result) settled on the spot. */
async function register(ctx: TurnContext<IntakeData>, settled: string | null): Promise<StepOutcome<never>> {
  const { householdId, name, phone, regionId, description } = ctx.data;
  const resident = householdId !== undefined ? { householdId } : name && phone && regionId !== undefined ? { name, phone, regionId } : null;
  if (!resident || !description) return { done: true };
  const result = await ctx.effects.of(intakeChat).registerFor(resident, ctx.data.channel, heardRequest(ctx, description, ctx.data.photos), settled);
  if (!result.ok) ctx.say('command.refused', { reason: result.text });
  else if (settled !== null) ctx.say('intake.settled', { number: result.number });
  else ctx.say('visit.need_filed', { number: result.number, handler: result.handler, resolveBy: result.resolveBy?.toISOString() ?? null });
  return { done: true };
}

export const intakeFlow = defineFlow({
  id: 'intake',
  data: intakeData,
  first: 'resident',
  entries: [
    {
      name: 'intake',
      words: /^(代办登记|代为登记|register for|\/register_for)$/i,
      // After 代填调查 (16), before 述职 (17): each button has a place of its own (flows.ts refuses two at one).
      menu: { label: 'menu.intake', order: 16.5, shownTo: (speaker) => speaker.roles.includes('liaison') },
      data: {},
    },
  ],
  steps: {
    resident: pickHouseholdStep({ question: 'intake.pick_resident', next: 'channel', alternative: { choice: { label: 'intake.new_person', payload: 'new' }, next: 'name' } }),
    name: {
      next: ['phone'],
      ask: (ctx) => ctx.say('intake.ask_name'),
      answer(ctx) {
        const refused = refuseText(ctx);
        if (refused) return refused;
        ctx.data.name = ctx.input.text.slice(0, 40);
        return { next: 'phone' };
      },
    },
    phone: {
      next: ['village'],
      ask: (ctx) => ctx.say('intake.ask_phone'),
      answer(ctx) {
        const phone = normalizePhone(ctx.input.text);
        if (!phone) {
          ctx.say('input.bad_phone');
          return { stay: true };
        }
        ctx.data.phone = phone;
        return { next: 'village' };
      },
    },
    village: {
      takes: 'choice',
      next: ['channel'],
      ends: true,
      async ask(ctx) {
        const villages = await ctx.effects.of(intakeChat).villages();
        if (!villages.villages.length) ctx.say('visit.no_households');
        else offerVillages(ctx, 'intake.pick_village', {}, villages);
      },
      async answer(ctx) {
        const villages = await ctx.effects.of(intakeChat).villages();
        if (!villages.villages.length) return { done: true };
        const picked = pickedVillage(ctx, villages);
        if (picked === 'asked') return { stay: true, quiet: true };
        if (!picked) {
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        ctx.data.regionId = picked.id;
        return { next: 'channel' };
      },
    },
    channel: {
      takes: 'choice',
      next: ['describe'],
      ask: (ctx) => ctx.say('intake.channel', {}, CHANNEL_CHOICES),
      answer(ctx) {
        const channel = RECEIPT_CHANNELS.find((c) => ctx.input.action === `channel:${c}`);
        if (!channel) {
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        ctx.data.channel = channel;
        return { next: 'describe' };
      },
    },
    describe: {
      next: ['how'],
      ask: (ctx) => ctx.say('intake.describe'),
      answer(ctx) {
        ctx.data.photos = [...ctx.data.photos, ...ctx.input.media.map((m) => m.ref)].slice(0, MAX_MEDIA);
        // A photo alone is kept, and the words still asked for.
        if (!ctx.input.text && ctx.input.media.length) return { stay: true, quiet: true };
        const refused = refuseText(ctx);
        if (refused) return refused;
        ctx.data.description = ctx.input.text;
        return { next: 'how' };
      },
    },
    how: {
      takes: 'choice',
      next: ['result'],
      ends: true,
      ask: (ctx) => ctx.say('intake.how', {}, HOW_CHOICES),
      async answer(ctx) {
        if (ctx.input.action === 'settle') return { next: 'result' };
        if (ctx.input.action !== 'dispatch') {
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        return register(ctx, null);
      },
    },
    result: {
      ends: true,
      ask: (ctx) => ctx.say('intake.ask_result'),
      async answer(ctx) {
        const refused = refuseText(ctx);
        if (refused) return refused;
        return register(ctx, ctx.input.text);
      },
    },
  },
});
