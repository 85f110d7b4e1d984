/**
 * The parent side of the crash and multi-process tests: Minqing processes
 * (worker-child.ts) that may be killed and restarted, a platform that re-delivers every
 * message not acknowledged, the log of what the channel delivered, and the simulated
 * residents and liaisons that act on what they receive.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Inbound } from '../../src/engine/types.js';
import type { FromWorker, LogLine, ToWorker } from './worker-child.js';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

/** A deterministic random source (mulberry32), so a failing run can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkerOptions {
  url: string;
  log: string;
  name: string;
  /** The fake clock's time when the process starts. */
  clock: () => Date;
  dedupe?: boolean;
  /** Scheduler interval in ms (0: only when ticked). */
  interval?: number;
  /** Rows the scheduler claims at a time. */
  batch?: number;
}

/** One Minqing process; it can be killed and started again on the same database. */
export class Worker {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly #waiters = new Map<string, ((message: FromWorker) => void)[]>();
  /** Called with each ack (and failure) from the process. */
  onAck: (messageId: string, failed?: string) => void = () => undefined;
  starts = 0;
  /** Timers this process fired in the rounds the parent asked for. */
  fired = 0;

  constructor(readonly options: WorkerOptions) {}

  get alive(): boolean {
    return this.#child !== undefined;
  }

  async start(): Promise<void> {
    const { url, log, name, dedupe, interval, batch } = this.options;
    const args = ['--url', url, '--log', log, '--worker', name, '--clock', this.options.clock().toISOString(), '--interval', String(interval ?? 200)];
    if (dedupe) args.push('--dedupe');
    if (batch) args.push('--batch', String(batch));
    const child = fork(CHILD, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child = child;
    this.starts++;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: FromWorker) => {
      if (message.type === 'ack') this.onAck(message.messageId);
      else if (message.type === 'failed') this.onAck(message.messageId, message.error);
      const waiting = this.#waiters.get(message.type)?.shift();
      waiting?.(message);
    });
    child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
    });
    await this.#next('ready', 60_000);
  }

  #next(type: FromWorker['type'], ms = 30_000): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.options.name}: no ${type} within ${ms} ms`)), ms);
      const list = this.#waiters.get(type) ?? [];
      list.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.#waiters.set(type, list);
    });
  }

  /** Hands a message to the process (lost if it dies first: the platform re-delivers). */
  post(message: ToWorker): void {
    this.#child?.send(message);
  }

  async setClock(at: Date): Promise<void> {
    const done = this.#next('clocked');
    this.post({ type: 'clock', at: at.toISOString() });
    await done;
  }

  /** One scheduler round: due timers, then the outbox. */
  async tick(): Promise<{ fired: number; sent: number }> {
    const done = this.#next('ticked');
    this.post({ type: 'tick' });
    const message = await done;
    if (message.type !== 'ticked' || message.error) throw new Error(`${this.options.name}: tick failed: ${message.type === 'ticked' ? message.error : ''}`);
    this.fired += message.fired;
    return { fired: message.fired, sent: message.sent };
  }

  /** SIGKILL, wherever the process is. */
  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#exited;
    this.#child = undefined;
  }

  async stop(): Promise<void> {
    this.post({ type: 'stop' });
    await this.#exited;
  }
}

/**
 * The chat platform: delivers each message to a process and again (same message id)
 * until some process acknowledges it, as Telegram does with an unanswered webhook.
 */
export class Platform {
  /** Messages sent and not acknowledged yet, with the process holding them. */
  readonly #pending = new Map<string, { inbound: Inbound; worker: Worker; done: () => void; fail: (error: Error) => void }>();
  /** Every message id ever sent. */
  readonly sent = new Set<string>();
  deliveries = 0;

  constructor(readonly workers: Worker[]) {
    for (const worker of workers) {
      worker.onAck = (messageId, failed) => {
        const entry = this.#pending.get(messageId);
        if (!entry) return;
        this.#pending.delete(messageId);
        if (failed) entry.fail(new Error(`${messageId}: ${failed}`));
        else entry.done();
      };
    }
  }

  /** Sends `inbound` to `worker` and resolves once a process acknowledged it. */
  deliver(inbound: Inbound, worker: Worker): Promise<void> {
    this.sent.add(inbound.messageId);
    return new Promise((done, fail) => {
      this.#pending.set(inbound.messageId, { inbound, worker, done, fail });
      if (worker.alive) {
        this.deliveries++;
        worker.post({ type: 'inbound', inbound });
      }
    });
  }

