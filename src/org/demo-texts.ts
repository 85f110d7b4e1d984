/**
 * What the people of the demo history say and write: villagers' requests per category
 * (the labelled messages of the category matcher, data/classifier/labelled.csv, plus the
 * ones below, some only in their season), landmarks, and the handlers', dispatchers' and
 * residents' notes along the way. Nothing here names a person or gives a phone number:
 * the public board and the report scrub those, and demo texts stay clean anyway.
 *
 * The seasonal weights say how the mix moves through a year in a northern Chinese county:
 * drainage, power cuts and dilapidated houses in the rainy summer, harvests and their
 * disputes in June and October, school starts in September, 低保 reviews, flu and wage
 * arrears before the Spring Festival in winter.
 */
import type { CategoryCode } from '../pipeline/states.js';

/** Months 1–12 → factor (missing months: 1). */
type Season = Partial<Record<number, number>>;

/** How often each category is reported, relative to the others, in an ordinary month. */
export const CATEGORY_WEIGHTS: Readonly<Record<CategoryCode, number>> = {
  road: 14,
  water: 12,
  power: 13,
  sanitation: 13,
  safety: 6,
  dispute: 7,
  welfare: 9,
  health: 5,
  education: 4,
  housing: 4,
  agriculture: 6,
  employment: 3,
  governance: 2,
  other: 3,
};

/** The seasonal factor of each category by month. */
export const CATEGORY_SEASONS: Readonly<Record<CategoryCode, Season>> = {
  road: { 7: 1.3, 8: 1.2, 10: 1.1, 12: 1.1, 1: 1.1 },
  water: { 6: 1.2, 7: 1.5, 8: 1.4, 12: 1.2, 1: 1.3 },
  power: { 6: 1.1, 7: 1.4, 8: 1.4, 12: 1.2, 1: 1.2 },
  sanitation: { 6: 1.2, 7: 1.3, 8: 1.3, 10: 1.1, 11: 0.8, 12: 0.7, 1: 0.7 },
  safety: { 10: 1.1, 12: 1.3, 1: 1.4, 2: 1.3 },
  dispute: { 6: 1.1, 10: 1.2, 12: 1.2, 1: 1.3 },
  welfare: { 9: 1.2, 11: 1.3, 12: 1.5, 1: 1.3 },
  health: { 7: 1.1, 11: 1.2, 12: 1.3, 1: 1.3 },
  education: { 7: 0.6, 8: 1.6, 9: 1.8, 2: 1.4 },
  housing: { 6: 1.3, 7: 1.4, 11: 1.1 },
  agriculture: { 6: 1.5, 9: 1.4, 10: 1.6, 11: 1.1, 12: 0.7, 1: 0.7 },
  employment: { 7: 1.2, 12: 1.8, 1: 2, 2: 1.5 },
  governance: { 7: 0.9, 12: 1.3, 1: 1.3 },
  other: {},
};

/** How many requests a month brings, relative to an ordinary month. */
export const MONTH_VOLUME: Readonly<Season> = { 1: 1.05, 2: 0.85, 3: 0.95, 6: 1, 7: 1.12, 8: 1.08, 9: 0.98, 10: 0.92, 11: 0.95 };

