/**
 * 服务需求表 through the engine, on both databases: staff's survey goes out to the chats
 * of its audience's households (and only theirs), a household answers it in its chat
 * (leaving half-way and resuming), a liaison fills it in for a household with no chat,
 * the unfinished are reminded once, and the results count it all.
 */
import { describe, expect, test } from 'vitest';
import { type DialogueWorld, eachDialogueWorld, householdAndLiaison } from '../helpers/dialogue-world.js';
import { sendDueSurveys, SurveySender } from '../../src/surveys/push.js';
import { appraisalRoundDuty } from '../../src/surveys/appraisal.js';
import { rules } from '../helpers/org-fixture.js';
import { surveyResults } from '../../src/surveys/results.js';
import { QUESTIONS } from '../helpers/survey-questions.js';
import { questionsOf } from '../../src/surveys/store.js';

/** A survey of the demo resident's village, sent now by the duty; the resident, their liaison and a neighbour household with no chat. */
async function sentSurvey(w: DialogueWorld) {
  const { db, resident, residentPerson: person, household, liaisonPerson, liaison } = await householdAndLiaison(w);
  const creator = await db.person.findFirstOrThrow({ where: { roles: { some: { role: 'dispatcher' } } } });
  const survey = await db.survey.create({
    data: {
      regionId: household.regionId,
      title: '2026年冬季服务需求表',
      titleEn: 'Winter 2026 service needs',
      questions: JSON.stringify(QUESTIONS),
      audience: JSON.stringify({ regionIds: [household.regionId], gridIds: [], pairedOnly: false }),
      status: 'scheduled',
      sendAt: w.clock.now(),
      createdById: creator.id,
    },
  });
  // As the app's scheduler does: the duty starts the push beside its round; stopping waits for it.
  const sender = new SurveySender({ db, clock: w.clock });
  await sender.duty();
  await sender.stop();
  const written = await db.surveyResponse.count({ where: { surveyId: survey.id } });
  return { w, db, resident, person, household, liaisonPerson, liaison, survey, written };
}

