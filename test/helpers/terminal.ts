/**
 * A console terminal for end-to-end tests: what is typed in, what is printed out.
 * Pass `input` and `output` to a ConsoleAdapter.
 */
import { PassThrough } from 'node:stream';

export class Terminal {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  printed = '';

  constructor() {
    this.output.on('data', (d: Buffer) => (this.printed += d.toString()));
  }

  type(line: string): void {
    this.input.write(`${line}\n`);
  }

  /** Waits until `text` has been printed, or fails with what was printed. */
  async waitFor(text: string | RegExp, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    const seen = () => (typeof text === 'string' ? this.printed.includes(text) : text.test(this.printed));
    while (!seen()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; printed:\n${this.printed}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
