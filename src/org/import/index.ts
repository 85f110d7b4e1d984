/**
 * Roster import: CSV files of the organisation (regions, departments, grids, households,
 * people, pairings, categories) into the database.
 */
export { importRoster, type ImportOptions } from './importer.js';
export type { ImportProgress } from './context.js';
export { ROSTER_COLUMNS, ROSTER_KINDS, type RosterKind } from './kinds.js';
export {
  formatProblem,
  formatSummary,
  type ImportedFile,
  type ImportProblem,
  type ImportReport,
  type KindCounts,
} from './report.js';
export { normalizePhone } from '../phone.js';
export { decodeText, readCsvFile, toCsv } from './csv.js';
