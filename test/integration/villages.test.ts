/**
 * The villages a question offers and typed words are read against, on both databases: every
 * village of a real-sized county (test/helpers/big-county.ts, 377 villages: past the 200 the
 * list once stopped at), with its township, kept per process until the reference data
 * changes; and the township a person is asked about first.
 */
import { expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { homeTownship, villageList } from '../../src/pipeline/reference.js';
import { villageNamed } from '../../src/org/village-names.js';
import { VILLAGE_LIST_MAX } from '../../flows/villages.js';
import { bigCounty } from '../helpers/big-county.js';
import { TestChat } from '../helpers/chat-client.js';
import { eachFreshDatabase } from '../helpers/db.js';
import { eachDialogueWorld } from '../helpers/dialogue-world.js';

/** Writes the county's regions (its townships under `under` instead, when given); resolves with their ids by code. */
async function writeCounty(db: Db, under?: number): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const regions = bigCounty();
  if (under !== undefined) ids.set('3399', under);
  for (const r of regions.filter((r) => r.level !== 'village' && !(under !== undefined && r.level === 'county'))) {
    const created = await db.region.create({ data: { code: r.code, name: r.name, level: r.level, parentId: r.parent === null ? null : ids.get(r.parent)! } });
    ids.set(r.code, created.id);
  }
  await db.region.createMany({ data: regions.filter((r) => r.level === 'village').map((r) => ({ code: r.code, name: r.name, level: r.level, parentId: ids.get(r.parent!)! })) });
  for (const r of await db.region.findMany({ where: { level: 'village' }, select: { id: true, code: true } })) ids.set(r.code, r.id);
  return ids;
}

