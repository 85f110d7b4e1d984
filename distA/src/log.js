/**
 * Structured logs (pino), one child logger per area. The level comes from LOG_LEVEL.
 * Never log personal data or secrets: log ids and ticket numbers, not names or phones.
 */
import { pino } from 'pino';
/**
 * Loggers exist before the settings are checked, so an invalid LOG_LEVEL here falls back
 * to info; the settings check then reports it properly.
 */
function initialLevel() {
    const wanted = process.env['LOG_LEVEL'];
    return wanted && wanted in pino.levels.values ? wanted : wanted === 'silent' ? 'silent' : 'info';
}
const root = pino({ level: initialLevel(), base: { app: 'minqing' } });
/** Sets the level of every logger (children follow their root). */
export function setLogLevel(level) {
    root.level = level;
}
/** A logger for one area of the code, e.g. `logger('scheduler')`. */
export function logger(area) {
    return root.child({ area });
}
/**
 * Runs `work` with every logger at `level` or quieter (a demo history of thousands of
 * tickets would log each one at info), then restores the level it found.
 */
export async function quietly(work, level = 'warn') {
    const before = root.level;
    const wanted = pino.levels.values[level];
    if (wanted !== undefined && root.levelVal < wanted)
        root.level = level;
    try {
        return await work();
    }
    finally {
        root.level = before;
    }
}
