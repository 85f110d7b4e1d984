/**
 * 受理登记: staff register a request for a resident who came to the station, phoned,
 * wrote, or was met on a visit. The request goes through the same pipeline as a chat
 * report (routing, deadlines, pings, events naming who registered it and how it came in);
 * 即办, a matter settled on the spot, is received and resolved in the same transaction.
 *
 * The resident is told in their bound chat, like a chat report. A resident without a chat
 * (most walk-ins) gets it queued with no channel (src/pipeline/outbox.ts enqueuePush): the
 * outbox keeps it until they bind a chat. With the SMS channel on, a person with a mobile
 * and no chat gets those rows by SMS instead (src/sms/store.ts, addressWaitingBySms).
 */
import { randomUUID } from 'node:crypto';
import { type ExpressionBuilder, type Nullable, sql } from 'kysely';
import { type Db, sqlOf, type SqlTx, type Tx } from '../db/client.js';
import { containsPattern, type Dialect, likeEscaped, oneOf } from '../db/dialect.js';
import type { DB } from '../db/generated/kysely/types.js';
import { all, defineQuery, first } from '../db/sql.js';
import { CONFIDENT } from '../engine/flow.js';
import { normalizePhone } from '../org/phone.js';
import { maskPhone, normaliseText, residentName } from '../privacy.js';
import type { Refusal } from '../pipeline/model.js';
import { hasResidentToAnswerSql } from '../pipeline/requester.js';
import { type PipelineService, withSqlRetry } from '../pipeline/service.js';
import { CATEGORY_CODES, type RequestKind } from '../pipeline/states.js';
import { summaryOf } from '../../flows/answers.js';

/** How staff received a request: 来访 at the station, 来电, 来信, 走访 on a visit. */
export const RECEIPT_CHANNELS = ['station', 'phone', 'letter', 'visit'] as const;
export type ReceiptChannel = (typeof RECEIPT_CHANNELS)[number];

export function isReceiptChannel(value: string): value is ReceiptChannel {
  return (RECEIPT_CHANNELS as readonly string[]).includes(value);
}

/** Whom the request is for: a person of the roster, or someone new (no chat, no household). */
export type IntakeResident = { personId: number } | { name: string; phone: string };

/** A request as staff register it. */
export interface IntakeRequest {
  resident: IntakeResident;
  /** The village where the matter is. */
  regionId: number;
  channel: ReceiptChannel;
  categoryCode: string;
  description: string;
  location: string;
  urgent: boolean;
  /** 即办: the result note when the matter was settled on the spot; null when it goes on to a handler. */
  settled: string | null;
  photos?: string[];
  /** The REST API key it came through (src/api/intake.ts), which the first event names. */
  apiKey?: string;
}

/** Who registers it, and where they may: the villages under their dispatcher (or admin) roles. */
export interface Registrar {
  personId: number;
  regionIds: readonly number[];
}

/** What went wrong, per form field, Chinese first. */
export type IntakeErrors = Partial<Record<'resident' | 'name' | 'phone' | 'region' | 'channel' | 'category' | 'description' | 'result' | 'photos', string>>;

export type IntakeOutcome = { ok: true; number: string; settled: boolean } | { ok: false; errors: IntakeErrors };

/** A resident as the search lists them: masked, as staff see residents everywhere; the household by its code, never its address. */
export interface ResidentHit {
  personId: number;
  name: string;
  phone: string | null;
  household: string | null;
  village: string | null;
  villageId: number | null;
}

const MAX_DESCRIPTION = 2000;
const MAX_LOCATION = 200;
const SEARCH_LIMIT = 20;

/** The pipeline said no (after the resident was created): the transaction rolls back. */
class IntakeRefused extends Error {
  override readonly name = 'IntakeRefused';
  constructor(readonly refusal: Refusal) {
    super(refusal.code);
  }
}

/**
 * A person the registrar can reach in `regionIds`: a household member of one of their
 * villages, or someone with no household (a walk-in, a caller) who asked there before.
 */
