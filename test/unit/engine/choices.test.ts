import { describe, expect, test } from 'vitest';
import { choiceNumber, matchChoice, normaliseAnswer, type OfferedChoice, typedWholeNumber, URGE_WORDS, urgesOffered, workWord } from '../../../src/engine/choices.js';

const yesPick: OfferedChoice[] = [
  { payload: 'yes', label: '是的', means: 'yes' },
  { payload: 'pick', label: '选择其他类别', means: 'no' },
];
const need: OfferedChoice[] = [
  { payload: 'need', label: '有，登记诉求', means: 'yes' },
  { payload: 'no_need', label: '没有了', means: 'no' },
];
const photo: OfferedChoice[] = [{ payload: 'skip', label: '跳过', means: 'skip' }];
const phone: OfferedChoice[] = [
  { payload: 'registered', label: '用登记的电话' },
  { payload: 'skip', label: '跳过', means: 'skip' },
];
const withdraw: OfferedChoice[] = [
  { payload: 'yes', label: '是的', means: 'yes' },
  { payload: 'no', label: '不用了', means: 'no' },
];
const days: OfferedChoice[] = ['1', '2', '3', '5', '10'].map((d) => ({ payload: `days:${d}`, label: d }));
const ratings: OfferedChoice[] = [
  { payload: 'rate:MQ-2026-000001:satisfied', label: '满意' },
  { payload: 'rate:MQ-2026-000001:basically_satisfied', label: '基本满意' },
  { payload: 'rate:MQ-2026-000001:dissatisfied', label: '不满意' },
];
const categories: OfferedChoice[] = [
  { payload: 'category:road', label: '道路交通' },
  { payload: 'category:water', label: '供水排水' },
  { payload: 'category:power', label: '电力照明' },
];

const picks = (text: string, offered: OfferedChoice[]) => {
  const match = matchChoice(text, offered);
  return match.kind === 'choice' ? match.payload : match.kind;
};

describe('choice matching', () => {
  test.each([
    // The title, exactly or nearly.
    ['是的', yesPick, 'yes'],
    ['是的！', yesPick, 'yes'],
    // 有…吗？ is answered 有 (a visit's need to file).
    ['有', need, 'need'],
    ['有的', need, 'need'],
    [' 是 的 ', yesPick, 'yes'],
    ['選擇其他類別', yesPick, 'pick'],
    ['选其他类别', yesPick, 'pick'],
    ['跳过', photo, 'skip'],
    ['跳過', photo, 'skip'],
    ['跳过吧', photo, 'skip'],
    ['用登记的电话', phone, 'registered'],
    ['用登记电话', phone, 'registered'],
    ['電力照明', categories, 'category:power'],
    ['基本满意', ratings, 'rate:MQ-2026-000001:basically_satisfied'],
    ['不满意', ratings, 'rate:MQ-2026-000001:dissatisfied'],
    ['满意！', ratings, 'rate:MQ-2026-000001:satisfied'],
    // The payload sent as text (Botkit's web client does this with quick replies).
    ['yes', yesPick, 'yes'],
    ['skip', photo, 'skip'],
    ['category:water', categories, 'category:water'],
    // Its number, in any form.
    ['1', yesPick, 'yes'],
    ['１', yesPick, 'yes'],
    ['一', yesPick, 'yes'],
    ['第一个', yesPick, 'yes'],
    ['第2个', yesPick, 'pick'],
    ['二', categories, 'category:water'],
    ['3号', categories, 'category:power'],
    ['7', categories, 'out_of_range'],
    // Yes / no / skip in plain words.
    ['对', yesPick, 'yes'],
    ['对的', yesPick, 'yes'],
    ['好的', yesPick, 'yes'],
    ['嗯', yesPick, 'yes'],
    ['可以', yesPick, 'yes'],
    ['OK', yesPick, 'yes'],
    ['y', yesPick, 'yes'],
    ['不对', yesPick, 'pick'],
    ['不是', yesPick, 'pick'],
    ['no', yesPick, 'pick'],
    ['确认', withdraw, 'yes'],
    ['不', withdraw, 'no'],
    ['否', withdraw, 'no'],
    ['n', withdraw, 'no'],
    ['不用', withdraw, 'no'],
    ['没有', photo, 'skip'],
    ['不用', photo, 'skip'],
    ['算了', photo, 'skip'],
    ['没有', phone, 'skip'],
    // None to give, said with what is asked for: a skip where one is offered, else a no.
    ['没有照片', photo, 'skip'],
    ['没照片', photo, 'skip'],
    ['不用拍了', photo, 'skip'],
    ['不留电话', phone, 'skip'],
    ['不留了', phone, 'skip'],
    ['没有了', need, 'no_need'],
    ['不需要了', withdraw, 'no'],
    // That is all: a skip, never a no.
    ['好了', photo, 'skip'],
    ['确认提交', photo, 'skip'],
    ['就这样吧', photo, 'skip'],
    ['好了', need, 'none'],
    ['就这样', withdraw, 'none'],
    // Numbers are titles here, not positions.
    ['5', days, 'days:5'],
    ['4', days, 'none'],
    // Not a choice: free text, and a denial of a title.
    ['村口的路灯坏了好几天', yesPick, 'none'],
    ['不是的', yesPick, 'pick'],
    ['是', photo, 'none'],
    ['', yesPick, 'none'],
  ])('%j against %j picks %s', (text, offered, expected) => {
    expect(picks(text, offered)).toBe(expected);
  });

  test('an ambiguous near title picks nothing', () => {
    const offered: OfferedChoice[] = [
      { payload: 'a', label: '东湖村' },
      { payload: 'b', label: '西湖村' },
    ];
    expect(picks('湖村', offered)).toBe('none');
    expect(picks('东湖村', offered)).toBe('a');
  });

  test('a long text that names a title is an answer of its own, not the title', () => {
    const offered: OfferedChoice[] = [{ payload: 'village:1', label: '东湖村' }];
    expect(picks('东湖村村口大槐树旁边', offered)).toBe('none');
  });

  test('numbers and normal forms', () => {
    expect(choiceNumber('第十二个')).toBe(12);
    expect(choiceNumber('二十')).toBe(20);
    expect(choiceNumber('no3')).toBe(3);
    expect(choiceNumber('三楼')).toBeNull();
    expect(normaliseAnswer('Ｙｅｓ！ 對')).toBe('yes对');
  });
});

