/**
 * 我要反映: a resident reports a request — what, which category, where, a photo, a phone
 * number — and confirms it. Data only: effects come from the engine.
 */
import { z } from 'zod';
import { normalizePhone } from '../src/org/phone.js';
import { saysSpot, villageShortName } from '../src/org/village-names.js';
import { CATEGORY_CODES, REQUEST_KINDS } from '../src/pipeline/states.js';
import { CONFIDENT, defineFlow, type FlowChoice, type FlowStart, hasWords, MAX_TEXT, startOf, type TurnContext, type VillageChoices } from '../src/engine/flow.js';
import { splitMatters } from '../src/engine/classifier.js';
import { placeOf } from '../src/pipeline/place.js';
import { isPlainAnswer, normaliseAnswer, saysDontKnow } from '../src/engine/choices.js';
import { render } from '../src/engine/i18n.js';
import { mediaKindOf } from '../src/engine/media.js';
import type { MessageKey } from './messages/zh.js';
import { refuseText, SKIP, summaryOf } from './answers.js';
import { offerVillages, pickedVillage } from './villages.js';

function categoryChoices(): FlowChoice[] {
  return CATEGORY_CODES.map((code) => ({ label: `category.${code}` as MessageKey, payload: `category:${code}` }));
}

/** What a report remembers while it is being written. */
const reportData = z.object({
  description: z.string().optional(),
  categoryCode: z.string().optional(),
  kind: z.enum(REQUEST_KINDS).optional(),
  /** The matcher's confidence in `categoryCode`. */
  confidence: z.number().optional(),
  /** The village; null: at the resident's home. */
  regionId: z.number().int().nullable().optional(),
  /** The village's name, as shown back in the confirmation. */
  place: z.string().nullable().optional(),
  /** Where, in the resident's words (or a shared location's label). */
  location: z.string().nullable().optional(),
  latitude: z.number().optional(),
  longitude: z.number().optional(),
  /** Photos and voice notes (references). */
  photos: z.array(z.string()).default([]),
  contactPhone: z.string().nullable().optional(),
  /** Two matters found in the description (路灯坏了，还有垃圾没人收), asked whether to file them apart. */
  matters: z.tuple([z.string(), z.string()]).optional(),
  /** The second matter, reported next once this one is submitted (or cancelled). */
  then: z.string().optional(),
});
type ReportData = z.output<typeof reportData>;

/**
 * Two matters in one message, each placed confidently in a category of its own (路灯坏了好几天，
 * 还有垃圾也没人收: power, then sanitation): the two parts; null for one matter, or one told twice.
 */
function twoMatters(ctx: TurnContext<ReportData>, text: string): [string, string] | null {
  const parts = splitMatters(text);
  if (!parts) return null;
  const [first, second] = [ctx.effects.classify(parts.first), ctx.effects.classify(parts.second)];
  const placed = (guess: typeof first) => guess.code !== 'other' && guess.confidence >= CONFIDENT;
  return placed(first) && placed(second) && first.code !== second.code ? [parts.first, parts.second] : null;
}

/** After this report, the second matter told with it: its own report, from its category (each is confirmed). */
function nextMatter(ctx: TurnContext<ReportData>): { start: FlowStart } | { done: true } {
  const then = ctx.data.then;
  if (!then) return { done: true };
  ctx.say('report.next_matter', { text: then.slice(0, 40) });
  return startOf(reportFlow, described(ctx, then), 'category');
}

/** Photos and voice notes sent during a report go with it (at most nine). */
function keepMedia(ctx: TurnContext<ReportData>): void {
  ctx.data.photos = [...ctx.data.photos, ...ctx.input.media.map((m) => m.ref)].slice(0, 9);
}

/** A report's data once its description is known: the matcher's guess goes with it. */
export function described(ctx: TurnContext<object>, description: string): Pick<ReportData, 'description' | 'categoryCode' | 'kind' | 'confidence'> {
  const guess = ctx.effects.classify(description);
  return { description, categoryCode: guess.code, kind: guess.kind, confidence: guess.confidence };
}
/** The buttons this flow offers: one typed at another question (用登记的电话 at the last check) is not more of the matter. */
const BUTTON_LABELS: readonly MessageKey[] = [
  'choice.yes',
  'choice.skip',
  'choice.submit',
  'choice.cancel',
  'report.at_home',
  'report.other_category',
  'report.use_registered_phone',
  'report.split_two',
  'report.keep_one',
];

/** The labels in both languages, in the answer's form: made on first use, not for every word typed. */
let buttonWords: Set<string> | undefined;

