/**
 * The contract of the statistics 跟踪问效 (see ../shared/DOMAIN.md, "The numbers a
 * supervisor reads"): what the console's statistics page, the public board and the
 * monthly report ask for, and what they get back. `src/stats/query.ts` computes it.
 *
 * Every figure is about a cohort: the tickets received (`createdAt`) in [from, to) whose
 * place (`regionId`) lies inside the scope region. Merged duplicates are not counted.
 */

/** How a breakdown splits the cohort. `region` means the scope's child regions. */
export const DIMENSIONS = ['region', 'village', 'grid', 'department', 'category', 'liaison'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Preset periods; `custom` takes from/to as given. */
export const PERIODS = ['day', 'week', 'month', 'custom'] as const;
export type Period = (typeof PERIODS)[number];

/** Trend buckets. */
export const BUCKETS = ['day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** A rate with its parts, so a page can print "43 / 50" and a test can check both. */
export interface Rate {
  numerator: number;
  denominator: number;
  /** numerator / denominator in [0, 1]; null when the denominator is 0. */
  value: number | null;
}

/** The figures of one cohort. */
export interface Figures {
  /** 受理量: tickets received in the period. */
  received: number;
  /** 在办: of those, still in an open state now. */
  open: number;
  /** 超期: of those, open now and past their handling deadline (the ticket's overdue flag). */
  overdue: number;
  /** 响应率 */
  responseRate: Rate;
  /** 按时办结率 */
  onTimeRate: Rate;
  /** 一次办结率 */
  oneTimeRate: Rate;
  /** 解决率 */
  resolutionRate: Rate;
  /** 满意率 */
  satisfactionRate: Rate;
  /** 回退率: returned 退单 at least once ÷ received (a negative term of the ranking). */
  returnRate: Rate;
  /** 重办率: reopened 重办 at least once ÷ resolved at least once (a negative term of the ranking). */
  reopenRate: Rate;
  /** Median minutes from receipt to the first 签收, over accepted tickets; null if none. */
  medianAcceptMinutes: number | null;
  /** Median minutes from receipt to the first 办结, over resolved tickets; null if none. */
  medianResolveMinutes: number | null;
}

/** Optional narrowing of the cohort, on top of the scope region. */
export interface StatsFilters {
  categoryCode?: string;
  gridId?: number;
  departmentId?: number;
  /** The liaison (person) the ticket is assigned to. */
  liaisonId?: number;
}

export interface StatsQuery {
  /** The region whose tickets count (a county, a township or a village). */
  scopeRegionId: number;
  /** Inclusive start of the period. */
  from: Date;
  /** Exclusive end of the period. */
  to: Date;
  filters?: StatsFilters;
}

/** One line of a breakdown. */
export interface StatsRow {
  /** The id or code of the group (region id, grid id, category code...), as text. */
  key: string;
  /** What people read: the region's, grid's, department's, category's or liaison's name. */
  label: string;
  figures: Figures;
}

export interface Breakdown {
  dimension: Dimension;
  total: Figures;
  /** Groups with at least one ticket received, most received first. */
  rows: StatsRow[];
}

export interface TrendPoint {
  /** Local date (Asia/Shanghai) the bucket starts on, `YYYY-MM-DD`. */
  start: string;
  figures: Figures;
}

/** A recurring word of the period's requests (热点). */
export interface HotWord {
  word: string;
  count: number;
}
