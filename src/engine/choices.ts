/**
 * Choice matching: the one place where a typed answer becomes one of the choices a
 * message offered. Villagers (many elderly) answer in words rather than taps: they type
 * the button's title, or nearly (跳过了, 是的呀, 電力照明), its number in any form (1, １,
 * 一, 第一个), a plain yes or no (对, 好的, 不是, ok), or — from a web client that sends a
 * quick reply's payload as text, as Botkit's own does — the payload itself.
 *
 * Flows never see any of this: they receive the chosen payload as if it had been tapped.
 */
import { createRequire } from 'node:module';
import type { Locale } from '../org/types.js';
import type { MessageAction } from '../pipeline/model.js';
import { render } from './i18n.js';

/**
 * What a choice means beyond its title: yes, no or skip (对 / 不是 / 算了 pick them), 催办
 * (催一下 / 快点 pick it), or a rating of a resolved request (挺好的 / 还行吧 / 没修好).
 */
export const CHOICE_MEANINGS = ['yes', 'no', 'skip', 'urge', 'satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type ChoiceMeaning = (typeof CHOICE_MEANINGS)[number];

/** Whether a stored value is a choice meaning (sessions and outbox rows keep them as text). */
export function isChoiceMeaning(value: unknown): value is ChoiceMeaning {
  return (CHOICE_MEANINGS as readonly unknown[]).includes(value);
}

/** A choice as offered in a chat: what it sends, and what the reader saw. */
export interface OfferedChoice {
  payload: string;
  /** The title as shown (rendered in the reader's language). */
  label: string;
  means?: ChoiceMeaning;
}

/** What a typed text came to. */
export type ChoiceMatch =
  | { kind: 'choice'; payload: string }
  /** A choice number that is not offered ("7" with three choices). */
  | { kind: 'out_of_range'; count: number }
  | { kind: 'none' };

/**
 * Catalogue keys of labels whose meaning is plain. A flow or a push offering one of
 * these gets the yes/no/skip words for free; a choice may also say `means` itself.
 */
const LABEL_MEANINGS: Record<string, ChoiceMeaning> = {
  'choice.yes': 'yes',
  'choice.submit': 'yes',
  'claim.confirm': 'yes',
  'choice.no': 'no',
  'choice.cancel': 'no',
  'report.other_category': 'no',
  'claim.reject': 'no',
  'choice.skip': 'skip',
  'action.urge': 'urge',
  'rating.satisfied': 'satisfied',
  'rating.basically_satisfied': 'basically_satisfied',
  'rating.dissatisfied': 'dissatisfied',
};

/** The meaning of a choice labelled with catalogue key `labelKey`, if it has a plain one. */
export function meaningOfLabel(labelKey: string): ChoiceMeaning | undefined {
  return LABEL_MEANINGS[labelKey];
}

// Words are compared after `normaliseAnswer` (simplified, lower case, no punctuation or spaces).
const YES = new Set([
  '是',
  '是的',
  '是啊',
  '是呀',
  '对',
  '对的',
  '对啊',
  '对呀',
  '对头',
  '好',
  '好的',
  '好啊',
  '好滴',
  '嗯',
  '嗯嗯',
  '恩',
  '可以',
  '行',
  '行的',
  '中',
  '确认',
  '确定',
  '提交',
  '同意',
  '没错',
  '没问题',
  '要',
  '需要',
  '正确',
  // The answer to 有…吗 (有需要办理的吗？): 有.
  '有',
  '有的',
  '有啊',
  '属实',
  'yes',
  'yeah',
  'yep',
  'ok',
  'okay',
  'y',
  'sure',
  'confirm',
  'submit',
  'right',
  'correct',
]);
const NO = new Set([
  '不',
  '不是',
  '不是的',
  '不是啊',
  '不对',
  '不对的',
  '否',
  '错了',
  '不要',
  '不行',
  '不用',
  '不用了',
  '不需要',
  '没有',
  '没',
  '算了',
  'no',
  'n',
  'nope',
  'not',
  'wrong',
  'cancel',
]);
const SKIP = new Set(['跳过', '略过', '没有', '没', '无', '不用', '不用了', '不需要', '算了', '不要', '没了', '下一步', '不了', 'skip', 'none', 'no', 'n', 'pass', 'next']);

/**
 * A rating in a resident's words, after the trailing particles (吧, 啊, 了…) are set aside:
 * 回访 asks 满意 / 基本满意 / 不满意, and elderly residents answer as they would a neighbour.
 * A bare 好 / 行 is not here: it says "yes" more often than "satisfied".
 */
const RATING_WORDS: Record<'satisfied' | 'basically_satisfied' | 'dissatisfied', Set<string>> = {
  satisfied: new Set([
    '很满意',
    '非常满意',
    '挺满意',
    '蛮满意',
    '十分满意',
    '特别满意',
    '太满意',
    '满意满意',
    '很好',
    '挺好',
    '挺好的',
    '蛮好',
    '非常好',
    '特别好',
    '太好',
    '真好',
    '不错',
    '很不错',
    '挺不错',
    '真不错',
    '修好',
    '修好了',
    '弄好',
    '解决',
    '解决了',
    '已经解决',
    '已经修好',
    '点赞',
    '好评',
    '五星',
    'verygood',
    'great',
    'good',
    'satisfied',
  ]),
  basically_satisfied: new Set([
    '还行',
    '还可以',
    '还好',
    '一般',
    '一般般',
    '凑合',
    '还凑合',
    '马马虎虎',
    '差不多',
    '过得去',
    '还过得去',
    '基本上满意',
    '还算满意',
    '比较满意',
    '还算可以',
    '勉强',
    'ok吧',
    'soso',
    'sosa',
  ]),
  dissatisfied: new Set([
    '很不满意',
    '非常不满意',
    '不太满意',
    '不好',
    '很不好',
    '不太好',
    '差',
    '很差',
    '太差',
    '差劲',
    '太差劲',
    '不怎么样',
    '没修好',
    '没有修好',
    '还没修好',
    '没弄好',
    '没解决',
    '没有解决',
    '还没解决',
    '还没好',
    '还是坏的',
    '还是不行',
    '没用',
    '没人来',
    '没人管',
    '糊弄',
    'bad',
    'notsatisfied',
    'dissatisfied',
  ]),
};
const RATING_CLOSING = /(?:吧|啊|呀|呢|哈|嘛|了|哦|喔|啦|的)+$/;

/** The rating a (normalised) text says in words, if it says one. */
function ratingSaid(typed: string): ChoiceMeaning | undefined {
  for (const form of [typed, typed.replace(RATING_CLOSING, '')]) {
    for (const [meaning, words] of Object.entries(RATING_WORDS)) if (words.has(form)) return meaning as ChoiceMeaning;
  }
  return undefined;
}

/**
 * 催办 in a resident's words: 催办, 催一下, 怎么还没办, 快点… Typed anywhere they start the
 * urge flow (flows/urge.ts, which asks which ticket); typed at a ticket that offers 催办
 * they pick that choice (see {@link urgesOffered}). Matched against a command form or an
 * answer's form (no punctuation or spaces, lower case).
 */
export const URGE_WORDS =
  /^(?:(?:.{1,20}?(?:了|呢|啊|呀|吧|，|,|。|！|!|\s))?(?:帮我|请|麻烦)?(?:催办|催一下|催催|催一催)(?:吧|啊|呀|一下吧)?|催办|催一下|催催|催一催|催促|帮我催|帮忙催|催下|怎么还没办|怎么还没有办|怎么还没办好|怎么还没处理|怎么还没修|还没办|还没办好|还没处理|快点|快点办|快一点|快点儿|抓紧|抓紧办|urge|hurry|hurryup|\/urge)$/i;

/** Whether a typed text urges and one of the offered choices means 催办: then that choice is the answer, not the urge flow's question. */
export function urgesOffered(text: string, offered: readonly OfferedChoice[]): boolean {
  return offered.some((c) => c.means === 'urge') && URGE_WORDS.test(normaliseAnswer(text, false));
}

/** "None to give" for an optional photo or phone: 没有照片, 不用拍了, 不留电话, 没图 — a skip, or a no. */
const NONE_TO_GIVE = /^(?:没有|没|不用|不要|不需要|无|不|不想)(?:拍|发|留|给|上传)?(?:照片|图片|相片|图|照|电话|号码|手机号?|联系方式)?(?:了|啦)?$/;
/** "That is all": only a skip (a photo step's 跳过), never a no. */
const DONE = new Set(['好了', '就这样', '就这样吧', '就这些', '完成', '完了', '发完了', '提交', '确认提交']);

/** A denial in front of a title: 不是的, 没有跳过, 别提交. */
const NEGATION = /^(?:不|没|别|非|未|无|not|no)/;

type Convert = (text: string) => string;
let toSimplified: Convert | undefined;

/**
 * opencc-js's traditional → simplified converter, made on first use: its tables cost ~8 MiB
 * of RSS, which most processes never need (answers are nearly always typed simplified, and
 * are tried as typed first). Required, not imported, so that loading this module costs
 * nothing; opencc-js's own types do not resolve under NodeNext, hence the cast.
 */
function simplifier(): Convert {
  if (!toSimplified) {
    const { Converter } = createRequire(import.meta.url)('opencc-js/t2cn') as { Converter: (options: { from: 't'; to: 'cn' }) => Convert };
    toSimplified = Converter({ from: 't', to: 'cn' });
  }
  return toSimplified;
}

/**
 * The form answers are compared in: Unicode-compatibility folded (full-width digits and
 * letters become ASCII), lower case, with no punctuation, symbols or spaces; and, when
 * `simplified`, traditional characters as simplified.
 */
export function normaliseAnswer(text: string, simplified = true): string {
  const folded = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\p{C}\s]/gu, '');
  // Only Han text needs the converter (its table is ~2.5 MiB of heap, loaded on first use).
  return simplified && /\p{Script=Han}/u.test(folded) ? simplifier()(folded) : folded;
}

