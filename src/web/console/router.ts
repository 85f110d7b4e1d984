/**
 * The staff web console at `/console`: login and logout, the work queue, ticket pages
 * and their actions, the visit log 民情日记, the statistics page, the admin's
 * public-board switch, CSV exports and a small read-only JSON API.
 *
 * Access: every page but the login needs a session cookie. Without one, HTML pages
 * redirect to the login and API, JSON and CSV requests get 401. Every POST needs the
 * session's CSRF token (and, from a browser, this site's Origin). A ticket outside the
 * user's scope answers 404 everywhere, exactly like a ticket that does not exist.
 */
import { villageList } from '../../pipeline/reference.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../../db/client.js';
import { logger } from '../../log.js';
import { localDateOf } from '../../pipeline/calendar.js';
import type { PipelineService } from '../../pipeline/service.js';
import { deadlineConflict } from '../../pipeline/deadlines.js';
import { dispatchAcceptBy } from '../../pipeline/machine.js';
import { sendCsv, streamCsv } from '../csv.js';
import { bi, type Html, html, raw } from '../html.js';
import { limitedAddress, isHttps, parseCookies, readForm, redirect, sameOrigin, sendHtml, sendJson, serializeCookie, withoutControlCharacters } from '../http.js';
import { type FormWithFiles, readFormWithFiles } from '../multipart.js';
import { defaultUploadDir, UploadStore } from '../../../bots/shared/uploads.js';
import { csvHeader, csvRow, tableCsv } from '../table.js';
import { closeConversation, ConversationRefused, staffReplies } from '../../conversations/conversations.js';
import { withRetry } from '../../pipeline/service.js';
import { publishTicket, unpublishTicket } from '../../pipeline/publication.js';
import { normaliseText } from '../../privacy.js';
import { actionContext, availableActions, commandOf, dispatchOptions, FormProblem, isConsoleAction, mergeTargetProblem, refusalText, runAction } from './actions.js';
import { type ConversationView, hasInbox, type InboxFilters, inboxRows, loadConversation, markRead, residentWords } from './inbox.js';
import { conversationBody, inboxBody } from './inbox-page.js';
import { randomToken, sameSecret, type Session, SessionStore, verifyPassword } from './auth.js';
import { Throttle } from '../throttle.js';
import { adminRegions, boardAdminBody, boardColumns, boardSettings, setPublicBoard } from './board-admin.js';
import { CONSOLE_PATHS, type Chrome, consolePage, homeOf, loginPage, messagePage, type NavItem, notice, rolesLine } from './layout.js';
import { FILTER_PROBLEMS, parseQueueParams, parseRegionParam, queryQueue, queueBatches } from './queue.js';
import { categoryNames, queueBody, queueColumns, queueFormOptions } from './queue-page.js';
import { inScope, loadScope, type StaffScope } from './scope.js';
import { loadRegions, type RegionNode } from '../../org/regions.js';
import { staffAccountNamed } from '../../org/staff-accounts.js';
import { hasWords } from '../../engine/flow.js';
import { audienceSize } from '../../surveys/push.js';
import { liaisonAppraisals, saveLiaisonReport } from '../../surveys/appraisal.js';
import { APPRAISAL_CSV_PATH, APPRAISAL_PATH, appraisalBody, appraisalColumns, appraisalRounds, liaisonAppraisalBody } from './appraisal-page.js';
import { surveyResults } from '../../surveys/results.js';
import {
  checkSurveyForm,
  closeSurvey,
  createSurvey,
  emptyForm,
  hasSurveys,
  listSurveys,
  loadSurvey,
  readSurveyForm,
  responseBatches,
  scheduleSurvey,
  sendTimeOf,
  type SurveyView,
  unscheduleSurvey,
} from './surveys.js';
import { responseColumns, surveyBody, surveyFormBody, surveyFormOptions, surveyListBody, withOneMoreQuestion } from './surveys-page.js';
import { hasVisitLog, parseVisitParams, queryVisits, visitBatches, visitCoverage, visitGridCoverage } from './visits.js';
import { COVERAGE_COLUMNS, GRID_COVERAGE_COLUMNS, VISIT_COLUMNS, visitFormOptions, visitsBody } from './visits-page.js';
import { ASSISTANCE_ROUTE, LEDGER_ROUTE, MEDIATION_ROUTE, MEETINGS_ROUTE, THEME_ROUTE, WEBHOOKS_ROUTE } from './section-routes.js';
import type { SectionRequest } from './section.js';
import { intakeRoute } from './intake.js';
import type { Matcher } from '../../intake/intake.js';
import type { MediationRules } from '../../mediation/transitions.js';
import { renderStatsCsv, renderStatsPage, STATS_CSV_PATH, STATS_PATH } from './stats-page.js';
import { hasReports, parseReportParams, reportChooserBody, reportDocument } from './report-page.js';
import { canSetRanking, hasRanking, parseRankingParams, rankingBody, rankingCsv, rankingOf, rankingPageInput, rankingParams, saveRankingForm } from './ranking-page.js';
import { HOUSEHOLD_ROUTE, householdBody, loadHousehold, loadRulesRows, saveKeyReason, saveVisitRules, VisitFormProblem, visitRulesBody } from './visit-admin.js';
import { loadTicketView, type TicketView } from './ticket.js';
import { MESSAGE_COLUMNS, TIMELINE_COLUMNS, ticketBody } from './ticket-page.js';
import { formId } from './form-numbers.js';
import { firstPostOf } from './form-once.js';
import type { TicketAuditAction } from '../../pipeline/event-kinds.js';

const log = logger('console');

/** The session cookie (a random token; the database keeps its hash). */
const SESSION_COOKIE = 'mq_console';
/** The login form's CSRF cookie (double submit: the form carries the same value). */
const LOGIN_COOKIE = 'mq_login';
/**
 * Failure times kept past the point where a login limit's delay starts: enough doublings
 * of the 1 s delay (2^17 s) to pass the longest window, so the count never tops out early.
 */
const BACKOFF_KEPT = 17;

/** What the console needs of the running app. */
export interface ConsoleApp {
  database: { db: Db };
  pipeline: PipelineService;
  /** Proposes a category for a conversation made into a ticket. */
  classifier?: Matcher;
}

export interface ConsoleOptions {
  /** The app, or undefined while it is still starting (the console answers 503 then). */
  app: () => ConsoleApp | undefined;
  /** Minutes without a request after which a session ends. */
  sessionIdleMinutes: number;
  /** Failed logins for one username from one address (and ten times as many from one address) before each further one waits, 1 s doubling. */
  loginMaxFailures: number;
  /** Failed logins for one username from anywhere before every login for it waits for the window (a distributed guess). */
  loginUserCeiling: number;
  loginWindowMinutes: number;
  /** Believe X-Forwarded-For / X-Forwarded-Proto from a reverse proxy. */
  trustProxy: boolean;
  /** 矛盾纠纷调解's limits (MEDIATION_* settings). */
  mediationRules: MediationRules;
  /** Where photos posted with a form (受理登记) are stored: the web chat's upload folder (default data/uploads). */
  uploadDir?: string;
}