function isButtonLabel(text: string): boolean {
  buttonWords ??= new Set(BUTTON_LABELS.flatMap((key) => (['zh', 'en'] as const).map((locale) => normaliseAnswer(render(locale, key)))));
  return buttonWords.has(normaliseAnswer(text));
}

/** More words about the matter, typed at a later question: kept with the description, as a clerk would note them (false when none, or too long). */
function moreWords(ctx: TurnContext<ReportData>, text: string | null): boolean {
  const description = ctx.data.description ?? '';
  if (!text || !hasWords(text) || isPlainAnswer(text) || isButtonLabel(text) || description.length + text.length >= MAX_TEXT) return false;
  ctx.data.description = `${description}\n${text}`;
  return true;
}
/** Words for one's own home, typed where the report asks where (就在我家附近 as a button). */
const AT_HOME = /^(?:在|就在)?(?:我|俺)?家(?:里|门口|附近|旁边|这边|边上)?(?:这儿|这里)?$/;
/** 就在我家附近: offered before the villages to a resident whose household is known. */
const AT_HOME_CHOICE: FlowChoice = { label: 'report.at_home', payload: 'home' };

/**
 * At the resident's home: the request goes to their household's village (regionId null:
 * the pipeline takes the household's), shown as that village and, typed, the spot (家门口).
 */
function atHome(ctx: TurnContext<ReportData>, villages: VillageChoices, spot: string | null): { next: 'photo' } {
  ctx.data.regionId = null;
  ctx.data.place = villages.villages.find((v) => v.id === villages.household)?.name ?? null;
  ctx.data.location = spot;
  return { next: 'photo' };
}

