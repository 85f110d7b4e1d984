/**
 * 每月一题 in the console, at /console/themes: the proposals and adopted themes of a month
 * and region, adopting a theme, a theme's page (tasks added and marked done, tickets
 * linked by number), and the theme box of the ticket page. Only the region-scoped roles
 * (dispatchers, supervisors, admins) have it, for the themes of their regions; any other
 * theme does not exist for them (404).
 */
import type { Db } from '../../db/client.js';
import { logger } from '../../log.js';
import { localDateOf } from '../../pipeline/calendar.js';
import { themeProposals } from '../../themes/proposals.js';
import {
  addThemeTask,
  adoptTheme,
  completeThemeTask,
  linkThemeTicket,
  loadThemes,
  scrubThemes,
  themeDepartments,
  themeIds,
  themesOfTicket,
  ThemeRefused,
  type ThemeView,
} from '../../themes/themes.js';
import type { Html } from '../html.js';
import { redirect } from '../http.js';
import { CONSOLE_PATHS } from './layout.js';
import { regionOptions } from './queue-page.js';
import { inScope, type StaffScope } from './scope.js';
import { pathOf, type RegionNode, subtreeIds } from '../../org/regions.js';
import type { SectionRequest } from './section.js';
import { adoptBody, type AdoptForm, themeBody, themesBody, ticketThemesBox } from './themes-page.js';
import { formId } from './form-numbers.js';

const log = logger('console');

/** Whether the user has 每月一题: the roles that see a region. */
function hasThemes(scope: StaffScope): boolean {
  return scope.regionIds.length > 0;
}

/** A theme of the user's regions, or undefined. */
async function visibleTheme(r: SectionRequest, id: number): Promise<ThemeView | undefined> {
  const [theme] = await loadThemes(r.db, r.regions, [id], r.now);
  // The linked requests' summaries are a list: through the one scrubber, as every list.
  return theme && r.scope.regionIds.includes(theme.regionId) ? (await scrubThemes(r.db, [theme]))[0] : undefined;
}

/** Month and region from the query string (current month, the user's first region by default), with the problems of bad values. */
function monthAndRegion(r: SectionRequest, params: URLSearchParams): { month: string; regionId: number; problems: string[] } {
  const problems: string[] = [];
  let month = localDateOf(r.now).slice(0, 7);
  const asked = params.get('month')?.trim();
  if (asked) {
    if (/^\d{4}-(0[1-9]|1[0-2])$/.test(asked)) month = asked;
    else problems.push(`月份 month: ${asked}`);
  }
  let regionId = r.scope.topRegions[0]?.id ?? r.scope.regionIds[0] ?? 0;
  const region = params.get('region');
  if (region) {
    const id = formId(region);
    if (id !== null && r.scope.regionIds.includes(id)) regionId = id;
    else problems.push(`地区 region: ${region}`);
  }
  return { month, regionId, problems };
}

async function listPage(r: SectionRequest): Promise<void> {
  const { month, regionId, problems } = monthAndRegion(r, r.url.searchParams);
  const inside = new Set(subtreeIds(r.regions, regionId));
  const [proposals, ids] = await Promise.all([
    themeProposals(r.db, r.regions, regionId, month),
    themeIds(
      r.db,
      r.scope.regionIds.filter((id) => inside.has(id)),
      month,
    ),
  ]);
  const themes = await loadThemes(r.db, r.regions, ids, r.now);
  r.page(200, '每月一题 Theme of the month', themesBody({ month, regionId, regions: regionOptions(r.scope, r.regions), themes, proposals, problems }));
}

async function adoptPage(r: SectionRequest, form: AdoptForm, status = 200, error?: string): Promise<void> {
  const departments = await themeDepartments(r.db, r.regions, form.regionId);
  r.page(status, '采纳主题 Adopt a theme', adoptBody(form, { regions: regionOptions(r.scope, r.regions), departments, csrf: r.csrf, ...(error ? { error } : {}) }));
}

async function adopt(r: SectionRequest): Promise<void> {
  if (r.req.method !== 'POST') {
    const params = r.url.searchParams;
    const { month, regionId } = monthAndRegion(r, params);
    return adoptPage(r, { regionId, month, source: params.get('source') ?? '', title: params.get('title') ?? '', problems: [], departmentIds: [] });
  }
  const posted = await r.checkedForm();
  if (!posted) return;
  const form: AdoptForm = {
    regionId: formId(posted.get('region')) ?? 0,
    month: (posted.get('month') ?? '').trim(),
    source: posted.get('source') ?? '',
    title: posted.get('title') ?? '',
    problems: posted.getAll('problem'),
    departmentIds: posted.getAll('department').flatMap((d) => formId(d) ?? []),
  };
  if (!r.scope.regionIds.includes(form.regionId))
    return adoptPage(r, { ...form, regionId: r.scope.regionIds[0] ?? 0 }, 422, '请选择您辖区内的地区。 Choose a region of your area.');
  try {
    const id = await adoptTheme(r.db, r.regions, form, r.scope.personId, r.now);
    log.info({ account: r.scope.accountId, theme: id }, 'theme adopted');
    redirect(r.res, `${CONSOLE_PATHS.themes}/${id}?done=adopted`);
  } catch (error) {
    if (error instanceof ThemeRefused) return adoptPage(r, form, 422, error.message);
    throw error;
  }
}

