/**
 * The public board at /public: a region's requests with personal data removed, its
 * satisfaction and on-time rates from the statistics, and the admin's switch that takes
 * a region off the board.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { actorFor } from '../../src/pipeline/service.js';
import { scrubText } from '../../src/web/public-board.js';
import { ConsoleClient, type ConsoleWorld, loggedIn, report, startConsoleWorld } from '../helpers/console-client.js';

let world: ConsoleWorld;
let personal: string;
let plain: string;
let elsewhere: string;

beforeAll(async () => {
  world = await startConsoleWorld();
  const db = world.db;
  // A summary full of what must not be published.
  personal = await report(world.app, 'R-QH-01-001-H001', '罗丽敏家门口路灯坏了，电话 139-1234-5678，王大爷说一组3号门口也不亮，找老李也没用');
  plain = await report(world.app, 'R-QH-01-002-H001', '柳树湾村停水三天了', 'water');
  elsewhere = await report(world.app, 'R-QH-02-001-H001', '杏花村的路灯坏了');
  // The first is handled and rated 满意: one of one satisfied, resolved on time.
  const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
  const resident = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' } });
  for (const [who, command] of [
    [liaison.id, { type: 'accept' }],
    [liaison.id, { type: 'resolve', result: '已更换灯泡' }],
    [resident.id, { type: 'rate', rating: 'satisfied' }],
  ] as const) {
    const outcome = await world.app.pipeline.execute(personal, command, await actorFor(db, who));
    expect(outcome.ok).toBe(true);
  }
});

afterAll(async () => {
  await world?.stop();
});

async function board(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(world.base + path);
  return { status: res.status, text: await res.text() };
}

describe('the board', () => {
  test('lists the published regions', async () => {
    const index = await board('/public');
    expect(index.status).toBe(200);
    for (const name of ['青禾县', '清水镇', '东湖村', '禾丰镇']) expect(index.text).toContain(name);
  });

  test("a township's board: its requests, scrubbed, with states and dates, and its rates", async () => {
    const page = await board('/public/QH-01');
    expect(page.status).toBe(200);
    expect(page.text).toContain(personal);
    expect(page.text).toContain(plain);
    expect(page.text).not.toContain(elsewhere);
    // No names, no phone, no house number, no household, no handler.
    for (const secret of ['罗丽敏', '139-1234-5678', '13912345678', '王大爷', '3号', '老李', 'QH-01-001-H001', '苏松琴', '罗**', '19900000001']) {
      expect(page.text, secret).not.toContain(secret);
    }
    expect(page.text).toContain('某某家门口路灯坏了');
    expect(page.text).toContain('某大爷');
    expect(page.text).toContain('*号门口');
    expect(page.text).toContain('电力照明');
    expect(page.text).toContain('东湖村');
    expect(page.text).toContain('已归档');
    // 满意率 1/1, 按时办结率 1/1 (the other request is open and within its deadline).
    expect(page.text).toContain('满意率');
    expect(page.text).toContain('100.0%（1/1）');
    expect(page.text).toContain('按时办结率');
    // The board's headers are as strict as the console's.
    const res = await fetch(`${world.base}/public/QH-01`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  test('an unknown region, or a bad code, is 404', async () => {
    expect((await board('/public/NOPE')).status).toBe(404);
    expect((await board('/public/%3Cscript%3E')).status).toBe(404);
  });

  test('scrubText takes out roster names, titles with a surname, phones, IDs, e-mails and house numbers', () => {
    const names = new Set(['罗丽敏', '秦鹏']);
    expect(scrubText('秦鹏和罗丽敏反映', names)).toBe('某某和某某反映');
    expect(scrubText('张师傅电话13800138000，身份证110101199003071234', names)).toBe('某师傅电话***，身份证***');
    expect(scrubText('联系 0536-12345678 或 a.b@example.com', names)).toBe('联系 *** 或 ***');
    expect(scrubText('东湖村一组12号的李阿姨', names)).toBe('东湖村一组*号的某阿姨');
    expect(scrubText('老王家的狗', names)).toBe('老某家的狗');
    expect(scrubText('村口路灯坏了三天', names)).toBe('村口路灯坏了三天');
  });
});

describe('the switch', () => {
  test('only an admin sees the switch; a dispatcher gets 404', async () => {
    const dsp = await loggedIn(world.base, 'dsp-qh-01');
    expect((await dsp.get('/console/board')).status).toBe(404);
    expect((await dsp.post('/console/board', { region: '1', publish: '0' })).status).toBe(404);
    expect((await world.db.region.findUniqueOrThrow({ where: { code: 'QH' } })).publicBoard).toBe(true);
  });

  test('an admin switches a village off: its board is gone and its requests leave the boards above; on again brings them back', async () => {
    const admin = await loggedIn(world.base, 'adm-qh');
    const page = await admin.page('/console/board');
    expect(page.status).toBe(200);
    expect(page.text).toContain('东湖村');
    const village = await world.db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
    // Without the CSRF token nothing changes.
    expect((await admin.post('/console/board', { _csrf: 'x', region: String(village.id), publish: '0' })).status).toBe(403);
    expect((await world.db.region.findUniqueOrThrow({ where: { id: village.id } })).publicBoard).toBe(true);

    const off = await admin.post('/console/board', { region: String(village.id), publish: '0' });
    expect(off.status).toBe(303);
    expect((await world.db.region.findUniqueOrThrow({ where: { id: village.id } })).publicBoard).toBe(false);
    expect((await board('/public/QH-01-001')).status).toBe(404);
    const township = await board('/public/QH-01');
    expect(township.text).not.toContain(personal);
    expect(township.text).toContain(plain);
    expect((await board('/public')).text).not.toContain('东湖村');
    // The export of the switch table says so too.
    const csv = await (await admin.get('/console/board.csv')).text();
    expect(csv).toContain('QH-01-001,东湖村,村 village,关闭 off');

    // Switching the township off hides its villages as well.
    const qh01 = await world.db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
    await admin.post('/console/board', { region: String(qh01.id), publish: '0' });
    expect((await board('/public/QH-01-002')).status).toBe(404);
    expect((await board('/public/QH')).text).not.toContain(plain);

    await admin.post('/console/board', { region: String(qh01.id), publish: '1' });
    await admin.post('/console/board', { region: String(village.id), publish: '1' });
    expect((await board('/public/QH-01-001')).status).toBe(200);
    expect((await board('/public/QH-01')).text).toContain(personal);
  });

  test('the board needs no login, and never sets a cookie', async () => {
    const client = new ConsoleClient(world.base);
    const res = await client.get('/public/QH');
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
