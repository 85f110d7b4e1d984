/**
 * 每月一题 in the console (/console/themes), on the public board and in the monthly report,
 * on both databases: the proposals of the hand-made November (test/helpers/theme-months.ts),
 * adopting a theme with its refusals, tasks turning late and marked done, tickets linked
 * from the theme and from the ticket page, every action audited, the scope of each user,
 * and what residents and the report read — scrubbed (its hot words too).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { renderMonthlyReport } from '../../src/report/html.js';
import { buildMonthlyReport } from '../../src/report/monthly.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';
import { fileThemeMonths, ROSTER_NAME } from '../helpers/theme-months.js';

eachDatabase((kind) => {
  describe('每月一题 in the console', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;
    let numbers: Record<string, string[]>;
    let township: { id: number };
    let powerStation: { id: number; name: string };
    let sanitationStation: { id: number; name: string };
    let foreignDepartment: { id: number };
    let themeId: number;
    let dispatcherId: number;
    const NOW = new Date('2026-11-16T09:00:00+08:00');

    beforeAll(async () => {
      db = world.db;
      numbers = await fileThemeMonths(world.app, world.clock, NOW);
      township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const other = await db.region.findUniqueOrThrow({ where: { code: 'QH-02' } });
      powerStation = await db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: township.id, kind: 'power' } } });
      sanitationStation = await db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: township.id, kind: 'sanitation' } } });
      foreignDepartment = await db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: other.id, kind: 'power' } } });
      dispatcherId = (await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } })).id;
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    /** Moves the clock; days later the session has lapsed, so the dispatcher logs in again. */
    const at = async (local: string) => {
      world.clock.set(new Date(`${local}+08:00`));
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    };

    test('the page proposes the month’s rising problems of the township, with figures, examples and a way to adopt each', async () => {
      const page = await dsp.page('/console/themes?month=2026-11');
      expect(page.status).toBe(200);
      expect(page.text).toContain('aria-current="page">每月一题');
      expect(page.text).toContain('电力照明');
      // 路灯 in 3 villages of QH-01 this month, 1 a month before; 4 requests, 1.3 a month before.
      expect(page.text).toMatch(
        /<strong>路灯<\/strong><\/td><td class="num">3 <span class="parts">（此前月均 1）<\/span><\/td><td class="num">4 <span class="parts">（此前月均 1\.3）/,
      );
      expect(page.text).toContain(`href="/console/tickets/${numbers['A:power']!.at(-1)}"`);
      expect(page.text).toContain(`/console/themes/new?region=${township.id}&amp;month=2026-11&amp;source=word%3A%E8%B7%AF%E7%81%AF`);
      expect(page.text).not.toContain(ROSTER_NAME);
      expect(page.text).not.toContain('停水');
      expect(page.text).toContain('本月还没有采纳主题');
    });

    test('adopting: clear Chinese refusals, then the theme, recorded with who and when', async () => {
      const form = (fields: Record<string, string | string[]>) => {
        const base: Record<string, string | string[]> = {
          region: String(township.id),
          month: '2026-11',
          source: 'word:路灯',
          title: '路灯亮起来',
          problem: ['村口路灯损坏多', `${ROSTER_NAME}家门口路灯不亮，电话13912345678`],
          department: [String(powerStation.id), String(sanitationStation.id)],
          ...fields,
        };
        return Object.entries(base).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]));
      };
      const post = async (fields: Record<string, string | string[]>) => {
        await dsp.page(`/console/themes/new?region=${township.id}&month=2026-11`);
        const body = new URLSearchParams([['_csrf', dsp.csrf], ...form(fields)] as [string, string][]);
        return fetch(`${world.base}/console/themes/new`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: [...dsp.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
      };
      const refused = async (fields: Record<string, string | string[]>, message: string) => {
        const res = await post(fields);
        expect(res.status).toBe(422);
        expect(await res.text()).toContain(message);
      };
      await refused({ title: '  ' }, '请填写主题名称');
      await refused({ title: '路'.repeat(41) }, '主题名称不能超过 40 个字');
      await refused({ problem: ['只有一个问题', ''] }, '请写明 2 至 3 个具体问题');
      await refused({ problem: ['一', '二', '三', '四'] }, '请写明 2 至 3 个具体问题');
      await refused({ department: [] }, '请至少选择一个牵头部门');
      await refused({ department: [String(foreignDepartment.id)] }, '所选部门不属于该地区');
      await refused({ month: '2026-13' }, '月份格式应为 YYYY-MM');
      const other = await db.region.findUniqueOrThrow({ where: { code: 'QH-02' } });
      await refused({ region: String(other.id) }, '请选择您辖区内的地区');
      expect(await db.theme.count()).toBe(0);

      world.clock.set(NOW);
      const res = await post({});
      expect(res.status).toBe(303);
      const theme = await db.theme.findFirstOrThrow();
      themeId = theme.id;
      expect(res.headers.get('location')).toBe(`/console/themes/${themeId}?done=adopted`);
      expect(theme).toMatchObject({ regionId: township.id, month: '2026-11', title: '路灯亮起来', source: 'word:路灯', adoptedById: dispatcherId, adoptedAt: NOW });
      expect(JSON.parse(theme.problems)).toHaveLength(2);
      await refused({}, '该地区 2026-11 已有同名主题');
      expect(await db.theme.count()).toBe(1);
      // The proposal it came from now leads to the theme instead of the adoption form.
      const list = await dsp.page('/console/themes?month=2026-11');
      expect(list.text).toContain(`<a href="/console/themes/${themeId}">已采纳`);
      expect(list.text).not.toContain('source=word%3A%E8%B7%AF%E7%81%AF');
      expect(list.text).toContain('source=word%3A%E6%9D%91%E5%8F%A3');
      const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'theme_adopted' } });
      expect(audit).toMatchObject({ actorId: dispatcherId, at: NOW });
      expect(JSON.parse(audit.data)).toMatchObject({ themeId, source: 'word:路灯' });
    });

    test('tasks: refused when unclear; late once their deadline has passed undone; done with a note', async () => {
      const base = `/console/themes/${themeId}`;
      await dsp.page(base);
      const refused = async (path: string, fields: Record<string, string>, message: string) => {
        const res = await dsp.post(path, fields);
        expect(res.status).toBe(422);
        expect(await res.text()).toContain(message);
      };
      await refused(`${base}/tasks`, { text: '', department: String(powerStation.id), deadline: '2026-11-20' }, '请填写任务内容');
      await refused(`${base}/tasks`, { text: '排查路灯', department: String(foreignDepartment.id), deadline: '2026-11-20' }, '请从牵头部门中选择责任部门');
      await refused(`${base}/tasks`, { text: '排查路灯', department: String(powerStation.id), deadline: '2026-02-30' }, '截止日期应为 YYYY-MM-DD 格式的日期');
      expect((await dsp.post(`${base}/tasks`, { text: '排查全镇路灯', department: String(powerStation.id), deadline: '2026-11-20' })).status).toBe(303);
      expect((await dsp.post(`${base}/tasks`, { text: '更换损坏灯具', department: String(powerStation.id), deadline: '2026-11-30' })).status).toBe(303);
      const [first, second] = await db.themeTask.findMany({ orderBy: { id: 'asc' } });
      expect(first).toMatchObject({ text: '排查全镇路灯', deadline: '2026-11-20', createdById: dispatcherId, doneAt: null });

      // The 20th is the last day: still open that evening, late the next morning.
      await at('2026-11-20T23:30:00');
      const lastDay = await dsp.page(base);
      expect(lastDay.text).toMatch(/<tr class="task-open">.*排查全镇路灯.*进行中/s);
      expect(lastDay.text).not.toContain('task-late');
      await at('2026-11-21T08:00:00');
      const late = await dsp.page(base);
      expect(late.text).toMatch(/<tr class="task-late">.*排查全镇路灯.*逾期/s);
      expect(late.text).toContain('任务 0/2 完成（1 项逾期）');

      await refused(`${base}/tasks/${second!.id}/done`, { note: ' ' }, '请填写完成情况');
      const doneAt = world.clock.now();
      expect((await dsp.post(`${base}/tasks/${second!.id}/done`, { note: '已更换 12 盏' })).status).toBe(303);
      await refused(`${base}/tasks/${second!.id}/done`, { note: '又一次' }, '该任务不存在或已完成');
      expect(await db.themeTask.findUniqueOrThrow({ where: { id: second!.id } })).toMatchObject({ doneAt, doneById: dispatcherId, doneNote: '已更换 12 盏' });
      const page = await dsp.page(base);
      expect(page.text).toContain('任务 1/2 完成（1 项逾期）');
      expect(page.text).toContain('已更换 12 盏');
      expect(
        (await db.auditEvent.findMany({ where: { action: { in: ['theme_task_added', 'theme_task_done'] } }, orderBy: { id: 'asc' } })).map((e) => [e.action, e.actorId]),
      ).toEqual([
        ['theme_task_added', dispatcherId],
        ['theme_task_added', dispatcherId],
        ['theme_task_done', dispatcherId],
      ]);
    });

    test('linking tickets from the theme page and from the ticket page; once each, and only the region’s', async () => {
      const base = `/console/themes/${themeId}`;
      const here = numbers['A:power']!.at(-1)!;
      const there = numbers['D:power']![0]!;
      await dsp.page(base);
      expect((await dsp.post(`${base}/tickets`, { number: here.toLowerCase() })).status).toBe(303);
      const again = await dsp.post(`${base}/tickets`, { number: here });
      expect(again.status).toBe(422);
      expect(await again.text()).toContain('已关联到该主题');
      // Another township's request does not exist for this dispatcher.
      const foreign = await dsp.post(`${base}/tickets`, { number: there });
      expect(foreign.status).toBe(422);
      expect(await foreign.text()).toContain(`没有找到诉求 ${there}`);
      // The county supervisor sees it, but it is not in the theme's township.
      const sup = await loggedIn(world.base, 'sup-qh');
      await sup.page(base);
      const outside = await sup.post(`${base}/tickets`, { number: there });
      expect(outside.status).toBe(422);
      expect(await outside.text()).toContain('不在该主题的地区内');

      // From the ticket page: a button per theme of its region.
      const other = numbers['B:power']!.at(-1)!;
      const ticketPage = await dsp.page(`/console/tickets/${other}`);
      expect(ticketPage.text).toContain('关联到“路灯亮起来”');
      const linked = await dsp.post(`${base}/tickets`, { number: other, from: 'ticket' });
      expect(linked.status).toBe(303);
      expect(linked.headers.get('location')).toBe(`/console/tickets/${other}#themes`);
      const after = await dsp.page(`/console/tickets/${other}`);
      expect(after.text).toContain(`href="/console/themes/${themeId}">路灯亮起来（2026-11）`);
      expect(after.text).not.toContain('关联到“路灯亮起来”');
      const ticketIds = (await db.ticket.findMany({ where: { number: { in: [here, other] } }, select: { id: true } })).map((t) => t.id).sort();
      expect((await db.auditEvent.findMany({ where: { action: 'theme_ticket_linked' } })).map((e) => [e.ticketId, e.actorId]).sort()).toEqual(
        ticketIds.map((id) => [id, dispatcherId]),
      );
      expect((await dsp.page(base)).text).toContain('关联诉求 0/2 已办结');
    });

    test('scope: another township’s dispatcher and a department window find no theme (404)', async () => {
      const other = await loggedIn(world.base, 'dsp-qh-02');
      expect((await other.page(`/console/themes/${themeId}`)).status).toBe(404);
      expect((await other.post(`/console/themes/${themeId}/tasks`, { text: 'x', department: String(powerStation.id), deadline: '2026-11-30' })).status).toBe(404);
      expect((await other.page('/console/themes?month=2026-11')).text).not.toContain('路灯亮起来');
      expect((await other.page(`/console/themes?month=2026-11&region=${township.id}`)).text).toContain(`地区 region: ${township.id}`);
      const handler = await db.person.findUniqueOrThrow({ where: { code: 'H-QH-01-water' } });
      const { passwordHash } = await db.staffAccount.findUniqueOrThrow({ where: { username: 'dsp-qh-01' } });
      await db.staffAccount.create({ data: { username: 'water-themes', passwordHash, personId: handler.id, createdAt: new Date() } });
      const window = await loggedIn(world.base, 'water-themes');
      expect((await window.page('/console/queue')).text).not.toContain('href="/console/themes"');
      expect((await window.page('/console/themes')).status).toBe(404);
      expect((await window.page(`/console/themes/${themeId}`)).status).toBe(404);
    });

    test('residents read the theme and its progress on the board, scrubbed; the monthly report lists it', async () => {
      // One linked request resolved (its state is all the progress reads).
      const linked = await db.themeTicket.findFirstOrThrow({ where: { themeId }, orderBy: { ticketId: 'asc' } });
      await db.ticket.update({ where: { id: linked.ticketId }, data: { state: 'resolved' } });
      const board = await (await fetch(`${world.base}/public/QH-01-001`)).text();
      expect(board).toContain('路灯亮起来');
      expect(board).toContain('任务完成 1/2 · 关联诉求已办结 1/2');
      expect(board).toContain('某某家门口路灯不亮，电话***');
      expect(board).not.toContain(ROSTER_NAME);
      expect(board).not.toContain('5678');
      expect(board).toMatch(/排查全镇路灯（清水镇供电所，2026-11-20 前）<strong>逾期<\/strong>/);
      // Another township's board does not show it.
      expect(await (await fetch(`${world.base}/public/QH-02`)).text()).not.toContain('路灯亮起来');

      const report = await buildMonthlyReport(db, { regionCode: 'QH-01', month: '2026-11', now: world.clock.now() });
      expect(report.themes.map((t) => [t.title, t.progress])).toEqual([['路灯亮起来', { tasksDone: 1, tasksLate: 1, tasks: 2, ticketsResolved: 1, tickets: 2 }]]);
      const page = renderMonthlyReport(report);
      const section = page.slice(page.indexOf('<h2>每月一题'), page.indexOf('<h2>', page.indexOf('<h2>每月一题') + 1));
      expect(section).toContain('任务 1/2 完成（1 项逾期） · 关联诉求 1/2 已办结');
      expect(section).toContain('某某家门口路灯不亮，电话***');
      expect(section).toMatch(/<tr class="theme-task"><td>排查全镇路灯<\/td><td>清水镇供电所<\/td><td>2026-11-20<\/td><td class="late">逾期 late/);
      // The report's hot words: 张建国 is in two requests, and a roster name is no word.
      expect(report.words.map((w) => w.word)).toEqual(['村口', '路灯', '堆积', '家门口', '垃圾']);
      expect(page).not.toContain(ROSTER_NAME);
      expect(renderMonthlyReport(await buildMonthlyReport(db, { regionCode: 'QH-01', month: '2026-10', now: world.clock.now() }))).toContain('本月未采纳主题');
    });
  });
});
