/**
 * importRoster: reads roster CSV files of any kinds, in any order, checks every row and
 * writes the good ones in one transaction, in dependency order.
 */
import { resolve } from 'node:path';
import { type Db, sqlOf } from '../../db/client.js';
import { DataError } from '../../errors.js';
import { logger } from '../../log.js';
import { ImportContext, type ImportProgress, type Sourced } from './context.js';
import { readCsvFile } from './csv.js';
import { matchHeader, refineSharedHeader, ROSTER_KINDS, type RosterKind } from './kinds.js';
import { emptyCounts, type ImportedFile, type ImportProblem, type ImportReport, type KindCounts } from './report.js';
import { checkRow, type RowOf } from './rows.js';
import { writeCategories, writeDepartments, writeGrids, writeRegions } from './write-org.js';
import { writeHouseholds, writePairings, writePeople } from './write-residents.js';

export interface ImportOptions {
  /** Write nothing when any row is bad (default false: write the good rows). */
  strict?: boolean;
  /** Called as rows are checked and written, e.g. to drive a progress bar. */
  onProgress?: (progress: ImportProgress) => void;
}

/** Thrown inside the transaction to roll a --strict import back. */
class StrictRollback extends Error {
  override readonly name = 'StrictRollback';
}

/** Rows of every kind, checked on their own (not yet against other rows). */
type RowsByKind = { [K in RosterKind]: Sourced<K>[] };

/** The natural keys of a row that must be unique within an import, with their column. */
function naturalKeys<K extends RosterKind>(kind: K, row: RowOf<K>): { key: string; column: string; label: string }[] {
  switch (kind) {
    case 'departments': {
      const r = row as RowOf<'departments'>;
      return [
        { key: `code:${r.code}`, column: 'code', label: `code ${r.code}` },
        { key: `kind:${r.region_code}|${r.kind}`, column: 'kind', label: `a ${r.kind} department of ${r.region_code}` },
      ];
    }
    case 'pairings': {
      const r = row as RowOf<'pairings'>;
      return [{ key: r.household_code, column: 'household_code', label: `a pairing of household ${r.household_code}` }];
    }
    default: {
      const code = (row as { code: string }).code;
      return [{ key: code, column: 'code', label: `code ${code}` }];
    }
  }
}

/** The raw code cell of a record, for remembering bad codes. */
function rawCode(columns: readonly string[], cells: readonly string[]): string | undefined {
  const i = columns.indexOf('code');
  const code = i < 0 ? undefined : cells[i]?.trim();
  return code ? code : undefined;
}

/** What reading and checking the files on their own gives. */
interface CheckedFiles {
  readonly files: ImportedFile[];
  readonly problems: ImportProblem[];
  readonly rows: RowsByKind;
  /** Codes of rows that failed their own checks, to fail the rows pointing at them. */
  readonly badCodes: { kind: RosterKind; code: string; source: { file: string; line: number } }[];
}

/**
 * Reads the files, recognises their kinds, checks each row on its own (zod) and finds
 * duplicate natural keys. References between rows are checked later, while writing.
 */
async function readAndCheck(files: readonly string[], counts: Record<RosterKind, KindCounts>, onProgress: ImportOptions['onProgress']): Promise<CheckedFiles> {
  const out: CheckedFiles = {
    files: [],
    problems: [],
    rows: Object.fromEntries(ROSTER_KINDS.map((k) => [k, []])) as unknown as RowsByKind,
    badCodes: [],
  };
  /** Per kind, natural key → where it was first seen (across files). */
  const seenByKind = new Map<RosterKind, Map<string, { file: string; line: number }>>();
  const seenPaths = new Set<string>();
  for (const file of files) {
    const path = resolve(file);
    if (seenPaths.has(path)) continue;
    seenPaths.add(path);
    const table = await readCsvFile(file);
    const match = matchHeader(table.header);
    if (match.kind === null) {
      out.problems.push({ file, line: 1, column: null, reason: match.reason });
      out.files.push({ file, kind: null, rows: table.records.length, encoding: table.encoding });
      continue;
    }
    const columns = table.header.map((c) => c.toLowerCase());
    const kindColumn = columns.indexOf('kind');
    const kind = refineSharedHeader(
      match.kind,
      file,
      table.records.map((r) => r.cells[kindColumn] ?? ''),
    );
    out.files.push({ file, kind, rows: table.records.length, encoding: table.encoding });
    counts[kind].read += table.records.length;
    const sink = out.rows[kind] as Sourced<RosterKind>[];
    let seen = seenByKind.get(kind);
    if (!seen) {
      seen = new Map();
      seenByKind.set(kind, seen);
    }
    let checked = 0;
    for (const record of table.records) {
      if (++checked % 5000 === 0) onProgress?.({ kind, stage: 'check', done: checked, total: table.records.length });
      const result = checkRow(kind, columns, record.cells);
      if (!result.ok) {
        for (const p of result.problems) out.problems.push({ file, line: record.line, ...p });
        counts[kind].bad++;
        const code = rawCode(columns, record.cells);
        if (code !== undefined) out.badCodes.push({ kind, code, source: { file, line: record.line } });
        continue;
      }
      const keys = naturalKeys(kind, result.row);
      let duplicate = false;
      for (const k of keys) {
        const first = seen.get(k.key);
        if (!first) continue;
        duplicate = true;
        const where = first.file === file ? `line ${first.line}` : `line ${first.line} of ${first.file}`;
        out.problems.push({ file, line: record.line, column: k.column, reason: `${k.label} already on ${where}` });
      }
      if (duplicate) {
        counts[kind].bad++;
        continue;
      }
      for (const k of keys) seen.set(k.key, { file, line: record.line });
      sink.push({ file, line: record.line, row: result.row });
    }
  }
  return out;
}

