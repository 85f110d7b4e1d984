/**
 * Roster import: CSV files of the organisation (regions, departments, grids, households,
 * people, pairings, categories) into the database.
 */
export { importRoster } from './importer.js';
export { ROSTER_KINDS } from './kinds.js';
export { formatProblem, formatSummary } from './report.js';
