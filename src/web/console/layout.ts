/**
 * The console's frame: header with navigation and the logged-in user, the login page,
 * and the short pages for errors (not found, expired form, too many logins).
 */
import { bi, type Html, html, type HtmlValue } from '../html.js';
import { documentOf } from '../page.js';
import type { StaffScope } from './scope.js';
import { formOnce } from './form-once.js';

/** Where the console's pages live. */
export const CONSOLE_PATHS = {
  root: '/console',
  login: '/console/login',
  logout: '/console/logout',
  queue: '/console/queue',
  queueCsv: '/console/queue.csv',
  inbox: '/console/inbox',
  visits: '/console/visits',
  visitsCsv: '/console/visits.csv',
  visitsCoverageCsv: '/console/visits-coverage.csv',
  surveys: '/console/surveys',
  themes: '/console/themes',
  assistance: '/console/assistance',
  ledger: '/console/ledger',
  visitsGridsCsv: '/console/visits-grids.csv',
  households: '/console/households',
  visitRules: '/console/visit-rules',
  tickets: '/console/tickets',
  stats: '/console/stats',
  report: '/console/report',
  reportHtml: '/console/report.html',
  ranking: '/console/ranking',
  rankingCsv: '/console/ranking.csv',
  board: '/console/board',
  boardCsv: '/console/board.csv',
  api: '/console/api',
  mediation: '/console/mediation',
  meetings: '/console/meetings',
  intake: '/console/intake',
} as const;

export type NavItem =
  | 'queue'
  | 'inbox'
  | 'visits'
  | 'surveys'
  | 'themes'
  | 'assistance'
  | 'ledger'
  | 'mediation'
  | 'meetings'
  | 'stats'
  | 'report'
  | 'ranking'
  | 'board'
  | 'intake'
  | 'webhooks'
  | null;

/** What the frame needs to know about the logged-in user. */
export interface Chrome {
  scope: StaffScope;
  csrf: string;
  active: NavItem;
}

const ROLE_NAMES: Record<string, string> = {
  dispatcher: '群众工作室',
  supervisor: '督办',
  admin: '管理员',
  department_handler: '部门窗口',
  grid_leader: '网长',
  mediator: '调解员',
};

/** Where a user's console starts: the queue, or for a mediator and nothing else their mediation cases. */
export function homeOf(scope: StaffScope): string {
  return scope.mediationOnly ? CONSOLE_PATHS.mediation : CONSOLE_PATHS.queue;
}

/** 清水镇 群众工作室 · 禾丰镇 督办: the user's roles and where. */
export function rolesLine(scope: StaffScope, regionName: (id: number) => string): string {
  return [...new Set(scope.roles.map((r) => `${regionName(r.regionId)} ${ROLE_NAMES[r.role] ?? r.role}`))].join(' · ');
}

/** The hidden CSRF field every form carries. */
export function csrfField(token: string): Html {
  // With a one-time value: the same form posted twice is acted on once (form-once.ts).
  return html`<input type="hidden" name="_csrf" value="${token}"><input type="hidden" name="_once" value="${formOnce()}">`;
}

