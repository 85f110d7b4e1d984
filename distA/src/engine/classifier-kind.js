/** Cue lists in priority order: the first kind with a cue in the message wins. */
const CUES = [
    {
        kind: 'complaint',
        han: ['投诉', '举报', '告状', '曝光', '不公平', '不公正', '态度差', '态度太差', '乱收费', '克扣', '贪污', '挪用', '吃拿卡要', '刁难', '不作为', '优亲厚友', '贿选', '太不像话'],
        latin: /\b(complain|complaint|complaining|report(ed)? (him|her|them|the)|unfair|corrupt\w*|ignores?)\b/,
    },
    {
        kind: 'dispute',
        han: ['吵架', '纠纷', '打架', '闹矛盾', '闹翻', '调解', '不认账', '争地', '打起来'],
        latin: /\b(dispute|quarrel\w*|argue|arguing|fighting over|fight over)\b/,
    },
    {
        kind: 'suggestion',
        han: ['建议', '希望', '提个意见', '提意见', '最好能', '能不能装', '能不能建', '能不能办', '能不能组织', '能不能开', '能不能多', '能不能在'],
        latin: /\b(suggest\w*|propose|proposal|it would be good|should build|please add)\b/,
    },
    {
        kind: 'inquiry',
        han: [
            '请问',
            '咨询',
            '问一下',
            '问下',
            '问问',
            '想问',
            '怎么申请',
            '怎么办理',
            '怎么办',
            '怎么补',
            '怎么领',
            '怎么查',
            '怎么交',
            '怎么用',
            '如何',
            '在哪',
            '哪里',
            '哪儿',
            '什么时候',
            '啥时候',
            '啥时侯',
            '多少钱',
            '交多少',
            '多久',
            '需要什么',
            '需要啥',
            '什么手续',
            '啥手续',
            '什么材料',
            '能申请',
            '能用吗',
            '能报',
            '能领',
            '能补吗',
            '吗?',
            '不?',
            '么?',
        ],
        latin: /\b(how do|how to|how much|how can|where can|where is|where do|when will|when is|can i|is there|are there|what is)\b/,
    },
];
/**
 * The kind of a request. `text` must be normalised (NFKC, lower case). A message in the
 * dispute category with no other cue is a dispute.
 */
export function guessKind(text, category) {
    for (const cue of CUES) {
        if (cue.han.some((word) => text.includes(word)) || cue.latin.test(text))
            return cue.kind;
    }
    return category === 'dispute' ? 'dispute' : 'help';
}