/** Typed commands are short; longer words are a request or an answer, and are not read for one. */
const COMMAND_LENGTH = 24;
/** Polite openings (请, 帮我, 我想…) and closing particles (吧, 呢, 了…) around a command's words. */
const COMMAND_OPENING = /^(?:请|麻烦|帮我|帮忙|给我|我想|我要|想|要)+/;
const COMMAND_CLOSING = /(?:吧|啊|呀|呢|哈|嘛|了|哦|喔|啦)+$/;

/**
 * The forms a typed text is tried in as a command (flows.ts): as typed, then in the
 * answer's form (no punctuation or spaces, full-width folded), then without the polite
 * words around it and 一下 — so that 我的诉求。, 你好！, 菜单吧 and 请帮我查一下进度 read
 * as 我的诉求, 你好, 菜单 and 查进度. Not simplified: that table is loaded only for
 * answers, and commands are typed in simplified characters or listed in both.
 */
export function commandForms(text: string): string[] {
  const typed = text.trim();
  if (typed.length > COMMAND_LENGTH) return [typed];
  const answer = normaliseAnswer(typed, false);
  const bare = answer.replace(/一下/g, '').replace(COMMAND_OPENING, '').replace(COMMAND_CLOSING, '');
  return [...new Set([typed, answer, bare].filter((form) => form !== ''))];
}

