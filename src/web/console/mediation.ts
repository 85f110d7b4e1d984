/**
 * 矛盾纠纷调解 in the console, at /console/mediation: the cases of the user's regions and
 * the mediators' figures, opening a case (by hand or from a `dispute` request), a case's
 * actions, and the 诉调对接 dossier. The region-scoped roles (dispatchers, supervisors,
 * admins) have it for their regions; a mediator for the cases they mediate, with the
 * mediator's part of the actions ({@link MEDIATOR_ACTIONS}). Any other case does not
 * exist for them (404).
 */
import { ledgerItemsOfCase } from '../../ledger/case-links.js';
import { linkedLedgerHtml } from './ledger-page.js';
import { logger } from '../../log.js';
import {
  addMediationSession,
  caseForStaff,
  disputesWithoutCase,
  isDisputeTicket,
  loadMediationCases,
  mediationCaseIds,
  mediationCaseOfTicket,
  type MediationCaseView,
  mediatorFigures,
  mediatorsFor,
  openMediationCase,
  type PartyInput,
  setPartyPosition,
  staffChangeMediationCase,
} from '../../mediation/cases.js';
import { MEDIATION_STATES, type MediationCommand, MediationRefused, type MediationRules, type MediationState } from '../../mediation/transitions.js';
import { maskContacts } from '../../privacy.js';
import { redirect } from '../http.js';
import { sendDossierPage, sendDossierPdf } from './mediation-dossier.js';
import { caseBody, mediationBody, openCaseBody, type OpenForm, ticketMediationBox } from './mediation-page.js';
import { CONSOLE_PATHS } from './layout.js';
import { regionOptions } from './queue-page.js';
import { pathOf } from '../../org/regions.js';
import type { StaffScope } from './scope.js';
import type { SectionRequest } from './section.js';
import type { Db } from '../../db/client.js';
import type { Html } from '../html.js';
import { formId } from './form-numbers.js';

const log = logger('console');

/** What a mediation request needs of the console: a section's, and the mediation settings. */
export type MediationRequest = SectionRequest & { rules: MediationRules };

const regionName = (r: MediationRequest) => (id: number) => r.regions.get(id)?.name ?? '';

/**
 * What a case's mediator may do on it: record sessions, positions, the agreement, the
 * follow-ups and the court's outcome. Recording a party's answer on paper, extending the
 * limit and referring to the court stay with the staff of the case's region: the mediator
 * neither confirms their own agreement for a party, nor moves their own limit, nor gives up
 * on a case (practice-rules: a failed mediation is referred by the township).
 */
export const MEDIATOR_ACTIONS: readonly string[] = ['session', 'position', 'agree', 'follow-up', 'outcome'];

/** Whether the user may take action `what` on the case: every one in their regions, the mediator's part on a case they mediate. */
function mayTake(scope: StaffScope, c: MediationCaseView, what: string): boolean {
  return scope.regionIds.includes(c.regionId) || (c.mediatorId === scope.personId && MEDIATOR_ACTIONS.includes(what));
}

const caseInput = (r: MediationRequest, c: MediationCaseView) => ({ regionName: regionName(r)(c.regionId), csrf: r.csrf, may: (what: string) => mayTake(r.scope, c, what) });

async function listPage(r: MediationRequest): Promise<void> {
  const asked = r.url.searchParams.get('status') ?? '';
  const status = (MEDIATION_STATES as readonly string[]).includes(asked) ? (asked as MediationState) : undefined;
  const [ids, disputes, figures] = await Promise.all([
    mediationCaseIds(r.db, r.scope.regionIds, status, r.scope.isMediator ? r.scope.personId : undefined),
    disputesWithoutCase(r.db, r.scope.regionIds),
    mediatorFigures(r.db, r.scope.regionIds),
  ]);
  const cases = (await loadMediationCases(r.db, ids, r.now)).map(caseForStaff);
  // The requests' summaries as the ticket pages show them to staff.
  const masked = disputes.map((d) => ({ ...d, summary: maskContacts(d.summary) }));
  r.page(
    200,
    '矛盾纠纷调解 Dispute mediation',
    mediationBody({ cases, regionName: regionName(r), disputes: masked, figures, status: status ?? '', regionStaff: r.scope.regionIds.length > 0 }),
  );
}

async function openPage(r: MediationRequest, form: OpenForm, status = 200, error?: string): Promise<void> {
  const mediators = await mediatorsFor(r.db, [...new Set([...pathOf(r.regions, form.regionId), ...r.scope.regionIds])]);
  r.page(
    status,
    '登记调解案件 Open a mediation case',
    openCaseBody(form, {
      regions: regionOptions(r.scope, r.regions),
      mediators: mediators.map((m) => ({ value: String(m.id), label: m.name })),
      csrf: r.csrf,
      ...(error ? { error } : {}),
    }),
  );
}

