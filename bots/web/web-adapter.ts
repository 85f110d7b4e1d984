/**
 * The web chat channel: a chat page for phones, live over a websocket, and a webhook
 * (`POST /api/messages`) that answers with the bot's replies, for scripts and tests.
 *
 * Built on Botkit's web connector: `botbuilder-adapter-web`'s WebAdapter runs the
 * websocket server and turns frames and webhook posts into Bot Framework activities;
 * a Botkit controller turns those into `message` / `hello` events, which become our
 * `Inbound`, and webhook replies go back through `bot.reply` into the HTTP answer.
 * Botkit's own webserver, dialogs and storage are not used: the engine holds the
 * conversation in the database. Botkit's Bot Framework base is archived, so nothing
 * outside this folder sees it; swapping it out touches these files only.
 *
 * Photos and voice notes are uploaded first (`POST /api/uploads`, stored with the other
 * channels' uploads and served from `/uploads/…` with their content type), then sent as
 * media references; what a user sends from one tab is echoed to their other open tabs.
 * An upload names its user (`X-Minqing-User`), who must have a live chat: a page of
 * theirs connected, or a turn within SESSION_IDLE_MINUTES. Uploads (and data URLs in
 * messages) are held to a rate per user and per address and a daily quota per user, and
 * what nothing refers to in time is deleted (src/web/upload-ledger.ts, a duty of the
 * scheduler).
 *
 * Three gaps of the stock WebAdapter are closed here:
 * - it logs a frame it cannot parse (and Node's JSON error quotes the text): frames are
 *   checked before it sees them, and a bad one is answered and dropped;
 * - its heartbeat interval is never cleared: we take hold of it and clear it on stop;
 * - its socket table keeps one socket per user and forgets the user when any of their
 *   tabs closes: pushes go through our own table of every open socket per user.
 */
// First: before Botkit loads, so that the modules it never runs load on first use (see there).
import './lazy-modules.js';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebAdapter } from 'botbuilder-adapter-web';
import { Botkit, type BotkitMessage, type BotWorker } from 'botkit';
import type { Database } from '../../src/db/client.js';
import { chatSession } from '../../src/engine/turn-store.js';
import type { ChannelAdapter, Inbound, Outbound, SharedMedia } from '../../src/engine/types.js';
import { ConfigError } from '../../src/errors.js';
import { logger } from '../../src/log.js';
import { type DeliveryResult, wakeChat } from '../../src/pipeline/scheduler.js';
import type { Clock } from '../../src/pipeline/service.js';
import { limitedAddress, RequestAborted } from '../../src/web/http.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits, UploadLedger } from '../../src/web/upload-ledger.js';
import { createLimitedServer, type HttpLimits, noteAborted } from '../../src/web/server.js';
import { readBody, sendFile, sendJson, servePage } from './http.js';
import {
  echoOf,
  ERRORS,
  frameOf,
  isJsonType,
  MAX_BODY_BYTES,
  messageIdOf,
  USER_ID,
  parseActivity,
  parseSocketFrame,
  toWebMessage,
  type WebFrame,
  type WebMessage,
} from './protocol.js';
import { closeServer } from '../shared/close-server.js';
import { checkMedia, decodeDataUrl, defaultUploadDir, maxBytes, type MediaKind, type Stored, tooBigFor, UPLOAD_ERRORS, UploadStore } from '../shared/uploads.js';

const log = logger('web');

/** What we use of a `ws` socket (the WebAdapter's dependency, whose types stay out of ours). */
interface Socket {
  readonly readyState: number;
  send(data: string, callback: (error?: Error) => void): void;
  terminate(): void;
  once(event: 'close', listener: () => void): unknown;
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/** What we use of the WebAdapter's `ws` server. */
interface SocketServer {
  readonly clients: Set<Socket>;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: Socket) => void): void;
  emit(event: 'connection', ws: Socket, req: IncomingMessage): boolean;
  close(): void;
}

const OPEN = 1;

/** The WebAdapter, with its heartbeat interval kept so `stop()` can clear it. */
class StoppableWebAdapter extends WebAdapter {
  readonly heartbeats: NodeJS.Timeout[] = [];

