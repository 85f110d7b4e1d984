/**
 * An SMS provider behind one small interface, so that another (Tencent Cloud) can be
 * added beside Alibaba Cloud's (src/sms/alibaba.ts) without touching the channel: send one
 * templated SMS, and read the replies the provider pushes to our callback.
 */

/** The provider templates Minqing sends with (their texts: SMS_TEMPLATES in src/sms/render.ts). */
export const SMS_TEMPLATE_KINDS = ['receipt', 'progress', 'rating', 'generic'] as const;
export type SmsTemplateKind = (typeof SMS_TEMPLATE_KINDS)[number];

/** What the provider made of one send. */
export type SmsSendResult =
  | { status: 'sent'; providerId: string | null }
  /** Try again later: a rate limit, a server error, the network. */
  | { status: 'retry'; error: string; retryAfterMs?: number }
  /** The number cannot get SMS (not a valid mobile): trying it again changes nothing. */
  | { status: 'unreachable'; error: string };

/** One reply a resident sent by SMS, as the provider pushed it. */
export interface SmsReply {
  phone: string;
  text: string;
  /** The provider's id of the reply: the same reply pushed twice has the same id. */
  id: string;
  sentAt: Date | null;
}

export interface SmsGateway {
  /** Sends template `kind` filled with `params` to `phone`; never throws. */
  send(phone: string, kind: SmsTemplateKind, params: Record<string, string>): Promise<SmsSendResult>;
  /** The replies in one callback body, or null when it is not the provider's format. */
  parseReplies(body: string): SmsReply[] | null;
  /** What the callback answers the provider with when it took the replies. */
  readonly acknowledgement: unknown;
}