/** The `dispute` request `number` of the user's regions, or null. */
async function disputeTicket(r: MediationRequest, number: string) {
  if (!number) return null;
  const ticket = await r.db.ticket.findUnique({
    where: { number },
    select: { id: true, number: true, summary: true, description: true, regionId: true, kind: true, categoryCode: true, resident: { select: { code: true } } },
  });
  return ticket && r.scope.regionIds.includes(ticket.regionId) && isDisputeTicket(ticket) ? ticket : null;
}

/** The parties named one a line: a person's or household's code in the user's regions, else a name. */
async function partiesOf(r: MediationRequest, text: string): Promise<PartyInput[]> {
  const parties: PartyInput[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
    if (!line) continue;
    const person = await r.db.person.findUnique({ where: { code: line }, select: { id: true, name: true, household: { select: { regionId: true } } } });
    if (person?.household && r.scope.regionIds.includes(person.household.regionId)) {
      parties.push({ personId: person.id, name: person.name });
      continue;
    }
    const household = await r.db.household.findUnique({ where: { code: line }, select: { id: true, headName: true, regionId: true } });
    if (household && r.scope.regionIds.includes(household.regionId)) {
      parties.push({ householdId: household.id, name: household.headName });
      continue;
    }
    // A code of someone outside the user's regions is no more found here than anywhere.
    if (person || household || /^[A-Za-z0-9_-]+$/.test(line)) throw new MediationRefused(`花名册中没有 ${line}，或不在您的工作范围内。 No ${line} on the roster of your area.`);
    parties.push({ name: line });
  }
  return parties;
}

async function open(r: MediationRequest): Promise<void> {
  if (r.req.method !== 'POST') {
    const ticket = await disputeTicket(r, (r.url.searchParams.get('ticket') ?? '').trim().toUpperCase());
    return openPage(r, {
      regionId: ticket?.regionId ?? r.scope.regionIds[0] ?? 0,
      ticket: ticket?.number ?? '',
      // As the request's page shows them to staff: a number it masks is not filled in here in full.
      title: maskContacts(ticket?.summary ?? ''),
      facts: maskContacts(ticket?.description ?? ''),
      mediatorId: null,
      parties: ticket ? `${ticket.resident.code}\n` : '',
    });
  }
  const posted = await r.checkedForm();
  if (!posted) return;
  const form: OpenForm = {
    regionId: formId(posted.get('region')) ?? 0,
    ticket: (posted.get('ticket') ?? '').trim().toUpperCase(),
    title: posted.get('title') ?? '',
    facts: posted.get('facts') ?? '',
    mediatorId: formId(posted.get('mediator')),
    parties: posted.get('parties') ?? '',
  };
  if (!r.scope.regionIds.includes(form.regionId)) return openPage(r, { ...form, regionId: r.scope.regionIds[0] ?? 0 }, 422, '请选择您辖区内的地区。 Choose a region of your area.');
  try {
    const mediators = await mediatorsFor(r.db, [...new Set([...pathOf(r.regions, form.regionId), ...r.scope.regionIds])]);
    if (form.mediatorId !== null && !mediators.some((m) => m.id === form.mediatorId)) throw new MediationRefused('请选择本地的调解员。 Choose a mediator of the area.');
    const ticket = form.ticket ? await disputeTicket(r, form.ticket) : null;
    if (form.ticket && !ticket) throw new MediationRefused(`没有找到纠纷诉求 ${form.ticket}。 There is no dispute request ${form.ticket} in your area.`);
    const id = await openMediationCase(
      r.db,
      { regionId: form.regionId, title: form.title, facts: form.facts, mediatorId: form.mediatorId, parties: await partiesOf(r, form.parties), ticketId: ticket?.id ?? null },
      r.scope.personId,
      r.now,
      r.rules,
    );
    log.info({ account: r.scope.accountId, case: id }, 'mediation case opened');
    redirect(r.res, `${CONSOLE_PATHS.mediation}/${id}?done=opened`);
  } catch (error) {
    if (error instanceof MediationRefused) return openPage(r, form, 422, error.message);
    throw error;
  }
}

/**
 * A text posted back from a field the page filled with `stored` as staff read it (masked,
 * caseForStaff): unchanged, the stored text stays, so that saving the form again masks nothing for good.
 */
function unlessUnchanged(posted: string, stored: string | null | undefined): string {
  return stored != null && posted === maskContacts(stored).trim() ? stored : posted;
}

