/**
 * The SMS channel behind our ChannelAdapter, for residents without a chat: pushes to them
 * go out as SMS through a gateway (src/sms/gateway.ts: Alibaba Cloud by default), rendered
 * short (src/sms/render.ts), a person's pushes within the batching window as one SMS (a
 * turn's replies as one too, src/app.ts), at most SMS_DAILY_CAP a day per number. Their replies come back through the provider's
 * callback, `POST /sms/replies` on the web server, checked against our shared secret, and
 * go to the engine like any chat message, marked as answering in one message (each costs): "1" rates,
 * "3 路灯还是不亮" rates with a comment.
 *
 * Nothing outside bots/sms and src/sms imports the provider's SDK; the key secret is never logged.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import type { ChannelAdapter, Inbound, Outbound } from '../../src/engine/types.js';
import { logger } from '../../src/log.js';
import type { DeliveryResult } from '../../src/pipeline/scheduler.js';
import { type Clock, systemClock } from '../../src/pipeline/service.js';
import { maskPhone } from '../../src/privacy.js';
import { AlibabaSmsGateway } from '../../src/sms/alibaba.js';
import type { SmsGateway } from '../../src/sms/gateway.js';
import { renderSms } from '../../src/sms/render.js';
import { addressWaitingBySms, beijingDay, dailyCapError, holdForBatching, mobileOf, personOfPhone, recordSms, sentToday, SMS_DAILY_CAP_HOLD } from '../../src/sms/store.js';
import type { SmsSettings } from '../../src/sms/settings.js';
import { readBody, sendJson } from '../../src/web/http.js';

const log = logger('sms');

/** Where the provider posts the replies residents send (the path of the callback URL). */
export const SMS_CALLBACK_PATH = '/sms/replies';

/** The header a relay signs the callback body in: `sha256=` and the HMAC-SHA256 of the body, hex. */
export const SMS_SIGNATURE_HEADER = 'x-minqing-signature';

/** A callback body is a few replies: more is no provider of ours. */
const MAX_CALLBACK_BYTES = 256 * 1024;