describe('催办 in a resident’s words', () => {
  const view: OfferedChoice[] = [
    { payload: 'urge:MQ-2026-000001', label: '催办', means: 'urge' },
    { payload: 'withdraw:MQ-2026-000001', label: '撤销' },
  ];
  test.each(['催办', '催一下', '催一下！', '怎么还没办？', '怎么还没办好', '快点', '快点儿', '抓紧', '催辦', 'hurry'])('%s picks 催办 where it is offered', (typed) => {
    expect(picks(typed, view)).toBe('urge:MQ-2026-000001');
  });
  test('not where it is not offered, and not a denial or another choice', () => {
    expect(picks('快点', ratings)).toBe('none');
    expect(picks('不用催', view)).toBe('none');
    expect(picks('撤销', view)).toBe('withdraw:MQ-2026-000001');
    expect(urgesOffered('怎么还没办', view)).toBe(true);
    expect(urgesOffered('怎么还没办', ratings)).toBe(false);
    expect(urgesOffered('路灯怎么还没办好，都一个星期了', view)).toBe(false);
    // Words after the urge are something else (a request of its own).
    expect(picks('催一下路灯的事，另外垃圾也没人收', view)).toBe('none');
    // Typed anywhere, a sentence ending in 催一下 is an urge (the flow's words, tried as typed and as commands are).
    for (const typed of ['路灯的事都一个星期了还没人来修，催一下', '都一个星期了，帮我催一下吧']) expect(URGE_WORDS.test(typed), typed).toBe(true);
  });
});

describe('a whole number typed by a person (typedWholeNumber: console forms and chats alike)', () => {
  test.each([
    ['15', 15],
    [' 7 ', 7],
    ['１５', 15],
    ['\u3000２８\u3000', 28],
    ['十五', 15],
    ['二十', 20],
    ['两', 2],
    ['九十九', 99],
    ['０', 0],
    ['999999999', 999_999_999],
  ])('%j reads as %d', (text, n) => {
    expect(typedWholeNumber(text)).toBe(n);
  });

  test.each([null, undefined, '', '  ', '1.5', '-3', '1e3', '十五天', '一百', '1234567890', '1 5', '１５a'])('%j is no whole number', (text) => {
    expect(typedWholeNumber(text)).toBeNull();
  });

  test('a range refuses what lies outside it, full-width and Chinese alike', () => {
    expect(typedWholeNumber('２８', { min: 1, max: 28 })).toBe(28);
    expect(typedWholeNumber('２９', { min: 1, max: 28 })).toBeNull();
    expect(typedWholeNumber('三十', { min: 1, max: 28 })).toBeNull();
    expect(typedWholeNumber('零', { min: 1, max: 28 })).toBeNull();
    expect(typedWholeNumber('零', { min: 0, max: 28 })).toBe(0);
  });

  test('record ids take digits only, full-width too', () => {
    expect(typedWholeNumber('１２', { numerals: false })).toBe(12);
    expect(typedWholeNumber('十二', { numerals: false })).toBeNull();
  });
});

describe('a liaison’s work words (workWord: tried on their own tickets before any offer of a new request)', () => {
  test.each([
    ['签收', 'accept'],
    ['收到了', 'accept'],
    ['好的，签收', 'accept'],
    ['我已签收。', 'accept'],
    ['已经办好了', 'resolve'],
    ['办结了', 'resolve'],
    ['处理完了！', 'resolve'],
    ['已经修好了', 'resolve'],
    ['正在处理', 'progress'],
    ['处理中', 'progress'],
  ])('%s → %s', (text, word) => {
    expect(workWord(text)).toBe(word);
  });
  // An acknowledgement alone is small talk; a question or a result in words is not a work word.
  test.each(['收到', '好的', '办好了没', '路灯修好了吗', '已经修好了，水压正常了，明天再去看看', '村口路灯坏了'])('%s is none', (text) => {
    expect(workWord(text)).toBeNull();
  });
});
