/**
 * A scheduler duty: on working days after the office opens, the responsible people of each
 * 帮扶 assistance step and each mediation limit that has run out are pushed in chat — once
 * per step: its key (the case, and the state or the limit it was overdue in) is claimed in
 * the push's transaction, so that two processes never both send it, and a step that stays
 * late is not pushed about again. An assistance case's reporter and the dispatchers of its
 * village and township hear of it; a mediation case's mediator and its township's dispatchers.
 */
import { sql } from 'kysely';
import { type Db, type SqlTx, sqlOf, sqlTransaction } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, run } from '../db/sql.js';
import { logger } from '../log.js';
import { OPEN_ASSISTANCE_STATES } from '../assistance/machine.js';
import { type WorkCalendar } from '../pipeline/calendar.js';
import { dailyTurn, type OfficeHours } from '../pipeline/deadlines.js';
import { enqueuePush, type Push } from '../pipeline/outbox.js';
import type { Clock } from '../pipeline/service.js';
import { maskContacts } from '../privacy.js';

const log = logger('overdue');

/** The case kinds pushed about, as OverduePush.kind names them. */
type CaseKind = 'assistance' | 'mediation';

/** Open assistance cases whose step is past due and not yet pushed about. */
const lateAssistanceQuery = defineQuery('overdue_assistance', (db, p: { now: Date; states: string[] }, dialect) =>
  db
    .selectFrom('AssistanceCase as c')
    .innerJoin('Household as h', 'h.id', 'c.householdId')
    .innerJoin('Region as v', 'v.id', 'c.regionId')
    .select(['c.id', 'c.state', 'c.dueAt', 'c.regionId', 'v.parentId as townshipId', 'c.reportedById', 'h.code as household'])
    .where(oneOf(dialect, 'c.state', p.states))
    .where('c.dueAt', '<', p.now)
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom('OverduePush as o').select('o.caseId').where('o.kind', '=', 'assistance').whereRef('o.caseId', '=', 'c.id').whereRef('o.step', '=', 'c.state')),
      ),
    )
    .orderBy('c.id'),
);

/** A mediation case's step: its limit, `due:YYYY-MM-DD` (an extended limit is a new step). */
const MEDIATION_STEP = 'due:';

/** Open mediation cases past their limit (the last day `dueOn` is before today) and not yet pushed about. */
const lateMediationQuery = defineQuery('overdue_mediation', (db, p: { today: string }) =>
  db
    .selectFrom('MediationCase as c')
    .innerJoin('Region as r', 'r.id', 'c.regionId')
    .select(['c.id', 'c.title', 'c.dueOn', 'c.mediatorId', 'r.id as regionId', 'r.level', 'r.parentId'])
    .where('c.status', 'in', ['mediating', 'agreement'])
    .where('c.dueOn', '<', p.today)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('OverduePush as o')
            .select('o.caseId')
            .where('o.kind', '=', 'mediation')
            .whereRef('o.caseId', '=', 'c.id')
            .where('o.step', '=', sql<string>`${MEDIATION_STEP} || ${sql.ref('c.dueOn')}`),
        ),
      ),
    )
    .orderBy('c.id'),
);

const dispatchersQuery = defineQuery('overdue_dispatchers', (db, p: { regionIds: number[] }, dialect) =>
  db
    .selectFrom('PersonRole')
    .select('personId')
    .distinct()
    .where('role', '=', 'dispatcher')
    .where(oneOf(dialect, 'regionId', p.regionIds))
    .orderBy('personId'),
);

/** Claims the push about one step; false when it was sent already. */
const claimQuery = defineQuery('overdue_claim', (db, p: { kind: string; caseId: number; step: string; at: Date }) =>
  db
    .insertInto('OverduePush')
    .values({ kind: p.kind, caseId: p.caseId, step: p.step, at: p.at })
    .onConflict((oc) => oc.columns(['kind', 'caseId', 'step']).doNothing()),
);

/** The dispatchers of the regions. */
async function dispatchers(db: Db, regionIds: (number | null)[]): Promise<number[]> {
  const ids = regionIds.filter((id): id is number => id !== null);
  return ids.length ? (await all(sqlOf(db), dispatchersQuery, { regionIds: ids })).map((r) => r.personId) : [];
}

/** Pushes `push` to `recipients` unless this step was pushed about already; the recipients counted. */
async function pushOnce(db: Db, key: { kind: CaseKind; caseId: number; step: string }, recipients: number[], push: Push, now: Date): Promise<number> {
  return sqlTransaction(db, async (tx: SqlTx) => {
    if (!(await run(tx.sql, claimQuery, { ...key, at: now }))) return 0;
    await enqueuePush(tx, recipients, push, now);
    return recipients.length;
  });
}

/** The duty; each run resolves with the pushes queued. */
export function caseOverdueDuty(options: { db: Db; clock: Clock; calendar: WorkCalendar; officeHours: OfficeHours }): () => Promise<number> {
  const turn = dailyTurn(options.officeHours, options.calendar);
  return async () => {
    const now = options.clock.now();
    const today = turn.dueAt(now);
    if (!today) return 0;
    const { db } = options;
    let sent = 0;
    for (const c of await all(sqlOf(db), lateAssistanceQuery, { now, states: [...OPEN_ASSISTANCE_STATES] })) {
      const recipients = [...new Set([c.reportedById, ...(await dispatchers(db, [c.regionId, c.townshipId]))])];
      sent += await pushOnce(
        db,
        { kind: 'assistance', caseId: c.id, step: c.state },
        recipients,
        { template: 'assistance.overdue', params: { id: c.id, household: c.household, assistance_step: c.state, due: c.dueAt ? c.dueAt.toISOString() : null } },
        now,
      );
    }
    for (const c of await all(sqlOf(db), lateMediationQuery, { today })) {
      const township = c.level === 'village' ? c.parentId : c.regionId;
      const recipients = [...new Set([...(c.mediatorId !== null ? [c.mediatorId] : []), ...(await dispatchers(db, [township]))])];
      sent += await pushOnce(
        db,
        { kind: 'mediation', caseId: c.id, step: `${MEDIATION_STEP}${c.dueOn}` },
        recipients,
        { template: 'mediation.overdue', params: { title: maskContacts(c.title), due: c.dueOn } },
        now,
      );
    }
    if (sent) log.info({ sent }, 'overdue cases pushed');
    turn.done(today);
    return sent;
  };
}