/**
 * Imports roster files into the database.
 *
 * Files may be given in any order and mix kinds (recognised from their headers); rows
 * are written in dependency order (categories, regions, departments, grids, households,
 * people, pairings) in one transaction. A bad row, or a row referring to one, is
 * reported and skipped; with `strict` nothing is written if any row is bad. Re-importing
 * the same files changes nothing.
 * @throws DataError when a file cannot be read or is not CSV at all, or when the
 *   database refuses a write (the transaction is then rolled back: nothing is written).
 */
export async function importRoster(db: Db, files: readonly string[], options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const strict = options.strict ?? false;
  const counts = emptyCounts();
  const { files: imported, problems, rows, badCodes } = await readAndCheck(files, counts, options.onProgress);

  // A row that failed its own checks also fails the rows pointing at its code, unless
  // another row of that code is good (the bad one is then a duplicate).
  const goodCodes = new Set<string>();
  for (const kind of ROSTER_KINDS) {
    for (const s of rows[kind] as Sourced<RosterKind>[]) {
      const code = (s.row as { code?: unknown }).code;
      if (typeof code === 'string') goodCodes.add(`${kind}|${code}`);
    }
  }
  const timings: Partial<Record<RosterKind, number>> = {};
  let written = !(strict && problems.length > 0);
  const total = ROSTER_KINDS.reduce((n, k) => n + rows[k].length, 0);
  if (total > 0) {
    const { dialect } = sqlOf(db);
    try {
      await db.$transaction(
        async (tx) => {
          const ctx = new ImportContext(tx, dialect, counts, options.onProgress);
          for (const { kind, code, source } of badCodes) {
            if (!goodCodes.has(`${kind}|${code}`)) ctx.markBad(kind, code, source);
          }
          const timed = async <K extends RosterKind>(kind: K, write: (c: ImportContext, r: readonly Sourced<K>[]) => Promise<void>) => {
            if (rows[kind].length === 0) return;
            const t0 = performance.now();
            await write(ctx, rows[kind]);
            timings[kind] = Math.round(performance.now() - t0);
          };
          await timed('categories', writeCategories);
          await timed('regions', writeRegions);
          await timed('departments', writeDepartments);
          await timed('grids', writeGrids);
          await timed('households', writeHouseholds);
          await timed('people', writePeople);
          await timed('pairings', writePairings);
          problems.push(...ctx.problems);
          if (strict && problems.length > 0) throw new StrictRollback('--strict: nothing written');
        },
        { timeout: 10 * 60_000, maxWait: 60_000 },
      );
      written = true;
    } catch (error) {
      written = false;
      if (!(error instanceof StrictRollback)) {
        const message = error instanceof Error ? error.message.trim().split('\n').pop() : String(error);
        throw new DataError(`import rolled back, nothing written: ${message}`, { cause: error });
      }
      for (const kind of ROSTER_KINDS) {
        counts[kind].created = 0;
        counts[kind].updated = 0;
        counts[kind].unchanged = 0;
      }
    }
  }
  const order = new Map(imported.map((f, i) => [f.file, i]));
  problems.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line);
  const report: ImportReport = {
    files: imported,
    problems,
    counts,
    strict,
    written,
    elapsedMs: performance.now() - started,
    writeMs: timings,
  };
  logger('import').debug({ files: imported.length, problems: problems.length, written, ms: Math.round(report.elapsedMs) }, 'roster import finished');
  return report;
}