/** A message box: success or problem. */
export function notice(kind: 'ok' | 'error', message: HtmlValue): Html {
  return html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</p>`;
}

/** A whole console page. Without `chrome` (logged out) there is no navigation. */
export function consolePage(title: string, body: Html, chrome: Chrome | null, roles = ''): string {
  const nav = chrome
    ? html`<nav class="nav">
  ${chrome.scope.mediationOnly ? '' : html`<a href="${CONSOLE_PATHS.queue}"${chrome.active === 'queue' ? html` aria-current="page"` : ''}>${bi('工作队列', 'Queue')}</a>`}
  ${chrome.scope.mediationOnly ? '' : html`<a href="${CONSOLE_PATHS.queue}?callback=due">${bi('待回访', 'Callbacks due')}</a>`}
  ${chrome.scope.roles.some((r) => r.role === 'dispatcher' || r.role === 'admin') ? html`<a href="${CONSOLE_PATHS.intake}"${chrome.active === 'intake' ? html` aria-current="page"` : ''}>${bi('受理登记', 'Register')}</a>` : ''}
  ${chrome.scope.regionIds.length ? html`<a href="${CONSOLE_PATHS.inbox}"${chrome.active === 'inbox' ? html` aria-current="page"` : ''}>${bi('会话', 'Conversations')}</a>` : ''}
  ${chrome.scope.regionIds.length ? html`<a href="${CONSOLE_PATHS.visits}"${chrome.active === 'visits' ? html` aria-current="page"` : ''}>${bi('民情日记', 'Visit log')}</a>` : ''}
  ${chrome.scope.regionIds.length ? html`<a href="${CONSOLE_PATHS.surveys}"${chrome.active === 'surveys' ? html` aria-current="page"` : ''}>${bi('服务需求表', 'Surveys')}</a>` : ''}
  ${chrome.scope.regionIds.length ? html`<a href="${CONSOLE_PATHS.themes}"${chrome.active === 'themes' ? html` aria-current="page"` : ''}>${bi('每月一题', 'Theme of the month')}</a>` : ''}
  ${chrome.scope.regionIds.length ? html`<a href="${CONSOLE_PATHS.assistance}"${chrome.active === 'assistance' ? html` aria-current="page"` : ''}>${bi('帮扶', 'Assistance')}</a>` : ''}
  ${chrome.scope.regionIds.length ? html`<a href="${CONSOLE_PATHS.ledger}"${chrome.active === 'ledger' ? html` aria-current="page"` : ''}>${bi('台账', 'Ledger')}</a>` : ''}
  ${chrome.scope.regionIds.length || chrome.scope.isMediator ? html`<a href="${CONSOLE_PATHS.mediation}"${chrome.active === 'mediation' ? html` aria-current="page"` : ''}>${bi('矛盾调解', 'Mediation')}</a>` : ''}
  ${chrome.scope.regionIds.length ? html`<a href="${CONSOLE_PATHS.meetings}"${chrome.active === 'meetings' ? html` aria-current="page"` : ''}>${bi('会议', 'Meetings')}</a>` : ''}
  ${chrome.scope.mediationOnly ? '' : html`<a href="${CONSOLE_PATHS.stats}"${chrome.active === 'stats' ? html` aria-current="page"` : ''}>${bi('统计分析', 'Statistics')}</a>`}
  ${chrome.scope.regionIds.length ? html`<a href="${CONSOLE_PATHS.report}"${chrome.active === 'report' ? html` aria-current="page"` : ''}>${bi('月报', 'Monthly report')}</a>` : ''}
  ${chrome.scope.topRegions.some((r) => r.level !== 'village') ? html`<a href="${CONSOLE_PATHS.ranking}"${chrome.active === 'ranking' ? html` aria-current="page"` : ''}>${bi('红黑榜', 'Ranking')}</a>` : ''}
  ${chrome.scope.isAdmin ? html`<a href="${CONSOLE_PATHS.board}"${chrome.active === 'board' ? html` aria-current="page"` : ''}>${bi('公示设置', 'Public board')}</a>` : ''}
  ${chrome.scope.isAdmin ? html`<a href="/console/webhooks"${chrome.active === 'webhooks' ? html` aria-current="page"` : ''}>${bi('推送订阅', 'Webhooks')}</a>` : ''}
</nav>
<div class="user"><span class="who">${chrome.scope.name}</span> <span class="roles">${roles}</span>
<form method="post" action="${CONSOLE_PATHS.logout}" class="inline">${csrfField(chrome.csrf)}<button type="submit" class="link">${bi('退出', 'Log out')}</button></form></div>`
    : '';
  return documentOf(
    `${title} · 民情工作台 Minqing console`,
    html`<header class="top"><a class="brand" href="${chrome ? homeOf(chrome.scope) : CONSOLE_PATHS.queue}">民情 <span class="en" lang="en">Minqing</span> · ${bi('工作台', 'staff console')}</a>${nav}</header>
<main class="console">
${body}
</main>`,
    '/console/style.css',
  );
}

/** The login form. */
export function loginPage(options: { csrf: string; next: string; username?: string; message?: Html }): string {
  return consolePage(
    '登录 Log in',
    html`<section class="login">
<h1>${bi('工作人员登录', 'Staff login')}</h1>
${options.message ? notice('error', options.message) : ''}
<form method="post" action="${CONSOLE_PATHS.login}">
${csrfField(options.csrf)}
<input type="hidden" name="next" value="${options.next}">
<label>${bi('用户名', 'Username')}<input name="username" autocomplete="username" required maxlength="64" value="${options.username ?? ''}" autofocus></label>
<label>${bi('密码', 'Password')}<input name="password" type="password" autocomplete="current-password" required maxlength="256"></label>
<button type="submit">${bi('登录', 'Log in')}</button>
</form>
<p class="hint">${bi('账号由管理员用 npm run user:add 创建。', 'Accounts are created by an administrator with npm run user:add.')}</p>
</section>`,
    null,
  );
}

/** A short page that says what went wrong. */
export function messagePage(title: { zh: string; en: string }, message: Html, chrome: Chrome | null, roles = ''): string {
  return consolePage(
    `${title.zh} ${title.en}`,
    html`<section class="message"><h1>${bi(title.zh, title.en)}</h1><p>${message}</p>
<p>${chrome?.scope.mediationOnly ? html`<a href="${CONSOLE_PATHS.mediation}">${bi('返回矛盾调解', 'Back to mediation')}</a>` : html`<a href="${CONSOLE_PATHS.queue}">${bi('返回工作队列', 'Back to the queue')}</a>`}</p></section>`,
    chrome,
    roles,
  );
}
