/**
 * Alibaba Cloud SMS (短信服务, dysmsapi 2017-05-25) through its official SDK: SendSms with
 * the sign name, a template code and the template's values; and the 上行短信 (SmsUp)
 * replies Alibaba pushes by HTTP as a JSON array. The endpoint is a setting, so tests point
 * the SDK at a local fake over plain http.
 */
import Dysmsapi, { SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { SmsGateway, SmsReply, SmsSendResult, SmsTemplateKind } from './gateway.js';

export interface AlibabaSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** The approved template code (e.g. SMS_123456789) of each kind. */
  templates: Record<SmsTemplateKind, string>;
  /** `https://dysmsapi.aliyuncs.com` by default; `http://127.0.0.1:PORT` for a local fake. */
  endpoint: string;
}

/** Codes that say this number cannot get SMS: not retried. */
const UNREACHABLE_CODES = new Set(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.MOBILE_COUNT_OVER_LIMIT']);

/** How long connecting and reading may take (Alibaba advises at least 1 s for mainland SMS). */
const CONNECT_TIMEOUT_MS = 5_000;
const READ_TIMEOUT_MS = 10_000;

type ClientClass = typeof Dysmsapi.default;
// The SDK is CommonJS with its client class as `exports.default`: Node's default import is
// the exports object, a bundler's (vitest) is the class itself.
const Client: ClientClass = (Dysmsapi as { default?: ClientClass }).default ?? (Dysmsapi as unknown as ClientClass);

export class AlibabaSmsGateway implements SmsGateway {
  readonly acknowledgement = { code: 0, msg: '成功' };
  readonly #client: InstanceType<typeof Client>;
  readonly #options: AlibabaSmsOptions;

  constructor(options: AlibabaSmsOptions) {
    this.#options = options;
    const url = new URL(options.endpoint);
    this.#client = new Client(
      new $OpenApiUtil.Config({
        accessKeyId: options.accessKeyId,
        accessKeySecret: options.accessKeySecret,
        endpoint: url.host,
        protocol: url.protocol === 'http:' ? 'http' : 'https',
        connectTimeout: CONNECT_TIMEOUT_MS,
        readTimeout: READ_TIMEOUT_MS,
      }),
    );
  }

  async send(phone: string, kind: SmsTemplateKind, params: Record<string, string>): Promise<SmsSendResult> {
    const request = new SendSmsRequest({
      phoneNumbers: phone,
      signName: this.#options.signName,
      templateCode: this.#options.templates[kind],
      templateParam: JSON.stringify(params),
    });
    try {
      const { body } = await this.#client.sendSms(request);
      const code = body?.code ?? 'no code';
      if (code === 'OK') return { status: 'sent', providerId: body?.bizId ?? null };
      const error = `${code}: ${body?.message ?? ''}`.trim();
      // Rate limits (isv.BUSINESS_LIMIT_CONTROL), an empty balance, a template under review: later may work.
      return UNREACHABLE_CODES.has(code) ? { status: 'unreachable', error } : { status: 'retry', error };
    } catch (error) {
      // HTTP 5xx, a timeout, the network, or credentials refused: tried again (and visible in the outbox).
      return { status: 'retry', error: error instanceof Error ? error.message.slice(0, 300) : String(error) };
    }
  }

  /** Alibaba's SmsUp push: `[{ phone_number, content, send_time, sign_name, dest_code, sequence_id }]`. */
  parseReplies(body: string): SmsReply[] | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return null;
    }
    if (!Array.isArray(parsed)) return null;
    const replies: SmsReply[] = [];
    for (const item of parsed as unknown[]) {
      if (typeof item !== 'object' || item === null) return null;
      const { phone_number: phone, content, sequence_id: id, send_time: sentAt } = item as Record<string, unknown>;
      if (typeof phone !== 'string' || typeof content !== 'string' || (typeof id !== 'number' && typeof id !== 'string')) return null;
      replies.push({ phone, text: content, id: String(id), sentAt: typeof sentAt === 'string' ? beijingTime(sentAt) : null });
    }
    return replies;
  }
}

/** Alibaba's `2017-01-01 00:00:00`, Beijing time. */
function beijingTime(text: string): Date | null {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(text);
  return match ? new Date(`${match[1]}T${match[2]}+08:00`) : null;
}