/** Requests written for the history, beside the labelled ones; `months` limits one to its season. */
export const EXTRA_REQUESTS: Readonly<Record<CategoryCode, readonly (string | { text: string; months: readonly number[] })[]>> = {
  road: [
    '村里到组上的水泥路裂了好几道缝，车过去颠得厉害',
    '村口的减速带被压坏了，螺丝都露出来了，扎了好几个车胎',
    '桥头的护栏缺了一截，晚上看不清，怕有人掉下去',
    '我们组那段路一直没有路灯也没有反光标志，转弯处老出事',
    { text: '连着下了几天大雨，村西的土路冲出一道大沟，三轮车过不去了', months: [6, 7, 8] },
    { text: '雨水把路基冲空了一块，路边都悬着，赶紧来看看吧', months: [7, 8] },
    { text: '秋收拉玉米的车太多，把刚修的路压坏了', months: [9, 10, 11] },
    { text: '下雪以后村道结冰了，早上好几个人滑倒，能不能撒点盐', months: [12, 1, 2] },
  ],
  water: [
    '自来水这几天一到中午就没水，早晚才有一点',
    '村里的排水沟好久没清了，全是淤泥，一下雨就往外冒',
    '水表井的盖子丢了，一个大坑在路边，很危险',
    '自来水管在俺家门口漏了好几天了，地上一直是湿的',
    { text: '天太热了用水的人多，二楼一整天都上不去水', months: [6, 7, 8] },
    { text: '暴雨过后村里内涝，水都进院子了，排水沟太小排不出去', months: [6, 7, 8] },
    { text: '天冷了水管冻住了，一滴水都没有，做饭只能去邻居家挑水', months: [12, 1, 2] },
    { text: '入冬了，村里的供水管道露在外面没包保温，怕冻裂', months: [11, 12] },
  ],
  power: [
    '组里的路灯有一半不亮了，晚上出门黑乎乎的',
    '电线从树中间穿过去，树枝把电线都磨破皮了',
    '家里电压忽高忽低，灯一闪一闪的，电视都烧坏了',
    '村口变压器旁边的电线杆歪了，下面就是小孩玩的地方',
    { text: '天热大家都开空调，一到晚上就跳闸，老人热得睡不着', months: [6, 7, 8] },
    { text: '打雷把线路打坏了，整个组停电一上午了', months: [6, 7, 8] },
    { text: '天冷用电暖气，电压低得电暖气都不热', months: [12, 1, 2] },
  ],
  sanitation: [
    '村里的垃圾箱满了好几天没人拉，都溢到路上了',
    '河边有人倒了一堆装修垃圾，把河道都堵了一半',
    '公厕的化粪池满了，味道飘得满街都是',
    '保洁员说清运车坏了，垃圾就一直堆着',
    { text: '天热垃圾池臭得厉害，苍蝇到处飞，能不能多拉几趟', months: [6, 7, 8] },
    { text: '有人在地头烧秸秆，满村都是烟，孩子咳嗽', months: [6, 10, 11] },
  ],
  safety: [
    '最近村里晚上老有摩托车轰油门，开得飞快，怕撞到人',
    '村口的监控探头好像不转了，能不能找人修一下',
    '有人在村里收旧手机，问东问西的，看着不像好人',
    '仓库里堆了很多柴草，离电线太近，怕着火',
    { text: '地里的玉米晚上被人偷割了一片', months: [9, 10] },
    { text: '天冷了有人在屋里烧炭取暖，门窗关得严严的，怕煤气中毒', months: [11, 12, 1, 2] },
    { text: '快过年了有人在村里卖烟花，没有手续，放在住人的屋里', months: [12, 1, 2] },
  ],
  dispute: [
    '邻居家新砌的围墙占了过道，俺家的车出不去了',
    '两家共用的水井，他家加了锁不让俺们打水',
    '他家的鸡鸭天天跑到俺家菜地里，说了好几次也不管',
    '兄弟俩分老宅闹得很僵，想请村里出面调解一下',
    { text: '收麦子的时候邻居家的收割机把俺家的地边压坏了，不肯赔', months: [6] },
    { text: '秋收时两家为了地头的一条垄吵起来了', months: [9, 10] },
    { text: '快过年了，欠俺家的钱还是不还，想找人调解', months: [12, 1] },
  ],
  welfare: [
    '家里老人八十多岁了，听说有高龄补贴，不知道怎么领',
    '孩子残疾，想申请残疾人两项补贴，需要准备什么',
    '低保年审要交什么材料，什么时候交',
    '老伴去世了，丧葬补助怎么申请',
    { text: '新农合明年的费用开始交了吗，在哪里交，能不能在手机上交', months: [9, 10, 11, 12] },
    { text: '天冷了，独居老人家里取暖的煤还没有着落，能不能帮帮忙', months: [11, 12, 1] },
    { text: '年底了，临时救助还能申请吗，家里今年看病花了很多钱', months: [11, 12] },
  ],
  health: [
    '村卫生室的血压计坏了，老人量不了血压',
    '家庭医生说每季度来一次随访，半年没见人了',
    '卫生院的B超什么时候能做，要不要预约',
    { text: '天热老人中暑了，村医能不能上门看看', months: [6, 7, 8] },
    { text: '流感的人多了，卫生室有没有流感疫苗可以打', months: [10, 11, 12, 1] },
  ],
  education: [
    '学校门口上下学的时候车太多，能不能安排人维持一下',
    '孩子的营养午餐这学期还有吗',
    { text: '开学了，孩子从外地转回来上学，需要办什么手续', months: [8, 9] },
    { text: '开学以后校车还开不开，路太远孩子走不动', months: [8, 9] },
    { text: '暑假孩子没人看，村里能不能办个暑期托管班', months: [6, 7] },
  ],
  housing: [
    '老房子的房梁裂了，请人看看还能不能住',
    '危房改造的房子住进去没多久，墙就开裂了',
    { text: '雨季到了，俺家土坯房的后墙被雨水泡得往外鼓，怕塌', months: [6, 7, 8] },
    { text: '入冬前危房改造的房子能完工吗，现在还住在亲戚家', months: [10, 11] },
  ],
  agriculture: [
    '村里的机井坏了，地浇不上水',
    '养的鸭子死了不少，想请兽医站来看看',
    '土地流转合同到期了，想问问续签的租金怎么算',
    { text: '麦收以后秸秆不让烧，秸秆怎么处理，有没有人来收', months: [6] },
    { text: '玉米收了卖不出去，收购价太低了，有没有合作社收', months: [9, 10, 11] },
    { text: '今年的耕地地力保护补贴什么时候发，去年这时候就到账了', months: [6, 7] },
  ],
  employment: [
    '镇上的人社所有没有适合五十多岁的人干的活',
    '想报名镇上的电商培训，在哪里报',
    { text: '放暑假了，有没有大学生的暑期实习岗位', months: [6, 7] },
    { text: '快过年了，在外面干活的工钱还没结，包工头不接电话', months: [11, 12, 1] },
  ],
  governance: [
    '村务公开栏上的账目看不懂，能不能讲清楚一点',
    '村里开证明要盖章，跑了两趟都没找到管章的人',
    { text: '年底了，村里今年的集体收入和支出什么时候公开', months: [12, 1] },
  ],
  other: ['村里手机信号太差，在屋里打不了电话', '快递只送到镇上，能不能在村里设个代收点', '村里的广播喇叭坏了，通知都听不到', '想在村文化广场组织个戏曲队，能不能借用场地'],
};

