/**
 * A fake Telegram Bot API on 127.0.0.1 (node:http), and Telegram users who talk to the
 * bot through it: no network. grammY is pointed at it with `apiRoot` and given
 * `botInfo`, so it never calls the real Telegram.
 *
 * The fake records every call (JSON and multipart uploads alike), hands out updates from
 * a queue for long polling, keeps files (getFile and the file download path: photos,
 * voice notes, audio files; and what the bot uploads with sendPhoto, sendVoice,
 * sendAudio and sendDocument), and fails
 * on demand: one call at a time (429 with retry_after, 500, 403, 400), or everything at
 * once while it is "down" (connection refused, or a 5xx for every call).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Update, UserFromGetMe } from 'grammy/types';
import { expect } from 'vitest';
import { requestBody, stopServer } from './fake-http.js';
import type { ChatDriver } from './two-sided.js';

/** A token in the Bot API's format (never a real one). */
export const TOKEN = '123456:TEST-token_for-the-fake';

/** The bot's own getMe. */
export const BOT_INFO: UserFromGetMe = {
  id: 6000000001,
  is_bot: true,
  first_name: '民情',
  username: 'MinqingBot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/** One recorded Bot API call. */
export interface Call {
  method: string;
  /** The JSON body, or the text fields of a multipart upload. */
  body: Record<string, unknown>;
  /** The files of a multipart upload, by field name. */
  files: Record<string, Buffer>;
  /** Their file names, by field name. */
  names: Record<string, string>;
  /** What the fake answered (200, or the failure's status). */
  status: number;
}

/** A Bot API failure the fake answers with. */
export interface Failure {
  code: 429 | 500 | 502 | 403 | 400;
  description: string;
  retryAfter?: number;
}

/** A keyboard button as grammY sends it. */
interface Button {
  text: string;
  callback_data: string;
}

/** How the fake is down: nothing listens on its port, or every call gets this status. */
export type Outage = 'refused' | 500 | 502;

const DESCRIPTIONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway' };

/** A fake Telegram Bot API: records calls, queues updates, keeps files, fails on demand. */
export class FakeBotApi {
  readonly calls: Call[] = [];
  readonly #queue: Update[] = [];
  readonly #waiting = new Set<() => void>();
  /** Failures by `method` or `method:chat_id`, used once each, in order. */
  readonly #failures = new Map<string, Failure[]>();
  /** Files by file id (what users sent and what the bot uploaded). */
  readonly #files = new Map<string, Buffer>();
  /** Each file's `file_path` (as getFile gives it), and back. */
  readonly #paths = new Map<string, string>();
  readonly #byPath = new Map<string, string>();
  #server: Server | undefined;
  #port = 0;
  #outage: Outage | undefined;
  #nextMessageId = 1000;
  #nextUpdateId = 1;
  #nextFileId = 1;

  /** The Bot API root to give grammY (`client.apiRoot`). */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    await this.#listen(0);
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await stopServer(server);
  }

  /**
   * Takes the API down: 'refused' closes the port (and every open connection, long
   * polls included); a status answers every call with it until `comeBack()`.
   */
  async goDown(outage: Outage = 'refused'): Promise<void> {
    this.#outage = outage;
    if (outage === 'refused') await this.stop();
  }

  /** Back up, on the same port. */
  async comeBack(): Promise<void> {
    const outage = this.#outage;
    this.#outage = undefined;
    if (outage === 'refused') await this.#listen(this.#port);
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      // A bug in the fake must show as a failed call, never as a request left hanging.
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(599, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 599, description: String(error) }));
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await requestBody(req);
    const answer = (status: number, json: unknown): void => {
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    };
    const download = /^\/file\/bot[^/]+\/(.+)$/.exec(req.url ?? '');
    if (download) {
      const fileId = this.#byPath.get(decodeURIComponent(download[1] ?? ''));
      const bytes = fileId === undefined ? undefined : this.#files.get(fileId);
      if (this.#outage !== undefined) return answer(this.#outage === 'refused' ? 502 : this.#outage, { ok: false });
      if (!bytes) return answer(404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
      return;
    }
    const method = /^\/bot[^/]+\/(\w+)$/.exec(req.url ?? '')?.[1] ?? '?';
    const { body, files, names } = parseBody(req.headers['content-type'], raw);
    const failure: Failure | undefined =
      this.#outage !== undefined && this.#outage !== 'refused'
        ? { code: this.#outage, description: DESCRIPTIONS[this.#outage] ?? 'down' }
        : this.#takeFailure(method, body['chat_id']);
    const call: Call = { method, body, files, names, status: failure?.code ?? 200 };
    this.calls.push(call);
    if (failure) {
      return answer(failure.code, {
        ok: false,
        error_code: failure.code,
        description: failure.description,
        ...(failure.retryAfter === undefined ? {} : { parameters: { retry_after: failure.retryAfter } }),
      });
    }
    switch (method) {
      case 'getMe':
        return answer(200, { ok: true, result: BOT_INFO });
      case 'getUpdates': {
        const limit = typeof body['limit'] === 'number' ? body['limit'] : 100;
        const wait = typeof body['timeout'] === 'number' && body['timeout'] > 0 ? 300 : 0;
        const reply = () => answer(200, { ok: true, result: this.#queue.splice(0, limit) });
        if (this.#queue.length || !wait) return reply();
        const wake = () => {
          this.#waiting.delete(wake);
          clearTimeout(timer);
          reply();
        };
        const timer = setTimeout(wake, wait);
        this.#waiting.add(wake);
        res.on('close', () => {
          this.#waiting.delete(wake);
          clearTimeout(timer);
        });
        return;
      }
      case 'getFile': {
        const fileId = String(body['file_id']);
        const bytes = this.#files.get(fileId);
        if (!bytes) return answer(400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
        return answer(200, { ok: true, result: { file_id: fileId, file_unique_id: `u${fileId}`, file_size: bytes.length, file_path: this.#paths.get(fileId) } });
      }
      case 'sendVoice':
      case 'sendAudio':
      case 'sendDocument': {
        // The field is the method's noun: voice, audio, document.
        const field = method.slice('send'.length).toLowerCase();
        const uploaded = files[field];
        const fileId = uploaded ? this.addFile(uploaded, field) : String(body[field]);
        return answer(200, {
          ok: true,
          result: {
            message_id: this.#nextMessageId++,
            date: 0,
            chat: { id: Number(body['chat_id']), type: 'private' },
            [field]: { file_id: fileId, file_unique_id: `u${fileId}`, ...(field === 'document' ? {} : { duration: 3 }) },
          },
        });
      }
      case 'sendPhoto': {
        // An upload becomes a file of its own, as on Telegram; a file id or URL is kept as given.
        const uploaded = files['photo'];
        const fileId = uploaded ? this.addFile(uploaded) : String(body['photo']);
        return answer(200, {
          ok: true,
          result: {
            message_id: this.#nextMessageId++,
            date: 0,
            chat: { id: Number(body['chat_id']), type: 'private' },
            photo: [{ file_id: fileId, file_unique_id: `u${fileId}`, width: 90, height: 90 }],
          },
        });
      }
      case 'sendMessage':
        return answer(200, {
          ok: true,
          result: { message_id: this.#nextMessageId++, date: 0, chat: { id: Number(body['chat_id']), type: 'private' }, text: body['text'] },
        });
      default:
        return answer(200, { ok: true, result: true });
    }
  }

  /** Fails the next call of `method` (for `chatId` only, when given). */
  failNext(method: string, failure: Failure, chatId?: string): void {
    const key = chatId === undefined ? method : `${method}:${chatId}`;
    this.#failures.set(key, [...(this.#failures.get(key) ?? []), failure]);
  }

  #takeFailure(method: string, chatId: unknown): Failure | undefined {
    for (const key of [`${method}:${String(chatId)}`, method]) {
      const list = this.#failures.get(key);
      if (list?.length) return list.shift();
    }
    return undefined;
  }

  /** Queues an update for long polling (delivered as it is: the same one twice is a re-delivery). */
  push(update: Update): void {
    this.#queue.push(update);
    for (const wake of [...this.#waiting]) wake();
  }

  newUpdateId(): number {
    return this.#nextUpdateId++;
  }

  /**
   * Keeps `bytes` as a Telegram file and returns its id (long, as real ids are); its
   * file_path is `<folder>/file_<n>.<ext>`, as Telegram names them (`photos/file_3.jpg`,
   * `voice/file_4.oga`, `music/file_5.mp3`).
   */
  addFile(bytes: Buffer, folder = 'photos', ext = folder === 'voice' ? 'oga' : folder === 'photos' ? 'jpg' : 'bin'): string {
    const n = this.#nextFileId++;
    const fileId = `AgACAgUAAxkBfake${String(n).padStart(8, '0')}`;
    const path = `${folder}/file_${n}.${ext}`;
    this.#files.set(fileId, bytes);
    this.#paths.set(fileId, path);
    this.#byPath.set(path, fileId);
    return fileId;
  }

  /** The file behind an id, if the fake has it. */
  file(fileId: string): Buffer | undefined {
    return this.#files.get(fileId);
  }

  /** Every `method` call for `chatId`, failed ones included. */
  attempts(chatId: number | string, method = 'sendMessage'): Call[] {
    return this.calls.filter((c) => c.method === method && String(c.body['chat_id']) === String(chatId));
  }

  /** The messages the bot delivered to `chatId` (successful sendMessage calls). */
  sent(chatId: number | string): Call[] {
    return this.calls.filter((c) => c.method === 'sendMessage' && c.status === 200 && String(c.body['chat_id']) === String(chatId));
  }

  /** The photos the bot delivered to `chatId`, as bytes (an upload, or a file id the fake knows). */
  photos(chatId: number | string): Buffer[] {
    return this.calls
      .filter((c) => c.method === 'sendPhoto' && c.status === 200 && String(c.body['chat_id']) === String(chatId))
      .flatMap((c) => {
        const bytes = c.files['photo'] ?? this.#files.get(String(c.body['photo']));
        return bytes ? [bytes] : [];
      });
  }

  /** The voice notes and audio files the bot delivered to `chatId`, by method, as bytes. */
  sounds(chatId: number | string): { method: string; bytes: Buffer; name?: string }[] {
    return this.calls
      .filter((c) => ['sendVoice', 'sendAudio', 'sendDocument'].includes(c.method) && c.status === 200 && String(c.body['chat_id']) === String(chatId))
      .flatMap((c) => {
        const field = c.method.slice('send'.length).toLowerCase();
        const bytes = c.files[field] ?? this.#files.get(String(c.body[field]));
        return bytes ? [{ method: c.method, bytes, ...(c.names[field] ? { name: c.names[field] } : {}) }] : [];
      });
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

/**
 * A JSON body, or a multipart form (grammY uploads files that way): its text fields and
 * its files. grammY names a file part by a random id and points to it with
 * `attach://<id>` in the field (`photo`), so files are filed under that field's name.
 * Parsed by hand: grammY's parts (unquoted file names, no space after the colon) are
 * valid but too loose for undici's FormData parser.
 */
function parseBody(contentType: string | undefined, raw: Buffer): { body: Record<string, unknown>; files: Record<string, Buffer>; names: Record<string, string> } {
  const files: Record<string, Buffer> = {};
  const names: Record<string, string> = {};
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType ?? '')?.[2];
  if (contentType?.startsWith('multipart/form-data') && boundary) {
    const body: Record<string, unknown> = {};
    const parts: Record<string, { value: Buffer; file: boolean; filename?: string }> = {};
    const delimiter = Buffer.from(`--${boundary}`);
    let at = raw.indexOf(delimiter);
    while (at !== -1) {
      const start = at + delimiter.length + 2; // past the CRLF after the delimiter
      const next = raw.indexOf(delimiter, start);
      if (next === -1) break;
      const part = raw.subarray(start, next - 2); // minus the CRLF before the next delimiter
      const split = part.indexOf('\r\n\r\n');
      const headers = part.subarray(0, split).toString('utf8');
      const name = /name="?([^";\r\n]+)"?/i.exec(headers)?.[1];
      const filename = /filename="?([^";\r\n]+)"?/i.exec(headers)?.[1];
      if (name) parts[name] = { value: part.subarray(split + 4), file: filename !== undefined, ...(filename === undefined ? {} : { filename }) };
      at = next;
    }
    for (const [name, part] of Object.entries(parts)) {
      if (part.file) continue;
      const text = part.value.toString('utf8');
      const attached = /^attach:\/\/(.+)$/.exec(text)?.[1];
      const file = attached === undefined ? undefined : parts[attached];
      if (file) {
        files[name] = file.value;
        if (file.filename !== undefined) names[name] = file.filename;
      } else body[name] = /^[[{]/.test(text) ? (JSON.parse(text) as unknown) : text;
    }
    return { body, files, names };
  }
  try {
    return { body: raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {}, files, names };
  } catch {
    return { body: { raw: raw.toString('utf8') }, files, names };
  }
}

/** A Telegram user's client: types, taps buttons, sends photos, reads what the bot sent. */
export class TelegramUser {
  #messageId = 1;
  constructor(
    readonly api: FakeBotApi,
    readonly chatId: number,
    readonly firstName: string,
  ) {}

  #message(content: Record<string, unknown>): Update {
    const update = {
      update_id: this.api.newUpdateId(),
      message: {
        message_id: this.#messageId++,
        date: Math.floor(Date.now() / 1000),
        from: { id: this.chatId, is_bot: false, first_name: this.firstName },
        chat: { id: this.chatId, type: 'private', first_name: this.firstName },
        ...content,
      },
    } as Update;
    this.api.push(update);
    return update;
  }

  type(text: string): Update {
    return this.#message({ text });
  }

  /** Sends a photo: the fake keeps the bytes as a file, the update carries two sizes of it. */
  sendPhoto(bytes: Buffer): Update {
    const fileId = this.api.addFile(bytes);
    const thumb = this.api.addFile(bytes.subarray(0, 16));
    return this.#message({
      photo: [
        { file_id: thumb, file_unique_id: `u${thumb}`, width: 90, height: 90, file_size: 16 },
        { file_id: fileId, file_unique_id: `u${fileId}`, width: 800, height: 600, file_size: bytes.length },
      ],
    });
  }

  /** Records a voice note in Telegram (OGG/Opus, kept by the fake as `voice/file_<n>.oga`). */
  sendVoice(bytes: Buffer, duration = 4): Update {
    const fileId = this.api.addFile(bytes, 'voice');
    return this.#message({ voice: { file_id: fileId, file_unique_id: `u${fileId}`, duration, mime_type: 'audio/ogg', file_size: bytes.length } });
  }

  /** Sends an audio file from the phone (`music/file_<n>.<ext>`). */
  sendAudio(bytes: Buffer, fileName: string, mimeType: string): Update {
    const fileId = this.api.addFile(bytes, 'music', fileName.slice(fileName.lastIndexOf('.') + 1));
    return this.#message({ audio: { file_id: fileId, file_unique_id: `u${fileId}`, duration: 12, file_name: fileName, mime_type: mimeType, file_size: bytes.length } });
  }

  /** Shares a place picked from the map's list: a venue, which comes with its location. */
  sendVenue(latitude: number, longitude: number, title: string, address: string): Update {
    return this.#message({ location: { latitude, longitude }, venue: { location: { latitude, longitude }, title, address } });
  }

  /** Taps the button labelled `label` (exactly, else the first that starts with it) on the latest message that has it. */
  tap(label: string): Update {
    const sent = this.api.sent(this.chatId);
    for (let i = sent.length - 1; i >= 0; i--) {
      const markup = sent[i]?.body['reply_markup'] as { inline_keyboard?: Button[][] } | undefined;
      const buttons = markup?.inline_keyboard?.flat() ?? [];
      const button = buttons.find((b) => b.text === label) ?? buttons.find((b) => b.text.startsWith(label));
      if (!button) continue;
      const update: Update = {
        update_id: this.api.newUpdateId(),
        callback_query: {
          id: `q${this.api.newUpdateId()}`,
          from: { id: this.chatId, is_bot: false, first_name: this.firstName },
          chat_instance: 'ci',
          data: button.callback_data,
          message: {
            message_id: 1000 + i,
            date: 0,
            chat: { id: this.chatId, type: 'private', first_name: this.firstName },
            from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name },
            text: String(sent[i]?.body['text']),
          },
        },
      };
      this.api.push(update);
      return update;
    }
    throw new Error(`no button ${label}; the bot said:\n${this.transcript()}`);
  }

  /** The texts the bot sent this user, in order. */
  texts(): string[] {
    return this.api.sent(this.chatId).map((c) => String(c.body['text']));
  }

  transcript(): string {
    return this.texts().join('\n');
  }

  async waitFor(text: string | RegExp, ms = 15_000): Promise<void> {
    const seen = () => this.texts().some((t) => (typeof text === 'string' ? t.includes(text) : text.test(t)));
    const deadline = Date.now() + ms;
    while (!seen()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; the bot said:\n${this.transcript()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits until the bot has sent `n` more messages than `before`. */
  async waitReplies(before: number, n = 1): Promise<void> {
    await expect.poll(() => this.api.sent(this.chatId).length, { timeout: 15_000, interval: 25 }).toBeGreaterThanOrEqual(before + n);
  }

  /** This user as one side of the two-sided loop. */
  driver(): ChatDriver {
    return {
      type: (text) => void this.type(text),
      choose: (label) => void this.tap(label),
      sendPhoto: (bytes) => void this.sendPhoto(bytes),
      receivedPhotos: () => this.api.photos(this.chatId),
      sendVoice: (bytes) => void this.sendVoice(bytes),
      receivedVoices: () => this.api.sounds(this.chatId).map((s) => s.bytes),
      replies: () => this.api.sent(this.chatId).length,
      waitReplies: (before) => this.waitReplies(before),
      waitFor: (text) => this.waitFor(text),
      transcript: () => this.transcript(),
    };
  }
}
