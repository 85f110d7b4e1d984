/**
 * 困难群众帮扶 in the console, at /console/assistance: the cases of the user's villages, a
 * report made by staff, a case's page with the step it waits for. Staff whose regions hold
 * the village take its steps (初核, recording delivery and the follow-up); the township's
 * re-verification needs the township in the user's regions. Any case outside the user's
 * regions does not exist for them (404).
 */
import { ledgerItemsOfCase } from '../../ledger/case-links.js';
import { linkedLedgerHtml } from './ledger-page.js';
import {
  actOnAssistance,
  AssistanceRefused,
  assistanceEvents,
  listAssistanceCases,
  loadAssistanceCase,
  loadHardshipRecord,
  reportAssistance,
  saveHardshipRecord,
} from '../../assistance/cases.js';
import { type AssistanceCommand, type AssistanceRules, noticeWindow } from '../../assistance/machine.js';
import { sqlTransaction } from '../../db/client.js';
import { logger } from '../../log.js';
import { redirect } from '../http.js';
import { assistanceCaseBody, assistanceListBody } from './assistance-page.js';
import { CONSOLE_PATHS } from './layout.js';

const ASSISTANCE_PATH = CONSOLE_PATHS.assistance;
import type { SectionRequest } from './section.js';

const log = logger('console');

/** What an assistance request needs of the console: a section's, and the assistance limits. */
export type AssistanceRequest = SectionRequest & { rules: AssistanceRules };

const TITLE = '困难群众帮扶 Hardship assistance';

async function listPage(r: AssistanceRequest, status = 200, form?: { household: string; need: string; urgent: boolean }, error?: string): Promise<void> {
  const cases = await listAssistanceCases(r.db, r.scope.regionIds);
  r.page(status, TITLE, assistanceListBody({ cases, now: r.now, csrf: r.csrf, ...(form ? { form } : {}), ...(error ? { error } : {}) }));
}

async function report(r: AssistanceRequest): Promise<void> {
  const posted = await r.checkedForm();
  if (!posted) return;
  const form = { household: (posted.get('household') ?? '').trim(), need: posted.get('need') ?? '', urgent: posted.get('urgent') === '1' };
  const household = form.household ? await r.db.household.findUnique({ where: { code: form.household }, select: { id: true, regionId: true } }) : null;
  // A household outside the user's regions is no more found here than anywhere.
  if (!household || !r.scope.regionIds.includes(household.regionId)) {
    return listPage(r, 422, form, `没有找到户 ${form.household}，或它不在您的工作范围内。 There is no household ${form.household} in your area.`);
  }
  try {
    const id = await sqlTransaction(r.db, (tx) => reportAssistance(tx, { householdId: household.id, need: form.need, urgent: form.urgent }, r.scope.personId, r.rules, r.now));
    log.info({ account: r.scope.accountId, case: id, urgent: form.urgent }, 'assistance reported');
    redirect(r.res, `${ASSISTANCE_PATH}/${id}?done=reported`);
  } catch (error) {
    if (error instanceof AssistanceRefused) return listPage(r, 422, form, error.message);
    throw error;
  }
}

function commandOf(action: string, form: URLSearchParams): AssistanceCommand {
  const field = (name: string) => form.get(name) ?? '';
  const note = field('note');
  switch (action) {
    case 'village_approve':
    case 'village_reject':
    case 'township_reject':
    case 'deliver':
    case 'follow_up':
      return { type: action, note };
    default:
      return { type: 'township_approve', note, plan: { helper: field('helper'), aid: field('aid'), amount: field('amount'), deliverBy: field('deliverBy') } };
  }
}

/** Serves a path matched by `ASSISTANCE_ROUTE` (section-routes.ts). */
export async function assistanceRoute(r: AssistanceRequest, match: RegExpExecArray): Promise<void> {
  const [, target, action] = match;
  const post = r.req.method === 'POST';
  if (!r.scope.regionIds.length) {
    r.req.resume();
    return r.notFound();
  }
  if (target === undefined && !post) return listPage(r);
  if (target === 'new' && action === undefined && post) return report(r);
  const found = target === undefined || target === 'new' ? undefined : await loadAssistanceCase(r.db, Number(target));
  const current = found && r.scope.regionIds.includes(found.regionId) ? found : undefined;
  // Reading is GET on the case itself; its steps are POSTs below it.
  if (!current || post !== (action !== undefined)) {
    r.req.resume();
    return r.notFound();
  }
  const canTownship = current.townshipId !== null && r.scope.regionIds.includes(current.townshipId);
  let error: string | undefined;
  if (post) {
    const form = await r.checkedForm();
    if (!form) return;
    try {
      if (action === 'hardship') {
        await saveHardshipRecord(
          r.db,
          current.householdId,
          { kinds: form.getAll('kind'), members: form.get('members') ?? '', notes: form.get('notes') ?? '' },
          r.scope.personId,
          r.now,
        );
      } else {
        if (action!.startsWith('township_') && !canTownship) throw new AssistanceRefused('镇复核须由乡镇工作人员办理。 Township staff re-verify.');
        await actOnAssistance(r.db, current.id, commandOf(action!, form), r.scope.personId, r.rules, r.now);
      }
      log.info({ account: r.scope.accountId, case: current.id, action }, 'assistance step');
      return redirect(r.res, `${ASSISTANCE_PATH}/${current.id}?done=${action}`);
    } catch (refusal) {
      if (!(refusal instanceof AssistanceRefused)) throw refusal;
      error = refusal.message;
    }
  }
  const [events, hardship, ledger] = await Promise.all([
    assistanceEvents(r.db, current.id),
    loadHardshipRecord(r.db, current.householdId),
    ledgerItemsOfCase(r.db, 'assistance', current.id, r.scope.regionIds, r.now),
  ]);
  const done = r.url.searchParams.get('done');
  r.page(
    error ? 422 : 200,
    `帮扶 #${current.id} · ${TITLE}`,
    assistanceCaseBody({
      case: current,
      events,
      hardship,
      now: r.now,
      csrf: r.csrf,
      canTownship,
      delivery: noticeWindow(current.urgent, r.rules, r.now),
      ledger: linkedLedgerHtml(ledger),
      ...(done && !error ? { done } : {}),
      ...(error ? { error } : {}),
    }),
  );
}
