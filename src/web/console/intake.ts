/**
 * 受理登记 in the console, at /console/intake: staff who dispatch in a region register a
 * request for a resident of its villages (src/intake/intake.ts does the work). Anyone
 * else has no such page (404).
 */
import { type IntakeErrors, type IntakeRequest, type Matcher, type Registrar, registerIntake, searchResidents, suggestCategory } from '../../intake/intake.js';
import type { Db } from '../../db/client.js';
import { logger } from '../../log.js';
import type { PipelineService } from '../../pipeline/service.js';
import { MAX_IMAGE_BYTES, checkMedia, type UploadStore } from '../../../bots/shared/uploads.js';
import { MAX_MEDIA } from '../../engine/media.js';
import { MAX_FORM_BYTES, redirect } from '../http.js';
import type { FormWithFiles } from '../multipart.js';
import { EMPTY_INTAKE_FORM, intakeBody, type IntakeFormValues } from './intake-page.js';
import { CONSOLE_PATHS } from './layout.js';
import { categoryNames, type Option } from './queue-page.js';
import { type StaffScope } from './scope.js';
import { subtreeIds } from '../../org/regions.js';
import type { SectionRequest } from './section.js';
import { formId } from './form-numbers.js';

const log = logger('console');

/** What the intake page needs beyond a section request: the pipeline, the chat's category matcher, and the chats' upload store. */
export interface IntakeRequestContext extends SectionRequest {
  pipeline: PipelineService;
  matcher: Matcher | undefined;
  uploads: UploadStore;
}

/** The form's largest body: as many photos as a report keeps, each at the photo limit, and the typed fields. */
const INTAKE_BODY_LIMIT = MAX_MEDIA * MAX_IMAGE_BYTES + MAX_FORM_BYTES;

/** A stored picture's URL, as the form carries the photos kept from an earlier post. */
const STORED_PHOTO = /^\/uploads\/([0-9a-f]{64}\.(?:jpg|png|gif|webp))$/;

/**
 * The photos of a post: those kept from an earlier post of the form (stored already, named
 * in hidden fields; only our own stored pictures count) and the files posted now, each
 * checked and stored as a chat photo is (bots/shared/uploads.ts: type read from the bytes,
 * 5 MB, a picture read to its end). What was refused is said, Chinese first, with the
 * file's name; the photos accepted stay with the form.
 */
async function postedPhotos(uploads: UploadStore, posted: FormWithFiles): Promise<{ photos: string[]; problems: string[] }> {
  const photos: string[] = [];
  const problems: string[] = [];
  for (const ref of posted.form.getAll('photo')) {
    const name = STORED_PHOTO.exec(ref)?.[1];
    if (name && !photos.includes(ref) && (await uploads.has(name))) photos.push(ref);
  }
  for (const file of posted.files) {
    if (file.field !== 'photos') continue;
    const checked = checkMedia(file.bytes, 'photo');
    if (!checked.ok) {
      problems.push(`${file.name.slice(0, 80) || '照片 photo'}：${checked.error}`);
      continue;
    }
    await uploads.write(checked);
    if (!photos.includes(checked.url)) photos.push(checked.url);
  }
  if (posted.truncated) {
    const mb = Math.floor(INTAKE_BODY_LIMIT / (1024 * 1024));
    problems.push(`照片合计超过 ${mb} MB，后面的照片没有收到，请重新添加。 The photos together were over ${mb} MB: add the ones missing again.`);
  }
  if (photos.length > MAX_MEDIA) {
    problems.push(`最多 ${MAX_MEDIA} 张照片，多出的没有保留。 At most ${MAX_MEDIA} photos: the rest were not kept.`);
    photos.length = MAX_MEDIA;
  }
  return { photos, problems };
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

function valuesOf(form: URLSearchParams, photos: string[]): IntakeFormValues {
  const text = (name: string) => form.get(name) ?? '';
  return {
    photos,
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
  const personId = formId(form.resident);
  let regionId = formId(form.region) ?? 0;
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
    photos: form.photos,
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
  const posted = await r.checkedUpload(INTAKE_BODY_LIMIT);
  if (!posted) return;
  const { photos, problems } = await postedPhotos(r.uploads, posted);
  const form = valuesOf(posted.form, photos);
  if (posted.form.get('suggest') === '1') {
    const suggested = r.matcher ? suggestCategory(r.matcher, form.description) : null;
    return showForm(r, registrar, suggested ? { ...form, category: suggested } : form, { suggested, ...(problems.length ? { errors: { photos: problems.join(' ') } } : {}) });
  }
  // A refused photo is said before anything is registered: the clerk adds it again, or goes on without it.
  if (problems.length) return showForm(r, registrar, form, { status: 422, errors: { photos: problems.join(' ') } });
  const outcome = await registerIntake(r.pipeline, r.matcher, registrar, await requestOf(r, registrar, form));
  if (!outcome.ok) return showForm(r, registrar, form, { status: 422, errors: outcome.errors });
  log.info({ account: r.scope.accountId, ticket: outcome.number, channel: form.channel, settled: outcome.settled }, 'request registered');
  redirect(r.res, `${CONSOLE_PATHS.intake}?done=${outcome.number}${outcome.settled ? '&settled=1' : ''}`);
}
