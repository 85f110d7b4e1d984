/**
 * The webhooks section of the console (推送订阅), for admins only: anyone else gets the
 * console's 404. An admin sees and makes the subscribers of the regions they administer
 * (src/web/console/board-admin.ts adminRegions); one without a region (the public board's
 * tickets) is a county admin's. The secret is shown once, on the answer to the form.
 * Every change is recorded as an AuditEvent.
 */
import { DataError } from '../../errors.js';
import { logger } from '../../log.js';
import {
  createSubscriber,
  deleteSubscriberNamed,
  deliveryLog,
  listSubscribers,
  pauseSubscriberNamed,
  resumeSubscriberNamed,
  type WebhookSubscriberRecord,
} from '../../webhooks/subscribers.js';
import { redirect } from '../http.js';
import { adminRegions } from './board-admin.js';
import type { SectionRequest } from './section.js';
import { type NewSubscriberForm, WEBHOOKS_PATH, webhookBody, webhooksBody } from './webhooks-page.js';

const log = logger('console');

const TITLE = '推送订阅 Webhooks';

/** The admin's regions, and whether they may make a subscriber without one (they administer a top region). */
function reachOf(r: SectionRequest) {
  const regions = adminRegions(r.scope, r.regions);
  return { regions, boardOption: regions.some((region) => region.parentId === null) };
}

/** The subscribers the admin sees: those of their regions, and those without a region for a county admin. */
function visible(r: SectionRequest, subscribers: WebhookSubscriberRecord[]): WebhookSubscriberRecord[] {
  const { regions, boardOption } = reachOf(r);
  const ids = new Set(regions.map((region) => region.id));
  return subscribers.filter((s) => (s.regionId === null ? boardOption : ids.has(s.regionId)));
}

export async function webhooksRoute(r: SectionRequest, match: RegExpExecArray): Promise<void> {
  if (!r.scope.isAdmin) return r.notFound();
  const [, name, action] = match;
  const subscribers = visible(r, await listSubscribers(r.db));
  if (name === undefined) {
    if (r.req.method === 'POST') return create(r, subscribers);
    const { regions, boardOption } = reachOf(r);
    const done = r.url.searchParams.get('done');
    return r.page(200, TITLE, webhooksBody({ subscribers, regions, boardOption, csrf: r.csrf, ...(done ? { done: `${done}：已删除 deleted` } : {}) }));
  }
  const subscriber = subscribers.find((s) => s.name === name);
  if (!subscriber) return r.notFound();
  if (action === undefined) {
    if (r.req.method !== 'GET') return r.notFound();
    const done = r.url.searchParams.get('done');
    return r.page(200, `${subscriber.name} · ${TITLE}`, webhookBody({ subscriber, log: await deliveryLog(r.db, subscriber.id), csrf: r.csrf, ...(done ? { done } : {}) }));
  }
  if (r.req.method !== 'POST') return r.notFound();
  const form = await r.checkedForm();
  if (!form) return;
  if (action === 'pause') await pauseSubscriberNamed(r.db, name, r.now).catch(ignoreDataError);
  else if (action === 'resume') await resumeSubscriberNamed(r.db, name, r.now).catch(ignoreDataError);
  else await deleteSubscriberNamed(r.db, name);
  await audit(r, `webhook_${action}`, { name });
  if (action === 'delete') return redirect(r.res, `${WEBHOOKS_PATH}?done=${encodeURIComponent(name)}`);
  const done = action === 'pause' ? '已暂停 paused' : '已恢复，补发中 resumed: sending what waited';
  redirect(r.res, `${WEBHOOKS_PATH}/${name}?done=${encodeURIComponent(done)}`);
}

/** Paused or resumed already (a second click): the page shows the state as it is. */
function ignoreDataError(error: unknown): void {
  if (!(error instanceof DataError)) throw error;
}

async function audit(r: SectionRequest, action: string, data: Record<string, unknown>): Promise<void> {
  await r.db.auditEvent.create({ data: { action, actorId: r.scope.personId, at: r.now, data: JSON.stringify(data) } });
  log.info({ account: r.scope.accountId, action, ...data }, 'webhook subscriber changed');
}

async function create(r: SectionRequest, subscribers: WebhookSubscriberRecord[]): Promise<void> {
  const fields = await r.checkedForm();
  if (!fields) return;
  const { regions, boardOption } = reachOf(r);
  const form: NewSubscriberForm = {
    name: (fields.get('name') ?? '').trim(),
    url: (fields.get('url') ?? '').trim(),
    events: fields.getAll('events'),
    region: fields.get('region') ?? '',
  };
  const again = (error: string) => r.page(422, TITLE, webhooksBody({ subscribers, regions, boardOption, csrf: r.csrf, form, error }));
  // Only the admin's own regions (a region outside them reads as unknown), and no region only for a county admin.
  if (form.region === '' ? !boardOption : !regions.some((region) => region.code === form.region)) return again('请选择您管理的地区。 Choose a region you administer.');
  try {
    const { secret, record } = await createSubscriber(r.db, { name: form.name, url: form.url, events: form.events, ...(form.region ? { regionCode: form.region } : {}) }, r.now);
    await audit(r, 'webhook_create', { name: record.name, url: record.url, events: record.events, region: record.regionCode });
    // The secret is shown on this answer only: no redirect that would need to carry it.
    r.page(201, TITLE, webhooksBody({ subscribers: [...subscribers, record], regions, boardOption, csrf: r.csrf, created: { name: record.name, secret } }));
  } catch (error) {
    if (error instanceof DataError) return again(error.message);
    throw error;
  }
}
