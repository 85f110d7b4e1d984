import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FloodGuard, type FloodVerdict } from '../../../src/engine/flood-guard.js';

/** The engine's flood check as it was before FloodGuard (every time kept, one joined key per sender). */
class Reference {
  readonly #recent = new Map<string, number[]>();
  readonly #warned = new Map<string, number>();
  #sweptAt = 0;
  constructor(private readonly perMinute: number) {}

  check(key: string, now: number): FloodVerdict {
    if (now - this.#sweptAt >= 60_000) {
      this.#sweptAt = now;
      for (const [k, times] of this.#recent) if (!times.some((t) => now - t < 60_000)) this.#recent.delete(k);
      for (const [k, at] of this.#warned) if (now - at >= 60_000) this.#warned.delete(k);
    }
    const window = (this.#recent.get(key) ?? []).filter((t) => now - t < 60_000);
    window.push(now);
    this.#recent.set(key, window);
    if (window.length <= this.perMinute) return 'ok';
    if (now - (this.#warned.get(key) ?? 0) < 60_000) return 'drop';
    this.#warned.set(key, now);
    return 'warn';
  }
}

const START = Date.UTC(2026, 10, 22, 8);

describe('FloodGuard', () => {
  it('warns once past the limit, then drops until a minute after the warning', () => {
    const guard = new FloodGuard(3);
    const verdicts = [0, 1, 2, 3, 4, 5].map((s) => guard.check('web', 'a', START + s * 1000));
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'warn', 'drop', 'drop']);
    // Another sender, or the same id on another channel, is counted apart.
    expect(guard.check('web', 'b', START + 6000)).toBe('ok');
    expect(guard.check('telegram', 'a', START + 6000)).toBe('ok');
    // A minute after the warning the old messages have left the window.
    expect(guard.check('web', 'a', START + 63_001)).toBe('ok');
  });

  it('decides as the engine did before, for any senders, limits and times', () => {
    const step = fc.record({ sender: fc.integer({ min: 0, max: 3 }), channel: fc.constantFrom('web', 'telegram'), advance: fc.integer({ min: 0, max: 25_000 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(step, { maxLength: 200 }), (perMinute, steps) => {
        const guard = new FloodGuard(perMinute);
        const reference = new Reference(perMinute);
        let now = START;
        for (const { sender, channel, advance } of steps) {
          now += advance;
          expect(guard.check(channel, `s${sender}`, now)).toBe(reference.check(`${channel}:s${sender}`, now));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('forgets senders after a quiet minute', () => {
    const guard = new FloodGuard(20);
    for (let i = 0; i < 10_000; i += 1) guard.check('web', `visitor-${i}`, START + i);
    expect(guard.size).toBe(10_000);
    guard.check('web', 'late', START + 10_000 + 60_000);
    expect(guard.size).toBe(1);
  });
});