async function caseAction(r: MediationRequest, c: MediationCaseView, what: string): Promise<void> {
  const form = await r.checkedForm();
  if (!form) return;
  const field = (name: string) => (form.get(name) ?? '').trim();
  const actor = r.scope.personId;
  try {
    if (what === 'session') {
      await addMediationSession(r.db, c.id, { heldOn: field('heldOn'), place: field('place'), attendees: field('attendees'), notes: field('notes') }, actor, r.now);
    } else if (what === 'position') {
      const partyId = formId(field('party')) ?? 0;
      const position = unlessUnchanged(field('position'), c.parties.find((p) => p.id === partyId)?.position);
      await setPartyPosition(r.db, c.id, partyId, position, actor, r.now);
    } else {
      const partyId = formId(field('party')) ?? 0;
      const commands: Record<string, MediationCommand> = {
        agree: { type: 'agree', text: unlessUnchanged(field('text'), c.agreement) },
        answer: { type: 'answer', partyId, confirmed: field('answer') === 'confirmed' },
        extend: { type: 'extend', days: r.rules.extensionDays },
        'follow-up': { type: 'follow_up', kept: field('kept') === 'yes' },
        refer: { type: 'refer', court: field('court'), reason: field('reason') },
        outcome: { type: 'court_outcome', text: field('text') },
      };
      // A party of another case is no party of this one.
      if (what === 'answer' && !c.parties.some((p) => p.id === partyId)) throw new MediationRefused('不是这起纠纷的当事人。 Not a party to this dispute.');
      await staffChangeMediationCase(r.db, c.id, commands[what]!, actor, r.now);
    }
    log.info({ account: r.scope.accountId, case: c.id, action: what }, 'mediation case changed');
  } catch (error) {
    if (!(error instanceof MediationRefused)) throw error;
    const shown = caseForStaff(c);
    return r.page(422, shown.title, caseBody(shown, { ...caseInput(r, c), ledger: await linkedLedger(r, c.id), error: error.message }));
  }
  redirect(r.res, `${CONSOLE_PATHS.mediation}/${c.id}?done=${what}`);
}

/** The case page's box of the ledger items it is linked to. */
async function linkedLedger(r: MediationRequest, caseId: number): Promise<Html> {
  return linkedLedgerHtml(await ledgerItemsOfCase(r.db, 'mediation', caseId, r.scope.regionIds, r.now));
}

/** Serves a path matched by `MEDIATION_ROUTE` (section-routes.ts). */
export async function mediationRoute(r: MediationRequest, match: RegExpExecArray): Promise<void> {
  const [, target, what] = match;
  const post = r.req.method === 'POST';
  const regionStaff = r.scope.regionIds.length > 0;
  if (!regionStaff && !r.scope.isMediator) {
    r.req.resume();
    return r.notFound();
  }
  if (target === undefined && !post) return listPage(r);
  // Opening a case is the region's staff's: a mediator is given cases.
  if (target === 'new' && what === undefined && regionStaff) return open(r);
  const [c] = target === undefined || target === 'new' ? [] : await loadMediationCases(r.db, [Number(target)], r.now);
  const visible = c && (r.scope.regionIds.includes(c.regionId) || c.mediatorId === r.scope.personId) ? c : undefined;
  // Reading is GET on the case (and its dossier, once referred); its actions are POSTs below it.
  const dossier = what === 'dossier' || what === 'dossier.pdf';
  if (!visible || post !== (what !== undefined && !dossier) || (dossier && !visible.referredAt) || (post && !mayTake(r.scope, visible, what!))) {
    r.req.resume();
    return r.notFound();
  }
  if (post) return caseAction(r, visible, what!);
  const shown = caseForStaff(visible);
  if (dossier) {
    // The court's copy: a page of its own, printable, without the console's navigation; or its PDF.
    const input = { regionName: regionName(r)(visible.regionId), printedAt: r.now };
    return what === 'dossier' ? sendDossierPage(r.res, shown, input) : sendDossierPdf(r.res, shown, input);
  }
  const done = r.url.searchParams.get('done');
  r.page(200, shown.title, caseBody(shown, { ...caseInput(r, visible), ledger: await linkedLedger(r, visible.id), ...(done ? { done } : {}) }));
}

/**
 * The ticket page's 调解 box: the mediation case opened from the request, or, for a
 * `dispute` request without one, the way to open it — for the staff who have mediation
 * (the request's region is theirs); nothing for anyone else.
 */
export async function ticketMediation(
  db: Db,
  scope: StaffScope,
  ticket: { id: number; number: string; regionId: number; kind: string; categoryCode: string },
  now: Date,
): Promise<Html | undefined> {
  if (!scope.regionIds.includes(ticket.regionId)) return undefined;
  const caseId = await mediationCaseOfTicket(db, ticket.id);
  const [linked] = caseId === undefined ? [] : await loadMediationCases(db, [caseId], now);
  if (linked && scope.regionIds.includes(linked.regionId)) return ticketMediationBox({ linked: caseForStaff(linked) });
  return caseId === undefined && isDisputeTicket(ticket) ? ticketMediationBox({ openFrom: ticket.number }) : undefined;
}