function inReach(eb: ExpressionBuilder<DB & { p: DB['Person'] } & { h: Nullable<DB['Household']> }, 'p' | 'h'>, dialect: Dialect, regionIds: number[]) {
  return eb.or([
    eb.and([eb('p.householdId', 'is not', null), oneOf(dialect, 'h.regionId', regionIds)]),
    eb.and([
      eb('p.householdId', 'is', null),
      eb.exists(
        eb
          .selectFrom('Ticket as t')
          .select('t.id')
          .whereRef('t.residentId', '=', 'p.id')
          // A meeting's decision names its recorder there, who did not ask for anything.
          .where(hasResidentToAnswerSql('t.channel'))
          .where(oneOf(dialect, 't.regionId', regionIds)),
      ),
    ]),
  ]);
}

/**
 * People in the registrar's villages: members of a household there, and walk-ins
 * (no household) with a request there. Matched by name, phone or household code.
 */
const searchQuery = defineQuery('intake_search', (db, p: { like: string; exact: string; regionIds: number[]; limit: number }, dialect) =>
  db
    .selectFrom('Person as p')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .leftJoin('Region as r', 'r.id', 'h.regionId')
    .select([
      'p.id as id',
      'p.code as code',
      'p.name as name',
      'p.householdId as householdId',
      'p.phone as phone',
      'h.phone as householdPhone',
      'h.code as householdCode',
      'r.name as village',
      'r.id as villageId',
    ])
    .where((eb) => inReach(eb, dialect, p.regionIds))
    .where((eb) => eb.or([likeEscaped('p.name', p.like), eb('p.phone', '=', p.exact), eb('h.phone', '=', p.exact), eb('h.code', '=', p.exact)]))
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(p.limit),
);

/**
 * Code prefixes of the people who come without a household or a chat: 受理登记's walk-ins
 * and callers, and Open311's requesters (`U-${OPEN311_CHANNEL}-`, src/open311/requests.ts).
 */
const WALK_IN_PREFIX = 'W-';
const OPEN311_REQUESTER_PREFIX = 'U-open311-';

/**
 * The one person a phone number belongs to, for 受理登记 and Open311 alike, so that one
 * phone is one resident with one history: someone the registrar can reach in `regionIds`
 * whose own or household's phone it is, else a walk-in or Open311 requester with that
 * phone wherever they asked. Household members first.
 */
const personByPhoneQuery = defineQuery('person_by_phone', (db, p: { phone: string; regionIds: number[] }, dialect) =>
  db
    .selectFrom('Person as p')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .select('p.id')
    .where((eb) => eb.or([eb('p.phone', '=', p.phone), eb('h.phone', '=', p.phone)]))
    .where((eb) =>
      eb.or([
        inReach(eb, dialect, p.regionIds),
        eb.and([eb('p.householdId', 'is', null), eb.or([eb('p.code', 'like', `${WALK_IN_PREFIX}%`), eb('p.code', 'like', `${OPEN311_REQUESTER_PREFIX}%`)])]),
      ]),
    )
    .orderBy(sql`CASE WHEN ${sql.ref('p.householdId')} IS NULL THEN 1 ELSE 0 END`)
    .orderBy('p.id')
    .limit(1),
);

/** The id of the person `phone` (normalised) belongs to in `regionIds` (see personByPhoneQuery), if any. */
export async function personByPhone(tx: Db | Tx | SqlTx, phone: string, regionIds: readonly number[]): Promise<number | null> {
  return (await first(sqlOf(tx), personByPhoneQuery, { phone, regionIds: [...regionIds] }))?.id ?? null;
}

/** Residents in the registrar's villages matching `text` (a name, part of one, a phone or a household code). */
export async function searchResidents(db: Db | Tx | SqlTx, registrar: Registrar, text: string): Promise<ResidentHit[]> {
  const words = normaliseText(text).trim();
  if (!words || !registrar.regionIds.length) return [];
  const exact = normalizePhone(words) ?? words;
  const rows = await all(sqlOf(db), searchQuery, { like: containsPattern(words), exact, regionIds: [...registrar.regionIds], limit: SEARCH_LIMIT });
  return rows.map((r) => {
    const phone = registeredPhone(r);
    return {
      personId: r.id,
      name: residentName({ code: r.code, name: r.name, householdId: r.householdId }),
      phone: phone ? maskPhone(phone) : null,
      household: r.householdCode,
      village: r.village,
      villageId: r.villageId,
    };
  });
}

