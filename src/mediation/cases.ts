/**
 * 矛盾纠纷调解: mediation cases stored and changed. Every change goes through the pure
 * {@link mediationTransition}; the console's actions are recorded as AuditEvents, and the
 * parties are asked to confirm an agreement by a push to their own chats (flows/mediation-confirm.ts).
 */
import type { Selectable } from 'kysely';
import { type Db, type SqlTx, sqlOf, transaction, type Tx } from '../db/client.js';
import type { DB } from '../db/generated/kysely/types.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, first, run, type SqlConnection } from '../db/sql.js';
import { localDateOf } from '../pipeline/calendar.js';
import { enqueuePush } from '../pipeline/outbox.js';
import { maskContacts } from '../privacy.js';
import {
  firstDueOn,
  isOverdue,
  type MediationChange,
  type MediationCommand,
  MediationRefused,
  type MediationRules,
  type MediationState,
  mediationTransition,
} from './transitions.js';

/** A party as staff name it when opening a case: a roster person or household by code, or a name not on the roster. */
export interface PartyInput {
  personId?: number;
  householdId?: number;
  name: string;
}

export interface OpenCaseInput {
  regionId: number;
  title: string;
  facts: string;
  mediatorId: number | null;
  parties: PartyInput[];
  /** The `dispute` ticket it comes from. */
  ticketId?: number | null;
}

export interface MediationParty {
  id: number;
  personId: number | null;
  householdId: number | null;
  name: string;
  position: string;
  answer: string | null;
  answeredAt: Date | null;
}

export interface MediationSession {
  id: number;
  heldOn: string;
  place: string;
  attendees: string;
  notes: string;
}

/** A case as the console shows it. */
export interface MediationCaseView {
  id: number;
  regionId: number;
  ticketId: number | null;
  ticketNumber: string | null;
  mediatorId: number | null;
  mediator: string | null;
  title: string;
  facts: string;
  status: MediationState;
  dueOn: string;
  overdue: boolean;
  extensions: number;
  agreement: string | null;
  agreedAt: Date | null;
  settledAt: Date | null;
  keptFirst: boolean | null;
  keptSecond: boolean | null;
  referredAt: Date | null;
  court: string | null;
  referralReason: string | null;
  courtOutcome: string | null;
  closedAt: Date | null;
  openedAt: Date;
  parties: MediationParty[];
  sessions: MediationSession[];
}

/**
 * A case as anyone but its parties reads it — staff in scope, its mediator, the court's
 * dossier: phone and ID numbers, e-mails and roster codes in its texts masked by the one
 * scrubber, as a ticket's texts are for staff (src/web/console/ticket.ts: 139****5678).
 * The parties' names stay in full: the case is theirs to mediate, and the dossier is the
 * court's. Pushes and chat lists naming a case to staff mask its title the same way.
 */
export function caseForStaff(c: MediationCaseView): MediationCaseView {
  const masked = (text: string | null) => (text === null ? null : maskContacts(text));
  return {
    ...c,
    title: maskContacts(c.title),
    facts: maskContacts(c.facts),
    agreement: masked(c.agreement),
    court: masked(c.court),
    referralReason: masked(c.referralReason),
    courtOutcome: masked(c.courtOutcome),
    parties: c.parties.map((p) => ({ ...p, name: maskContacts(p.name), position: maskContacts(p.position) })),
    sessions: c.sessions.map((s) => ({ ...s, place: maskContacts(s.place), attendees: maskContacts(s.attendees), notes: maskContacts(s.notes) })),
  };
}

/** Opens a case; with `ticketId`, one case per ticket. Returns its id. */
export async function openMediationCase(db: Db, input: OpenCaseInput, actorId: number, now: Date, rules: MediationRules): Promise<number> {
  const title = input.title.trim();
  const facts = input.facts.trim();
  if (!title || !facts) throw new MediationRefused('请填写纠纷名称和事实经过。 Give the dispute a title and its facts.');
  if (input.parties.length < 2) throw new MediationRefused('至少需要两方当事人。 A dispute has at least two parties.');
  if (input.ticketId != null && (await mediationCaseOfTicket(db, input.ticketId)) !== undefined)
    throw new MediationRefused('这件诉求已经有调解案件。 This request already has a mediation case.');
  return transaction(db, async (tx) => {
    const created = await tx.mediationCase.create({
      data: {
        regionId: input.regionId,
        ticketId: input.ticketId ?? null,
        mediatorId: input.mediatorId,
        title,
        facts,
        status: 'mediating',
        dueOn: firstDueOn(now, rules),
        openedById: actorId,
        openedAt: now,
        updatedAt: now,
      },
    });
    await tx.mediationParty.createMany({
      data: input.parties.map((p) => ({ caseId: created.id, personId: p.personId ?? null, householdId: p.householdId ?? null, name: p.name })),
    });
    await tx.auditEvent.create({
      data: { action: 'mediation_opened', actorId, ticketId: input.ticketId ?? null, at: now, data: JSON.stringify({ case: created.id, parties: input.parties.length }) },
    });
    return created.id;
  });
}

