/**
 * Which village, in a real-sized county (test/helpers/big-county.ts: 377 villages in 15
 * townships): the rule that reads a village out of typed words (src/org/village-names.ts),
 * and the questions that ask it (flows/villages.ts) in 我要反映, 绑定家庭 and 代办登记, played
 * by the turn runner with effects that answer from memory. The small county keeps one list.
 */
import { describe, expect, test } from 'vitest';
import type { Effects, FlowInput, Speaker, VillageChoices } from '../../../src/engine/flow.js';
import { EMPTY_SESSION, runTurn, type SessionState } from '../../../src/engine/runner.js';
import { villageNamed, villagesNamed } from '../../../src/org/village-names.js';
import { VILLAGE_LIST_MAX } from '../../../flows/villages.js';
import { intakeChat } from '../../../flows/intake.js';
import { bigCountyVillages } from '../../helpers/big-county.js';

const county = bigCountyVillages();
const byName = (name: string) => county.filter((v) => v.name === name);
/** The 300th village by code: 兰亭镇老冲村, past any list of 200. */
const village300 = county[299]!;
const [qingheDonghu, qingxiDonghu] = byName('东湖村');
const QINGHE = qingheDonghu!.townshipId;
const QINGXI = qingxiDonghu!.townshipId;
const LANTING = village300.townshipId;

describe('a typed village, among all of a county’s', () => {
  test('the 300th village is recognised by its name, its short name, or with its township', () => {
    expect(village300).toMatchObject({ name: '老冲村', township: '兰亭镇' });
    for (const words of ['老冲村', '老冲那边的桥', '兰亭镇老冲村村口', '兰亭老冲']) expect(villageNamed(words, county)).toBe(village300);
  });

  test('a name two townships share: the township named, else the speaker’s own, else both to ask between', () => {
    expect(villagesNamed('东湖村', county)).toEqual([qingheDonghu, qingxiDonghu]);
    expect(villageNamed('东湖村', county)).toBeUndefined();
    expect(villageNamed('清溪镇东湖村', county)).toBe(qingxiDonghu);
    expect(villageNamed('青禾东湖那边', county)).toBe(qingheDonghu);
    expect(villageNamed('东湖村口', county, QINGXI)).toBe(qingxiDonghu);
    // The township named in the words beats the speaker's own.
    expect(villageNamed('青禾镇东湖村', county, QINGXI)).toBe(qingheDonghu);
  });

  test('a full name beats a short name inside ordinary words; several short names are asked about', () => {
    // 大桥 is 大桥村's short name, and an ordinary word: the full name typed is the village.
    expect(villageNamed('老冲村的大桥边', county)).toBe(village300);
    expect(villageNamed('大桥边上', county)?.name).toBe('大桥村');
    expect(villagesNamed('老冲和新沟之间', county).map((v) => v.name)).toEqual(['新沟村', '老冲村']);
    // A township alone names no village; nor do words without one.
    expect(villagesNamed('清溪镇那边', county)).toEqual([]);
    expect(villagesNamed('村东头的桥边', county)).toEqual([]);
  });
});

const resident: Speaker = { personId: 1, locale: 'zh', roles: ['resident'], hasHousehold: false, householdPhone: null, inConversation: false };
const liaison: Speaker = { ...resident, personId: 2, roles: ['liaison'], hasHousehold: true };
const small: VillageChoices = {
  villages: [
    { id: 7, name: '东村', townshipId: 1, township: '青禾镇' },
    { id: 8, name: '杏花村', townshipId: 1, township: '青禾镇' },
  ],
  home: null,
};

/** Effects holding only the matcher and the villages (the speaker's and, for 代办登记, the liaison's); any other effect throws. */
function effectsWith(choices: VillageChoices): Effects {
  const known = {
    // Nothing typed here reads like a new request.
    classify: () => ({ code: 'other', confidence: 0.1, kind: 'help', alternatives: [], matched: [] }),
    villages: () => Promise.resolve(choices),
    of: (module: unknown) => {
      if (module === intakeChat) return { villages: () => Promise.resolve(choices) };
      throw new Error('unexpected effects of a module this fake has not');
    },
  };
  return new Proxy(known, {
    get: (target, name) => {
      if (name in target) return target[name as keyof typeof target];
      throw new Error(`unexpected effect ${String(name)}`);
    },
  }) as unknown as Effects;
}