/** One request, once the app is there. */
interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  db: Db;
  pipeline: PipelineService;
  classifier: ConsoleApp['classifier'];
  now: Date;
}

/** A logged-in request. */
interface Authed extends Request {
  session: Session;
  scope: StaffScope;
  regions: Map<number, RegionNode>;
}

/** Requests answered with data rather than a page: 401 instead of a redirect to the login. */
function wantsData(req: IncomingMessage, path: string): boolean {
  if (path.startsWith(`${CONSOLE_PATHS.api}/`) || path.endsWith('.csv') || path === STATS_CSV_PATH) return true;
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * Where to go after logging in: a console path of this site only, as the URL parser
 * normalises it (dots resolved) and serialises it (non-ASCII percent-encoded), so that a
 * Location header can always carry it. A control character anywhere (a line break would
 * end the header) or any other place gives the queue.
 */
function safeNext(next: string | null | undefined): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is refused here
  if (!next || next.length > 2000 || !next.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return CONSOLE_PATHS.queue;
  let url: URL;
  try {
    url = new URL(next, 'http://console.invalid');
  } catch {
    return CONSOLE_PATHS.queue;
  }
  if (url.origin !== 'http://console.invalid' || !/^\/console\/[^/]/.test(url.pathname) || url.pathname.includes('//') || /%2e/i.test(url.pathname)) {
    return CONSOLE_PATHS.queue;
  }
  return `${url.pathname}${url.search}`;
}

/** What a 404 says was not found. */
const NOT_FOUND = {
  page: { zh: '没有这个页面，或它不在您的工作范围内。', en: 'There is no such page, or it is outside your area.' },
  ticket: { zh: '没有这件诉求，或它不在您的工作范围内。', en: 'There is no such ticket, or it is outside your area.' },
  household: { zh: '没有这一户，或它不在您的工作范围内。', en: 'There is no such household, or it is outside your area.' },
  conversation: { zh: '没有这个会话，或它不在您的工作范围内。', en: 'There is no such conversation, or it is outside your area.' },
} as const;

/** The ticket routes: /console/tickets/NUMBER[/rest]. */
const TICKET_ROUTE = /^\/console\/tickets\/([A-Za-z]{1,6}-\d{4}-\d{1,9})(?:\/([a-z_]+(?:\.csv)?))?$/;
const API_TICKET_ROUTE = /^\/console\/api\/tickets\/([A-Za-z]{1,6}-\d{4}-\d{1,9})$/;
/** A survey's routes: /console/surveys/ID[/action]. */
const SURVEY_ROUTE = /^\/console\/surveys\/(\d{1,9})(?:\/(send|close|unschedule|responses\.csv))?$/;
/** What a survey's page says after an action. */
const SURVEY_DONE: Record<string, string> = {
  created: '已保存为草稿，确认无误后发送。 Saved as a draft: check it, then send it.',
  send: '已安排发送，几分钟内发到各户聊天。 Scheduled: it reaches the households’ chats within minutes of its time.',
  unschedule: '已撤回为草稿。 Taken back to a draft.',
  close: '已结束收集。 Closed: no more answers are taken.',
  stale: '状态已变化，未做改动。 The survey had changed; nothing was done.',
};
/** The conversation routes: /console/inbox/ID[/action]. */
const CONVERSATION_ROUTE = /^\/console\/inbox\/(\d{1,9})(?:\/(reply|close|ticket|attach))?$/;

/** Builds the console's request handler. */
export function createConsole(options: ConsoleOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const clock = { now: () => options.app()?.pipeline.clock.now() ?? new Date() };
  const sessions = new SessionStore(
    () => {
      const app = options.app();
      if (!app) throw new Error('the console was asked for the database before the app started');
      return app.database.db;
    },
    clock,
    options.sessionIdleMinutes,
  );
  const uploads = new UploadStore(options.uploadDir ?? defaultUploadDir());
  // Failed logins per (address, username) and per address (ten times as many, so one
  // address cannot walk through usernames), each slowed by a growing delay rather than
  // locked; and a high ceiling per username from anywhere, against a guess spread over
  // many addresses. Per username alone, anyone who knew a dispatcher's username could
  // keep them out. In the database: every process shares them.
  const throttle = new Throttle(
    () => {
      const app = options.app();
      if (!app) throw new Error('the console was asked for the database before the app started');
      return app.database.db;
    },
    clock,
    options.loginWindowMinutes * 60_000,
  );

  const cookie = (r: Request, name: string, value: string, path: string, maxAge?: number) =>
    serializeCookie(name, value, { path, secure: isHttps(r.req, options.trustProxy), ...(maxAge === undefined ? {} : { maxAge }) });

  // ─── Login and logout ──────────────────────────────────────────────────────

  function showLogin(r: Request, status: number, extra: { username?: string; message?: Html; next?: string } = {}): void {
    const token = randomToken();
    sendHtml(
      r.res,
      status,
      loginPage({
        csrf: token,
        next: extra.next ?? safeNext(r.url.searchParams.get('next')),
        ...(extra.username ? { username: extra.username } : {}),
        ...(extra.message ? { message: extra.message } : {}),
      }),
      { 'set-cookie': cookie(r, LOGIN_COOKIE, token, CONSOLE_PATHS.login, 3600) },
    );
  }

  async function login(r: Request): Promise<void> {
    // As sent: a `next` with a control character is refused whole by safeNext (cleaned, it
    // would be another place), and the password is checked as typed; the username is cleaned.
    const form = await readForm(r.req, { asSent: true });
    const expected = parseCookies(r.req.headers.cookie).get(LOGIN_COOKIE);
    if (!form || !sameOrigin(r.req) || !expected || !sameSecret(form.get('_csrf') ?? '', expected)) {
      return showLogin(r, 403, { message: bi('登录页已过期，请重新输入。', 'The login page expired; please try again.') });
    }
    const username = (withoutControlCharacters(form).get('username') ?? '').trim().toLowerCase().slice(0, 64);
    const password = form.get('password') ?? '';
    const next = safeNext(form.get('next'));
    const ip = limitedAddress(r.req, options.trustProxy);
    // The attempt is reserved before the password is checked: logins sent at the same
    // moment past the limit are refused without an argon2 check. A wrong password keeps
    // its reservation as the failure it is. The keys are the typed username, known or
    // not, so a refusal says nothing about which accounts exist.
    const pairKey = `login:pair:${ip}|${username}`;
    const attempt = await throttle.reserve([
      { key: pairKey, max: options.loginMaxFailures + BACKOFF_KEPT, backoffAfter: options.loginMaxFailures },
      { key: `login:ip:${ip}`, max: options.loginMaxFailures * 10 + BACKOFF_KEPT, backoffAfter: options.loginMaxFailures * 10 },
      { key: `login:user:${username}`, max: options.loginUserCeiling },
    ]);
    if (!attempt.ok) {
      const wait = attempt.retryAfterSeconds;
      r.res.setHeader('retry-after', String(wait));
      log.info('console login refused: too many attempts');
      const zh = wait < 60 ? `${wait} 秒` : `${Math.ceil(wait / 60)} 分钟`;
      const en = wait < 60 ? `${wait} second(s)` : `${Math.ceil(wait / 60)} minute(s)`;
      return showLogin(r, 429, {
        username,
        next,
        message: bi(`登录尝试过于频繁，请 ${zh}后再试。`, `Too many failed logins; try again in ${en}.`),
      });
    }
    const account = username ? await staffAccountNamed(r.db, username) : undefined;
    const good = await verifyPassword(account?.passwordHash ?? null, password);
    if (!account || !good) {
      log.info('console login failed');
      return showLogin(r, 401, { username, next, message: bi('用户名或密码不正确。', 'Wrong username or password.') });
    }
    // The right password: not a failure, whatever comes next. The pair's count starts
    // afresh; the address's and the username's forget only this attempt (an attacker's
    // failures elsewhere are not wiped by the owner's login).
    await throttle.release(attempt, [pairKey]);
    if (account.disabledAt !== null) {
      return showLogin(r, 403, { username, next, message: bi('此账号已停用，请联系管理员。', 'This account is disabled; ask an administrator.') });
    }
    const scope = await loadScope(r.db, account);
    if (!scope) {
      return showLogin(r, 403, { username, next, message: bi('此账号没有工作人员角色，请联系管理员。', 'This account holds no staff role; ask an administrator.') });
    }
    const token = await sessions.create(account.id);
    log.info({ account: account.id }, 'console login');
    redirect(r.res, next === CONSOLE_PATHS.queue ? homeOf(scope) : next, {
      'set-cookie': [cookie(r, SESSION_COOKIE, token, CONSOLE_PATHS.root), cookie(r, LOGIN_COOKIE, '', CONSOLE_PATHS.login, 0)],
    });
  }

  // ─── Helpers for logged-in pages ───────────────────────────────────────────

  const chromeOf = (a: Authed, active: NavItem): Chrome => ({ scope: a.scope, csrf: a.session.csrfToken, active });
  const roles = (a: Authed) => rolesLine(a.scope, (id) => a.regions.get(id)?.name ?? '');
  const page = (a: Authed, status: number, title: string, body: Html, active: NavItem) => sendHtml(a.res, status, consolePage(title, body, chromeOf(a, active), roles(a)));

  /**
   * 404, saying what was not found: a ticket or a conversation the user asked for by its
   * number (which may exist outside their area: the answer is the same), or any other
   * console address.
   */
  function notFound(a: Authed, what: keyof typeof NOT_FOUND = 'page'): void {
    const text = NOT_FOUND[what];
    if (wantsData(a.req, a.url.pathname)) return sendJson(a.res, 404, { error: `${text.zh} ${text.en}` });
    sendHtml(a.res, 404, messagePage({ zh: '没有找到', en: 'Not found' }, bi(text.zh, text.en), chromeOf(a, null), roles(a)));
  }

  /** A POST from one of our pages: same origin and the session's CSRF token. */
  async function checkedForm(a: Authed): Promise<URLSearchParams | null> {
    const form = await readForm(a.req);
    return ours(a, form) && (await firstPost(a, form)) ? form : null;
  }

  /** A POST with files (multipart) from one of our pages, checked as `checkedForm` checks a form. */
  async function checkedUpload(a: Authed, limit: number): Promise<FormWithFiles | null> {
    const posted = await readFormWithFiles(a.req, limit);
    if (!ours(a, posted?.form ?? null) || !posted) return null;
    return (await firstPost(a, posted.form)) ? posted : null;
  }

  /** Whether this is the first post of the form (its one-time value: form-once.ts); if not, the refusal is sent. */
  async function firstPost(a: Authed, form: URLSearchParams): Promise<boolean> {
    const once = form.get('_once');
    // A form no page of ours wrote (a script's) has none: the CSRF check above is its gate.
    if (!once || !/^[\w-]{8,64}$/.test(once) || (await firstPostOf(a.db, once, clock.now()))) return true;
    sendHtml(
      a.res,
      409,
      messagePage(
        { zh: '表单已提交过', en: 'Already submitted' },
        bi('这张表单已经提交过，没有再办理一次。请刷新页面查看结果。', 'This form was already submitted and was not acted on again. Reload the page to see the result.'),
        chromeOf(a, null),
        roles(a),
      ),
    );
    return false;
  }

  /** Whether `form` came from one of our pages; if not, the refusal is sent. */
  function ours(a: Authed, form: URLSearchParams | null): form is URLSearchParams {
    if (form && sameOrigin(a.req) && sameSecret(form.get('_csrf') ?? '', a.session.csrfToken)) return true;
    sendHtml(a.res, 403, messagePage({ zh: '表单已过期', en: 'Form expired' }, bi('请刷新页面后重试。', 'Reload the page and try again.'), chromeOf(a, null), roles(a)));
    return false;
  }

  /** A logged-in request as a section's handler takes it (src/web/console/section.ts), its navigation item `nav`. */
  function section(a: Authed, nav: NavItem): SectionRequest {
    return {
      ...a,
      csrf: a.session.csrfToken,
      page: (status, title, body) => page(a, status, title, body, nav),
      notFound: () => notFound(a),
      checkedForm: () => checkedForm(a),
      checkedUpload: (limit) => checkedUpload(a, limit),
    };
  }

  // ─── Queue ─────────────────────────────────────────────────────────────────

  async function queuePage(a: Authed): Promise<void> {
    const parsed = await parseQueueParams(a.db, a.url.searchParams, a.scope, a.regions);
    const categories = await categoryNames(a.db);
    const [result, formOptions] = await Promise.all([
      queryQueue(a.db, a.scope, parsed.filters, parsed.after === undefined ? {} : { after: parsed.after }, { regions: a.regions }),
      queueFormOptions(a.db, a.scope, a.regions, categories),
    ]);
    page(
      a,
      200,
      '工作队列 Queue',
      queueBody({
        filters: parsed.filters,
        ...(parsed.after === undefined ? {} : { after: parsed.after }),
        result,
        options: formOptions,
        columns: queueColumns(categories),
        problems: parsed.problems,
      }),
      'queue',
    );
  }

  /** A query string with filters not understood: the API's and the export's answer (an export of other rows than asked is worse than none). */
  function badFilters(a: Authed, problems: string[]): void {
    sendJson(a.res, 400, { error: `${FILTER_PROBLEMS.zh}${problems.join('；')} ${FILTER_PROBLEMS.en} ${problems.join('; ')}`, problems });
  }

  async function queueCsv(a: Authed): Promise<void> {
    const { filters, problems } = await parseQueueParams(a.db, a.url.searchParams, a.scope, a.regions);
    if (problems.length) return badFilters(a, problems);
    const columns = queueColumns(await categoryNames(a.db));
    const batches = queueBatches(a.db, a.scope, filters, { regions: a.regions });
    // The day as staff live it (Beijing), not UTC's: an export at 07:00 is today's.
    const rows = await streamCsv(a.res, `minqing-queue-${localDateOf(a.now)}.csv`, csvHeader(columns), async () => {
      const next = await batches.next();
      return next.done ? [] : next.value.map((row) => csvRow(columns, row));
    });
    log.info({ account: a.scope.accountId, rows }, 'queue exported');
  }

  async function queueApi(a: Authed): Promise<void> {
    const parsed = await parseQueueParams(a.db, a.url.searchParams, a.scope, a.regions);
    if (parsed.problems.length) return badFilters(a, parsed.problems);
    const result = await queryQueue(a.db, a.scope, parsed.filters, parsed.after === undefined ? {} : { after: parsed.after }, { regions: a.regions });
    sendJson(a.res, 200, result);
  }

  // ─── Tickets ───────────────────────────────────────────────────────────────

  async function ticketPage(a: Authed, view: TicketView, status = 200, error?: string): Promise<void> {
    const context = await actionContext(a.db, a.scope.personId, view.id);
    const actions = context ? availableActions(context.snapshot, context.actor) : [];
    const options = actions.includes('dispatch') ? await dispatchOptions(a.db, a.scope, a.regions, view) : [];
    const categories = await categoryNames(a.db);
    const done = a.url.searchParams.get('done') ?? undefined;
    // What a dispatch now would give: a fresh 签收 window against the deadline promised to the resident.
    const acceptBy = context && actions.includes('dispatch') ? dispatchAcceptBy(context.snapshot, a.pipeline.rules, a.now) : null;
    const conflict = context && acceptBy ? deadlineConflict(context.snapshot.resolveBy, acceptBy, a.now) : null;
    page(
      a,
      status,
      `${view.number} ${view.summary}`,
      ticketBody({
        ticket: view,
        actions,
        options,
        dispatchConflict: conflict && acceptBy ? { conflict, acceptBy } : null,
        categories,
        csrf: a.session.csrfToken,
        now: a.now,
        canPublish: a.scope.regionIds.length > 0,
        // A township supervisor may still answer the resident: the note is for those who may not.
        handledAbove: context !== null && a.scope.regionIds.length > 0 && !a.scope.regionIds.includes(context.snapshot.handlingRegionId) && !actions.includes('reply'),
        themes: await (await import('./themes.js')).ticketThemes(a.db, a.scope, a.regions, view, a.session.csrfToken, a.now),
        mediation: await (await import('./mediation.js')).ticketMediation(a.db, a.scope, view, a.now),
        ...(done && !error ? { done } : {}),
        ...(error ? { error } : {}),
      }),
      'queue',
    );
  }

  /**
   * 公示 / 撤下: a dispatcher, supervisor or admin of the ticket's region publishes it on the
   * public board with a summary (what they wrote, scrubbed all the same when shown), or
   * takes it down. Each is an audit event in the ticket's history.
   */
  async function publish(a: Authed, view: TicketView, on: boolean): Promise<void> {
    const form = await checkedForm(a);
    if (!form) return;
    if (!a.scope.regionIds.length) return notFound(a);
    if (on) {
      if (view.board.private) return ticketPage(a, view, 409, '此类诉求只计数、不公示文字。 Requests of this category are only counted on the board, never shown.');
      const summary = normaliseText(form.get('summary') ?? '')
        .trim()
        .slice(0, 200);
      if (!summary) return ticketPage(a, view, 422, '请填写公示摘要。 Write the public summary.');
      await withRetry(a.db, (tx) => publishTicket(tx, view.id, a.scope.personId, summary, a.now));
    } else {
      await withRetry(a.db, (tx) => unpublishTicket(tx, view.id, a.scope.personId, a.now));
    }
    log.info({ account: a.scope.accountId, ticket: view.number, published: on }, 'public board');
    redirect(a.res, `${CONSOLE_PATHS.tickets}/${view.number}?done=${on ? 'publish' : 'unpublish'}#board`);
  }

  /**
   * 显示完整号码: staff who must call the resident back see the full number, once they
   * ask; each time is an audit event (who, when, which ticket) in the ticket's history.
   */
  async function revealPhone(a: Authed, view: TicketView): Promise<void> {
    const form = await checkedForm(a);
    if (!form) return;
    await a.db.auditEvent.create({ data: { action: 'phone_revealed' satisfies TicketAuditAction, actorId: a.scope.personId, ticketId: view.id, at: a.now } });
    log.info({ account: a.scope.accountId, ticket: view.number }, 'phone revealed');
    redirect(a.res, `${CONSOLE_PATHS.tickets}/${view.number}#phone`);
  }

  async function ticketAction(a: Authed, view: TicketView, action: string): Promise<void> {
    if (!isConsoleAction(action)) return notFound(a);
    const form = await checkedForm(a);
    if (!form) return;
    const options = action === 'dispatch' ? await dispatchOptions(a.db, a.scope, a.regions, view) : [];
    let command;
    try {
      command = commandOf(action, form, options, action === 'recategorise' ? [...(await categoryNames(a.db)).keys()] : []);
    } catch (error) {
      if (error instanceof FormProblem) return ticketPage(a, view, 422, error.message);
      throw error;
    }
    const mergeProblem = command.type === 'merge' ? await mergeTargetProblem(a.db, command, (t) => inScope(a.scope, t)) : null;
    if (mergeProblem) return ticketPage(a, view, 409, mergeProblem);
    const outcome = await runAction(a.pipeline, view.number, command, a.scope.personId);
    if (!outcome.ok) {
      const fresh = await loadTicketView(a.db, a.scope, view.number, a.now);
      return ticketPage(a, fresh ?? view, 409, outcome.message);
    }
    log.info({ account: a.scope.accountId, ticket: view.number, action }, 'console action');
    redirect(a.res, `${CONSOLE_PATHS.tickets}/${view.number}?done=${action}`);
  }

  async function ticketRoute(a: Authed, number: string, rest: string | undefined): Promise<void> {
    const view = await loadTicketView(a.db, a.scope, number, a.now);
    if (!view) {
      a.req.resume();
      return notFound(a, 'ticket');
    }
    if (a.req.method === 'POST' && rest === 'reveal_phone') return revealPhone(a, view);
    if (a.req.method === 'POST' && (rest === 'publish' || rest === 'unpublish')) return publish(a, view, rest === 'publish');
    if (a.req.method === 'POST') return rest ? ticketAction(a, view, rest) : notFound(a);
    if (rest === undefined) return ticketPage(a, view);
    if (rest === 'timeline.csv') return sendCsv(a.res, `${view.number}-timeline.csv`, tableCsv(TIMELINE_COLUMNS, view.timeline));
    if (rest === 'messages.csv') return sendCsv(a.res, `${view.number}-messages.csv`, tableCsv(MESSAGE_COLUMNS, view.messages));
    return notFound(a);
  }

  // ─── Visit log 民情日记 ──────────────────────────────────────────────────────

  async function visitsRoute(a: Authed, path: string): Promise<void> {
    if (!hasVisitLog(a.scope)) return notFound(a);
    const parsed = parseVisitParams(a.url.searchParams, a.now);
    const { filters } = parsed;
    if (path === CONSOLE_PATHS.visitsCoverageCsv) {
      const coverage = await visitCoverage(a.db, a.scope, filters, a.regions);
      return sendCsv(a.res, `minqing-visit-coverage-${filters.month}.csv`, tableCsv(COVERAGE_COLUMNS, coverage));
    }
    if (path === CONSOLE_PATHS.visitsGridsCsv)
      return sendCsv(a.res, `minqing-visit-grids-${filters.month}.csv`, tableCsv(GRID_COVERAGE_COLUMNS, await visitGridCoverage(a.db, a.scope, filters, a.regions)));
    if (path === CONSOLE_PATHS.visitsCsv) {
      const batches = visitBatches(a.db, a.scope, filters, a.regions);
      const rows = await streamCsv(a.res, `minqing-visits-${filters.month}.csv`, csvHeader(VISIT_COLUMNS), async () => {
        const next = await batches.next();
        return next.done ? [] : next.value.map((row) => csvRow(VISIT_COLUMNS, row));
      });
      log.info({ account: a.scope.accountId, rows }, 'visits exported');
      return;
    }
    const [visits, coverage, grids, options] = await Promise.all([
      queryVisits(a.db, a.scope, filters, a.regions, parsed.after === undefined ? {} : { after: parsed.after }),
      visitCoverage(a.db, a.scope, filters, a.regions),
      visitGridCoverage(a.db, a.scope, filters, a.regions),
      visitFormOptions(a.db, a.scope, a.regions),
    ]);
    page(
      a,
      200,
      '民情日记 Visit log',
      visitsBody({ filters, ...(parsed.after === undefined ? {} : { after: parsed.after }), page: visits, coverage, grids, options, problems: parsed.problems }),
      'visits',
    );
  }

  // ─── Surveys 服务需求表 ─────────────────────────────────────────────────────

  async function surveysRoute(a: Authed, path: string, method: string): Promise<void> {
    if (!hasSurveys(a.scope)) return notFound(a);
    const get = method === 'GET' || method === 'HEAD';
    if (path === CONSOLE_PATHS.surveys && get) return page(a, 200, '服务需求表 Surveys', surveyListBody(await listSurveys(a.db, a.scope, a.regions)), 'surveys');
    if (path === `${CONSOLE_PATHS.surveys}/new`) {
      const options = await surveyFormOptions(a.db, a.scope, a.regions);
      if (get) {
        const form = emptyForm(a.url.searchParams.get('kind') === 'appraisal' ? 'appraisal' : 'survey', a.scope);
        return page(a, 200, '新建调查 New survey', surveyFormBody(form, options, a.session.csrfToken, []), 'surveys');
      }
      const posted = await checkedForm(a);
      if (!posted) return;
      const form = readSurveyForm(posted);
      if (posted.get('add')) return page(a, 200, '新建调查 New survey', surveyFormBody(withOneMoreQuestion(form), options, a.session.csrfToken, []), 'surveys');
      const checked = checkSurveyForm(form, a.scope, a.regions, new Set(options.grids.map((g) => Number(g.value))));
      if (!checked.ok) return page(a, 400, '新建调查 New survey', surveyFormBody(form, options, a.session.csrfToken, checked.problems), 'surveys');
      const id = await createSurvey(a.db, a.scope, checked.survey, a.now);
      log.info({ account: a.scope.accountId, survey: id, kind: checked.survey.kind }, 'survey created');
      return redirect(a.res, `${CONSOLE_PATHS.surveys}/${id}?done=created`);
    }
    const match = SURVEY_ROUTE.exec(path);
    const survey = match ? await loadSurvey(a.db, a.scope, a.regions, Number(match[1])) : null;
    if (!match || !survey) {
      a.req.resume();
      return notFound(a);
    }
    const action = match[2];
    if (get && action === 'responses.csv') {
      const batches = responseBatches(a.db, survey);
      const columns = responseColumns(survey);
      const rows = await streamCsv(a.res, `minqing-survey-${survey.id}.csv`, csvHeader(columns), async () => {
        const next = await batches.next();
        return next.done ? [] : next.value.map((row) => csvRow(columns, row));
      });
      log.info({ account: a.scope.accountId, survey: survey.id, rows }, 'survey responses exported');
      return;
    }
    if (method === 'POST' && survey.manages && (action === 'send' || action === 'close' || action === 'unschedule')) {
      const form = await checkedForm(a);
      if (!form) return;
      let changed: boolean;
      if (action === 'send') {
        const sendAt = sendTimeOf(form.get('send_at') ?? '', a.now);
        if (!sendAt) return surveyPage(a, survey, 400, notice('error', bi('发送时间格式不对。', 'The send time is not a date and time.')));
        changed = await scheduleSurvey(a.db, survey.id, sendAt, a.now);
      } else if (action === 'close') changed = await closeSurvey(a.db, survey.id, a.now);
      else changed = await unscheduleSurvey(a.db, survey.id, a.now);
      log.info({ account: a.scope.accountId, survey: survey.id, action, changed }, 'survey action');
      return redirect(a.res, `${CONSOLE_PATHS.surveys}/${survey.id}?done=${changed ? action : 'stale'}`);
    }
    if (get && action === undefined) return surveyPage(a, survey, 200);
    a.req.resume();
    notFound(a);
  }

  async function surveyPage(a: Authed, survey: SurveyView, status: number, problem?: Html): Promise<void> {
    const [results, audience] = await Promise.all([
      surveyResults(a.db, survey.id, survey.questions, survey.visibleRegionIds),
      survey.status === 'draft' || survey.status === 'scheduled' ? audienceSize(a.db, survey.regionId, JSON.stringify(survey.audience)) : Promise.resolve(null),
    ]);
    const done = SURVEY_DONE[a.url.searchParams.get('done') ?? ''];
    const body = surveyBody({
      survey,
      audience: audience ?? results.households,
      results,
      csrf: a.session.csrfToken,
      ...(done ? { done } : {}),
      regionName: (id) => a.regions.get(id)?.name ?? String(id),
    });
    page(a, status, `${survey.title} · 服务需求表`, problem ? html`${problem}${body}` : body, 'surveys');
  }

  // ─── Appraisal 双述双评 ─────────────────────────────────────────────────────

  async function appraisalRoute(a: Authed, path: string, method: string): Promise<void> {
    if (!hasSurveys(a.scope)) return notFound(a);
    const rounds = await appraisalRounds(a.db, a.scope, a.regions);
    const asked = formId(a.url.searchParams.get('survey'));
    const round = rounds.find((r) => r.id === asked) ?? rounds[0] ?? null;
    const get = method === 'GET' || method === 'HEAD';
    if (path === APPRAISAL_PATH && get) {
      const result = round ? await liaisonAppraisals(a.db, round, a.scope.regionIds, { now: a.now }) : null;
      return page(a, 200, '双述双评 Appraisal', appraisalBody({ rounds, round, period: result?.period.label ?? '', liaisons: result?.liaisons ?? [] }), 'surveys');
    }
    if (path === APPRAISAL_CSV_PATH && get && round) {
      const { liaisons } = await liaisonAppraisals(a.db, round, a.scope.regionIds, { now: a.now });
      return sendCsv(a.res, `minqing-appraisal-${round.id}.csv`, tableCsv(appraisalColumns(round.id), liaisons));
    }
    const liaisonId = Number(/^\/console\/appraisal\/(\d{1,9})$/.exec(path)?.[1]);
    const found = round && liaisonId ? await liaisonAppraisals(a.db, round, a.scope.regionIds, { now: a.now, liaisonId }) : null;
    const appraisal = found?.liaisons[0];
    if (!round || !found || !appraisal) {
      a.req.resume();
      return notFound(a);
    }
    let problem: string | null = null;
    if (method === 'POST') {
      const form = await checkedForm(a);
      if (!form) return;
      const text = normaliseText(form.get('report') ?? '').trim();
      if (!hasWords(text) || text.length > 2000) problem = '述职内容不能为空，且不超过 2000 字。 The report must be 1–2000 characters.';
      else {
        await saveLiaisonReport(a.db, liaisonId, text, round.sentAt ?? a.now);
        log.info({ account: a.scope.accountId, liaison: liaisonId, round: round.id }, 'work report typed in');
        return redirect(a.res, `${APPRAISAL_PATH}/${liaisonId}?survey=${round.id}&done=1`);
      }
    } else if (!get) return notFound(a);
    const body = liaisonAppraisalBody({ round, period: found.period.label, appraisal, csrf: a.session.csrfToken, done: a.url.searchParams.has('done'), problem });
    page(a, problem ? 400 : 200, `${appraisal.name} · 双述双评`, body, 'surveys');
  }

  // ─── 重点户 and visit rules (src/web/console/visit-admin.ts) ─────────────────

  async function householdRoute(a: Authed, code: string): Promise<void> {
    const view = await loadHousehold(a.db, a.scope, code);
    if (!view) {
      a.req.resume();
      return notFound(a, 'household');
    }
    const title = `住户 Household ${view.code}`;
    if (a.req.method !== 'POST')
      return page(a, 200, title, householdBody(view, a.session.csrfToken, a.url.searchParams.has('done') ? { kind: 'ok', text: '已保存 Saved' } : undefined), 'visits');
    const form = await checkedForm(a);
    if (!form) return;
    try {
      await saveKeyReason(a.db, a.scope, view, form, a.now);
    } catch (error) {
      if (error instanceof VisitFormProblem) return page(a, 422, title, householdBody(view, a.session.csrfToken, { kind: 'error', text: error.message }), 'visits');
      throw error;
    }
    log.info({ account: a.scope.accountId, household: view.code }, 'household key reason set');
    redirect(a.res, `${CONSOLE_PATHS.households}/${view.code}?done=1`);
  }

  async function visitRulesRoute(a: Authed): Promise<void> {
    const rows = await loadRulesRows(a.db, a.scope, a.regions);
    if (!rows.length) {
      a.req.resume();
      return notFound(a);
    }
    const title = '走访规则 Visit rules';
    if (a.req.method !== 'POST') {
      const done = rows.find((r) => r.region.code === a.url.searchParams.get('done'));
      return page(a, 200, title, visitRulesBody(rows, a.session.csrfToken, done ? { kind: 'ok', text: `${done.region.name}：已保存 saved` } : undefined), 'visits');
    }
    const form = await checkedForm(a);
    if (!form) return;
    try {
      const region = await saveVisitRules(a.db, a.scope, rows, form, a.now);
      log.info({ account: a.scope.accountId, region: region.code }, 'visit rules set');
      redirect(a.res, `${CONSOLE_PATHS.visitRules}?done=${encodeURIComponent(region.code)}`);
    } catch (error) {
      if (error instanceof VisitFormProblem) return page(a, 422, title, visitRulesBody(rows, a.session.csrfToken, { kind: 'error', text: error.message }), 'visits');
      throw error;
    }
  }

  // ─── Inbox 会话 ────────────────────────────────────────────────────────────

  async function inboxPage(a: Authed): Promise<void> {
    if (!hasInbox(a.scope)) return notFound(a);
    const asked = a.url.searchParams.get('status');
    const problems: string[] = [];
    const filters: InboxFilters = { status: asked === 'closed' || asked === 'all' ? asked : 'open' };
    const regionId = parseRegionParam(a.url.searchParams, a.scope, a.regions, problems);
    if (regionId !== undefined) filters.regionId = regionId;
    const rows = await inboxRows(a.db, a.scope, filters, a.regions);
    page(a, 200, '会话 Conversations', inboxBody({ rows, filters, problems, scope: a.scope, regions: a.regions, now: a.now }), 'inbox');
  }

  async function conversationPage(a: Authed, view: ConversationView, status = 200, error?: string): Promise<void> {
    const categories = await categoryNames(a.db);
    const said = residentWords(view).text;
    const suggested = said && a.classifier ? a.classifier.classify(said).code : null;
    // Every village of the user's regions, however many (a county has hundreds): the one the resident's words name is proposed.
    const inScope = new Set(a.scope.regionIds);
    const villages = (await villageList(a.db)).filter((v) => a.scope.everyRegion || inScope.has(v.id));
    const done = a.url.searchParams.get('done') ?? undefined;
    // Opening it reads it: the unread count of the inbox goes.
    if (status === 200) await markRead(a.db, view.id, a.now);
    page(
      a,
      status,
      `会话 #${view.id}`,
      conversationBody({
        view,
        csrf: a.session.csrfToken,
        now: a.now,
        categories,
        suggested,
        villages,
        ...(done && !error ? { done } : {}),
        ...(error ? { error } : {}),
      }),
      'inbox',
    );
  }

  async function conversationAction(a: Authed, view: ConversationView, action: string): Promise<void> {
    const form = await checkedForm(a);
    if (!form) return;
    const field = (name: string) => (form.get(name) ?? '').trim();
    try {
      switch (action) {
        case 'reply':
          await withRetry(a.db, (tx) => staffReplies(tx, view.id, a.scope.personId, field('text'), a.now));
          break;
        case 'close':
          await withRetry(a.db, (tx) => closeConversation(tx, view.id, 'staff', a.now, a.scope.personId));
          break;
        case 'ticket': {
          const number = await conversationToTicket(a, view, form);
          log.info({ account: a.scope.accountId, conversation: view.id, ticket: number }, 'conversation made a ticket');
          return redirect(a.res, `${CONSOLE_PATHS.tickets}/${number}?done=conversation`);
        }
        case 'attach': {
          const number = field('number').toUpperCase();
          const ticket = await loadTicketView(a.db, a.scope, number, a.now);
          if (!ticket) throw new ConversationRefused(`没有找到诉求 ${number} there is no such ticket in your area`);
          await a.db.conversation.update({ where: { id: view.id }, data: { ticketId: ticket.id } });
          // The ticket's history says so (staff only), with who attached it.
          await runAction(a.pipeline, number, { type: 'note', text: `关联人工会话 #${view.id} attached conversation #${view.id}` }, a.scope.personId);
          break;
        }
      }
    } catch (error) {
      if (error instanceof ConversationRefused || error instanceof FormProblem) {
        const fresh = await loadConversation(a.db, a.scope, view.id);
        return conversationPage(a, fresh ?? view, 409, error.message);
      }
      throw error;
    }
    log.info({ account: a.scope.accountId, conversation: view.id, action }, 'conversation action');
    redirect(a.res, `${CONSOLE_PATHS.inbox}/${view.id}?done=${action}`);
  }

  /**
   * 转为诉求: what the resident said becomes a ticket, through the same pipeline as a chat
   * report (routing, deadlines, pings); the resident is told its number and deadline,
   * and the conversation ends.
   */
  async function conversationToTicket(a: Authed, view: ConversationView, form: URLSearchParams): Promise<string> {
    const field = (name: string) => (form.get(name) ?? '').trim();
    const categories = await categoryNames(a.db);
    const category = field('category');
    if (!categories.has(category)) throw new FormProblem('请从列表中选择类别 choose a category from the list');
    const regionId = formId(field('region'));
    const region = regionId === null ? null : await a.db.region.findUnique({ where: { id: regionId }, select: { id: true, level: true } });
    if (!region || region.level !== 'village' || (!a.scope.everyRegion && !a.scope.regionIds.includes(region.id))) {
      throw new FormProblem('请选择您辖区内的村庄 choose a village of your area');
    }
    const summary = field('summary').slice(0, 60);
    const description = field('description') || summary;
    // The resident's own media, unmasked, from the stored messages.
    const media = (await a.db.conversationMessage.findMany({ where: { conversationId: view.id, author: 'resident' }, select: { media: true }, orderBy: { id: 'asc' } }))
      .flatMap((m) => JSON.parse(m.media) as string[])
      .slice(0, 9);
    const number = await withRetry(a.db, async (tx) => {
      const outcome = await a.pipeline.reportIn(tx, {
        residentId: view.residentId,
        categoryCode: category,
        kind: 'help',
        summary,
        description,
        regionId: region.id,
        photos: media,
        via: 'conversation',
        acknowledged: true,
      });
      if (!outcome.ok) throw new ConversationRefused(refusalText(outcome.refusal));
      await tx.conversation.update({ where: { id: view.id }, data: { ticketId: outcome.ticket.id } });
      await closeConversation(tx, view.id, 'ticket', a.now, a.scope.personId, { number: outcome.ticket.number, resolveBy: outcome.ticket.resolveBy });
      return outcome.ticket.number;
    });
    return number;
  }

  async function conversationRoute(a: Authed, id: number, action: string | undefined): Promise<void> {
    const view = await loadConversation(a.db, a.scope, id);
    if (!view) {
      a.req.resume();
      return notFound(a, 'conversation');
    }
    if (a.req.method === 'POST') return action ? conversationAction(a, view, action) : notFound(a);
    if (action) return notFound(a);
    return conversationPage(a, view);
  }

  // ─── Statistics ────────────────────────────────────────────────────────────

  async function statsRoute(a: Authed): Promise<void> {
    if (a.url.pathname === STATS_CSV_PATH) {
      const table = a.url.searchParams.get('table') ?? '';
      const csv = await renderStatsCsv(a.db, a.scope, a.url.searchParams, table, { now: a.now });
      if (!csv) return notFound(a);
      return sendCsv(a.res, csv.filename, csv.csv);
    }
    const stats = await renderStatsPage(a.db, a.scope, a.url.searchParams, { now: a.now });
    page(a, 200, stats.title, raw(stats.body), 'stats');
  }

  // ─── Monthly report 月报 ────────────────────────────────────────────────────

  async function reportRoute(a: Authed, path: string): Promise<void> {
    const request = hasReports(a.scope) ? parseReportParams(a.url.searchParams, a.scope, a.regions, a.now) : null;
    if (!request) return notFound(a);
    // The document of a region outside the user's is not theirs: 404, as a ticket outside the scope.
    if (path === CONSOLE_PATHS.reportHtml && request.outside) return notFound(a);
    if (path === CONSOLE_PATHS.report || request.problems.length) {
      return page(a, request.problems.length ? 400 : 200, '月报 Monthly report', reportChooserBody(request, a.scope, a.regions, a.now), 'report');
    }
    const report = await reportDocument(a.db, request, a.now, a.pipeline.rules.calendar);
    log.info({ account: a.scope.accountId, region: request.region.code, month: request.month }, 'monthly report made');
    sendHtml(a.res, 200, report.html, report.headers);
  }

  // ─── Ranking 红黑榜 ─────────────────────────────────────────────────────────

  async function rankingRoute(a: Authed, path: string): Promise<void> {
    const request = hasRanking(a.scope) ? parseRankingParams(a.url.searchParams, a.scope, a.regions, a.now) : null;
    if (!request) {
      a.req.resume();
      return notFound(a);
    }
    if (path === CONSOLE_PATHS.rankingCsv) {
      const csv = rankingCsv(request, await rankingOf(a.db, a.regions, request));
      return sendCsv(a.res, csv.filename, csv.text);
    }
    let problems: string[] = [];
    if (a.req.method === 'POST') {
      const form = await checkedForm(a);
      if (!form) return;
      if (!canSetRanking(a.scope, a.regions, request.region) || form.get('region') !== String(request.region.id)) return notFound(a);
      problems = await saveRankingForm(a.db, a.scope, request.region, form);
      if (!problems.length) {
        log.info({ account: a.scope.accountId, region: request.region.code }, 'ranking settings');
        return redirect(a.res, `${CONSOLE_PATHS.ranking}?${rankingParams(request).toString()}&done=1#settings`);
      }
    }
    const input = await rankingPageInput(a.db, a.scope, a.regions, request, { csrf: a.session.csrfToken, problems, done: a.url.searchParams.get('done') === '1' });
    page(a, problems.length ? 422 : 200, '红黑榜 Ranking', rankingBody(input), 'ranking');
  }

  // ─── Public board switch (admins) ──────────────────────────────────────────

  async function boardRoute(a: Authed): Promise<void> {
    const regions = adminRegions(a.scope, a.regions);
    if (!regions.length) {
      a.req.resume();
      return notFound(a);
    }
    if (a.url.pathname === CONSOLE_PATHS.boardCsv) {
      const columns = boardColumns(null);
      return sendCsv(a.res, 'minqing-public-board.csv', tableCsv(columns, regions));
    }
    if (a.req.method === 'POST') {
      const form = await checkedForm(a);
      if (!form) return;
      const region = regions.find((r) => String(r.id) === form.get('region'));
      if (!region) return notFound(a);
      if (form.has('mode')) {
        const settings = boardSettings(form, [...(await categoryNames(a.db)).keys()]);
        if (!settings)
          return page(
            a,
            422,
            '公示设置 Public board',
            boardAdminBody(regions, a.session.csrfToken, undefined, '公示方式或类别编码不对。 The mode or a category code is not right.'),
            'board',
          );
        await a.db.region.update({ where: { id: region.id }, data: settings });
        log.info({ account: a.scope.accountId, region: region.code, ...settings }, 'public board settings');
        return redirect(a.res, `${CONSOLE_PATHS.board}?done=${encodeURIComponent(region.code)}`);
      }
      const publish = form.get('publish') === '1';
      await setPublicBoard(a.db, region.id, publish);
      log.info({ account: a.scope.accountId, region: region.code, publish }, 'public board switched');
      return redirect(a.res, `${CONSOLE_PATHS.board}?done=${encodeURIComponent(region.code)}`);
    }
    const doneCode = a.url.searchParams.get('done');
    const done = doneCode ? regions.find((r) => r.code === doneCode) : undefined;
    page(
      a,
      200,
      '公示设置 Public board',
      boardAdminBody(regions, a.session.csrfToken, done ? `${done.name}：${done.publicBoard ? '已开启公示 published' : '已关闭公示 switched off'}` : undefined),
      'board',
    );
  }

  // ─── Dispatch ──────────────────────────────────────────────────────────────

  async function authed(r: Request): Promise<Authed | null> {
    const token = parseCookies(r.req.headers.cookie).get(SESSION_COOKIE);
    const session = await sessions.read(token);
    if (!session) return null;
    const regions = await loadRegions(r.db);
    const scope = await loadScope(r.db, session.account, regions);
    if (!scope) return null;
    return { ...r, session, scope, regions };
  }

  async function route(r: Request): Promise<void> {
    const { req, res, url } = r;
    const path = url.pathname.replace(/(.)\/+$/, '$1');
    const method = req.method ?? 'GET';
    const get = method === 'GET' || method === 'HEAD';
    if (path === CONSOLE_PATHS.login) {
      if (get) {
        // Already logged in: straight on.
        const already = await authed(r);
        const next = safeNext(url.searchParams.get('next'));
        if (already) return redirect(res, next === CONSOLE_PATHS.queue ? homeOf(already.scope) : next);
        return showLogin(r, 200);
      }
      if (method === 'POST') return login(r);
    }
    if (path === CONSOLE_PATHS.logout && method === 'POST') {
      const a = await authed(r);
      if (a) {
        const form = await checkedForm(a);
        if (!form) return;
        await sessions.destroy(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
        log.info({ account: a.scope.accountId }, 'console logout');
      } else {
        req.resume();
      }
      return redirect(res, CONSOLE_PATHS.login, { 'set-cookie': cookie(r, SESSION_COOKIE, '', CONSOLE_PATHS.root, 0) });
    }
    const a = await authed(r);
    if (!a) {
      req.resume();
      if (wantsData(req, path)) return sendJson(res, 401, { error: '请先登录 please log in', login: CONSOLE_PATHS.login });
      const next = get ? `${path}${url.search}` : CONSOLE_PATHS.queue;
      return redirect(res, `${CONSOLE_PATHS.login}?next=${encodeURIComponent(next)}`);
    }
    if (path === CONSOLE_PATHS.root) return redirect(res, homeOf(a.scope));
    const mediation = MEDIATION_ROUTE.exec(path);
    // A mediator's console is their own cases: any other page does not exist for them.
    if (a.scope.mediationOnly && !mediation) {
      req.resume();
      return notFound(a);
    }
    if (get && path === CONSOLE_PATHS.queue) return queuePage(a);
    if (get && path === CONSOLE_PATHS.queueCsv) return queueCsv(a);
    if (get && path === `${CONSOLE_PATHS.api}/queue`) return queueApi(a);
    if (get && (path === STATS_PATH || path === STATS_CSV_PATH)) return statsRoute(a);
    if (get && (path === CONSOLE_PATHS.report || path === CONSOLE_PATHS.reportHtml)) return reportRoute(a, path);
    if ((get && path === CONSOLE_PATHS.rankingCsv) || ((get || method === 'POST') && path === CONSOLE_PATHS.ranking)) return rankingRoute(a, path);
    if (get && path === CONSOLE_PATHS.inbox) return inboxPage(a);
    if (path === CONSOLE_PATHS.surveys || path.startsWith(`${CONSOLE_PATHS.surveys}/`)) return surveysRoute(a, path, method);
    if (path === APPRAISAL_PATH || path === APPRAISAL_CSV_PATH || path.startsWith(`${APPRAISAL_PATH}/`)) return appraisalRoute(a, path, method);
    const assistance = ASSISTANCE_ROUTE.exec(path);
    if (assistance && (get || method === 'POST')) return (await import('./assistance.js')).assistanceRoute({ ...section(a, 'assistance'), rules: a.pipeline.rules }, assistance);
    const theme = THEME_ROUTE.exec(path);
    if (theme && (get || method === 'POST')) return (await import('./themes.js')).themesRoute(section(a, 'themes'), theme);
    const ledger = LEDGER_ROUTE.exec(path);
    if (ledger && (get || method === 'POST')) return (await import('./ledger.js')).ledgerRoute(section(a, 'ledger'), ledger);
    const webhooks = WEBHOOKS_ROUTE.exec(path);
    if (webhooks && (get || method === 'POST')) return (await import('./webhooks.js')).webhooksRoute(section(a, 'webhooks'), webhooks);
    if (path === CONSOLE_PATHS.intake && (get || method === 'POST')) return intakeRoute({ ...section(a, 'intake'), pipeline: a.pipeline, matcher: a.classifier, uploads });
    if (mediation && (get || method === 'POST')) return (await import('./mediation.js')).mediationRoute({ ...section(a, 'mediation'), rules: options.mediationRules }, mediation);
    const meeting = MEETINGS_ROUTE.exec(path);
    if (meeting && (get || method === 'POST')) return (await import('./meetings.js')).meetingsRoute({ ...section(a, 'meetings'), pipeline: a.pipeline }, meeting);
    if (get && (path === CONSOLE_PATHS.visits || path === CONSOLE_PATHS.visitsCsv || path === CONSOLE_PATHS.visitsCoverageCsv || path === CONSOLE_PATHS.visitsGridsCsv))
      return visitsRoute(a, path);
    const household = HOUSEHOLD_ROUTE.exec(path);
    if (household && (get || method === 'POST')) return householdRoute(a, household[1]!);
    if ((get || method === 'POST') && path === CONSOLE_PATHS.visitRules) return visitRulesRoute(a);
    const conversation = CONVERSATION_ROUTE.exec(path);
    if (conversation && (get || method === 'POST')) return conversationRoute(a, Number(conversation[1]), conversation[2]);
    if ((get || method === 'POST') && (path === CONSOLE_PATHS.board || path === CONSOLE_PATHS.boardCsv)) return boardRoute(a);
    const apiTicket = API_TICKET_ROUTE.exec(path);
    if (get && apiTicket) {
      const view = await loadTicketView(a.db, a.scope, apiTicket[1]!, a.now);
      return view ? sendJson(res, 200, view) : notFound(a, 'ticket');
    }
    const ticket = TICKET_ROUTE.exec(path);
    if (ticket && (get || method === 'POST')) return ticketRoute(a, ticket[1]!, ticket[2]);
    req.resume();
    notFound(a);
  }

  return async (req, res, url) => {
    if (url.pathname !== CONSOLE_PATHS.root && !url.pathname.startsWith(`${CONSOLE_PATHS.root}/`)) return false;
    const app = options.app();
    if (!app) {
      req.resume();
      sendHtml(res, 503, messagePage({ zh: '正在启动', en: 'Starting' }, bi('系统正在启动，请稍后刷新。', 'Minqing is starting; reload in a moment.'), null), {
        'retry-after': '5',
      });
      return true;
    }
    await route({ req, res, url, db: app.database.db, pipeline: app.pipeline, classifier: app.classifier, now: clock.now() });
    return true;
  };
}
