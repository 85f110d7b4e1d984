/**
 * A mocked WeChat world for tests: a real Wechaty on `wechaty-puppet-mock`, no network,
 * no token. The mocker plays the people (contacts saying things, or sending pictures and
 * voice messages, to the bot's account); what the bot said, text, image, voice or file, is
 * read back from the mocker's message payloads.
 */
import { FileBox } from 'file-box';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { types } from 'wechaty';
import { expect } from 'vitest';
import { WechatAdapter, type WechatAdapterOptions } from '../../bots/wechat/wechat-adapter.js';
import { type ChatDriver, numberOfChoice } from './two-sided.js';

/** One message the puppet saw. */
export interface SeenMessage {
  id: string;
  talkerId: string;
  listenerId?: string;
  type: types.Message;
  text?: string;
  /** The bytes of an image sent as base64 (what the adapter sends). */
  image?: Buffer;
  /** Any file's bytes, name and metadata (an image, a voice message, an attachment). */
  file?: { bytes: Buffer; name: string; metadata: Record<string, unknown> };
}

/** The bot's account, and the people who talk to it. */
export class WechatWorld {
  readonly mocker = new mock.Mocker();
  readonly puppet = new PuppetMock({ mocker: this.mocker });
  readonly user = this.mocker.createContact({ name: '民情助手' });
  /** Every message the puppet saw, in order (sent by people and by the bot). */
  readonly messages: SeenMessage[] = [];

  /** `uploadDir`: where the adapter stores received images (a test's own folder). */
  constructor(readonly uploadDir: string) {
    this.puppet.on('message', ({ messageId }) => {
      const payload = this.mocker.messagePayload(messageId);
      // The mock keeps a file as FileBox JSON (its type comes from a file-box path TypeScript cannot resolve).
      const box = (this.mocker.cacheFileBoxPayload as Map<string, unknown>).get(messageId) as { base64?: string; name?: string; metadata?: Record<string, unknown> } | undefined;
      this.messages.push({
        id: payload.id,
        talkerId: payload.talkerId ?? '',
        type: payload.type,
        ...(payload.listenerId !== undefined ? { listenerId: payload.listenerId } : {}),
        ...(payload.text !== undefined ? { text: payload.text } : {}),
        ...(box?.base64 !== undefined ? { image: Buffer.from(box.base64, 'base64') } : {}),
        ...(box?.base64 !== undefined ? { file: { bytes: Buffer.from(box.base64, 'base64'), name: box.name ?? '', metadata: box.metadata ?? {} } } : {}),
      });
    });
  }

  /** A WeChat adapter on this world's puppet. */
  adapter(options: Omit<WechatAdapterOptions, 'puppet'> = {}): WechatAdapter {
    return new WechatAdapter({ puppet: this.puppet, roomIntake: ['东湖村群'], printQr: () => undefined, uploadDir: this.uploadDir, ...options });
  }

  login(): void {
    this.mocker.login(this.user);
  }

  /** The account drops (WeChat logged it out, or the puppet lost its connection). */
  async logout(): Promise<void> {
    await this.puppet.logout('test: connection dropped');
  }

  person(name: string): WechatUser {
    return new WechatUser(this, this.mocker.createContact({ name }));
  }
}

type MockContact = ReturnType<mock.Mocker['createContact']>;

/** A person's WeChat: types, answers a numbered choice, sends images, reads what the bot sent. */
export class WechatUser {
  constructor(
    readonly world: WechatWorld,
    readonly contact: MockContact,
  ) {}

  get id(): string {
    return this.contact.id;
  }

  #lastSaid(): string {
    const said = this.world.messages.filter((m) => m.talkerId === this.id).at(-1);
    if (!said) throw new Error('the mock did not record the message');
    return said.id;
  }

  /** Says `text` to the bot; returns the message id. */
  type(text: string): string {
    this.contact.say(text).to(this.world.user);
    return this.#lastSaid();
  }

  /** Sends an image (`name` tells its kind, as a file name does on WeChat); returns the message id. */
  sendImage(bytes: Buffer, name = 'photo.png'): string {
    this.contact.say(FileBox.fromBase64(bytes.toString('base64'), name)).to(this.world.user);
    return this.#lastSaid();
  }

  /**
   * Sends a voice message. WeChat records SILK; the mock takes a file for a voice message
   * by its `.sil` name (audio/silk), as real puppets mark them. Returns the message id.
   */
  sendVoice(bytes: Buffer, name = 'voice.sil'): string {
    this.contact.say(FileBox.fromBase64(bytes.toString('base64'), name)).to(this.world.user);
    return this.#lastSaid();
  }

  #fromBot(): SeenMessage[] {
    return this.world.messages.filter((m) => m.talkerId === this.world.user.id && m.listenerId === this.id);
  }

  /** The texts the bot sent this person, in order. */
  received(): string[] {
    return this.#fromBot()
      .filter((m) => m.type === types.Message.Text)
      .map((m) => m.text ?? '');
  }

  /** The images the bot sent this person, as bytes. */
  images(): Buffer[] {
    return this.#fromBot().flatMap((m) => (m.type === types.Message.Image && m.image ? [m.image] : []));
  }

  /** The voice notes the bot sent this person (a voice message, or a file that is not a picture), as bytes, name and metadata. */
  voices(): NonNullable<SeenMessage['file']>[] {
    return this.#fromBot().flatMap((m) => (m.type !== types.Message.Image && m.type !== types.Message.Text && m.file ? [m.file] : []));
  }

  /** The types of the messages the bot sent this person, in order. */
  kinds(): types.Message[] {
    return this.#fromBot().map((m) => m.type);
  }

  transcript(): string {
    return this.received().join('\n---\n');
  }

  /** Answers the numbered choice `label` of the latest message that offers it (types its number). */
  choose(label: string): string {
    const number = numberOfChoice(this.received(), label);
    if (!number) throw new Error(`no choice ${label}; the bot said:\n${this.transcript()}`);
    return this.type(number);
  }

  async waitFor(text: string | RegExp): Promise<void> {
    const seen = () => this.received().some((t) => (typeof text === 'string' ? t.includes(text) : text.test(t)));
    await expect.poll(seen, { timeout: 15_000, interval: 25, message: `waiting for ${String(text)}; the bot said:\n${this.transcript()}` }).toBe(true);
  }

  async waitReplies(before: number, n = 1): Promise<void> {
    await expect.poll(() => this.received().length, { timeout: 15_000, interval: 25 }).toBeGreaterThanOrEqual(before + n);
  }

  /** This person as one side of the two-sided loop. */
  driver(): ChatDriver {
    return {
      type: (text) => void this.type(text),
      choose: (label) => void this.choose(label),
      sendPhoto: (bytes) => void this.sendImage(bytes),
      receivedPhotos: () => this.images(),
      sendVoice: (bytes) => void this.sendVoice(bytes),
      receivedVoices: () => this.voices().map((v) => v.bytes),
      replies: () => this.received().length,
      waitReplies: (before) => this.waitReplies(before),
      waitFor: (text) => this.waitFor(text),
      transcript: () => this.transcript(),
    };
  }
}