const text = (value: string): FlowInput => ({ text: value, action: null, location: null, media: [] });
const tap = (payload: string): FlowInput => ({ text: '', action: payload, location: null, media: [] });
const keys = (turn: { replies: { key: string }[] }) => turn.replies.map((r) => r.key);
const payloads = (turn: { replies: { choices?: { payload: string }[] }[] }) => turn.replies.at(-1)?.choices?.map((c) => c.payload) ?? [];
const labels = (turn: { replies: { choices?: { label: unknown }[] }[] }) => turn.replies.at(-1)?.choices?.map((c) => (c.label as { text?: string }).text ?? c.label) ?? [];

/** The three questions that ask a village, each reached by answering the step before it. */
const questions = [
  {
    flow: 'report',
    before: {
      flow: 'report',
      step: 'category',
      data: { description: '路灯坏了', categoryCode: 'power', confidence: 0.9, photos: [] },
      choices: [{ payload: 'yes', label: '是的' }],
    },
    answer: tap('yes'),
    step: 'location',
    key: 'report.location',
    then: 'landmark',
    typedThen: 'photo',
  },
  { flow: 'register', before: EMPTY_SESSION, answer: text('绑定家庭'), step: 'village', key: 'register.village', then: 'name', typedThen: 'name' },
  {
    flow: 'intake',
    before: { flow: 'intake', step: 'phone', data: { name: '王大妈' }, choices: [] },
    answer: text('13800138000'),
    step: 'village',
    key: 'intake.pick_village',
    then: 'channel',
    typedThen: 'channel',
  },
] as const;

describe.each(questions)('$flow asks which village', ({ flow, before, answer, step, key, then, typedThen }) => {
  const speaker = flow === 'intake' ? liaison : resident;
  const play = (session: SessionState, input: FlowInput, choices: VillageChoices) => runTurn({ session, idle: false, input, speaker, effects: effectsWith(choices) });
  const regionOf = (session: SessionState) => session.data['regionId'];
  const ask = async (choices: VillageChoices) => {
    const asked = await play(before as SessionState, answer, choices);
    expect(asked.session).toMatchObject({ flow, step });
    return asked;
  };

  test('a small county: one list of its villages', async () => {
    const asked = await ask(small);
    expect(keys(asked).at(-1)).toBe(key);
    expect(payloads(asked).filter((p) => p.startsWith('village:'))).toEqual(['village:7', 'village:8']);
    expect(payloads(asked).some((p) => p.startsWith('township:'))).toBe(false);
    const picked = await play(asked.session, text('2'), small);
    expect(picked.session.step).toBe(then);
    expect(regionOf(picked.session)).toBe(8);
  });

  test('a real-sized county: the township first (the speaker’s own first), then its villages; the 300th is chosen', async () => {
    const big: VillageChoices = { villages: county, home: LANTING };
    expect(county.length).toBeGreaterThan(VILLAGE_LIST_MAX);
    const asked = await ask(big);
    expect(keys(asked).slice(-2)).toEqual([key, 'villages.pick_township']);
    const townships = payloads(asked).filter((p) => p.startsWith('township:'));
    expect(townships).toHaveLength(15);
    expect(townships[0]).toBe(`township:${LANTING}`);
    expect(payloads(asked).some((p) => p.startsWith('village:'))).toBe(false);

    // 兰亭镇 tapped by typing its name, as the button reads: its 25 villages.
    const township = await play(asked.session, text('兰亭镇'), big);
    expect(keys(township)).toEqual(['villages.pick_village']);
    expect(township.replies[0]?.params).toEqual({ township: '兰亭镇' });
    expect(payloads(township)).toHaveLength(25);
    expect(township.session.step).toBe(step);
    const picked = await play(township.session, tap(`village:${village300.id}`), big);
    expect(picked.session.step).toBe(then);
    expect(regionOf(picked.session)).toBe(village300.id);
  });

  test('a village typed at either question goes straight through; a shared name asks between its villages only', async () => {
    const big: VillageChoices = { villages: county, home: null };
    const asked = await ask(big);
    const typed = await play(asked.session, text('老冲村'), big);
    expect(typed.session.step).toBe(typedThen);
    expect(regionOf(typed.session)).toBe(village300.id);

    // At a township's villages, another township's village typed is still that village.
    const township = await play(asked.session, tap(`township:${QINGHE}`), big);
    const elsewhere = await play(township.session, text('兰亭镇老冲村'), big);
    expect(regionOf(elsewhere.session)).toBe(village300.id);

    const shared = await play(asked.session, text('东湖村'), big);
    expect(keys(shared)).toEqual(['villages.which']);
    expect(labels(shared)).toEqual(['青禾镇东湖村', '清溪镇东湖村']);
    const which = await play(shared.session, text('2'), big);
    expect(which.session.step).toBe(then);
    expect(regionOf(which.session)).toBe(qingxiDonghu!.id);

    // The speaker's own township settles it.
    const own = { villages: county, home: QINGXI };
    const home = await play((await ask(own)).session, text('东湖村'), own);
    expect(regionOf(home.session)).toBe(qingxiDonghu!.id);
  });
});

