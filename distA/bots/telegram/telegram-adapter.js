import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback } from 'grammy';
import { render } from '../../src/engine/i18n.js';
import { ConfigError } from '../../src/errors.js';
import { logger } from '../../src/log.js';
import { deliveryResultOf, isSendablePhoto, keyboardRows, parseUpdate, voiceMethodOf } from './telegram-parse.js';
import { createLimitedServer, noteAborted } from '../../src/web/server.js';
import { closeServer } from '../shared/close-server.js';
import { defaultUploadDir, isUploadUrl, maxBytes, notReceived, tooBigFor, UploadStore } from '../shared/uploads.js';
import { within } from '../shared/within.js';
const log = logger('telegram');
/** The local path Telegram posts updates to (the public URL's proxy forwards here). */
export const WEBHOOK_PATH = '/telegram/webhook';
/** How long an external start (getMe, deleteWebhook / setWebhook) may take. */
export const START_TIMEOUT_MS = 15_000;
/** How long fetching one received photo or voice note may take. */
export const MEDIA_TIMEOUT_MS = 15_000;
/** How long one outgoing call (a message, a photo upload) may take before it counts as failed. */
export const SEND_TIMEOUT_MS = 30_000;
/** The bound on any Bot API call beyond the long-polling wait (grammY's own default is 500 s). */
const CALL_TIMEOUT_SECONDS = 30;
/** A signal that aborts a call after `ms`. */
function deadline(ms) {
    return AbortSignal.timeout(ms);
}
/** The update types we read; others are not even sent. */
const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'channel_post'];
/** How many group chats are remembered as already told that the bot works in private only. */
const DECLINED_MEMORY = 10_000;
/** Telegram behind our ChannelAdapter interface. */
export class TelegramAdapter {
    channel = 'telegram';
    #options;
    #bot;
    #declined = new Set();
    #uploads;
    #handle;
    #polling;
    #server;
    constructor(options) {
        this.#options = options;
        this.#uploads = new UploadStore(options.uploadDir ?? defaultUploadDir());
        this.#bot = new Bot(options.token, {
            ...(options.botInfo ? { botInfo: options.botInfo } : {}),
            // Every call is bounded: a Bot API that stops answering must not hold the scheduler.
            client: { apiRoot: options.apiRoot ?? 'https://api.telegram.org', timeoutSeconds: (options.pollTimeoutSeconds ?? 30) + CALL_TIMEOUT_SECONDS },
        });
        this.#bot.use((ctx) => this.#onUpdate(ctx));
        // Our middleware catches its own errors; this is the last line for long polling.
        this.#bot.catch((error) => log.error({ err: error.error, updateId: error.ctx.update.update_id }, 'telegram update failed'));
    }
    /** 'webhook' or 'polling'. */
    get mode() {
        return this.#options.webhook ? 'webhook' : 'polling';
    }
    /** The port of the webhook server (the real one when started with port 0). */
    get webhookPort() {
        const address = this.#server?.address();
        return typeof address === 'object' && address !== null ? address.port : this.#options.webhook?.port;
    }
    async start(handle) {
        this.#handle = handle;
        const ms = this.#options.startTimeoutMs ?? START_TIMEOUT_MS;
        const late = () => new ConfigError([`TELEGRAM_API_ROOT: the Telegram Bot API did not answer within ${Math.round(ms / 1000)} s; check the network (or TELEGRAM_API_ROOT)`]);
        try {
            // grammY retries getMe on network errors until aborted: the time box aborts it.
            const abort = new AbortController();
            // grammY's Node build types its signal with the abort-controller shim; node-fetch takes the native one.
            const signal = abort.signal;
            await within(this.#bot.init(signal), ms, () => {
                abort.abort();
                return late();
            });
            await within(this.#options.webhook ? this.#startWebhook(this.#options.webhook) : this.#startPolling(), ms, late);
        }
        catch (error) {
            await this.stop();
            if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
                throw new ConfigError([`TELEGRAM_BOT_TOKEN: the Bot API refused this token (${error.error_code}); copy it again from @BotFather`]);
            }
            throw error;
        }
        log.info({ mode: this.mode, bot: this.#bot.botInfo.username, ...(this.#server ? { port: this.webhookPort } : {}) }, 'telegram channel up');
    }
    /** Long polling: resolves once polling has begun (after deleteWebhook), not when it ends. */
    #startPolling() {
        return new Promise((resolve, reject) => {
            this.#polling = this.#bot
                .start({
                drop_pending_updates: false,
                allowed_updates: [...ALLOWED_UPDATES],
                timeout: this.#options.pollTimeoutSeconds ?? 30,
                onStart: () => resolve(),
            })
                .catch((error) => {
                reject(error instanceof Error ? error : new Error(String(error)));
                log.error({ err: error }, 'telegram long polling stopped');
            });
        });
    }
    async #startWebhook(webhook) {
        const callback = webhookCallback(this.#bot, 'http', { secretToken: webhook.secret, onTimeout: 'return', timeoutMilliseconds: 9_000 });
        const server = createLimitedServer((req, res) => void this.#route(req, res, callback), this.#options.http);
        this.#server = server;
        await new Promise((resolve, reject) => {
            server.once('error', reject);
            server.listen(webhook.port, webhook.host, () => {
                server.off('error', reject);
                resolve();
            });
        }).catch((error) => {
            if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
                throw new ConfigError([`TELEGRAM_WEBHOOK_PORT: ${webhook.port} is already in use; set TELEGRAM_WEBHOOK_PORT to a free port`]);
            }
            throw error;
        });
        await this.#bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false });
    }
    async #route(req, res, callback) {
        try {
            const path = new URL(req.url ?? '/', 'http://localhost').pathname;
            if (req.method !== 'POST' || path !== WEBHOOK_PATH) {
                req.resume();
                res.writeHead(404).end();
                return;
            }
            // grammY checks X-Telegram-Bot-Api-Secret-Token (constant time) and answers 401 when it is wrong.
            await callback(req, res);
        }
        catch (error) {
            // grammY read the body and the request ended first: the client (or a timeout) cut it off.
            if (!req.complete && !(error instanceof SyntaxError))
                return noteAborted(req.socket, 'request aborted by the client', { path: WEBHOOK_PATH });
            log.warn({ err: error instanceof SyntaxError ? 'malformed JSON' : error }, 'telegram webhook request failed');
            if (!res.headersSent)
                res.writeHead(error instanceof SyntaxError ? 400 : 500).end();
        }
    }
    async stop() {
        if (this.#bot.isRunning())
            await this.#bot.stop().catch((error) => log.warn({ err: error }, 'telegram stop: could not confirm the last update'));
        await this.#polling;
        this.#polling = undefined;
        const server = this.#server;
        this.#server = undefined;
        await closeServer(server);
    }
    /** Photos and voice notes first, each on its own, then the text with its choices as an inline keyboard. */
    async send(message) {
        try {
            for (const item of message.media ?? [])
                await this.#sendMedia(message, item);
            const keyboard = new InlineKeyboard(keyboardRows(message.choices).map((row) => row.map((c) => InlineKeyboard.text(c.label, c.payload))));
            await this.#bot.api.sendMessage(message.chatId, message.text, message.choices.length ? { reply_markup: keyboard } : {}, deadline(SEND_TIMEOUT_MS));
            return { status: 'sent' };
        }
        catch (error) {
            const result = deliveryResultOf(error);
            log.warn({ outboxId: message.outboxId, status: result.status, error: result.status === 'sent' || result.status === 'offline' ? undefined : result.error }, 'telegram send failed');
            return result;
        }
    }
    /** One photo or voice note: a stored file uploaded from its bytes, or a URL or file id Telegram fetches itself. */
    async #sendMedia(message, item) {
        const stored = isUploadUrl(item.ref) ? await this.#uploads.read(item.ref) : null;
        const file = stored ? new InputFile(stored.bytes, stored.name) : isSendablePhoto(item.ref) ? item.ref : null;
        if (file === null) {
            log.debug({ outboxId: message.outboxId, kind: item.kind }, 'media not reachable by Telegram (not stored here, not a URL or file id): left out');
            return;
        }
        const kind = stored?.kind ?? item.kind;
        const api = this.#bot.api;
        const signal = deadline(SEND_TIMEOUT_MS);
        if (kind === 'photo') {
            await api.sendPhoto(message.chatId, file, {}, signal);
            return;
        }
        const method = voiceMethodOf(stored?.type ?? item.ref);
        if (method === 'sendVoice')
            await api.sendVoice(message.chatId, file, {}, signal);
        else if (method === 'sendAudio')
            await api.sendAudio(message.chatId, file, {}, signal);
        else
            await api.sendDocument(message.chatId, file, {}, signal);
    }
    async #onUpdate(ctx) {
        const parsed = parseUpdate(ctx.update);
        if (ctx.callbackQuery) {
            // Stop the button's spinner first; a failure here must not lose the tap.
            await ctx.answerCallbackQuery().catch((error) => log.warn({ err: error }, 'answerCallbackQuery failed'));
        }
        if (parsed.ok) {
            try {
                const inbound = await this.#storeMedia(parsed.inbound);
                if (inbound)
                    await this.#handle?.(inbound);
            }
            catch (error) {
                log.error({ err: error, updateId: ctx.update.update_id }, 'telegram turn failed');
            }
            return;
        }
        if (parsed.reason === 'not_private' && parsed.chatId !== undefined && !this.#declined.has(parsed.chatId)) {
            if (this.#declined.size >= DECLINED_MEMORY)
                this.#declined.clear();
            this.#declined.add(parsed.chatId);
            const locale = parsed.languageCode?.startsWith('en') ? 'en' : 'zh';
            await this.#bot.api.sendMessage(parsed.chatId, render(locale, 'telegram.group_declined')).catch((error) => log.warn({ err: error }, 'telegram group notice failed'));
        }
    }
    /**
     * Downloads each received photo or voice note (by its file id) and stores it; its ref
     * becomes the stored `/uploads/…` URL, its kind the kind of the bytes. A photo that
     * cannot be fetched keeps its file id, which Telegram users can still be sent, and the
     * turn goes on. A voice note that cannot be fetched is not passed on (null): nobody
     * could listen to it outside Telegram, and a file id reads as a photo once stored, so
     * the sender is asked to send it again.
     */
    async #storeMedia(inbound) {
        if (!inbound.media?.length)
            return inbound;
        const media = [];
        for (const item of inbound.media) {
            let stored;
            try {
                stored = await this.#download(item.ref, item.kind);
            }
            catch (error) {
                // The message only, without the token a file URL carries.
                const text = error instanceof Error ? error.message.replaceAll(this.#options.token, '***') : 'unknown';
                log.warn({ error: text, kind: item.kind }, 'telegram media not fetched');
                stored = { ok: false, error: notReceived(item.kind) };
            }
            if (stored.ok)
                media.push({ kind: stored.kind, ref: stored.url });
            else if (item.kind === 'photo')
                media.push(item);
            else {
                await this.#bot.api
                    .sendMessage(inbound.chatId, stored.error, {}, deadline(SEND_TIMEOUT_MS))
                    .catch((error) => log.warn({ err: error }, 'could not tell the sender that the voice note was not taken'));
                return null;
            }
        }
        return { ...inbound, media };
    }
    /** Fetches a file by id into the upload store, as `kind`; its stored URL, or why it was not taken. */
    async #download(fileId, kind) {
        const ms = this.#options.mediaTimeoutMs ?? MEDIA_TIMEOUT_MS;
        const file = await this.#bot.api.getFile(fileId, deadline(ms));
        if (!file.file_path)
            return { ok: false, error: notReceived(kind) };
        if ((file.file_size ?? 0) > maxBytes(kind))
            return { ok: false, error: tooBigFor(kind) };
        const root = this.#options.apiRoot ?? 'https://api.telegram.org';
        const response = await fetch(`${root}/file/bot${this.#options.token}/${file.file_path}`, { signal: AbortSignal.timeout(ms) });
        if (!response.ok)
            throw new Error(`file download answered ${response.status}`);
        return this.#uploads.save(Buffer.from(await response.arrayBuffer()), kind);
    }
}
/** The Telegram adapter from checked settings (start.ts): webhook mode when a URL is set. */
export function createTelegramAdapter(config) {
    const url = config.TELEGRAM_WEBHOOK_URL;
    const secret = config.TELEGRAM_WEBHOOK_SECRET;
    return new TelegramAdapter({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        ...(config.http ? { http: config.http } : {}),
        ...(url !== undefined && secret !== undefined ? { webhook: { url, secret, port: config.TELEGRAM_WEBHOOK_PORT } } : {}),
    });
}