// The cases and their parties, for the console's pages and for a transition (the console's or a chat turn's): one reader of each.
const casesQuery = defineQuery('mediation_cases', (db, p: { ids: number[] }, dialect) =>
  db
    .selectFrom('MediationCase')
    .selectAll()
    .where(oneOf(dialect, 'id', p.ids)),
);

const partiesQuery = defineQuery('mediation_parties', (db, p: { caseIds: number[] }, dialect) =>
  db
    .selectFrom('MediationParty')
    .selectAll()
    .where(oneOf(dialect, 'caseId', p.caseIds))
    .orderBy('id'),
);

/** The cases with these ids, in that order (missing ones left out). */
export async function loadMediationCases(db: Db, ids: readonly number[], now: Date): Promise<MediationCaseView[]> {
  if (!ids.length) return [];
  const [cases, parties, sessions] = await Promise.all([
    all(sqlOf(db), casesQuery, { ids: [...ids] }),
    all(sqlOf(db), partiesQuery, { caseIds: [...ids] }),
    db.mediationSession.findMany({ where: { caseId: { in: [...ids] } }, orderBy: [{ heldOn: 'asc' }, { id: 'asc' }] }),
  ]);
  const [people, tickets] = await Promise.all([
    db.person.findMany({ where: { id: { in: cases.flatMap((c) => (c.mediatorId === null ? [] : [c.mediatorId])) } }, select: { id: true, name: true } }),
    db.ticket.findMany({ where: { id: { in: cases.flatMap((c) => (c.ticketId === null ? [] : [c.ticketId])) } }, select: { id: true, number: true } }),
  ]);
  const byId = new Map(cases.map((c) => [c.id, c]));
  return ids.flatMap((id) => {
    const c = byId.get(id);
    if (!c) return [];
    return [
      {
        ...c,
        status: c.status as MediationState,
        overdue: isOverdue(c, now),
        mediator: people.find((p) => p.id === c.mediatorId)?.name ?? null,
        ticketNumber: tickets.find((t) => t.id === c.ticketId)?.number ?? null,
        parties: parties.filter((p) => p.caseId === id),
        sessions: sessions.filter((s) => s.caseId === id),
      },
    ];
  });
}

/**
 * Ids of the cases in `regionIds`, and of those `mediatorId` mediates when given, open
 * ones first (oldest limit first), then the latest closed.
 */
export async function mediationCaseIds(db: Db, regionIds: readonly number[], status?: MediationState, mediatorId?: number): Promise<number[]> {
  const regions = { regionId: { in: [...regionIds] } };
  const rows = await db.mediationCase.findMany({
    where: { ...(mediatorId === undefined ? regions : { OR: [regions, { mediatorId }] }), ...(status ? { status } : {}) },
    select: { id: true, status: true, dueOn: true, openedAt: true },
    orderBy: { id: 'desc' },
    take: 500,
  });
  const rank = (s: string) => ['mediating', 'agreement', 'referred', 'settled', 'closed'].indexOf(s);
  return rows.sort((a, b) => rank(a.status) - rank(b.status) || (a.status === 'closed' ? 0 : a.dueOn.localeCompare(b.dueOn))).map((r) => r.id);
}

/** Writes every field a transition may change: one statement, whichever command. */
const saveCaseQuery = defineQuery(
  'mediation_save_case',
  (
    db,
    p: Pick<
      MediationCaseRow,
      | 'id'
      | 'status'
      | 'dueOn'
      | 'extensions'
      | 'agreement'
      | 'agreedAt'
      | 'settledAt'
      | 'keptFirst'
      | 'keptSecond'
      | 'referredAt'
      | 'court'
      | 'referralReason'
      | 'courtOutcome'
      | 'closedAt'
    > & { at: Date },
  ) =>
    db
      .updateTable('MediationCase')
      .set({
        status: p.status,
        dueOn: p.dueOn,
        extensions: p.extensions,
        agreement: p.agreement,
        agreedAt: p.agreedAt,
        settledAt: p.settledAt,
        keptFirst: p.keptFirst,
        keptSecond: p.keptSecond,
        referredAt: p.referredAt,
        court: p.court,
        referralReason: p.referralReason,
        courtOutcome: p.courtOutcome,
        closedAt: p.closedAt,
        updatedAt: p.at,
      })
      .where('id', '=', p.id),
);

