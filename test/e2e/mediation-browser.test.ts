/**
 * 矛盾纠纷调解 in a real headless Chromium: a township dispatcher opens a case from the
 * page with its parties and mediator, records a session, sends the agreement, records the
 * parties' answers given on paper until it settles, then refers another case to the court
 * and opens its printable dossier; a mediator logs in to their own case only and records a
 * session — all under the console's strict Content-Security-Policy.
 */
import { expect } from 'vitest';
import { openMediationCase } from '../../src/mediation/cases.js';
import { DEMO_PASSWORD, saveAccount } from '../../src/org/staff-accounts.js';
import { browserTestOf, consoleBrowserSuite, staffPage } from '../helpers/browser.js';

const browserTest = browserTestOf('mediation');

const suite = consoleBrowserSuite();

/** A page logged in as 清水镇's dispatcher (a refused form answers 400 on purpose). */
const dispatcherPage = () => staffPage(suite.browser, suite.world.base, 'dsp-qh-01', [400]);

browserTest('a dispatcher opens a case, records a session and the agreement, settles it on paper, and refers another to the court with its dossier', async () => {
  const db = suite.world.db;
  const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
  const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
  await db.personRole.create({ data: { personId: liaison.id, role: 'mediator', regionId: village.id, scopeKey: `${liaison.code}|mediator|${village.code}` } });
  const { page, errors } = await dispatcherPage();

  await page.goto(`${suite.world.base}/console/mediation`);
  expect(await page.textContent('h1')).toContain('矛盾纠纷调解');
  await Promise.all([page.waitForURL(/\/console\/mediation\/new$/), page.click('a:text("登记调解案件")')]);
  await page.selectOption('select[name=region]', String(village.id));
  await page.selectOption('select[name=mediator]', String(liaison.id));
  await page.fill('input[name=title]', '院墙纠纷');
  await page.fill('textarea[name=facts]', '两家因院墙位置发生争执');
  await page.fill('textarea[name=parties]', 'R-QH-01-001-H001\nQH-01-001-H002');
  await Promise.all([page.waitForURL(/\/console\/mediation\/\d+\?done=opened/), page.click('form.mediation-form button[type=submit]')]);
  expect(await page.textContent('h1')).toBe('院墙纠纷');
  expect(await page.textContent('dl.facts')).toContain(liaison.name);
  expect(await page.locator('#parties ~ table tbody tr').count()).toBe(2);

  await page.fill('input[name=heldOn]', '2026-11-16');
  await page.fill('input[name=place]', '村委会');
  await page.fill('textarea[name=notes]', '双方同意按原界址重砌');
  await Promise.all([page.waitForURL(/done=session/), page.click('form[action$="/session"] button')]);
  expect(await page.locator('ol.sessions li').count()).toBe(1);

  await page.fill('form[action$="/agree"] textarea[name=text]', '按原界址重砌院墙，费用各半');
  await Promise.all([page.waitForURL(/done=agree/), page.click('form[action$="/agree"] button')]);
  expect(await page.textContent('dl.facts')).toContain('待当事人确认协议');
  for (let i = 0; i < 2; i++) await Promise.all([page.waitForURL(/done=answer/), page.locator('form[action$="/answer"] button').first().click()]);
  expect(await page.textContent('dl.facts')).toContain('调解成功');
  expect(await page.locator('form[action$="/answer"]').count()).toBe(0);

  // Another case fails and goes to the court with its dossier.
  await page.goto(`${suite.world.base}/console/mediation/new`);
  await page.selectOption('select[name=region]', String(village.id));
  await page.fill('input[name=title]', '借款纠纷');
  await page.fill('textarea[name=facts]', '借款五千元未还');
  await page.fill('textarea[name=parties]', 'R-QH-01-001-H003\n外村 李某');
  await Promise.all([page.waitForURL(/done=opened/), page.click('form.mediation-form button[type=submit]')]);
  await page.fill('input[name=court]', '清河县人民法院');
  await page.fill('form[action$="/refer"] textarea[name=reason]', '被申请人不同意还款');
  await Promise.all([page.waitForURL(/done=refer/), page.click('form[action$="/refer"] button')]);
  await Promise.all([page.waitForURL(/\/dossier$/), page.click('a:text("案卷")')]);
  expect(await page.textContent('h1')).toContain('人民调解案卷');
  expect(await page.textContent('main, body')).toContain('外村 李某');
  expect(await page.textContent('body')).toContain('被申请人不同意还款');

  await page.goto(`${suite.world.base}/console/mediation`);
  expect(await page.locator('table tbody tr').count()).toBeGreaterThanOrEqual(2);
  expect(errors).toEqual([]);
  await page.context().close();
});

browserTest('a mediator logs in to 调解 alone, opens their own case and records a session; the referral is not on their page', async () => {
  const db = suite.world.db;
  const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
  const mediator = await db.person.create({
    data: { code: 'M-QH-01-001', name: '调解员老周', roles: { create: { role: 'mediator', regionId: village.id, scopeKey: 'M-QH-01-001|mediator|QH-01-001' } } },
  });
  await saveAccount(db, { username: 'med-zhou', personCode: mediator.code, password: DEMO_PASSWORD }, suite.world.clock.now());
  const id = await openMediationCase(
    db,
    { regionId: village.id, title: '鸡鸭越界纠纷', facts: '邻居家鸡鸭进菜地', mediatorId: mediator.id, parties: [{ name: '张某' }, { name: '王某' }], ticketId: null },
    mediator.id,
    suite.world.clock.now(),
    { limitDays: 30, extensionDays: 30, followUpDays: [30, 90] },
  );
  const { page, errors } = await staffPage(suite.browser, suite.world.base, 'med-zhou');
  expect(new URL(page.url()).pathname).toBe('/console/mediation');
  expect(await page.locator('nav.nav a').allTextContents()).toEqual([expect.stringContaining('矛盾调解')]);
  expect(await page.locator('table tbody tr').count()).toBe(1);
  await Promise.all([page.waitForURL(new RegExp(`/console/mediation/${id}$`)), page.click(`a[href="/console/mediation/${id}"]`)]);
  expect(await page.locator('form[action$="/refer"], form[action$="/extend"]').count()).toBe(0);
  await page.fill('input[name=heldOn]', '2026-11-16');
  await page.fill('input[name=place]', '村委会');
  await page.fill('textarea[name=notes]', '约定圈养鸡鸭');
  await Promise.all([page.waitForURL(/done=session/), page.click('form[action$="/session"] button')]);
  expect(await page.locator('ol.sessions li').count()).toBe(1);
  expect(errors).toEqual([]);
  await page.context().close();
});
