/**
 * 挂牌督办 in chat, on both databases: a supervisor flags a department's ledger item; the
 * department's handler is told in their chat and reports progress from the push's button
 * or from 我的督办 in a step; the entries reach the ledger; someone else's items are not
 * theirs to report on.
 */
import { describe, expect, test } from 'vitest';
import { createLedgerItem, flagLedgerItem } from '../../src/ledger/ledger.js';
import { loadRegions } from '../../src/org/regions.js';
import { eachDialogueWorld } from '../helpers/dialogue-world.js';

eachDialogueWorld((freshWorld) => {
  describe('我的督办', () => {
    test('flagged, pushed to the department’s handler, progress reported from the push and from 我的督办', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const township = await db.region.findUniqueOrThrow({ where: { code: 'QH-01' } });
      const station = await db.department.findUniqueOrThrow({ where: { regionId_kind: { regionId: township.id, kind: 'power' } } });
      const supervisor = await db.person.findUniqueOrThrow({ where: { code: 'SUP-QH' } });
      const handler = await db.person.findUniqueOrThrow({ where: { code: 'H-QH-01-power' } });
      const handlerChat = await w.staff('H-QH-01-power', 'handler-1');
      const stranger = await w.staff('L-QH-01-001-01', 'liaison-1');
      const regions = await loadRegions(db);
      const now = w.clock.now();
      const input = { regionId: township.id, measures: '排查、更换', deadline: '2026-11-30', owner: `department:${station.id}`, isPublic: true, themeId: null };
      const itemId = await createLedgerItem(db, regions, { ...input, goal: '村口路灯全部修复' }, supervisor.id, now);
      // Not flagged: not in anyone's 我的督办.
      await createLedgerItem(db, regions, { ...input, goal: '未督办的事项' }, supervisor.id, now);

      await handlerChat.send('我的督办');
      expect(handlerChat.text()).toContain('您目前没有挂牌督办的事项');

      await flagLedgerItem(db, itemId, '本周内完成', supervisor.id, now);
      await handlerChat.receive(w.database, w.pipeline, w.clock);
      expect(handlerChat.text()).toContain(`【挂牌督办】台账事项 #${itemId}“村口路灯全部修复”已挂牌督办，完成时限 2026-11-30。督办要求：本周内完成`);
      await handlerChat.tap('报告进展');
      expect(handlerChat.text()).toContain(`请写下事项 #${itemId} 本月的进展`);
      await handlerChat.send('已排查 3 个村，更换 5 盏');
      expect(handlerChat.text()).toContain(`已记录事项 #${itemId}“村口路灯全部修复”的进展`);

      await handlerChat.send('我的督办');
      expect(handlerChat.text()).toContain('您有 1 项挂牌督办事项');
      expect(handlerChat.text()).not.toContain('未督办的事项');
      await handlerChat.send('1');
      await handlerChat.send('剩余 7 盏下周到货');

      // From the menu: tapped, or by its number.
      await handlerChat.send('菜单');
      const menu = handlerChat.replies.flatMap((r) => r.choices.map((c) => c.label));
      expect(menu).toContain('我的督办');
      await handlerChat.tap('我的督办');
      expect(handlerChat.text()).toContain('您有 1 项挂牌督办事项');
      await handlerChat.send('菜单');
      await handlerChat.send(String(menu.indexOf('我的督办') + 1));
      expect(handlerChat.text()).toContain('您有 1 项挂牌督办事项');
      await handlerChat.send('返回');
      const resident = await w.resident();
      await resident.send('菜单');
      expect(resident.replies.flatMap((r) => r.choices.map((c) => c.label))).not.toContain('我的督办');

      const entries = await db.ledgerProgress.findMany({ where: { itemId }, orderBy: { id: 'asc' } });
      expect(entries.map((e) => [e.text, e.byId])).toEqual([
        ['已排查 3 个村，更换 5 盏', handler.id],
        ['剩余 7 盏下周到货', handler.id],
      ]);
      const audits = await db.auditEvent.findMany({ where: { action: 'ledger_progress', actorId: handler.id } });
      expect(audits.map((e): unknown => JSON.parse(e.data))).toEqual([
        { itemId, from: 'chat' },
        { itemId, from: 'chat' },
      ]);

      // A liaison of the township answers for none of it, and the button is no way in.
      await stranger.send('我的督办');
      expect(stranger.text()).toContain('您目前没有挂牌督办的事项');
      await stranger.deliver({ action: `ledger:${itemId}` });
      await stranger.send('越权的进展');
      expect(stranger.text()).toContain('没有找到这项督办事项');
      expect(await db.ledgerProgress.count({ where: { itemId } })).toBe(2);
    });
  });
});
