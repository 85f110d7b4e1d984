/**
 * The console's 转为诉求 proposes the village a visitor's words name, among every village
 * of a real-sized county (test/helpers/big-county.ts: 377), shown with its township.
 */
import { expect, test } from 'vitest';
import { conversationBody } from '../../../src/web/console/inbox-page.js';
import type { ConversationView } from '../../../src/web/console/inbox.js';
import { bigCountyVillages } from '../../helpers/big-county.js';

const at = new Date('2026-11-16T09:00:00+08:00');
const county = bigCountyVillages();

function page(said: string): string {
  const view: ConversationView = {
    id: 1,
    status: 'open',
    resident: '张**',
    region: '大县',
    channel: 'web',
    openedAt: at,
    lastResidentAt: at,
    lastStaffAt: null,
    unread: 1,
    waitingSince: at,
    preview: said,
    ticketNumber: null,
    closeReason: null,
    residentId: 5,
    homeRegionId: null,
    transcript: [{ at, author: 'resident', who: '张**', text: said, media: [] }],
  };
  return String(conversationBody({ view, csrf: 'x', now: at, categories: new Map([['other', '其他']]), suggested: null, villages: county }));
}

test('the 300th village named with its township is proposed; a name two townships share is left to choose', () => {
  const village300 = county[299]!;
  expect(page('我是兰亭镇老冲村的，路灯坏了')).toContain(`<option value="${village300.id}" selected>兰亭镇老冲村</option>`);
  expect(page('东湖村路灯坏了')).not.toContain(' selected>');
  expect(page('清溪镇东湖村路灯坏了')).toContain(`<option value="${county.find((v) => v.township === '清溪镇' && v.name === '东湖村')!.id}" selected>清溪镇东湖村</option>`);
});
