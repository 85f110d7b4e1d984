/**
 * Answers in the villager's own words, on every step that offers choices: each choice is
 * taken the same whether it is tapped, or typed as its number (1, １, 一, 第一个), its title
 * (exactly, with punctuation or spaces, in traditional characters), its payload (Botkit's
 * web client sends a quick reply's payload as text), or a yes / no / skip word where the
 * choice means one. Each form runs in a fresh database and must give exactly the replies
 * the tap gives.
 */
import { Converter } from 'opencc-js/cn2t';
import { describe, expect, test } from 'vitest';
import type { OfferedChoice } from '../../src/engine/choices.js';
import { TestChat } from '../helpers/chat-client.js';
import { eachDatabase } from '../helpers/db.js';
import { type DialogueWorld as World, dialogueWorld } from '../helpers/dialogue-world.js';

/** opencc-js's types do not resolve under NodeNext (see src/engine/choices.ts). */
const toTraditional = (Converter as unknown as (options: { from: 'cn'; to: 'tw' }) => (text: string) => string)({ from: 'cn', to: 'tw' });

const resident = (w: World): Promise<TestChat> => w.resident('R-QH-01-001-H001', 'res');
const staff = (w: World, code: string, chatId: string): Promise<TestChat> => w.staff(code, chatId);

/** A resident's report of a street light, up to the step named. */
async function reportUpTo(w: World, step: 'category' | 'pick' | 'location' | 'photo' | 'phone' | 'confirm'): Promise<TestChat> {
  const chat = await resident(w);
  await chat.send('村口的路灯坏了好几天');
  if (step === 'category') return chat;
  if (step === 'pick') {
    await chat.tap('选择其他类别');
    return chat;
  }
  await chat.tap('是的');
  if (step === 'location') return chat;
  await chat.tap('就在我家附近');
  if (step === 'photo') return chat;
  await chat.tap('跳过');
  if (step === 'phone') return chat;
  await chat.tap('用登记的电话');
  return chat;
}

/** A resident with a submitted report (and its liaison's chat when asked). */
async function submitted(w: World): Promise<{ chat: TestChat; number: string }> {
  const chat = await reportUpTo(w, 'confirm');
  await chat.tap('提交');
  const number = /MQ-\d{4}-\d{6}/.exec(chat.text())?.[0];
  if (!number) throw new Error(chat.text());
  return { chat, number };
}

/** The resident's report, resolved by its liaison: the rating request arrives in the resident's chat. */
async function resolved(w: World): Promise<TestChat> {
  const { chat, number } = await submitted(w);
  const ticket = await w.database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
  const liaison = await staff(w, ticket.assignee?.code ?? '', 'liaison');
  await liaison.deliver({ action: `accept:${number}` });
  await liaison.deliver({ action: `handle:${number}:resolve` });
  await liaison.send('已更换灯泡');
  await chat.receive(w.database, w.pipeline, w.clock);
  const rating = chat.replies.find((r) => r.choices.length);
  chat.replies = rating ? [rating] : [];
  return chat;
}

interface Scenario {
  /** The step, as a villager meets it. */
  name: string;
  reach(w: World): Promise<TestChat>;
  /** The titles of the choices to try. */
  targets: string[];
}

const SCENARIOS: Scenario[] = [
  { name: 'report: is it 电力照明?', reach: (w) => reportUpTo(w, 'category'), targets: ['是的', '选择其他类别'] },
  { name: 'report: the category list', reach: (w) => reportUpTo(w, 'pick'), targets: ['供水排水', '其他'] },
  { name: 'report: where (a household resident)', reach: (w) => reportUpTo(w, 'location'), targets: ['就在我家附近', '石桥村'] },
  {
    name: 'report: the landmark (a visitor who picked a village)',
    async reach(w) {
      const chat = new TestChat(w.engine, 'web', 'visitor');
      await chat.send('村口的路灯坏了好几天');
      await chat.tap('是的');
      await chat.tap('东湖村');
      return chat;
    },
    targets: ['跳过'],
  },
  { name: 'report: a photo', reach: (w) => reportUpTo(w, 'photo'), targets: ['跳过'] },
  { name: 'report: a phone number', reach: (w) => reportUpTo(w, 'phone'), targets: ['用登记的电话', '跳过'] },
  { name: 'report: confirm', reach: (w) => reportUpTo(w, 'confirm'), targets: ['提交', '取消'] },
  {
    name: 'the main menu',
    async reach(w) {
      const chat = await resident(w);
      await chat.send('菜单');
      return chat;
    },
    targets: ['我的诉求', '我要反映'],
  },
  {
    name: 'my requests: the list',
    async reach(w) {
      const { chat } = await submitted(w);
      await chat.send('我的诉求');
      return chat;
    },
    targets: ['MQ-2026-000001'],
  },
  {
    name: 'my requests: one request',
    async reach(w) {
      const { chat, number } = await submitted(w);
      await chat.deliver({ action: `view:${number}` });
      return chat;
    },
    targets: ['催办', '撤销'],
  },
  {
    name: 'withdraw: are you sure?',
    async reach(w) {
      const { chat, number } = await submitted(w);
      await chat.deliver({ action: `withdraw:${number}` });
      return chat;
    },
    targets: ['是的', '不用了'],
  },
  { name: 'the rating request (a push)', reach: resolved, targets: ['满意', '基本满意', '不满意'] },
  {
    name: 'the rating comment',
    async reach(w) {
      const chat = await resolved(w);
      await chat.tap('满意');
      return chat;
    },
    targets: ['跳过'],
  },
  {
    name: 'household binding: the village',
    async reach(w) {
      const chat = new TestChat(w.engine, 'web', 'newcomer');
      await chat.send('绑定家庭');
      return chat;
    },
    targets: ['东湖村'],
  },
  {
    name: 'a liaison: the assignment ping (a push)',
    async reach(w) {
      const { number } = await submitted(w);
      const ticket = await w.database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      const liaison = await staff(w, ticket.assignee?.code ?? '', 'liaison');
      await liaison.receive(w.database, w.pipeline, w.clock);
      return liaison;
    },
    targets: ['签收', '退回'],
  },
  {
    name: 'a liaison: how many more days?',
    async reach(w) {
      const { number } = await submitted(w);
      const ticket = await w.database.db.ticket.findUniqueOrThrow({ where: { number }, include: { assignee: true } });
      const liaison = await staff(w, ticket.assignee?.code ?? '', 'liaison');
      await liaison.deliver({ action: `accept:${number}` });
      await liaison.deliver({ action: `handle:${number}:request_extension` });
      await liaison.send('需要等配件');
      return liaison;
    },
    targets: ['3', '10'],
  },
  {
    name: 'a liaison: report their free text as a request?',
    async reach(w) {
      const liaison = await staff(w, 'L-QH-01-001-01', 'liaison');
      await liaison.send('村部门口的路灯不亮了');
      return liaison;
    },
    targets: ['是的', '不用了'],
  },
  {
    name: 'a liaison: a household claim to confirm (a push)',
    async reach(w) {
      const household = await w.database.db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H001' }, include: { pairing: { include: { liaison: true } } } });
      const newcomer = new TestChat(w.engine, 'web', 'newcomer');
      await newcomer.send('绑定家庭');
      await newcomer.tap('东湖村');
      await newcomer.send(household.headName);
      await newcomer.send(household.phone ?? '');
      const liaison = await staff(w, household.pairing?.liaison.code ?? '', 'liaison');
      await liaison.receive(w.database, w.pipeline, w.clock);
      return liaison;
    },
    targets: ['确认', '不是本户'],
  },
];

