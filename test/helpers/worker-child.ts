/**
 * A Minqing process for the crash and multi-process tests, run by tsx as a child
 * process: the real app (engine, scheduler, outbox) on the database given, with a fake
 * clock, and one web channel whose "platform" is a log file of JSON lines.
 *
 * Over IPC the parent sends inbound messages (answered with an ack once the turn has
 * committed and its replies were handed to the channel), moves the clock, asks for a
 * scheduler round, and stops it. It may also kill it (SIGKILL) at any moment.
 *
 * The channel appends one line per message it delivers: `{ "id": outboxId, "chatId",
 * "text", "payloads", "worker" }`. With `--dedupe` it behaves like an idempotent
 * platform API that takes the outbox id as its idempotency key: an id it has delivered
 * before (it reads the log back at start) is acknowledged without a second delivery,
 * and noted as `{ "resend": outboxId }`. This is how a message re-sent after a crash
 * (between the platform accepting it and the row being marked sent) stays single.
 *
 *   tsx test/helpers/worker-child.ts --url URL --log FILE --worker NAME --clock ISO [--dedupe] [--interval MS] [--batch N]
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { ChannelAdapter, Inbound, Outbound } from '../../src/engine/types.js';
import type { DeliveryResult } from '../../src/pipeline/scheduler.js';
import { FakeClock } from './org-fixture.js';

/** Parent → child. */
export type ToWorker = { type: 'inbound'; inbound: Inbound } | { type: 'clock'; at: string } | { type: 'tick' } | { type: 'stop' };

/** Child → parent. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'ack'; messageId: string }
  | { type: 'failed'; messageId: string; error: string }
  | { type: 'clocked' }
  | { type: 'ticked'; fired: number; sent: number; error?: string };

/** One line of the channel's log. */
export type LogLine = { id: number; chatId: string; text: string; payloads: string[]; worker: string } | { resend: number; worker: string };

function arg(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function required(name: string): string {
  const value = arg(name);
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

const logFile = required('log');
const worker = required('worker');
const dedupe = process.argv.includes('--dedupe');

/** The platform behind the web channel: a log file. */
class LogChannel implements ChannelAdapter {
  readonly channel = 'web' as const;
  readonly #delivered = new Set<number>();

  constructor() {
    if (!existsSync(logFile)) return;
    const text = readFileSync(logFile, 'utf8');
    // A line cut short by a kill is no delivery; close it so the next line starts clean.
    if (text && !text.endsWith('\n')) appendFileSync(logFile, '\n');
    for (const line of text.split('\n')) {
      try {
        const parsed = JSON.parse(line) as LogLine;
        if ('id' in parsed) this.#delivered.add(parsed.id);
      } catch {
        // the cut line
      }
    }
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  send(message: Outbound): Promise<DeliveryResult> {
    const id = message.outboxId ?? -1;
    if (dedupe && this.#delivered.has(id)) {
      appendFileSync(logFile, `${JSON.stringify({ resend: id, worker })}\n`);
    } else {
      const line: LogLine = { id, chatId: message.chatId, text: message.text, payloads: message.choices.map((c) => c.payload), worker };
      appendFileSync(logFile, `${JSON.stringify(line)}\n`);
      this.#delivered.add(id);
    }
    return Promise.resolve({ status: 'sent' });
  }
}

const send = (message: FromWorker) => process.send?.(message);
const clock = new FakeClock(new Date(required('clock')));
const interval = Number(arg('interval') ?? '200');
const config = {
  ...parseConfig({ DATABASE_URL: required('url'), LOG_LEVEL: 'silent', SEED_DEMO: 'false', SCHEDULER_INTERVAL_MS: String(Math.max(200, interval)) }),
  // The simulated people write faster than anyone could.
  FLOOD_PER_MINUTE: Number.MAX_SAFE_INTEGER,
};
const batch = Number(arg('batch') ?? '0');
const app = await startApp(config, {
  clock,
  adapters: [new LogChannel()],
  workerId: worker,
  runScheduler: interval > 0,
  ...(batch > 0 ? { schedulerBatch: batch } : {}),
});

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'inbound':
      app.receive(message.inbound).then(
        () => send({ type: 'ack', messageId: message.inbound.messageId }),
        (error: unknown) => send({ type: 'failed', messageId: message.inbound.messageId, error: String(error) }),
      );
      return;
    case 'clock':
      clock.set(message.at);
      send({ type: 'clocked' });
      return;
    case 'tick':
      app.scheduler.tick().then(
        (done) => send({ type: 'ticked', ...done }),
        (error: unknown) => send({ type: 'ticked', fired: 0, sent: 0, error: String(error) }),
      );
      return;
    case 'stop':
      void app.stop().then(() => process.exit(0));
      return;
  }
});
send({ type: 'ready' });
