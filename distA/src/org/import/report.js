/**
 * What an import reports: problems per file and line, and counts per kind.
 */
import { ROSTER_KINDS } from './kinds.js';
/** Zero counts for every kind. */
export function emptyCounts() {
    const counts = {};
    for (const kind of ROSTER_KINDS)
        counts[kind] = { read: 0, created: 0, updated: 0, unchanged: 0, bad: 0 };
    return counts;
}
/** `FILE:LINE: column COLUMN: reason` (or `FILE:LINE: reason` without a column). */
export function formatProblem(problem) {
    const column = problem.column === null ? '' : `column ${problem.column}: `;
    return `${problem.file}:${problem.line}: ${column}${problem.reason}`;
}
/** The summary table: one line per kind that had rows, then a verdict line. */
export function formatSummary(report) {
    const head = ['kind', 'read', 'created', 'updated', 'unchanged', 'bad'];
    const rows = [];
    for (const kind of ROSTER_KINDS) {
        const c = report.counts[kind];
        if (c.read === 0)
            continue;
        rows.push([kind, c.read, c.created, c.updated, c.unchanged, c.bad].map(String));
    }
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const fmt = (r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
    const lines = [fmt(head), ...rows.map(fmt)];
    const bad = report.problems.length;
    const seconds = (report.elapsedMs / 1000).toFixed(1);
    if (bad === 0)
        lines.push(`导入完成 imported in ${seconds} s, no problems.`);
    else if (!report.written)
        lines.push(`--strict: nothing written 未写入 (${bad} problem${bad === 1 ? '' : 's'}).`);
    else
        lines.push(`导入完成 imported in ${seconds} s; ${bad} problem${bad === 1 ? '' : 's'}: bad rows skipped, good rows kept.`);
    return lines.join('\n');
}
