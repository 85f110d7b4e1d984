/**
 * The settings of Minqing, read from the environment (and `.env` when present) and
 * checked with zod. A bad value stops start-up with one line per problem.
 * Every variable is listed with its default in `.env.example`.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ASSISTANCE_DAYS_DEFAULT, ASSISTANCE_DAYS_PATTERN } from './assistance/machine.js';
import { ConfigError } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Accepts `HH:MM` and returns minutes after midnight. */
const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day as HH:MM, e.g. 17:30')
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)));

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int(`expected a whole number from ${min} to ${max}`)
    .min(min, `expected a whole number from ${min} to ${max}`)
    .max(max, `expected a whole number from ${min} to ${max}`);

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' }).transform((s) => s === 'true' || s === '1' || s === 'yes');

const databaseUrl = z.string().refine((s) => /^file:.+/.test(s) || /^postgres(ql)?:\/\/[^/]+\/.+/.test(s), {
  error: 'expected file:PATH (SQLite) or postgresql://USER:PASSWORD@HOST:PORT/DATABASE',
});

const smsTemplate = z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'expected a template code, e.g. SMS_123456789');

/** The settings the SMS channel needs, all or none. */
export const SMS_REQUIRED = [
  'SMS_ACCESS_KEY_ID',
  'SMS_ACCESS_KEY_SECRET',
  'SMS_SIGN_NAME',
  'SMS_TEMPLATE_RECEIPT',
  'SMS_TEMPLATE_PROGRESS',
  'SMS_TEMPLATE_RATING',
  'SMS_TEMPLATE_GENERIC',
  'SMS_CALLBACK_SECRET',
] as const;

/** SQLite's durability settings (PRAGMA synchronous) that Minqing runs with. */
export const SQLITE_SYNC_MODES = ['full', 'normal'] as const;
export type SqliteSyncMode = (typeof SQLITE_SYNC_MODES)[number];

