/**
 * The monthly report 月报 from the console: in the menu and on the statistics page for region
 * roles, a region of the user's only (another answers 404), the last whole month by default,
 * bad choices named; the document is the report `npm run report` writes, its inline style
 * allowed by its hash alone.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { DEMO_PASSWORD, saveAccount } from '../../src/org/staff-accounts.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { insertStatTicket } from '../helpers/stat-tickets.js';

eachDatabase((kind) => {
  describe('the monthly report in the console', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let township: { id: number; name: string };
    let other: { id: number; name: string };
    let county: { id: number; name: string };

    beforeAll(async () => {
      db = world.db;
      township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      other = await db.region.findUniqueOrThrow({ where: { code: 'QH-02' } });
      county = await db.region.findUniqueOrThrow({ where: { code: 'QH' } });
      const village = await db.region.findFirstOrThrow({ where: { parentId: township.id }, orderBy: { code: 'asc' } });
      const resident = await db.personRole.findFirstOrThrow({ where: { role: 'resident' } });
      for (let i = 0; i < 3; i++) {
        await insertStatTicket(db, {
          regionId: village.id,
          day: '2026-10-12',
          residentId: resident.personId,
          handlingRegionId: township.id,
          state: 'closed',
          rating: 'satisfied',
          solved: true,
        });
      }
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    test('the menu and the statistics page link it; the chooser offers the last whole month and the months before', async () => {
      const queue = await dsp.page('/console/queue');
      expect(queue.text).toContain('<a href="/console/report">月报');
      const chooser = await dsp.page('/console/report');
      expect(chooser.status).toBe(200);
      expect(chooser.text).toContain('aria-current="page">月报');
      expect(chooser.text).toContain(`href="/console/report.html?region=${township.id}&amp;month=2026-10"`);
      expect(chooser.text).toContain(`href="/console/report.html?region=${township.id}&amp;month=2026-05"`);
      // The chooser's region list is the user's: the other township is not on it.
      expect(chooser.text).not.toContain(`value="${other.id}"`);
      const stats = await dsp.page('/console/stats?period=month&date=2026-10-15');
      expect(stats.text).toContain(`<a class="report" href="/console/report.html?region=${township.id}&amp;month=2026-10">${township.name} 2026-10 月报`);
    });

    test("the document is the region's report of the month, its inline style allowed by its hash", async () => {
      const res = await dsp.get(`/console/report.html?region=${township.id}&month=2026-10`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const text = await res.text();
      expect(text).toContain(`${township.name} 2026年10月 民情分析报告`);
      const style = /<style>([\s\S]*?)<\/style>/.exec(text)![1]!;
      const policy = res.headers.get('content-security-policy')!;
      expect(policy).toContain(`style-src 'self' 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).toContain("script-src 'self'");
    });

    test('another township or the county above is not theirs: 404; a county dispatcher makes any', async () => {
      for (const id of [other.id, county.id, 999_999]) expect((await dsp.get(`/console/report.html?region=${id}&month=2026-10`)).status, String(id)).toBe(404);
      const countyDispatcher = await loggedIn(world.base, 'dsp-qh');
      const res = await countyDispatcher.get(`/console/report.html?region=${other.id}&month=2026-10`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(`${other.name} 2026年10月 民情分析报告`);
      expect((await countyDispatcher.get(`/console/report.html?month=2026-10`)).status).toBe(200);
    });

    test('a month not begun or not a month is named on the chooser, 400', async () => {
      for (const [month, named] of [
        ['2026-12', '月份 month: 2026-12（尚未开始 not begun yet）'],
        ['2026-13', '月份 month: 2026-13（应为 YYYY-MM must look like YYYY-MM）'],
        ['十月', '月份 month: 十月'],
      ]) {
        const page = await dsp.page(`/console/report.html?region=${township.id}&month=${encodeURIComponent(month!)}`);
        expect(page.status, month).toBe(400);
        expect(page.text, month).toContain(named);
        expect(page.text, month).toContain('以下条件无效，已忽略：');
      }
    });

    test('a department handler makes no report: not in the menu, 404', async () => {
      const role = await db.personRole.findFirstOrThrow({ where: { role: 'department_handler' }, include: { person: true } });
      await saveAccount(db, { username: 'handler-report', personCode: role.person.code, password: DEMO_PASSWORD }, world.clock.now());
      const handler = await loggedIn(world.base, 'handler-report');
      expect((await handler.page('/console/queue')).text).not.toContain('/console/report');
      expect((await handler.page('/console/report')).status).toBe(404);
      expect((await handler.get(`/console/report.html?region=${township.id}&month=2026-10`)).status).toBe(404);
      expect((await handler.page('/console/stats')).text).not.toContain('/console/report');
    });
  });
});
