/**
 * 受理登记 in the console, at /console/intake: staff who dispatch in a region register a
 * request for a resident of its villages (src/intake/intake.ts does the work). Anyone
 * else has no such page (404).
 */
import { type IntakeErrors, type IntakeRequest, type Matcher, type Registrar, registerIntake, searchResidents, suggestCategory } from '../../intake/intake.js';
import type { Db } from '../../db/client.js';
import { logger } from '../../log.js';
import type { PipelineService } from '../../pipeline/service.js';
import { redirect } from '../http.js';
import { EMPTY_INTAKE_FORM, intakeBody, type IntakeFormValues } from './intake-page.js';
import { CONSOLE_PATHS } from './layout.js';
import { categoryNames, type Option } from './queue-page.js';
import { type StaffScope, subtreeIds } from './scope.js';
import type { SectionRequest } from './section.js';

const log = logger('console');

/** What the intake page needs beyond a section request: the pipeline and the chat's category matcher. */
export interface IntakeRequestContext extends SectionRequest {
  pipeline: PipelineService;
  matcher: Matcher | undefined;
}

/** The regions where the user dispatches (dispatcher or admin), everything under them included. */
export function registrarOf(scope: StaffScope, regions: SectionRequest['regions']): Registrar {
  const tops = scope.roles.filter((r) => (r.role === 'dispatcher' || r.role === 'admin') && r.regionId !== null).map((r) => r.regionId);
  return { personId: scope.personId, regionIds: [...new Set(tops.flatMap((id) => subtreeIds(regions, id)))] };
}

/** Whether the user may register requests: a dispatcher (or admin) of some region. */
export function mayRegister(scope: StaffScope): boolean {
  return scope.roles.some((r) => r.role === 'dispatcher' || r.role === 'admin');
}

function valuesOf(form: URLSearchParams): IntakeFormValues {
  const text = (name: string) => form.get(name) ?? '';
  return {
    q: text('q'),
    resident: text('resident'),
    name: text('name'),
    phone: text('phone'),
    region: text('region'),
    channel: text('channel'),
    category: text('category'),
    description: text('description'),
    location: text('location'),
    urgent: form.get('urgent') === '1',
    settled: form.get('settled') === '1',
    result: text('result'),
  };
}

async function showForm(
  r: IntakeRequestContext,
  registrar: Registrar,
  form: IntakeFormValues,
  extra: { status?: number; errors?: IntakeErrors; done?: { number: string; settled: boolean }; suggested?: string | null } = {},
): Promise<void> {
  const villages: Option[] = registrar.regionIds
    .map((id) => r.regions.get(id))
    .filter((v) => v !== undefined && v.level === 'village')
    .sort((a, b) => a!.code.localeCompare(b!.code))
    .map((v) => ({ value: String(v!.id), label: v!.name }));
  const categories = [...(await categoryNames(r.db))].map(([code, name]) => ({ value: code, label: name }));
  const hits = form.q.trim() ? await searchResidents(r.db, registrar, form.q) : null;
  r.page(
    extra.status ?? 200,
    '受理登记 Register a request',
    intakeBody({
      form,
      hits,
      villages,
      categories,
      csrf: r.csrf,
      errors: extra.errors ?? {},
      ...(extra.done ? { done: extra.done } : {}),
      ...(extra.suggested === undefined ? {} : { suggested: extra.suggested }),
    }),
  );
}

/** The request the form describes; the village defaults to the chosen resident's. */
async function requestOf(r: IntakeRequestContext, registrar: Registrar, form: IntakeFormValues): Promise<IntakeRequest> {
  const personId = /^\d{1,9}$/.test(form.resident) ? Number(form.resident) : null;
  let regionId = /^\d{1,9}$/.test(form.region) ? Number(form.region) : 0;
  if (!regionId && personId !== null) regionId = (await residentVillage(r.db, registrar, personId)) ?? 0;
  return {
    resident: personId !== null ? { personId } : form.resident === 'new' ? { name: form.name, phone: form.phone } : { personId: 0 },
    regionId,
    channel: form.channel as IntakeRequest['channel'],
    categoryCode: form.category,
    description: form.description,
    location: form.location,
    urgent: form.urgent,
    settled: form.settled ? form.result : null,
  };
}

/** The village of a resident the registrar can find (their household's). */
export async function residentVillage(db: Db, registrar: Registrar, personId: number): Promise<number | null> {
  const person = await db.person.findUnique({ where: { id: personId }, select: { household: { select: { regionId: true } } } });
  const villageId = person?.household?.regionId ?? null;
  return villageId !== null && registrar.regionIds.includes(villageId) ? villageId : null;
}

/** GET shows the form (with the search's hits), POST registers or suggests a category. */
export async function intakeRoute(r: IntakeRequestContext): Promise<void> {
  if (!mayRegister(r.scope)) {
    r.req.resume();
    return r.notFound();
  }
  const registrar = registrarOf(r.scope, r.regions);
  if (r.req.method !== 'POST') {
    const done = r.url.searchParams.get('done');
    const form = { ...EMPTY_INTAKE_FORM, q: r.url.searchParams.get('q') ?? '' };
    return showForm(r, registrar, form, done && /^[A-Z]+-\d{4}-\d{6}$/.test(done) ? { done: { number: done, settled: r.url.searchParams.get('settled') === '1' } } : {});
  }
  const posted = await r.checkedForm();
  if (!posted) return;
  const form = valuesOf(posted);
  if (posted.get('suggest') === '1') {
    const suggested = r.matcher ? suggestCategory(r.matcher, form.description) : null;
    return showForm(r, registrar, suggested ? { ...form, category: suggested } : form, { suggested });
  }
  const outcome = await registerIntake(r.pipeline, r.matcher, registrar, await requestOf(r, registrar, form));
  if (!outcome.ok) return showForm(r, registrar, form, { status: 422, errors: outcome.errors });
  log.info({ account: r.scope.accountId, ticket: outcome.number, channel: form.channel, settled: outcome.settled }, 'request registered');
  redirect(r.res, `${CONSOLE_PATHS.intake}?done=${outcome.number}${outcome.settled ? '&settled=1' : ''}`);
}