/** After the current turn of the event loop, when a shared connection checks the reference version again. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

eachFreshDatabase((freshDatabase) => {
  test('every village of a real-sized county, by code, with its township; kept until the regions change', async () => {
    const { db } = await freshDatabase();
    const ids = await writeCounty(db);
    const villages = await villageList(db);
    expect(villages).toHaveLength(377);
    expect(villages.map((v) => v.code)).toEqual(
      bigCounty()
        .filter((r) => r.level === 'village')
        .map((r) => r.code),
    );
    const lanting = ids.get('3399012');
    expect(villages[299]).toEqual({ id: ids.get('3399012023'), name: '老冲村', code: '3399012023', townshipId: lanting, township: '兰亭镇' });
    // Typed words reach it, and a name two townships share is told apart by its township.
    expect(villageNamed('兰亭镇老冲村村口', villages)?.id).toBe(ids.get('3399012023'));
    expect(villageNamed('清溪镇东湖村', villages)?.id).toBe(ids.get('3399002026'));
    expect(villageNamed('东湖村', villages)).toBeUndefined();

    // Read once: the same rows again, until an edit of the regions bumps the reference version.
    await nextTurn();
    expect(await villageList(db)).toBe(villages);
    await db.region.create({ data: { code: '3399012099', name: '新设村', level: 'village', parentId: lanting! } });
    await nextTurn();
    const after = await villageList(db);
    expect(after).toHaveLength(378);
    expect(after.find((v) => v.name === '新设村')).toMatchObject({ townshipId: lanting, township: '兰亭镇' });
  });

  test('the township asked first: the household’s, else a role’s (a liaison at a village, a dispatcher at a township), else none', async () => {
    const { db } = await freshDatabase();
    const ids = await writeCounty(db);
    const household = await db.household.create({ data: { code: 'H-1', regionId: ids.get('3399012023')!, address: '老冲村1号', headName: '张三' } });
    const resident = await db.person.create({ data: { code: 'P-1', name: '张三', householdId: household.id } });
    const liaison = await db.person.create({ data: { code: 'P-2', name: '李四' } });
    await db.personRole.create({ data: { personId: liaison.id, role: 'liaison', regionId: ids.get('3399002026')!, scopeKey: 'P-2|liaison|3399002026' } });
    const dispatcher = await db.person.create({ data: { code: 'P-3', name: '王五' } });
    await db.personRole.create({ data: { personId: dispatcher.id, role: 'dispatcher', regionId: ids.get('3399005')!, scopeKey: 'P-3|dispatcher|3399005' } });
    const stranger = await db.person.create({ data: { code: 'P-4', name: '赵六' } });
    expect(await homeTownship(db, resident.id)).toBe(ids.get('3399012'));
    expect(await homeTownship(db, liaison.id)).toBe(ids.get('3399002'));
    expect(await homeTownship(db, dispatcher.id)).toBe(ids.get('3399005'));
    expect(await homeTownship(db, stranger.id)).toBeNull();
  });

  test('the demo county still fits one list', async () => {
    const { db } = await freshDatabase({ demo: true });
    const villages = await villageList(db);
    expect(villages.length).toBeGreaterThan(1);
    expect(villages.length).toBeLessThanOrEqual(VILLAGE_LIST_MAX);
    expect(villages.every((v) => v.township)).toBe(true);
  });
});

eachDialogueWorld((freshWorld) => {
  test('the demo county grown to hundreds of villages: a household resident reports from the 300th, by their own township first, then 兰亭镇', async () => {
    const w = await freshWorld();
    const { db } = w.database;
    const root = await db.region.findFirstOrThrow({ where: { level: 'county' } });
    const ids = await writeCounty(db, root.id);
    const person = await db.person.findUniqueOrThrow({ where: { code: 'R-QH-01-001-H001' }, include: { household: { include: { region: true } } } });
    const chat = await w.resident();
    await chat.send('村口的路灯坏了好几天');
    await chat.tap('是的');
    expect(chat.text()).toContain('问题发生在哪里');
    expect(chat.text()).toContain('请先选乡镇');
    const offered = chat.replies.flatMap((r) => r.choices.map((c) => c.payload));
    // 就在我家附近, then the resident's own township, then the others; no village yet.
    expect(offered.slice(0, 2)).toEqual(['home', `township:${person.household!.region.parentId}`]);
    expect(offered).toHaveLength(1 + 15 + (await db.region.count({ where: { level: 'township', code: { startsWith: 'QH' } } })));
    expect(offered.some((p) => p.startsWith('village:'))).toBe(false);
    await chat.tap('兰亭镇');
    expect(chat.text()).toContain('兰亭镇的村庄');
    await chat.tap('老冲村');
    await chat.send('桥头');
    await chat.tap('跳过');
    await chat.tap('跳过');
    expect(chat.text()).toContain('地点：老冲村 桥头');
    await chat.tap('提交');
    const ticket = await db.ticket.findFirstOrThrow({ orderBy: { id: 'desc' } });
    expect(ticket).toMatchObject({ regionId: ids.get('3399012023'), location: '桥头' });
  });

  test('绑定家庭 in such a county: a village typed goes straight to the name; a name three villages share asks between those only', async () => {
    const w = await freshWorld();
    const { db } = w.database;
    const root = await db.region.findFirstOrThrow({ where: { level: 'county' } });
    await writeCounty(db, root.id);
    const chat = new TestChat(w.engine, 'web', 'visitor-villages');
    await chat.send('绑定家庭');
    expect(chat.text()).toContain('请先选乡镇');
    await chat.send('兰亭镇老冲村');
    expect(chat.text()).toContain('姓名');

    const shared = new TestChat(w.engine, 'web', 'visitor-villages-2');
    await shared.send('绑定家庭');
    await shared.send('东湖村');
    // The demo's 东湖村 and the grown county's two: those only, named with their townships.
    const donghu = await db.region.findMany({ where: { name: '东湖村' } });
    expect(donghu).toHaveLength(3);
    expect(
      shared.replies
        .at(-1)
        ?.choices.map((c) => c.payload)
        .sort(),
    ).toEqual(donghu.map((r) => `village:${r.id}`).sort());
    expect(shared.replies.at(-1)?.choices.map((c) => c.label)).toContain('清溪镇东湖村');
    await shared.tap('清溪镇东湖村');
    expect(shared.text()).toContain('姓名');
  });
});