  override createSocketServer(server: unknown, socketOptions: unknown, logic: unknown): void {
    // The stock method starts a setInterval it never clears; catch the handle as it is made.
    const realSetInterval = globalThis.setInterval;
    const capture = (callback: () => void, ms?: number): NodeJS.Timeout => {
      const timer = realSetInterval(callback, ms);
      this.heartbeats.push(timer);
      return timer;
    };
    globalThis.setInterval = capture;
    try {
      super.createSocketServer(server, socketOptions, logic);
    } finally {
      globalThis.setInterval = realSetInterval;
    }
  }
}

/**
 * Botkit wants a Storage for its dialog state. Ours lives in the database, so Botkit's
 * stays empty (its default MemoryStorage would grow with every user and warn on start).
 */
const NO_STORAGE = {
  read: () => Promise.resolve({}),
  write: () => Promise.resolve(),
  delete: () => Promise.resolve(),
};

/** Settings of the web chat channel. */
export interface WebAdapterOptions {
  /** The port to listen on; 0 picks a free one (see `port` once started). */
  port: number;
  /** The interface to listen on (default: all). */
  host?: string;
  /**
   * The database whose outbox holds pushes for closed pages, or a function that gives it
   * once the app has opened it (start.ts builds the adapter before startApp opens it).
   */
  database: Database | (() => Database | undefined);
  /**
   * Other pages served on the same port (the staff console and the public board), asked
   * first: true when they answered the request, false to leave it to the chat.
   */
  routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Where uploaded photos and voice notes are kept (default: data/uploads under the working folder). */
  uploadDir?: string;
  /** Timeouts and connection caps of the server (default: the settings' defaults). */
  http?: HttpLimits;
  /** Rates, daily quota and unreferenced time of uploads (default: the settings' defaults). */
  uploadLimits?: UploadLimits;
  /** Minutes since a chat's last turn within which it may still upload without a page connected (SESSION_IDLE_MINUTES; default 30). */
  sessionIdleMinutes?: number;
  /** Believe X-Forwarded-For for the rate per address (TRUST_PROXY). */
  trustProxy?: boolean;
  /** The app's clock (tests pass a fake one; default the system's). */
  clock?: Clock;
}

/** The header an upload names its chat's user id in. */
const UPLOAD_USER_HEADER = 'x-minqing-user';

/** The sweep of unreferenced uploads runs at most this often (the scheduler ticks every few seconds). */
const SWEEP_EVERY_MS = 10 * 60_000;

/** A webhook turn in progress: its replies go into the HTTP answer. */
interface WebhookTurn {
  reply?: (message: WebMessage) => Promise<void>;
  error?: unknown;
}

/** The web chat behind our ChannelAdapter interface. */
export class WebChatAdapter implements ChannelAdapter {
  readonly channel = 'web' as const;
  readonly #options: WebAdapterOptions;
  readonly #uploads: UploadStore;
  /** Every open socket of each user (a user may have several tabs open). */
  readonly #sockets = new Map<string, Set<Socket>>();
  readonly #webhookTurns = new Map<string, WebhookTurn>();
  readonly #webhookTails = new Map<string, Promise<unknown>>();
  #handle: ((inbound: Inbound) => Promise<void>) | undefined;
  #adapter: StoppableWebAdapter | undefined;
  #controller: Botkit | undefined;
  #wss: SocketServer | undefined;
  #server: Server | undefined;
  readonly #clock: Clock;
  readonly #ledger: UploadLedger;
  #lastSweep = -Infinity;
  /** The scheduler's duty: the sweep of unreferenced uploads, every ten minutes at most. */
  readonly duties: readonly (() => Promise<unknown>)[];

