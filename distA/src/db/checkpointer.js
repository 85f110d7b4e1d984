/**
 * WAL checkpoints off the main thread.
 *
 * In WAL mode with `synchronous = NORMAL` a commit never waits for the disk; a
 * checkpoint does (it syncs the WAL, copies its pages into the database file and syncs
 * that). SQLite runs one inside the COMMIT that crosses `wal_autocheckpoint` pages, so
 * every ~1,000 pages one turn, and every message queued behind it, waited for two
 * fsyncs: that was most of the p99 latency and, on a busy disk, idle time of the only
 * thread that runs the dialogue (see README, "Throughput and crash safety").
 *
 * Here a worker thread with its own connection runs a PASSIVE checkpoint every
 * {@link CHECKPOINT_EVERY_MS} ms. PASSIVE never blocks the writer; the writer restarts
 * the WAL from its start once a checkpoint has caught up. The main connection keeps a
 * far-off automatic checkpoint ({@link BACKSTOP_PAGES}) in case the worker falls behind
 * or dies. Durability is unchanged: a commit is as safe as before, a checkpoint syncs
 * the same way.
 *
 * The worker is plain CommonJS evaluated from a string and started without the
 * TypeScript loader, so it costs a V8 isolate (~10-15 MiB) and nothing more.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { logger } from '../log.js';
const log = logger('db');
/** How often the worker checkpoints (a checkpoint with nothing to copy costs microseconds). */
export const CHECKPOINT_EVERY_MS = 200;
/**
 * The main connection's own automatic checkpoint, far off: reached only when the
 * worker is behind by this many pages (4 KiB each, so ~40 MiB of WAL).
 */
export const BACKSTOP_PAGES = 10_000;
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // SQLITE_BUSY (another checkpoint runs) or a passing I/O error: try again next time.
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;
/**
 * Starts checkpointing the SQLite file at `path` (in WAL mode) from a worker thread.
 * `onLost` runs if the worker ends unasked, so the caller can bring the main
 * connection's automatic checkpoint back to its default.
 */
export function startCheckpointer(path, onLost) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        // Without the parent's flags: no TypeScript loader (and its own thread) in the worker.
        execArgv: [],
        workerData: { path, driver, everyMs: CHECKPOINT_EVERY_MS },
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref();
    let stopping = false;
    let reported = 0;
    worker.on('message', (message) => {
        // One warning a minute at most: a disk in trouble would otherwise flood the log.
        if (message.error && Date.now() - reported > 60_000) {
            reported = Date.now();
            log.warn({ error: message.error }, 'WAL checkpoint failed; retrying');
        }
    });
    worker.on('error', (error) => log.error({ err: error }, 'WAL checkpoint worker failed'));
    const exited = new Promise((resolve) => worker.once('exit', () => {
        if (!stopping) {
            log.warn('WAL checkpoint worker ended; the connection checkpoints by itself again');
            onLost();
        }
        resolve();
    }));
    return {
        async stop() {
            if (stopping)
                return exited;
            stopping = true;
            worker.postMessage('stop');
            // A worker stuck in a checkpoint (a hung disk) must not hold the shutdown forever.
            const timeout = setTimeout(() => void worker.terminate(), 10_000);
            await exited;
            clearTimeout(timeout);
        },
    };
}