/** 等一下，不是水管… / 说错了: the words correct what was said, whatever they read like. */
const CORRECTING = /^(?:等一下|等等|等会儿?|不对|不是|说错了|写错了|我说错了|更正|改一下|应该是|其实是)/;

/** What a liaison's short words about their work mean: accepting a ticket (签收), reporting progress, or resolving it (办结). */
export type WorkWord = 'accept' | 'progress' | 'resolve';

/** A closing particle or two after work words: 办好了啊, 签收吧. */
const WORK_CLOSING = '(?:了|啦|啊|呀|吧|呢|哈)*';
/** Work words in the answer's form; an acknowledgement before them (好的，签收) says nothing more. */
const WORK_WORDS: readonly (readonly [WorkWord, RegExp])[] = [
  ['accept', new RegExp(`^(?:我|俺)?(?:已经?)?(?:签收|收到了|已收到|接单|接到了|接了)(?:这个|这件|派单|任务)?${WORK_CLOSING}$`)],
  ['resolve', new RegExp(`^(?:我|俺)?(?:已经?|都)?(?:办结|办好|办完|处理完|处理好|处理完毕|修好|弄好|搞定|解决|办妥)(?:这个|这件)?${WORK_CLOSING}$`)],
  ['progress', new RegExp(`^(?:(?:我|俺)?(?:正在|在|已经在)(?:处理|办理|办|修|跟进)(?:中)?|处理中|办理中|正在跟进)${WORK_CLOSING}$`)],
];

