/**
 * Webhook subscribers: other systems told of ticket events by signed POSTs (see
 * delivery.ts). Admins make them in the console or with `npm run webhook`. A subscriber
 * has a unique name, a URL, the event types it hears, optionally a region (it hears of
 * that region's tickets and below, read as an API key of that region reads them; with
 * none, what the public board shows), and a secret: 32 random bytes shown once, when it
 * is made. Unlike an API key's, the secret is kept as it is: the server signs with it.
 */
import { randomBytes } from 'node:crypto';
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { all, defineQuery, first, run } from '../db/sql.js';
import { DataError } from '../errors.js';
import { cached } from '../pipeline/reference.js';

/**
 * The event types, named `<object>.<what happened>` so that visits and survey answers can
 * join later (visit.recorded, survey.answered) without renaming these.
 */
export const WEBHOOK_EVENTS = ['ticket.created', 'ticket.state_changed', 'ticket.rated'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Secrets start with this, so a leaked one is recognisable in logs and by secret scanners. */
const SECRET_PREFIX = 'whsec_';

/** A subscriber as the console and the CLI show it (never its secret). */
export interface WebhookSubscriberRecord {
  id: number;
  name: string;
  url: string;
  events: WebhookEventType[];
  regionId: number | null;
  regionCode: string | null;
  regionName: string | null;
  createdAt: Date;
  failingSince: Date | null;
  pausedAt: Date | null;
  pauseReason: string | null;
}

/** Why a subscriber is paused: an admin's hand, or failures for WEBHOOK_PAUSE_AFTER_HOURS. */
export type PauseReason = 'admin' | 'failing';

export function eventsOf(text: string): WebhookEventType[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is WebhookEventType => (WEBHOOK_EVENTS as readonly string[]).includes(s));
}

const subscriberColumns = [
  's.id',
  's.name',
  's.url',
  's.events',
  's.regionId',
  's.createdAt',
  's.failingSince',
  's.pausedAt',
  's.pauseReason',
  'r.code as regionCode',
  'r.name as regionName',
] as const;

const subscribersQuery = defineQuery('webhook_subscribers', (db) =>
  db.selectFrom('WebhookSubscriber as s').leftJoin('Region as r', 'r.id', 's.regionId').select(subscriberColumns).orderBy('s.name'),
);

const subscriberNamedQuery = defineQuery('webhook_subscriber_named', (db, p: { name: string }) =>
  db.selectFrom('WebhookSubscriber as s').leftJoin('Region as r', 'r.id', 's.regionId').select(subscriberColumns).where('s.name', '=', p.name),
);

const regionByCodeQuery = defineQuery('webhook_region', (db, p: { code: string }) => db.selectFrom('Region').select('id').where('code', '=', p.code));

const insertSubscriberQuery = defineQuery('webhook_subscriber_insert', (db, p: { name: string; url: string; events: string; regionId: number | null; secret: string; at: Date }) =>
  db.insertInto('WebhookSubscriber').values({ name: p.name, url: p.url, events: p.events, regionId: p.regionId, secret: p.secret, createdAt: p.at }),
);

const pauseQuery = defineQuery('webhook_subscriber_pause', (db, p: { id: number; at: Date; reason: string }) =>
  db.updateTable('WebhookSubscriber').set({ pausedAt: p.at, pauseReason: p.reason }).where('id', '=', p.id).where('pausedAt', 'is', null),
);

/** Resumed: its waiting deliveries are due at once, their failures forgotten (sending goes on where it stopped). */
const resumeQuery = defineQuery('webhook_subscriber_resume', (db, p: { id: number }) =>
  db.updateTable('WebhookSubscriber').set({ pausedAt: null, pauseReason: null, failingSince: null }).where('id', '=', p.id).where('pausedAt', 'is not', null),
);

const dueNowQuery = defineQuery('webhook_deliveries_due_now', (db, p: { subscriberId: number; at: Date }) =>
  db.updateTable('WebhookDelivery').set({ availableAt: p.at }).where('subscriberId', '=', p.subscriberId).where('deliveredAt', 'is', null),
);

const deleteSubscriberQuery = defineQuery('webhook_subscriber_delete', (db, p: { id: number }) => db.deleteFrom('WebhookSubscriber').where('id', '=', p.id));

function recordOf(row: Omit<WebhookSubscriberRecord, 'events'> & { events: string }): WebhookSubscriberRecord {
  return { ...row, events: eventsOf(row.events) };
}

export async function listSubscribers(db: Db): Promise<WebhookSubscriberRecord[]> {
  return (await all(sqlOf(db), subscribersQuery, {})).map(recordOf);
}

export async function subscriberNamed(db: Db, name: string): Promise<WebhookSubscriberRecord | null> {
  const row = await first(sqlOf(db), subscriberNamedQuery, { name });
  return row ? recordOf(row) : null;
}

export interface NewSubscriber {
  name: string;
  url: string;
  events: string[];
  /** A region's code, or none. */
  regionCode?: string;
}

/**
 * Makes a subscriber and returns it with its secret: the only time the secret is shown.
 * @throws DataError for a taken or malformed name, a URL that is not http(s), an unknown event or region.
 */