/**
 * The phone a resident is reached on, as a chat report's 使用登记电话 gives it: their own,
 * else their household's. The search lists it (masked) and registration hands it to the handler.
 */
function registeredPhone(row: { phone: string | null; householdPhone: string | null }): string | null {
  return row.phone ?? row.householdPhone;
}

/** One resident, if the registrar's search could find them, with the phone they are reached on. */
async function residentInReach(tx: Tx | SqlTx, registrar: Registrar, personId: number): Promise<{ villageId: number | null; phone: string | null } | null> {
  const row = await first(sqlOf(tx), reachQuery, { personId, regionIds: [...registrar.regionIds] });
  return row ? { villageId: row.villageId, phone: registeredPhone(row) } : null;
}

const reachQuery = defineQuery('intake_resident_in_reach', (db, p: { personId: number; regionIds: number[] }, dialect) =>
  db
    .selectFrom('Person as p')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .select(['p.id as id', 'h.regionId as villageId', 'p.phone as phone', 'h.phone as householdPhone'])
    .where('p.id', '=', p.personId)
    .where((eb) => inReach(eb, dialect, p.regionIds)),
);

const villageQuery = defineQuery('intake_village', (db, p: { id: number }) => db.selectFrom('Region').select(['id', 'level']).where('id', '=', p.id));

const newPersonQuery = defineQuery('intake_new_person', (db, p: { code: string; name: string; phone: string; at: Date }) =>
  db.insertInto('Person').values({ code: p.code, name: p.name, phone: p.phone, locale: 'zh', createdAt: p.at, updatedAt: p.at }).returning('id'),
);

/** The form's checks, before anything is written; every message Chinese first. */
function check(request: IntakeRequest): IntakeErrors {
  const errors: IntakeErrors = {};
  if ('name' in request.resident) {
    if (!normaliseText(request.resident.name).trim()) errors.name = '请填写群众姓名。 Enter the resident’s name.';
    if (!normalizePhone(request.resident.phone)) errors.phone = '请填写有效的手机或座机号码。 Enter a valid mobile or landline number.';
  } else if (!Number.isInteger(request.resident.personId) || request.resident.personId <= 0) {
    errors.resident = '请先在名册中查找并选择群众，或填写新群众的姓名和电话。 Find and choose the resident, or enter a new one’s name and phone.';
  }
  if (!isReceiptChannel(request.channel)) errors.channel = '请选择受理方式（来访、来电、来信或走访）。 Choose how the request came in.';
  if (!(CATEGORY_CODES as readonly string[]).includes(request.categoryCode)) errors.category = '请选择诉求类别。 Choose a category.';
  const description = normaliseText(request.description).trim();
  if (!description) errors.description = '请填写诉求内容。 Describe the request.';
  else if (description.length > MAX_DESCRIPTION) errors.description = `诉求内容不能超过 ${MAX_DESCRIPTION} 字。 At most ${MAX_DESCRIPTION} characters.`;
  if (request.settled !== null && !normaliseText(request.settled).trim()) errors.result = '当场办结须填写办理结果。 Settling it on the spot needs the result.';
  return errors;
}

/** The chat's category matcher (src/engine/classifier.ts), as registration uses it. */
export interface Matcher {
  classify(text: string): { code: string; kind: RequestKind; confidence: number };
}

/** The category the matcher suggests for `description` (the chat's matcher), or null when it is unsure. */
export function suggestCategory(matcher: Matcher, description: string): string | null {
  const text = normaliseText(description).trim();
  if (!text) return null;
  const guess = matcher.classify(text);
  return guess.confidence >= CONFIDENT ? guess.code : null;
}

/**
 * Registers `request` for the resident through the pipeline, in one transaction: the new
 * person (if any), the ticket, and for 即办 its settlement. Nothing is written when a check
 * or the pipeline refuses.
 */