/**
 * What a liaison's short words say of their work (签收, 收到了, 已经办好了, 办结了, 处理完了,
 * 正在处理), if that is all they say: they are tried on the liaison's own open tickets
 * (flows/offer-report.ts) before being offered as a new request. Null for anything else,
 * a longer text (已经修好了，水压正常了 is a result to keep) included.
 */
export function workWord(text: string): WorkWord | null {
  const typed = text.trim();
  if (typed === '' || typed.length > COMMAND_LENGTH) return null;
  const form = normaliseAnswer(typed, false).replace(/^(?:好的|好|嗯|ok)(?=.)/, '');
  return WORK_WORDS.find(([, pattern]) => pattern.test(form))?.[0] ?? null;
}

/** Whether a typed text corrects the matter being reported (never a new request of its own). */
export function corrects(text: string): boolean {
  return CORRECTING.test(normaliseAnswer(text, false));
}

/** 不知道, 不清楚, 我也说不好是哪一类…: the person does not know what was asked. */
const DONT_KNOW =
  /^(?:我|俺)?(?:也|真|实在)?(?:不知道|不晓得|不清楚|不太清楚|不太懂|搞不清楚?|弄不清楚?|说不清楚?|说不好|不懂|不会选|不确定)(?:是|属于|算|在)?(?:哪个|哪一个|哪种|哪一种|哪类|哪一类|什么|啥|哪里|哪儿|哪)?(?:类|类别|方面|分类|村|地方)?(?:的)?(?:问题)?$/;

/** Whether a typed text only says that the person does not know the answer. */
export function saysDontKnow(text: string): boolean {
  const form = normaliseAnswer(text, false).replace(COMMAND_CLOSING, '');
  return DONT_KNOW.test(form);
}

/** Whether a typed text is only a yes, a no or a skip (是的, 不用, 跳过…): no place, name or description. */
export function isPlainAnswer(text: string): boolean {
  const form = normaliseAnswer(text, false);
  return YES.has(form) || NO.has(form) || SKIP.has(form);
}