const clearAnswersQuery = defineQuery('mediation_clear_answers', (db, p: { caseId: number }) =>
  db.updateTable('MediationParty').set({ answer: null, answeredAt: null, objection: null }).where('caseId', '=', p.caseId),
);

const saveAnswerQuery = defineQuery('mediation_save_answer', (db, p: { id: number; answer: string; objection: string | null; at: Date }) =>
  db.updateTable('MediationParty').set({ answer: p.answer, objection: p.objection, answeredAt: p.at }).where('id', '=', p.id),
);

const householdMembersQuery = defineQuery('mediation_household_members', (db, p: { householdId: number }) =>
  db.selectFrom('Person').select('id').where('householdId', '=', p.householdId).orderBy('id'),
);

type MediationCaseRow = Selectable<DB['MediationCase']>;

/** The people who answer for a party: the person, or the household's members. */
async function answerersOf(sql: SqlConnection, party: { personId: number | null; householdId: number | null }): Promise<number[]> {
  if (party.personId !== null) return [party.personId];
  if (party.householdId === null) return [];
  return (await all(sql, householdMembersQuery, { householdId: party.householdId })).map((p) => p.id);
}

/**
 * Applies `command` to case `caseId` in `tx` (the console's or a chat turn's): the
 * transition's change stored, a party's answer recorded, the parties asked to confirm a
 * new agreement, the mediator told of an answer that settles or reopens it. Throws {@link MediationRefused}.
 */
export async function changeMediationCase(tx: Tx | SqlTx, caseId: number, command: MediationCommand, now: Date): Promise<MediationChange> {
  const sql = sqlOf(tx);
  const row = await first(sql, casesQuery, { ids: [caseId] });
  if (!row) throw new MediationRefused('没有这起调解案件。 There is no such case.');
  const parties = await all(sql, partiesQuery, { caseIds: [caseId] });
  const change = mediationTransition({ ...row, status: row.status as MediationState, parties }, command, now);
  const { extended, clearAnswers, askParties, ...fields } = change;
  await run(sql, saveCaseQuery, { ...row, ...fields, extensions: row.extensions + (extended ? 1 : 0), at: now });
  if (clearAnswers) await run(sql, clearAnswersQuery, { caseId });
  if (command.type === 'answer') {
    await run(sql, saveAnswerQuery, { id: command.partyId, answer: command.confirmed ? 'confirmed' : 'objected', objection: command.objection?.trim() || null, at: now });
    if (fields.status && row.mediatorId !== null) {
      await enqueuePush(
        tx,
        [row.mediatorId],
        { template: fields.status === 'settled' ? 'mediation.settled' : 'mediation.party_objected', params: { title: maskContacts(row.title) } },
        now,
      );
    }
  }
  if (askParties) {
    for (const party of parties) {
      await enqueuePush(
        tx,
        await answerersOf(sql, party),
        {
          template: 'mediation.ask_party',
          params: { title: row.title, agreement: fields.agreement ?? '' },
          // 是 / 对 answer 确认, 不 有异议 (src/engine/choices.ts), as on the visit push.
          actions: [
            { label: 'mediation.confirm', payload: `mediation:${party.id}:confirmed`, means: 'yes' },
            { label: 'mediation.object', payload: `mediation:${party.id}:objected`, means: 'no' },
          ],
        },
        now,
      );
    }
  }
  return change;
}

/** A staff action on a case, with its AuditEvent. */
export async function staffChangeMediationCase(db: Db, caseId: number, command: MediationCommand, actorId: number, now: Date): Promise<void> {
  await transaction(db, async (tx) => {
    // An `answer` here is one a party gave on paper or in person (a party with no chat).
    await changeMediationCase(tx, caseId, command, now);
    await tx.auditEvent.create({ data: { action: `mediation_${command.type}`, actorId, at: now, data: JSON.stringify({ case: caseId, ...command }) } });
  });
}

/** Records a session (date, place, attendees, notes) of an open case. */
export async function addMediationSession(
  db: Db,
  caseId: number,
  input: { heldOn: string; place: string; attendees: string; notes: string },
  actorId: number,
  now: Date,
): Promise<void> {
  const heldOn = input.heldOn.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(heldOn) || heldOn > localDateOf(now)) throw new MediationRefused('请填写调解日期（不晚于今天）。 Give the session’s date, not after today.');
  if (!input.place.trim() || !input.notes.trim()) throw new MediationRefused('请填写地点和调解记录。 Give the place and the notes.');
  await transaction(db, async (tx) => {
    await changeMediationCase(tx, caseId, { type: 'session' }, now);
    await tx.mediationSession.create({
      data: { caseId, heldOn, place: input.place.trim(), attendees: input.attendees.trim(), notes: input.notes.trim(), recordedById: actorId, recordedAt: now },
    });
    await tx.auditEvent.create({ data: { action: 'mediation_session', actorId, at: now, data: JSON.stringify({ case: caseId, heldOn }) } });
  });
}