/** Places in every village that residents name (the village name goes before them). */
export const LANDMARKS: readonly string[] = [
  '村口大槐树旁',
  '村委会门前',
  '小学门口',
  '文化广场',
  '卫生室旁边',
  '东头桥头',
  '老戏台那边',
  '水塔下面',
  '晒谷场',
  '南头小卖部门口',
  '一组和二组交界的路口',
  '村北的机井旁',
  '河堤上',
  '垃圾池旁边',
  '村西的坡道',
];

/** What a handler reports on the way 报告进展, per category, and in general. */
export const PROGRESS_NOTES: Readonly<Partial<Record<CategoryCode, readonly string[]>>> = {
  road: ['已到现场查看，坑洼处先放了警示牌', '已报镇交管站，材料明天运到', '施工队已进场，预计两天内补好'],
  water: ['已到现场，确认是主管道阀门问题', '已联系水务站，维修人员下午到', '管子已挖开，正在更换'],
  power: ['已联系供电所电工，约好明天上午来', '已到现场查看，需要更换灯头', '电工正在排查线路'],
  sanitation: ['已通知保洁员清理', '已联系清运公司，今天下午来车', '现场已清理一半'],
  safety: ['已联系派出所民警，今晚开始加强巡逻', '已到现场查看，隐患已拍照上报'],
  dispute: ['已分别找双方了解情况', '约好周末在村委会当面调解', '双方初步同意协商'],
  welfare: ['已核对家庭情况，材料清单已发给您', '材料已交到镇民政办，正在审核'],
  housing: ['已请镇住建办的同志来看了房子', '鉴定结果出来了，正在走改造申请'],
  agriculture: ['已联系镇农业农村办', '兽医明天上午到村里'],
};

