/**
 * 服务需求表 at /console/surveys, on both databases: composing (with the problems of a
 * bad form said in Chinese and the typed values kept), sending, the live results and the
 * CSV, closing, the 双述双评 appraisal's fixed questions, and the scope: another
 * township's staff neither see nor touch a survey, nor aim one at a place not theirs.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { sendDueSurveys } from '../../src/surveys/push.js';
import { APPRAISAL_QUESTIONS } from '../../src/surveys/appraisal.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('surveys in the console', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let other: ConsoleClient;
    let township: { id: number };
    let village: { id: number; name: string };
    let foreignVillage: { id: number };
    let surveyId: number;

    beforeAll(async () => {
      db = world.db;
      township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      foreignVillage = await db.region.findUniqueOrThrow({ where: { code: 'QH-02-001' } });
      dsp = await loggedIn(world.base, 'dsp-qh-01');
      other = await loggedIn(world.base, 'dsp-qh-02');
    });

    const question = (n: number, fields: { type: string; zh: string; options?: string; required?: boolean }) => ({
      [`q${n}_type`]: fields.type,
      [`q${n}_zh`]: fields.zh,
      [`q${n}_en`]: '',
      [`q${n}_options`]: fields.options ?? '',
      ...(fields.required === false ? {} : { [`q${n}_required`]: 'on' }),
    });

    test('a bad form is refused with its problems and keeps what was typed; 再加一题 adds a slot', async () => {
      expect((await dsp.page('/console/surveys/new')).status).toBe(200);
      const refused = await dsp.post('/console/surveys/new', {
        kind: 'survey',
        title: '',
        title_en: '',
        region: String(township.id),
        remind_days: '0',
        save: '1',
        ...question(1, { type: 'single', zh: '最需要的服务', options: '养老' }),
      });
      expect(refused.status).toBe(400);
      const text = await refused.text();
      expect(text).toContain('请填写标题');
      expect(text).toContain('第 1 题是选择题，需要 2–10 个选项');
      expect(text).toContain('提醒天数应为 1–30 的整数');
      expect(text).toContain('最需要的服务');
      expect(await db.survey.count()).toBe(0);

      const more = await dsp.post('/console/surveys/new', {
        kind: 'survey',
        title: '草稿',
        region: String(township.id),
        add: '1',
        ...question(1, { type: 'number', zh: '几口人' }),
      });
      const page = await more.text();
      expect(page).toContain('name="q2_zh"');
      expect(page).toContain('几口人');

      // A place of another township is not theirs to survey.
      const foreign = await dsp.post('/console/surveys/new', {
        kind: 'survey',
        title: '越界',
        region: String(township.id),
        places: String(foreignVillage.id),
        remind_days: '3',
        save: '1',
        ...question(1, { type: 'text', zh: '意见' }),
      });
      expect(foreign.status).toBe(400);
      expect(await foreign.text()).toContain('所选村镇不在您的工作范围内');
    });

    test('composed, sent to a village, answered, read live and exported; another township sees none of it', async () => {
      const created = await dsp.post('/console/surveys/new', {
        kind: 'survey',
        title: '冬季服务需求表',
        title_en: 'Winter needs',
        region: String(township.id),
        places: String(village.id),
        remind_days: '3',
        save: '1',
        ...question(1, { type: 'single', zh: '您家最需要哪项服务？', options: '养老 | Elderly care\n医疗 | Health\n就业' }),
        ...question(2, { type: 'text', zh: '还有什么建议？', required: false }),
        ...question(3, { type: 'single', zh: '', options: '' }),
      });
      expect(created.status).toBe(303);
      surveyId = Number(/\/console\/surveys\/(\d+)/.exec(created.headers.get('location') ?? '')?.[1]);
      const stored = await db.survey.findUniqueOrThrow({ where: { id: surveyId } });
      expect(stored).toMatchObject({ status: 'draft', regionId: township.id, title: '冬季服务需求表' });
      expect(JSON.parse(stored.questions)).toEqual([
        {
          type: 'single',
          required: true,
          zh: '您家最需要哪项服务？',
          en: '',
          options: [
            { zh: '养老', en: 'Elderly care' },
            { zh: '医疗', en: 'Health' },
            { zh: '就业', en: '' },
          ],
        },
        { type: 'text', required: false, zh: '还有什么建议？', en: '', options: [] },
      ]);

      const households = await db.household.count({ where: { regionId: village.id } });
      const draft = await dsp.page(created.headers.get('location')!);
      expect(draft.text).toContain('已保存为草稿');
      expect(draft.text).toContain(`${households} 户`);

      // Another township: not in its list, not found, and its POST changes nothing.
      expect((await other.page('/console/surveys')).text).not.toContain('冬季服务需求表');
      expect((await other.page(`/console/surveys/${surveyId}`)).status).toBe(404);
      expect((await other.post(`/console/surveys/${surveyId}/send`, { send_at: '' })).status).toBe(404);
      expect((await other.get(`/console/surveys/${surveyId}/responses.csv`)).status).toBe(404);

      expect((await dsp.post(`/console/surveys/${surveyId}/send`, { send_at: 'tomorrow' })).status).toBe(400);
      const sent = await dsp.post(`/console/surveys/${surveyId}/send`, { send_at: '' });
      expect(sent.headers.get('location')).toContain('done=send');
      expect((await db.survey.findUniqueOrThrow({ where: { id: surveyId } })).status).toBe('scheduled');
      expect(await sendDueSurveys({ db, clock: world.clock })).toBe(households);

      // Two households answer (one with a phone number in its words), one stops half-way.
      const responses = await db.surveyResponse.findMany({ where: { surveyId }, orderBy: { id: 'asc' }, take: 3 });
      await db.surveyResponse.update({
        where: { id: responses[0]!.id },
        data: { status: 'complete', answers: JSON.stringify({ '0': 0, '1': '希望多组织义诊，电话13912345678' }) },
      });
      await db.surveyResponse.update({ where: { id: responses[1]!.id }, data: { status: 'complete', filledByLiaison: true, answers: JSON.stringify({ '0': 0, '1': null }) } });
      await db.surveyResponse.update({ where: { id: responses[2]!.id }, data: { status: 'partial', answers: JSON.stringify({ '0': 2 }) } });

      const results = await dsp.page(`/console/surveys/${surveyId}`);
      expect(results.text).toContain('收集中');
      expect(results.text).toContain(`<b>2</b> / ${households}`);
      expect(results.text).toContain('<svg');
      // The counts per option, and the free text scrubbed.
      expect(results.text).toContain('2（66.7%）');
      expect(results.text).toContain('1（33.3%）');
      expect(results.text).toContain('希望多组织义诊');
      expect(results.text).not.toContain('13912345678');

      const csv = await dsp.get(`/console/surveys/${surveyId}/responses.csv`);
      expect(csv.status).toBe(200);
      const lines = (await csv.text())
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .filter(Boolean);
      expect(lines[0]).toContain('1. 您家最需要哪项服务？');
      expect(lines).toHaveLength(households + 1);
      expect(lines.some((l) => l.includes('养老') && l.includes('已完成'))).toBe(true);
      expect(lines.join('\n')).not.toContain('13912345678');

      expect((await dsp.post(`/console/surveys/${surveyId}/close`, {})).headers.get('location')).toContain('done=close');
      expect((await db.survey.findUniqueOrThrow({ where: { id: surveyId } })).status).toBe('closed');
      // Closing again is stale, not an error.
      expect((await dsp.post(`/console/surveys/${surveyId}/close`, {})).headers.get('location')).toContain('done=stale');
    });

    test('a county survey is read only for a township, its results and CSV the township’s households; a county draft stays hidden', async () => {
      const sup = await loggedIn(world.base, 'sup-qh');
      const county = await db.region.findUniqueOrThrow({ where: { code: 'QH' } });
      const created = await sup.post('/console/surveys/new', {
        kind: 'survey',
        title: '全县饮水调查',
        region: String(county.id),
        places: String(village.id),
        remind_days: '3',
        save: '1',
        ...question(1, { type: 'single', zh: '自来水够用吗？', options: '够用\n不够用' }),
      });
      expect(created.status).toBe(303);
      const id = Number(/\/console\/surveys\/(\d+)/.exec(created.headers.get('location') ?? '')?.[1]);
      await sup.post(`/console/surveys/${id}/send`, { places: String(foreignVillage.id), send_at: '' });
      // Still a draft for the township: neither listed nor readable.
      await db.survey.update({ where: { id }, data: { status: 'draft', sendAt: null } });
      expect((await dsp.page('/console/surveys')).text).not.toContain('全县饮水调查');
      expect((await dsp.page(`/console/surveys/${id}`)).status).toBe(404);
      // Sent to a village of each township.
      await db.survey.update({
        where: { id },
        data: { status: 'scheduled', sendAt: world.clock.now(), audience: JSON.stringify({ regionIds: [village.id, foreignVillage.id], gridIds: [], pairedOnly: false }) },
      });
      await sendDueSurveys({ db, clock: world.clock });
      const ours = await db.household.count({ where: { regionId: village.id } });
      const theirs = await db.household.count({ where: { regionId: foreignVillage.id } });
      expect(await db.surveyResponse.count({ where: { surveyId: id } })).toBe(ours + theirs);

      const page = await dsp.page(`/console/surveys/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('这是上级发起的调查：只读');
      expect(page.text).not.toContain(`/console/surveys/${id}/close`);
      expect(page.text).toContain(`/ ${ours}`);
      const csv = (await (await dsp.get(`/console/surveys/${id}/responses.csv`)).text()).split('\r\n').filter(Boolean);
      expect(csv).toHaveLength(ours + 1);
      expect((await dsp.post(`/console/surveys/${id}/close`, {})).status).toBe(404);
      expect((await db.survey.findUniqueOrThrow({ where: { id } })).status).toBe('sent');
      // The county reads all of it.
      expect((await sup.page(`/console/surveys/${id}`)).text).toContain(`/ ${ours + theirs}`);
    });

    test('a 双述双评 appraisal has the fixed questions and goes to paired households only', async () => {
      expect((await dsp.page('/console/surveys/new?kind=appraisal')).text).toContain('发起双述双评');
      const created = await dsp.post('/console/surveys/new', { kind: 'appraisal', title: '2026年下半年双述双评', region: String(township.id), remind_days: '5', save: '1' });
      expect(created.status).toBe(303);
      const id = Number(/\/console\/surveys\/(\d+)/.exec(created.headers.get('location') ?? '')?.[1]);
      const stored = await db.survey.findUniqueOrThrow({ where: { id } });
      expect(stored.kind).toBe('appraisal');
      expect(JSON.parse(stored.questions)).toEqual(APPRAISAL_QUESTIONS);
      expect(JSON.parse(stored.audience)).toEqual({ regionIds: [], gridIds: [], pairedOnly: true });
      await dsp.post(`/console/surveys/${id}/send`, { send_at: '' });
      await sendDueSurveys({ db, clock: world.clock });
      const townshipVillages = (await db.region.findMany({ where: { parentId: township.id } })).map((r) => r.id);
      const paired = await db.pairing.count({ where: { household: { regionId: { in: townshipVillages } } } });
      expect(await db.surveyResponse.count({ where: { surveyId: id } })).toBe(paired);
      // Each response names the liaison appraised.
      expect(await db.surveyResponse.count({ where: { surveyId: id, liaisonId: null } })).toBe(0);

      // One liaison's households answer: 2 满意, 1 基本满意, 1 不满意 (with a comment naming a phone).
      const first = await db.surveyResponse.findFirstOrThrow({ where: { surveyId: id }, orderBy: { id: 'asc' } });
      const liaisonId = first.liaisonId!;
      const theirs = await db.surveyResponse.findMany({ where: { surveyId: id, liaisonId }, orderBy: { id: 'asc' } });
      expect(theirs.length).toBeGreaterThanOrEqual(4);
      const answers = [{ '0': 0 }, { '0': 0, '1': '很负责' }, { '0': 1, '1': null }, { '0': 2, '1': '很少来，打13912345678也不接' }];
      for (const [i, a] of answers.entries()) {
        await db.surveyResponse.update({ where: { id: theirs[i]!.id }, data: { status: 'complete', answers: JSON.stringify(a) } });
      }
      const liaison = await db.person.findUniqueOrThrow({ where: { id: liaisonId } });
      const overview = await dsp.page('/console/appraisal');
      expect(overview.status).toBe(200);
      expect(overview.text).toContain('2026年下半年双述双评');
      // (2 + 0.9 × 1) ÷ 4 × 100 = 72.5; 满意率 3 / 4.
      const csv = await (await dsp.get(`/console/appraisal.csv?survey=${id}`)).text();
      const line = csv.split('\r\n').find((l) => l.startsWith(`${liaison.name} ${liaison.code}`));
      expect(line).toContain(',72.5,75.0%,2,1,1,4/');
      const own = await dsp.page(`/console/appraisal/${liaisonId}?survey=${id}`);
      expect(own.text).toContain('很负责');
      expect(own.text).toContain('很少来');
      expect(own.text).not.toContain('13912345678');
      expect(own.text).toContain('尚未提交');
      // Staff type in a paper 述职; an empty one is refused.
      expect((await dsp.post(`/console/appraisal/${liaisonId}?survey=${id}`, { report: '  ' })).status).toBe(400);
      const saved = await dsp.post(`/console/appraisal/${liaisonId}?survey=${id}`, { report: '上半年走访 30 户，调解纠纷 2 起。' });
      expect(saved.status).toBe(303);
      expect((await dsp.page(saved.headers.get('location')!)).text).toContain('上半年走访 30 户，调解纠纷 2 起。');
      expect(await db.liaisonReport.findFirstOrThrow({ where: { liaisonId } })).toMatchObject({ period: '2026-H2' });
      // Another township's staff: no round, and the liaison's page is not found.
      expect((await other.page('/console/appraisal')).text).toContain('还没有发出的双述双评');
      expect((await other.page(`/console/appraisal/${liaisonId}?survey=${id}`)).status).toBe(404);
      expect((await other.post(`/console/appraisal/${liaisonId}?survey=${id}`, { report: 'x' })).status).toBe(404);
    });
  });
});
