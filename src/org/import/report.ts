/**
 * What an import reports: problems per file and line, and counts per kind.
 */
import { ROSTER_KINDS, type RosterKind } from './kinds.js';

/** A bad row (or a bad file, line 1 with no column). */
export interface ImportProblem {
  /** The file as it was given. */
  readonly file: string;
  /** The physical line (header = 1). */
  readonly line: number;
  /** The CSV column at fault, or null when it is the whole row or file. */
  readonly column: string | null;
  /** Short, in English with the Chinese term where it helps. */
  readonly reason: string;
}

/** Rows of one kind: read from the files, and what became of them. */
export interface KindCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  bad: number;
}

/** One file of the import and the kind recognised from its header. */
export interface ImportedFile {
  readonly file: string;
  /** Null when the header was not recognised (a problem says why). */
  readonly kind: RosterKind | null;
  readonly rows: number;
  readonly encoding: 'utf-8' | 'gb18030';
}

/** The outcome of {@link importRoster}. */
export interface ImportReport {
  readonly files: readonly ImportedFile[];
  readonly problems: readonly ImportProblem[];
  /** Per kind, in dependency order. Counts of created/updated are zero when nothing was written. */
  readonly counts: Readonly<Record<RosterKind, KindCounts>>;
  readonly strict: boolean;
  /** False when --strict found problems and rolled everything back. */
  readonly written: boolean;
  /** Wall time of the import in milliseconds. */
  readonly elapsedMs: number;
  /** Milliseconds spent checking references and writing, per kind that had rows. */
  readonly writeMs: Readonly<Partial<Record<RosterKind, number>>>;
}

/** Zero counts for every kind. */
export function emptyCounts(): Record<RosterKind, KindCounts> {
  const counts = {} as Record<RosterKind, KindCounts>;
  for (const kind of ROSTER_KINDS) counts[kind] = { read: 0, created: 0, updated: 0, unchanged: 0, bad: 0 };
  return counts;
}

/** `FILE:LINE: column COLUMN: reason` (or `FILE:LINE: reason` without a column). */
export function formatProblem(problem: ImportProblem): string {
  const column = problem.column === null ? '' : `column ${problem.column}: `;
  return `${problem.file}:${problem.line}: ${column}${problem.reason}`;
}

/** The summary table: one line per kind that had rows, then a verdict line. */
export function formatSummary(report: ImportReport): string {
  const head = ['kind', 'read', 'created', 'updated', 'unchanged', 'bad'];
  const rows: string[][] = [];
  for (const kind of ROSTER_KINDS) {
    const c = report.counts[kind];
    if (c.read === 0) continue;
    rows.push([kind, c.read, c.created, c.updated, c.unchanged, c.bad].map(String));
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const lines = [fmt(head), ...rows.map(fmt)];
  const bad = report.problems.length;
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  if (bad === 0) lines.push(`导入完成 imported in ${seconds} s, no problems.`);
  else if (!report.written) lines.push(`--strict: nothing written 未写入 (${bad} problem${bad === 1 ? '' : 's'}).`);
  else lines.push(`导入完成 imported in ${seconds} s; ${bad} problem${bad === 1 ? '' : 's'}: bad rows skipped, good rows kept.`);
  return lines.join('\n');
}
