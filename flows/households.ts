/**
 * What the liaison's flows share: picking one of the speaker's paired households by a
 * tap, its head's name, its house number or its code; and the whole step that does it.
 */
import { type FlowChoice, type Step, type TurnContext, chatModule } from '../src/engine/flow.js';
import { LISTED_HOUSEHOLDS, type PairedHousehold, visitEffects } from '../src/visits/visits.js';
import { isPlainAnswer } from '../src/engine/choices.js';
import type { MessageKey } from './messages/zh.js';

/** 民情日记's effects: a liaison's visits, and their household's confirmation (src/visits/visits.ts, loaded with the flows: they read its constants). */
export const visitsChat = chatModule({ households: true, record: true, ofMyHousehold: true, toConfirm: true, answer: true, reportNeed: true, rate: true }, (deps) =>
  Promise.resolve(visitEffects({ ...deps, reportFor: (residentId, draft) => deps.reportFor(residentId, draft, 'visit', null) })),
);

/** A household named by a liaison's words: its house number, its head's name, or its code. */
function householdNamed(households: readonly PairedHousehold[], text: string): PairedHousehold | undefined {
  const words = text.trim();
  if (!words) return undefined;
  return (
    households.find((h) => h.code === words || h.headName === words || h.address === words) ??
    households.find((h) => h.address.includes(words) || words.includes(h.headName) || words.includes(h.address))
  );
}

/** How a household is named to its liaison: its address and its head. */
export const householdLabel = (h: PairedHousehold) => `${h.address} ${h.headName}`;

/**
 * Offers the speaker's paired households (the first LISTED_HOUSEHOLDS as buttons) with
 * `question`, and `alternative` after them when given; false when they have none (and
 * there is no alternative to offer instead).
 */
export async function offerHouseholds(ctx: TurnContext<object>, question: MessageKey, alternative?: FlowChoice): Promise<boolean> {
  const households = await ctx.effects.of(visitsChat).households();
  if (!households.length && !alternative) {
    ctx.say('visit.no_households');
    return false;
  }
  const listed = households.slice(0, LISTED_HOUSEHOLDS);
  const choices: FlowChoice[] = listed.map((h) => ({ label: { text: householdLabel(h) }, payload: `household:${h.id}` }));
  if (alternative) choices.push(alternative);
  ctx.say(question, {}, choices);
  if (households.length > listed.length) ctx.say('visit.more_households', { count: households.length, shown: listed.length });
  return true;
}

/**
 * The paired household the message picks (tapped, or named in words); null when the
 * speaker has none; undefined after saying that none matched.
 */
export async function pickedHousehold(ctx: TurnContext<object>): Promise<PairedHousehold | null | undefined> {
  const picked = await householdOf(ctx);
  if (picked === undefined) ctx.say('visit.no_such_household', { text: ctx.input.text || (ctx.input.action ?? '') });
  return picked;
}

/** The paired household the message picks, tapped or named; null when the speaker has none, undefined when none matched. */
async function householdOf(ctx: TurnContext<object>): Promise<PairedHousehold | null | undefined> {
  const households = await ctx.effects.of(visitsChat).households();
  if (!households.length) return null;
  const action = ctx.input.action;
  return action?.startsWith('household:') ? households.find((h) => h.id === Number(action.slice('household:'.length))) : householdNamed(households, ctx.input.text);
}

/**
 * What a liaison wrote beyond naming a household (今天去了陈磊家，老人身体还好; 村东头
 * 那户漏水了): words for the question after the household's, kept rather than refused.
 * Not a household's address or head typed alone, nor a yes or a skip.
 */
function wordsBeyond(text: string, household: PairedHousehold | undefined): string | undefined {
  const words = text.trim();
  if (isPlainAnswer(words)) return undefined;
  const rest = household ? words.replace(household.address, '').replace(household.headName, '') : words;
  const han = rest.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= (household ? 4 : 6) ? words : undefined;
}

/** What `pickHouseholdStep` keeps in its flow's data: the household's id, and its label to name it by in later questions. */
interface PickedHouseholdData {
  householdId?: number | undefined;
  household?: string | undefined;
  /** Words written instead of (or with) the household, for the next question (`keepsWords`). */
  words?: string | undefined;
}

/**
 * The step that opens a liaison's flow about one of their paired households: asks
 * `question` with the households as buttons, keeps the one picked (by a tap or in words)
 * as `householdId` and `household`, and goes on to `next`. With `alternative` (代办登记's
 * 新登记人员), that choice is offered after the households, leads to its own step, and is
 * the only way on for a liaison who has none; without it such a liaison is told so and the
 * flow ends.
 */
export function pickHouseholdStep<const K extends string>(spec: {
  question: MessageKey;
  next: K;
  alternative?: { choice: FlowChoice; next: K };
  /** Words written beyond a household's name are the next step's answer (its `prefilled`: `keptWords`, flows/answers.ts), not refused. */
  keepsWords?: boolean;
}): Step<PickedHouseholdData, K> {
  const { question, next, alternative, keepsWords = false } = spec;
  return {
    next: alternative ? [next, alternative.next] : [next],
    ends: true,
    async ask(ctx) {
      await offerHouseholds(ctx, question, alternative?.choice);
    },
    async answer(ctx) {
      if (alternative && ctx.input.action === alternative.choice.payload) return { next: alternative.next };
      if (keepsWords && !ctx.input.action) {
        const named = await householdOf(ctx);
        const words = wordsBeyond(ctx.input.text, named ?? undefined);
        if (named !== null && words) {
          ctx.data.words = words;
          if (named) {
            ctx.data.householdId = named.id;
            ctx.data.household = householdLabel(named);
            return { next };
          }
          // Kept; only the household is asked.
          ctx.say('households.words_kept', { words: words.length > 20 ? `${words.slice(0, 20)}…` : words });
          await offerHouseholds(ctx, question, alternative?.choice);
          return { stay: true, quiet: true };
        }
      }
      const picked = await pickedHousehold(ctx);
      if (picked === null) {
        if (!alternative) return { done: true };
        // No households: only the alternative is open.
        ctx.say(question, {}, [alternative.choice]);
        return { stay: true, quiet: true };
      }
      if (!picked) return { stay: true };
      ctx.data.householdId = picked.id;
      ctx.data.household = householdLabel(picked);
      return { next };
    },
  };
}