const schema = z
  .object({
    DATABASE_URL: databaseUrl.default('file:./data/minqing.db'),
    // SQLite: full syncs the write-ahead log at every commit (one fsync per group of turns), so a
    // power cut loses nothing a resident was told; normal syncs at checkpoints only (see README).
    SQLITE_SYNCHRONOUS: z.enum(SQLITE_SYNC_MODES, { error: 'expected full or normal' }).default('full'),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    DEFAULT_LOCALE: z.enum(['zh', 'en'], { error: 'expected zh or en' }).default('zh'),
    SEED_DEMO: bool.default(true),
    // Months of demo history played with the demo county (whole months before the current one, plus the current month to date; 0: none).
    SEED_DEMO_HISTORY_MONTHS: int(0, 24).default(6),
    TICKET_PREFIX: z
      .string()
      .regex(/^[A-Z]{1,6}$/, 'expected 1 to 6 capital letters, e.g. MQ')
      .default('MQ'),
    OFFICE_DAY_START: timeOfDay.default(8 * 60 + 30),
    OFFICE_DAY_END: timeOfDay.default(17 * 60 + 30),
    HOLIDAY_CALENDAR_FILE: z
      .string()
      .refine((p) => existsSync(p), { error: 'expected the path of an existing holiday calendar JSON file' })
      .optional(),
    CALLBACK_DAYS: int(1, 30).default(3),
    REMINDER_HOURS: int(0, 72).default(4),
    SCHEDULER_INTERVAL_MS: int(200, 3_600_000).default(5000),
    OUTBOX_MAX_ATTEMPTS: int(1, 100).default(8),
    // A webhook subscriber failing this many hours without a success is paused, and its admins told.
    WEBHOOK_PAUSE_AFTER_HOURS: int(1, 720).default(24),
    // 0 picks a free port (tests); the real one is logged.
    PORT: int(0, 65535).default(3000),
    SESSION_IDLE_MINUTES: int(1, 1440).default(30),
    FLOOD_PER_MINUTE: int(1, 600).default(20),
    // 人工: a conversation with staff closes by itself after this many hours without a message.
    CONVERSATION_IDLE_HOURS: int(1, 720).default(24),
    // 双述双评: the months whose first working day starts each county's appraisal round (empty: staff start them).
    // 帮扶: days the village's verification, the township's, the notice (calendar days, at least 7), the delivery after it and the follow-up may take.
    ASSISTANCE_DAYS: z
      .string()
      .regex(ASSISTANCE_DAYS_PATTERN, 'expected five numbers village,township,notice,delivery,follow-up, the notice at least 7, e.g. 5,15,7,10,10')
      .default(ASSISTANCE_DAYS_DEFAULT),
    APPRAISAL_MONTHS: z
      .string()
      .regex(/^$|^(?:[1-9]|1[0-2])(?:,(?:[1-9]|1[0-2]))*$/, 'expected months 1–12, comma-separated, e.g. 6,12 (or empty)')
      .default('6,12')
      .transform((s) => (s ? s.split(',').map(Number) : [])),
    // 矛盾纠纷调解: a dispute is generally settled within one month (人民调解工作若干规定 art. 33); an extension the parties
    // agree to adds MEDIATION_EXTENSION_DAYS; the mediator follows a settled agreement up at the two MEDIATION_FOLLOW_UP_DAYS.
    MEDIATION_LIMIT_DAYS: int(1, 365).default(30),
    MEDIATION_EXTENSION_DAYS: int(1, 365).default(30),
    MEDIATION_FOLLOW_UP_DAYS: z
      .string()
      .regex(/^\d{1,3},\d{1,3}$/, 'expected two day counts, comma-separated, e.g. 30,90')
      .default('30,90')
      .transform((s) => s.split(',').map(Number) as [number, number])
      .refine(([a, b]) => a >= 1 && b > a, 'expected the second follow-up after the first, e.g. 30,90'),
    // Received message ids are kept this long to recognise a platform's re-delivery.
    INBOUND_RETENTION_DAYS: int(1, 3650).default(30),
    // A delivered (or skipped) webhook delivery stays in its subscriber's delivery log this long; one not yet delivered is kept until it is.
    WEBHOOK_DELIVERY_RETENTION_DAYS: int(1, 3650).default(30),
    BINDING_CODE_DAYS: int(1, 90).default(7),
    // Staff console: a session ends after this much inactivity; failed logins per (address, username) (and 10× per address)
    // are slowed by a growing delay; per username from anywhere, a ceiling against a guess spread over many addresses.
    CONSOLE_SESSION_IDLE_MINUTES: int(5, 1440).default(60),
    CONSOLE_LOGIN_MAX_FAILURES: int(1, 100).default(5),
    CONSOLE_LOGIN_USER_CEILING: int(10, 100000).default(100),
    CONSOLE_LOGIN_WINDOW_MINUTES: int(1, 1440).default(15),
    // Open311: requests per minute per API key (or, without a key, per address).
    OPEN311_REQUESTS_PER_MINUTE: int(1, 100000).default(120),
    // Behind a reverse proxy: believe its X-Forwarded-For (login limits) and X-Forwarded-Proto (Secure cookies).
    TRUST_PROXY: bool.default(false),
    // The HTTP servers (web, Telegram webhook) against slow and broken clients (src/web/server.ts).
    HTTP_HEADERS_TIMEOUT_SECONDS: int(1, 300).default(10),
    HTTP_REQUEST_TIMEOUT_SECONDS: int(1, 3600).default(120),
    HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: int(1, 600).default(5),
    HTTP_MAX_CONNECTIONS: int(10, 1_000_000).default(2000),
    // 0: no cap; off behind a trusted proxy (TRUST_PROXY), where every connection is the proxy's.
    HTTP_MAX_CONNECTIONS_PER_ADDRESS: int(0, 1_000_000).default(50),
    // Web chat uploads (photos, voice notes): per user and per address per minute, bytes per user a day,
    // and the hours after which an upload nothing refers to is deleted.
    UPLOADS_PER_MINUTE: int(1, 600).default(10),
    UPLOADS_PER_MINUTE_PER_ADDRESS: int(1, 6000).default(30),
    UPLOAD_DAILY_MB: int(1, 100_000).default(50),
    UPLOAD_UNREFERENCED_HOURS: int(1, 8760).default(24),
    // Telegram: the channel starts only when a token is set; the token is never logged.
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[\w-]+$/, 'expected a bot token from @BotFather, like 123456:ABC-DEF…')
      .optional(),
    TELEGRAM_WEBHOOK_URL: z
      .string()
      .refine((s) => /^https:\/\/[^/\s]+(\/\S*)?$/.test(s), { error: 'expected a public https URL, e.g. https://minqing.example.org/telegram/webhook' })
      .optional(),
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, 'expected 1 to 256 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
    // 0 picks a free port (tests).
    TELEGRAM_WEBHOOK_PORT: int(0, 65535).default(8443),
    TELEGRAM_API_ROOT: z
      .string()
      .refine((s) => /^https?:\/\/[^/\s]+(\/\S*)?$/.test(s), { error: 'expected an http(s) URL, e.g. https://api.telegram.org' })
      .default('https://api.telegram.org'),
    // WeChat (Wechaty): starts only with a puppet-service token or another puppet named; the token is never logged.
    WECHATY_PUPPET: z
      .string()
      .regex(/^[@\w./-]+$/, 'expected a Wechaty puppet package name, e.g. wechaty-puppet-service')
      .optional(),
    WECHATY_PUPPET_SERVICE_TOKEN: z.string().min(1).optional(),
    // Comma-separated room topics where members may @-mention the bot to report.
    WECHAT_ROOM_INTAKE: z.string().optional(),
    // SMS (Alibaba Cloud 短信服务): starts only when its settings are all set (see smsSettingsOf); the key secret is never logged.
    SMS_ACCESS_KEY_ID: z.string().min(1).optional(),
    SMS_ACCESS_KEY_SECRET: z.string().min(1).optional(),
    SMS_SIGN_NAME: z.string().min(2).max(12).optional(),
    SMS_TEMPLATE_RECEIPT: smsTemplate.optional(),
    SMS_TEMPLATE_PROGRESS: smsTemplate.optional(),
    SMS_TEMPLATE_RATING: smsTemplate.optional(),
    SMS_TEMPLATE_GENERIC: smsTemplate.optional(),
    SMS_ENDPOINT: z
      .string()
      .refine((s) => /^https?:\/\/[^/\s]+\/?$/.test(s), { error: 'expected an http(s) URL with no path, e.g. https://dysmsapi.aliyuncs.com' })
      .default('https://dysmsapi.aliyuncs.com'),
    SMS_CALLBACK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, 'expected 16 to 256 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
    SMS_DAILY_CAP: int(1, 1000).default(10),
    SMS_BATCH_SECONDS: int(0, 3600).default(60),
  })
  .superRefine((c, ctx) => {
    if (c.HTTP_HEADERS_TIMEOUT_SECONDS > c.HTTP_REQUEST_TIMEOUT_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_SECONDS'],
        message: `expected at most HTTP_REQUEST_TIMEOUT_SECONDS (${c.HTTP_REQUEST_TIMEOUT_SECONDS}): the headers are part of the request`,
      });
    }
    const sms = SMS_REQUIRED.filter((key) => c[key] === undefined);
    if (sms.length > 0 && sms.length < SMS_REQUIRED.length) {
      ctx.addIssue({ code: 'custom', path: [sms[0] ?? ''], message: `the SMS channel needs all of ${SMS_REQUIRED.join(', ')}; missing ${sms.join(', ')}` });
    }
    if (c.TELEGRAM_WEBHOOK_URL !== undefined && c.TELEGRAM_WEBHOOK_SECRET === undefined) {
      ctx.addIssue({ code: 'custom', path: ['TELEGRAM_WEBHOOK_SECRET'], message: 'required when TELEGRAM_WEBHOOK_URL is set (Telegram sends it back with every update)' });
    }
  });

/** The checked settings. */
export type Config = z.output<typeof schema>;

/**
 * Parses settings from `env`. Empty strings count as unset, so a blank line in `.env`
 * falls back to the default.
 * @throws ConfigError with one line per problem, naming the variable.
 */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(given);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
}

/** Reads `.env` (if present; variables already set win) and parses `process.env`. */
export function loadConfig(envFile = '.env'): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}