  /** Re-delivers (to `to`) every message `from` held unacknowledged when it died. */
  redeliver(from: Worker, to: Worker = from): number {
    let count = 0;
    for (const entry of this.#pending.values()) {
      if (entry.worker !== from) continue;
      entry.worker = to;
      this.deliveries++;
      count++;
      to.post({ type: 'inbound', inbound: entry.inbound });
    }
    return count;
  }

  get pending(): number {
    return this.#pending.size;
  }
}

/** What the channel delivered, read back from the log files of the processes. */
export class ChannelLog {
  readonly delivered: { id: number; chatId: string; text: string; payloads: string[]; worker: string }[] = [];
  resends = 0;
  readonly #offsets = new Map<string, number>();

  constructor(readonly files: string[]) {}

  /** Reads the lines written since the last call (a line cut by a kill is skipped). */
  refresh(): void {
    for (const file of this.files) {
      if (!existsSync(file)) continue;
      const text = readFileSync(file, 'utf8');
      const from = this.#offsets.get(file) ?? 0;
      const end = text.lastIndexOf('\n') + 1;
      if (end <= from) continue;
      for (const line of text.slice(from, end).split('\n')) {
        if (!line) continue;
        let parsed: LogLine;
        try {
          parsed = JSON.parse(line) as LogLine;
        } catch {
          continue;
        }
        if ('resend' in parsed) this.resends++;
        else this.delivered.push(parsed);
      }
      this.#offsets.set(file, end);
    }
  }

  /** Waits until `chatId` has been delivered a message for which `match` returns a value. */
  async waitFor<T>(chatId: string, match: (line: { text: string; payloads: string[] }) => T | null | undefined, ms = 45_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      this.refresh();
      for (const line of this.delivered) {
        if (line.chatId !== chatId) continue;
        const found = match(line);
        if (found !== null && found !== undefined) return found;
      }
      if (Date.now() > deadline) {
        // What the chat did receive tells a lost message from one the dialogue answered otherwise.
        const got = this.delivered.filter((line) => line.chatId === chatId).map((line) => `#${line.id} ${line.text.slice(0, 24)}`);
        throw new Error(`${chatId} never received the expected message; it received: ${got.join(' | ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** A resident and their paired liaison, each with a web chat (see src/bench/load.ts bindPairs). */
export interface Pair {
  residentChat: string;
  liaisonChat: string;
}

/** Runs jobs one at a time per key (a liaison handles one ticket at a time). */
export class Queues {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const next = (this.#tails.get(key) ?? Promise.resolve()).then(job);
    this.#tails.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }
}

const NUMBER = /MQ-\d{4}-\d{6}/;

/**
 * One resident's request from report to rating, with their liaison; each message goes
 * to the process `pick` chooses. Returns the ticket number.
 */
export async function requestRound(platform: Platform, log: ChannelLog, liaisons: Queues, pair: Pair, pick: () => Worker): Promise<string> {
  let step = 0;
  // Message ids are unique per request (a liaison's chat carries many requests).
  const from = (chat: string) => (message: { text?: string; action?: string }) =>
    platform.deliver({ channel: 'web', chatId: chat, senderId: chat, messageId: `${pair.residentChat}/${chat}/${++step}`, ...message }, pick());
  const resident = from(pair.residentChat);
  await resident({ text: '村口的路灯坏了好几天，晚上很黑' });
  for (const action of ['yes', 'home', 'skip', 'skip', 'submit']) await resident({ action });
  // The receipt may come late (a crash between commit and send): it is what the resident waits for.
  const number = await log.waitFor(pair.residentChat, (line) => NUMBER.exec(line.text)?.[0]);
  await liaisons.run(pair.liaisonChat, async () => {
    const liaison = from(pair.liaisonChat);
    await log.waitFor(pair.liaisonChat, (line) => line.payloads.includes(`accept:${number}`) || null);
    await liaison({ action: `accept:${number}` });
    await liaison({ action: `handle:${number}:resolve` });
    await liaison({ text: `${number} 已修好` });
  });
  await log.waitFor(pair.residentChat, (line) => line.payloads.includes(`rate:${number}:satisfied`) || null);
  await resident({ action: `rate:${number}:satisfied` });
  await resident({ text: '谢谢，修得很快' });
  return number;
}