export async function createSubscriber(db: Db, input: NewSubscriber, now: Date): Promise<{ secret: string; record: WebhookSubscriberRecord }> {
  const name = input.name.trim();
  if (!/^[a-z0-9][a-z0-9.-]{0,63}$/.test(name)) {
    throw new DataError(`名称只能用小写字母、数字、点和横线（至多 64 个） the name may use lower-case letters, digits, dots and hyphens (64 at most): ${input.name}`);
  }
  let url: URL;
  try {
    url = new URL(input.url.trim());
  } catch {
    throw new DataError(`网址无效 not a URL: ${input.url}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DataError(`网址须以 http(s):// 开头 the URL must be http(s): ${input.url}`);
  const events = [...new Set(input.events.map((e) => e.trim()).filter(Boolean))];
  const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (unknown.length || !events.length) throw new DataError(`未知的事件 unknown event: ${unknown.join(', ') || '(none)'}; 可用 known: ${WEBHOOK_EVENTS.join(', ')}`);
  const sql = sqlOf(db);
  let regionId: number | null = null;
  if (input.regionCode !== undefined && input.regionCode !== '') {
    const region = await first(sql, regionByCodeQuery, { code: input.regionCode });
    if (!region) throw new DataError(`没有这个地区 no region with the code ${input.regionCode}`);
    regionId = region.id;
  }
  if (await first(sql, subscriberNamedQuery, { name })) throw new DataError(`已有名为 ${name} 的订阅 a subscriber named ${name} exists already`);
  const secret = SECRET_PREFIX + randomBytes(32).toString('hex');
  await run(sql, insertSubscriberQuery, { name, url: url.toString(), events: events.join(','), regionId, secret, at: now });
  const record = await subscriberNamed(db, name);
  if (!record) throw new Error(`the subscriber ${name} was not saved`);
  return { secret, record };
}

async function named(db: Db, name: string): Promise<WebhookSubscriberRecord> {
  const record = await subscriberNamed(db, name);
  if (!record) throw new DataError(`没有名为 ${name} 的订阅 no subscriber named ${name}`);
  return record;
}

/**
 * Pauses a subscriber: nothing is sent to it until it is resumed; its events still queue.
 * Returns whether it was running (false: paused already).
 */
export async function pauseSubscriber(client: Db | Tx | SqlTx, id: number, reason: PauseReason, now: Date): Promise<boolean> {
  return (await run(sqlOf(client), pauseQuery, { id, at: now, reason })) === 1;
}

export async function pauseSubscriberNamed(db: Db, name: string, now: Date): Promise<void> {
  const record = await named(db, name);
  if (!(await pauseSubscriber(db, record.id, 'admin', now))) throw new DataError(`订阅 ${name} 已暂停 ${name} is paused already`);
}

/** Resumes a subscriber: what queued meanwhile goes out, in order, from the first undelivered event. */
export async function resumeSubscriberNamed(db: Db, name: string, now: Date): Promise<void> {
  const record = await named(db, name);
  const sql = sqlOf(db);
  if (!(await run(sql, resumeQuery, { id: record.id }))) throw new DataError(`订阅 ${name} 没有暂停 ${name} is not paused`);
  await run(sql, dueNowQuery, { subscriberId: record.id, at: now });
}

/** Deletes a subscriber and its delivery log. */
export async function deleteSubscriberNamed(db: Db, name: string): Promise<void> {
  const record = await named(db, name);
  await run(sqlOf(db), deleteSubscriberQuery, { id: record.id });
}

/** What enqueueing needs of a subscriber. */
export interface SubscriberAim {
  id: number;
  events: WebhookEventType[];
  regionId: number | null;
}

const aimsQuery = defineQuery('webhook_subscriber_aims', (db) => db.selectFrom('WebhookSubscriber').select(['id', 'events', 'regionId']).orderBy('id'));

/**
 * Every subscriber's events and region, kept per process with the reference data: a
 * transition reads it from memory (none at all: an empty list), and any change to who
 * hears what bumps the reference version (triggers, see the webhooks migration).
 */
export async function subscriberAims(client: Tx | SqlTx | Db): Promise<SubscriberAim[]> {
  const aims = await cached(client, 'webhook_subscribers', async () =>
    (await all(sqlOf(client), aimsQuery, {})).map((row) => ({ id: row.id, events: eventsOf(row.events), regionId: row.regionId })),
  );
  return aims ?? [];
}

/** One row of a subscriber's delivery log. */
export interface DeliveryLogRow {
  id: number;
  eventId: string;
  type: string;
  ticketNumber: string | null;
  createdAt: Date;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  skipped: boolean;
  /** When the next attempt may start, while it is unsettled. */
  availableAt: Date;
}

const deliveryLogQuery = defineQuery('webhook_delivery_log', (db, p: { subscriberId: number; limit: number }) =>
  db
    .selectFrom('WebhookDelivery as d')
    .leftJoin('Ticket as t', 't.id', 'd.ticketId')
    .select([
      'd.id',
      'd.eventId',
      'd.type',
      't.number as ticketNumber',
      'd.createdAt',
      'd.attempts',
      'd.lastStatus',
      'd.lastError',
      'd.lastAttemptAt',
      'd.deliveredAt',
      'd.skipped',
      'd.availableAt',
    ])
    .where('d.subscriberId', '=', p.subscriberId)
    .orderBy('d.id', 'desc')
    .limit(p.limit),
);

/** A subscriber's latest deliveries, newest first. */
export function deliveryLog(db: Db, subscriberId: number, limit = 100): Promise<DeliveryLogRow[]> {
  return all(sqlOf(db), deliveryLogQuery, { subscriberId, limit });
}
