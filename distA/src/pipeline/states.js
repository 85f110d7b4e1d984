/**
 * The states and closed vocabularies of the acceptance pipeline (see DOMAIN.md):
 * 受理 → 派单 → 签收 → 办理中 → 办结 → 回访 → 归档, with 补充材料, 延期, 退单, 上报, 重办, 撤销.
 */
export const TICKET_STATES = [
    'received', // 受理: registered, not yet with a handler
    'dispatched', // 派单: sent to a handler, waiting for 签收
    'accepted', // 签收: the handler acknowledged it
    'in_progress', // 办理中
    'awaiting_resident', // 补充材料: waiting for the resident; the clock is paused
    'extension_requested', // 延期申请: the handler asked for more time
    'returned', // 退单: the handler sent it back as wrongly dispatched
    'escalated', // 上报: beyond this level's authority, waiting at the level above
    'resolved', // 办结/答复: the handler says it is done; the resident is asked to rate
    'callback', // 回访: the resident (or staff by phone) answered the callback
    'closed', // 归档
    'reopened', // 重办: dissatisfied, back to the handler
    'withdrawn', // 撤销: withdrawn by the resident
    'merged', // 已合并: staff merged it into another ticket as a duplicate
];
/** States where nothing more happens (only a closed ticket may be reopened by staff). */
export const TERMINAL_STATES = ['closed', 'withdrawn', 'merged'];
/** States in which the handling clock runs: the ticket is "在办". */
export const OPEN_STATES = [
    'received',
    'dispatched',
    'accepted',
    'in_progress',
    'awaiting_resident',
    'extension_requested',
    'returned',
    'escalated',
    'reopened',
];
/** States of a ticket that was resolved: 办结, then 回访 and 归档. */
export const RESOLVED_STATES = ['resolved', 'callback', 'closed'];
export const STATE_NAMES = {
    received: { zh: '已受理', en: 'received' },
    dispatched: { zh: '已派单', en: 'dispatched' },
    accepted: { zh: '已签收', en: 'accepted' },
    in_progress: { zh: '办理中', en: 'in progress' },
    awaiting_resident: { zh: '待补充材料', en: 'awaiting your information' },
    extension_requested: { zh: '延期申请中', en: 'extension requested' },
    returned: { zh: '已退单', en: 'returned' },
    escalated: { zh: '已上报', en: 'escalated' },
    resolved: { zh: '已办结', en: 'resolved' },
    callback: { zh: '已回访', en: 'called back' },
    closed: { zh: '已归档', en: 'closed' },
    reopened: { zh: '重办中', en: 'reopened' },
    withdrawn: { zh: '已撤销', en: 'withdrawn' },
    merged: { zh: '已合并', en: 'merged' },
};
/** Kinds of request 诉求类型. */
export const REQUEST_KINDS = ['help', 'complaint', 'inquiry', 'suggestion', 'dispute'];
/** The category codes of DOMAIN.md; their defaults live in the Category table. */
export const CATEGORY_CODES = [
    'road',
    'water',
    'power',
    'sanitation',
    'safety',
    'dispute',
    'welfare',
    'health',
    'education',
    'housing',
    'agriculture',
    'employment',
    'governance',
    'other',
];
/** The callback answer 满意 / 基本满意 / 不满意. */
export const RATINGS = ['satisfied', 'basically_satisfied', 'dissatisfied'];
/**
 * Why a callback 回访 by phone ended without an answer: the resident could not be reached
 * 无法联系 after the calls staff made, or declined to rate 拒绝评价. Either ends the
 * callback as its timeout does: the ticket is archived with no rating, and no rate counts it.
 */
export const CALLBACK_FAILURES = ['unreachable', 'declined'];
/** What staff read for each {@link CallbackFailure} (the resident's own wording is in the message catalogues). */
export const CALLBACK_FAILURE_NAMES = {
    unreachable: { zh: '无法联系', en: 'unreachable' },
    declined: { zh: '拒绝评价', en: 'declined to rate' },
};
/** Kinds of timer rows the scheduler fires. */
export const TIMER_KINDS = ['accept_reminder', 'accept_overdue', 'resolve_reminder', 'resolve_overdue', 'callback_timeout'];
