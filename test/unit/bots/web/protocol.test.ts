/**
 * The web chat's wire format (bots/web/protocol.ts) and its byte ranges (bots/web/http.ts),
 * without a server: voice notes and locations in, photos and voice notes out, echoes.
 */
import { describe, expect, test } from 'vitest';
import { byteRange } from '../../../../bots/web/http.js';
import { echoOf, ERRORS, parseActivity, parseSocketFrame, toWebMessage } from '../../../../bots/web/protocol.js';
import { mediaOf } from '../../../../src/engine/media.js';

const VOICE = `/uploads/${'a'.repeat(64)}.webm`;
const PHOTO = `/uploads/${'b'.repeat(64)}.jpg`;

function frame(fields: Record<string, unknown>) {
  return parseSocketFrame(JSON.stringify({ type: 'message', user: 'w1', messageId: 'm1', ...fields }));
}

describe('frames from the page', () => {
  test('a voice note keeps its kind; a media item without a kind is a photo (as before)', () => {
    expect(frame({ media: [{ kind: 'voice', ref: VOICE }] })).toEqual({
      ok: true,
      frame: { type: 'message', user: 'w1', messageId: 'm1', media: [{ kind: 'voice', ref: VOICE }] },
    });
    expect(frame({ media: [{ ref: PHOTO }] })).toMatchObject({ ok: true, frame: { media: [{ kind: 'photo', ref: PHOTO }] } });
    expect(frame({ media: [{ kind: 'video', ref: VOICE }] })).toEqual({ ok: false, error: ERRORS.badMedia });
    expect(frame({ media: [{ kind: 'voice', ref: '' }] })).toEqual({ ok: false, error: ERRORS.badMedia });
  });

  test('a location: both coordinates, in range, numbers; a place name is optional', () => {
    expect(frame({ location: { latitude: 28.2282, longitude: 112.9388 } })).toMatchObject({
      ok: true,
      frame: { location: { latitude: 28.2282, longitude: 112.9388 } },
    });
    expect(frame({ location: { latitude: -90, longitude: 180, label: ' 东湖村村口 ' } })).toMatchObject({
      ok: true,
      frame: { location: { latitude: -90, longitude: 180, label: '东湖村村口' } },
    });
    for (const location of [
      { latitude: 90.5, longitude: 0 },
      { latitude: 0, longitude: -180.01 },
      { latitude: '28.2', longitude: 112.9 },
      { latitude: 28.2 },
      { latitude: null, longitude: 112.9 },
      { latitude: 28.2, longitude: 112.9, label: 'x'.repeat(201) },
      '28.2,112.9',
    ]) {
      expect(frame({ location }), JSON.stringify(location)).toEqual({ ok: false, error: ERRORS.badLocation });
    }
    expect(ERRORS.badLocation).toMatch(/^位置无效 \/ invalid location/);
  });

  test('a tapped button keeps its label (shown by the other tabs)', () => {
    expect(frame({ action: 'yes', label: '是的' })).toMatchObject({ ok: true, frame: { action: 'yes', label: '是的' } });
  });

  test('the webhook takes a voice note and a location in channelData or top-level', () => {
    expect(parseActivity({ type: 'message', user: 's1', channelData: { media: [{ kind: 'voice', ref: VOICE }], location: { latitude: 1, longitude: 2 } } })).toMatchObject({
      ok: true,
      frame: { media: [{ kind: 'voice', ref: VOICE }], location: { latitude: 1, longitude: 2 } },
    });
    expect(parseActivity({ type: 'message', user: 's1', location: { latitude: 1, longitude: 2 } })).toMatchObject({ ok: true, frame: { location: { latitude: 1, longitude: 2 } } });
    expect(parseActivity({ type: 'message', user: 's1', channelData: { location: { latitude: 100, longitude: 2 } } })).toEqual({ ok: false, error: ERRORS.badLocation });
  });
});

describe('messages to the page', () => {
  test('media go out as files of their kind (as the engine names them); what the page cannot load is left out', () => {
    const message = toWebMessage({
      channel: 'web',
      chatId: 'w1',
      text: '网格员发来进展',
      choices: [],
      locale: 'zh',
      media: mediaOf([PHOTO, VOICE, 'AgACAgUAAxkBAAIBlarge', 'https://example.org/a.jpg']),
    });
    expect(message).toEqual({
      type: 'message',
      text: '网格员发来进展',
      files: [
        { kind: 'photo', url: PHOTO },
        { kind: 'voice', url: VOICE },
      ],
    });
    expect(toWebMessage({ channel: 'web', chatId: 'w1', text: 'x', choices: [], locale: 'zh' })).toEqual({ type: 'message', text: 'x' });
  });

  test('an echo carries what the user sent, for their other tabs', () => {
    const parsed = frame({ action: 'yes', label: '是的' });
    expect(parsed.ok && echoOf(parsed.frame)).toEqual({ type: 'echo', messageId: 'm1', action: 'yes', label: '是的' });
    const voice = frame({ media: [{ kind: 'voice', ref: VOICE }] });
    expect(voice.ok && echoOf(voice.frame)).toEqual({ type: 'echo', messageId: 'm1', files: [{ kind: 'voice', url: VOICE }] });
    const place = frame({ location: { latitude: 28.2, longitude: 112.9 } });
    expect(place.ok && echoOf(place.frame)).toEqual({ type: 'echo', messageId: 'm1', location: { latitude: 28.2, longitude: 112.9 } });
  });
});

describe('byte ranges of a stored file (Safari plays audio only from a server that answers them)', () => {
  test.each([
    [undefined, null],
    ['bytes=0-1', [0, 1]],
    ['bytes=0-', [0, 99]],
    ['bytes=10-2000', [10, 99]],
    ['bytes=-10', [90, 99]],
    ['bytes=-500', [0, 99]],
    ['bytes=100-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=5-1', null],
    ['bytes=0-1,5-6', null],
    ['items=0-1', null],
  ] as const)('%s of 100 bytes', (header, expected) => {
    expect(byteRange(header, 100)).toEqual(expected);
  });
});
