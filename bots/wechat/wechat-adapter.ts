/**
 * The WeChat channel, on Wechaty, behind our ChannelAdapter. A puppet (by default
 * wechaty-puppet-service with WECHATY_PUPPET_SERVICE_TOKEN; tests pass a PuppetMock) logs
 * in a personal WeChat account by QR code; each message is read into a plain object,
 * parsed by the pure `parseMessage` and handed to the engine. An image or a voice message
 * is downloaded (`toFileBox`, time-boxed) and stored like a web upload (a voice note as
 * it comes, SILK or AMR), so the ticket keeps a `/uploads/…` URL that the web chat serves
 * and every channel can forward. Photos go out as images; voice notes as files, a SILK one
 * as a WeChat voice message (with its length, which WeChat wants).
 *
 * Replies and pushes go out through `send`, which never throws: while the account is
 * logged out it answers 'offline', so messages wait in the outbox without using up
 * attempts; on the next login the chats that waited are made due at once.
 *
 * Nothing outside bots/ imports wechaty; the token is never logged.
 */
import { FileBox, type FileBoxInterface } from 'file-box';
import qrcodeTerminal from 'qrcode-terminal';
import { type Message, type Wechaty, WechatyBuilder, types } from 'wechaty';
import type { Database } from '../../src/db/client.js';
import type { ChannelAdapter, Inbound, Outbound, SharedMedia } from '../../src/engine/types.js';
import { ConfigError } from '../../src/errors.js';
import { logger } from '../../src/log.js';
import { type DeliveryResult, wakeChat } from '../../src/pipeline/scheduler.js';
import { defaultUploadDir, isUploadUrl, maxBytes, notReceived, tooBigFor, UploadStore } from '../shared/uploads.js';
import { within } from '../shared/within.js';
import { fetchableUrl } from '../../src/web/public-url.js';
import { isSendablePhoto, MESSAGE_REF_PREFIX, parseMessage, parseRoomIntake, renderText, silkDurationMs, type WechatMessageLike } from './wechat-parse.js';

const log = logger('wechat');

/** How long the puppet may take to start. */
export const START_TIMEOUT_MS = 30_000;

/** How long fetching one received image or voice message may take. */
export const MEDIA_TIMEOUT_MS = 15_000;

/** How long one outgoing call to the puppet may take before it counts as failed. */
export const SEND_TIMEOUT_MS = 30_000;

/** The puppet Wechaty is given: a name it loads, or an instance (tests: a PuppetMock). */
type PuppetOption = NonNullable<Parameters<typeof WechatyBuilder.build>[0]>['puppet'];

/** Settings of the WeChat channel. */
export interface WechatAdapterOptions {
  /** A puppet instance (tests), or the name of a puppet package (default wechaty-puppet-service). */
  puppet?: PuppetOption;
  /** The puppet-service token (given to the puppet, never logged). */
  token?: string;
  /** Room topics where members may @-mention the bot to report. */
  roomIntake?: readonly string[];
  /** Time box of the start (default 30 s). */
  startTimeoutMs?: number;
  /** Time box of fetching one received image or voice message (default 15 s). */
  mediaTimeoutMs?: number;
  /** Prints the login QR code (default: qrcode-terminal, small). */
  printQr?: (qrcode: string) => void;
  /** Where received images and voice notes are stored (default data/uploads, the folder the web chat serves). */
  uploadDir?: string;
  /**
   * The database whose outbox holds what waited while the account was logged out, or a
   * function that gives it once the app has opened it. Without it, those messages go out
   * at the scheduler's next offline re-check (within a minute) instead of at login.
   */
  database?: Database | (() => Database | undefined);
}

/** Reads a Wechaty message into the plain shape `parseMessage` takes. */
async function readMessage(message: Message): Promise<WechatMessageLike> {
  const type = message.type();
  const kind = type === types.Message.Text ? 'text' : type === types.Message.Image ? 'image' : type === types.Message.Audio ? 'voice' : 'other';
  const talker = message.talker();
  const room = message.room();
  const plain: WechatMessageLike = {
    id: message.id,
    kind,
    text: message.text(),
    talkerId: talker.id,
    talkerName: talker.name(),
    self: message.self(),
  };
  if (room) {
    const mentionsSelf = await message.mentionSelf();
    plain.room = { id: room.id, topic: await room.topic(), mentionsSelf, textWithoutMentions: mentionsSelf ? await message.mentionText() : message.text() };
  }
  return plain;
}

