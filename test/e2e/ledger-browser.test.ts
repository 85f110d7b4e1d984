/**
 * The ledger 台账 in a real headless Chromium, under the console's Content-Security-Policy:
 * the township dispatcher opens /console/ledger from the menu, enters a public commitment
 * (a refusal first: no owner), adds a progress entry, closes it done; the county supervisor
 * flags another 挂牌督办; the public board shows the commitment and its status.
 */
import { expect } from 'vitest';
import { browserTestOf, consoleBrowserSuite, staffPage } from '../helpers/browser.js';

const browserTest = browserTestOf('ledger');

const suite = consoleBrowserSuite();

/** A page logged in as `username`, with the errors it meets (a refusal's 422 is on purpose). */
async function loggedInPage(username: string) {
  const { page, errors } = await staffPage(suite.browser, suite.world.base, username, [422]);
  return { page, errors, close: () => page.context().close() };
}

browserTest('a dispatcher enters a public commitment, reports progress and closes it; a supervisor flags another; the board shows it', async () => {
  const township = await suite.world.db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
  const station = await suite.world.db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: township.id, kind: 'power' } } });
  const { page, errors, close } = await loggedInPage('dsp-qh-01');

  await page.click('nav a:text("台账")');
  await page.waitForURL(/\/console\/ledger$/);
  expect(await page.textContent('p.empty')).toContain('没有符合条件的台账事项');
  const enter = async (goal: string, isPublic: boolean) => {
    await Promise.all([page.waitForURL(/\/console\/ledger\/new/), page.click('a.button:text("新建台账事项")')]);
    await page.fill('input[name=goal]', goal);
    await page.fill('textarea[name=measures]', '排查全镇路灯，更换损坏灯具');
    await page.fill('input[name=deadline]', '2026-11-30');
    if (isPublic) await page.check('input[name=public]');
  };
  await enter('村口路灯全部修复', true);
  await page.click('form.ledger-form button[type=submit]');
  expect(await page.textContent('.notice.error')).toContain('请选择责任人或责任部门');
  // The form keeps what was typed.
  expect(await page.inputValue('input[name=goal]')).toBe('村口路灯全部修复');
  await page.selectOption('select[name=owner]', `department:${station.id}`);
  await Promise.all([page.waitForURL(/\/console\/ledger\/\d+\?done=created/), page.click('form.ledger-form button[type=submit]')]);
  expect(await page.textContent('h1')).toContain('村口路灯全部修复');
  expect(await page.textContent('h1 .ledger-status')).toContain('推进中');
  const commitmentUrl = page.url().replace(/\?.*$/, '');

  await page.fill('#progress input[name=text]', '已排查 3 个村');
  await Promise.all([page.waitForURL(/done=progress/), page.click('#progress form:has(input[name=text]) button')]);
  expect(await page.textContent('#progress table')).toContain('已排查 3 个村');

  await page.goto(`${suite.world.base}/console/ledger`);
  await enter('集镇排水沟清淤', false);
  await page.selectOption('select[name=owner]', `department:${station.id}`);
  await Promise.all([page.waitForURL(/done=created/), page.click('form.ledger-form button[type=submit]')]);
  const flaggedUrl = page.url().replace(/\?.*$/, '');
  // A dispatcher is offered no 挂牌督办.
  expect(await page.locator('button:text("挂牌督办")').count()).toBe(0);

  await page.goto(commitmentUrl);
  await page.fill('#progress input[name=reason]', '12 盏全部更换');
  await Promise.all([page.waitForURL(/done=close/), page.click('#progress form:has(input[name=reason]) button')]);
  expect(await page.textContent('h1 .ledger-status')).toContain('已完成');
  expect(await page.textContent('dd.closed-reason')).toContain('12 盏全部更换');
  expect(errors).toEqual([]);
  await close();

  const supervisor = await loggedInPage('sup-qh');
  await supervisor.page.goto(flaggedUrl);
  await supervisor.page.fill('input[name=note]', '本周内完成');
  await Promise.all([supervisor.page.waitForURL(/done=flag/), supervisor.page.click('button:text("挂牌督办")')]);
  expect(await supervisor.page.textContent('dd.flagged')).toContain('本周内完成');
  await supervisor.page.goto(`${suite.world.base}/console/ledger?flagged=1`);
  expect(await supervisor.page.locator('table a:text("集镇排水沟清淤")').count()).toBe(1);
  expect(await supervisor.page.locator('table a:text("村口路灯全部修复")').count()).toBe(0);

  await supervisor.page.goto(`${suite.world.base}/public/QH-01`);
  const board = await supervisor.page.textContent('section.commitments');
  expect(board).toContain('村口路灯全部修复');
  expect(board).toContain('已完成');
  expect(board).not.toContain('集镇排水沟清淤');
  expect(supervisor.errors).toEqual([]);
  await supervisor.close();
});
