/**
 * 困难群众帮扶 as a pure state machine (seed 002): 网长报告 (a liaison or grid leader reports)
 * → 村党组织初核 (the village verifies) → 镇复核 (the township re-verifies and fixes the
 * 五公开: who helps, what, how much, by when) → 公示 (public notice, at least the notice
 * days) → 单位实施 (the unit delivers, by the day the township promised) → 回访 (a follow-up visit closes it).
 *
 * `(case, command, rules, now) -> next case + event`, executing nothing: the store
 * (./cases.ts) persists the result and queues the pushes. Each open step has a due time in
 * working days from the pipeline's calendar; 急事急办 (urgent) halves those limits.
 */
import { addCalendarDays, localDateOf, localInstant } from '../pipeline/calendar.js';
import { addOfficeDays } from '../pipeline/deadlines.js';
export const ASSISTANCE_STATES = ['reported', 'village_verified', 'notice', 'delivered', 'closed', 'rejected'];
/** The states in which a step is waiting for someone (and may be overdue). */
export const OPEN_ASSISTANCE_STATES = ['reported', 'village_verified', 'notice', 'delivered'];
export const HARDSHIP_KINDS = ['dibao', 'elderly_alone', 'illness', 'disability', 'landless'];
/** Each kind as people read it (the console, and the chat in the speaker's language). */
export const HARDSHIP_KIND_NAMES = {
    dibao: { zh: '低保', en: 'minimum living allowance' },
    elderly_alone: { zh: '独居老人', en: 'elderly living alone' },
    illness: { zh: '大病', en: 'serious illness' },
    disability: { zh: '残疾', en: 'disability' },
    landless: { zh: '失地', en: 'landless' },
};
/** The limits as the setting ASSISTANCE_DAYS writes them: village,township,notice,delivery,follow-up. */
export const ASSISTANCE_DAYS_PATTERN = /^[1-9]\d?,[1-9]\d?,([7-9]|[1-9]\d),[1-9]\d?,[1-9]\d?$/;
export const ASSISTANCE_DAYS_DEFAULT = '5,15,7,10,10';
/** The limits of a setting that matched {@link ASSISTANCE_DAYS_PATTERN}. */
export function assistanceLimitsOf(setting) {
    const [villageDays = 0, townshipDays = 0, noticeDays = 0, deliveryDays = 0, followUpDays = 0] = setting.split(',').map(Number);
    return Object.freeze({ villageDays, townshipDays, noticeDays, deliveryDays, followUpDays });
}
export const DEFAULT_ASSISTANCE_LIMITS = assistanceLimitsOf(ASSISTANCE_DAYS_DEFAULT);
/** Which state each command is taken in. */
const FROM = {
    village_approve: 'reported',
    village_reject: 'reported',
    township_approve: 'village_verified',
    township_reject: 'village_verified',
    deliver: 'notice',
    follow_up: 'delivered',
};
const NOTE_MAX = 500;
const FIELD_MAX = 100;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** A step's limit: halved (rounded up, at least one day) when urgent. */
export function stepDays(days, urgent) {
    return urgent ? Math.max(1, Math.ceil(days / 2)) : days;
}
function due(rules, from, days, urgent) {
    return addOfficeDays(rules.calendar, from, stepDays(days, urgent), true, rules.officeHours);
}
/** A new case as reported: waiting for the village. */
export function reportCase(urgent, rules, now) {
    return {
        state: 'reported',
        urgent,
        dueAt: due(rules, now, rules.assistance.villageDays, urgent),
        helper: null,
        aid: null,
        amount: null,
        deliverBy: null,
        noticeFrom: null,
        noticeUntil: null,
        deliveredAt: null,
        closedAt: null,
    };
}
function invalid(message) {
    return { ok: false, refusal: { code: 'invalid', message } };
}
/** The notice's end, and the first and last days delivery may be promised for, when the township approves at `now`. */
export function noticeWindow(urgent, rules, now) {
    // The notice runs whole days: from now to the end of the last of them (Beijing time).
    const noticeUntil = localInstant(addCalendarDays(localDateOf(now), rules.assistance.noticeDays + 1), 0);
    return { noticeUntil, earliest: localDateOf(noticeUntil), latest: localDateOf(due(rules, noticeUntil, rules.assistance.deliveryDays, urgent)) };
}
function checkPlan(plan, window) {
    for (const [field, label] of [
        ['helper', '帮扶单位 helping unit'],
        ['aid', '帮扶内容 what'],
        ['amount', '金额或数量 how much'],
    ]) {
        const value = plan[field];
        if (!value)
            return `请填写${label}。`;
        if (value.length > FIELD_MAX)
            return `${label}过长（最多 ${FIELD_MAX} 字）。`;
    }
    if (!DAY.test(plan.deliverBy))
        return '请填写完成日期（YYYY-MM-DD）。 Give the delivery date as YYYY-MM-DD.';
    if (plan.deliverBy < window.earliest || plan.deliverBy > window.latest) {
        return `完成日期须在公示期满后、实施时限内（${window.earliest} 至 ${window.latest}）。 The delivery date must fall between the notice's end and the delivery limit.`;
    }
    return null;
}
/** Applies `command` to `current` at `now`; pure. */
export function assistanceTransition(current, command, rules, now) {
    if (current.state !== FROM[command.type]) {
        return { ok: false, refusal: { code: 'wrong_state', message: '这一步已经办过或还不到时候，请刷新页面。 This step is done or not yet due; reload the page.' } };
    }
    const note = command.note.trim();
    if (note.length > NOTE_MAX)
        return invalid(`说明过长（最多 ${NOTE_MAX} 字）。 The note is too long.`);
    const closed = (state) => ({ ok: true, action: command.type, note, next: { ...current, state, dueAt: null, closedAt: now } });
    switch (command.type) {
        case 'village_approve':
            return { ok: true, action: command.type, note, next: { ...current, state: 'village_verified', dueAt: due(rules, now, rules.assistance.townshipDays, current.urgent) } };
        case 'village_reject':
        case 'township_reject':
            if (!note)
                return invalid('请写明不予帮扶的理由。 Say why the case is turned down.');
            return closed('rejected');
        case 'township_approve': {
            const plan = { helper: command.plan.helper.trim(), aid: command.plan.aid.trim(), amount: command.plan.amount.trim(), deliverBy: command.plan.deliverBy.trim() };
            const window = noticeWindow(current.urgent, rules, now);
            const problem = checkPlan(plan, window);
            if (problem)
                return invalid(problem);
            const dueAt = localInstant(plan.deliverBy, rules.officeHours.dayEndMinutes);
            return { ok: true, action: command.type, note, next: { ...current, ...plan, state: 'notice', noticeFrom: now, noticeUntil: window.noticeUntil, dueAt } };
        }
        case 'deliver':
            if (current.noticeUntil && now.getTime() < current.noticeUntil.getTime()) {
                return { ok: false, refusal: { code: 'notice_running', message: '公示期未满，不能实施。 The public notice has not ended yet.' } };
            }
            return {
                ok: true,
                action: command.type,
                note,
                next: { ...current, state: 'delivered', deliveredAt: now, dueAt: due(rules, now, rules.assistance.followUpDays, current.urgent) },
            };
        case 'follow_up':
            if (!note)
                return invalid('请写下回访情况。 Say what the follow-up visit found.');
            return closed('closed');
    }
}
/** Whether a case's current step is past its due time at `now`. */
export function isOverdue(c, now) {
    return c.dueAt !== null && OPEN_ASSISTANCE_STATES.includes(c.state) && c.dueAt.getTime() < now.getTime();
}
