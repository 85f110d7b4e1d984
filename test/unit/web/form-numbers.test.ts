import { describe, expect, test } from 'vitest';
import { formId } from '../../../src/web/console/form-numbers.js';

describe('an id read from a console form', () => {
  test.each([
    ['12', 12],
    [' 7 ', 7],
    ['０', 0],
    ['１２', 12],
    [' １２３ ', 123],
    ['999999999', 999999999],
  ])('%j reads as %d', (text, id) => {
    expect(formId(text)).toBe(id);
  });

  test.each([null, undefined, '', '   ', '1234567890', '-1', '1.5', '1e3', '0x1f', '12a', '十二', '1 2'])('%j is no id', (text) => {
    expect(formId(text)).toBeNull();
  });
});
