import { describe, expect, test } from 'vitest';
import { en } from '../../../flows/messages/en.js';
import { zh } from '../../../flows/messages/zh.js';
import { formatInstant, render, renderRefusal } from '../../../src/engine/i18n.js';

describe('message catalogues', () => {
  test('zh and en have the same keys and the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(zh[key]));
    }
  });

  test('dates show in Beijing time, catalogue values are translated, unknown keys throw', () => {
    const at = '2026-10-10T09:30:00.000Z';
    expect(formatInstant(new Date(at), 'zh')).toBe('10月10日 17:30');
    expect(formatInstant(new Date(at), 'en')).toBe('10 Oct 17:30');
    expect(render('zh', 'ticket.escalated_resident', { number: 'MQ-2026-000001', level: 'township' })).toBe('您的诉求 MQ-2026-000001 已上报镇（街道）办理。');
    expect(render('en', 'ticket.accepted_resident', { number: 'MQ-2026-000001', resolveBy: at })).toBe(
      'Your request MQ-2026-000001 was accepted by its handler; expected by 10 Oct 17:30.',
    );
    expect(render('zh', 'ticket.received_resident', { number: 'X', summary: 's', resolveBy: null })).toContain('—');
    expect(() => render('zh', 'no.such.key')).toThrow(/no key no.such.key/);
  });

  test('refusals read as sentences in both languages', () => {
    expect(renderRefusal('zh', { code: 'wrong_state', command: 'resolve', state: 'dispatched' })).toBe('诉求当前状态为“已派单”，不能执行此操作。');
    expect(renderRefusal('en', { code: 'invalid', field: 'reason', reason: 'required' })).toBe('"reason" is not right: it is required.');
    expect(renderRefusal('zh', { code: 'no_level_above' })).toBe('已是最高一级，无法继续上报。');
  });
});
