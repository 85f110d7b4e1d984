/**
 * 我的交办 in chat, on both databases: a meeting's assignment reaches its owner's chat,
 * who marks it done from the push's button (after a yes) or from 我的交办; someone else
 * cannot, and a done assignment is no longer listed.
 */
import { describe, expect, test } from 'vitest';
import { addDecision } from '../../src/meetings/decisions.js';
import { prepareMeeting } from '../../src/meetings/meetings.js';
import { loadRegions } from '../../src/org/regions.js';
import { eachDialogueWorld } from '../helpers/dialogue-world.js';

eachDialogueWorld((freshWorld) => {
  describe('我的交办', () => {
    test('told in chat, marked done from the push and from 我的交办; nobody else can', async () => {
      const w = await freshWorld();
      const { db } = w.database;
      const regions = await loadRegions(db);
      const village = await db.region.findUniqueOrThrow({ where: { code: 'QH-01-001' } });
      const dispatcher = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const liaison = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' } });
      const owner = await w.staff('L-QH-01-001-01', 'liaison-1');
      const stranger = await w.staff('L-QH-01-001-02', 'liaison-2');
      const now = w.clock.now();
      const meetingId = (await prepareMeeting(db, regions, { regionId: village.id, kind: 'village', period: '2026-11', heldOn: '2026-11-16' }, now))!;
      const meeting = { id: meetingId, regionId: village.id, kind: 'village' as const, heldOn: '2026-11-16' };
      const ctx = { db, regions, pipeline: w.pipeline, actorId: dispatcher.id, now };
      const first = await addDecision(ctx, meeting, { kind: 'assignment', text: '统计需要更换的路灯', owner: `person:${liaison.id}`, deadline: '2026-11-27' });
      const second = await addDecision(ctx, meeting, { kind: 'assignment', text: '通知村民参加议事', owner: `person:${liaison.id}`, deadline: '2026-11-25' });

      await owner.receive(w.database, w.pipeline, w.clock);
      expect(owner.text()).toContain(
        `【会议交办】2026-11-16 ${village.name}村务议政会决定：统计需要更换的路灯。由您负责，完成时限 2026-11-27。完成后点“已完成”，或发送“我的交办”查看。`,
      );
      // The push's button (the first push's, as the owner reads them in order).
      await owner.tap('已完成');
      expect(owner.text()).toContain(`确认交办事项 #${first} 已经完成了吗`);
      await owner.tap('是的');
      expect(owner.text()).toContain(`已将交办事项 #${first}“统计需要更换的路灯”标记为完成`);
      expect(await db.meetingDecision.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ doneById: liaison.id });
      const audits = await db.auditEvent.findMany({ where: { action: 'meeting_assignment_done', actorId: liaison.id } });
      expect(audits.map((e): unknown => JSON.parse(e.data))).toEqual([{ decisionId: first, from: 'chat' }]);

      await owner.send('我的交办');
      expect(owner.text()).toContain('您有 1 项会议交办事项未完成');
      await owner.send('1');
      expect(owner.text()).toContain(`确认交办事项 #${second} 已经完成了吗`);
      await owner.tap('不用了');
      expect((await db.meetingDecision.findUniqueOrThrow({ where: { id: second } })).doneAt).toBeNull();
      await owner.send('我的交办');
      await owner.send('1');
      await owner.tap('是的');
      expect(owner.text()).toContain(`已将交办事项 #${second}“通知村民参加议事”标记为完成`);
      await owner.send('我的交办');
      expect(owner.text()).toContain('您目前没有未完成的会议交办事项');

      // Not theirs: the button is no way in.
      const third = await addDecision(ctx, meeting, { kind: 'assignment', text: '清理河道垃圾', owner: `person:${liaison.id}`, deadline: '2026-11-30' });
      await stranger.send('我的交办');
      expect(stranger.text()).toContain('您目前没有未完成的会议交办事项');
      await stranger.deliver({ action: `assignment:${third}` });
      await stranger.tap('是的');
      expect(stranger.text()).toContain('没有找到这项交办事项');
      expect((await db.meetingDecision.findUniqueOrThrow({ where: { id: third } })).doneAt).toBeNull();
    });
  });
});