eachDialogueWorld((freshWorld) => {
  describe('服务需求表', () => {
    test('pushed to every household of the village; answered in the chat with a break half-way; the results count it', async () => {
      const { w, db, resident, person, household, survey, written } = await sentSurvey(await freshWorld());
      const villageHouseholds = await db.household.count({ where: { regionId: household.regionId } });
      expect(written).toBe(villageHouseholds);
      expect(await db.surveyResponse.count({ where: { surveyId: survey.id } })).toBe(villageHouseholds);
      // Only the village: no household of another village got a row.
      expect(await db.surveyResponse.count({ where: { surveyId: survey.id, regionId: { not: household.regionId } } })).toBe(0);
      expect((await db.survey.findUniqueOrThrow({ where: { id: survey.id } })).status).toBe('sent');
      // A second tick sends nothing again.
      expect(await sendDueSurveys({ db, clock: w.clock })).toBe(0);

      await resident.receive(w.database, w.pipeline, w.clock);
      expect(resident.text()).toContain('【服务需求调查】《2026年冬季服务需求表》共 4 题');
      await resident.tap('开始填写');
      expect(resident.text()).toContain('（1/4）您家最需要哪项服务？');
      await resident.send('2');
      expect(resident.text()).toContain('（2/4）哪些设施需要改善？');
      await resident.send('路灯、垃圾清运');
      expect(resident.text()).toContain('（3/4）家里常住几口人？');
      // A break: the resident asks for the menu, then comes back with 调查.
      await resident.send('菜单');
      await resident.send('调查');
      await resident.send('1');
      expect(resident.text()).toContain('（3/4）家里常住几口人？');
      await resident.send('4口人');
      expect(resident.text()).toContain('（4/4）还有什么建议？');
      await resident.send('希望冬天多组织几次义诊，有事打13812345678');
      expect(resident.text()).toContain('谢谢您！《2026年冬季服务需求表》已填写完毕');

      const response = await db.surveyResponse.findUniqueOrThrow({ where: { surveyId_householdId: { surveyId: survey.id, householdId: household.id } } });
      expect(response).toMatchObject({ status: 'complete', answeredById: person.id, filledByLiaison: false, asked: true });
      expect(JSON.parse(response.answers)).toEqual({ '0': 1, '1': [0, 2], '2': 4, '3': '希望冬天多组织几次义诊，有事打13812345678' });

      const results = await surveyResults(db, survey.id, questionsOf(survey.questions));
      expect(results).toMatchObject({ households: villageHouseholds, complete: 1, partial: 0, byLiaison: 0 });
      expect(results.responseRate).toBeCloseTo(1 / villageHouseholds);
      expect(results.questions[0]!.options.map((o) => o.count)).toEqual([0, 1, 0]);
      expect(results.questions[1]!.options.map((o) => o.count)).toEqual([1, 0, 1]);
      expect(results.questions[2]!.numbers).toEqual({ mean: 4, median: 4, min: 4, max: 4 });
      // Free text reaches staff scrubbed.
      expect(results.questions[3]!.texts[0]).not.toContain('13812345678');
      expect(results.questions[3]!.hotWords.map((h) => h.word)).toContain('义诊');
    });

    test('a liaison fills it in for a paired household with no chat; the unfinished who were asked are reminded once', async () => {
      const { w, db, resident, liaisonPerson, liaison, survey } = await sentSurvey(await freshWorld());
      const noChat = await db.household.findFirstOrThrow({
        where: { pairing: { liaisonId: liaisonPerson.id }, members: { none: { identities: { some: {} } } } },
      });
      expect((await db.surveyResponse.findUniqueOrThrow({ where: { surveyId_householdId: { surveyId: survey.id, householdId: noChat.id } } })).asked).toBe(false);

      await liaison.send('代填调查');
      expect(liaison.text()).toContain('为哪一户代填调查');
      await liaison.send(noChat.headName);
      expect(liaison.text()).toContain('有 1 份调查待填写');
      await liaison.send('1');
      await liaison.send('养老');
      await liaison.send('2');
      await liaison.send('三');
      await liaison.send('跳过');
      expect(liaison.text()).toContain(`已为 ${noChat.address} ${noChat.headName} 代填《2026年冬季服务需求表》`);
      expect(await db.surveyResponse.findUniqueOrThrow({ where: { surveyId_householdId: { surveyId: survey.id, householdId: noChat.id } } })).toMatchObject({
        status: 'complete',
        filledByLiaison: true,
        answeredById: liaisonPerson.id,
      });
      // A household the liaison is not paired with cannot be filled in: it is not offered, and its name finds nothing.
      const unpaired = await db.household.findFirstOrThrow({ where: { OR: [{ pairing: null }, { pairing: { liaisonId: { not: liaisonPerson.id } } }] } });
      await liaison.send('代填调查');
      await liaison.send(unpaired.code);
      expect(liaison.text()).toContain('没有在您包联的农户中找到');

      // The resident started and stopped: reminded after three days, once.
      await resident.receive(w.database, w.pipeline, w.clock);
      await resident.tap('开始填写');
      await resident.send('1');
      w.clock.advanceHours(72 + 1 / 60);
      const reminded = await sendDueSurveys({ db, clock: w.clock });
      const askedUnfinished = await db.surveyResponse.count({ where: { surveyId: survey.id, asked: true, status: { not: 'complete' } } });
      expect(reminded).toBe(askedUnfinished);
      expect(await db.surveyResponse.count({ where: { surveyId: survey.id, remindedAt: { not: null } } })).toBe(askedUnfinished);
      await resident.receive(w.database, w.pipeline, w.clock);
      expect(resident.text()).toContain('【提醒】《2026年冬季服务需求表》还没有填完');
      await resident.tap('开始填写');
      expect(resident.text()).toContain('（2/4）');
      w.clock.advanceHours(72);
      expect(await sendDueSurveys({ db, clock: w.clock })).toBe(0);

      // Closed: no more answers are taken.
      await db.survey.update({ where: { id: survey.id }, data: { status: 'closed' } });
      await resident.deliver({ action: `survey:${survey.id}:start` });
      expect(resident.text()).toContain('这份调查已经结束');
      await resident.send('调查');
      expect(resident.text()).toContain('目前没有需要您填写的调查');
    });

    test('双述双评 twice a year: the round starts by itself on the first working day of June and December, once, unless staff started one', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const duty = () => appraisalRoundDuty({ db, clock: w.clock, calendar: rules.calendar, officeHours: rules.officeHours, months: [6, 12] })();
      // Tuesday 1 December 2026, before the office opens, then after: started once.
      w.clock.set('2026-12-01T07:00:00+08:00');
      expect(await duty()).toBe(0);
      w.clock.set('2026-12-01T09:00:00+08:00');
      expect(await duty()).toBe(1);
      expect(await duty()).toBe(0);
      // Another process (a new duty) the same day: the round's key keeps it to one.
      expect(await db.survey.count({ where: { kind: 'appraisal' } })).toBe(1);
      const round = await db.survey.findFirstOrThrow({ where: { kind: 'appraisal' } });
      expect(round).toMatchObject({ title: '2026年下半年双述双评', status: 'scheduled', roundKey: 'appraisal:QH:2026-12' });
      await db.survey.update({ where: { id: round.id }, data: { createdAt: new Date('2026-11-30T00:00:00Z') } });
      expect(await duty()).toBe(0);
      expect(await db.survey.count({ where: { kind: 'appraisal' } })).toBe(1);
      // The sender pushes it to every paired household.
      await sendDueSurveys({ db, clock: w.clock });
      expect(await db.surveyResponse.count({ where: { surveyId: round.id } })).toBe(await db.pairing.count());
      // The second working day, and a month not listed: nothing.
      w.clock.set('2026-12-02T09:00:00+08:00');
      expect(await duty()).toBe(0);
      w.clock.set('2026-11-02T09:00:00+08:00');
      expect(await duty()).toBe(0);
      // June 2027 begins on a Tuesday: a new round for the first half-year; staff's own round in the month stands for it otherwise.
      w.clock.set('2027-06-01T09:00:00+08:00');
      expect(await duty()).toBe(1);
      expect((await db.survey.findFirstOrThrow({ where: { roundKey: 'appraisal:QH:2027-06' } })).title).toBe('2027年上半年双述双评');
      const staffRound = await db.survey.create({
        data: {
          regionId: round.regionId,
          title: '十二月评议',
          kind: 'appraisal',
          questions: round.questions,
          audience: round.audience,
          createdById: round.createdById,
          createdAt: new Date('2027-12-01T08:00:00+08:00'),
        },
      });
      w.clock.set('2027-12-01T09:00:00+08:00');
      expect(await duty()).toBe(0);
      expect(await db.survey.count({ where: { kind: 'appraisal', createdAt: { gte: staffRound.createdAt } } })).toBe(1);
    });

    test('述职: a liaison gives an account of the half-year in chat (a second replaces the first); a resident is told it is not theirs', async () => {
      const { db, resident, liaisonPerson, liaison } = await sentSurvey(await freshWorld());
      await liaison.send('述职');
      expect(liaison.text()).toContain('请写下本半年的工作述职');
      await liaison.send('本半年走访包联户 40 户，协调修好路灯 3 处。');
      expect(liaison.text()).toContain('已提交2026年下半年述职');
      await liaison.send('述职');
      await liaison.send('本半年走访包联户 42 户，协调修好路灯 3 处，帮 2 户申请临时救助。');
      expect(await db.liaisonReport.findMany({ where: { liaisonId: liaisonPerson.id } })).toMatchObject([
        { period: '2026-H2', text: '本半年走访包联户 42 户，协调修好路灯 3 处，帮 2 户申请临时救助。' },
      ]);
      await resident.send('述职');
      await resident.send('我也想说两句');
      expect(resident.text()).toContain('只有包户网格员需要述职');
      expect(await db.liaisonReport.count()).toBe(1);
    });
  });
});
