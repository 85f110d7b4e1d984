/**
 * Overdue 帮扶 steps and mediation limits, on both databases: on a working morning after a
 * step's limit the reporter and the dispatchers of the case's village and township (an
 * assistance case), or the mediator and the township's dispatchers (a mediation case), are
 * pushed once; the same step is never pushed about again, however often the duty runs and
 * in however many processes; the next step's lapse, or an extended limit's, is pushed anew.
 */
import { describe, expect, test } from 'vitest';
import { actOnAssistance, reportAssistance } from '../../src/assistance/cases.js';
import { caseOverdueDuty } from '../../src/cases/overdue.js';
import { sqlTransaction } from '../../src/db/client.js';
import { render } from '../../src/engine/i18n.js';
import { localDateOf, localInstant } from '../../src/pipeline/calendar.js';
import { openMediationCase, staffChangeMediationCase } from '../../src/mediation/cases.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { FakeClock, rules } from '../helpers/org-fixture.js';

/** 09:00 on the first working day after `date`. */
const morningAfter = (date: string) => localInstant(rules.calendar.nextWorkingDay(date), 9 * 60);

const MEDIATION_RULES = { limitDays: 30, extensionDays: 15, followUpDays: [30, 90] as const };

eachFreshDatabase((freshDatabase) => {
  describe('overdue cases', () => {
    test('an assistance step past its limit is pushed once to the reporter and the dispatchers; the next step anew', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      // Monday 16 November 2026, office hours.
      const clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
      const household = await db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H002' }, include: { pairing: true } });
      const reporterId = household.pairing!.liaisonId;
      const dispatchers = (await db.personRole.findMany({ where: { role: 'dispatcher', region: { code: 'QH-01' } }, orderBy: { personId: 'asc' } })).map((r) => r.personId);
      expect(dispatchers.length).toBeGreaterThan(0);
      const id = await sqlTransaction(db, (tx) => reportAssistance(tx, { householdId: household.id, need: '独居老人取暖困难', urgent: false }, reporterId, rules, clock.now()));
      const pushes = async () =>
        (await db.outboxMessage.findMany({ where: { template: 'assistance.overdue' }, orderBy: { id: 'asc' } })).map((m) => ({
          to: m.recipientId,
          params: JSON.parse(m.params) as Record<string, unknown>,
        }));
      const duty = () => caseOverdueDuty({ db, clock, calendar: rules.calendar, officeHours: rules.officeHours })();

      // Due at the end of Monday 23 November (five working days): not yet late.
      expect(await duty()).toBe(0);
      clock.set(new Date('2026-11-23T17:00:00+08:00'));
      expect(await duty()).toBe(0);
      // Late on Tuesday morning: the reporter and the township's dispatchers, once.
      clock.set(new Date('2026-11-24T09:00:00+08:00'));
      const runs = await Promise.all([duty(), duty(), duty()]);
      expect(runs.reduce((a, b) => a + b, 0)).toBe(1 + dispatchers.length);
      const first = await pushes();
      expect(first.map((p) => p.to).sort((a, b) => a - b)).toEqual([reporterId, ...dispatchers].sort((a, b) => a - b));
      expect(first[0]!.params).toMatchObject({ id, household: 'QH-01-001-H002', assistance_step: 'reported' });
      expect(render('zh', 'assistance.overdue', first[0]!.params)).toBe(
        `【帮扶逾期】帮扶 #${id}（QH-01-001-H002 户）“村党组织初核”已超过时限（11月23日 17:30），请尽快办理，详见工作台“帮扶”。`,
      );
      // Still late the next days: nothing more.
      clock.set(new Date('2026-11-25T09:00:00+08:00'));
      expect(await duty()).toBe(0);

      // The village verifies; the township's 15 working days run out in turn: pushed anew.
      await actOnAssistance(db, id, { type: 'village_approve', note: '' }, dispatchers[0]!, rules, clock.now());
      clock.set(new Date('2026-12-15T09:00:00+08:00'));
      expect(await duty()).toBe(0);
      clock.set(new Date('2026-12-17T09:00:00+08:00'));
      expect(await duty()).toBe(1 + dispatchers.length);
      expect((await pushes()).slice(first.length).map((p) => p.params.assistance_step)).toEqual(Array(1 + dispatchers.length).fill('village_verified'));
      clock.set(new Date('2026-12-18T09:00:00+08:00'));
      expect(await duty()).toBe(0);
      // A weekend morning sends nothing, whatever is late.
      clock.set(new Date('2026-12-19T09:00:00+08:00'));
      expect(await caseOverdueDuty({ db, clock, calendar: rules.calendar, officeHours: rules.officeHours })()).toBe(0);
    });

    test('a mediation case past its month is pushed once to the mediator and the township; an extension’s end anew; a settled case never', async () => {
      const database = await freshDatabase({ demo: true });
      const { db } = database;
      const clock = new FakeClock(new Date('2026-11-16T09:00:00+08:00'));
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const dispatchers = (await db.personRole.findMany({ where: { role: 'dispatcher', region: { code: 'QH-01' } }, orderBy: { personId: 'asc' } })).map((r) => r.personId);
      const opener = dispatchers[0]!;
      const mediator = await db.person.create({
        data: { code: 'M-QH-01-001', name: '调解员老周', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: 'M-QH-01-001|mediator|QH-01-001' } } },
      });
      const open = (title: string) =>
        openMediationCase(
          db,
          { regionId: village.id, title, facts: '邻里纠纷', mediatorId: mediator.id, parties: [{ name: '甲' }, { name: '乙' }] },
          opener,
          clock.now(),
          MEDIATION_RULES,
        );
      const late = await open('宅基地边界纠纷');
      const settled = await open('噪音纠纷');
      await staffChangeMediationCase(db, settled, { type: 'agree', text: '晚十点后不再施工' }, opener, clock.now());
      const parties = await db.mediationParty.findMany({ where: { caseId: settled } });
      for (const p of parties) await staffChangeMediationCase(db, settled, { type: 'answer', partyId: p.id, confirmed: true }, opener, clock.now());
      expect((await db.mediationCase.findUniqueOrThrow({ where: { id: settled } })).status).toBe('settled');
      const { dueOn } = await db.mediationCase.findUniqueOrThrow({ where: { id: late } });
      const pushes = async () =>
        (await db.outboxMessage.findMany({ where: { template: 'mediation.overdue' }, orderBy: { id: 'asc' } })).map((m): [number | null, unknown] => [
          m.recipientId,
          JSON.parse(m.params),
        ]);
      const duty = () => caseOverdueDuty({ db, clock, calendar: rules.calendar, officeHours: rules.officeHours })();

      clock.set(new Date(`${dueOn}T10:00:00+08:00`));
      expect(await duty()).toBe(0);
      clock.set(morningAfter(dueOn));
      expect(await duty()).toBe(1 + dispatchers.length);
      expect(await pushes()).toEqual([mediator.id, ...dispatchers].map((to) => [to, { title: '宅基地边界纠纷', due: dueOn }]));
      clock.set(morningAfter(localDateOf(clock.now())));
      expect(await duty()).toBe(0);

      // The parties agree to 15 more days; when those run out too, it is pushed about again.
      await staffChangeMediationCase(db, late, { type: 'extend', days: 15 }, opener, clock.now());
      const extended = (await db.mediationCase.findUniqueOrThrow({ where: { id: late } })).dueOn;
      expect(extended > dueOn).toBe(true);
      clock.set(new Date(`${extended}T10:00:00+08:00`));
      expect(await duty()).toBe(0);
      clock.set(morningAfter(extended));
      expect(await duty()).toBe(1 + dispatchers.length);
      expect((await pushes()).slice(1 + dispatchers.length)).toEqual([mediator.id, ...dispatchers].map((to) => [to, { title: '宅基地边界纠纷', due: extended }]));
      expect(await db.outboxMessage.count({ where: { template: 'mediation.overdue', params: { contains: '噪音纠纷' } } })).toBe(0);
    });
  });
});
