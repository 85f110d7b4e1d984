/**
 * The turn runner without a database: a session and a message in, replies and the next
 * session out, the world reached only through a fake `Effects` that records what it was
 * asked. An example flow in a file of its own (test/fixtures/flows/note.ts), found by the
 * registry's own discovery, shows that a new flow is one file: its schema, its steps, its
 * words and its menu button.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { type ChatModule, defineFlow, type Effects, type FlowInput, type ReportDraft, type Speaker, startOf, type TicketLine, type TicketView } from '../../../src/engine/flow.js';
import { flowsMarkdown } from '../../../src/engine/flow-diagram.js';
import { discoverFlows, FLOWS, flowSet } from '../../../src/engine/flows.js';
import { decodeSession, EMPTY_SESSION, encodeSession, runTurn, type SessionState } from '../../../src/engine/runner.js';
import type { Command } from '../../../src/pipeline/model.js';
import type { Answer, Answers } from '../../../src/surveys/questions.js';
import { QUESTIONS } from '../../helpers/survey-questions.js';
import { isComplete } from '../../../src/surveys/surveys.js';
import { rateFlow } from '../../../flows/rate.js';
import { viewFlow } from '../../../flows/view.js';
import { noteFlow } from '../../fixtures/flows/note.js';
import { visitsChat } from '../../../flows/households.js';
import { assistanceChat } from '../../../flows/assistance.js';
import { surveysChat } from '../../../flows/survey.js';
import { ledgerChat } from '../../../flows/ledger.js';
import { mediationChat } from '../../../flows/mediation-confirm.js';
import { assignmentsChat } from '../../../flows/assignments.js';
import { intakeChat } from '../../../flows/intake.js';

const resident: Speaker = { personId: 1, locale: 'zh', roles: ['resident'], hasHousehold: false, householdPhone: null, inConversation: false };
const liaison: Speaker = { ...resident, personId: 2, roles: ['liaison'], hasHousehold: true };

/** The effects a flow's own module makes. */
type EffectsOf<M> = M extends ChatModule<infer E> ? E : never;