/** Words that set aside what is going on, when no choice offered takes them (as 跳过 or 不是 would). */
const SET_ASIDE = new Set([
  '算了',
  '算啦',
  '不用了',
  '不要了',
  '不弄了',
  '不搞了',
  '先不办了',
  '先不弄了',
  '以后再说',
  '下次再说',
  '等等再说',
  '没事了',
  '没事',
  '没事儿',
  '没事啦',
  '不麻烦了',
  'nevermind',
  'forgetit',
  'later',
]);
/** Thanks, and words that only say a message was read. */
const THANKS = new Set([
  '谢谢',
  '谢谢你',
  '谢谢你们',
  '谢谢了',
  '多谢',
  '多谢了',
  '感谢',
  '非常感谢',
  '太感谢了',
  '辛苦了',
  '辛苦你们了',
  '謝謝',
  '多謝',
  'thanks',
  'thankyou',
  'thx',
]);
const ACKNOWLEDGED = new Set([
  '好',
  '好的',
  '好滴',
  '好嘞',
  '好吧',
  '嗯',
  '嗯嗯',
  '哦',
  '噢',
  '收到',
  '知道了',
  '明白了',
  '明白',
  '晓得了',
  '行',
  '行吧',
  '那行',
  '那好',
  '还行',
  '还好',
  '可以',
  '还可以',
  'ok',
  'okay',
  '👍',
]);

/** What a short text says besides a request or an answer: sets the matter aside, thanks, or only acknowledges. */
export type SmallTalk = 'set_aside' | 'thanks' | 'acknowledged';

/** The small talk a typed text is, if it is nothing else (see the runner: a pending choice is tried first). */
export function smallTalk(text: string): SmallTalk | null {
  const typed = text.trim();
  if (typed === '' || typed.length > COMMAND_LENGTH) return null;
  // An emoji is a symbol to the answer's form: look at the typed text for those.
  const said = normaliseAnswer(typed, false) || typed;
  // 没事了，谢谢 / 好的谢谢: thanks after another word of small talk is that word's.
  const before = said.replace(/(?:谢谢你们|谢谢你|谢谢了|谢谢|多谢|thanks)$/, '');
  const form = before !== '' && before !== said && (SET_ASIDE.has(before) || ACKNOWLEDGED.has(before)) ? before : said;
  if (SET_ASIDE.has(form)) return 'set_aside';
  if (THANKS.has(form) || THANKS.has(form.replace(/啊|呀|哈|啦/g, ''))) return 'thanks';
  // 还行吧, 好的呀: the particles after an acknowledgement add nothing (not 了: a liaison's 收到了 accepts a ticket, see workWord).
  if (ACKNOWLEDGED.has(form) || ACKNOWLEDGED.has(form.replace(/(?:吧|啊|呀|呢|哈|嘛|哦|喔|啦|的)+$/, ''))) return 'acknowledged';
  return null;
}

const CHINESE_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 一 → 1, 十二 → 12, 二十 → 20 (up to 99); null when not a Chinese numeral. */
function chineseNumber(text: string): number | null {
  if (!/^[零〇一二两三四五六七八九十]{1,3}$/.test(text)) return null;
  const ten = text.indexOf('十');
  if (ten < 0) return text.length === 1 ? (CHINESE_DIGITS[text] ?? null) : null;
  const tens = ten === 0 ? 1 : (CHINESE_DIGITS[text.slice(0, ten)] ?? NaN);
  const ones = ten === text.length - 1 ? 0 : (CHINESE_DIGITS[text.slice(ten + 1)] ?? NaN);
  const value = tens * 10 + ones;
  return Number.isNaN(value) ? null : value;
}

