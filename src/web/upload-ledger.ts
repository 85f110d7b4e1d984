/**
 * The web chat's uploads, accounted for: a rate per user and per address (per minute,
 * shared by every process through the Throttle table), a quota of bytes per user over
 * the last 24 hours, and a row per stored file (the Upload table) so that a file nobody
 * referred to within UPLOAD_UNREFERENCED_HOURS is deleted by a periodic sweep.
 *
 * Referred to means named by a row that keeps media: a ticket (its media), a ticket
 * event (photos of a report, a progress note, supplied information), an outbox message
 * (forwarded media), a conversation message, a chat session still collecting a report,
 * or a message held back by the flood limit. The sweep reads those tables backwards from
 * their newest rows until it passes the oldest upload it weighs (a reference can only be
 * made once its file exists), so it reads about a day of rows, not the history, and adds
 * no index to the tables the turns write.
 *
 * Files are content-addressed and shared with the other channels: a file is deleted only
 * when the upload that wrote it is the first row of its name (a file that was there
 * before, from Telegram or WeChat or an older upload, is never ours to delete), no row of
 * its name is still within its time, and no reference names it.
 */
import type { Config } from '../config.js';
import { type Db, transaction, type Tx } from '../db/client.js';
import { logger } from '../log.js';
import type { Clock } from '../pipeline/service.js';
import { lockThrottleRow, Throttle } from './throttle.js';

const log = logger('uploads');

const DAY_MS = 24 * 3_600_000;
/** References are looked for from this long before the oldest upload weighed (clocks of several processes differ a little). */
const MARGIN_MS = 3_600_000;
/** Rows read at a time when looking for references. */
const CHUNK = 2000;
/** Uploads weighed in one sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 500;

/** The limits on one user's (and one address's) uploads. */
export interface UploadLimits {
  perUserPerMinute: number;
  perAddressPerMinute: number;
  /** Bytes per user over the last 24 hours. */
  dailyBytes: number;
  /** An upload nothing refers to after this long is deleted. */
  unreferencedMs: number;
}

/** The settings' defaults (src/config.ts). */
export const DEFAULT_UPLOAD_LIMITS: Readonly<UploadLimits> = {
  perUserPerMinute: 10,
  perAddressPerMinute: 30,
  dailyBytes: 50 * 1024 * 1024,
  unreferencedMs: 24 * 3_600_000,
};

/** The limits the settings describe. */
export function uploadLimitsFrom(config: Pick<Config, 'UPLOADS_PER_MINUTE' | 'UPLOADS_PER_MINUTE_PER_ADDRESS' | 'UPLOAD_DAILY_MB' | 'UPLOAD_UNREFERENCED_HOURS'>): UploadLimits {
  return {
    perUserPerMinute: config.UPLOADS_PER_MINUTE,
    perAddressPerMinute: config.UPLOADS_PER_MINUTE_PER_ADDRESS,
    dailyBytes: config.UPLOAD_DAILY_MB * 1024 * 1024,
    unreferencedMs: config.UPLOAD_UNREFERENCED_HOURS * 3_600_000,
  };
}

/** Allowed, or why not and for how long. */
export type Admission = { ok: true } | { ok: false; reason: 'rate' | 'quota'; retryAfterSeconds: number };

/** What a sweep did. */
export interface SweepReport {
  /** Files deleted: nothing referred to them in time. */
  removed: number;
  /** Uploads found referenced (or not ours to delete), never weighed again. */
  kept: number;
}

/** The stored file names (`<sha256>.<ext>`) a text mentions. */
const UPLOAD_NAME = /[0-9a-f]{64}\.(?:jpg|png|gif|webp|ogg|webm|m4a|mp3|wav|amr|silk|aac)\b/g;

function namesIn(text: string, into: Set<string>): void {
  for (const match of text.matchAll(UPLOAD_NAME)) into.add(match[0]);
}

/**
 * Reads a table backwards by id, a chunk at a time, until a whole chunk is older than
 * `since` (ids grow with time, give or take the margin).
 */
async function scanBack<T extends { id: number }>(
  chunk: (before: number | undefined) => Promise<T[]>,
  time: (row: T) => Date,
  text: (row: T) => string,
  since: Date,
  into: Set<string>,
): Promise<void> {
  let before: number | undefined;
  for (;;) {
    const rows = await chunk(before);
    for (const row of rows) namesIn(text(row), into);
    const last = rows.at(-1);
    if (!last || rows.length < CHUNK || rows.every((row) => time(row) < since)) return;
    before = last.id;
  }
}

/** The upload names referred to by rows written (or, for sessions, last used) since `since`. */
async function referencedUploads(db: Db, since: Date): Promise<Set<string>> {
  const names = new Set<string>();
  const before = (id: number | undefined) => (id === undefined ? {} : { id: { lt: id } });
  for (const t of await db.ticket.findMany({ where: { createdAt: { gte: since } }, select: { media: true } })) namesIn(t.media, names);
  await scanBack(
    (id) => db.ticketEvent.findMany({ where: before(id), orderBy: { id: 'desc' }, take: CHUNK, select: { id: true, at: true, data: true } }),
    (row) => row.at,
    (row) => row.data,
    since,
    names,
  );
  await scanBack(
    (id) => db.outboxMessage.findMany({ where: before(id), orderBy: { id: 'desc' }, take: CHUNK, select: { id: true, createdAt: true, media: true } }),
    (row) => row.createdAt,
    (row) => row.media,
    since,
    names,
  );
  await scanBack(
    (id) => db.conversationMessage.findMany({ where: before(id), orderBy: { id: 'desc' }, take: CHUNK, select: { id: true, at: true, media: true } }),
    (row) => row.at,
    (row) => row.media,
    since,
    names,
  );
  for (const s of await db.chatSession.findMany({ where: { lastSeenAt: { gte: since } }, select: { data: true } })) namesIn(s.data, names);
  for (const h of await db.heldMessage.findMany({ select: { inbound: true } })) namesIn(h.inbound, names);
  return names;
}