const YES_WORDS = ['对', '对的', '好的', '嗯', '可以', 'ok', 'Y'];
const NO_WORDS = ['不对', '不是', '否', 'no', 'N'];
const SKIP_WORDS = ['跳过', '没有', '不用', '算了'];
const CHINESE = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四'];

/** Every way of typing choice `index` of `offered`. */
function typedForms(offered: OfferedChoice[], index: number): string[] {
  const choice = offered[index]!;
  const title = choice.label;
  const n = index + 1;
  const forms = [title, `${title}！`, [...title].join(' '), `「${title}」`, choice.payload, choice.payload.toUpperCase()];
  const traditional = toTraditional(title);
  if (traditional !== title) forms.push(traditional);
  const fullWidth = title.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  if (fullWidth !== title) forms.push(fullWidth);
  // Positions, unless the titles are numbers themselves.
  if (!offered.some((c) => /^\d+$/.test(c.label))) {
    forms.push(String(n), CHINESE[n] ?? String(n), `第${CHINESE[n] ?? n}个`, `第${n}个`);
    if (n < 10) forms.push(String.fromCharCode(0xff10 + n));
  }
  if (choice.means === 'yes') forms.push(...YES_WORDS);
  if (choice.means === 'no') forms.push(...NO_WORDS.filter((w) => !offered.some((c) => c.means === 'skip') || !SKIP_WORDS.includes(w)));
  if (choice.means === 'skip') forms.push(...SKIP_WORDS);
  return [...new Set(forms)];
}

/** What a chat was told: the texts and the titles of the choices offered. */
function heard(chat: TestChat): string[] {
  return chat.replies.map((r) => `${r.text} ${r.choices.map((c) => `[${c.label}]`).join('')}`);
}

eachDatabase((kind) => {
  describe('every choice, typed in the villager’s own words, is taken as if tapped', () => {
    // Concurrent: each form runs in its own world, which mostly waits on its database
    // (both databases' runs of this file took 300 s one at a time, 130 s so, on 2 cores).
    test.concurrent.each(SCENARIOS.map((s) => [s.name, s] as const))(
      '%s',
      async (_name, scenario) => {
        let tried = 0;
        for (const target of scenario.targets) {
          const baseline = await dialogueWorld({ database: kind });
          let expected: string[];
          let forms: string[];
          try {
            const chat = await scenario.reach(baseline);
            const offered = chat.replies.flatMap((r) => r.choices);
            const index = offered.findIndex((c) => c.label.includes(target));
            expect(index, `"${target}" in ${JSON.stringify(offered.map((c) => c.label))}`).toBeGreaterThanOrEqual(0);
            forms = typedForms(offered, index);
            await chat.tap(target);
            expected = heard(chat);
          } finally {
            await baseline.dispose();
          }
          for (const form of forms) {
            const w = await dialogueWorld({ database: kind });
            try {
              const chat = await scenario.reach(w);
              await chat.send(form);
              expect(heard(chat), `typed "${form}" for "${target}"`).toEqual(expected);
              tried += 1;
            } finally {
              await w.dispose();
            }
          }
        }
        expect(tried).toBeGreaterThanOrEqual(scenario.targets.length * 5);
        // A scenario opens a world per form: ~50 for the rating request, each a cloned
        // database on PostgreSQL; a loaded 2-core machine took over a minute for them.
      },
      300_000,
    );
  });
});