/** Progress notes for any category. */
export const GENERAL_PROGRESS: readonly string[] = ['已收到，正在了解情况', '已到现场查看，正在协调处理', '已联系相关部门，正在办理', '正在处理中，有进展会及时告知'];

/** The handler's answer when resolving 办结/答复, per category. */
export const RESULTS: Readonly<Partial<Record<CategoryCode, readonly string[]>>> = {
  road: ['坑洼已用水泥补平，可以正常通行', '护栏已修复', '路面已清理，障碍物已移走'],
  water: ['阀门已更换，已恢复供水', '漏水的管子已换新，路面已恢复', '排水沟已清淤疏通'],
  power: ['路灯已修好，今晚开始正常亮', '电工已更换线路，电压已恢复正常', '电线杆已扶正加固'],
  sanitation: ['垃圾已清运完毕，已跟保洁员约定每周清两次', '现场已清理干净', '已通知当事人自行清理并已清完'],
  safety: ['派出所已加强夜间巡逻，监控已修复', '隐患已消除', '已提醒相关住户注意安全并已整改'],
  dispute: ['经调解双方达成一致，已签调解协议', '双方已和好，问题已解决', '已向双方讲清政策，当事人表示接受'],
  welfare: ['已告知申请条件和所需材料，并已帮您提交', '补贴已核实，下月随其他补贴一起发放', '已按政策答复'],
  health: ['村医已上门看过，已开药', '已告知接种时间和地点', '卫生室已补齐常用药'],
  education: ['已与学校沟通，已按政策答复', '校车已恢复运行', '已告知转学手续和办理地点'],
  housing: ['已列入今年危房改造计划', '已安排维修，房子已修好', '已告知审批流程和办理地点'],
  agriculture: ['补贴已核实发放', '兽医已上门诊治', '已告知政策并协助办理'],
  employment: ['已推荐到镇上的企业面试', '工资已协调追回', '已告知报名方式和培训时间'],
  governance: ['已督促村委会按时公开，公开栏已更新', '已向镇纪委反映，正在核查', '已答复办理流程'],
  other: ['已答复', '已转告有关单位，已答复您', '已联系运营商处理'],
};

/** What a handler asks the resident for 补充材料. */
export const INFO_QUESTIONS: readonly string[] = [
  '请拍一张现场照片发过来，方便确定位置',
  '请提供户口本和身份证照片',
  '请说一下具体是哪一段，离哪个路口近',
  '请补充一下家庭收入情况和相关证明',
  '请问您家具体住几组几号，方便上门',
];

/** What residents supply. */
export const INFO_SUPPLIED: readonly string[] = [
  '照片已经发了，就在村口往东一百米',
  '材料都拍好了，麻烦看一下',
  '是二组往南那一段，靠近小桥',
  '证明已经开好了',
  '家里随时有人，直接来就行',
];

/** Why a handler asks for more time 延期. */
export const EXTENSION_REASONS: readonly string[] = [
  '需要等材料运到才能施工',
  '涉及多个部门，需要协调时间',
  '需要等镇上审批',
  '当事人外出打工，约不到时间调解',
  '天气原因无法施工',
];

/** Why a handler sends a request back 退单. */
export const RETURN_REASONS: readonly string[] = ['不属于本网格，请转相关部门', '这件事需要部门处理，网格员无权办理', '不属于本部门职责，请重新派单', '地点不在本辖区'];

/** Why a handler takes a request to the level above 上报. */
export const ESCALATION_REASONS: readonly string[] = ['超出村级处理权限，需要镇里协调', '需要资金支持，村里解决不了', '涉及多个部门，需要上级统筹', '需要县里审批'];

/** Why a dispatcher denies an extension. */
export const DENIAL_REASONS: readonly string[] = ['群众急需解决，请按原时限办结', '理由不充分，请抓紧办理'];