/** Records a party's position. */
export async function setPartyPosition(db: Db, caseId: number, partyId: number, position: string, actorId: number, now: Date): Promise<void> {
  const updated = await db.mediationParty.updateMany({ where: { id: partyId, caseId }, data: { position: position.trim() } });
  if (!updated.count) throw new MediationRefused('不是这起纠纷的当事人。 Not a party to this dispute.');
  await db.auditEvent.create({ data: { action: 'mediation_position', actorId, at: now, data: JSON.stringify({ case: caseId, party: partyId }) } });
}

/** A mediator's figures, for the per-dispute reward (seeds 001, 004). */
export interface MediatorFigures {
  mediatorId: number;
  name: string;
  /** Cases they mediate or mediated. */
  cases: number;
  /** Agreements every party confirmed. */
  settled: number;
  /** Settled agreements found kept at the second follow-up. */
  kept: number;
  /** Referred to the court (诉调对接). */
  referred: number;
  /** Mean calendar days from opening to settling, over the settled (null: none settled). */
  averageDays: number | null;
}

const DAY_MS = 86_400_000;

/** The figures of every mediator with a case in `regionIds`, most settled first. */
export async function mediatorFigures(db: Db, regionIds: readonly number[]): Promise<MediatorFigures[]> {
  const rows = await db.mediationCase.findMany({
    where: { regionId: { in: [...regionIds] }, mediatorId: { not: null } },
    select: { mediatorId: true, openedAt: true, settledAt: true, keptSecond: true, referredAt: true },
  });
  const names = new Map(
    (await db.person.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.mediatorId!))] } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]),
  );
  const figures = new Map<number, MediatorFigures & { days: number }>();
  for (const row of rows) {
    const id = row.mediatorId!;
    let f = figures.get(id);
    if (!f) figures.set(id, (f = { mediatorId: id, name: names.get(id) ?? '', cases: 0, settled: 0, kept: 0, referred: 0, averageDays: null, days: 0 }));
    f.cases += 1;
    if (row.settledAt) {
      f.settled += 1;
      f.days += (row.settledAt.getTime() - row.openedAt.getTime()) / DAY_MS;
    }
    if (row.keptSecond === true) f.kept += 1;
    if (row.referredAt) f.referred += 1;
  }
  return [...figures.values()]
    .map(({ days, ...f }) => ({ ...f, averageDays: f.settled ? Math.round((days / f.settled) * 10) / 10 : null }))
    .sort((a, b) => b.settled - a.settled || b.cases - a.cases || a.name.localeCompare(b.name));
}

/** The mediators who may take a case of `regionId`: those of the region or a region above it. */
export async function mediatorsFor(db: Db, regionPath: readonly number[]): Promise<{ id: number; name: string }[]> {
  const roles = await db.personRole.findMany({
    where: { role: 'mediator', regionId: { in: [...regionPath] } },
    select: { person: { select: { id: true, name: true } } },
    orderBy: { personId: 'asc' },
  });
  return [...new Map(roles.map((r) => [r.person.id, r.person])).values()];
}

/** Whether a request is a `dispute` one (the kind 纠纷 or the category 矛盾纠纷): mediation may be opened from it. */
export function isDisputeTicket(ticket: { kind: string; categoryCode: string }): boolean {
  return ticket.kind === 'dispute' || ticket.categoryCode === 'dispute';
}

const caseOfTicketQuery = defineQuery('mediation_case_of_ticket', (db, p: { ticketId: number }) => db.selectFrom('MediationCase').select('id').where('ticketId', '=', p.ticketId));

/** The id of the mediation case opened from a request, if any (one case per request). */
export async function mediationCaseOfTicket(db: Db, ticketId: number): Promise<number | undefined> {
  return (await first(sqlOf(db), caseOfTicketQuery, { ticketId }))?.id;
}

/** `dispute` requests (the kind 纠纷 or the category 矛盾纠纷) of `regionIds` that have no mediation case yet, the latest first. */
export async function disputesWithoutCase(db: Db, regionIds: readonly number[]): Promise<{ id: number; number: string; summary: string; regionId: number }[]> {
  const cased = await db.mediationCase.findMany({ where: { ticketId: { not: null } }, select: { ticketId: true } });
  return db.ticket.findMany({
    where: { OR: [{ kind: 'dispute' }, { categoryCode: 'dispute' }], regionId: { in: [...regionIds] }, id: { notIn: cased.map((c) => c.ticketId!) } },
    select: { id: true, number: true, summary: true, regionId: true },
    orderBy: { id: 'desc' },
    take: 20,
  });
}
