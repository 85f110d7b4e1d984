/**
 * How the web pages write dates and names of things: Beijing time, with the year (staff
 * read old tickets too), and the closed vocabularies in Chinese with English after.
 */
import { localDateOf, minutesOfDay } from '../pipeline/calendar.js';
import { STATE_NAMES, type TicketState } from '../pipeline/states.js';

/** 2026-10-10 17:30 (Beijing time); an em dash for none. */
export function formatLocal(instant: Date | null | undefined): string {
  if (!instant) return '—';
  const minutes = minutesOfDay(instant);
  return `${localDateOf(instant)} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** 2026-10-10 (Beijing time). */
export function formatDay(instant: Date | null | undefined): string {
  return instant ? localDateOf(instant) : '—';
}

/** Where an escalated ticket waits, by its handling level: 已上报至县 (a county's list and a township's differ by it). */
const ESCALATED_TO: Record<string, string> = { township: '已上报至镇 escalated to the township', county: '已上报至县 escalated to the county' };

/**
 * 已派单 dispatched (as staff read it: the resident-facing "awaiting your information" becomes "awaiting the resident").
 * With the ticket's handling `level`, 已上报 names the level it was escalated to.
 */
export function stateName(state: string, level?: string): string {
  if (state === 'awaiting_resident') return '待补充材料 awaiting the resident';
  if (state === 'escalated' && level !== undefined && ESCALATED_TO[level]) return ESCALATED_TO[level];
  const names = STATE_NAMES[state as TicketState] as { zh: string; en: string } | undefined;
  return names ? `${names.zh} ${names.en}` : state;
}

export const KIND_NAMES: Record<string, string> = {
  help: '求助 help',
  complaint: '投诉 complaint',
  inquiry: '咨询 inquiry',
  suggestion: '建议 suggestion',
  dispute: '纠纷 dispute',
};

export const LEVEL_NAMES: Record<string, string> = { county: '县 county', township: '镇 township', village: '村 village' };

export const HANDLING_CLASS_NAMES: Record<string, string> = { immediate: '即办 immediate', promised: '承诺 promised', urgent: '紧急 urgent' };

/** Roles as staff read them: 网格员 liaison. */
export const ROLE_NAMES: Record<string, string> = {
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
export function roleName(role: string): string {
  return ROLE_NAMES[role] ?? role;
}
