/**
 * The ledger 台账 in the console, at /console/ledger: the items of the user's regions
 * (filtered by region and status), creating and editing one, its page (progress entries,
 * closing it done or dropped with the reason, linking tickets by number) and, for
 * supervisors, 挂牌督办. Only the region-scoped roles have it, for the items of their
 * regions; any other item does not exist for them (404).
 */
import { casesOfLedgerItems, LINKED_CASE_KINDS, type LinkedCase, linkLedgerCase } from '../../ledger/case-links.js';
import type { Db } from '../../db/client.js';
import {
  addLedgerProgress,
  closeLedgerItem,
  createLedgerItem,
  flagLedgerItem,
  LEDGER_STATUSES,
  type LedgerInput,
  ledgerItemIds,
  ledgerOwners,
  LedgerRefused,
  type LedgerStatus,
  linkLedgerTicket,
  loadLedgerItems,
  updateLedgerItem,
} from '../../ledger/ledger.js';
import { logger } from '../../log.js';
import { redirect } from '../http.js';
import { CONSOLE_PATHS } from './layout.js';
import { ledgerBody, ledgerFormBody, ledgerItemBody } from './ledger-page.js';
import { regionOptions } from './queue-page.js';
import { inScope } from './scope.js';
import { type RegionNode, subtreeIds } from '../../org/regions.js';
import type { SectionRequest } from './section.js';
import { formId } from './form-numbers.js';

const log = logger('console');

/** What a ledger request needs of the console: the same as a theme request. */
export type LedgerRequest = SectionRequest;

/** Whether the user may flag items 挂牌督办: supervisors (and admins). */
function maySupervise(r: LedgerRequest): boolean {
  return r.scope.isAdmin || r.scope.roles.some((role) => role.role === 'supervisor');
}

async function listPage(r: LedgerRequest): Promise<void> {
  const params = r.url.searchParams;
  const regionId = formId(params.get('region'));
  const chosenRegion = regionId !== null && r.scope.regionIds.includes(regionId) ? regionId : undefined;
  const asked = params.get('status') ?? '';
  const status = (LEDGER_STATUSES as readonly string[]).includes(asked) ? (asked as LedgerStatus) : undefined;
  const flaggedOnly = params.get('flagged') === '1';
  const inside = chosenRegion === undefined ? r.scope.regionIds : subtreeIds(r.regions, chosenRegion).filter((id) => r.scope.regionIds.includes(id));
  const items = (await loadLedgerItems(r.db, r.regions, await ledgerItemIds(r.db, inside), r.now)).filter(
    (i) => (status === undefined || i.status === status) && (!flaggedOnly || i.flagged !== null),
  );
  r.page(200, '台账 Ledger', ledgerBody({ items, regions: regionOptions(r.scope, r.regions), regionId: chosenRegion, status, flaggedOnly }));
}

/** The form's values as the ledger module takes them. */
function inputOf(form: URLSearchParams): LedgerInput {
  return {
    regionId: formId(form.get('region')) ?? 0,
    goal: form.get('goal') ?? '',
    measures: form.get('measures') ?? '',
    deadline: form.get('deadline') ?? '',
    owner: form.get('owner') ?? '',
    isPublic: form.get('public') === '1',
    themeId: formId(form.get('theme')),
  };
}

async function formPage(r: LedgerRequest, form: LedgerInput, itemId: number | null, status = 200, error?: string): Promise<void> {
  const regionId = form.regionId || r.scope.regionIds[0] || 0;
  const [owners, themes] = await Promise.all([ledgerOwners(r.db, r.regions, regionId), themesAround(r.db, r.regions, regionId)]);
  r.page(
    status,
    itemId === null ? '新建台账事项 New ledger item' : '修改台账事项 Edit the ledger item',
    ledgerFormBody({ ...form, regionId }, { itemId, regions: regionOptions(r.scope, r.regions), owners, themes, csrf: r.csrf, ...(error ? { error } : {}) }),
  );
}

/** The latest themes of the region and the regions above it, for the form's choice. */
async function themesAround(db: Db, regions: Map<number, RegionNode>, regionId: number): Promise<{ id: number; title: string; month: string }[]> {
  const ids: number[] = [];
  for (let id: number | null = regionId; id !== null; id = regions.get(id)?.parentId ?? null) ids.push(id);
  return db.theme.findMany({ where: { regionId: { in: ids } }, select: { id: true, title: true, month: true }, orderBy: [{ month: 'desc' }, { id: 'asc' }], take: 20 });
}

async function create(r: LedgerRequest): Promise<void> {
  if (r.req.method !== 'POST') {
    const regionId = formId(r.url.searchParams.get('region'));
    const chosen = regionId !== null && r.scope.regionIds.includes(regionId) ? regionId : (r.scope.regionIds[0] ?? 0);
    return formPage(r, { regionId: chosen, goal: '', measures: '', deadline: '', owner: '', isPublic: false, themeId: null }, null);
  }
  const posted = await r.checkedForm();
  if (!posted) return;
  const form = inputOf(posted);
  if (!r.scope.regionIds.includes(form.regionId)) return formPage(r, { ...form, regionId: 0 }, null, 422, '请选择您辖区内的地区。 Choose a region of your area.');
  try {
    const id = await createLedgerItem(r.db, r.regions, form, r.scope.personId, r.now);
    log.info({ account: r.scope.accountId, item: id }, 'ledger item created');
    redirect(r.res, `${CONSOLE_PATHS.ledger}/${id}?done=created`);
  } catch (error) {
    if (error instanceof LedgerRefused) return formPage(r, form, null, 422, error.message);
    throw error;
  }
}

