/** The SMS channel's settings, when they are all there (src/config.ts checks they come all or none). */
import type { Config } from '../config.js';
import type { AlibabaSmsOptions } from './alibaba.js';

export interface SmsSettings extends AlibabaSmsOptions {
  callbackSecret: string;
}

/** The SMS settings, or undefined when SMS is off (none given). */
export function smsSettingsOf(config: Config): SmsSettings | undefined {
  const { SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME, SMS_TEMPLATE_RECEIPT, SMS_TEMPLATE_PROGRESS, SMS_TEMPLATE_RATING, SMS_TEMPLATE_GENERIC, SMS_CALLBACK_SECRET } =
    config;
  if (
    SMS_ACCESS_KEY_ID === undefined ||
    SMS_ACCESS_KEY_SECRET === undefined ||
    SMS_SIGN_NAME === undefined ||
    SMS_TEMPLATE_RECEIPT === undefined ||
    SMS_TEMPLATE_PROGRESS === undefined ||
    SMS_TEMPLATE_RATING === undefined ||
    SMS_TEMPLATE_GENERIC === undefined ||
    SMS_CALLBACK_SECRET === undefined
  ) {
    return undefined;
  }
  return {
    accessKeyId: SMS_ACCESS_KEY_ID,
    accessKeySecret: SMS_ACCESS_KEY_SECRET,
    signName: SMS_SIGN_NAME,
    templates: { receipt: SMS_TEMPLATE_RECEIPT, progress: SMS_TEMPLATE_PROGRESS, rating: SMS_TEMPLATE_RATING, generic: SMS_TEMPLATE_GENERIC },
    endpoint: config.SMS_ENDPOINT,
    callbackSecret: SMS_CALLBACK_SECRET,
  };
}
