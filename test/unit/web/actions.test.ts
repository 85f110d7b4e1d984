import { expect, test } from 'vitest';
import { commandOf } from '../../../src/web/console/actions.js';

test('a console form’s fields are read as typed text is kept: a full-width ticket number to merge into', () => {
  expect(commandOf('merge', new URLSearchParams({ into: 'ＭＱ－２０２６－００１６７１' }), [])).toEqual({ type: 'merge', into: 'MQ-2026-001671' });
  expect(commandOf('note', new URLSearchParams({ text: '  已电话联系１次 ' }), [])).toEqual({ type: 'note', text: '已电话联系1次' });
});