export interface SmsAdapterOptions {
  gateway: SmsGateway;
  signName: string;
  callbackSecret: string;
  dailyCap: number;
  batchWindowMs: number;
  /** The app's database, once it is open (startApp opens it after the adapters are made). */
  database: () => Database | undefined;
  clock?: Clock;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SmsAdapter implements ChannelAdapter {
  readonly channel = 'sms' as const;
  readonly mergesPushes = true;
  readonly duties: readonly (() => Promise<unknown>)[];
  readonly #options: SmsAdapterOptions;
  readonly #clock: Clock;
  /** People whose number another person's SMS identity holds (logged once). */
  readonly #sharedPhones = new Set<number>();
  #handle: ((inbound: Inbound) => Promise<void>) | undefined;

  constructor(options: SmsAdapterOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    // Each round, before delivery: residents waiting without a chat get their messages by SMS, held for the batching window.
    this.duties = [
      async () => {
        const database = this.#options.database();
        if (!database) return;
        const now = this.#clock.now();
        await addressWaitingBySms(database.db, now, this.#sharedPhones);
        await holdForBatching(database.db, now, this.#options.batchWindowMs);
      },
    ];
  }

  /** Nothing to connect: replies arrive through the web server's callback route. */
  start(handle: (inbound: Inbound) => Promise<void>): Promise<void> {
    this.#handle = handle;
    log.info({ dailyCap: this.#options.dailyCap, batchSeconds: this.#options.batchWindowMs / 1000, callback: SMS_CALLBACK_PATH }, 'sms channel up');
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#handle = undefined;
    return Promise.resolve();
  }

  /** Sends `message` (and the pushes merged into it) as one SMS, within the number's daily cap. */
  async send(message: Outbound): Promise<DeliveryResult> {
    const database = this.#options.database();
    if (!database) return { status: 'retry', error: 'the database is not open yet' };
    const phone = message.chatId;
    const now = this.#clock.now();
    const sent = await sentToday(database.db, phone, now);
    if (sent >= this.#options.dailyCap) {
      // Held, not dropped: the row waits in the outbox, marked held by the cap (staff read it), until the next Beijing day.
      const error = dailyCapError(sent, this.#options.dailyCap);
      log.warn({ phone: maskPhone(phone), outboxId: message.outboxId, cap: this.#options.dailyCap }, 'sms daily cap reached; message held until tomorrow');
      return { status: 'retry', error, retryAfterMs: beijingDay(now).next.getTime() - now.getTime(), heldFor: SMS_DAILY_CAP_HOLD };
    }
    const sms = renderSms(message, this.#options.signName);
    const result = await this.#options.gateway.send(phone, sms.kind, sms.params);
    if (result.status !== 'sent') {
      log.warn({ phone: maskPhone(phone), outboxId: message.outboxId, status: result.status, error: result.error }, 'sms not sent');
      return result;
    }
    await recordSms(database.db, { phone, template: sms.kind, text: sms.text, segments: sms.segments, providerId: result.providerId }, this.#clock.now());
    if (sms.segments > 1) log.info({ outboxId: message.outboxId, segments: sms.segments }, 'sms longer than one message: sent in parts');
    return { status: 'sent' };
  }

  /** Whether the callback carries our secret: `?token=` in its URL, or a body HMAC in the signature header. */
  #verified(req: IncomingMessage, url: URL, body: Buffer): boolean {
    const secret = this.#options.callbackSecret;
    const token = url.searchParams.get('token');
    if (token !== null) return same(token, secret);
    const signature = req.headers[SMS_SIGNATURE_HEADER];
    if (typeof signature !== 'string') return false;
    return same(signature, `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  }

  /**
   * The provider's reply callback, for the web server's routes: false for any other path.
   * Replies from numbers we never wrote to are logged and get nothing (each SMS costs).
   */
  readonly serveCallback = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== SMS_CALLBACK_PATH) return false;
    if (req.method !== 'POST') {
      req.resume();
      sendJson(res, 405, { error: 'POST only' }, { allow: 'POST' });
      return true;
    }
    const body = await readBody(req, MAX_CALLBACK_BYTES);
    if (!body.ok) {
      sendJson(res, 413, { error: 'too large' });
      return true;
    }
    if (!this.#verified(req, url, body.bytes)) {
      log.warn({ address: req.socket.remoteAddress }, 'sms callback with a missing or wrong secret refused');
      sendJson(res, 401, { error: 'unauthorised' });
      return true;
    }
    const replies = this.#options.gateway.parseReplies(body.bytes.toString('utf8'));
    const database = this.#options.database();
    const handle = this.#handle;
    if (!replies) {
      sendJson(res, 400, { error: 'not a reply push' });
      return true;
    }
    if (!database || !handle) {
      sendJson(res, 503, { error: 'starting' });
      return true;
    }
    for (const reply of replies) {
      const phone = mobileOf(reply.phone);
      if (!phone || (await personOfPhone(database.db, phone)) === null) {
        log.info({ phone: maskPhone(reply.phone), replyId: reply.id }, 'sms reply from a number we never wrote to: ignored');
        continue;
      }
      // The engine drops a reply it has seen (the same message id): a provider pushing again changes nothing.
      // Each SMS costs the resident: a rating and its comment come in one ("3 路灯还是不亮").
      await handle({ channel: 'sms', chatId: phone, senderId: phone, messageId: `sms:${reply.id}`, text: reply.text, answersInOne: true });
    }
    sendJson(res, 200, this.#options.gateway.acknowledgement);
    return true;
  };
}

/** The SMS channel from the settings, on Alibaba Cloud. */
export function createSmsAdapter(
  settings: SmsSettings,
  config: Pick<Config, 'SMS_DAILY_CAP' | 'SMS_BATCH_SECONDS'>,
  options: Pick<SmsAdapterOptions, 'database' | 'clock'>,
): SmsAdapter {
  return new SmsAdapter({
    gateway: new AlibabaSmsGateway(settings),
    signName: settings.signName,
    callbackSecret: settings.callbackSecret,
    dailyCap: config.SMS_DAILY_CAP,
    batchWindowMs: config.SMS_BATCH_SECONDS * 1000,
    ...options,
  });
}
