/**
 * Every code a ticket's channel can hold is read by people (the ticket page, the statistics,
 * the report, the inbox): each has a Chinese-first name, none is shown as its code.
 */
import { describe, expect, test } from 'vitest';
import { RECEIPT_CHANNELS } from '../../src/intake/intake.js';
import { OPEN311_CHANNEL } from '../../src/open311/requests.js';
import { CHANNELS } from '../../src/org/types.js';
import { channelName, channelText } from '../../src/stats/channels.js';
import { VIA_NAMES } from '../../src/web/console/ticket.js';

/** Chat platforms, staff registration, the console's conversations, the API and meeting decisions. */
const EVERY_CHANNEL = [...CHANNELS, ...RECEIPT_CHANNELS, 'conversation', OPEN311_CHANNEL, 'meeting'];

describe('channel names', () => {
  test.each(EVERY_CHANNEL)('%s has a name of its own, said once', (code) => {
    const name = channelName(code);
    expect(name.zh).not.toBe(code);
    // Chinese, but for a platform's own brand (Telegram), which is then said once.
    if (code !== 'telegram') expect(name.zh).toMatch(/\p{Script=Han}/u);
    expect(channelText(code)).not.toMatch(/^(\S+) \1$/);
  });

  test('a meeting decision and the Open311 API read as such, not as their codes', () => {
    expect(channelText('meeting')).toBe('会议决定 meeting decision');
    expect(channelText(OPEN311_CHANNEL)).toBe('开放接口 Open311 API');
  });

  test('a ticket settled on the spot reads so in its routing', () => {
    expect(VIA_NAMES.on_the_spot).toBe('当场办结 settled on the spot');
  });
});
