/**
 * The WeChat channel, on Wechaty, behind our ChannelAdapter. A puppet (by default
 * wechaty-puppet-service with WECHATY_PUPPET_SERVICE_TOKEN; tests pass a PuppetMock) logs
 * in a personal WeChat account by QR code; each message is read into a plain object,
 * parsed by the pure `parseMessage` and handed to the engine. Replies and pushes go out
 * through `send`, which never throws: while the account is logged out it answers
 * 'offline', so messages wait in the outbox (the scheduler re-checks offline rows, so
 * nothing special happens on the next login).
 *
 * Nothing outside bots/ imports wechaty; the token is never logged.
 */
import { FileBox } from 'file-box';
import qrcodeTerminal from 'qrcode-terminal';
import { type Message, type Wechaty, WechatyBuilder, types } from 'wechaty';
import type { ChannelAdapter, Inbound, Outbound } from '../../src/engine/types.js';
import { ConfigError } from '../../src/errors.js';
import { logger } from '../../src/log.js';
import type { DeliveryResult } from '../../src/pipeline/scheduler.js';
import { isSendablePhoto, parseMessage, parseRoomIntake, renderText, type WechatMessageLike } from './wechat-parse.js';

const log = logger('wechat');

/** How long the puppet may take to start. */
export const START_TIMEOUT_MS = 30_000;

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
  /** Prints the login QR code (default: qrcode-terminal, small). */
  printQr?: (qrcode: string) => void;
}

/** Rejects with `error` when `task` takes longer than `ms`. */
async function within<T>(task: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  try {
    return await Promise.race([task, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a Wechaty message into the plain shape `parseMessage` takes. */
async function readMessage(message: Message): Promise<WechatMessageLike> {
  const type = message.type();
  const kind = type === types.Message.Text ? 'text' : type === types.Message.Image ? 'image' : 'other';
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
  #handle: ((inbound: Inbound) => Promise<void>) | undefined;
  /** Wechaty warns when asked about the login before its puppet has started. */
  #started = false;

  constructor(options: WechatAdapterOptions) {
    this.#options = options;
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
    this.#bot.on('login', (user) => log.info({ user: user.name() }, 'wechat logged in'));
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
      await within(this.#bot.start(), ms, () =>
        new ConfigError([`WECHATY_PUPPET: the WeChat puppet did not start within ${Math.round(ms / 1000)} s; check WECHATY_PUPPET_SERVICE_TOKEN and the network`]),
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

  /** Photos first (http(s) URLs as FileBox), then the text with its choices as a numbered list. */
  async send(message: Outbound): Promise<DeliveryResult> {
    if (!this.loggedIn) return { status: 'offline' };
    try {
      const contact = await this.#bot.Contact.find({ id: message.chatId });
      // Right after a login the puppet may still be syncing its contacts: try again later.
      if (!contact) return { status: 'retry', error: 'wechat contact not found' };
      for (const photo of message.media ?? []) {
        if (isSendablePhoto(photo.ref)) await contact.say(FileBox.fromUrl(photo.ref));
        else log.debug({ outboxId: message.outboxId }, 'photo not reachable by WeChat (not a URL): left out');
      }
      await contact.say(renderText(message.text, message.choices));
      return { status: 'sent' };
    } catch (error) {
      // Logged out between the check and the call: wait in the outbox without counting an attempt.
      if (!this.loggedIn) return { status: 'offline' };
      const text = error instanceof Error ? error.message : String(error);
      log.warn({ outboxId: message.outboxId, error: text }, 'wechat send failed');
      return { status: 'retry', error: text };
    }
  }

  async #onMessage(message: Message): Promise<void> {
    try {
      const parsed = parseMessage(await readMessage(message), { roomIntake: this.#options.roomIntake ?? [] });
      if (!parsed.ok) return;
      await this.#handle?.(parsed.inbound);
    } catch (error) {
      log.error({ err: error, messageId: message.id }, 'wechat turn failed');
    }
  }
}

/** The WeChat adapter from checked settings (start.ts). */
export function createWechatAdapter(config: {
  WECHATY_PUPPET?: string | undefined;
  WECHATY_PUPPET_SERVICE_TOKEN?: string | undefined;
  WECHAT_ROOM_INTAKE?: string | undefined;
}): WechatAdapter {
  return new WechatAdapter({
    puppet: (config.WECHATY_PUPPET ?? 'wechaty-puppet-service') as PuppetOption,
    ...(config.WECHATY_PUPPET_SERVICE_TOKEN !== undefined ? { token: config.WECHATY_PUPPET_SERVICE_TOKEN } : {}),
    roomIntake: parseRoomIntake(config.WECHAT_ROOM_INTAKE),
  });
}

/** Whether the WeChat channel is configured: a puppet-service token, or another puppet named. */
export function wechatConfigured(config: { WECHATY_PUPPET?: string | undefined; WECHATY_PUPPET_SERVICE_TOKEN?: string | undefined }): boolean {
  return config.WECHATY_PUPPET_SERVICE_TOKEN !== undefined || (config.WECHATY_PUPPET !== undefined && config.WECHATY_PUPPET !== 'wechaty-puppet-service');
}
