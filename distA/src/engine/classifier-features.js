/**
 * The features the category matcher's learned model sees in a message: Chinese
 * characters, character bigrams and jieba words, and stemmed English words.
 *
 * Why characters and bigrams as well as words: jieba cuts 桥栏杆 or 没来水 into pieces the
 * training messages may never have shown whole, while the bigrams 栏杆 and 来水 recur
 * across phrasings, and a character survives a typo in its neighbour (拉级 still shares
 * 级 with nothing, but 垃圾桶 and 垃圾箱 share 垃, 圾 and 垃圾). Words keep the longer
 * units bigrams split (低保户, 自来水); shorter words are a character or a bigram already,
 * and are not counted twice.
 *
 * A feature counts once per message (presence, not frequency): in short messages a
 * repeated word is emphasis, not more evidence. A feature seen only after a
 * secondary-topic marker (还有, 另外, "also": see classifier.ts) weighs `secondaryFactor`,
 * as keywords do. Function words give no feature at all (see the stop lists).
 */
import { stemWord } from './classifier-keywords.js';
/** A run of Chinese characters (no punctuation or Latin inside). */
const HAN_RUN = /\p{Script=Han}+/gu;
/**
 * English words that say nothing about a category. Dropping them keeps the model from
 * learning, say, that "the" leans towards whichever category had the longest English
 * examples. Stemmed as message words are (see stemWord).
 */
const ENGLISH_STOP_WORDS = new Set(('a an the and or but of to in on at for from by with about into over after before since until is are was were be been being am ' +
    'it its this that these those there here i me my we us our you your he him his she her they them their what which who whom ' +
    'do does did done have has had will would can could should shall may might must not no so too very just also than then as if ' +
    'when where how why any some all one two up down out off again still even only')
    .split(' ')
    .map(stemWord));
/**
 * Chinese function words, pronouns, question words and politeness. Every category's
 * messages use them, but in a labelled set of a thousand messages their counts differ
 * by chance (the `other` examples ask more questions, so 怎么 leant towards `other`), and
 * a word, its bigram and its characters would count that chance three times. A token
 * listed here gives no word feature, and its characters no bigram or character feature.
 * A message made only of these (你好, 在吗) has no evidence and stays `other`.
 */
const CHINESE_STOP_WORDS = new Set(('的 地 得 了 着 过 吗 呢 吧 啊 呀 嘛 哦 噢 哈 啦 喽 呗 么 嗯 是 在 有 也 都 就 才 还 又 再 和 跟 与 同 及 或 把 被 给 让 叫 对 向 从 ' +
    '我 你 您 他 她 它 咱 俺 我们 你们 他们 她们 咱们 俺们 大家 自己 人家 这 那 哪 这个 那个 这些 那些 这里 那里 这儿 那儿 这边 那边 ' +
    '什么 怎么 怎么样 怎样 咋 咋整 咋办 啥 为什么 为啥 干啥 哪里 哪儿 哪个 多少 如何 是否 是不是 有没有 能不能 可不可以 可以 能 会 要 想 ' +
    '请问 请 问 问问 问下 问一下 一下 你好 您好 谢谢 谢谢你 谢谢你们 麻烦 帮忙 帮 好的 好 行 在吗 在不在 喂 嗨 哈哈 一个 一些 一点 个 些 很 太 真 挺 非常 特别 比较 ' +
    '但是 可是 而且 因为 所以 如果 然后 就是 还是 或者 已经 现在 一直 总是 老是 经常 到底 怎么办 时候 什么时候 啥时候 多久 哪天').split(' '));
/** Prefixes that keep the kinds of feature apart. */
const WORD = 'w';
const CHARACTER = 'c';
const BIGRAM = 'b';
const ENGLISH = 'e';
function put(bag, key, weight) {
    const earlier = bag.get(key);
    if (earlier === undefined || earlier < weight)
        bag.set(key, weight);
}
/**
 * The features of a normalised message.
 * @param text the message, normalised (classifier-text.ts `normalise`).
 * @param hanTokens its jieba tokens that hold Chinese (`segment`), offsets into `text`.
 * @param latinTokens its stemmed Latin words (`latinTokens`).
 * @param secondaryFrom offset of the first secondary-topic marker, or -1.
 * @param secondaryFactor weight of a feature that appears only after that marker.
 */
export function textFeatures(text, hanTokens, latinTokens, secondaryFrom, secondaryFactor) {
    const bag = new Map();
    const weightAt = (start) => (secondaryFrom >= 0 && start > secondaryFrom ? secondaryFactor : 1);
    // Which stop token covers each UTF-16 offset (-1: none): its characters give no
    // character or bigram feature.
    const stopOf = new Int32Array(text.length).fill(-1);
    hanTokens.forEach((token, index) => {
        if (CHINESE_STOP_WORDS.has(token.text))
            stopOf.fill(index, token.start, token.end);
        else if ([...token.text].length >= 3)
            put(bag, WORD + token.text, weightAt(token.start));
    });
    for (const run of text.matchAll(HAN_RUN)) {
        const chars = [...run[0]];
        let start = run.index;
        for (let index = 0; index < chars.length; index += 1) {
            const char = chars[index] ?? '';
            const next = chars[index + 1];
            const nextStart = start + char.length;
            if ((stopOf[start] ?? -1) < 0) {
                put(bag, CHARACTER + char, weightAt(start));
                if (next !== undefined && (stopOf[nextStart] ?? -1) < 0)
                    put(bag, BIGRAM + char + next, weightAt(start));
            }
            start = nextStart;
        }
    }
    for (const token of latinTokens) {
        if (!ENGLISH_STOP_WORDS.has(token.text) && !/^\d+$/.test(token.text))
            put(bag, ENGLISH + token.text, weightAt(token.start));
    }
    return bag;
}
