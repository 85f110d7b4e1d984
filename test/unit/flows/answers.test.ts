/** The one-line title a request's description gets (flows/answers.ts). */
import { expect, test } from 'vitest';
import { summaryOf } from '../../../flows/answers.js';

test('a description with words added later on lines of their own is one line: a comma between, none after punctuation', () => {
  expect(summaryOf('村口的路灯坏了好几天\n晚上特别黑，老人出门摔了')).toBe('村口的路灯坏了好几天，晚上特别黑，老人出门摔了');
  expect(summaryOf('路灯坏了。\n  \n能不能快点')).toBe('路灯坏了。能不能快点');
  expect(summaryOf('路灯坏了')).toBe('路灯坏了');
  const long = '很长的描述'.repeat(20);
  expect(summaryOf(long)).toBe(`${long.slice(0, 60)}…`);
  expect(summaryOf(`${'一'.repeat(59)}\n二三`)).toBe(`${'一'.repeat(59)}，…`);
});
