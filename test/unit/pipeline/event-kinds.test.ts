/** Every kind of step a ticket's history shows has its label, Chinese and English, in the catalogues. */
import { describe, expect, test } from 'vitest';
import { zh } from '../../../flows/messages/zh.js';
import { render } from '../../../src/engine/i18n.js';
import { HISTORY_KINDS } from '../../../src/pipeline/event-kinds.js';

describe('history kinds', () => {
  test.each(HISTORY_KINDS)('%s reads in Chinese and in English, never as its code', (kind) => {
    const chinese = render('zh', `event.${kind}`);
    const english = render('en', `event.${kind}`);
    expect(chinese).toMatch(/^\p{Script=Han}/u);
    expect(english).not.toMatch(/\p{Script=Han}/u);
    // English words, not a code (ledger_ticket_linked); a one-word kind may read as itself (received).
    expect(english).toMatch(/^[a-z][a-z ]+$/i);
  });

  test('the catalogues label no kind the list leaves out (one list: a label without a kind is a kind missing from it)', () => {
    const labelled = Object.keys(zh)
      .filter((key) => key.startsWith('event.'))
      .map((key) => key.slice('event.'.length));
    expect([...labelled].sort()).toEqual([...HISTORY_KINDS].sort());
  });
});