export async function registerIntake(pipeline: PipelineService, matcher: Matcher | undefined, registrar: Registrar, request: IntakeRequest): Promise<IntakeOutcome> {
  const errors = check(request);
  if (Object.keys(errors).length) return { ok: false, errors };
  const description = normaliseText(request.description).trim();
  const guess = matcher?.classify(description);
  try {
    return await withSqlRetry(pipeline.db, async (tx) => {
      const region = await first(sqlOf(tx), villageQuery, { id: request.regionId });
      // A village outside the registrar's reach reads as no village at all.
      if (!region || region.level !== 'village' || !registrar.regionIds.includes(region.id)) {
        throw new IntakeErrorsFound({ region: '请选择您辖区内的村庄。 Choose a village of your area.' });
      }
      let residentId: number;
      let phone: string | null;
      if ('personId' in request.resident) {
        const found = await residentInReach(tx, registrar, request.resident.personId);
        if (!found) throw new IntakeErrorsFound({ resident: '没有找到这位群众，请重新查找。 No such resident in your area; search again.' });
        residentId = request.resident.personId;
        phone = found.phone;
      } else {
        phone = normalizePhone(request.resident.phone);
        // Someone the search finds by this phone is no new person: one resident, one history.
        if (phone && (await personByPhone(tx, phone, registrar.regionIds)) !== null) {
          throw new IntakeErrorsFound({
            phone: '这个电话号码已在名册中，请在上方用电话查找并选择此人。 This phone is on the roster already: search for it above and choose the person.',
          });
        }
        const created = await first(sqlOf(tx), newPersonQuery, {
          code: `${WALK_IN_PREFIX}${randomUUID().slice(0, 12)}`,
          name: normaliseText(request.resident.name).trim().slice(0, 40),
          phone: phone ?? '',
          at: pipeline.clock.now(),
        });
        if (!created) throw new Error('the new person was not created');
        residentId = created.id;
      }
      const location = normaliseText(request.location).trim().slice(0, MAX_LOCATION);
      const outcome = await pipeline.reportIn(tx, {
        residentId,
        categoryCode: request.categoryCode,
        // The matcher's kind of request holds only for the category it guessed.
        kind: guess?.code === request.categoryCode ? guess.kind : 'help',
        summary: summaryOf(description),
        description,
        regionId: region.id,
        ...(location ? { location } : {}),
        ...(phone ? { contactPhone: phone } : {}),
        photos: request.photos ?? [],
        via: request.channel,
        registeredBy: registrar.personId,
        ...(request.apiKey === undefined ? {} : { apiKey: request.apiKey }),
        urgent: request.urgent,
        ...(request.settled === null ? {} : { settled: { result: normaliseText(request.settled).trim() } }),
      });
      if (!outcome.ok) throw new IntakeRefused(outcome.refusal);
      return { ok: true as const, number: outcome.ticket.number, settled: request.settled !== null };
    });
  } catch (error) {
    if (error instanceof IntakeErrorsFound) return { ok: false, errors: error.errors };
    if (error instanceof IntakeRefused) return { ok: false, errors: errorsOf(error.refusal) };
    throw error;
  }
}

/** Checks that need the database failed: the transaction rolls back. */
class IntakeErrorsFound extends Error {
  override readonly name = 'IntakeErrorsFound';
  constructor(readonly errors: IntakeErrors) {
    super('intake refused');
  }
}

/** A pipeline refusal as the form shows it, on the field it concerns. */
function errorsOf(refusal: Refusal): IntakeErrors {
  if (refusal.code === 'invalid' && refusal.field === 'category') return { category: '请选择诉求类别。 Choose a category.' };
  if (refusal.code === 'invalid' && refusal.field === 'region') return { region: '请选择您辖区内的村庄。 Choose a village of your area.' };
  if (refusal.code === 'invalid' && refusal.field === 'result') return { result: '当场办结须填写办理结果。 Settling it on the spot needs the result.' };
  return { description: `未能登记：${refusal.code}。 Not registered: ${refusal.code}.` };
}