/** The cases linked to the item that the user sees (a case of a region outside theirs stays out of sight). */
async function linkedCases(r: LedgerRequest, itemId: number): Promise<LinkedCase[]> {
  const cases = (await casesOfLedgerItems(r.db, [itemId])).get(itemId) ?? [];
  return cases.filter((c) => r.scope.regionIds.includes(c.regionId));
}

async function itemAction(r: LedgerRequest, itemId: number, what: string): Promise<void> {
  const form = await r.checkedForm();
  if (!form) return;
  const field = (name: string) => (form.get(name) ?? '').trim();
  try {
    if (what === 'edit') {
      await updateLedgerItem(r.db, r.regions, itemId, inputOf(form), r.scope.personId, r.now);
    } else if (what === 'progress') {
      await addLedgerProgress(r.db, itemId, field('text'), r.scope.personId, r.now);
    } else if (what === 'close') {
      const closing = field('as');
      if (closing !== 'done' && closing !== 'dropped') throw new LedgerRefused('请选择办结或撤销。 Choose done or dropped.');
      await closeLedgerItem(r.db, itemId, closing, field('reason'), r.scope.personId, r.now);
    } else if (what === 'flag') {
      if (!maySupervise(r)) return r.notFound();
      await flagLedgerItem(r.db, itemId, field('note'), r.scope.personId, r.now);
    } else if (what === 'cases') {
      const kind = LINKED_CASE_KINDS.find((k) => k === field('kind'));
      const caseId = /^#?\d{1,9}$/.test(field('case')) ? Number(field('case').replace('#', '')) : NaN;
      if (!kind || !Number.isInteger(caseId)) throw new LedgerRefused('请选择案件类型并填写案件编号。 Choose the kind of case and give its number.');
      await linkLedgerCase(r.db, r.regions, r.scope.regionIds, itemId, { kind, caseId }, r.scope.personId, r.now);
    } else {
      const number = field('number').toUpperCase();
      const ticket = number
        ? await r.db.ticket.findUnique({ where: { number }, select: { id: true, number: true, regionId: true, gridId: true, assigneeDepartmentId: true } })
        : null;
      // A ticket outside the user's scope is no more found here than anywhere.
      if (!ticket || !inScope(r.scope, ticket)) throw new LedgerRefused(`没有找到诉求 ${number}，或它不在您的工作范围内。 There is no request ${number} in your area.`);
      await linkLedgerTicket(r.db, r.regions, itemId, ticket, r.scope.personId, r.now);
    }
    log.info({ account: r.scope.accountId, item: itemId, what }, 'ledger item changed');
  } catch (error) {
    if (!(error instanceof LedgerRefused)) throw error;
    if (what === 'edit') return formPage(r, inputOf(form), itemId, 422, error.message);
    const [item] = await loadLedgerItems(r.db, r.regions, [itemId], r.now);
    return r.page(422, item!.goal, ledgerItemBody(item!, { csrf: r.csrf, maySupervise: maySupervise(r), cases: await linkedCases(r, itemId), error: error.message }));
  }
  redirect(r.res, `${CONSOLE_PATHS.ledger}/${itemId}?done=${what}`);
}

/** Serves a path matched by `LEDGER_ROUTE` (section-routes.ts). */
export async function ledgerRoute(r: LedgerRequest, match: RegExpExecArray): Promise<void> {
  const [, target, what] = match;
  const post = r.req.method === 'POST';
  if (!r.scope.regionIds.length) {
    r.req.resume();
    return r.notFound();
  }
  if (target === undefined && !post) return listPage(r);
  if (target === 'new' && what === undefined) return create(r);
  const [item] = target === undefined || target === 'new' ? [] : await loadLedgerItems(r.db, r.regions, [Number(target)], r.now);
  // Reading is GET on the item (or its edit form); its actions are POSTs below it.
  if (!item || !r.scope.regionIds.includes(item.regionId) || (post ? what === undefined : what !== undefined && what !== 'edit')) {
    r.req.resume();
    return r.notFound();
  }
  if (post) return itemAction(r, item.id, what!);
  if (what === 'edit') {
    return formPage(
      r,
      { regionId: item.regionId, goal: item.goal, measures: item.measures, deadline: item.deadline, owner: item.owner, isPublic: item.isPublic, themeId: item.theme?.id ?? null },
      item.id,
    );
  }
  const done = r.url.searchParams.get('done');
  r.page(200, item.goal, ledgerItemBody(item, { csrf: r.csrf, maySupervise: maySupervise(r), cases: await linkedCases(r, item.id), ...(done ? { done } : {}) }));
}
