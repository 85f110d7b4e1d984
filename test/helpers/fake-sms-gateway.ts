/**
 * A fake Alibaba Cloud SMS API (dysmsapi 2017-05-25) on 127.0.0.1 (node:http): no network.
 * The official SDK is pointed at it with an http endpoint; it sends SendSms as a POST with
 * its parameters in the query string (PhoneNumbers, SignName, TemplateCode, TemplateParam),
 * signed with the AccessKey, and the fake answers as Alibaba does: `{ Code: 'OK', BizId,
 * RequestId }`. It records every call, and fails on demand, one call at a time: a rate
 * limit (200 with Code isv.BUSINESS_LIMIT_CONTROL) or a server error (HTTP 500).
 */
import { createServer, type Server } from 'node:http';
import { requestBody, stopServer } from './fake-http.js';

/** The settings tests run the SMS channel with, against the fake at `endpoint`. */
export const SMS_TEST_SECRET = 'test-callback-secret-0123456789';
export const SMS_TEST_SIGN = '民情通';
export const SMS_TEST_TEMPLATES = {
  SMS_TEMPLATE_RECEIPT: 'SMS_900001',
  SMS_TEMPLATE_PROGRESS: 'SMS_900002',
  SMS_TEMPLATE_RATING: 'SMS_900003',
  SMS_TEMPLATE_GENERIC: 'SMS_900004',
};

export function smsEnv(endpoint: string): Record<string, string> {
  return {
    SMS_ACCESS_KEY_ID: 'LTAI-test',
    SMS_ACCESS_KEY_SECRET: 'not-a-secret',
    SMS_SIGN_NAME: SMS_TEST_SIGN,
    SMS_CALLBACK_SECRET: SMS_TEST_SECRET,
    SMS_ENDPOINT: endpoint,
    ...SMS_TEST_TEMPLATES,
  };
}

/** One SendSms the fake received. */
export interface SentSms {
  action: string | null;
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  /** What the fake answered: 'OK', a failure code, or 500. */
  answer: string;
}

export type SmsFailure = 'rate_limit' | 500;

export class FakeSmsGateway {
  readonly calls: SentSms[] = [];
  readonly #failures: SmsFailure[] = [];
  #server: Server | undefined;
  #bizId = 100;

  /** The SDK's endpoint setting (SMS_ENDPOINT). */
  get endpoint(): string {
    const address = this.#server?.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  /** The calls that went out as SMS (answered OK). */
  get sent(): SentSms[] {
    return this.calls.filter((c) => c.answer === 'OK');
  }

  /** The next calls fail, one each, in order. */
  failNext(...failures: SmsFailure[]): void {
    this.#failures.push(...failures);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void requestBody(req).then((body) => {
        const url = new URL(req.url ?? '/', 'http://fake');
        // The SDK puts the parameters in the query; a form body is read too, should a version move them.
        const fields = new URLSearchParams(url.search);
        for (const [k, v] of new URLSearchParams(body.toString('utf8'))) fields.set(k, v);
        const action = String(req.headers['x-acs-action'] ?? fields.get('Action') ?? '') || null;
        const failure = this.#failures.shift();
        const answer = failure === 500 ? '500' : failure === 'rate_limit' ? 'isv.BUSINESS_LIMIT_CONTROL' : 'OK';
        this.calls.push({
          action,
          phone: fields.get('PhoneNumbers') ?? '',
          signName: fields.get('SignName') ?? '',
          templateCode: fields.get('TemplateCode') ?? '',
          params: JSON.parse(fields.get('TemplateParam') ?? '{}') as Record<string, string>,
          answer,
        });
        const requestId = `fake-${this.calls.length}`;
        if (failure === 500) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.', RequestId: requestId }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            failure === 'rate_limit'
              ? { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1', RequestId: requestId }
              : { Code: 'OK', Message: 'OK', BizId: `${++this.#bizId}^0`, RequestId: requestId },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await stopServer(server);
  }
}