/** Effects that answer from memory and note every command; what a test does not expect throws. */
function fakeEffects() {
  const commands: { number: string; command: Command }[] = [];
  /** What the visit effects were asked to write. */
  const visits: { recorded: { householdId: number; notes: string; media: string[] }[]; answers: unknown[][]; ratings: unknown[][]; needs: [number, ReportDraft][] } = {
    recorded: [],
    answers: [],
    ratings: [],
    needs: [],
  };
  const households = [
    { id: 11, headName: '张三', address: '东村3号', code: 'H-011' },
    { id: 12, headName: '李四', address: '东村5号', code: 'H-012' },
  ];
  const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected effect ${name}`));
  /** Survey 3, sent to the speaker's household (and to household 11 of the liaison): its answers as saved. */
  const survey = {
    answers: {} as Answers,
    saved: [] as [number, Answer, number | undefined][],
    questions: QUESTIONS,
  };
  const surveyOf = (id: number, householdId?: number) => (id === 3 && (householdId === undefined || householdId === 11) ? survey : null);
  /** What the flows' own effects (chatModule) answer here. */
  const chats: {
    visits: EffectsOf<typeof visitsChat>;
    assistance: EffectsOf<typeof assistanceChat>;
    surveys: EffectsOf<typeof surveysChat>;
    ledger: EffectsOf<typeof ledgerChat>;
    mediation: EffectsOf<typeof mediationChat>;
    assignments: EffectsOf<typeof assignmentsChat>;
    intake: EffectsOf<typeof intakeChat>;
  } = {
    visits: {
      households: () => Promise.resolve(households),
      ofMyHousehold: unexpected('ofMyHousehold'),
      record(visit) {
        visits.recorded.push(visit);
        // Household 12 has no chat to ask in.
        return Promise.resolve({ ok: true, id: 7, asked: visit.householdId === 11 });
      },
      // Visit 5 is the speaker's household's; any other is not found.
      toConfirm: (id) => Promise.resolve(id === 5 ? { id, liaison: '王网格', notes: '路灯坏了', confirmation: 'pending', rating: null } : null),
      answer(...args) {
        if (args[0] !== 5) return Promise.resolve({ ok: false, text: 'not found' });
        visits.answers.push(args);
        return Promise.resolve({ ok: true });
      },
      reportNeed(visitId, draft) {
        visits.needs.push([visitId, draft]);
        return Promise.resolve({ ok: true, number: `MQ-2026-00010${visits.needs.length}`, handler: '网格员 王**', resolveBy: null });
      },
      rate(...args) {
        if (args[0] !== 5) return Promise.resolve({ ok: false, text: 'not found' });
        visits.ratings.push(args);
        return Promise.resolve({ ok: true });
      },
    },
    assistance: {
      report: unexpected('assistance.report'),
      onNotice: unexpected('assistance.onNotice'),
      object: unexpected('assistance.object'),
      hardshipHouseholds: unexpected('assistance.hardshipHouseholds'),
      hardshipRecord: unexpected('assistance.hardshipRecord'),
    },
    surveys: {
      waiting: (householdId) => Promise.resolve(surveyOf(3, householdId) && !isComplete(survey.questions, survey.answers) ? [{ id: 3, title: '服务需求表', questions: 4 }] : []),
      open: (id, householdId) =>
        Promise.resolve(
          surveyOf(id, householdId) ? { id, title: '服务需求表', kind: 'survey' as const, questions: survey.questions, answers: { ...survey.answers }, liaison: null } : null,
        ),
      answer(id, index, answer, householdId) {
        if (!surveyOf(id, householdId)) return Promise.resolve({ ok: false, text: 'not found' });
        survey.answers[String(index)] = answer;
        survey.saved.push([index, answer, householdId]);
        return Promise.resolve({ ok: true, complete: isComplete(survey.questions, survey.answers) });
      },
      submitReport: unexpected('submitReport'),
    },
    ledger: { supervised: unexpected('supervised'), addProgress: unexpected('addProgress') },
    mediation: { myCases: unexpected('mediation.myCases'), toAnswer: unexpected('mediation.toAnswer'), answer: unexpected('mediation.answer') },
    assignments: { open: unexpected('assignments.open'), markDone: unexpected('assignments.markDone') },
    intake: { villages: unexpected('intake.villages'), registerFor: unexpected('intake.registerFor') },
  };
  const own = new Map<object, object>([
    [visitsChat, chats.visits],
    [assistanceChat, chats.assistance],
    [surveysChat, chats.surveys],
    [ledgerChat, chats.ledger],
    [mediationChat, chats.mediation],
    [assignmentsChat, chats.assignments],
    [intakeChat, chats.intake],
  ]);
  const effects: Effects = {
    classify: (text) => ({ code: text.includes('路灯') ? 'power' : 'other', confidence: text.includes('路灯') ? 0.9 : 0.1, kind: 'help', alternatives: [], matched: [] }),
    villages: () => Promise.resolve({ villages: [{ id: 7, name: '东村', townshipId: 1, township: '青禾镇' }], home: null }),
    report: unexpected('report'),
    myTickets: unexpected('myTickets'),
    ticket: unexpected('ticket'),
    concerns: (number) => Promise.resolve(number === 'MQ-2026-000001'),
    command(number, command) {
      commands.push({ number, command });
      return Promise.resolve({ ok: true });
    },
    setLocale: unexpected('setLocale'),
    claimHousehold: unexpected('claimHousehold'),
    decideClaim: unexpected('decideClaim'),
    bind: unexpected('bind'),
    openConversation: unexpected('openConversation'),
    relay: unexpected('relay'),
    endConversation: unexpected('endConversation'),
    // The flows' own effects (chatModule), each group a fake of what its module makes.
    of: <E>(module: ChatModule<E>): E => {
      const fake = own.get(module);
      if (!fake) throw new Error('unexpected effects of a module this fake has not');
      return fake as E;
    },
  };
  return { effects, commands, visits, survey };
}

const text = (value: string): FlowInput => ({ text: value, action: null, location: null, media: [] });
const tap = (payload: string): FlowInput => ({ text: '', action: payload, location: null, media: [] });

/** The example flows (test/fixtures/flows/), found as the app's are: a liaison's note on a ticket of theirs, written as a new flow would be. */
const withNote = flowSet(await discoverFlows(new URL('../../fixtures/flows/', import.meta.url)));

describe('a flow declared in one place', () => {
  test('its menu button is shown to whom it says, its words start it, its steps run, its effect is named', async () => {
    const { effects, commands } = fakeEffects();
    const menu = withNote.menu(liaison, 'menu.greeting').choices?.map((c) => c.payload);
    expect(menu).toEqual(['menu:note', 'menu:help']);
    expect(withNote.menu(resident, 'menu.greeting').choices?.map((c) => c.payload)).toEqual(['menu:help']);

    let turn = await runTurn({ session: EMPTY_SESSION, idle: false, input: text('记一笔'), speaker: liaison, effects, flows: withNote });
    expect(turn.replies.map((r) => r.key)).toEqual(['handle.ask_extension_days']);
    expect(turn.session).toMatchObject({ flow: 'note', step: 'ticket', data: {} });

    turn = await runTurn({ session: turn.session, idle: false, input: text('not a number'), speaker: liaison, effects, flows: withNote });
    expect(turn.replies.map((r) => r.key)).toEqual(['input.pick_a_choice', 'handle.ask_extension_days']);
    expect(turn.session.step).toBe('ticket');

    turn = await runTurn({ session: turn.session, idle: false, input: text('MQ-2026-000001'), speaker: liaison, effects, flows: withNote });
    expect(turn.session).toMatchObject({ flow: 'note', step: 'note', data: { number: 'MQ-2026-000001' } });

    turn = await runTurn({ session: turn.session, idle: false, input: text('路面已修好'), speaker: liaison, effects, flows: withNote });
    expect(commands).toEqual([{ number: 'MQ-2026-000001', command: { type: 'progress', note: '路面已修好' } }]);
    // Finished: the main menu follows.
    expect(turn.replies.map((r) => r.key)).toEqual(['handle.done_progress', 'menu.more']);
    expect(turn.session).toMatchObject({ flow: null, step: null, data: {} });
  });

  test('its file is found in its folder as the app’s flows are in flows/: its flow, not the module beside it that shares a pattern with it', () => {
    expect([...withNote.byId.values()]).toEqual([noteFlow]);
    expect(withNote.byId.get('note')).toBe(noteFlow);
  });

  test('the app’s registry holds every flow a file under flows/ declares, listed nowhere else', () => {
    // Read from the sources, not by importing them as the registry does: a file it missed would be missed here too.
    const dir = new URL('../../../flows/', import.meta.url);
    const declared = readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) => [...readFileSync(new URL(file, dir), 'utf8').matchAll(/defineFlow\(\{\s*id: '([^']+)'/g)].map((m) => m[1]));
    expect(declared.length).toBeGreaterThan(20);
    expect([...FLOWS.byId.keys()].sort()).toEqual(declared.sort());
  });

  test('the menu button starts it too, and the runner leaves the session it was given untouched', async () => {
    const { effects } = fakeEffects();
    const session: SessionState = { ...EMPTY_SESSION, choices: [{ payload: 'menu:note', label: '办理进展' }] };
    const before = structuredClone(session);
    const turn = await runTurn({ session, idle: false, input: tap('menu:note'), speaker: liaison, effects, flows: withNote });
    expect(turn.session).toMatchObject({ flow: 'note', step: 'ticket' });
    expect(session).toEqual(before);
    // This set says nowhere for new requests to go: words that would be one get the menu.
    const words = await runTurn({ session: EMPTY_SESSION, idle: false, input: text('村口路灯坏了'), speaker: resident, effects, flows: withNote });
    expect(words.replies.map((r) => r.key)).toEqual(['menu.greeting']);
  });

  test('its ticket button opens it at the step it names, for the ticket’s own people only', async () => {
    const { effects } = fakeEffects();
    const own = await runTurn({ session: EMPTY_SESSION, idle: false, input: tap('note:MQ-2026-000001'), speaker: liaison, effects, flows: withNote });
    expect(own.replies.map((r) => r.key)).toEqual(['handle.ask_progress']);
    expect(own.session).toMatchObject({ flow: 'note', step: 'note', data: { number: 'MQ-2026-000001' } });
    const other = await runTurn({ session: EMPTY_SESSION, idle: false, input: tap('note:MQ-2026-000009'), speaker: liaison, effects, flows: withNote });
    expect(other.replies.map((r) => r.key)).toEqual(['ticket.not_found', 'menu.more']);
    expect(other.session.flow).toBeNull();
  });

  test('step ids are the keys of its steps: a move to a step it does not have does not compile', () => {
    const broken = () =>
      defineFlow({
        id: 'broken',
        data: z.object({}),
        first: 'only',
        steps: {
          // @ts-expect-error 'nowhere' is not a step of this flow
          only: { ask: () => undefined, answer: () => ({ next: 'nowhere' }) },
        },
      });
    // @ts-expect-error a view needs its ticket number
    const noNumber = () => startOf(viewFlow, {});
    // @ts-expect-error the rating flow has no step `stars`
    const noStep = () => startOf(rateFlow, { number: 'MQ-2026-000001' }, 'stars');
    expect([broken, noNumber, noStep].every((f) => typeof f === 'function')).toBe(true);
    expect(startOf(rateFlow, { number: 'MQ-2026-000001', rating: 'satisfied' }, 'comment')).toEqual({
      start: { flow: 'rate', data: { number: 'MQ-2026-000001', rating: 'satisfied' }, at: 'comment' },
    });
    // Only its own registry's flows: the app's has no `note`.
    expect(FLOWS.byId.has('note')).toBe(false);
  });

  test('a move the step does not declare is refused at run time, so the diagram cannot lie', async () => {
    const sloppy = defineFlow({
      id: 'sloppy',
      data: z.object({}),
      first: 'one',
      entries: [{ name: 'sloppy', words: /^sloppy$/, data: {} }],
      steps: {
        // Moves to `two` without declaring it in `next`.
        one: { ask: () => undefined, answer: () => ({ next: 'two' }) },
        two: { ends: true, ask: () => undefined, answer: () => ({ done: true }) },
      },
    });
    const flows = flowSet([sloppy]);
    const { effects } = fakeEffects();
    const started = await runTurn({ session: EMPTY_SESSION, idle: false, input: text('sloppy'), speaker: resident, effects, flows });
    await expect(runTurn({ session: started.session, idle: false, input: text('x'), speaker: resident, effects, flows })).rejects.toThrow(
      /step one moved to .*two.*which it does not declare/,
    );
  });

  test('a set of flows is checked when it is built: one id, entry name, button verb and menu place each (help, accept… are taken), hand-overs to flows it has', () => {
    const handsOver = defineFlow({
      id: 'hands_over',
      data: z.object({}),
      first: 'one',
      steps: { one: { starts: ['nowhere'], ask: () => undefined, answer: () => ({ done: true }) } },
    });
    expect(() => flowSet([noteFlow, noteFlow])).toThrow('two flows named note');
    expect(() => flowSet([handsOver])).toThrow('flow hands_over: step one starts nowhere, which is no flow');
    const sameEntry = { ...noteFlow, id: 'note_again', buttons: [] };
    expect(() => flowSet([noteFlow, sameEntry])).toThrow('flow note_again: the entry name note is taken');
    expect(() => flowSet([{ ...noteFlow, entries: [{ name: 'help', data: {} }] }])).toThrow('flow note: the entry name help is taken');
    const sameButton = { ...noteFlow, id: 'note_again', entries: [] };
    expect(() => flowSet([noteFlow, sameButton])).toThrow('flow note_again: the button verb note is taken');
    expect(() => flowSet([{ ...noteFlow, buttons: [{ verb: 'accept', start: () => null }] }])).toThrow('flow note: the button verb accept is taken');
    // The menu is sorted by place alone: two buttons at one would follow the order the flows were found in.
    const samePlace = { ...noteFlow, id: 'note_again', buttons: [], entries: [{ name: 'note_again', menu: { label: 'action.progress' as const, order: 5 }, data: {} }] };
    expect(() => flowSet([noteFlow, samePlace])).toThrow('flow note_again: the menu place 5 of note_again is taken by note');
  });

  test('the diagram draws its declared moves', () => {
    const markdown = flowsMarkdown(withNote);
    expect(markdown).toContain('[*] --> ticket');
    expect(markdown).toContain('ticket --> note');
    expect(markdown).toContain('note --> [*]');
    expect(markdown).toContain('`menu:note`');
    expect(markdown).toContain('`note:<number>` (for the ticket');
  });
});

describe("the app's flows without a database", () => {
  test('a resident writing a request: the matcher guesses and the report asks to confirm the category', async () => {
    const { effects } = fakeEffects();
    const turn = await runTurn({ session: EMPTY_SESSION, idle: false, input: text('村口路灯坏了'), speaker: resident, effects });
    expect(turn.replies.map((r) => r.key)).toEqual(['report.category_guess']);
    expect(turn.session).toMatchObject({ flow: 'report', step: 'category', data: { description: '村口路灯坏了', categoryCode: 'power', confidence: 0.9, photos: [] } });
    expect(turn.session.choices.map((c) => c.payload)).toEqual(['yes', 'pick']);
  });

  test('a rating tapped on the push enters the rating flow at its comment, for the ticket’s own resident only', async () => {
    const { effects } = fakeEffects();
    const own = await runTurn({ session: EMPTY_SESSION, idle: false, input: tap('rate:MQ-2026-000001:satisfied'), speaker: resident, effects });
    expect(own.session).toMatchObject({ flow: 'rate', step: 'comment', data: { number: 'MQ-2026-000001', rating: 'satisfied' } });
    const other = await runTurn({ session: EMPTY_SESSION, idle: false, input: tap('rate:MQ-2026-000002:satisfied'), speaker: resident, effects });
    expect(other.replies.map((r) => r.key)).toEqual(['ticket.not_found', 'menu.more']);
    expect(other.session.flow).toBeNull();
  });

  test('on a channel that answers in one message (SMS) a rating and its words are one answer; a chat asks for the comment', async () => {
    const rating: SessionState = {
      ...EMPTY_SESSION,
      choices: [
        { payload: 'rate:MQ-2026-000001:satisfied', label: '满意' },
        { payload: 'rate:MQ-2026-000001:basically_satisfied', label: '基本满意' },
        { payload: 'rate:MQ-2026-000001:dissatisfied', label: '不满意' },
      ],
    };
    const sms = fakeEffects();
    const withWords = await runTurn({ session: rating, idle: false, input: text('3 路灯还是不亮'), speaker: resident, effects: sms.effects, answersInOne: true });
    expect(sms.commands).toEqual([{ number: 'MQ-2026-000001', command: { type: 'rate', rating: 'dissatisfied', comment: '路灯还是不亮' } }]);
    expect(withWords.replies.map((r) => r.key)).toEqual(['rate.thanks_reopened', 'menu.more']);
    const bare = await runTurn({ session: rating, idle: false, input: text('1'), speaker: resident, effects: sms.effects, answersInOne: true });
    expect(sms.commands.at(-1)).toEqual({ number: 'MQ-2026-000001', command: { type: 'rate', rating: 'satisfied' } });
    expect(bare.replies.map((r) => r.key)).toEqual(['rate.thanks', 'menu.more']);
    // "12号路灯坏了" sets no number apart: not a choice with words, but a new request.
    const request = await runTurn({ session: rating, idle: false, input: text('12号路灯坏了'), speaker: resident, effects: sms.effects, answersInOne: true });
    expect(request.session.flow).toBe('report');
    expect(sms.commands).toHaveLength(2);

    // In a chat, the same "1" asks for the comment, and "3 路灯还是不亮" is no choice.
    const chat = fakeEffects();
    const asked = await runTurn({ session: rating, idle: false, input: text('1'), speaker: resident, effects: chat.effects });
    expect(asked.session).toMatchObject({ flow: 'rate', step: 'comment' });
    expect(asked.replies.map((r) => r.key)).toEqual(['rate.comment']);
    await runTurn({ session: rating, idle: false, input: text('3 路灯还是不亮'), speaker: resident, effects: chat.effects });
    expect(chat.commands).toEqual([]);
  });

  test('回访 in words: a rating as a villager says it, its reason in the same message on any channel; words that are no rating are kept as the comment', async () => {
    const number = 'MQ-2026-000001';
    const pushedRating: SessionState = {
      ...EMPTY_SESSION,
      choices: [
        { payload: `rate:${number}:satisfied`, label: '满意', means: 'satisfied' },
        { payload: `rate:${number}:basically_satisfied`, label: '基本满意', means: 'basically_satisfied' },
        { payload: `rate:${number}:dissatisfied`, label: '不满意', means: 'dissatisfied' },
      ],
    };
    const chat = fakeEffects();
    // A rating and its reason, typed to the push in a chat: rated with the reason, nothing asked again.
    const withReason = await runTurn({ session: pushedRating, idle: false, input: text('不满意，路灯还是不亮'), speaker: resident, effects: chat.effects });
    expect(chat.commands).toEqual([{ number, command: { type: 'rate', rating: 'dissatisfied', comment: '路灯还是不亮' } }]);
    expect(withReason.replies.map((r) => r.key)).toEqual(['rate.thanks_reopened', 'menu.more']);
    // Ratings in words pick the button they mean (the comment is asked next, as after a tap).
    for (const [typed, rating] of [
      ['还行吧', 'basically_satisfied'],
      ['一般般', 'basically_satisfied'],
      ['挺好的', 'satisfied'],
      ['很满意！', 'satisfied'],
      ['没修好', 'dissatisfied'],
      ['不太满意', 'dissatisfied'],
    ] as const) {
      const turn = await runTurn({ session: pushedRating, idle: false, input: text(typed), speaker: resident, effects: chat.effects });
      expect(turn.session, typed).toMatchObject({ flow: 'rate', step: 'comment', data: { number, rating } });
    }
    // A bare 好 says yes more often than satisfied: no rating is guessed from it.
    const bare = await runTurn({ session: pushedRating, idle: false, input: text('好'), speaker: resident, effects: chat.effects });
    expect(bare.session.flow).not.toBe('rate');

    // In the rate flow's own question: words that are no rating are kept and the rating asked again; both go together.
    const asked = await runTurn({ session: EMPTY_SESSION, idle: false, input: tap(`rate:${number}`), speaker: resident, effects: chat.effects });
    expect(asked.session).toMatchObject({ flow: 'rate', step: 'rating' });
    const kept = await runTurn({ session: asked.session, idle: false, input: text('修是修了，但是晚上还是有点暗'), speaker: resident, effects: chat.effects });
    expect(kept.replies.map((r) => r.key)).toEqual(['rate.comment_kept', 'rate.ask']);
    expect(kept.session).toMatchObject({ flow: 'rate', step: 'rating', data: { comment: '修是修了，但是晚上还是有点暗' } });
    const rated = await runTurn({ session: kept.session, idle: false, input: text('基本满意吧'), speaker: resident, effects: chat.effects });
    expect(rated.session).toMatchObject({ flow: 'rate', step: 'comment' });
    await runTurn({ session: rated.session, idle: false, input: tap('skip'), speaker: resident, effects: chat.effects });
    expect(chat.commands.at(-1)).toEqual({ number, command: { type: 'rate', rating: 'basically_satisfied', comment: '修是修了，但是晚上还是有点暗' } });
    // What reads like a request is the rating's reason there, not a new report; 还有… opens another matter.
    const reason = await runTurn({ session: asked.session, idle: false, input: text('路灯还是不亮'), speaker: resident, effects: chat.effects });
    expect(reason.session).toMatchObject({ flow: 'rate', step: 'rating', data: { comment: '路灯还是不亮' } });
    const another = await runTurn({ session: asked.session, idle: false, input: text('还有，村口的路灯也坏了好几天了'), speaker: resident, effects: chat.effects });
    expect(another.session.flow).toBe('report');
    expect(another.session.suspended).toMatchObject({ flow: 'rate', step: 'rating' });
  });

  test('by SMS, a step that takes text takes "1 组 张家门口" whole, though its skip choice is numbered 1', async () => {
    const { effects } = fakeEffects();
    const landmark: SessionState = {
      ...EMPTY_SESSION,
      flow: 'report',
      step: 'landmark',
      data: { description: '村口路灯坏了', categoryCode: 'power', confidence: 0.9, photos: [] },
      choices: [{ payload: 'skip', label: '跳过', means: 'skip' }],
    };
    const turn = await runTurn({ session: landmark, idle: false, input: text('1 组 张家门口'), speaker: resident, effects, answersInOne: true });
    expect(turn.session).toMatchObject({ flow: 'report', step: 'photo', data: { location: '1 组 张家门口' } });
  });

  test('by SMS, words after a choice that asks nothing more are said not kept, not lost unnoticed', async () => {
    const { effects } = fakeEffects();
    const menu = (await runTurn({ session: EMPTY_SESSION, idle: false, input: text('菜单'), speaker: resident, effects })).session;
    const turn = await runTurn({ session: menu, idle: false, input: text('5 谢谢你们'), speaker: resident, effects, answersInOne: true });
    expect(turn.replies[0]).toEqual({ key: 'input.words_not_taken', params: { number: '5' } });
  });

  test('a half-finished flow starts over after the idle limit', async () => {
    const { effects } = fakeEffects();
    const session: SessionState = { ...EMPTY_SESSION, flow: 'register', step: 'name', data: { regionId: 7 } };
    const turn = await runTurn({ session, idle: true, input: text('菜单'), speaker: resident, effects });
    expect(turn.replies.map((r) => r.key)).toEqual(['session.expired', 'menu.greeting']);
    expect(turn.session.flow).toBeNull();
  });
});

describe('民情日记 without a database', () => {
  const play = (session: SessionState, input: FlowInput, speaker: Speaker, effects: Effects) => runTurn({ session, idle: false, input, speaker, effects });

  test('a liaison picks a household by its head’s name, a photo alone is kept and the words asked for, then the visit is recorded', async () => {
    const { effects, visits } = fakeEffects();
    expect(FLOWS.menu(liaison, 'menu.greeting').choices?.map((c) => c.payload)).toContain('menu:visit');
    expect(FLOWS.menu(resident, 'menu.greeting').choices?.map((c) => c.payload)).not.toContain('menu:visit');
    let turn = await play(EMPTY_SESSION, text('走访记录'), liaison, effects);
    expect(turn.replies[0]).toMatchObject({ key: 'visit.pick_household', choices: [{ payload: 'household:11' }, { payload: 'household:12' }] });
    turn = await play(turn.session, text('王二麻子'), liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.no_such_household', 'visit.pick_household']);
    turn = await play(turn.session, text('李四'), liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.notes']);
    turn = await play(turn.session, { ...text(''), media: [{ kind: 'photo', ref: 'p1.jpg' }] }, liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.notes_needed']);
    turn = await play(turn.session, text('老人身体还好，反映村口路灯不亮'), liaison, effects);
    expect(visits.recorded).toEqual([{ householdId: 12, notes: '老人身体还好，反映村口路灯不亮', media: ['p1.jpg'] }]);
    expect(turn.replies[0]).toMatchObject({ key: 'visit.recorded_unconfirmed', params: { household: '东村5号 李四' } });
    // Then whether the household raised anything to file; 没有 ends it.
    expect(turn.replies[1]).toMatchObject({ key: 'visit.need_ask', choices: [{ payload: 'need' }, { payload: 'no_need' }] });
    turn = await play(turn.session, text('没有'), liaison, effects);
    expect(turn.session.flow).toBeNull();
    expect(visits.needs).toEqual([]);
  });

  test('notes written where the household is asked are kept: with a household named in them the visit is recorded at once, else only the household is asked', async () => {
    const { effects, visits } = fakeEffects();
    let turn = await play(EMPTY_SESSION, text('走访'), liaison, effects);
    turn = await play(turn.session, text('今天去看了，老人身体还好，说水管有点漏'), liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['households.words_kept', 'visit.pick_household']);
    expect(visits.recorded).toEqual([]);
    turn = await play(turn.session, text('1'), liaison, effects);
    expect(visits.recorded).toEqual([{ householdId: 11, notes: '今天去看了，老人身体还好，说水管有点漏', media: [] }]);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.recorded_asked', 'visit.need_ask']);

    turn = await play(EMPTY_SESSION, text('走访'), liaison, effects);
    turn = await play(turn.session, text('今天去了李四家，屋顶漏雨要修'), liaison, effects);
    expect(visits.recorded.at(-1)).toEqual({ householdId: 12, notes: '今天去了李四家，屋顶漏雨要修', media: [] });
    expect(turn.replies[0]).toMatchObject({ key: 'visit.recorded_unconfirmed', params: { household: '东村5号 李四' } });

    // A household's address and head typed in full, or a yes, are no notes: the notes are asked.
    turn = await play(EMPTY_SESSION, text('走访'), liaison, effects);
    turn = await play(turn.session, text('东村5号 李四'), liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.notes']);
    turn = await play(EMPTY_SESSION, text('走访'), liaison, effects);
    turn = await play(turn.session, text('好的'), liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.no_such_household', 'visit.pick_household']);
    expect(visits.recorded).toHaveLength(2);
  });

  test('一事一办: each need heard is filed for the household, a confident guess with its category and a vague one as 其他, until 没有了', async () => {
    const { effects, visits } = fakeEffects();
    let turn = await play(EMPTY_SESSION, text('走访'), liaison, effects);
    turn = await play(turn.session, tap('household:11'), liaison, effects);
    turn = await play(turn.session, text('反映路灯和低保的事'), liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.recorded_asked', 'visit.need_ask']);
    turn = await play(turn.session, text('是的'), liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.need_text']);
    turn = await play(turn.session, { ...text('村口路灯不亮'), media: [{ kind: 'photo', ref: 'lamp.jpg' }] }, liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.need_filed', 'visit.need_more']);
    turn = await play(turn.session, tap('need'), liaison, effects);
    turn = await play(turn.session, text('想问问低保怎么申请'), liaison, effects);
    expect(turn.replies[0]).toMatchObject({ key: 'visit.need_filed', params: { number: 'MQ-2026-000102' } });
    turn = await play(turn.session, text('没有了'), liaison, effects);
    expect(turn.session.flow).toBeNull();
    expect(visits.needs.map(([id, d]) => [id, d.categoryCode, d.description, d.photos])).toEqual([
      [7, 'power', '村口路灯不亮', ['lamp.jpg']],
      [7, 'other', '想问问低保怎么申请', []],
    ]);
  });

  test('the household taps 属实 on the push and rates in words; 有出入 asks what differs; another household’s visit is not found', async () => {
    const { effects, visits } = fakeEffects();
    const household: Speaker = { ...resident, personId: 9, hasHousehold: true };
    let turn = await play(EMPTY_SESSION, tap('visit:5:accurate'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.rate']);
    expect(visits.answers).toEqual([[5, true, null]]);
    // A rating not understood is asked again; the 属实 is not recorded twice.
    turn = await play(turn.session, text('很好'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.rate_again', 'visit.rate']);
    expect(visits.answers).toHaveLength(1);
    turn = await play(turn.session, text('五分'), household, effects);
    expect(visits.ratings).toEqual([[5, 5]]);
    expect(turn.replies[0]?.key).toBe('visit.thanks');

    turn = await play(EMPTY_SESSION, tap('visit:5:inaccurate'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.what_differs']);
    turn = await play(turn.session, text('没有说路灯的事'), household, effects);
    expect(visits.answers.at(-1)).toEqual([5, false, '没有说路灯的事']);
    turn = await play(turn.session, text('6'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['visit.rate_again', 'visit.rate']);
    turn = await play(turn.session, tap('score:2'), household, effects);
    expect(visits.ratings.at(-1)).toEqual([5, 2]);
    expect(turn.session.flow).toBeNull();

    turn = await play(EMPTY_SESSION, tap('visit:6:accurate'), household, effects);
    expect(turn.replies[0]).toMatchObject({ key: 'command.refused' });
    expect(visits.answers).toHaveLength(2);
  });
});

describe('服务需求表: a survey in the chat', () => {
  const household: Speaker = { ...resident, personId: 9, hasHousehold: true };
  const play = (session: SessionState, input: FlowInput, speaker: Speaker, effects: Effects) => runTurn({ session, idle: false, input, speaker, effects });

  test('started from the push, each kind of question is answered by tap, number or words; left half-way it resumes where it stopped', async () => {
    const { effects, survey } = fakeEffects();
    let turn = await play(EMPTY_SESSION, tap('survey:3:start'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.intro', 'survey.question_single']);
    expect(turn.replies[1]?.choices?.map((c) => c.payload)).toEqual(['opt:0', 'opt:1', 'opt:2']);
    // A single choice typed in words.
    turn = await play(turn.session, text('医疗'), household, effects);
    expect(survey.saved).toEqual([[0, 1, undefined]]);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.question_multiple']);
    // Two taps, one taken back, then 选好了.
    turn = await play(turn.session, tap('opt:0'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.picked', 'survey.question_multiple']);
    turn = await play(turn.session, tap('opt:2'), household, effects);
    turn = await play(turn.session, tap('opt:0'), household, effects);
    expect(turn.replies[0]).toMatchObject({ key: 'survey.picked', params: { options: '垃圾清运' } });
    turn = await play(turn.session, tap('picked'), household, effects);
    expect(survey.saved.at(-1)).toEqual([1, [2], undefined]);
    // Not a number: asked again; then a Chinese numeral with its unit.
    turn = await play(turn.session, text('不知道'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.not_a_number', 'survey.question_number']);
    expect(survey.saved).toHaveLength(2);

    // Left half-way: a menu word takes over; 调查 comes back to the number question.
    turn = await play(turn.session, text('取消'), household, effects);
    expect(turn.session.flow).not.toBe('survey');
    turn = await play(EMPTY_SESSION, text('调查'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.pick']);
    turn = await play(turn.session, text('1'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.question_number']);
    turn = await play(turn.session, text('五口人'), household, effects);
    expect(survey.saved.at(-1)).toEqual([2, 5, undefined]);
    // The last question may be skipped: 跳过 typed.
    expect(turn.replies[0]?.choices?.map((c) => c.payload)).toEqual(['skip']);
    expect(turn.replies[0]?.params).toMatchObject({ skippable: '（可跳过：回复"跳过"）' });
    turn = await play(turn.session, text('跳过'), household, effects);
    expect(survey.saved.at(-1)).toEqual([3, null, undefined]);
    expect(turn.replies[0]).toMatchObject({ key: 'survey.thanks' });
    expect(turn.session.flow).toBeNull();
    // Done: nothing more to answer.
    turn = await play(EMPTY_SESSION, text('调查'), household, effects);
    expect(turn.replies[0]?.key).toBe('survey.none');
  });

  test('typed lists pick several options; a request typed on a choice question is not swallowed', async () => {
    const { effects, survey } = fakeEffects();
    survey.answers['0'] = 0;
    let turn = await play(EMPTY_SESSION, tap('survey:3:start'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.question_multiple']);
    turn = await play(turn.session, text('1、2'), household, effects);
    expect(survey.saved.at(-1)).toEqual([1, [0, 1], undefined]);
    await play(turn.session, text('3'), household, effects);
    expect(survey.saved.at(-1)).toEqual([2, 3, undefined]);
    delete survey.answers['0'];
    survey.answers['3'] = 'x';
    turn = await play(EMPTY_SESSION, tap('survey:3:start'), household, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.intro', 'survey.question_single']);
    // Words that read like a new request start one; the survey waits.
    turn = await play(turn.session, text('村口的路灯坏了好几天了'), household, effects);
    expect(turn.session.flow).toBe('report');
    expect(turn.session.suspended).toMatchObject({ flow: 'survey', step: 'question' });
  });

  test('以后再说 leaves it; a survey not the household’s is not found; a liaison fills one in for a paired household', async () => {
    const { effects, survey } = fakeEffects();
    let turn = await play(EMPTY_SESSION, tap('survey:3:later'), household, effects);
    // Nothing is left to answer: the menu follows.
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.later_ok', 'menu.more']);
    expect(turn.session.flow).toBeNull();
    // The next words are taken as anywhere else (a request), not as an answer.
    turn = await play(turn.session, text('村口的路灯坏了好几天了'), household, effects);
    expect(turn.session.flow).toBe('report');
    turn = await play(EMPTY_SESSION, tap('survey:4:start'), household, effects);
    expect(turn.replies[0]?.key).toBe('survey.not_found');

    turn = await play(EMPTY_SESSION, text('代填调查'), liaison, effects);
    expect(turn.replies[0]).toMatchObject({ key: 'survey.pick_household' });
    turn = await play(turn.session, text('张三'), liaison, effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.pick']);
    turn = await play(turn.session, text('1'), liaison, effects);
    turn = await play(turn.session, text('2'), liaison, effects);
    expect(survey.saved).toEqual([[0, 1, 11]]);
    expect(turn.replies.map((r) => r.key)).toEqual(['survey.question_multiple']);
    // Household 12 has nothing to fill in.
    turn = await play(EMPTY_SESSION, text('代填调查'), liaison, effects);
    turn = await play(turn.session, text('李四'), liaison, effects);
    expect(turn.replies[0]).toMatchObject({ key: 'survey.none_household', params: { household: '东村5号 李四' } });
  });
});

describe('what villagers type besides answers', () => {
  const play = (session: SessionState, value: string, speaker: Speaker = resident, effects: Effects = fakeEffects().effects) =>
    runTurn({ session, idle: false, input: text(value), speaker, effects });
  const keys = (turn: { replies: { key: string }[] }) => turn.replies.map((r) => r.key);
  /** The report, its category confirmed, asking where. */
  const atLocation: SessionState = {
    ...EMPTY_SESSION,
    flow: 'report',
    step: 'location',
    data: { description: '村口路灯坏了', categoryCode: 'power', confidence: 0.9, photos: [] },
    choices: [{ payload: 'village:7', label: '东村' }],
  };
  /** The report asking the category, the matcher having no guess. */
  const atCategory: SessionState = {
    ...EMPTY_SESSION,
    flow: 'report',
    step: 'category',
    data: { description: '家门口不好走', categoryCode: 'other', confidence: 0.1, photos: [] },
    choices: [{ payload: 'category:road', label: '道路交通' }],
  };
  const withTickets = () => {
    const { effects } = fakeEffects();
    effects.myTickets = () => Promise.resolve([]);
    return effects;
  };

  test('a command with punctuation, polite words or 一下 is still the command, also over a question', async () => {
    for (const typed of ['我的诉求。', '我的诉求！', '请帮我查一下进度', '查进度吧', '进度呢？', '  我的诉求  ']) {
      const turn = await play(EMPTY_SESSION, typed, resident, withTickets());
      // Nothing to open: the list is finished and the menu follows, so "1" picks from the menu.
      expect(keys(turn), typed).toEqual(['list.none', 'menu.more']);
      expect(turn.session.flow, typed).toBeNull();
    }
    for (const typed of ['你好！', '菜单吧', '在吗？', '主菜单']) expect(keys(await play(EMPTY_SESSION, typed)), typed).toEqual(['menu.greeting']);
    expect(keys(await play(EMPTY_SESSION, '帮助一下'))).toEqual(['help.resident', 'menu.more']);
    // Over the report's question of where: the list opens and the report waits for 返回.
    const over = await play(atLocation, '我的诉求。', resident, withTickets());
    expect(keys(over)).toEqual(['list.none', 'session.suspended_waiting', 'menu.more']);
    expect(over.session.suspended).toMatchObject({ flow: 'report', step: 'location' });
  });

  test('thanks and 好的 with nothing pending are answered, not taken for a new request', async () => {
    for (const typed of ['谢谢', '谢谢你们！', '辛苦了', '多謝']) {
      const turn = await play(EMPTY_SESSION, typed);
      expect(keys(turn), typed).toEqual(['chat.welcome', 'menu.more']);
      expect(turn.session.flow, typed).toBeNull();
    }
    expect(keys(await play(EMPTY_SESSION, '好的'))).toEqual(['chat.noted', 'menu.more']);
    expect(keys(await play(EMPTY_SESSION, '👍'))).toEqual(['chat.noted', 'menu.more']);
    // 还行吧 after reading 我的诉求 (it started a report, and the next words went into its description).
    for (const typed of ['还行吧', '那好吧', '可以的']) expect(keys(await play(EMPTY_SESSION, typed)), typed).toEqual(['chat.noted', 'menu.more']);
    // A question that takes words takes them: the description of a request is what is typed.
    const describing = await play({ ...EMPTY_SESSION, flow: 'report', step: 'describe', data: { photos: [] } }, '谢谢');
    expect(describing.session).toMatchObject({ flow: 'report', step: 'category', data: { description: '谢谢' } });
  });

  test('thanks after a rating request leave it answerable: 满意 still rates', async () => {
    const { effects, commands } = fakeEffects();
    const rating: SessionState = {
      ...EMPTY_SESSION,
      pushed: [
        { payload: 'rate:MQ-2026-000001:satisfied', label: '满意' },
        { payload: 'rate:MQ-2026-000001:dissatisfied', label: '不满意' },
      ],
    };
    const thanked = await play(rating, '谢谢', resident, effects);
    expect(keys(thanked)).toEqual(['chat.welcome', 'menu.more']);
    expect(thanked.session.pushed?.map((c) => c.payload)).toEqual(['rate:MQ-2026-000001:satisfied', 'rate:MQ-2026-000001:dissatisfied']);
    const rated = await play(thanked.session, '满意', resident, effects);
    expect(rated.session.flow).toBe('rate');
    expect(commands).toEqual([]);
  });

  test('算了 sets the pending question aside for 返回, unless a choice offered takes it (跳过)', async () => {
    const aside = await play(atLocation, '算了');
    expect(keys(aside)).toEqual(['session.set_aside', 'session.suspended_waiting', 'menu.more']);
    expect(aside.session.flow).toBeNull();
    const back = await play(aside.session, '返回');
    expect(keys(back)).toEqual(['session.resumed', 'report.location']);
    expect(back.session).toMatchObject({ flow: 'report', step: 'location', data: { description: '村口路灯坏了' } });
    // Where 跳过 is offered, 算了 is that choice.
    const landmark: SessionState = { ...atLocation, step: 'landmark', choices: [{ payload: 'skip', label: '跳过', means: 'skip' }] };
    expect((await play(landmark, '算了')).session).toMatchObject({ flow: 'report', step: 'photo' });
    // With nothing pending there is nothing to set aside, and no request in 不用了.
    const idle = await play(EMPTY_SESSION, '不用了');
    expect(keys(idle)).toEqual(['chat.noted', 'menu.more']);
    expect(idle.session.suspended).toBeUndefined();
  });

  test("a question about one's request in words opens the list, from the menu or over a question", async () => {
    for (const typed of ['刚才那个事情怎么样了', '我反映的问题处理了吗？', '有结果了吗', '上次报的那个事现在怎么样了', '我的事办得怎么样了']) {
      expect(keys(await play(EMPTY_SESSION, typed, resident, withTickets())), typed).toEqual(['list.none', 'menu.more']);
    }
    const over = await play(atCategory, '刚才那个事情怎么样了', resident, withTickets());
    expect(keys(over)).toEqual(['list.none', 'session.suspended_waiting', 'menu.more']);
    // A matter of its own is not a question about one: 路灯修好了没 is reported.
    expect((await play(EMPTY_SESSION, '路灯修好了没')).session).toMatchObject({ flow: 'report', data: { description: '路灯修好了没' } });
  });

  test('at the category question, words are kept with the description and the category guessed again; 不知道 goes on as 其他', async () => {
    const added = await play(atCategory, '能不能快点，晚上太黑了');
    expect(keys(added)).toEqual(['report.words_added', 'report.category_pick']);
    expect(added.session).toMatchObject({ flow: 'report', step: 'category', data: { description: '家门口不好走\n能不能快点，晚上太黑了' } });
    // Words that place it: the guess is offered (路灯 → power in this test's matcher).
    const placed = await play(added.session, '是路灯坏了');
    expect(keys(placed)).toEqual(['report.words_added', 'report.category_guess']);
    expect(placed.session.data).toMatchObject({ categoryCode: 'power', description: '家门口不好走\n能不能快点，晚上太黑了\n是路灯坏了' });
    for (const typed of ['不知道是哪一类', '我也不清楚', '说不好']) {
      const unknown = await play(atCategory, typed);
      expect(keys(unknown), typed).toEqual(['report.category_unknown', 'report.location']);
      expect(unknown.session, typed).toMatchObject({ step: 'location', data: { categoryCode: 'other', description: '家门口不好走' } });
    }
    // Over the matcher's confident guess, 不知道 keeps the guess.
    const guessed: SessionState = { ...atCategory, data: { description: '村口路灯坏了', categoryCode: 'power', confidence: 0.9, photos: [] } };
    expect((await play(guessed, '不知道')).session).toMatchObject({ step: 'location', data: { categoryCode: 'power' } });
  });

  test('at the last check, words and photos go with the request and the summary is shown again', async () => {
    const atConfirm: SessionState = {
      ...EMPTY_SESSION,
      flow: 'report',
      step: 'confirm',
      data: { description: '家门口不好走', categoryCode: 'road', confidence: 0.1, photos: [], regionId: 7 },
      choices: [
        { payload: 'submit', label: '提交' },
        { payload: 'cancel', label: '取消' },
      ],
    };
    const added = await play(atConfirm, '能不能快点，晚上更危险');
    expect(keys(added)).toEqual(['report.confirm_added', 'report.confirm']);
    expect(added.session).toMatchObject({ step: 'confirm', data: { description: '家门口不好走\n能不能快点，晚上更危险' } });
    expect(added.replies.at(-1)?.params).toMatchObject({ description: '家门口不好走\n能不能快点，晚上更危险' });
    const photo = await runTurn({
      session: atConfirm,
      idle: false,
      input: { ...text(''), media: [{ kind: 'photo', ref: 'p1.jpg' }] },
      speaker: resident,
      effects: fakeEffects().effects,
    });
    expect(keys(photo)).toEqual(['report.confirm_added', 'report.confirm']);
    expect(photo.session.data).toMatchObject({ photos: ['p1.jpg'] });
    // Only symbols: nothing to keep, the choices are asked for.
    expect(keys(await play(atConfirm, '？？'))).toEqual(['input.pick_a_choice', 'report.confirm']);
  });

  test('at the last check a correction is kept, not a new report; a button of another question typed there adds nothing', async () => {
    const atConfirm: SessionState = {
      ...EMPTY_SESSION,
      flow: 'report',
      step: 'confirm',
      data: { description: '家门口的水管爆了', categoryCode: 'water', confidence: 0.9, photos: [], regionId: 7 },
      choices: [
        { payload: 'submit', label: '提交' },
        { payload: 'cancel', label: '取消' },
      ],
    };
    // Reads like a request of its own (路灯 → power here), but corrects: still this report's words.
    const corrected = await play(atConfirm, '等一下，不是水管，是路灯坏了');
    expect(keys(corrected)).toEqual(['report.confirm_added', 'report.confirm']);
    expect(corrected.session).toMatchObject({ flow: 'report', step: 'confirm', data: { description: '家门口的水管爆了\n等一下，不是水管，是路灯坏了' } });
    expect(corrected.session.suspended).toBeUndefined();
    // Another matter (还有…) is a new report; this one waits for 返回 (the nothing-lost suite plays it through).
    expect((await play(atConfirm, '还有村口路灯坏了')).session.suspended).toMatchObject({ flow: 'report', step: 'confirm' });
    for (const typed of ['用登记的电话', '跳过', '是的']) {
      const button = await play(atConfirm, typed);
      expect(keys(button), typed).toEqual(['input.pick_a_choice', 'report.confirm']);
      expect(button.session.data['description'], typed).toBe('家门口的水管爆了');
    }
  });

  test('at the photo a phone number is the contact phone, 算了不拍了 skips; at the phone, words are kept and the phone asked again', async () => {
    const atPhoto: SessionState = {
      ...EMPTY_SESSION,
      flow: 'report',
      step: 'photo',
      data: { description: '水管爆了', categoryCode: 'water', confidence: 0.9, photos: [], regionId: 7 },
      choices: [{ payload: 'skip', label: '跳过', means: 'skip' }],
    };
    const phoned = await play(atPhoto, '１３９ ００００ ０００２');
    expect(phoned.session).toMatchObject({ step: 'confirm', data: { contactPhone: '13900000002', description: '水管爆了' } });
    expect((await play(atPhoto, '算了不拍了')).session).toMatchObject({ step: 'phone', data: { description: '水管爆了' } });
    const atPhone: SessionState = { ...atPhoto, step: 'phone' };
    const words = await play(atPhone, '都一个星期了还没人来');
    expect(keys(words)).toEqual(['report.words_added', 'report.phone']);
    expect(words.session).toMatchObject({ step: 'phone', data: { description: '水管爆了\n都一个星期了还没人来' } });
    expect(keys(await play(atPhone, '1380013'))).toEqual(['input.bad_phone', 'report.phone']);
  });

  test('a request number typed (any width or case, with or without dashes, after 查) shows that request, over a question too', async () => {
    const asked: string[] = [];
    const effects = withTickets();
    effects.ticket = (number) => {
      asked.push(number);
      return Promise.resolve(null);
    };
    for (const typed of ['MQ-2026-000001', 'mq-2026-000001', 'ＭＱ－２０２６－０００００１', 'MQ2026000001', '查 MQ-2026-000001']) {
      expect(keys(await play(EMPTY_SESSION, typed, resident, effects)), typed).toEqual(['ticket.not_found', 'menu.more']);
    }
    expect(asked).toEqual(Array(5).fill('MQ-2026-000001'));
    // Words around it are a request's words, not a lookup.
    expect((await play(EMPTY_SESSION, 'MQ-2026-000001怎么样了路灯还是不亮', resident, effects)).session.flow).toBe('report');
  });

  test('another flow started over a list shown leaves nothing waiting for 返回 (a list asks nothing)', async () => {
    const listed: SessionState = { ...EMPTY_SESSION, flow: 'list', step: 'list', data: { scope: 'own' }, choices: [{ payload: 'view:MQ-2026-000001', label: 'MQ-2026-000001' }] };
    const report = await play(listed, '我要反映');
    expect(keys(report)).toEqual(['report.describe']);
    expect(report.session.suspended).toBeUndefined();
    // Over a question, it still waits.
    expect((await play(atLocation, '我的诉求', resident, withTickets())).session.suspended).toMatchObject({ flow: 'report', step: 'location' });
  });

  test('没事了, and thanks after it, set the question aside; 好的谢谢 only acknowledges', async () => {
    for (const typed of ['没事了', '没事了，谢谢', '不麻烦了']) {
      const aside = await play(atLocation, typed);
      expect(keys(aside), typed).toEqual(['session.set_aside', 'session.suspended_waiting', 'menu.more']);
    }
    expect(keys(await play(EMPTY_SESSION, '好的谢谢'))).toEqual(['chat.noted', 'menu.more']);
  });

  test('words a handler writes at a ticket they handle are offered as its progress or result first', async () => {
    const { effects, commands } = fakeEffects();
    const actions = ['progress', 'resolve', 'request_info', 'request_extension', 'escalate'];
    const viewing: SessionState = {
      ...EMPTY_SESSION,
      flow: 'view',
      step: 'show',
      data: { number: 'MQ-2026-000001' },
      choices: actions.map((a) => ({ payload: `handle:MQ-2026-000001:${a}`, label: a })),
    };
    const offered = await play(viewing, '已经修好了', liaison, effects);
    expect(offered.replies[0]).toMatchObject({ key: 'report.offer_for_ticket', params: { text: '已经修好了', number: 'MQ-2026-000001' } });
    // 办结 typed (the ticket's own button's title): resolved with the words written, no second question.
    const resolved = await play(offered.session, '办结', liaison, effects);
    expect(commands).toEqual([{ number: 'MQ-2026-000001', command: { type: 'resolve', result: '已经修好了', photos: [] } }]);
    expect(keys(resolved)).toEqual(['handle.done_resolve', 'menu.more']);
    const progress = await play(await play(viewing, '下午去看过了', liaison, effects).then((t) => t.session), '1', liaison, effects);
    expect(commands.at(-1)).toEqual({ number: 'MQ-2026-000001', command: { type: 'progress', note: '下午去看过了', photos: [] } });
    expect(keys(progress)).toEqual(['handle.done_progress', 'menu.more']);
    // Or a new request after all; and away from a ticket of theirs, only that is offered.
    const asNew = await play(offered.session, '作为新的诉求反映', liaison, effects);
    expect(asNew.session).toMatchObject({ flow: 'report', data: { description: '已经修好了' } });
    const plain = await play(EMPTY_SESSION, '下午去看过了', liaison, effects);
    expect(plain.replies[0]).toMatchObject({ key: 'report.offer' });
    expect(commands).toHaveLength(2);
  });

  test('a liaison’s work words (签收, 收到了, 已经办好了, 办结了, 处理完了) are tried on their own open tickets, not offered as a new request', async () => {
    const lines: TicketLine[] = [
      { number: 'MQ-2026-000011', summary: '村口路灯坏了好几天晚上很黑很危险了', state: 'dispatched', categoryCode: 'power' },
      { number: 'MQ-2026-000012', summary: '水管漏水', state: 'in_progress', categoryCode: 'water' },
      { number: 'MQ-2026-000013', summary: '垃圾没人清', state: 'accepted', categoryCode: 'sanitation' },
      { number: 'MQ-2026-000014', summary: '路面坑洼', state: 'resolved', categoryCode: 'road' },
    ];
    const { effects, commands } = fakeEffects();
    const scopes: string[] = [];
    effects.myTickets = (scope) => {
      scopes.push(scope);
      return Promise.resolve(lines);
    };
    // One to accept: asked whether, by its number and title; 是的 accepts it.
    let asked = await play(EMPTY_SESSION, '签收', liaison, effects);
    for (const typed of ['收到了', '好的，签收', '我已签收']) {
      const again = await play(EMPTY_SESSION, typed, liaison, effects);
      expect(again.replies, typed).toEqual(asked.replies);
    }
    expect(asked.replies[0]).toMatchObject({ key: 'work.confirm_accept', params: { number: 'MQ-2026-000011', title: '村口路灯坏了好几天晚上很黑很危险' } });
    expect(scopes.every((s) => s === 'assigned')).toBe(true);
    const accepted = await play(asked.session, '是的', liaison, effects);
    expect(commands).toEqual([{ number: 'MQ-2026-000011', command: { type: 'accept' } }]);
    expect(keys(accepted)).toEqual(['handle.done_accept', 'menu.more']);
    // Typed at the offer question about other words: the same.
    const offered = await play(EMPTY_SESSION, '明天开会的通知发了没有', liaison, effects);
    expect(keys(offered)).toEqual(['report.offer']);
    asked = await play(offered.session, '签收', liaison, effects);
    expect(asked.replies[0]).toMatchObject({ key: 'work.confirm_accept', params: { number: 'MQ-2026-000011' } });

    // Several in hand: which one, by number and short title; the one picked goes to its 办结 question.
    for (const typed of ['已经办好了', '办结了', '处理完了']) {
      const which = await play(EMPTY_SESSION, typed, liaison, effects);
      expect(which.replies[0], typed).toMatchObject({ key: 'work.which_resolve', params: { count: 2, text: typed } });
      expect(which.replies[0]?.choices?.map((c) => c.label)).toEqual([{ text: 'MQ-2026-000012「水管漏水」' }, { text: 'MQ-2026-000013「垃圾没人清」' }, 'choice.cancel']);
      const picked = await play(which.session, '2', liaison, effects);
      expect(keys(picked)).toEqual(['handle.ask_resolve']);
      expect(picked.session).toMatchObject({ flow: 'handle', step: 'text', data: { number: 'MQ-2026-000013', action: 'resolve' } });
    }
    expect((await play(EMPTY_SESSION, '正在处理', liaison, effects)).replies[0]).toMatchObject({ key: 'work.which_progress', params: { count: 2 } });
    // One in hand: straight to its question.
    effects.myTickets = () => Promise.resolve(lines.slice(1, 2));
    const one = await play(EMPTY_SESSION, '办结了', liaison, effects);
    expect(one.replies[0]).toMatchObject({ key: 'handle.ask_resolve', params: { number: 'MQ-2026-000012' } });
    // None: said so, with 我的待办 to tap (or type 1).
    effects.myTickets = () => Promise.resolve(lines.slice(3));
    const none = await play(EMPTY_SESSION, '签收', liaison, effects);
    expect(none.replies).toEqual([{ key: 'work.none_accept', params: { text: '签收' }, choices: [{ label: 'menu.queue', payload: 'menu:queue' }] }]);
    expect(none.session.choices.map((c) => c.payload)).toEqual(['menu:queue']);
    expect(keys(await play(EMPTY_SESSION, '处理完了', liaison, effects))).toEqual(['work.none_handle']);
    expect(commands).toHaveLength(1);
    // Someone who handles no tickets (a dispatcher) is asked about them as a new request, as before.
    const dispatcher: Speaker = { ...liaison, roles: ['dispatcher'] };
    expect((await play(EMPTY_SESSION, '签收', dispatcher, effects)).replies[0]).toMatchObject({ key: 'report.offer', params: { text: '签收' } });
  });

  test('two matters in one message (…，还有…) are offered as two requests, each confirmed; kept as one, as before', async () => {
    const { effects } = fakeEffects();
    const reports: ReportDraft[] = [];
    effects.classify = (typed) => {
      const code = typed.includes('路灯') ? 'power' : typed.includes('垃圾') ? 'sanitation' : 'other';
      return { code, confidence: code === 'other' ? 0.1 : 0.9, kind: 'help', alternatives: [], matched: [] };
    };
    effects.report = (draft) => {
      reports.push(draft);
      return Promise.resolve({ ok: true, number: `MQ-2026-00000${reports.length}`, handler: '网格员 王**', resolveBy: null });
    };
    const asked = await play(EMPTY_SESSION, '路灯坏了好几天，还有垃圾也没人收', resident, effects);
    expect(asked.replies[0]).toMatchObject({ key: 'report.two_matters', params: { first: '路灯坏了好几天', second: '垃圾也没人收' } });
    // Split: the first from its category on, then the second, each to its own last check.
    let turn = await play(asked.session, '是的', resident, effects);
    expect(turn.replies[0]).toMatchObject({ key: 'report.category_guess', params: { category: 'power' } });
    for (const typed of ['是的', '1', '跳过', '跳过', '跳过']) turn = await play(turn.session, typed, resident, effects);
    expect(turn.replies.at(-1)).toMatchObject({ key: 'report.confirm', params: { description: '路灯坏了好几天' } });
    turn = await play(turn.session, '提交', resident, effects);
    expect(keys(turn)).toEqual(['report.done', 'report.next_matter', 'report.category_guess']);
    expect(turn.replies[2]).toMatchObject({ params: { category: 'sanitation' } });
    for (const typed of ['是的', '1', '跳过', '跳过', '跳过', '提交']) turn = await play(turn.session, typed, resident, effects);
    expect(keys(turn)).toEqual(['report.done', 'menu.more']);
    expect(reports.map((r) => [r.categoryCode, r.description])).toEqual([
      ['power', '路灯坏了好几天'],
      ['sanitation', '垃圾也没人收'],
    ]);
    // Kept as one: the whole text, its category the first matter's, as before.
    const one = await play(asked.session, '作为一件反映', resident, effects);
    expect(one.session).toMatchObject({ step: 'category', data: { description: '路灯坏了好几天，还有垃圾也没人收', categoryCode: 'power' } });
    expect(one.session.data['then']).toBeUndefined();
    // One matter told twice, or a second part placed nowhere, is one request with no question.
    for (const typed of ['路灯坏了，还有旁边的路灯也不亮', '路灯坏了，还有没有人管']) {
      expect(keys(await play(EMPTY_SESSION, typed, resident, effects)), typed).toEqual(['report.category_guess']);
    }
  });

  test('a place typed without its village is kept, and only the village is asked', async () => {
    const typed = await play(atLocation, '村东头的桥边');
    expect(keys(typed)).toEqual(['report.location_which_village']);
    expect(typed.replies[0]?.params).toEqual({ place: '村东头的桥边' });
    expect(typed.session.data).toMatchObject({ location: '村东头的桥边' });
    const picked = await play(typed.session, '1');
    expect(picked.session).toMatchObject({ step: 'photo', data: { regionId: 7, place: '东村', location: '村东头的桥边' } });

    // "At home" from someone whose household is not known: which village, then on.
    const home = await play(atLocation, '在家里');
    expect(keys(home)).toEqual(['report.location_home_village']);
    // From someone whose household is known: their home, as the button.
    expect((await play(atLocation, '就在我家门口', liaison)).session).toMatchObject({ step: 'photo', data: { regionId: null } });
    // The household's village is where it is shown (not 地点：—), with the spot typed (家门口), on to the last check.
    const withHome = fakeEffects().effects;
    withHome.villages = () => Promise.resolve({ villages: [{ id: 7, name: '东村', townshipId: 1, township: '青禾镇' }], home: 1, household: 7 });
    const spots: [string, string | null][] = [
      ['在家里', '家里'],
      ['家门口', '家门口'],
      ['我家', '我家'],
    ];
    for (const [typed, spot] of spots) {
      expect((await play(atLocation, typed, liaison, withHome)).session.data, typed).toMatchObject({ regionId: null, place: '东村', location: spot });
    }
    const offeringHome: SessionState = { ...atLocation, choices: [{ payload: 'home', label: '就在我家附近' }, ...atLocation.choices] };
    const tapped = await runTurn({ session: offeringHome, idle: false, input: tap('home'), speaker: liaison, effects: withHome });
    expect(tapped.session.data).toMatchObject({ regionId: null, place: '东村', location: null });
    const atPhone = await play(
      await play((await play(atLocation, '家门口', liaison, withHome)).session, '跳过', liaison, withHome).then((t) => t.session),
      '跳过',
      liaison,
      withHome,
    );
    expect(atPhone.replies.at(-1)).toMatchObject({ key: 'report.confirm', params: { location: '东村 家门口' } });

    // A village named without 村: 东湖那边的桥 is 东湖村's.
    const { effects } = fakeEffects();
    effects.villages = () => Promise.resolve({ villages: [{ id: 8, name: '东湖村', townshipId: 1, township: '青禾镇' }], home: null });
    expect((await play(atLocation, '东湖那边的桥', resident, effects)).session).toMatchObject({ step: 'photo', data: { regionId: 8, location: '东湖那边的桥' } });
    // A yes or a phone number is no place.
    expect(keys(await play(atLocation, '提交'))).toEqual(['report.location_unknown', 'report.location']);
    expect(keys(await play(atLocation, '13800138000'))).toEqual(['report.location_unknown', 'report.location']);
  });
});

describe('a push shown while a question is pending', () => {
  const household: Speaker = { ...resident, personId: 9, hasHousehold: true };
  const play = (session: SessionState, input: FlowInput, effects: Effects) => runTurn({ session, idle: false, input, speaker: household, effects });
  /** The liaison's visit asks "属实 / 有出入" (yes / no) while the resident confirms a report's category (是的 / 选择其它类别). */
  const visitPush = [
    { payload: 'visit:5:accurate', label: '属实', means: 'yes' as const },
    { payload: 'visit:5:inaccurate', label: '有出入', means: 'no' as const },
  ];
  const ratingPush = [
    { payload: 'rate:MQ-2026-000001:satisfied', label: '满意' },
    { payload: 'rate:MQ-2026-000001:basic', label: '基本满意' },
    { payload: 'rate:MQ-2026-000001:dissatisfied', label: '不满意' },
  ];
  const reporting = async (effects: Effects, pushed: SessionState['pushed']): Promise<SessionState> => {
    const turn = await play(EMPTY_SESSION, text('村口路灯坏了'), effects);
    expect(turn.session.step).toBe('category');
    // As the store leaves it when the push is shown (TurnStore.offerChoices).
    return decodeSession(JSON.parse(JSON.stringify(encodeSession({ ...turn.session, pushed }))) as ReturnType<typeof encodeSession>);
  };

  test('words only the pending question offers answer it, and the push waits to be answered after', async () => {
    const { effects, visits } = fakeEffects();
    const session = await reporting(effects, ratingPush);
    expect(session.pushed?.map((c) => c.payload)).toEqual(ratingPush.map((c) => c.payload));
    let turn = await play(session, text('是的'), effects);
    // The report goes on (the category confirmed: it asks where) and the rating is still there.
    expect(turn.session).toMatchObject({ flow: 'report', data: { categoryCode: 'power' } });
    expect(turn.session.step).not.toBe('category');
    expect(turn.session.pushed?.map((c) => c.label)).toEqual(['满意', '基本满意', '不满意']);
    // A word only the push offers answers the push; the report's question is asked again.
    turn = await play(turn.session, text('满意'), effects);
    expect(turn.replies[0]?.key).toBe('rate.comment');
    expect(turn.session.pushed).toBeUndefined();
    expect(visits.answers).toEqual([]);
    // The report waits meanwhile, and 返回 brings it back where it was.
    const where = turn.session.suspended;
    expect(where).toMatchObject({ flow: 'report', data: { description: '村口路灯坏了', categoryCode: 'power' } });
    turn = await play(turn.session, text('跳过'), effects);
    expect(turn.replies.map((r) => r.key)).toContain('session.suspended_waiting');
    turn = await play(turn.session, text('返回'), effects);
    expect(turn.replies[0]?.key).toBe('session.resumed');
    expect(turn.session).toMatchObject({ flow: 'report', step: where?.step, data: { description: '村口路灯坏了' } });
  });

  test('a word or number both could mean is asked about, and the choice tapped or typed then goes where it was meant', async () => {
    const { effects, visits } = fakeEffects();
    const session = await reporting(effects, visitPush);
    const turn = await play(session, text('是的'), effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['input.which_message']);
    expect(turn.replies[0]?.choices?.map((c) => c.label)).toEqual([{ text: '刚收到的消息：属实' }, { text: '正在填写的：是的' }]);
    expect(turn.session).toMatchObject({ flow: 'report', step: 'category' });
    expect(visits.answers).toEqual([]);
    // "2": the report's own 是的.
    const own = await play(turn.session, text('2'), effects);
    expect(own.session).toMatchObject({ flow: 'report', data: { categoryCode: 'power' } });
    expect(own.session.step).not.toBe('category');
    expect(visits.answers).toEqual([]);
    // "1" instead: the visit is confirmed as 属实.
    const theirs = await play(turn.session, text('1'), effects);
    expect(visits.answers).toEqual([[5, true, null]]);
    expect(theirs.replies[0]?.key).toBe('visit.rate');
    // A number too is asked about when both lists have it; one beyond both is out of range for the question's own.
    const numbered = await play(session, text('1'), effects);
    expect(numbered.replies.map((r) => r.key)).toEqual(['input.which_message']);
    const beyond = await play(session, text('3'), effects);
    expect(beyond.replies[0]).toMatchObject({ key: 'input.no_such_choice', params: { count: 2 } });
  });

  test('a push about a request, asked about, is named by the request’s number and short title, not by its button alone', async () => {
    const { effects } = fakeEffects();
    const asked: string[] = [];
    effects.ticket = (number) => {
      asked.push(number);
      const view: TicketView = {
        number,
        summary: '村口路灯坏了好几天晚上走路看不见了啊',
        state: 'resolved',
        categoryCode: 'power',
        createdAt: new Date('2026-11-16T01:00:00Z'),
        resolveBy: null,
        place: null,
        map: null,
        handler: null,
        phone: null,
        dispatchNote: null,
        media: [],
        history: [],
        can: { supply: false, urge: false, withdraw: false, rate: true, accept: false, handle: false },
      };
      return Promise.resolve(view);
    };
    const session = await reporting(effects, ratingPush);
    const turn = await play(session, text('1'), effects);
    expect(turn.replies.map((r) => r.key)).toEqual(['input.which_message']);
    expect(turn.replies[0]?.choices?.map((c) => c.label)).toEqual([
      { text: '刚收到的消息（MQ-2026-000001「村口路灯坏了好几天晚上走路看不见」）：满意' },
      { text: '正在填写的：是的' },
    ]);
    expect(asked).toEqual(['MQ-2026-000001']);
    // One no longer to be seen (not the reader's) is named by its button, as before.
    effects.ticket = () => Promise.resolve(null);
    const unseen = await play(session, text('1'), effects);
    expect(unseen.replies[0]?.choices?.map((c) => c.label)).toEqual([{ text: '刚收到的消息：满意' }, { text: '正在填写的：是的' }]);
  });

  test('with no question pending, the push is what a number or a word answers, as it was shown last', async () => {
    const { effects } = fakeEffects();
    const idle: SessionState = { ...EMPTY_SESSION, choices: [{ payload: 'menu:help', label: '帮助' }], pushed: ratingPush };
    const turn = await play(idle, text('1'), effects);
    expect(turn.session).toMatchObject({ flow: 'rate', step: 'comment', data: { rating: 'satisfied' } });
    expect(turn.session.pushed).toBeUndefined();
  });
});

describe('sessions stored before flows had schemas', () => {
  test('an old session with the hidden `_step` key and loose fields still loads, parsed by its flow’s schema', () => {
    const stored = {
      flow: 'report',
      step: 'category',
      data: JSON.stringify({
        data: { description: '路灯坏了', categoryCode: 'power', kind: 'help', confidence: 0.8, _step: 'category' },
        choices: ['yes', 'pick'],
        choicesFrom: 41,
      }),
    };
    const session = decodeSession(stored);
    expect(session).toEqual({
      flow: 'report',
      step: 'category',
      data: { description: '路灯坏了', categoryCode: 'power', kind: 'help', confidence: 0.8, photos: [] },
      choices: [
        { payload: 'yes', label: '' },
        { payload: 'pick', label: '' },
      ],
      choicesFrom: 41,
    });
    expect(decodeSession(encodeSession(session))).toEqual(session);
  });

  test('a session whose data no longer parses, or whose flow or step is gone, starts over (its choices kept)', () => {
    const choices = [{ payload: 'yes', label: '是的' }];
    const noNumber = decodeSession({ flow: 'view', step: 'show', data: JSON.stringify({ data: {}, choices }) });
    expect(noNumber).toEqual({ ...EMPTY_SESSION, choices });
    expect(decodeSession({ flow: 'gone', step: 'x', data: JSON.stringify({ data: {}, choices }) })).toEqual({ ...EMPTY_SESSION, choices });
    expect(decodeSession({ flow: 'report', step: 'constructor', data: JSON.stringify({ data: {}, choices }) })).toEqual({ ...EMPTY_SESSION, choices });
  });

  test('a suspended step is parsed by its own flow’s schema', () => {
    const data = JSON.stringify({ data: {}, choices: [], suspended: { flow: 'withdraw', step: 'confirm', data: { number: 'MQ-2026-000001', stray: 1 } } });
    expect(decodeSession({ flow: null, step: null, data }).suspended).toEqual({ flow: 'withdraw', step: 'confirm', data: { number: 'MQ-2026-000001' } });
  });
});

describe('催办: a resident urges an open request', () => {
  const play = (session: SessionState, input: FlowInput, effects: Effects) => runTurn({ session, idle: false, input, speaker: resident, effects });
  const keys = (turn: { replies: { key: string }[] }) => turn.replies.map((r) => r.key);
  const RESOLVE_BY = new Date('2026-11-19T09:30:00Z');
  /** The resident's requests: two open, one resolved; the pipeline refuses a second urge of a ticket within the test. */
  function urging(lines: TicketLine[] = LINES) {
    const { effects, commands } = fakeEffects();
    const urged = new Set<string>();
    effects.myTickets = () => Promise.resolve(lines);
    effects.concerns = (number) => Promise.resolve(lines.some((t) => t.number === number));
    effects.ticket = (number) => {
      const line = lines.find((t) => t.number === number);
      if (!line) return Promise.resolve(null);
      const open = line.state !== 'resolved';
      const view: TicketView = {
        ...line,
        createdAt: RESOLVE_BY,
        resolveBy: RESOLVE_BY,
        place: null,
        map: null,
        handler: '网格员 王**',
        phone: null,
        dispatchNote: null,
        media: [],
        history: [],
        can: { supply: false, urge: open, withdraw: open, rate: !open, accept: false, handle: false },
      };
      return Promise.resolve(view);
    };
    effects.command = (number, command) => {
      commands.push({ number, command });
      if (urged.has(number)) return Promise.resolve({ ok: false, text: '这件诉求已于 11月16日 09:00 催办过' });
      urged.add(number);
      return Promise.resolve({ ok: true });
    };
    return { effects, commands };
  }
  const LINES: TicketLine[] = [
    { number: 'MQ-2026-000001', summary: '村口路灯坏了', state: 'in_progress', categoryCode: 'power' },
    { number: 'MQ-2026-000002', summary: '水管漏水', state: 'dispatched', categoryCode: 'water' },
    { number: 'MQ-2026-000003', summary: '垃圾没人清', state: 'resolved', categoryCode: 'sanitation' },
  ];
  const viewOf = async (number: string, effects: Effects) => play(EMPTY_SESSION, tap(`view:${number}`), effects);

  test('an open ticket’s view offers 催办; a resolved one’s does not', async () => {
    const { effects } = urging();
    const open = await viewOf('MQ-2026-000001', effects);
    expect(open.replies[0]?.choices?.map((c) => c.payload)).toContain('urge:MQ-2026-000001');
    const resolved = await viewOf('MQ-2026-000003', effects);
    expect(resolved.replies[0]?.choices?.map((c) => c.payload)).not.toContain('urge:MQ-2026-000003');
  });

  test('at the view, 催办 tapped, numbered or typed in the resident’s words urges that ticket and answers with its state and deadline', async () => {
    for (const input of [tap('urge:MQ-2026-000002'), text('催办'), text('催一下'), text('怎么还没办？'), text('快点'), text('1')]) {
      const { effects, commands } = urging();
      const shown = await viewOf('MQ-2026-000002', effects);
      // 催办 is the view's first choice here (the ticket is open, nothing to supply): "1" picks it.
      expect(shown.session.choices[0]).toMatchObject({ payload: 'urge:MQ-2026-000002', label: '催办', means: 'urge' });
      const turn = await play(shown.session, input, effects);
      const label = input.action ?? input.text;
      expect(commands, label).toEqual([{ number: 'MQ-2026-000002', command: { type: 'urge' } }]);
      expect(turn.replies[0], label).toEqual({
        key: 'urge.done',
        params: { number: 'MQ-2026-000002', state: 'dispatched', resolveBy: RESOLVE_BY.toISOString() },
      });
    }
  });

  test('typed from the menu: with several open requests it asks which, with one it urges it, with none it says so', async () => {
    const several = urging();
    const asked = await play(EMPTY_SESSION, text('催办'), several.effects);
    expect(asked.replies[0]).toMatchObject({ key: 'urge.which', params: { count: 2 } });
    expect(asked.replies[0]?.choices?.map((c) => c.payload)).toEqual(['urge:MQ-2026-000001', 'urge:MQ-2026-000002']);
    expect(several.commands).toEqual([]);
    const picked = await play(asked.session, text('2'), several.effects);
    expect(several.commands).toEqual([{ number: 'MQ-2026-000002', command: { type: 'urge' } }]);
    expect(keys(picked)[0]).toBe('urge.done');

    const one = urging(LINES.slice(0, 1).concat(LINES.slice(2)));
    const urged = await play(EMPTY_SESSION, text('快点'), one.effects);
    expect(one.commands).toEqual([{ number: 'MQ-2026-000001', command: { type: 'urge' } }]);
    expect(urged.replies[0]).toMatchObject({ key: 'urge.done', params: { number: 'MQ-2026-000001', state: 'in_progress' } });

    const none = urging(LINES.slice(2));
    expect(keys(await play(EMPTY_SESSION, text('催一下'), none.effects))[0]).toBe('urge.none');
    expect(none.commands).toEqual([]);
  });

  test('a second urge the same day: the pipeline’s answer, with what is happening meanwhile (received when, handled by whom), the state and deadline', async () => {
    const { effects, commands } = urging();
    await play(EMPTY_SESSION, tap('urge:MQ-2026-000001'), effects);
    const again = await play(EMPTY_SESSION, tap('urge:MQ-2026-000001'), effects);
    expect(commands).toHaveLength(2);
    expect(again.replies[0]).toEqual({
      key: 'urge.not_done',
      params: {
        number: 'MQ-2026-000001',
        state: 'in_progress',
        resolveBy: RESOLVE_BY.toISOString(),
        reason: '这件诉求已于 11月16日 09:00 催办过',
        receivedAt: RESOLVE_BY.toISOString(),
        handler: '网格员 王**',
      },
    });
  });
});
