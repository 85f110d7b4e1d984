import { z } from 'zod';
import { defineFlow, type FlowChoice, type TurnContext, chatModule } from '../src/engine/flow.js';
import { matchChoice } from '../src/engine/choices.js';
import { render } from '../src/engine/i18n.js';
import { type Answer, answerText, optionChoices, optionOf, type Question, textOf, typedNumber, typedOptions } from '../src/surveys/questions.js';
import type { SurveyToAnswer } from '../src/surveys/surveys.js';
import { refuseText, SKIP } from './answers.js';
import type { MessageKey } from './messages/zh.js';

/** 服务需求表's effects: the surveys a household answers, or its liaison fills in (src/surveys/surveys.ts, loaded on first use). */
export const surveysChat = chatModule({ waiting: true, open: true, answer: true, submitReport: true }, async (deps) =>
  (await import('../src/surveys/surveys.js')).surveyEffects({
    ...deps,
    notFound: () => deps.text('survey.not_found'),
    notLiaison: () => deps.text('survey.report_not_liaison'),
  }),
);

const data = z.object({
  surveyId: z.number().int().positive().optional(),
  /** Filling in for this household (its liaison on a visit); absent: the speaker's own household. */
  householdId: z.number().int().positive().optional(),
  household: z.string().optional(),
  /** What the question asked last takes: its options only (a text reading like a request is one), a text, or nothing more. */
  expects: z.enum(['choice', 'text', 'view']).default('text'),
  /** Options tapped so far on a multiple-choice question. */
  picked: z.array(z.number().int()).default([]),
  /** Whether the survey's opening words were said (once, not again with each question asked again). */
  introduced: z.boolean().default(false),
});
type Ctx = TurnContext<z.output<typeof data>>;

const QUESTION_KEYS: Record<Question['type'], MessageKey> = {
  single: 'survey.question_single',
  multiple: 'survey.question_multiple',
  number: 'survey.question_number',
  text: 'survey.question_text',
};

const DONE_PICKING: FlowChoice = { label: 'survey.done_picking', payload: 'picked' };

/** The survey the conversation is about, as the household answers it (null: not open to the speaker). */
async function opened(ctx: Ctx): Promise<SurveyToAnswer | null> {
  const { surveyId, householdId } = ctx.data;
  return surveyId === undefined ? null : ctx.effects.of(surveysChat).open(surveyId, householdId);
}

/** The first question not answered yet; undefined when all are. */
const nextIndex = (survey: SurveyToAnswer) => survey.questions.findIndex((_, i) => !(String(i) in survey.answers));

/** Says a last word and waits for nothing more: the next message is taken as it would be outside the survey. */
function finish(ctx: Ctx, key: MessageKey, params: Record<string, string | number | null> = {}): void {
  ctx.data.expects = 'view';
  ctx.say(key, params);
}

/**
 * 服务需求表: a household answers a survey pushed to its chat, one question at a time
 * (options numbered on WeChat, buttons elsewhere); every answer is kept as it is given,
 * so the survey can be left and taken up again ("调查") where it stopped. A liaison fills
 * one in for a household on a visit through `survey-fill`.
 */