async function themeAction(r: SectionRequest, theme: ThemeView, what: string, taskId: number | null): Promise<void> {
  const form = await r.checkedForm();
  if (!form) return;
  const field = (name: string) => (form.get(name) ?? '').trim();
  try {
    if (what === 'tickets') {
      const number = field('number').toUpperCase();
      const ticket = number
        ? await r.db.ticket.findUnique({ where: { number }, select: { id: true, number: true, regionId: true, gridId: true, assigneeDepartmentId: true } })
        : null;
      // A ticket outside the user's scope is no more found here than anywhere.
      if (!ticket || !inScope(r.scope, ticket)) throw new ThemeRefused(`没有找到诉求 ${number}，或它不在您的工作范围内。 There is no request ${number} in your area.`);
      await linkThemeTicket(r.db, r.regions, theme.id, ticket, r.scope.personId, r.now);
      log.info({ account: r.scope.accountId, theme: theme.id, ticket: ticket.number }, 'ticket linked to a theme');
      if (field('from') === 'ticket') return redirect(r.res, `${CONSOLE_PATHS.tickets}/${ticket.number}#themes`);
    } else if (taskId === null) {
      const departmentId = formId(form.get('department'));
      await addThemeTask(r.db, theme.id, { text: field('text'), departmentId: departmentId ?? 0, deadline: field('deadline') }, r.scope.personId, r.now);
      log.info({ account: r.scope.accountId, theme: theme.id }, 'theme task added');
    } else {
      await completeThemeTask(r.db, theme.id, taskId, field('note'), r.scope.personId, r.now);
      log.info({ account: r.scope.accountId, theme: theme.id, task: taskId }, 'theme task done');
    }
  } catch (error) {
    if (!(error instanceof ThemeRefused)) throw error;
    return r.page(422, theme.title, themeBody(theme, { csrf: r.csrf, canWork: true, error: error.message }));
  }
  redirect(r.res, `${CONSOLE_PATHS.themes}/${theme.id}?done=${what}#${what}`);
}

/** Serves a path matched by `THEME_ROUTE` (section-routes.ts). */
export async function themesRoute(r: SectionRequest, match: RegExpExecArray): Promise<void> {
  const [, target, what, task] = match;
  const post = r.req.method === 'POST';
  if (!hasThemes(r.scope)) {
    r.req.resume();
    return r.notFound();
  }
  if (target === undefined && !post) return listPage(r);
  if (target === 'new' && what === undefined) return adopt(r);
  const theme = target === undefined || target === 'new' ? undefined : await visibleTheme(r, Number(target));
  // Reading is GET on the theme itself; its actions are POSTs below it.
  if (!theme || post !== (what !== undefined) || (what === 'tickets' && task !== undefined)) {
    r.req.resume();
    return r.notFound();
  }
  if (post) return themeAction(r, theme, what!, task === undefined ? null : Number(task));
  const done = r.url.searchParams.get('done');
  r.page(200, theme.title, themeBody(theme, { csrf: r.csrf, canWork: true, ...(done ? { done } : {}) }));
}

/** The ticket page's theme box: the themes it is linked to, and those of its region (the latest five) it may be linked to. */
export async function ticketThemes(
  db: Db,
  scope: StaffScope,
  regions: Map<number, RegionNode>,
  ticket: { id: number; number: string; regionId: number },
  csrf: string,
  now: Date,
): Promise<Html> {
  if (!hasThemes(scope)) return ticketThemesBox({ number: ticket.number, linked: [], linkable: [], csrf });
  const linkedIds = await themesOfTicket(db, ticket.id);
  const around = pathOf(regions, ticket.regionId).filter((id) => scope.regionIds.includes(id));
  const candidates = (await themeIds(db, around, undefined, 5 + linkedIds.length)).filter((id) => !linkedIds.includes(id)).slice(0, 5);
  const themes = await loadThemes(db, regions, [...linkedIds, ...candidates], now);
  return ticketThemesBox({
    number: ticket.number,
    linked: themes.filter((t) => linkedIds.includes(t.id) && scope.regionIds.includes(t.regionId)),
    linkable: themes.filter((t) => candidates.includes(t.id)),
    csrf,
  });
}
