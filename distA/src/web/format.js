/**
 * How the web pages write dates and names of things: Beijing time, with the year (staff
 * read old tickets too), and the closed vocabularies in Chinese with English after.
 */
import { localDateOf, minutesOfDay } from '../pipeline/calendar.js';
import { STATE_NAMES } from '../pipeline/states.js';
/** 2026-10-10 17:30 (Beijing time); an em dash for none. */
export function formatLocal(instant) {
    if (!instant)
        return '—';
    const minutes = minutesOfDay(instant);
    return `${localDateOf(instant)} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
/** 2026-10-10 (Beijing time). */
export function formatDay(instant) {
    return instant ? localDateOf(instant) : '—';
}
/** 已派单 dispatched (as staff read it: the resident-facing "awaiting your information" becomes "awaiting the resident"). */
export function stateName(state) {
    if (state === 'awaiting_resident')
        return '待补充材料 awaiting the resident';
    const names = STATE_NAMES[state];
    return names ? `${names.zh} ${names.en}` : state;
}
export const KIND_NAMES = {
    help: '求助 help',
    complaint: '投诉 complaint',
    inquiry: '咨询 inquiry',
    suggestion: '建议 suggestion',
    dispute: '纠纷 dispute',
};
export const LEVEL_NAMES = { county: '县 county', township: '镇 township', village: '村 village' };
export const HANDLING_CLASS_NAMES = { immediate: '即办 immediate', promised: '承诺 promised', urgent: '紧急 urgent' };
/** Roles as staff read them: 网格员 liaison. */
export const ROLE_NAMES = {
    resident: '群众 resident',
    liaison: '网格员 liaison',
    grid_leader: '网长 grid leader',
    dispatcher: '群众工作室 dispatcher',
    department_handler: '部门窗口 department',
    supervisor: '督办 supervisor',
    admin: '管理员 admin',
    mediator: '调解员 mediator',
    system: '系统 system',
};
/** A role code in words; an unknown code as it is. */
export function roleName(role) {
    return ROLE_NAMES[role] ?? role;
}
