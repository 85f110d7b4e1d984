/**
 * 每月一题 in a real headless Chromium, under the console's Content-Security-Policy: the
 * township dispatcher opens /console/themes on the hand-made November
 * (test/helpers/theme-months.ts), adopts the 路灯 proposal (a refusal first: no owner
 * department), adds a task, marks it done, links a request by number, and reads the
 * progress; the public board shows it.
 */
import { expect } from 'vitest';
import { browserTestOf, consoleBrowserSuite, staffPage } from '../helpers/browser.js';
import { fileThemeMonths } from '../helpers/theme-months.js';

const browserTest = browserTestOf('themes');

let numbers: Record<string, string[]>;
const suite = consoleBrowserSuite(async (world) => {
  numbers = await fileThemeMonths(world.app, world.clock, new Date('2026-11-16T09:00:00+08:00'));
});

browserTest('a dispatcher adopts a proposal as the month’s theme, works its tasks and links a request', async () => {
  // The adoption refused on purpose answers 422; anything else failing is a fault.
  const { page, errors } = await staffPage(suite.browser, suite.world.base, 'dsp-qh-01', [422]);

  await page.click('nav a:text("每月一题")');
  await page.waitForURL(/\/console\/themes$/);
  const row = page.locator('tr', { has: page.locator('strong', { hasText: /^路灯$/ }) });
  expect(await row.locator('td.num').allTextContents()).toEqual(['3 （此前月均 1）', '4 （此前月均 1.3）']);
  await Promise.all([page.waitForURL(/\/console\/themes\/new\?/), row.locator('a.button').click()]);
  expect(await page.inputValue('input[name=title]')).toBe('路灯');

  await page.fill('input[name=title]', '路灯亮起来');
  const problems = page.locator('input[name=problem]');
  await problems.nth(0).fill('村口路灯损坏多');
  await problems.nth(1).fill('夜间照明不足');
  await page.click('form.theme-form button[type=submit]');
  expect(await page.textContent('.notice.error')).toContain('请至少选择一个牵头部门');
  // The form keeps what was typed.
  expect(await page.inputValue('input[name=title]')).toBe('路灯亮起来');
  await page.check('label:has-text("供电所") input[type=checkbox]');
  await Promise.all([page.waitForURL(/\/console\/themes\/\d+\?done=adopted/), page.click('form.theme-form button[type=submit]')]);
  expect(await page.textContent('h1')).toContain('路灯亮起来');

  await page.fill('#tasks input[name=text]', '排查全镇路灯');
  await page.fill('#tasks input[name=deadline]', '2026-11-20');
  await Promise.all([page.waitForURL(/done=tasks/), page.click('#tasks form.filters button[type=submit]')]);
  expect(await page.textContent('#tasks tr.task-open')).toContain('进行中');
  await page.fill('#tasks input[name=note]', '已排查 3 个村');
  await Promise.all([page.waitForURL(/done=tasks/), page.click('#tasks form.task-done button')]);
  expect(await page.textContent('#tasks tr.task-done')).toContain('已排查 3 个村');

  const number = numbers['A:power']!.at(-1)!;
  await page.fill('#tickets input[name=number]', number);
  await Promise.all([page.waitForURL(/done=tickets/), page.click('#tickets form button[type=submit]')]);
  expect(await page.locator('#tickets a').allTextContents()).toEqual([number]);
  expect(await page.textContent('.summary-line')).toContain('任务 1/1 完成 · 关联诉求 0/1 已办结');

  await page.goto(`${suite.world.base}/public/QH-01`);
  expect(await page.textContent('section.themes')).toContain('任务完成 1/1 · 关联诉求已办结 0/1');
  expect(errors).toEqual([]);
  await page.context().close();
});