  constructor(options: WebAdapterOptions) {
    this.#options = options;
    this.#uploads = new UploadStore(options.uploadDir ?? defaultUploadDir());
    this.#clock = options.clock ?? { now: () => new Date() };
    this.#ledger = new UploadLedger(
      () => {
        const database = this.#database();
        if (!database) throw new Error('the web chat was asked for the database before the app started');
        return database.db;
      },
      this.#clock,
      options.uploadLimits ?? DEFAULT_UPLOAD_LIMITS,
    );
    this.duties = [
      async () => {
        const now = this.#clock.now().getTime();
        if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
        this.#lastSweep = now;
        await this.sweepUploads();
      },
    ];
  }

  #database(): Database | undefined {
    const option = this.#options.database;
    return typeof option === 'function' ? option() : option;
  }

  /** Deletes the uploads nothing referred to within UPLOAD_UNREFERENCED_HOURS (see src/web/upload-ledger.ts). */
  sweepUploads(): ReturnType<UploadLedger['sweep']> {
    return this.#ledger.sweep((name) => this.#uploads.remove(name));
  }

  /** The port the server listens on (the real one when started with port 0). */
  get port(): number {
    const address = this.#server?.address();
    return typeof address === 'object' && address !== null ? address.port : this.#options.port;
  }

  /** Whether a page of this chat is connected now. */
  isConnected(chatId: string): boolean {
    return this.connections(chatId) > 0;
  }

  /** How many pages (tabs) of this chat are connected now. */
  connections(chatId: string): number {
    return [...(this.#sockets.get(chatId) ?? [])].filter((ws) => ws.readyState === OPEN).length;
  }

  async start(handle: (inbound: Inbound) => Promise<void>): Promise<void> {
    this.#handle = handle;
    const adapter = new StoppableWebAdapter({ noServer: true, maxPayload: MAX_BODY_BYTES });
    this.#adapter = adapter;
    // No webserver of Botkit's own: ours below serves the page, the webhook and the upgrade.
    const controller = new Botkit({ adapter, disable_webserver: true, disable_console: true, storage: NO_STORAGE });
    this.#controller = controller;
    controller.on('message', (bot, message) => this.#onMessage(bot, message));
    controller.on(['hello', 'welcome_back', 'reconnect'], (_bot, message) => this.#onConnect(message));
    this.#wss = adapter.wss as SocketServer;

    const server = createLimitedServer((req, res) => void this.#route(req, res), this.#options.http);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(req, socket, head));
    this.#server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#options.port, this.#options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await this.stop();
      if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
        throw new ConfigError([`PORT: ${this.#options.port} is already in use; set PORT to a free port`]);
      }
      throw error;
    }
    log.info({ port: this.port }, 'web chat listening');
  }

  async stop(): Promise<void> {
    for (const ws of this.#wss?.clients ?? []) ws.terminate();
    this.#wss?.close();
    for (const timer of this.#adapter?.heartbeats ?? []) clearInterval(timer);
    this.#sockets.clear();
    await this.#controller?.shutdown();
    const server = this.#server;
    this.#server = undefined;
    await closeServer(server);
  }

  /**
   * Sends one message: into the HTTP answer during a webhook turn of that chat, else to
   * every open page of the chat; with no page open, 'offline' (it waits in the outbox).
   */
  async send(message: Outbound): Promise<DeliveryResult> {
    const web = toWebMessage(message);
    const turn = this.#webhookTurns.get(message.chatId);
    if (turn?.reply) {
      try {
        await turn.reply(web);
        return { status: 'sent' };
      } catch (error) {
        return { status: 'retry', error: error instanceof Error ? error.message : 'webhook reply failed' };
      }
    }
    return (await this.#push(message.chatId, web)) ? { status: 'sent' } : { status: 'offline' };
  }

  /** Writes a frame to every open socket of `user` (but `except`); true when at least one took it. */
  async #push(user: string, frame: object, except?: Socket): Promise<boolean> {
    const open = [...(this.#sockets.get(user) ?? [])].filter((ws) => ws.readyState === OPEN && ws !== except);
    if (!open.length) return false;
    const data = JSON.stringify(frame);
    const results = await Promise.all(open.map((ws) => new Promise<boolean>((done) => ws.send(data, (error) => done(!error)))));
    return results.some(Boolean);
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (this.#options.routes && (await this.#options.routes(req, res))) return;
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'POST' && path === '/api/messages') return await this.#webhook(req, res);
      if (req.method === 'POST' && path === '/api/uploads') return await this.#upload(req, res);
      if (req.method === 'GET' || req.method === 'HEAD') {
        if (path.startsWith('/uploads/')) {
          const file = await this.#uploads.read(path);
          if (file) return sendFile(req, res, file.bytes, file.contentType);
        } else if (await servePage(path, res)) {
          return;
        }
      }
      req.resume();
      sendJson(res, 404, { error: ERRORS.notFound });
    } catch (error) {
      if (error instanceof RequestAborted) return noteAborted(req.socket, 'request aborted by the client', { path: new URL(req.url ?? '/', 'http://localhost').pathname });
      log.error({ err: error }, 'web request failed');
      if (!res.headersSent) sendJson(res, 500, { error: ERRORS.failed });
      else res.destroy();
    }
  }

  /** `POST /api/messages`: one message in, the bot's replies out (Botkit's webhook mode). */
  async #webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isJsonType(req.headers['content-type'])) {
      req.resume();
      return sendJson(res, 400, { error: ERRORS.notJson });
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body.ok) return sendJson(res, 400, { error: ERRORS.tooLarge }, { connection: 'close' });
    let json: unknown;
    try {
      json = JSON.parse(body.bytes.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: ERRORS.malformed });
    }
    const parsed = parseActivity(json);
    if (!parsed.ok) return sendJson(res, 400, { error: parsed.error });
    // Photos are checked (and data URLs stored) before the turn, so a bad one is a 400.
    const media = await this.#resolveMedia(parsed.frame.media, parsed.frame.user, limitedAddress(req, this.#options.trustProxy ?? false));
    if (!media.ok) return sendJson(res, media.status ?? 400, { error: media.error }, media.retryAfterSeconds ? { 'retry-after': String(media.retryAfterSeconds) } : {});
    const frame: WebFrame = { ...parsed.frame, ...(media.list.length ? { media: media.list } : {}) };
    const replies = await this.#webhookTurn(frame);
    if (!replies.ok) return sendJson(res, 500, { error: ERRORS.failed });
    sendJson(res, 200, replies.messages);
  }

  /** Runs one webhook message through the WebAdapter and Botkit; one turn per user at a time. */
  #webhookTurn(frame: WebFrame): Promise<{ ok: true; messages: unknown[] } | { ok: false }> {
    const previous = this.#webhookTails.get(frame.user) ?? Promise.resolve();
    const run = async (): Promise<{ ok: true; messages: unknown[] } | { ok: false }> => {
      const adapter = this.#adapter;
      const controller = this.#controller;
      if (!adapter || !controller) return { ok: false };
      const turn: WebhookTurn = {};
      this.#webhookTurns.set(frame.user, turn);
      const answer: { body?: unknown } = {};
      // The WebAdapter answers through an Express-style response; this one only keeps the body.
      const res = {
        status: () => undefined,
        json: (body: unknown) => {
          answer.body = body;
        },
        end: () => undefined,
      };
      try {
        await adapter.processActivity({ body: frame }, res, async (context) => {
          await controller.handleTurn(context);
        });
      } catch (error) {
        turn.error = error;
      } finally {
        this.#webhookTurns.delete(frame.user);
      }
      if (turn.error !== undefined) {
        log.error({ err: turn.error }, 'webhook turn failed');
        return { ok: false };
      }
      return { ok: true, messages: Array.isArray(answer.body) ? (answer.body as unknown[]) : [] };
    };
    const next = previous.then(run, run);
    const tail = next.catch(() => undefined);
    this.#webhookTails.set(frame.user, tail);
    void tail.then(() => {
      if (this.#webhookTails.get(frame.user) === tail) this.#webhookTails.delete(frame.user);
    });
    return next;
  }

  /**
   * `POST /api/uploads`: a photo (`Content-Type: image/*`) or a voice note (`audio/*`) in,
   * its local URL and kind out. The bytes must be of the kind the type names. The upload
   * names its user (`X-Minqing-User`, the page's user id), who must have a live chat
   * (401 without an id, 403 without a chat); then the rates and the day's quota (429),
   * all before the body is read.
   */
  async #upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refuse = (status: number, error: string, headers: Record<string, string> = {}) => {
      req.resume();
      sendJson(res, status, { error }, headers);
    };
    const declared = /^\s*(image|audio)\//i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (!declared) return refuse(400, UPLOAD_ERRORS.notMedia);
    const kind: MediaKind = declared === 'image' ? 'photo' : 'voice';
    const user = req.headers[UPLOAD_USER_HEADER];
    if (typeof user !== 'string' || !USER_ID.test(user)) return refuse(401, UPLOAD_ERRORS.noSession);
    if (!this.#database()) return refuse(503, UPLOAD_ERRORS.starting, { 'retry-after': '5' });
    if (!(await this.#live(user))) return refuse(403, UPLOAD_ERRORS.noSession);
    const length = Number(req.headers['content-length'] ?? 0);
    const admitted = await this.#ledger.admit(user, limitedAddress(req, this.#options.trustProxy ?? false), Number.isFinite(length) ? length : 0);
    if (!admitted.ok) return refuse(429, admitted.reason === 'rate' ? UPLOAD_ERRORS.tooMany : UPLOAD_ERRORS.dailyQuota, { 'retry-after': String(admitted.retryAfterSeconds) });
    const body = await readBody(req, maxBytes(kind));
    if (!body.ok) return sendJson(res, 400, { error: tooBigFor(kind) }, { connection: 'close' });
    const stored = await this.#keep(body.bytes, kind, user);
    if (!stored.ok) return sendJson(res, stored.status ?? 400, { error: stored.error }, stored.retryAfterSeconds ? { 'retry-after': String(stored.retryAfterSeconds) } : {});
    sendJson(res, 200, { url: stored.url, kind: stored.kind });
  }

  /** Whether `user` has a live chat: a page of theirs connected here, or a turn within the session's idle time. */
  async #live(user: string): Promise<boolean> {
    if (this.isConnected(user)) return true;
    const db = this.#database()?.db;
    if (!db) return false;
    const session = await chatSession(db, 'web', user);
    const idleMs = (this.#options.sessionIdleMinutes ?? 30) * 60_000;
    return session !== null && this.#clock.now().getTime() - session.lastSeenAt.getTime() < idleMs;
  }

  /** Checks a user's file, counts it against their day, and stores it. */
  async #keep(bytes: Buffer, kind: MediaKind | undefined, user: string): Promise<Stored & { status?: number; retryAfterSeconds?: number }> {
    const checked = checkMedia(bytes, kind);
    if (!checked.ok) return checked;
    const recorded = await this.#ledger.record(user, checked.name, checked.bytes.length, !(await this.#uploads.has(checked.name)));
    if (!recorded.ok) return { ok: false, error: UPLOAD_ERRORS.dailyQuota, status: 429, retryAfterSeconds: recorded.retryAfterSeconds };
    await this.#uploads.write(checked);
    return { ok: true, url: checked.url, kind: checked.kind };
  }

  /**
   * The frame's media as stored uploads, each of the kind its bytes are; or the first
   * refusal. A data URL is an upload of `user`'s, held to the same rates and quota.
   */
  async #resolveMedia(
    media: WebFrame['media'],
    user: string,
    address?: string,
  ): Promise<{ ok: true; list: SharedMedia[] } | { ok: false; error: string; status?: number; retryAfterSeconds?: number }> {
    const list: SharedMedia[] = [];
    for (const item of media ?? []) {
      const bytes = item.ref.startsWith('data:') ? decodeDataUrl(item.ref) : null;
      let stored: Stored & { status?: number; retryAfterSeconds?: number };
      if (bytes && this.#database()) {
        const admitted = await this.#ledger.admit(user, address, bytes.length);
        if (!admitted.ok)
          return { ok: false, error: admitted.reason === 'rate' ? UPLOAD_ERRORS.tooMany : UPLOAD_ERRORS.dailyQuota, status: 429, retryAfterSeconds: admitted.retryAfterSeconds };
        stored = await this.#keep(bytes, item.kind, user);
      } else {
        stored = await this.#uploads.resolve(item.ref, item.kind);
      }
      if (!stored.ok) return stored;
      list.push({ kind: stored.kind, ref: stored.url });
    }
    return { ok: true, list };
  }

  /** Accepts a websocket on /ws from this site's own pages. */
  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const wss = this.#wss;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const origin = req.headers.origin;
    if (!wss || path !== '/ws' || (origin !== undefined && !sameHost(origin, req.headers.host))) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      this.#guard(ws);
      wss.emit('connection', ws, req);
    });
  }

  /**
   * Checks every frame before the WebAdapter's own listener sees it: a bad one is
   * answered with an error frame and dropped; a good one is passed on in canonical form.
   * The first frame ties the socket to its user. A message is echoed at once to the
   * user's other open tabs (not this one), so every tab shows the whole conversation;
   * if it is refused later, the error frame reaches every tab too.
   */
  #guard(ws: Socket): void {
    const emit = ws.emit.bind(ws);
    let user: string | undefined;
    ws.emit = (event: string | symbol, ...args: unknown[]): boolean => {
      if (event !== 'message') return emit(event, ...args);
      const data = args[0];
      const text = typeof data === 'string' ? data : Buffer.isBuffer(data) && args[1] !== true ? data.toString('utf8') : null;
      const parsed = text === null ? { ok: false as const, error: ERRORS.binary } : parseSocketFrame(text);
      if (!parsed.ok) return this.#reject(ws, parsed.error);
      if (user !== undefined && parsed.frame.user !== user) return this.#reject(ws, ERRORS.otherUser);
      if (user === undefined) {
        user = parsed.frame.user;
        this.#register(user, ws);
      }
      if (parsed.frame.type === 'message') void this.#push(user, echoOf(parsed.frame), ws);
      return emit('message', JSON.stringify(parsed.frame));
    };
  }

  #reject(ws: Socket, error: string): boolean {
    if (ws.readyState === OPEN) ws.send(JSON.stringify({ type: 'error', error }), () => undefined);
    return false;
  }

  #register(user: string, ws: Socket): void {
    let set = this.#sockets.get(user);
    if (!set) this.#sockets.set(user, (set = new Set()));
    set.add(ws);
    ws.once('close', () => {
      const current = this.#sockets.get(user);
      current?.delete(ws);
      if (current?.size === 0) this.#sockets.delete(user);
    });
  }

  /** A page (re)connected: what waited for it in the outbox is due again. */
  async #onConnect(message: BotkitMessage): Promise<void> {
    const fields: Record<string, unknown> = message;
    const frame = frameOf(fields);
    const database = this.#database();
    if (!frame || !database) return;
    try {
      const waiting = await wakeChat(database, 'web', frame.user, new Date());
      log.debug({ waiting }, 'web page connected');
    } catch (error) {
      log.warn({ err: error }, 'could not wake the waiting messages of a web chat');
    }
  }

  /** One message from a page or the webhook: into the engine, replies back the same way. */
  async #onMessage(bot: BotWorker, message: BotkitMessage): Promise<void> {
    const fields: Record<string, unknown> = message;
    const frame = frameOf(fields);
    const handle = this.#handle;
    if (!frame || !handle) return;
    const turn = message.incoming_message.channelId === 'webhook' ? this.#webhookTurns.get(frame.user) : undefined;
    if (turn) {
      turn.reply = async ({ id, ...reply }) => {
        // Botkit keeps an activity's own id for itself: ours travels in channelData, which becomes the answer's fields.
        await bot.reply(message, { ...reply, ...(id ? { channelData: { id } } : {}) });
      };
    }
    const fail = async (error: string, cause?: unknown): Promise<void> => {
      if (cause !== undefined) log.error({ err: cause }, 'web turn failed');
      if (turn) turn.error = cause ?? new Error(error);
      else await this.#push(frame.user, { type: 'error', error, ...(frame.messageId ? { messageId: frame.messageId } : {}) });
    };
    const media = await this.#resolveMedia(frame.media, frame.user);
    if (!media.ok) return fail(media.error);
    const inbound: Inbound = {
      channel: 'web',
      chatId: frame.user,
      senderId: frame.user,
      messageId: messageIdOf(frame),
      // The page's socket and the webhook's HTTP answer carry the replies; an unanswered message is resent.
      repliesInAnswer: true,
      ...(frame.text !== undefined ? { text: frame.text } : {}),
      ...(frame.action ? { action: frame.action } : {}),
      ...(frame.location ? { location: frame.location } : {}),
      ...(media.list.length ? { media: media.list } : {}),
    };
    try {
      await handle(inbound);
    } catch (error) {
      return fail(ERRORS.failed, error);
    }
    // The page resends what was not acknowledged; the engine drops a resend by its id.
    if (!turn && frame.messageId) await this.#push(frame.user, { type: 'ack', messageId: frame.messageId });
  }
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Creates the web chat adapter (started by startApp like every channel). */
export function createWebAdapter(options: WebAdapterOptions): WebChatAdapter {
  return new WebChatAdapter(options);
}
