/**
 * Surveys and the appraisal in a real headless Chromium: a township dispatcher composes
 * a survey with the form (adding a question slot keeps what was typed), sends it, and
 * reads the results drawn as charts once households answer; then starts a 双述双评 and
 * reads the liaisons' scores — all under the console's strict Content-Security-Policy.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { browserTestOf, consoleBrowserSuite, staffPage } from '../helpers/browser.js';
import { sendDueSurveys } from '../../src/surveys/push.js';

const browserTest = browserTestOf('surveys');

const suite = consoleBrowserSuite();

/** A page logged in as dsp-qh-01. */
const dispatcherPage = () => staffPage(suite.browser, suite.world.base, 'dsp-qh-01', [400]);

browserTest('a dispatcher composes and sends a survey, and reads its results drawn as charts and as CSV', async () => {
  const { page, errors } = await dispatcherPage();
  const db = suite.world.db;
  await page.goto(`${suite.world.base}/console/surveys`);
  await Promise.all([page.waitForURL(/\/console\/surveys\/new$/), page.click('a:text("新建调查")')]);
  await page.fill('input[name=title]', '冬季服务需求表');
  await page.selectOption('select[name=q1_type]', 'single');
  await page.fill('input[name=q1_zh]', '您家最需要哪项服务？');
  await page.fill('textarea[name=q1_options]', '养老 | Elderly care\n医疗 | Health\n就业');
  await page.selectOption('select[name=q2_type]', 'text');
  await page.fill('input[name=q2_zh]', '还有什么建议？');
  await page.uncheck('input[name=q2_required]');
  // Four slots at first; 再加一题 adds a fifth and keeps what was typed.
  expect(await page.locator('fieldset.question').count()).toBe(4);
  await page.click('button[name=add]');
  expect(await page.locator('fieldset.question').count()).toBe(5);
  expect(await page.inputValue('input[name=q1_zh]')).toBe('您家最需要哪项服务？');
  expect(await page.inputValue('input[name=title]')).toBe('冬季服务需求表');
  const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
  await page.selectOption('select[name=places]', String(village.id));
  await Promise.all([page.waitForURL(/\/console\/surveys\/\d+\?done=created/), page.click('button[name=save]')]);
  expect(await page.textContent('dd.status')).toContain('草稿');
  expect(await page.locator('ol.questions li').count()).toBe(2);

  await Promise.all([page.waitForURL(/done=send/), page.click('form[action$="/send"] button')]);
  expect(await page.textContent('dd.status')).toContain('待发送');
  const households = await db.household.count({ where: { regionId: village.id } });
  expect(await sendDueSurveys({ db, clock: suite.world.clock })).toBe(households);
  const survey = await db.survey.findFirstOrThrow({ where: { title: '冬季服务需求表' } });
  const responses = await db.surveyResponse.findMany({ where: { surveyId: survey.id }, orderBy: { id: 'asc' }, take: 3 });
  for (const [i, answers] of [
    { '0': 0, '1': '希望多组织义诊' },
    { '0': 0, '1': null },
    { '0': 1, '1': '路灯不亮' },
  ].entries()) {
    await db.surveyResponse.update({ where: { id: responses[i]!.id }, data: { status: 'complete', answers: JSON.stringify(answers) } });
  }

  await page.reload();
  expect(await page.textContent('dd.status')).toContain('收集中');
  const chart = page.locator(`#survey-${survey.id}-q1`);
  const box = await chart.boundingBox();
  expect(box!.width).toBeGreaterThan(200);
  const bars = chart.locator('rect.bar');
  expect(await bars.count()).toBe(3);
  const heights = await bars.evaluateAll((all: unknown[]) => (all as { getBoundingClientRect(): { height: number } }[]).map((b) => b.getBoundingClientRect().height));
  expect(heights[0]).toBeGreaterThan(heights[1]!);
  expect(heights[2]).toBe(0);
  expect(await page.locator('ul.answers li').allTextContents()).toEqual(expect.arrayContaining(['希望多组织义诊', '路灯不亮']));

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.csv')]);
  const bytes = readFileSync(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
  expect(lines).toHaveLength(households + 1);
  expect(lines[0]).toContain('1. 您家最需要哪项服务？');

  expect(errors).toEqual([]);
  await page.context().close();
});

browserTest('a 双述双评 round: started from the form, its liaisons ranked by the residents’ score', async () => {
  const { page, errors } = await dispatcherPage();
  const db = suite.world.db;
  await page.goto(`${suite.world.base}/console/surveys/new?kind=appraisal`);
  await page.fill('input[name=title]', '2026年下半年双述双评');
  await Promise.all([page.waitForURL(/done=created/), page.click('button[name=save]')]);
  await Promise.all([page.waitForURL(/done=send/), page.click('form[action$="/send"] button')]);
  await sendDueSurveys({ db, clock: suite.world.clock });
  const round = await db.survey.findFirstOrThrow({ where: { kind: 'appraisal' } });
  const responses = await db.surveyResponse.findMany({ where: { surveyId: round.id }, orderBy: { id: 'asc' } });
  for (const [i, r] of responses.entries()) {
    await db.surveyResponse.update({ where: { id: r.id }, data: { status: 'complete', answers: JSON.stringify({ '0': i % 3 === 2 ? 1 : 0 }) } });
  }
  await page.goto(`${suite.world.base}/console/appraisal`);
  expect(await page.title()).toContain('双述双评');
  const box = await page.locator('#appraisal-scores').boundingBox();
  expect(box!.height).toBeGreaterThan(30);
  // The best twenty (a township has more liaisons; the table below has them all).
  const liaisons = new Set(responses.map((r) => r.liaisonId)).size;
  expect(await page.locator('#appraisal-scores rect.bar').count()).toBe(Math.min(20, liaisons));
  expect(await page.locator('table.data tbody tr').count()).toBe(liaisons);
  await Promise.all([page.waitForURL(/\/console\/appraisal\/\d+/), page.locator('table.data a').first().click()]);
  expect(await page.textContent('h1')).toContain('双述双评');
  expect(errors).toEqual([]);
  await page.context().close();
});