/** WeChat (through a Wechaty puppet) behind our ChannelAdapter interface. */
export class WechatAdapter implements ChannelAdapter {
  readonly channel = 'wechat' as const;
  readonly #options: WechatAdapterOptions;
  readonly #bot: Wechaty;
  readonly #uploads: UploadStore;
  /** Chats told 'offline' while logged out: their waiting messages are made due at the next login. */
  readonly #waiting = new Set<string>();
  #handle: ((inbound: Inbound) => Promise<void>) | undefined;
  /** Wechaty warns when asked about the login before its puppet has started. */
  #started = false;

  constructor(options: WechatAdapterOptions) {
    this.#options = options;
    this.#uploads = new UploadStore(options.uploadDir ?? defaultUploadDir());
    const puppet = options.puppet ?? 'wechaty-puppet-service';
    this.#bot = WechatyBuilder.build({
      name: 'minqing',
      puppet,
      ...(options.token !== undefined ? { puppetOptions: { token: options.token } } : {}),
    });
    const printQr = options.printQr ?? ((qrcode: string) => qrcodeTerminal.generate(qrcode, { small: true }));
    this.#bot.on('scan', (qrcode, status) => {
      if (status !== types.ScanStatus.Waiting && status !== types.ScanStatus.Timeout) return;
      printQr(qrcode);
      log.info({ url: `https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}` }, 'scan the QR code with WeChat to log in');
    });
    this.#bot.on('login', (user) => {
      log.info({ user: user.name() }, 'wechat logged in');
      void this.#wakeWaiting();
    });
    // Wechaty / puppet-service reconnect by themselves; while logged out, send() answers 'offline'.
    this.#bot.on('logout', (user, reason) => log.warn({ user: user.name(), reason }, 'wechat logged out; waiting for a new login'));
    this.#bot.on('error', (error) => log.warn({ err: error.message }, 'wechat puppet error'));
    this.#bot.on('message', (message) => void this.#onMessage(message));
  }

  /** Whether the account is logged in now (messages can go out). */
  get loggedIn(): boolean {
    return this.#started && this.#bot.isLoggedIn;
  }

  async start(handle: (inbound: Inbound) => Promise<void>): Promise<void> {
    this.#handle = handle;
    const ms = this.#options.startTimeoutMs ?? START_TIMEOUT_MS;
    try {
      await within(
        this.#bot.start(),
        ms,
        () => new ConfigError([`WECHATY_PUPPET: the WeChat puppet did not start within ${Math.round(ms / 1000)} s; check WECHATY_PUPPET_SERVICE_TOKEN and the network`]),
      );
      this.#started = true;
    } catch (error) {
      await this.stop();
      throw error;
    }
    log.info({ roomIntake: this.#options.roomIntake?.length ?? 0 }, 'wechat channel up (log in by QR code if asked)');
  }

  async stop(): Promise<void> {
    this.#started = false;
    await this.#bot.stop().catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'wechat stop failed'));
  }

  /** Photos and voice notes first (stored files and http(s) URLs), then the text with its choices as a numbered list. */
  async send(message: Outbound): Promise<DeliveryResult> {
    if (!this.loggedIn) return this.#offline(message.chatId);
    const late = () => new Error(`the puppet did not answer within ${SEND_TIMEOUT_MS / 1000} s`);
    try {
      const contact = await within(this.#bot.Contact.find({ id: message.chatId }), SEND_TIMEOUT_MS, late);
      // Right after a login the puppet may still be syncing its contacts: try again later.
      if (!contact) return { status: 'retry', error: 'wechat contact not found' };
      for (const item of message.media ?? []) {
        const box = await this.#fileBoxOf(item.ref);
        if (box) await within(contact.say(box), SEND_TIMEOUT_MS, late);
        else log.debug({ outboxId: message.outboxId, kind: item.kind }, 'media not reachable by WeChat (not stored here, not a URL): left out');
      }
      await within(contact.say(renderText(message.text, message.choices)), SEND_TIMEOUT_MS, late);
      return { status: 'sent' };
    } catch (error) {
      // Logged out between the check and the call: wait in the outbox without counting an attempt.
      if (!this.loggedIn) return this.#offline(message.chatId);
      const text = error instanceof Error ? error.message : String(error);
      log.warn({ outboxId: message.outboxId, error: text }, 'wechat send failed');
      return { status: 'retry', error: text };
    }
  }

  #offline(chatId: string): DeliveryResult {
    this.#waiting.add(chatId);
    return { status: 'offline' };
  }

  /** Logged in again: what waited for each chat told 'offline' is due now, not at the next re-check. */
  async #wakeWaiting(): Promise<void> {
    const option = this.#options.database;
    const database = typeof option === 'function' ? option() : option;
    if (!database || !this.#waiting.size) return;
    const chats = [...this.#waiting];
    this.#waiting.clear();
    try {
      let waiting = 0;
      for (const chatId of chats) waiting += await wakeChat(database, 'wechat', chatId, new Date());
      log.info({ chats: chats.length, waiting }, 'wechat back: waiting messages are due now');
    } catch (error) {
      log.warn({ err: error }, 'could not wake the messages that waited for the wechat login');
    }
  }

  /**
   * A photo or voice note as WeChat takes it: a stored file's bytes, or a URL on a public
   * host; null when neither. Puppets send an `audio/silk` box (a `.sil` name) with its `voiceLength`
   * as a voice message, an image as an image, and anything else as a file.
   */
  async #fileBoxOf(ref: string): Promise<FileBoxInterface | null> {
    if (isUploadUrl(ref)) {
      const stored = await this.#uploads.read(ref);
      if (!stored) return null;
      const silk = stored.type === 'silk' ? silkDurationMs(stored.bytes) : null;
      const name = silk === null ? stored.name : stored.name.replace(/\.silk$/, '.sil');
      // Base64, not a buffer: puppets pass a FileBox on as JSON, which a buffer box cannot become.
      const box = FileBox.fromBase64(stored.bytes.toString('base64'), name);
      if (silk !== null) box.metadata = { voiceLength: silk };
      return box;
    }
    // A link from outside is fetched by this server: only one on a public host (src/web/public-url.ts).
    if (!isSendablePhoto(ref)) return null;
    if (await fetchableUrl(ref)) return FileBox.fromUrl(ref);
    log.warn({ host: new URL(ref).host }, 'a media link to a host that is not public: not fetched');
    return null;
  }

  async #onMessage(message: Message): Promise<void> {
    try {
      const parsed = parseMessage(await readMessage(message), { roomIntake: this.#options.roomIntake ?? [] });
      if (!parsed.ok) return;
      const inbound = await this.#storeMedia(parsed.inbound, message);
      if (inbound) await this.#handle?.(inbound);
    } catch (error) {
      log.error({ err: error, messageId: message.id }, 'wechat turn failed');
    }
  }

  /**
   * Downloads an image or voice message (time-boxed) and stores it, so the inbound
   * carries its `/uploads/…` URL. When that fails, the sender is told why and null is
   * returned: a photo nobody can open, or a voice note nobody can play, must not look
   * received.
   */
  async #storeMedia(inbound: Inbound, message: Message): Promise<Inbound | null> {
    if (!inbound.media?.some((m) => m.ref.startsWith(MESSAGE_REF_PREFIX))) return inbound;
    const ms = this.#options.mediaTimeoutMs ?? MEDIA_TIMEOUT_MS;
    let notice = notReceived(inbound.media[0]?.kind ?? 'photo');
    try {
      const media: SharedMedia[] = [];
      for (const item of inbound.media) {
        if (!item.ref.startsWith(MESSAGE_REF_PREFIX)) {
          media.push(item);
          continue;
        }
        notice = notReceived(item.kind);
        const late = () => new Error(`the ${item.kind} did not arrive within ${Math.round(ms / 1000)} s`);
        const box = await within(message.toFileBox(), ms, late);
        if (box.size > maxBytes(item.kind)) {
          notice = tooBigFor(item.kind);
          throw new Error(`${item.kind} too large: ${box.size} bytes`);
        }
        const stored = await this.#uploads.save(await within(box.toBuffer(), ms, late), item.kind);
        if (!stored.ok) {
          notice = stored.error;
          throw new Error(`not a usable ${item.kind}`);
        }
        media.push({ kind: stored.kind, ref: stored.url });
      }
      return { ...inbound, media };
    } catch (error) {
      log.warn({ messageId: message.id, error: error instanceof Error ? error.message : String(error) }, 'wechat media not stored');
      await message
        .talker()
        .say(notice)
        .catch((sayError: unknown) => log.warn({ err: sayError instanceof Error ? sayError.message : String(sayError) }, 'could not tell the sender'));
      return null;
    }
  }
}

/** The WeChat adapter from checked settings (start.ts), with the app's database for waking chats at login. */
export function createWechatAdapter(
  config: {
    WECHATY_PUPPET?: string | undefined;
    WECHATY_PUPPET_SERVICE_TOKEN?: string | undefined;
    WECHAT_ROOM_INTAKE?: string | undefined;
  },
  extra: Pick<WechatAdapterOptions, 'database' | 'uploadDir'> = {},
): WechatAdapter {
  return new WechatAdapter({
    puppet: (config.WECHATY_PUPPET ?? 'wechaty-puppet-service') as PuppetOption,
    ...(config.WECHATY_PUPPET_SERVICE_TOKEN !== undefined ? { token: config.WECHATY_PUPPET_SERVICE_TOKEN } : {}),
    roomIntake: parseRoomIntake(config.WECHAT_ROOM_INTAKE),
    ...extra,
  });
}