/** The choice number a (normalised) text names: 2, ２, 二, 第二个, 第2项, 2号; null when it names none. */
export function choiceNumber(normalised: string): number | null {
  const match = /^(?:第|no|#)?([0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3})(?:个|项|条|号|个选项|种)?$/.exec(normalised);
  const digits = match?.[1];
  if (!digits) return null;
  return /^[0-9]+$/.test(digits) ? Number(digits) : chineseNumber(digits);
}

/**
 * A whole number a person typed, the one reading of it for chats and console forms:
 * digits, full-width ones too (１２, as a Chinese input method types them; NFKC), or,
 * unless `numerals` is false (record ids), a Chinese numeral as choices are read (十二,
 * up to 99); spaces around are ignored. Null when blank, not one, longer than nine
 * digits, or outside [min, max].
 */
export function typedWholeNumber(text: string | null | undefined, options: { min?: number; max?: number; numerals?: boolean } = {}): number | null {
  const value = text?.normalize('NFKC').trim() ?? '';
  const n = /^\d{1,9}$/.test(value) ? Number(value) : options.numerals === false ? null : chineseNumber(value);
  return n !== null && n >= (options.min ?? 0) && n <= (options.max ?? 999_999_999) ? n : null;
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[y.length] ?? max + 1;
}

/** The only element of `list`, or undefined when there are none or several. */
function only<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/** How far a typed title may stray from the real one and still count as "nearly". */
function tolerance(length: number): number {
  if (length >= 6) return 2;
  if (length >= 3) return 1;
  return 0;
}

/**
 * Which offered choice a typed text picks, trying in this order: the title exactly; the
 * payload sent as text; the choice's number; a yes / no / skip word when a choice means
 * it; the title nearly (a small typo, a particle added: 跳过吧, 选择其它类别). Only an
 * unambiguous match counts. Numbers are not taken as positions when the titles are
 * numbers themselves (a "how many days" question offering 1, 2, 3, 5, 10).
 */
export function matchChoice(text: string, offered: readonly OfferedChoice[]): ChoiceMatch {
  if (!offered.length) return { kind: 'none' };
  // Most answers are typed in simplified characters: tried as they are first, and only a
  // short Han text that matched nothing again as simplified (a long one is no title).
  const plain = matchNormalised(text, normaliseAnswer(text, false), offered, false);
  if (plain.kind !== 'none') return plain;
  const longest = Math.max(...offered.map((c) => [...c.label].length));
  if ([...text].length > longest + 4 || !/\p{Script=Han}/u.test(text)) return plain;
  return matchNormalised(text, normaliseAnswer(text), offered, true);
}

/** What a typed text came to when a push's choices stand beside those of a pending question. */
export type BesideMatch =
  | (ChoiceMatch & { pushed?: true })
  /** It picks one choice of each, differently (是的 to both, "1" to both): ask which was meant. */
  | { kind: 'both'; own: OfferedChoice; pushed: OfferedChoice };

/**
 * {@link matchChoice} over a pending question's own choices and, beside them, those of a
 * push shown after it (see SessionState.pushed): a text picking a choice of one only
 * picks it; one picking a different choice of each is not guessed at. A number beyond
 * both lists is out of range for the question's own.
 */
export function matchBeside(text: string, own: readonly OfferedChoice[], pushed: readonly OfferedChoice[]): BesideMatch {
  const mine = matchChoice(text, own);
  const theirs = matchChoice(text, pushed);
  if (mine.kind === 'choice' && theirs.kind === 'choice' && mine.payload !== theirs.payload) {
    const find = (list: readonly OfferedChoice[], payload: string) => list.find((c) => c.payload === payload)!;
    return { kind: 'both', own: find(own, mine.payload), pushed: find(pushed, theirs.payload) };
  }
  if (mine.kind === 'choice') return mine;
  if (theirs.kind === 'choice') return { ...theirs, pushed: true };
  if (mine.kind === 'out_of_range') return mine;
  return theirs;
}

/**
 * An answer that leads with a short choice and says more after it, apart from it by a
 * space or punctuation: "3 路灯还是不亮", "2，还行" (a number), "不满意，路灯还是不亮"
 * (words). "12号路灯" is no such answer (nothing sets the number apart), nor is "1 3" (a
 * list of numbers).
 */
export function answerWithWords(text: string): { head: string; words: string } | null {
  const found = /^([^\s,，.。、:：;；!！?？]{1,8})[\s,，.。、:：;；!！?？]+(\D.*)$/su.exec(text.trim());
  return found?.[1] && found[2]?.trim() ? { head: found[1], words: found[2].trim() } : null;
}

/** Whether the words after a choice of this meaning are its reason, to keep (a rating's comment). */
export function takesReason(means: ChoiceMeaning | undefined): boolean {
  return means !== undefined && means in RATING_WORDS;
}

/** {@link matchChoice} for a text already normalised as `typed`. */
function matchNormalised(text: string, typed: string, offered: readonly OfferedChoice[], simplified: boolean): ChoiceMatch {
  if (!typed) return { kind: 'none' };
  const titles = offered.map((c) => normaliseAnswer(c.label, simplified));
  const hit = (choice: OfferedChoice | undefined): ChoiceMatch | null => (choice ? { kind: 'choice', payload: choice.payload } : null);

  const exact = hit(only(offered.filter((_, i) => titles[i] === typed)));
  if (exact) return exact;
  const payload = hit(only(offered.filter((c) => c.payload.toLowerCase() === text.trim().toLowerCase())));
  if (payload) return payload;

  const numberedTitles = titles.some((t) => choiceNumber(t) !== null);
  // "1 3" or "1、3" lists several numbers (a multiple choice), not choice 13.
  const list = /\d[\s,，、;；]+\d/u.test(text.normalize('NFKC'));
  const position = numberedTitles || list ? null : choiceNumber(typed);
  if (position !== null) {
    const choice = offered[position - 1];
    return choice && position >= 1 ? { kind: 'choice', payload: choice.payload } : { kind: 'out_of_range', count: offered.length };
  }

  // A plain word answers a question whose choices mean yes, no or skip. A word that could
  // be a "no" or a "skip" (不用, 没有) takes whichever the question offers.
  const meaning = (means: ChoiceMeaning): ChoiceMatch | null => hit(only(offered.filter((c) => c.means === means)));
  if (YES.has(typed)) {
    const yes = meaning('yes');
    if (yes) return yes;
  }
  const no = NO.has(typed);
  // 算了不拍了, 那就不留了: the words before the "none to give" only lead up to it.
  if (no || SKIP.has(typed) || NONE_TO_GIVE.test(typed) || NONE_TO_GIVE.test(typed.replace(/^(?:算了|那就|那|哦|嗯|好吧)/, ''))) {
    const order: ChoiceMeaning[] = no ? ['no', 'skip'] : ['skip', 'no'];
    for (const means of order) {
      const found = meaning(means);
      if (found) return found;
    }
  }
  if (DONE.has(typed)) {
    const skip = meaning('skip');
    if (skip) return skip;
  }
  if (URGE_WORDS.test(typed)) {
    const urge = meaning('urge');
    if (urge) return urge;
  }
  const rating = ratingSaid(typed);
  if (rating) {
    const rated = meaning(rating);
    if (rated) return rated;
  }

  // Nearly the title: a few characters off, or the title with a word or two around it.
  const near = offered.filter((_, i) => {
    const title = titles[i] ?? '';
    if (!title) return false;
    const length = [...title].length;
    const typedLength = [...typed].length;
    if (distance(typed, title, tolerance(length)) <= tolerance(length)) return true;
    // 就在我家附近吧 ⊃ 就在我家附近; but not a long sentence that merely names a village,
    // and not a denial of the title (不是的 ⊅ 是的).
    const denied = NEGATION.test(typed) && !NEGATION.test(title);
    return !denied && length >= 2 && typedLength <= length + 2 && typed.includes(title);
  });
  return hit(only(near)) ?? { kind: 'none' };
}

/** A stored choice (a flow's reply or a push's button) as its reader is offered it. */
export function offeredChoice(action: MessageAction, locale: Locale): OfferedChoice {
  const means = action.means ?? (action.literal ? undefined : meaningOfLabel(action.label));
  return {
    payload: action.payload,
    label: action.literal ? action.label : render(locale, action.label),
    ...(means ? { means } : {}),
  };
}
