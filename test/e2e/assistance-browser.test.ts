/**
 * 困难群众帮扶 in a real headless Chromium, under the console's Content-Security-Policy: the
 * township dispatcher reports an urgent case from /console/assistance, verifies it for the
 * village, approves it for the township with the 五公开 (the date field offers the days the
 * limits allow), saves the household's difficulty record; the public board shows the 五公开
 * with the head's name masked.
 */
import { expect } from 'vitest';
import { browserTestOf, consoleBrowserSuite, staffPage } from '../helpers/browser.js';

const browserTest = browserTestOf('assistance');

const suite = consoleBrowserSuite();

browserTest('a dispatcher reports, verifies and approves a case; the board shows its 五公开', async () => {
  const { page, errors } = await staffPage(suite.browser, suite.world.base, 'dsp-qh-01');

  await page.click('nav a:text("帮扶")');
  await page.waitForURL(/\/console\/assistance$/);
  expect(await page.textContent('p.empty')).toContain('辖区内还没有帮扶案件');
  await page.fill('form.assistance-form input[name=household]', 'QH-01-001-H001');
  await page.fill('form.assistance-form textarea[name=need]', '户主突发大病住院，需要临时救助');
  await page.check('form.assistance-form input[name=urgent]');
  await Promise.all([page.waitForURL(/\/console\/assistance\/\d+\?done=reported/), page.click('form.assistance-form button[type=submit]')]);
  expect(await page.textContent('h1')).toContain('QH-01-001-H001');
  expect(await page.textContent('.tag.urgent')).toContain('急');

  await page.fill('form[action$="/village_approve"] textarea[name=note]', '情况属实');
  await Promise.all([page.waitForURL(/done=village_approve/), page.click('form[action$="/village_approve"] button')]);
  expect(await page.textContent('section.assistance')).toContain('待镇复核');

  // Monday 11-16, urgent: the notice ends with 11-23; delivery within 5 working days after it.
  const date = page.locator('form[action$="/township_approve"] input[name=deliverBy]');
  expect([await date.getAttribute('min'), await date.getAttribute('max'), await date.inputValue()]).toEqual(['2026-11-24', '2026-12-01', '2026-12-01']);
  await page.fill('form[action$="/township_approve"] input[name=helper]', '镇民政办');
  await page.fill('form[action$="/township_approve"] input[name=aid]', '临时救助金');
  await page.fill('form[action$="/township_approve"] input[name=amount]', '3000 元');
  await date.fill('2026-11-25');
  await Promise.all([page.waitForURL(/done=township_approve/), page.click('form[action$="/township_approve"] button')]);
  expect(await page.textContent('dl.plan')).toContain('2026-11-25');

  await page.check('form.hardship-form label:has-text("大病") input');
  await page.fill('form.hardship-form textarea[name=members]', '户主，58 岁');
  await Promise.all([page.waitForURL(/done=hardship/), page.click('form.hardship-form button')]);
  expect(await page.isChecked('form.hardship-form label:has-text("大病") input')).toBe(true);
  expect(await page.inputValue('form.hardship-form textarea[name=members]')).toBe('户主，58 岁');

  await page.click('nav a:text("帮扶")');
  expect(await page.textContent('table.data tbody')).toContain('公示中');

  await page.goto(`${suite.world.base}/public/QH-01-001`);
  const row = page.locator('section.assistance tbody tr');
  expect(await row.locator('td').allTextContents()).toEqual(['东湖村', '罗**', '镇民政办', '临时救助金', '3000 元', '2026-11-25', '公示中 on notice']);
  expect(errors).toEqual([]);
  await page.context().close();
});
