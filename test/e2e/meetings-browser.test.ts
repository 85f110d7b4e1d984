/**
 * The meeting rhythm in a real headless Chromium, under the console's Content-Security-Policy:
 * the township dispatcher opens /console/meetings from the menu, reads a village meeting's
 * agenda, records it (a refusal first: no minutes, the typed guests kept), records an
 * assignment for a liaison, marks it done, and prints the minutes as a page and a PDF.
 */
import { expect } from 'vitest';
import { prepareMeeting } from '../../src/meetings/meetings.js';
import { loadRegions } from '../../src/org/regions.js';
import { browserTestOf, consoleBrowserSuite, staffPage } from '../helpers/browser.js';

const browserTest = browserTestOf('meetings');

const suite = consoleBrowserSuite();

browserTest('a dispatcher reads a village meeting’s agenda, records it with an assignment, marks it done and prints the minutes', async () => {
  const { db } = suite.world;
  const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
  const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
  const meetingId = await prepareMeeting(db, await loadRegions(db), { regionId: village.id, kind: 'village', period: '2026-11', heldOn: '2026-11-16' }, suite.world.clock.now());
  const { page, errors } = await staffPage(suite.browser, suite.world.base, 'dsp-qh-01', [422]);

  await page.click('nav a:text("会议")');
  await page.waitForURL(/\/console\/meetings$/);
  await Promise.all([page.waitForURL(new RegExp(`/console/meetings/${meetingId}$`)), page.click(`a[href="/console/meetings/${meetingId}"]`)]);
  expect(await page.textContent('h1')).toContain(`${village.name}村务议政会`);
  expect(await page.textContent('section.agenda')).toContain('上期民情收集（2026-10）');

  // No minutes: refused, the guests typed kept.
  await page.check(`form.record input[name=attendee][value="${liaison.id}"]`);
  await page.fill('form.record input[name=guests]', '镇包村干部');
  await page.click('form.record button[type=submit]');
  expect(await page.textContent('.notice.error')).toContain('请填写会议纪要');
  expect(await page.inputValue('form.record input[name=guests]')).toBe('镇包村干部');
  expect(await page.isChecked(`form.record input[name=attendee][value="${liaison.id}"]`)).toBe(true);
  await page.fill('form.record textarea[name=minutes]', '一、通报上月民情。二、研究路灯维修。');
  await Promise.all([page.waitForURL(/done=record/), page.click('form.record button[type=submit]')]);
  expect(await page.textContent('.notice.ok')).toContain('会议记录已保存');

  await page.selectOption('form.decision select[name=kind]', 'assignment');
  await page.fill('form.decision textarea[name=text]', '统计需要更换的路灯');
  await page.selectOption('form.decision select[name=owner]', `person:${liaison.id}`);
  await page.fill('form.decision input[name=deadline]', '2026-11-27');
  await Promise.all([page.waitForURL(/done=decisions/), page.click('form.decision button[type=submit]')]);
  expect(await page.textContent('section.meeting')).toContain('统计需要更换的路灯');
  await Promise.all([page.waitForURL(/done=done/), page.click('div.assignments button')]);
  expect(await page.textContent('body')).toContain('已完成 done');

  await Promise.all([page.waitForURL(/\/minutes$/), page.click('a:text("打印纪要")')]);
  expect(await page.textContent('h1')).toContain('村务议政会纪要');
  expect(await page.textContent('p.minutes')).toContain('研究路灯维修');
  const pdf = await page.request.get(`${suite.world.base}/console/meetings/${meetingId}/minutes.pdf`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  expect(errors).toEqual([]);
  await page.context().close();
});
