/**
 * 受理登记 in a real headless Chromium: a township dispatcher opens the form from the
 * navigation, finds a resident by household code, asks for a category suggestion (the
 * typed values come back), is refused without a result for 当场办结 (what was typed is
 * kept), and registers the request settled on the spot — under the console's strict
 * Content-Security-Policy.
 */
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { browserTestOf, launchBrowser, staffPage } from '../helpers/browser.js';
import { type ConsoleWorld, startConsoleWorld } from '../helpers/console-client.js';
import { fakePng, JPEG } from '../helpers/images.js';

const browserTest = browserTestOf('intake');

let world: ConsoleWorld;
let browser: Browser | undefined;

beforeAll(async () => {
  world = await startConsoleWorld();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

browserTest('a dispatcher finds a resident, takes the suggested category and registers a matter settled on the spot', async () => {
  const { page, errors } = await staffPage(browser, world.base, 'dsp-qh-01', [422]);
  const resident = await world.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
  await Promise.all([page.waitForURL(/\/console\/intake$/), page.click('nav a:text("受理登记")')]);
  await page.fill('input[name=q]', 'QH-01-001-H001');
  await Promise.all([page.waitForURL(/\?q=QH-01-001-H001/), page.click('form.intake-search button')]);
  await page.check(`input[name=resident][value="${resident.id}"]`);
  await page.check('input[name=channel][value=phone]');
  await page.fill('textarea[name=description]', '家里停水三天了，自来水管一直没有水');
  await page.click('button[name=suggest]');
  await page.waitForLoadState();
  expect(await page.inputValue('select[name=category]')).toBe('water');
  expect(await page.inputValue('textarea[name=description]')).toBe('家里停水三天了，自来水管一直没有水');
  expect(await page.isChecked(`input[name=resident][value="${resident.id}"]`)).toBe(true);
  expect(await page.isChecked('input[name=channel][value=phone]')).toBe(true);

  // 当场办结 without a result: refused, the form as typed.
  await page.check('input[name=settled]');
  await page.click('form.intake-form button.primary');
  await page.waitForLoadState();
  expect(await page.textContent('.intake-settle')).toContain('当场办结须填写办理结果');
  expect(await page.isChecked('input[name=settled]')).toBe(true);
  expect(await page.inputValue('select[name=category]')).toBe('water');

  await page.fill('textarea[name=result]', '已联系水厂，告知明早恢复供水');
  await Promise.all([page.waitForURL(/done=MQ-\d{4}-\d{6}&settled=1/), page.click('form.intake-form button.primary')]);
  expect(await page.textContent('.notice.ok')).toContain('已登记并当场办结');
  const number = /done=(MQ-\d{4}-\d{6})/.exec(page.url())![1]!;
  expect(await world.db.ticket.findUniqueOrThrow({ where: { number } })).toMatchObject({
    channel: 'phone',
    categoryCode: 'water',
    state: 'resolved',
    settledOnTheSpot: true,
    residentId: resident.id,
  });
  await Promise.all([page.waitForURL(new RegExp(`/console/tickets/${number}`)), page.click(`.notice.ok a`)]);
  expect(errors).toEqual([]);
});

/** The widths of pictures as loaded (0 while loading, or when the page may not load them). */
function widths(images: Locator): Promise<number[]> {
  return images.evaluateAll((found) => found.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
}

browserTest('photos from the phone’s camera or files go with the form: a file that is no picture is refused, the rest of the form and the accepted photo stay', async () => {
  const { page, errors } = await staffPage(browser, world.base, 'dsp-qh-01', [422]);
  const resident = await world.db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
  await page.goto(`${world.base}/console/intake?q=QH-01-001-H001`);
  await page.check(`input[name=resident][value="${resident.id}"]`);
  await page.fill('textarea[name=description]', '村口的路灯杆被车撞歪了');
  await page.selectOption('select[name=category]', 'power');
  expect(await page.getAttribute('input[type=file][name=photos]', 'accept')).toBe('image/*');
  await page.setInputFiles('input[type=file][name=photos]', [
    { name: '路灯.png', mimeType: 'image/png', buffer: fakePng('路灯杆') },
    { name: '说明.txt', mimeType: 'text/plain', buffer: Buffer.from('不是图片') },
  ]);
  await page.click('form.intake-form button.primary');
  await page.waitForLoadState();
  expect(await page.textContent('.intake-photos')).toContain('说明.txt：这不是图片');
  expect(await page.inputValue('textarea[name=description]')).toBe('村口的路灯杆被车撞歪了');
  expect(await page.inputValue('select[name=category]')).toBe('power');
  // The accepted photo shows (loaded under the page's Content-Security-Policy) and stays in the form.
  await expect.poll(() => widths(page.locator('.intake-photos img'))).toEqual([4]);

  await page.setInputFiles('input[type=file][name=photos]', [{ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: JPEG }]);
  await Promise.all([page.waitForURL(/done=MQ-\d{4}-\d{6}$/), page.click('form.intake-form button.primary')]);
  const number = /done=(MQ-\d{4}-\d{6})/.exec(page.url())![1]!;
  const ticket = await world.db.ticket.findUniqueOrThrow({ where: { number } });
  expect(JSON.parse(ticket.media)).toEqual([expect.stringMatching(/\.png$/), expect.stringMatching(/\.jpg$/)]);
  await Promise.all([page.waitForURL(new RegExp(`/console/tickets/${number}`)), page.click(`.notice.ok a`)]);
  // The ticket's own photos (its history shows them again under the intake event).
  await expect.poll(() => widths(page.locator('section:has(> h2:has-text("照片和语音")) img'))).toEqual([4, 4]);
  expect(errors).toEqual([]);
});
