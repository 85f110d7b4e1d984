/**
 * Words that say nothing about what a request is about, left out of hot words 热点:
 * function words, pronouns, politeness, and the words every request uses (问题, 希望,
 * 解决…). Single characters are left out anyway. Edit freely: a word listed here stops
 * counting at once, even for requests already stored.
 */
import { stemWord } from '../engine/classifier-keywords.js';
const ZH = `
我们 你们 他们 她们 它们 咱们 自己 大家 别人 人家 这个 那个 这些 那些 这里 那里 这边 那边 这样 那样 这么 那么
什么 怎么 怎么办 怎样 为什么 哪里 哪个 多少 如何 是否 是不是 有没有 能不能 可不可以 会不会
一个 一些 一下 一点 一直 一样 一起 一般 一次 两个 几个 几天 好几天 好多 很多 许多 所有 每天 天天 每次
已经 还是 还有 还要 但是 可是 不过 因为 所以 如果 虽然 然后 而且 或者 并且 只是 就是 也是 都是 不是 没有 没人
现在 目前 最近 今天 昨天 明天 前天 今年 去年 时候 时间 之前 以后 之后 以前 马上 尽快 赶紧 及时 经常 总是 老是 一直
可以 能够 需要 应该 必须 希望 想要 打算 觉得 认为 知道 看看 看到 听说 发现 出现 存在 进行 造成 导致
请问 你好 您好 谢谢 感谢 麻烦 帮忙 帮助 帮帮 拜托 领导 同志 师傅 老师 工作人员 相关 有关 部门 政府 村里 村委
问题 情况 事情 东西 地方 方面 反映 反应 投诉 咨询 建议 求助 处理 解决 落实 办理 回复 答复 联系 核实 协调 了解
非常 特别 比较 十分 太多 严重 真的 确实 实在 根本 完全 全部 有点 有些 一定 肯定 可能 好像 似乎 不能 不会 不要 不用
`;
const EN = `
the and for with this that these those there here have has had was were are is be been being not but
from into onto about please thanks thank help need want would could should can will just very also
our your their they them you she him her its it's we us me my mine what when where which who how why
`;
const english = EN.split(/\s+/).filter(Boolean);
/** The stop words: Chinese as written, English also in the stemmed form Latin tokens take. */
export const STOP_WORDS = new Set([...ZH.split(/\s+/).filter(Boolean), ...english, ...english.map(stemWord)]);
