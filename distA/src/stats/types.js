/**
 * The contract of the statistics 跟踪问效 (see ../shared/DOMAIN.md, "The numbers a
 * supervisor reads"): what the console's statistics page, the public board and the
 * monthly report ask for, and what they get back. `src/stats/query.ts` computes it.
 *
 * Every figure is about a cohort: the tickets received (`createdAt`) in [from, to) whose
 * place (`regionId`) lies inside the scope region. Merged duplicates are not counted.
 */
/** How a breakdown splits the cohort. `region` means the scope's child regions. */
export const DIMENSIONS = ['region', 'village', 'grid', 'department', 'category', 'liaison'];
/** Preset periods; `custom` takes from/to as given. */
export const PERIODS = ['day', 'week', 'month', 'custom'];
/** Trend buckets. */
export const BUCKETS = ['day', 'week', 'month'];