export const surveyFlow = defineFlow({
  id: 'survey',
  data,
  first: 'pick',
  entries: [{ name: 'survey', words: /^(调查|问卷|填写调查|继续填写|服务需求表|survey|\/survey)$/i, data: {} }],
  buttons: [
    {
      verb: 'survey',
      record: true,
      start: (id, answer) => ({ data: { surveyId: Number(id) }, at: answer === 'later' ? 'later' : 'question' }),
    },
  ],
  steps: {
    pick: {
      next: ['question'],
      ends: true,
      takes: (d) => d.expects,
      async ask(ctx) {
        const waiting = await ctx.effects.of(surveysChat).waiting(ctx.data.householdId);
        if (!waiting.length) {
          return ctx.data.household ? finish(ctx, 'survey.none_household', { household: ctx.data.household }) : finish(ctx, 'survey.none');
        }
        ctx.data.expects = 'choice';
        ctx.say(
          'survey.pick',
          { count: waiting.length },
          waiting.map((s) => ({ label: { text: s.title }, payload: `pick:${s.id}` })),
        );
      },
      answer(ctx) {
        const picked = ctx.input.action?.startsWith('pick:') ? Number(ctx.input.action.slice('pick:'.length)) : NaN;
        if (ctx.data.expects === 'view' || !Number.isInteger(picked)) {
          if (ctx.data.expects === 'view') return { done: true };
          ctx.say('input.pick_a_choice');
          return { stay: true };
        }
        ctx.data.surveyId = picked;
        return { next: 'question' };
      },
    },
    question: {
      next: ['question'],
      ends: true,
      takes: (d) => d.expects,
      async ask(ctx) {
        const survey = await opened(ctx);
        if (!survey) return finish(ctx, 'survey.not_found');
        const index = nextIndex(survey);
        if (index < 0) return finish(ctx, 'survey.already_done', { title: survey.title });
        const question = survey.questions[index]!;
        const { locale } = ctx.speaker;
        const choices: FlowChoice[] =
          question.type === 'single' || question.type === 'multiple' ? optionChoices(question, locale).map((c) => ({ label: { text: c.label }, payload: c.payload })) : [];
        if (question.type === 'multiple') choices.push(DONE_PICKING);
        // A number question offers no numbered choice: its digits are the answer (跳过 is typed).
        if (!question.required && question.type !== 'number') choices.push(SKIP);
        ctx.data.expects = question.type === 'single' ? 'choice' : 'text';
        if (!ctx.data.introduced && index === 0)
          ctx.say(survey.kind === 'appraisal' ? 'survey.intro_appraisal' : 'survey.intro', { title: survey.title, count: survey.questions.length, liaison: survey.liaison });
        ctx.data.introduced = true;
        if (ctx.data.picked.length) ctx.say('survey.picked', { options: answerText(question, ctx.data.picked, locale) });
        ctx.say(
          QUESTION_KEYS[question.type],
          { n: index + 1, total: survey.questions.length, text: textOf(question, locale), skippable: question.required ? null : render(locale, 'survey.skippable') },
          choices,
        );
      },
      async answer(ctx) {
        if (ctx.data.expects === 'view') return { done: true };
        const survey = await opened(ctx);
        const index = survey ? nextIndex(survey) : -1;
        if (!survey || index < 0) return { done: true };
        const question = survey.questions[index]!;
        const answer = !question.required && skipped(ctx, question) ? { value: null } : answerOf(ctx, question);
        if (!answer) return { stay: true };
        if ('picking' in answer) return { next: 'question' };
        const saved = await ctx.effects.of(surveysChat).answer(survey.id, index, answer.value, ctx.data.householdId);
        ctx.data.picked = [];
        if (!saved.ok) {
          ctx.say('command.refused', { reason: saved.text });
          return { done: true };
        }
        if (!saved.complete) return { next: 'question' };
        ctx.say(ctx.data.household ? 'survey.thanks_liaison' : 'survey.thanks', { title: survey.title, household: ctx.data.household ?? null });
        return { done: true };
      },
    },
    // 以后再说 on the push: nothing is asked; the next message is taken as anywhere else.
    later: {
      takes: 'view',
      ends: true,
      ask: (ctx) => ctx.say('survey.later_ok'),
      answer: () => ({ done: true }),
    },
  },
});

/** Whether the message skips the (optional) question: 跳过 tapped, or typed where no choice offers it (a number question). */
function skipped(ctx: Ctx, question: Question): boolean {
  if (ctx.input.action === 'skip') return true;
  if (question.type !== 'number' || typedNumber(ctx.input.text) !== null) return false;
  const skip = { payload: 'skip', label: render(ctx.speaker.locale, 'choice.skip'), means: 'skip' as const };
  return matchChoice(ctx.input.text, [skip]).kind === 'choice';
}

/**
 * The answer the message gives to `question`, or null after saying why it is not one;
 * `picking` while options of a multiple-choice question are being tapped one by one.
 */
function answerOf(ctx: Ctx, question: Question): { value: Answer } | { picking: true } | null {
  const { action, text } = ctx.input;
  const { locale } = ctx.speaker;
  switch (question.type) {
    case 'single': {
      const option = optionOf(action, question);
      if (option !== null) return { value: option };
      ctx.say('input.pick_a_choice');
      return null;
    }
    case 'multiple': {
      // Typed (the runner may have matched the words to one option too): the text is the whole answer.
      if (text) {
        const typed = typedOptions(text, question, locale);
        if (typed?.length) return { value: typed };
        ctx.say('survey.pick_some');
        return null;
      }
      const tapped = optionOf(action, question);
      if (tapped !== null) {
        // A tap adds an option (or takes it back); 选好了 ends the question.
        const picked = new Set(ctx.data.picked);
        if (picked.has(tapped)) picked.delete(tapped);
        else picked.add(tapped);
        ctx.data.picked = [...picked].sort((a, b) => a - b);
        return { picking: true };
      }
      if (action === 'picked' && ctx.data.picked.length) return { value: ctx.data.picked };
      ctx.say('survey.pick_some');
      return null;
    }
    case 'number': {
      const value = typedNumber(text);
      if (value !== null) return { value };
      ctx.say('survey.not_a_number');
      return null;
    }
    case 'text': {
      if (refuseText(ctx)) return null;
      return { value: text };
    }
  }
}
