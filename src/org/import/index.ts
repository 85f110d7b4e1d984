/**
 * Roster import: CSV files of the organisation (regions, departments, grids, households,
 * people, pairings, categories) into the database.
 */
export { importRoster, type ImportOptions } from './importer.js';
export type { ImportProgress } from './context.js';
export { ROSTER_KINDS } from './kinds.js';
export { formatProblem, formatSummary, type ImportReport } from './report.js';