export const reportFlow = defineFlow({
  id: 'report',
  data: reportData,
  first: 'describe',
  entries: [{ name: 'report', words: /^(我要反映|反映问题|report|\/report)$/i, menu: { label: 'menu.report', order: 20 }, data: {} }],
  steps: {
    describe: {
      next: ['category', 'split'],
      ask: (ctx) => ctx.say('report.describe'),
      answer(ctx) {
        const { media, text } = ctx.input;
        if (media.length) keepMedia(ctx);
        if (!text && media.some((m) => m.kind === 'voice')) {
          // The bot cannot listen: the voice note goes with the request to the handler,
          // and the resident picks the category from the list.
          Object.assign(ctx.data, { description: render(ctx.speaker.locale, 'report.voice_description'), categoryCode: 'other', kind: 'help', confidence: 0 });
          ctx.say('report.voice_received');
          return { next: 'category' };
        }
        if (!text && media.length) {
          ctx.say('report.photo_first');
          return { stay: true };
        }
        const refused = refuseText(ctx);
        if (refused) return refused;
        Object.assign(ctx.data, described(ctx, text));
        const matters = twoMatters(ctx, text);
        if (!matters) return { next: 'category' };
        ctx.data.matters = matters;
        return { next: 'split' };
      },
    },
    split: {
      // Two matters (…，还有…): filed apart, each goes to whom handles it, rather than one silently taking the other along.
      takes: 'choice',
      next: ['category'],
      ask(ctx) {
        const [first, second] = ctx.data.matters ?? ['', ''];
        ctx.say('report.two_matters', { first: first.slice(0, 40), second: second.slice(0, 40) }, [
          { label: 'report.split_two', payload: 'split', means: 'yes' },
          { label: 'report.keep_one', payload: 'one', means: 'no' },
        ]);
      },
      answer(ctx) {
        const { action } = ctx.input;
        const matters = ctx.data.matters;
        if (action === 'split' && matters) {
          Object.assign(ctx.data, described(ctx, matters[0]), { then: matters[1], matters: undefined });
          return { next: 'category' };
        }
        if (action === 'one' || !matters) {
          ctx.data.matters = undefined;
          return { next: 'category' };
        }
        ctx.say('input.pick_a_choice');
        return { stay: true };
      },
    },
    category: {
      // Over a confident guess, words that read like a request are another matter (a new
      // report; this one waits for 返回). With no guess the list is shown, and words are
      // more of this matter (是路灯坏了): kept with its description, the guess made again.
      takes: (data) => ((data.confidence ?? 0) >= CONFIDENT && data.categoryCode !== 'other' ? 'choice' : 'text'),
      next: ['location'],
      ask(ctx) {
        const code = ctx.data.categoryCode ?? 'other';
        if ((ctx.data.confidence ?? 0) >= CONFIDENT && code !== 'other') {
          ctx.say('report.category_guess', { category: code }, [
            { label: 'choice.yes', payload: 'yes' },
            { label: 'report.other_category', payload: 'pick' },
          ]);
        } else {
          ctx.say('report.category_pick', {}, categoryChoices());
        }
      },
      answer(ctx) {
        const action = ctx.input.action;
        if (action === 'yes') return { next: 'location' };
        if (action === 'pick') {
          ctx.say('report.category_pick', {}, categoryChoices());
          return { stay: true };
        }
        const picked = action?.startsWith('category:') ? action.slice('category:'.length) : null;
        if (picked && (CATEGORY_CODES as readonly string[]).includes(picked)) {
          ctx.data.categoryCode = picked;
          return { next: 'location' };
        }
        const text = ctx.input.text;
        if (!action && text && saysDontKnow(text)) {
          // Not knowing the category is no reason to stop: the matcher's guess stands, if it
          // made one; else 其他. Either way the dispatcher classifies it.
          if ((ctx.data.confidence ?? 0) < CONFIDENT) ctx.data.categoryCode = 'other';
          ctx.say('report.category_unknown');
          return { next: 'location' };
        }
        if (!action && moreWords(ctx, text)) {
          // And the category guessed again from all of it.
          Object.assign(ctx.data, described(ctx, ctx.data.description ?? ''));
          ctx.say('report.words_added');
          return { stay: true };
        }
        ctx.say('input.pick_a_choice');
        return { stay: true };
      },
    },
    location: {
      next: ['photo', 'landmark'],
      async ask(ctx) {
        offerVillages(ctx, 'report.location', {}, await ctx.effects.villages(), ctx.speaker.hasHousehold ? [AT_HOME_CHOICE] : []);
      },
      async answer(ctx) {
        const { action, location, text } = ctx.input;
        const villages = await ctx.effects.villages();
        if (action === 'home' && ctx.speaker.hasHousehold) return atHome(ctx, villages, null);
        const picked = location ? null : pickedVillage(ctx, villages);
        if (picked === 'asked') {
          // Which village (or which of the township's) is asked: the spot typed with it stays (东湖村村口).
          if (text && !action && saysSpot(text, villages.villages)) ctx.data.location = text.slice(0, 200);
          return { stay: true, quiet: true };
        }
        if (picked && action) {
          ctx.data.regionId = picked.id;
          // (Not twice when the spot kept names it: 东湖村村口.)
          ctx.data.place = ctx.data.location?.includes(picked.name) ? null : picked.name;
          // The spot is known already (typed, or shared from the phone): only the village was missing.
          return { next: ctx.data.location ? 'photo' : 'landmark' };
        }
        if (picked) {
          ctx.data.regionId = picked.id;
          // The typed text names the village already; keep it whole as the location (a
          // village's bare name keeps the spot typed before it, if any).
          const onlyVillage = text === picked.name || text === villageShortName(picked.name) || text === `${picked.township ?? ''}${picked.name}`;
          ctx.data.place = onlyVillage ? picked.name : null;
          if (!onlyVillage) ctx.data.location = text.slice(0, 200);
          return { next: 'photo' };
        }
        if (location) {
          ctx.data.location = location.label ?? null;
          if (location.latitude !== undefined && location.longitude !== undefined) {
            ctx.data.latitude = location.latitude;
            ctx.data.longitude = location.longitude;
          }
          if (ctx.speaker.hasHousehold) return { next: 'photo' };
          // Coordinates do not say which village (villages have no coordinates yet): ask it.
          offerVillages(ctx, 'report.location_village', {}, villages);
          return { stay: true, quiet: true };
        } else if (text && !action) {
          if (saysDontKnow(text)) {
            // Not knowing exactly where is no reason to stop: roughly which village will do.
            offerVillages(ctx, 'report.location_unsure', {}, villages);
            return { stay: true, quiet: true };
          }
          const home = AT_HOME.test(text);
          // 家门口 is the spot, at the household's village.
          if (home && ctx.speaker.hasHousehold) return atHome(ctx, villages, text.replace(/^(?:就在|在)/, '') || null);
          // A place in words with no village named (村东头的桥边, 在家里): kept, and only the village asked.
          if (/\p{Script=Han}/u.test(text) && !isPlainAnswer(text)) {
            ctx.data.location = text.slice(0, 200);
            offerVillages(ctx, home ? 'report.location_home_village' : 'report.location_which_village', { place: ctx.data.location }, villages);
            return { stay: true, quiet: true };
          }
        }
        ctx.say('report.location_unknown');
        return { stay: true };
      },
    },
    landmark: {
      next: ['photo'],
      ask: (ctx) => ctx.say('report.landmark', {}, [SKIP]),
      answer(ctx) {
        if (ctx.input.action === 'skip') return { next: 'photo' };
        const shared = ctx.input.location;
        if (shared?.latitude !== undefined && shared.longitude !== undefined) {
          // The spot itself, shared from the phone: a map link for the handler.
          ctx.data.latitude = shared.latitude;
          ctx.data.longitude = shared.longitude;
        }
        if (shared?.label) ctx.data.location = shared.label;
        else if (!shared) {
          const refused = refuseText(ctx);
          if (refused) return refused;
          ctx.data.location = ctx.input.text;
        }
        return { next: 'photo' };
      },
    },
    photo: {
      next: ['phone', 'confirm'],
      ask: (ctx) => ctx.say('report.photo', {}, [SKIP]),
      answer(ctx) {
        if (ctx.input.media.length) {
          keepMedia(ctx);
          return { next: 'phone' };
        }
        if (ctx.input.action === 'skip') return { next: 'phone' };
        // A phone number typed ahead of its question is the contact phone, not part of the description others read.
        const phone = normalizePhone(ctx.input.text);
        if (phone) {
          ctx.data.contactPhone = phone;
          return { next: 'confirm' };
        }
        if (moreWords(ctx, ctx.input.text)) {
          ctx.say('report.description_added', {}, [SKIP]);
          return { stay: true };
        }
        ctx.say('report.photo_or_skip', {}, [SKIP]);
        return { stay: true };
      },
    },
    phone: {
      next: ['confirm'],
      ask(ctx) {
        const choices: FlowChoice[] = [SKIP];
        if (ctx.speaker.householdPhone) choices.unshift({ label: 'report.use_registered_phone', payload: 'registered' });
        ctx.say('report.phone', {}, choices);
      },
      answer(ctx) {
        if (ctx.input.action === 'skip') return { next: 'confirm' };
        if (ctx.input.action === 'registered' && ctx.speaker.householdPhone) {
          ctx.data.contactPhone = ctx.speaker.householdPhone;
          return { next: 'confirm' };
        }
        const phone = normalizePhone(ctx.input.text);
        if (phone) {
          ctx.data.contactPhone = phone;
          return { next: 'confirm' };
        }
        // Words, not a number (都一个星期了还没人来): more of the matter, kept; the phone is asked again.
        if (/\p{Script=Han}.*\p{Script=Han}/u.test(ctx.input.text) && moreWords(ctx, ctx.input.text)) ctx.say('report.words_added');
        else ctx.say('input.bad_phone');
        return { stay: true };
      },
    },
    confirm: {
      // Words that read like another matter (还有…) start a new report, this one waiting for
      // 返回; a correction (等一下，不是水管…) and other words are more of this one (see the runner).
      takes: 'choice',
      ends: true,
      starts: ['report'],
      ask(ctx) {
        ctx.say(
          'report.confirm',
          {
            category: ctx.data.categoryCode ?? 'other',
            description: (ctx.data.description ?? '').slice(0, 200),
            location: placeOf(ctx.data.place ?? null, ctx.data.location ?? null),
            phone: ctx.data.contactPhone ?? null,
            photos: ctx.data.photos.filter((ref) => mediaKindOf(ref) === 'photo').length,
            voices: ctx.data.photos.filter((ref) => mediaKindOf(ref) === 'voice').length || null,
          },
          [
            { label: 'choice.submit', payload: 'submit' },
            { label: 'choice.cancel', payload: 'cancel' },
          ],
        );
      },
      async answer(ctx) {
        if (ctx.input.action === 'cancel') {
          ctx.say('session.cancelled');
          return nextMatter(ctx);
        }
        if (ctx.input.action !== 'submit') {
          // A photo, or more words about the matter (能不能快点, 晚上更危险), go with it; the summary is shown again.
          if (ctx.input.media.length) keepMedia(ctx);
          if (!ctx.input.action && (moreWords(ctx, ctx.input.text) || ctx.input.media.length)) ctx.say('report.confirm_added');
          else ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        const description = ctx.data.description ?? '';
        const result = await ctx.effects.report({
          summary: summaryOf(description),
          description,
          categoryCode: ctx.data.categoryCode ?? 'other',
          kind: ctx.data.kind ?? 'help',
          regionId: ctx.data.regionId ?? null,
          location: ctx.data.location ?? null,
          photos: ctx.data.photos,
          contactPhone: ctx.data.contactPhone ?? null,
          latitude: ctx.data.latitude ?? null,
          longitude: ctx.data.longitude ?? null,
        });
        if (!result.ok) {
          ctx.say('report.failed', { reason: result.text });
          return { done: true };
        }
        ctx.say('report.done', { number: result.number, handler: result.handler, resolveBy: result.resolveBy?.toISOString() ?? null });
        return nextMatter(ctx);
      },
    },
  },
});
