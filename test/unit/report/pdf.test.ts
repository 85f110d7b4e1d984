import { expect, test } from 'vitest';
import { chineseFontMissing } from '../../../src/report/pdf.js';

test('a machine whose fontconfig lists no Chinese font is told (its PDF would show boxes); one without fontconfig is not judged', () => {
  expect(chineseFontMissing(() => '\n')).toBe(true);
  expect(chineseFontMissing(() => 'WenQuanYi Micro Hei,文泉驿微米黑\n')).toBe(false);
  expect(
    chineseFontMissing(() => {
      throw Object.assign(new Error('spawn fc-list ENOENT'), { code: 'ENOENT' });
    }),
  ).toBe(false);
});
