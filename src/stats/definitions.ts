/**
 * The exact definition of every figure, in Chinese and English, as the statistics page,
 * the public board and the monthly report print them. src/stats/aggregate.ts computes
 * exactly this; test/integration/stats.test.ts checks it on worked examples.
 */
import type { Figures } from './types.js';

/** A figure's name and definition, Chinese first. */
export interface StatDefinition {
  name: { zh: string; en: string };
  definition: { zh: string; en: string };
}

/** Which tickets every figure is about. */
export const STAT_COHORT: StatDefinition = {
  name: { zh: '统计范围', en: 'Which requests count' },
  definition: {
    zh:
      '统计期内受理（登记时间在期间内，北京时间）、诉求发生地在所选区域内的诉求；被合并的重复诉求不计入任何数字。' +
      '会议决定交办的事项（由会议决定登记为工单）不是群众诉求，不计入任何数字，在会议记录和台账中跟踪。' +
      '“在办”“超期”等状态按查询时的当前状态计算；各项比率的分子分母均在同一批诉求中计算，分母为零时显示“—”。',
    en:
      'Requests received (registered) in the period, Beijing time, whose place lies in the chosen region; duplicates merged ' +
      'into another request count nowhere. Work a meeting decided and recorded as a ticket is no resident’s request and ' +
      'counts nowhere either: it is followed in the meeting’s record and the ledger. States such as open and overdue are as they are at the time of the query; each ' +
      'rate counts within the same requests, and shows "—" when its denominator is zero.',
  },
};

/** Every figure of {@link Figures}. */
export const STAT_DEFINITIONS: Readonly<Record<keyof Figures, StatDefinition>> = {
  received: {
    name: { zh: '受理量', en: 'Received' },
    definition: {
      zh: '统计期内受理的诉求件数（含已撤销的；不含被合并的重复诉求）。',
      en: 'Requests received in the period, withdrawn ones included, merged duplicates not.',
    },
  },
  open: {
    name: { zh: '在办', en: 'Open' },
    definition: {
      zh: '其中目前仍在办理流程中的件数：已受理、已派单、已签收、办理中、待补充材料、延期申请中、已退单、已上报、重办中。已办结待回访、已归档、已撤销的不算在办。',
      en:
        'Of those, the ones still in the pipeline now: received, dispatched, accepted, in progress, awaiting the resident, ' +
        'extension requested, returned, escalated, reopened. Resolved (awaiting callback), closed and withdrawn ones are not open.',
    },
  },
  overdue: {
    name: { zh: '超期', en: 'Overdue' },
    definition: {
      zh: '在办件中已超过办结时限（含批准的延期）、被系统标记为超期的件数。',
      en: 'Open requests past their handling deadline (approved extensions included), as the scheduler marked them.',
    },
  },
  responseRate: {
    name: { zh: '响应率', en: 'Response rate' },
    definition: {
      zh:
        '按时签收件数 ÷（已签收件数 + 签收时限已过仍未签收的件数）。按首次签收计：首次签收不晚于当时的签收时限、且此前没有签收时限已过，即为按时；' +
        '重新派单给新的承办人时签收时限重新起算。从未派出的、撤销前既未签收也未超过签收时限的不计入。',
      en:
        'Accepted in time ÷ (accepted + not accepted with the accept deadline passed). The first 签收 counts: it is in time ' +
        'when it comes by the accept deadline then in force and no earlier accept deadline had passed; a dispatch to a new ' +
        'handler starts a new accept deadline. Requests never dispatched, or withdrawn before either happened, do not count.',
    },
  },
  onTimeRate: {
    name: { zh: '按时办结率', en: 'On-time rate' },
    definition: {
      zh:
        '按时办结件数 ÷（已办结件数 + 超过办结时限仍未办结的在办件数）。按首次办结计：首次办结不晚于当时的办结时限（含批准的延期、补充材料期间顺延）即为按时；' +
        '重办不改变首次办结的结果。未办结就撤销的不计入。',
      en:
        'Resolved on time ÷ (resolved + open and past the handling deadline without ever being resolved). The first 办结 ' +
        'counts: on time when it comes by the deadline then in force (approved extensions and time awaiting the resident ' +
        'included); a reopen does not change it. Requests withdrawn before any 办结 do not count.',
    },
  },
  oneTimeRate: {
    name: { zh: '一次办结率', en: 'One-time resolution rate' },
    definition: {
      zh: '已归档且从未退单、上报或重办的件数 ÷ 已归档件数。',
      en: 'Closed with no return, escalation or reopen ever ÷ closed.',
    },
  },
  resolutionRate: {
    name: { zh: '解决率', en: 'Resolution rate' },
    definition: {
      zh:
        '回访时群众表示“已解决”的件数 ÷ 回访有答复的件数。每件按最近一次回访答复计：不满意重办后，在下一次回访前仍按上一次答复计。' +
        '回访未获评价（超时未答复，或工作人员电话回访无法联系、群众拒绝评价）不算答复：从未答复过的件不计入。',
      en:
        'Called solved at the callback ÷ callbacks answered. Each request counts once, with its latest answer: after a ' +
        'dissatisfied answer reopens it, that answer stands until the next one. A callback that ended without a rating (timed ' +
        'out, or staff could not reach the resident by phone, or the resident declined to rate) is no answer: requests never ' +
        'answered do not count.',
    },
  },
  satisfactionRate: {
    name: { zh: '满意率', en: 'Satisfaction rate' },
    definition: {
      zh: '（满意 + 基本满意）÷ 作出评价的件数，每件按最近一次评价计（同解决率）。',
      en: '(Satisfied + basically satisfied) ÷ rated, each request with its latest rating (as for the resolution rate).',
    },
  },
  returnRate: {
    name: { zh: '回退率', en: 'Return rate' },
    definition: {
      zh: '曾被退单（承办方退回、要求改派）的件数 ÷ 受理量。一件退单多次只计一次。',
      en: 'Requests returned by a handler (asking for another one) at least once ÷ received; a request returned several times counts once.',
    },
  },
  reopenRate: {
    name: { zh: '重办率', en: 'Reopen rate' },
    definition: {
      zh: '曾被重办（群众不满意或未解决后重新办理）的件数 ÷ 曾办结的件数。一件重办多次只计一次。',
      en: 'Requests reopened (after the resident called them unsolved or was dissatisfied) at least once ÷ requests resolved at least once; several reopens count once.',
    },
  },
  medianAcceptMinutes: {
    name: { zh: '签收用时中位数', en: 'Median time to accept' },
    definition: {
      zh: '已签收件从受理到首次签收所用时间（整分钟，按自然时间计）的中位数；件数为偶数时取中间两个数的平均。',
      en: 'Median of the minutes (whole, elapsed time) from receipt to the first 签收, over accepted requests; with an even ' + 'count, the mean of the two middle values.',
    },
  },
  medianResolveMinutes: {
    name: { zh: '办结用时中位数', en: 'Median time to resolve' },
    definition: {
      zh: '已办结件从受理到首次办结所用时间（整分钟，按自然时间计，含补充材料等待时间）的中位数；件数为偶数时取中间两个数的平均。',
      en:
        'Median of the minutes (whole, elapsed time, waits for the resident included) from receipt to the first 办结, over ' +
        'resolved requests; with an even count, the mean of the two middle values.',
    },
  },
};