describe('report: a township in the words', () => {
  test('清溪镇那边 offers 清溪镇’s villages; a shared location in a real-sized county asks the township', async () => {
    const big: VillageChoices = { villages: county, home: null };
    const at: SessionState = { ...EMPTY_SESSION, flow: 'report', step: 'location', data: { description: '路灯坏了', categoryCode: 'power', photos: [] } };
    const play = (session: SessionState, input: FlowInput) => runTurn({ session, idle: false, input, speaker: resident, effects: effectsWith(big) });
    const township = await play(at, text('清溪镇那边'));
    expect(keys(township)).toEqual(['villages.pick_village']);
    expect(payloads(township)).toHaveLength(26);
    const shared = await play(at, { ...text(''), location: { latitude: 30.1, longitude: 120.2, label: '桥头' } });
    expect(keys(shared)).toEqual(['report.location_village', 'villages.pick_township']);
    expect(shared.session.data).toMatchObject({ location: '桥头' });
  });

  test('the spot typed with a village or township asked about is kept (东湖村村口); a bare name or 那边 keeps nothing', async () => {
    const big: VillageChoices = { villages: county, home: null };
    const at: SessionState = { ...EMPTY_SESSION, flow: 'report', step: 'location', data: { description: '路灯坏了', categoryCode: 'power', photos: [] } };
    const play = (session: SessionState, input: FlowInput) => runTurn({ session, idle: false, input, speaker: resident, effects: effectsWith(big) });
    const shared = await play(at, text('东湖村村口的桥'));
    expect(keys(shared)).toEqual(['villages.which']);
    expect(shared.session.data).toMatchObject({ location: '东湖村村口的桥' });
    // Picked: the spot is known, so no landmark question; the village is not said twice.
    const picked = await play(shared.session, text('1'));
    expect(picked.session).toMatchObject({ step: 'photo', data: { regionId: qingheDonghu!.id, location: '东湖村村口的桥', place: null } });
    for (const bare of ['东湖村', '清溪镇那边', '清溪镇']) {
      expect((await play(at, text(bare))).session.data['location'], bare).toBeUndefined();
    }
    expect((await play(at, text('清溪镇卫生院门口'))).session.data).toMatchObject({ location: '清溪镇卫生院门口' });
  });

  test('不知道 where: roughly which village is asked, and nothing is kept as the place', async () => {
    const at: SessionState = { ...EMPTY_SESSION, flow: 'report', step: 'location', data: { description: '路灯坏了', categoryCode: 'power', photos: [] } };
    for (const typed of ['不知道', '说不清在哪', '我也不清楚是哪个村']) {
      const unsure = await runTurn({ session: at, idle: false, input: text(typed), speaker: resident, effects: effectsWith(small) });
      expect(keys(unsure), typed).toEqual(['report.location_unsure']);
      expect(payloads(unsure), typed).toEqual(['village:7', 'village:8']);
      expect(unsure.session.data['location'], typed).toBeUndefined();
    }
  });
});