/** A dispatcher's 督办 note. */
export const SUPERVISION_NOTES: readonly string[] = ['请加快办理，本周内办结并反馈', '群众反映多次，请尽快处理', '请说明进展，按时办结'];

/** Why a resident withdraws 撤销. */
export const WITHDRAW_REASONS: readonly string[] = ['问题已经自己解决了', '已经找人修好了，不用麻烦了', '弄错了，不是这个事'];

/** What residents add to a rating, by rating (often nothing). */
export const RATING_COMMENTS: Readonly<Record<'satisfied' | 'basically_satisfied' | 'dissatisfied', readonly string[]>> = {
  satisfied: ['办得很快，谢谢', '网格员很负责', '问题解决了，满意', '感谢政府'],
  basically_satisfied: ['解决了，就是有点慢', '基本解决了，希望以后多注意', '还行'],
  dissatisfied: ['问题还是没解决', '说修好了，其实没修', '只是答复了，没有实际解决'],
};

/** What a liaison notes on a visit to a paired household (民情日记). */
export const VISIT_NOTES: readonly string[] = [
  '老人身体还好，按时吃药，叮嘱天冷注意保暖',
  '了解今年小麦收成情况，家里收入比去年稳定',
  '反映村里路灯晚上有几盏不亮，已记下',
  '询问医保缴费的时间和标准，已当场解答',
  '孩子在外打工，家里只有老两口，约好每周来看看',
  '家里刚翻修了屋顶，问能不能申请危房改造补助',
  '宣传防诈骗知识，留了网格员电话',
  '反映门前排水沟堵塞，下雨积水',
  '了解低保材料准备情况，提醒年审时间',
  '邻里之间因宅基地边界有点争执，已劝说双方',
  '询问养老保险领取手续，已说明需要的材料',
  '家中一切正常，没有新的诉求',
  '反映自来水水压小，早晚用水困难',
  '宣讲秸秆禁烧和冬季防火要求',
  '老人行动不便，问能否上门办理高龄补贴认证',
  '了解大棚蔬菜销路，希望村里帮忙对接收购',
];

/** What a household says when a visit record is not quite right. */
export const VISIT_DISPUTES: readonly string[] = ['说的情况不全，还有用水的事没记', '没有说要申请补助', '来的时间不对，是前天来的'];

/** What households write at the end of the demo's 服务需求表. */
export const SURVEY_SUGGESTIONS: readonly string[] = [
  '希望村里多组织几次义诊，老人看病不方便',
  '村东头的路灯晚上经常不亮，希望修一修',
  '希望冬天能安排人帮独居老人检查取暖',
  '垃圾清运能不能固定时间，夏天味道大',
  '希望有针对中老年人的手机使用培训',
  '自来水水压小，早晚用水困难',
  '希望多一些技能培训，农闲时能就近打工',
  '文化广场的健身器材坏了两件',
  '没有意见，村里工作做得挺好',
  '希望村里道路拓宽，农忙时会车困难',
];

/** What households say of their liaison in the demo's 双述双评. */
export const APPRAISAL_COMMENTS: readonly string[] = [
  '网格员很负责，有事打电话就来',
  '走访很勤，帮我们办了养老保险认证',
  '希望来得再勤一点',
  '态度好，就是有些事办得慢',
  '帮忙对接了蔬菜收购，很感谢',
  '来过几次，但反映的问题还没解决',
];

/** A liaison's 述职 in the demo, a sentence per part. */
export const LIAISON_REPORTS: readonly string[] = [
  '本半年按月走访包联户，重点户每周上门，记录民情日记。',
  '协调解决路灯、排水、饮水等问题，办结群众诉求多件。',
  '帮助困难户申请临时救助和高龄补贴，调解邻里纠纷。',
  '存在的不足：部分外出务工户联系不上，下半年加强电话回访。',
];

/** Requests that are no request (greetings, tests): not for tickets. */
export function isRequestText(text: string): boolean {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= 4 && !/^(你好|谢谢|哈哈|测试|好的知道了)$/.test(text) && !/机器人|天气/.test(text);
}
