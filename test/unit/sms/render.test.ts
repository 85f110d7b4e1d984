/**
 * What a resident reads by SMS (src/sms/render.ts): the chat's messages in the provider's
 * templates, fitted to one SMS of 70 characters (the 【签名】 included) where they can be —
 * the free text shortened, never the ticket number or the reply choices; no links; merged
 * pushes in one text with only the last choices kept.
 */
import { describe, expect, test } from 'vitest';
import type { Outbound } from '../../../src/engine/types.js';
import { renderSms, SMS_LENGTH } from '../../../src/sms/render.js';

const NUMBER = 'MQ-2026-000123';
const SIGN = '民情通';
const RATING_CHOICES = [
  { payload: `rate:${NUMBER}:satisfied`, label: '满意' },
  { payload: `rate:${NUMBER}:basically_satisfied`, label: '基本满意' },
  { payload: `rate:${NUMBER}:dissatisfied`, label: '不满意' },
];

function push(template: string, text: string, params: Record<string, unknown>, choices: Outbound['choices'] = []): Outbound {
  return { channel: 'sms', chatId: '13900000000', text, choices, locale: 'zh', source: { template, params, ticketNumber: NUMBER } };
}

const signedLength = (text: string) => [...`【${SIGN}】${text}`].length;

describe('renderSms', () => {
  test('a long result is shortened to fit one SMS; the number and the rating choices stay', () => {
    const result = '已联系县供电公司更换村口至小学路段全部九盏路灯的灯泡和两处老化线路，并加装了定时开关，今后每晚七点自动亮灯';
    const sms = renderSms(push('ticket.resolved_resident', `您的诉求 ${NUMBER} 已办结：${result}。`, { result }, RATING_CHOICES), SIGN);
    expect(sms.kind).toBe('rating');
    expect(signedLength(sms.text)).toBe(SMS_LENGTH);
    expect(sms.segments).toBe(1);
    expect(sms.params['number']).toBe(NUMBER);
    expect(sms.params['result']).toMatch(/^已联系县供电公司.*…$/);
    expect(sms.text).toMatch(/请评价，回复 1 满意 2 基本满意 3 不满意$/);
  });

  test('a progress note loses its link and line breaks, and the chat’s own lead', () => {
    const note = '师傅明天上午到。\n进度见 https://example.org/t/123 谢谢';
    const sms = renderSms(push('ticket.progress_resident', `您的诉求 ${NUMBER} 有新进展：${note}`, { note }), SIGN);
    expect(sms.kind).toBe('progress');
    expect(sms.text).toBe(`您的诉求${NUMBER}：有新进展：师傅明天上午到。 进度见 谢谢`);
    expect(sms.text).not.toContain('http');
  });

  test('merged pushes make one generic SMS; only the last choices are offered, numbered', () => {
    const receipt = push('ticket.received_resident', '…', { number: NUMBER, resolveBy: '2026-11-19T09:30:00.000Z' });
    const question = { ...push('ticket.info_requested_resident', `办理诉求 ${NUMBER} 需要您补充：门牌号？`, {}), choices: [{ payload: 'skip', label: '跳过' }] };
    const rating = push('ticket.resolved_resident', '…', { result: '已修好' }, RATING_CHOICES);
    const sms = renderSms({ ...receipt, merged: [question, rating] }, SIGN);
    expect(sms.kind).toBe('generic');
    expect(sms.params['content']).toBe(
      `您的诉求已受理，编号${NUMBER}，承诺11月19日 17:30前办结。 办理诉求 ${NUMBER} 需要您补充：门牌号？ 您的诉求${NUMBER}已办结：已修好。请评价，回复 1 满意 2 基本满意 3 不满意`,
    );
    expect(sms.text).toBe(sms.params['content']);
    // Over 70 characters: billed in parts of 67.
    expect(sms.segments).toBe(Math.ceil(signedLength(sms.text) / 67));
    expect(sms.text).not.toContain('回复 1 跳过');
  });

  test('an engine reply (no push behind it) keeps its text, its choices numbered', () => {
    const reply: Outbound = { channel: 'sms', chatId: '13900000000', text: '还有什么想说的吗？', choices: [{ payload: 'skip', label: '跳过' }], locale: 'zh' };
    expect(renderSms(reply, SIGN)).toEqual({ kind: 'generic', params: { content: '还有什么想说的吗？ 回复 1 跳过' }, text: '还有什么想说的吗？ 回复 1 跳过', segments: 1 });
  });
});