/** The web chat's uploads: rates, quota, ledger and sweep. */
export class UploadLedger {
  readonly #rates: Throttle;

  constructor(
    private readonly db: () => Db,
    private readonly clock: Clock,
    readonly limits: UploadLimits,
  ) {
    this.#rates = new Throttle(db, clock, 60_000);
  }

  /** Bytes `user` stored over the last 24 hours, and when the oldest of those leaves the day. */
  async #used(db: Pick<Tx, 'upload'>, user: string, now: Date): Promise<{ bytes: number; frees: Date | null }> {
    const where = { chatId: user, createdAt: { gt: new Date(now.getTime() - DAY_MS) } };
    const sum = await db.upload.aggregate({ where, _sum: { bytes: true }, _min: { createdAt: true } });
    const oldest = sum._min.createdAt;
    return { bytes: sum._sum.bytes ?? 0, frees: oldest ? new Date(oldest.getTime() + DAY_MS) : null };
  }

  #quotaRefusal(frees: Date | null, now: Date): Admission {
    return { ok: false, reason: 'quota', retryAfterSeconds: Math.max(1, Math.ceil(((frees?.getTime() ?? now.getTime() + DAY_MS) - now.getTime()) / 1000)) };
  }

  /**
   * Before the bytes are read: a place within the user's and the address's rate (the
   * attempt counts, whatever becomes of it), and room in the user's day for the size
   * the request announces.
   */
  async admit(user: string, address: string | undefined, declaredBytes: number): Promise<Admission> {
    const rate = await this.#rates.reserve([
      { key: `upload:user:${user}`, max: this.limits.perUserPerMinute },
      ...(address === undefined ? [] : [{ key: `upload:ip:${address}`, max: this.limits.perAddressPerMinute }]),
    ]);
    if (!rate.ok) return { ok: false, reason: 'rate', retryAfterSeconds: rate.retryAfterSeconds };
    if (declaredBytes > 0) {
      const now = this.clock.now();
      const used = await this.#used(this.db(), user, now);
      if (used.bytes + declaredBytes > this.limits.dailyBytes) return this.#quotaRefusal(used.frees, now);
    }
    return { ok: true };
  }

  /**
   * A checked file about to be stored: room in the user's day for its real size, then
   * its row, under the user's lock (uploads of one user sent together cannot overrun the
   * quota between them). `created`: the file is not there yet (this upload writes it).
   */
  async record(user: string, name: string, bytes: number, created: boolean): Promise<Admission> {
    const now = this.clock.now();
    return transaction(this.db(), async (tx) => {
      await lockThrottleRow(tx, `upload:user:${user}`);
      const used = await this.#used(tx, user, now);
      if (used.bytes + bytes > this.limits.dailyBytes) return this.#quotaRefusal(used.frees, now);
      await tx.upload.create({ data: { name, chatId: user, bytes, created, createdAt: now } });
      return { ok: true } as const;
    });
  }

  /**
   * Deletes the files of uploads nothing referred to within `unreferencedMs` (through
   * `remove`, the store's), marks the referenced ones kept, and forgets rows that no
   * longer count towards a day.
   */
  async sweep(remove: (name: string) => Promise<boolean>): Promise<SweepReport> {
    const now = this.clock.now();
    const db = this.db();
    const cutoff = new Date(now.getTime() - this.limits.unreferencedMs);
    await db.upload.deleteMany({ where: { state: { in: ['kept', 'removed'] }, createdAt: { lt: new Date(now.getTime() - DAY_MS) } } });
    const due = await db.upload.findMany({ where: { state: 'new', createdAt: { lt: cutoff } }, orderBy: { id: 'asc' }, take: SWEEP_BATCH });
    const first = due[0];
    if (!first) return { removed: 0, kept: 0 };
    const names = [...new Set(due.map((row) => row.name))];
    const rows = await db.upload.findMany({ where: { name: { in: names } }, orderBy: { id: 'asc' } });
    const referenced = await referencedUploads(db, new Date(first.createdAt.getTime() - MARGIN_MS));
    const report: SweepReport = { removed: 0, kept: 0 };
    for (const name of names) {
      const all = rows.filter((row) => row.name === name);
      const waiting = all.filter((row) => row.state === 'new');
      if (referenced.has(name) || all[0]?.created !== true) {
        await db.upload.updateMany({ where: { id: { in: waiting.map((row) => row.id) } }, data: { state: 'kept' } });
        report.kept += waiting.length;
      } else if (all.some((row) => row.state === 'kept')) {
        // Found referenced before: the file stays (its reference may be older than this scan reached).
        await db.upload.updateMany({ where: { id: { in: waiting.map((row) => row.id) } }, data: { state: 'kept' } });
        report.kept += waiting.length;
      } else if (waiting.every((row) => row.createdAt < cutoff)) {
        await remove(name);
        await db.upload.updateMany({ where: { id: { in: waiting.map((row) => row.id) } }, data: { state: 'removed' } });
        report.removed++;
      }
      // Else a later upload of the same file is still within its time: weighed again next sweep.
    }
    if (report.removed || report.kept) log.info(report, 'unreferenced uploads swept');
    return report;
  }
}
