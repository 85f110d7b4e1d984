/**
 * Imports roster CSV files into the database named by DATABASE_URL.
 *
 *   npm run import -- [--strict] FILE...
 *
 * Files may come in any order; their kinds are recognised from their headers. Problems
 * go to stderr as FILE:LINE: column COLUMN: reason; the summary to stdout. Exit code 0
 * when every row was good, 1 when some were bad (good rows kept, or with --strict,
 * nothing written), 2 for bad arguments or settings.
 */
import { SingleBar } from 'cli-progress';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { formatProblem, formatSummary, importRoster, type ImportProgress } from '../org/import/index.js';
import { runCli, withDatabase } from './run-cli.js';

const USAGE = 'usage: npm run import -- [--strict] FILE...';

/** A progress bar on stderr when it is a terminal; a no-op otherwise. */
function progressBar(): { update(p: ImportProgress): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{kind} {stage} [{bar}] {value}/{total}',
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(p.total, p.done, { kind: p.kind, stage: p.stage });
        started = true;
      }
      bar.setTotal(p.total);
      bar.update(p.done, { kind: p.kind, stage: p.stage });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

await runCli(async () => {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const strict = args.includes('--strict');
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--strict');
  if (unknown.length > 0) throw new ConfigError([`unknown option ${unknown.join(', ')}; ${USAGE}`]);
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) throw new ConfigError([`no file given; ${USAGE}`]);

  const config = loadConfig();
  return withDatabase(config.DATABASE_URL, async (database) => {
    const bar = progressBar();
    try {
      const report = await importRoster(database.db, files, {
        strict,
        onProgress: (p) => bar.update(p),
      });
      bar.stop();
      for (const problem of report.problems) console.error(formatProblem(problem));
      console.log(formatSummary(report));
      return report.problems.length === 0 ? 0 : 1;
    } finally {
      bar.stop();
    }
  });
});
